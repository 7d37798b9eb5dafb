//! The repository contract: one suite, run against SQLite and against a real PostgreSQL.

use crate::common;

use app::model::{
    AccountId, CatalogCategory, CurrentUser, IntegrationId, ItemKind, OrganizationId, Role,
    SyncState,
};
use chrono::{Duration, Utc};
use common::user;
use server::dataset::{loader, Dataset, Expected, Fate, Size};
use server::db::Db;
use server::repo::{Activity, NewIntegration, NewUser, Repo};

async fn integration(repo: &Repo, account: AccountId) -> IntegrationId {
    repo.create_integration(NewIntegration::connectwise(account))
        .await
        .unwrap()
}

async fn manage_data(repo: &Repo, user: &CurrentUser, id: IntegrationId) -> app::model::ManageData {
    let summary = repo
        .integration(user.account_id, id)
        .await
        .unwrap()
        .expect("integration visible");
    repo.manage_data(user, summary).await.unwrap()
}

async fn contract_suite(db: Db) {
    db.migrate().await.expect("migrations apply");
    db.migrate().await.expect("migrations are idempotent");
    let repo = Repo::new(db);

    // Accounts, users, sign-in lookups.
    let a = repo.create_account("Alpha IT").await.unwrap();
    let b = repo.create_account("Bravo IT").await.unwrap();
    let admin = user(&repo, a, "Admin@Alpha.test", Role::Administrator, false).await;
    assert_eq!(
        admin.email, "admin@alpha.test",
        "emails are stored lower-case"
    );
    assert_eq!(
        (admin.account_id, admin.role, admin.account_name.as_str()),
        (a, Role::Administrator, "Alpha IT")
    );
    assert!(repo.login_row("nobody@alpha.test").await.unwrap().is_none());
    let dup = repo
        .create_user(NewUser {
            account: b,
            email: "admin@alpha.test",
            name: "x",
            password_hash: "x",
            role: Role::Lite,
            restricted: false,
        })
        .await;
    assert!(dup.is_err(), "an email belongs to one user only");

    // Sessions live until they expire or are deleted.
    let now = Utc::now();
    repo.create_session("hash-1", &admin, now + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        repo.session_user("hash-1", now).await.unwrap(),
        Some(admin.clone())
    );
    assert_eq!(
        repo.session_user("hash-1", now + Duration::hours(2))
            .await
            .unwrap(),
        None
    );
    assert_eq!(repo.session_user("hash-2", now).await.unwrap(), None);
    repo.delete_session("hash-1").await.unwrap();
    assert_eq!(repo.session_user("hash-1", now).await.unwrap(), None);

    // A dataset loaded as if synced: Manage Data counts exactly what the generator decided.
    let ia = integration(&repo, a).await;
    let ib = integration(&repo, b).await;
    let d = Dataset::generate(Size::S, 7);
    let plan = d.plan();
    let report = loader::load(&repo.db, a, ia, &d).await.unwrap();
    let gone = d
        .configurations
        .iter()
        .zip(&plan.configurations)
        .filter(|(c, l)| c.fate == Fate::DisconnectedThenDeleted && l.state.is_some())
        .count()
        + d.contacts
            .iter()
            .zip(&plan.contacts)
            .filter(|(c, l)| c.fate == Fate::DisconnectedThenDeleted && l.state.is_some())
            .count()
        + d.sites
            .iter()
            .zip(&plan.sites)
            .filter(|(c, l)| c.fate == Fate::DisconnectedThenDeleted && l.state.is_some())
            .count();
    assert_eq!(report.items, d.item_count() - gone);
    assert_eq!(report.steward_only, d.passwords.len() + d.documents.len());
    let expected_a = Expected::of(&d, &plan);
    let md = manage_data(&repo, &admin, ia).await;
    assert_eq!(Expected::from_manage_data(&md), expected_a);
    assert!(
        md.orphaned_data.iter().all(|r| r.count > 0),
        "every kind has orphans in the demo mix"
    );
    assert!(md.disconnected_data.iter().any(|r| r.count > 0));
    let last = md
        .integration
        .last_sync
        .expect("the load records a sync run");
    assert_eq!(last.outcome, "succeeded");

    // Credentials are stored sealed and only for the integration's own account.
    let secrets = server::secrets::SecretBox::new([3; 32]);
    let creds = server::psa::connectwise::client::CwCredentials {
        site_url: "https://na.myconnectwise.net".into(),
        company_id: "alpha".into(),
        public_key: "pub".into(),
        private_key: "private-key-of-alpha".into(),
        client_id: "cid".into(),
    };
    assert_eq!(repo.integration_credentials(a, ia).await.unwrap(), None);
    let sealed = secrets.seal_json(&creds).unwrap();
    assert!(repo
        .set_integration_credentials(a, ia, &sealed)
        .await
        .unwrap());
    assert!(
        !repo
            .set_integration_credentials(b, ia, &sealed)
            .await
            .unwrap(),
        "another account cannot write them"
    );
    let stored = repo
        .integration_credentials(a, ia)
        .await
        .unwrap()
        .expect("stored");
    assert!(!String::from_utf8_lossy(&stored).contains("private-key-of-alpha"));
    let opened: server::psa::connectwise::client::CwCredentials =
        secrets.open_json(&stored).unwrap();
    assert_eq!(opened, creds);
    assert_eq!(
        repo.integration_credentials(b, ia).await.unwrap(),
        None,
        "nor read them"
    );

    // Nothing crosses accounts.
    assert!(repo.integration(b, ia).await.unwrap().is_none());
    assert_eq!(repo.integrations(b).await.unwrap().len(), 1);
    let bravo = user(&repo, b, "admin@bravo.test", Role::Administrator, false).await;
    let md_b = manage_data(&repo, &bravo, ib).await;
    assert!(md_b.synced_items.is_empty());
    assert!(md_b
        .orphaned_data
        .iter()
        .chain(&md_b.disconnected_data)
        .all(|r| r.count == 0));
    assert_eq!(
        repo.items(
            &bravo,
            ItemKind::Organization,
            &app::model::ItemSearch::parse("").unwrap(),
            1,
            true
        )
        .await
        .unwrap()
        .total,
        0
    );
    let d_b = Dataset::generate(Size::S, 8);
    loader::load(&repo.db, b, ib, &d_b).await.unwrap();
    assert_eq!(
        Expected::from_manage_data(&manage_data(&repo, &admin, ia).await),
        expected_a,
        "loading into B leaves A as it was"
    );
    assert_eq!(
        Expected::from_manage_data(&manage_data(&repo, &bravo, ib).await),
        Expected::of(&d_b, &d_b.plan())
    );

    // A restricted user counts only the organizations granted.
    let (k, company) = d
        .companies
        .iter()
        .enumerate()
        .find(|(i, _)| plan.companies[*i].state == Some(SyncState::Enabled))
        .expect("an enabled organization");
    let lite = user(&repo, a, "lite@alpha.test", Role::Lite, true).await;
    let orgs = repo
        .items(
            &admin,
            ItemKind::Organization,
            &app::model::ItemSearch::parse(&company.name).unwrap(),
            1,
            true,
        )
        .await
        .unwrap();
    let org_id = orgs
        .items
        .iter()
        .find(|i| i.name == company.name)
        .expect("found by name")
        .id;
    repo.grant_organization_access(a, lite.user_id, OrganizationId(org_id))
        .await
        .unwrap();
    // Granting an organization of another account does nothing.
    repo.grant_organization_access(b, lite.user_id, OrganizationId(org_id))
        .await
        .unwrap();
    let md_lite = manage_data(&repo, &lite, ia).await;
    let total = |cat: CatalogCategory| {
        md_lite
            .synced_items
            .iter()
            .filter(|r| r.category == cat)
            .map(|r| r.counts.total())
            .sum::<i64>()
    };
    assert_eq!(total(CatalogCategory::OrganizationType), 1);
    let linked_configs = d
        .configurations
        .iter()
        .zip(&plan.configurations)
        .filter(|(c, l)| {
            c.company == k && l.state.is_some() && c.fate != Fate::DisconnectedThenDeleted
        })
        .count() as i64;
    assert_eq!(total(CatalogCategory::ConfigurationType), linked_configs);
    let lite_orgs = repo
        .items(
            &lite,
            ItemKind::Organization,
            &app::model::ItemSearch::parse("").unwrap(),
            1,
            true,
        )
        .await
        .unwrap();
    assert_eq!(lite_orgs.total, 1);
    assert_eq!(lite_orgs.items[0].name, company.name);

    // Item lists: search by name (case-insensitive, LIKE wildcards taken literally), pages of 50.
    let all = repo
        .items(
            &admin,
            ItemKind::Configuration,
            &app::model::ItemSearch::parse("").unwrap(),
            1,
            true,
        )
        .await
        .unwrap();
    assert_eq!(all.items.len(), 50);
    let page2 = repo
        .items(
            &admin,
            ItemKind::Configuration,
            &app::model::ItemSearch::parse("").unwrap(),
            2,
            true,
        )
        .await
        .unwrap();
    assert_ne!(all.items[0].id, page2.items[0].id);
    assert_eq!(all.total, page2.total);
    // Rule 4: by default the list hides inactive orphans, and only them.
    let inactive_orphans = d
        .configurations
        .iter()
        .zip(&plan.configurations)
        .filter(|(c, l)| {
            !c.active
                && l.state == Some(SyncState::Orphaned)
                && c.fate != Fate::DisconnectedThenDeleted
        })
        .count() as i64;
    assert!(inactive_orphans > 0);
    let default = repo
        .items(
            &admin,
            ItemKind::Configuration,
            &app::model::ItemSearch::parse("").unwrap(),
            1,
            false,
        )
        .await
        .unwrap();
    assert_eq!(default.total, all.total - inactive_orphans);
    let upper = repo
        .items(
            &admin,
            ItemKind::Organization,
            &app::model::ItemSearch::parse(&company.name.to_uppercase()).unwrap(),
            1,
            true,
        )
        .await
        .unwrap();
    assert!(upper.items.iter().any(|i| i.name == company.name));
    assert_eq!(
        repo.items(
            &admin,
            ItemKind::Organization,
            &app::model::ItemSearch::parse("%").unwrap(),
            1,
            true
        )
        .await
        .unwrap()
        .total,
        0
    );

    // The activity log keeps what happened, newest first, per account.
    for (user, actor, action) in [
        (Some(admin.user_id), "admin@alpha.test", "test.first"),
        (None, "operator", "test.second"),
    ] {
        repo.log_activity(Activity {
            account: a,
            user,
            actor,
            action,
            subject: "subject",
            details: serde_json::json!({ "action": action }),
            outcome: "succeeded",
        })
        .await
        .unwrap();
    }
    let log = repo.activity_log(a, None, None, 2).await.unwrap();
    assert_eq!(log[0].3, "test.second");
    assert_eq!(log[1].3, "test.first");
    assert!(repo
        .activity_log(b, None, None, 10)
        .await
        .unwrap()
        .is_empty());
}

