//! Test helpers: a fresh database per test, SQLite or PostgreSQL.

pub mod app;
pub mod fixture;

use server::db::Db;

/// Runs a scenario `async fn name(db: Db)` on a fresh SQLite and on a fresh PostgreSQL database.
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (db, _dir) = crate::common::fresh_sqlite().await;
                super::$name(db).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(crate::common::fresh_postgres().await).await
            }
        }
    };
}
use sqlx::Connection;

/// A fresh SQLite database in its own temporary directory (kept alive by the returned guard).
pub async fn fresh_sqlite() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("steward.db").display());
    (Db::connect(&url).await.expect("SQLite opens"), dir)
}

/// The URL of a fresh, empty PostgreSQL database on the test server that `make test` starts.
pub async fn fresh_postgres_url() -> String {
    let base = std::env::var("STEWARD_TEST_POSTGRES_URL").expect(
        "STEWARD_TEST_POSTGRES_URL is not set: run the tests with `make test`, which starts a private PostgreSQL \
         (or set it to postgres://... of a server where the user may create databases)",
    );
    let name = format!("steward_test_{}", hex::encode(rand::random::<[u8; 8]>()));
    let mut conn = sqlx::PgConnection::connect(&base)
        .await
        .expect("the test PostgreSQL is reachable");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("CREATE DATABASE");
    let (prefix, _) = base.rsplit_once('/').expect("a database name in the URL");
    format!("{prefix}/{name}")
}

pub async fn fresh_postgres() -> Db {
    Db::connect(&fresh_postgres_url().await)
        .await
        .expect("PostgreSQL connects")
}

/// The credentials the test simulators accept.
pub fn sim_credentials() -> sim::connectwise::SimCredentials {
    sim::connectwise::SimCredentials {
        company_id: "acme_msp".into(),
        public_key: "pub".into(),
        private_key: "priv".into(),
        client_id: "client-1".into(),
    }
}

/// A ConnectWise Manage simulator with the S dataset on a free port; returns its base URL.
pub async fn spawn_simulator() -> String {
    use server::dataset::{Dataset, Size};
    use sim::connectwise::{router, Records, Simulator};
    let sim = Simulator::new(
        sim_credentials(),
        Records::from_dataset(&Dataset::generate(Size::S, 1)),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, router(sim)).await });
    format!("http://{addr}")
}

/// A simulator serving `records` on a free port: its base URL and a handle on its state.
pub async fn spawn_simulator_with(
    records: sim::connectwise::Records,
) -> (String, std::sync::Arc<sim::connectwise::Simulator>) {
    use sim::connectwise::{router, Simulator};
    let sim = Simulator::new(sim_credentials(), records);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let addr = listener.local_addr().expect("an address");
    let app = router(sim.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), sim)
}

/// A user of the account with a role (and a restriction to some organizations), as sign-in
/// finds them.
pub async fn user(
    repo: &server::repo::Repo,
    account: ::app::model::AccountId,
    email: &str,
    role: ::app::model::Role,
    restricted: bool,
) -> ::app::model::CurrentUser {
    repo.create_user(server::repo::NewUser {
        account,
        email,
        name: email,
        password_hash: "x",
        role,
        restricted,
    })
    .await
    .expect("user created");
    repo.login_row(email)
        .await
        .unwrap()
        .expect("user found")
        .user
}

/// The services over `repo`, as `steward serve` builds them, with a sync engine that retries as
/// `retry` says (tests make it quick).
pub fn services(
    repo: &server::repo::Repo,
    retry: server::psa::RetryPolicy,
) -> server::services::AppServices {
    services_with_key(repo, retry, [5; 32])
}

/// The services of a server whose secret key is `key`.
pub fn services_with_key(
    repo: &server::repo::Repo,
    retry: server::psa::RetryPolicy,
    key: [u8; 32],
) -> server::services::AppServices {
    let secrets = std::sync::Arc::new(server::secrets::SecretBox::new(key));
    server::services::AppServices {
        repo: repo.clone(),
        // The tests' PSAs are simulators on this machine: loopback is allowed, as the operator's
        // setting allows it for the demo.
        sync: server::sync::SyncEngine::new(repo.clone(), secrets.clone()).with_retry(
            server::psa::RetryPolicy {
                reach: server::psa::net::Reach::LOOPBACK,
                ..retry
            },
        ),
        secrets,
        archive_retention: chrono::Duration::hours(1),
        throttle: std::sync::Arc::new(server::services::throttle::SignInThrottle::new(
            Default::default(),
        )),
        secure_cookies: false,
        removal_streams: Default::default(),
    }
}

/// An organization's table and every table that goes with it when it is deleted: what a
/// removal of organizations deletes and archives.
pub const ORGANIZATION_TABLES: [&str; 6] = [
    "organizations",
    "configurations",
    "contacts",
    "locations",
    "passwords",
    "documents",
];

/// One number `sql` answers.
pub async fn scalar(db: &Db, sql: &str) -> i64 {
    server::on_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(pool)
        .await)
    .unwrap()
}
