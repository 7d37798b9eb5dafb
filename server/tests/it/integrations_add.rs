//! Add integration and Edit Credentials for every PSA, from outside: who may, what names and
//! values are refused, and where the secrets go. Autotask's zone discovery may name a zone only
//! on its own site (or Autotask's domain): a discovery that points elsewhere gets no secret; a
//! saved secret is kept only for the same site; another account's integration is not there.

use crate::common;

use common::user;

use app::error::ErrorCode;
use app::model::{
    CredentialsInput, CurrentUser, IntegrationId, NewIntegrationInput, PsaKind, Role,
};
use app::services::prelude::*;
use axum::routing::get;
use server::dataset::{Dataset, Size};
use server::psa::RetryPolicy;
use server::repo::Repo;
use server::services::AppServices;
use sim::autotask::records::AtRecords;
use sim::autotask::{router, AtCredentials, AtSimulator};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// A host that counts every request it gets and answers 200 `{}`.
async fn spy() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let app = axum::Router::new().fallback(move || {
        h.fetch_add(1, Ordering::SeqCst);
        async { axum::Json(serde_json::json!({ "items": [], "fields": [] })) }
    });
    (serve(app).await, hits)
}

struct World {
    services: AppServices,
    admin: CurrentUser,
    autotask: String,
}

async fn world() -> (World, tempfile::TempDir) {
    let (db, dir) = common::fresh_sqlite().await;
    db.migrate().await.unwrap();
    let repo = Repo::new(db);
    let account = repo.create_account("Alpha IT").await.unwrap();
    let services = common::services(&repo, RetryPolicy::default());
    let sim = AtSimulator::new(
        AtCredentials {
            username: "api@alpha.example".into(),
            secret: "s3cret".into(),
            integration_code: "CODE".into(),
        },
        AtRecords::from_dataset(&Dataset::generate(Size::S, 1)),
    );
    let autotask = serve(router(sim)).await;
    let admin = user(
        &repo,
        account,
        "admin@alpha.example",
        Role::Administrator,
        false,
    )
    .await;
    (
        World {
            services,
            admin,
            autotask,
        },
        dir,
    )
}

fn autotask_input(site: &str, secret: &str) -> CredentialsInput {
    CredentialsInput {
        site_url: site.into(),
        username: "api@alpha.example".into(),
        integration_code: "CODE".into(),
        secret: secret.into(),
        ..Default::default()
    }
}