/// The schema itself: deleting an organization takes everything inside it (its items and the
/// Steward-only passwords and documents), and a half-linked or reasonless orphan cannot be stored.
async fn schema_contract(db: Db) {
    db.migrate().await.unwrap();
    let repo = Repo::new(db);
    let a = repo.create_account("Alpha IT").await.unwrap();
    let ia = integration(&repo, a).await;
    let d = Dataset::generate(Size::S, 11);
    loader::load(&repo.db, a, ia, &d).await.unwrap();
    let count = |sql: &'static str, org: i64| {
        let db = repo.db.clone();
        async move {
            let n: i64 = server::on_db!(&db, |pool| sqlx::query_scalar(sql)
                .bind(org)
                .fetch_one(pool)
                .await)
            .unwrap();
            n
        }
    };
    const CHILDREN: [&str; 5] = [
        "SELECT COUNT(*) FROM configurations WHERE organization_id = $1",
        "SELECT COUNT(*) FROM contacts WHERE organization_id = $1",
        "SELECT COUNT(*) FROM locations WHERE organization_id = $1",
        "SELECT COUNT(*) FROM passwords WHERE organization_id = $1",
        "SELECT COUNT(*) FROM documents WHERE organization_id = $1",
    ];
    // The first organization is the biggest client (the generator skews towards it).
    let org: i64 = server::on_db!(&repo.db, |pool| sqlx::query_scalar(
        "SELECT MIN(id) FROM organizations"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    let mut before = 0;
    for sql in CHILDREN {
        before += count(sql, org).await;
    }
    assert!(
        before > 10,
        "the organization holds items and Steward-only data"
    );
    server::on_db!(&repo.db, |pool| sqlx::query(
        "DELETE FROM organizations WHERE id = $1"
    )
    .bind(org)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    for sql in CHILDREN {
        assert_eq!(count(sql, org).await, 0, "{sql}");
    }

    let bad = [
        // Orphaned without a reason.
        "UPDATE organizations SET orphan_reason = NULL WHERE sync_state = 'orphaned' AND account_id = $1",
        // A reason on an item that is not orphaned.
        "UPDATE organizations SET orphan_reason = 'deleted_in_psa' WHERE sync_state = 'enabled' AND account_id = $1",
        // A PSA link without a sync state.
        "UPDATE organizations SET sync_state = NULL, orphan_reason = NULL WHERE integration_id IS NOT NULL AND account_id = $1",
        // A state that does not exist.
        "UPDATE organizations SET sync_state = 'paused' WHERE sync_state = 'enabled' AND account_id = $1",
    ];
    for sql in bad {
        let r = server::on_db!(&repo.db, |pool| sqlx::query(sql)
            .bind(a.0)
            .execute(pool)
            .await
            .map(|_| ()));
        assert!(r.is_err(), "accepted: {sql}");
    }
}

#[tokio::test]
async fn sqlite_schema_cascades_and_constrains() {
    let (db, _dir) = common::fresh_sqlite().await;
    schema_contract(db).await;
}

#[tokio::test]
async fn postgres_schema_cascades_and_constrains() {
    schema_contract(common::fresh_postgres().await).await;
}

#[tokio::test]
async fn sqlite_meets_the_repository_contract() {
    let (db, _dir) = common::fresh_sqlite().await;
    contract_suite(db).await;
}

#[tokio::test]
async fn postgres_meets_the_repository_contract() {
    contract_suite(common::fresh_postgres().await).await;
}

/// A database whose schema is ahead of this binary makes start-up fail with a clear message.
async fn refuses_unknown_migrations(db: Db) {
    db.migrate().await.unwrap();
    server::on_db!(&db, |pool| sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (99999999, 'from the future', TRUE, $1, 1)"
    )
    .bind(vec![0u8; 48])
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    let err = db
        .migrate()
        .await
        .expect_err("an unknown migration stops start-up");
    assert!(format!("{err:#}").contains("migrations failed"), "{err:#}");
}

#[tokio::test]
async fn sqlite_start_up_fails_fast_on_a_foreign_schema() {
    let (db, _dir) = common::fresh_sqlite().await;
    refuses_unknown_migrations(db).await;
}

#[tokio::test]
async fn postgres_start_up_fails_fast_on_a_foreign_schema() {
    refuses_unknown_migrations(common::fresh_postgres().await).await;
}