fn new(kind: PsaKind, name: &str, credentials: CredentialsInput) -> NewIntegrationInput {
    NewIntegrationInput {
        kind,
        name: name.into(),
        credentials,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_unrestricted_manager_or_administrator_adds_an_integration() {
    let (w, _dir) = world().await;
    let repo = &w.services.repo;
    let input = new(PsaKind::Autotask, "", autotask_input(&w.autotask, "s3cret"));
    for (email, role, restricted) in [
        ("editor@alpha.example", Role::Editor, false),
        ("readonly@alpha.example", Role::ReadOnly, false),
        ("restricted@alpha.example", Role::Administrator, true),
    ] {
        let u = common::user(repo, w.admin.account_id, email, role, restricted).await;
        let refused = w
            .services
            .add_integration(&u, input.clone())
            .await
            .unwrap_err();
        assert_eq!(refused.code, ErrorCode::Forbidden, "{email}");
        assert_eq!(
            w.services
                .test_new_integration(&u, input.clone())
                .await
                .unwrap_err()
                .code,
            ErrorCode::Forbidden
        );
    }
    assert!(w.services.integrations(&w.admin).await.unwrap().is_empty());
    let manager = user(
        repo,
        w.admin.account_id,
        "manager@alpha.example",
        Role::Manager,
        false,
    )
    .await;
    w.services.add_integration(&manager, input).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_and_values_are_checked_before_anything_is_sent() {
    let (w, _dir) = world().await;
    let s = &w.services;
    let a = &w.admin;
    let ok = || autotask_input(&w.autotask, "s3cret");
    // Odd Unicode is a fine name; the same name twice (any case) is not.
    let id = s
        .add_integration(a, new(PsaKind::Autotask, "Autotask – Zürich 🚀", ok()))
        .await
        .unwrap();
    let again = s
        .add_integration(a, new(PsaKind::Autotask, "autotask – zürich 🚀", ok()))
        .await
        .unwrap_err();
    assert_eq!(again.code, ErrorCode::Conflict);
    assert!(again.message.contains("exists already"));
    for name in ["x".repeat(101), "two\nlines".to_string()] {
        let e = s
            .add_integration(a, new(PsaKind::Autotask, &name, ok()))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput, "{name:?}");
    }
    // Empty, huge and control-character values: a clear reason each.
    let (spy_url, hits) = spy().await;
    for (input, says) in [
        (autotask_input("", "x"), "site's address"),
        (autotask_input(&format!("{spy_url}/path"), "x"), "no path"),
        (autotask_input(&format!("{spy_url}?x=1"), "x"), "no path"),
        (
            CredentialsInput {
                username: String::new(),
                ..autotask_input(&spy_url, "x")
            },
            "API username",
        ),
        (
            CredentialsInput {
                integration_code: "a".repeat(201),
                ..autotask_input(&spy_url, "x")
            },
            "integration code",
        ),
        (autotask_input(&spy_url, ""), "secret"),
        (autotask_input(&spy_url, "bad\u{7}secret"), "secret"),
        (autotask_input("http://example.com", "x"), "https://"),
    ] {
        let e = s
            .test_new_integration(a, new(PsaKind::Autotask, "", input))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains(says), "{says}: {}", e.message);
    }
    for tenant in ["a/b", "ü", "x?y", "../etc"] {
        let input = CredentialsInput {
            site_url: spy_url.clone(),
            tenant: tenant.into(),
            client_id: "c".into(),
            client_secret: "s".into(),
            ..Default::default()
        };
        let e = s
            .test_new_integration(a, new(PsaKind::Halopsa, "", input))
            .await
            .unwrap_err();
        assert!(e.message.contains("tenant"), "{tenant}: {}", e.message);
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "nothing was sent for refused values"
    );
    assert_eq!(s.integrations(a).await.unwrap().len(), 1);
    assert_eq!(s.integrations(a).await.unwrap()[0].id, id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zone_elsewhere_gets_no_secret() {
    let (w, _dir) = world().await;
    let (elsewhere, hits) = spy().await;
    // A discovery that names a zone on another host.
    let zone = format!("{elsewhere}/atservicesrest/");
    let discovery = serve(axum::Router::new().route(
        "/atservicesrest/v1.0/zoneInformation",
        get(move || {
            let zone = zone.clone();
            async move {
                axum::Json(
                    serde_json::json!({ "zoneName": "X", "url": zone, "webUrl": "", "ci": 0 }),
                )
            }
        }),
    ))
    .await;
    let e = w
        .services
        .test_new_integration(
            &w.admin,
            new(PsaKind::Autotask, "", autotask_input(&discovery, "s3cret")),
        )
        .await
        .unwrap_err();
    assert!(e.message.contains("zone on another site"), "{}", e.message);
    let e = w
        .services
        .add_integration(
            &w.admin,
            new(PsaKind::Autotask, "", autotask_input(&discovery, "s3cret")),
        )
        .await
        .unwrap_err();
    assert!(e.message.contains("zone on another site"));
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the other host heard nothing"
    );
    assert!(w.services.integrations(&w.admin).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_secret_stays_with_its_site_and_its_account() {
    let (w, _dir) = world().await;
    let s = &w.services;
    let id: IntegrationId = s
        .add_integration(
            &w.admin,
            new(PsaKind::Autotask, "", autotask_input(&w.autotask, "s3cret")),
        )
        .await
        .unwrap();
    let view = s.credentials(&w.admin, id).await.unwrap();
    assert_eq!(view.kind, PsaKind::Autotask);
    assert!(view.secret_set);
    assert!(view.zone_url.starts_with(&w.autotask), "{}", view.zone_url);
    assert!(!serde_json::to_string(&view).unwrap().contains("s3cret"));
    // The same site with the secret left empty: the saved one works.
    s.test_credentials(&w.admin, id, autotask_input(&w.autotask, ""))
        .await
        .unwrap();
    // A wrong secret: Autotask's own refusal.
    let e = s
        .test_credentials(&w.admin, id, autotask_input(&w.autotask, "nope"))
        .await
        .unwrap_err();
    assert!(
        e.message.contains("User is not authorized"),
        "{}",
        e.message
    );
    // Another site with the secret left empty: refused before anything is sent there.
    let (spy_url, hits) = spy().await;
    let e = s
        .save_credentials(&w.admin, id, autotask_input(&spy_url, ""))
        .await
        .unwrap_err();
    assert!(
        e.message.contains("kept only for the site"),
        "{}",
        e.message
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    // Another account's admin does not find it.
    let other = s.repo.create_account("Bravo IT").await.unwrap();
    let stranger = user(
        &s.repo,
        other,
        "admin@bravo.example",
        Role::Administrator,
        false,
    )
    .await;
    assert_eq!(
        s.credentials(&stranger, id).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(
        s.save_credentials(&stranger, id, autotask_input(&w.autotask, "s3cret"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    // Saving with the saved secret keeps it, and the activity log says who added what.
    let saved = s
        .save_credentials(&w.admin, id, autotask_input(&w.autotask, ""))
        .await
        .unwrap();
    assert!(saved.secret_set);
    let log = s.activity(&w.admin, None).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "integration.added" && e.subject == "Autotask"),
        "{log:?}"
    );
}

/// Any Manager chooses an integration's site, so Steward refuses to connect to this machine and
/// to private networks (issue 33, item 6): when the site is entered, before anything is sent.
/// Loopback is allowed only behind the operator's setting, which the tests and the demo turn
/// on; without it the simulator on this machine is out of reach, and the answer names the
/// setting, not which ports answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_on_this_machine_is_refused_unless_the_operator_allows_it() {
    let (mut w, _dir) = world().await;
    w.services.sync = w.services.sync.clone().with_retry(RetryPolicy::default());
    let err = w
        .services
        .add_integration(
            &w.admin,
            new(
                PsaKind::Autotask,
                "Loopback",
                autotask_input(&w.autotask, "s3cret"),
            ),
        )
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("on this machine"), "{text}");
    assert!(text.contains("STEWARD_PSA_ALLOW_LOOPBACK"), "{text}");
    assert!(
        !text.to_ascii_lowercase().contains("connection refused"),
        "{text}"
    );
    for site in [
        "https://10.0.0.8",
        "https://169.254.169.254",
        "https://[fd00::1]",
    ] {
        let err = w
            .services
            .add_integration(
                &w.admin,
                new(
                    PsaKind::Halopsa,
                    "Private",
                    CredentialsInput {
                        site_url: site.into(),
                        tenant: "acme".into(),
                        client_id: "cid".into(),
                        client_secret: "cs".into(),
                        ..Default::default()
                    },
                ),
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("private network"), "{site}: {err}");
    }
    assert!(w
        .services
        .repo
        .integrations(w.admin.account_id)
        .await
        .unwrap()
        .is_empty());
}
