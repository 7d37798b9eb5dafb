//! Account > Users and passwords, from outside, on SQLite and PostgreSQL: only an unrestricted
//! Administrator manages users; a one-time password cannot open a session until the user
//! chooses their own (at least 12 characters, not the email, not the one-time one); a
//! deactivated user cannot sign in and their sessions end at once; a reset ends the sessions
//! too; the last active Administrator can be neither demoted nor deactivated, even by two
//! Administrators demoting each other at once; another account's user is not found; every change
//! is in the activity log.

use crate::common;

use app::error::ErrorCode;
use app::model::{ItemKind, NewUserInput, Role, UserId};
use app::services::prelude::*;
use server::db::Db;
use server::psa::RetryPolicy;
use server::repo::Repo;

fn input(name: &str, email: &str, role: Option<Role>) -> NewUserInput {
    NewUserInput {
        name: name.into(),
        email: email.into(),
        role,
        organizations: Vec::new(),
    }
}

async fn users_and_passwords(db: Db) {
    db.migrate().await.unwrap();
    let repo = Repo::new(db);
    let s = common::services(&repo, RetryPolicy::default());
    let account = repo.create_account("Alpha IT").await.unwrap();
    let admin = common::user(
        &repo,
        account,
        "admin@alpha.example",
        Role::Administrator,
        false,
    )
    .await;

    // Who may: not a Manager, not a restricted Administrator.
    let manager = common::user(
        &repo,
        account,
        "manager@alpha.example",
        Role::Manager,
        false,
    )
    .await;
    let restricted = common::user(
        &repo,
        account,
        "radmin@alpha.example",
        Role::Administrator,
        true,
    )
    .await;
    for u in [&manager, &restricted] {
        assert_eq!(s.users(u).await.unwrap_err().code, ErrorCode::Forbidden);
        assert_eq!(
            s.add_user(u, input("X", "x@alpha.example", Some(Role::ReadOnly)))
                .await
                .unwrap_err()
                .code,
            ErrorCode::Forbidden
        );
        assert_eq!(
            s.set_user_role(u, admin.user_id, Role::Lite)
                .await
                .unwrap_err()
                .code,
            ErrorCode::Forbidden
        );
        assert_eq!(
            s.set_user_active(u, admin.user_id, false)
                .await
                .unwrap_err()
                .code,
            ErrorCode::Forbidden
        );
        assert_eq!(
            s.reset_user_password(u, admin.user_id)
                .await
                .unwrap_err()
                .code,
            ErrorCode::Forbidden
        );
    }

    // Hostile input: a clear reason each, nothing added.
    for (i, says) in [
        (input("", "a@alpha.example", Some(Role::Editor)), "name"),
        (
            input(&"n".repeat(101), "a@alpha.example", Some(Role::Editor)),
            "name",
        ),
        (
            input("Two\nlines", "a@alpha.example", Some(Role::Editor)),
            "name",
        ),
        (input("Ann", "not-an-email", Some(Role::Editor)), "email"),
        (
            input("Ann", "a b@alpha.example", Some(Role::Editor)),
            "email",
        ),
        (input("Ann", "a@alpha.example", None), "role"),
        (
            input("Ann", "MANAGER@alpha.example", Some(Role::Editor)),
            "already a user",
        ),
    ] {
        let e = s.add_user(&admin, i).await.unwrap_err();
        assert!(e.message.contains(says), "{says}: {}", e.message);
    }
    assert_eq!(s.users(&admin).await.unwrap().len(), 3);

    // Add user: a one-time password that signs in only by choosing a new one.
    let added = s
        .add_user(
            &admin,
            input("Zoë O'Brien", " Zoe@Alpha.Example ", Some(Role::Editor)),
        )
        .await
        .unwrap();
    assert_eq!(added.email, "zoe@alpha.example");
    let listed = s.users(&admin).await.unwrap();
    let zoe = listed.iter().find(|u| u.id == added.user).unwrap();
    assert_eq!(
        (
            zoe.name.as_str(),
            zoe.role,
            zoe.active,
            zoe.must_change_password
        ),
        ("Zoë O'Brien", Role::Editor, true, true)
    );
    assert!(zoe.last_sign_in_at.is_none());
    let e = s
        .sign_in("zoe@alpha.example", &added.password, None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::PasswordChangeRequired);
    for (new, says) in [
        ("short", "at least 12"),
        ("zoe@alpha.example", "not your email"),
        (added.password.as_str(), "other than the one-time"),
    ] {
        let e = s
            .sign_in_with_new_password("zoe@alpha.example", &added.password, new, None)
            .await
            .unwrap_err();
        assert!(e.message.contains(says), "{says}: {}", e.message);
    }
    let wrong = s
        .sign_in_with_new_password(
            "zoe@alpha.example",
            "not-the-one-time",
            "a good new password",
            None,
        )
        .await;
    assert_eq!(wrong.unwrap_err().code, ErrorCode::InvalidCredentials);
    let zoe_in = s
        .sign_in_with_new_password(
            "zoe@alpha.example",
            &added.password,
            "correct horse battery",
            None,
        )
        .await
        .unwrap();
    assert!(s.user_for_session(&zoe_in.token).await.unwrap().is_some());
    assert_eq!(
        s.sign_in("zoe@alpha.example", &added.password, None)
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidCredentials
    );
    let zoe = s
        .users(&admin)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.id == added.user)
        .unwrap();
    assert!(!zoe.must_change_password && zoe.last_sign_in_at.is_some());

    // Deactivate: their session ends at once and they cannot sign in; Reactivate.
    s.set_user_active(&admin, added.user, false).await.unwrap();
    assert!(s.user_for_session(&zoe_in.token).await.unwrap().is_none());
    let e = s
        .sign_in("zoe@alpha.example", "correct horse battery", None)
        .await
        .unwrap_err();
    assert!(e.message.contains("deactivated"), "{}", e.message);
    s.set_user_active(&admin, added.user, true).await.unwrap();
    let again = s
        .sign_in("zoe@alpha.example", "correct horse battery", None)
        .await
        .unwrap();

    // Reset password: a new one-time password; the old password and the session end.
    let reset = s.reset_user_password(&admin, added.user).await.unwrap();
    assert_ne!(reset.password, added.password);
    assert!(s.user_for_session(&again.token).await.unwrap().is_none());
    assert_eq!(
        s.sign_in("zoe@alpha.example", "correct horse battery", None)
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidCredentials
    );
    assert_eq!(
        s.sign_in("zoe@alpha.example", &reset.password, None)
            .await
            .unwrap_err()
            .code,
        ErrorCode::PasswordChangeRequired
    );

    // Change one's own password: the current one is required.
    let zoe_user = repo
        .login_row("zoe@alpha.example")
        .await
        .unwrap()
        .unwrap()
        .user;
    s.sign_in_with_new_password(
        "zoe@alpha.example",
        &reset.password,
        "zoe's second password",
        None,
    )
    .await
    .unwrap();
    let e = s
        .change_password(&zoe_user, "wrong", "zoe's third password")
        .await
        .unwrap_err();
    assert!(e.message.contains("current password"), "{}", e.message);
    let e = s
        .change_password(&zoe_user, "zoe's second password", "ZOE@alpha.example")
        .await
        .unwrap_err();
    assert!(e.message.contains("not your email"));
    s.change_password(&zoe_user, "zoe's second password", "zoe's third password")
        .await
        .unwrap();
    s.sign_in("zoe@alpha.example", "zoe's third password", None)
        .await
        .unwrap();

    // The last active Administrator: neither demoted nor deactivated (the restricted one counts).
    s.set_user_active(&admin, restricted.user_id, false)
        .await
        .unwrap();
    for e in [
        s.set_user_role(&admin, admin.user_id, Role::Manager)
            .await
            .unwrap_err(),
        s.set_user_active(&admin, admin.user_id, false)
            .await
            .unwrap_err(),
    ] {
        assert_eq!(e.code, ErrorCode::Conflict);
        assert!(
            e.message.contains("last active Administrator"),
            "{}",
            e.message
        );
    }
    // With a second Administrator, the first may step down; two demoting each other at once:
    // exactly one succeeds.
    s.set_user_role(&admin, manager.user_id, Role::Administrator)
        .await
        .unwrap();
    let manager_now = repo
        .login_row("manager@alpha.example")
        .await
        .unwrap()
        .unwrap()
        .user;
    // Raced for several rounds: each time exactly one wins, the other is told why (never a
    // fault), and the winner promotes the loser back for the next round.
    let mut admin_won = true;
    for _ in 0..8 {
        let (a, b) = tokio::join!(
            s.set_user_role(&admin, manager.user_id, Role::Manager),
            s.set_user_role(&manager_now, admin.user_id, Role::Manager),
        );
        assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1, "{a:?} {b:?}");
        let refused = a.as_ref().err().or(b.as_ref().err()).unwrap();
        assert_eq!(refused.code, ErrorCode::Conflict, "{refused:?}");
        admin_won = a.is_ok();
        if admin_won {
            s.set_user_role(&admin, manager.user_id, Role::Administrator)
                .await
                .unwrap();
        } else {
            s.set_user_role(&manager_now, admin.user_id, Role::Administrator)
                .await
                .unwrap();
        }
    }
    // One last demotion leaves one active Administrator.
    if admin_won {
        s.set_user_role(&admin, manager.user_id, Role::Manager)
            .await
            .unwrap();
    } else {
        s.set_user_role(&manager_now, admin.user_id, Role::Manager)
            .await
            .unwrap();
    }
    let admins = s
        .users(if admin_won { &admin } else { &manager_now })
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.role == Role::Administrator && u.active)
        .count();
    assert_eq!(admins, 1);

    // Another account's user: not found, nothing changed.
    let other = repo.create_account("Bravo IT").await.unwrap();
    let stranger = common::user(
        &repo,
        other,
        "admin@bravo.example",
        Role::Administrator,
        false,
    )
    .await;
    for e in [
        s.set_user_role(&stranger, added.user, Role::Administrator)
            .await
            .unwrap_err(),
        s.set_user_active(&stranger, added.user, false)
            .await
            .unwrap_err(),
        s.reset_user_password(&stranger, added.user)
            .await
            .unwrap_err(),
        s.set_user_role(&admin, UserId(999_999), Role::Lite)
            .await
            .unwrap_err(),
    ] {
        assert_eq!(e.code, ErrorCode::NotFound);
    }
    assert_eq!(s.users(&stranger).await.unwrap().len(), 1);

    // Every change is in the activity log.
    let log = s
        .activity(
            &if admin_won {
                admin.clone()
            } else {
                manager_now.clone()
            },
            None,
        )
        .await
        .unwrap();
    for action in [
        "user.added",
        "user.deactivated",
        "user.reactivated",
        "user.password_reset",
        "user.password_changed",
        "user.role_changed",
    ] {
        assert!(log.iter().any(|e| e.action == action), "{action} missing");
    }
}
on_both!(users_and_passwords);

/// Restrictions: the picker searches the account's organizations only (any case, wildcards and
/// quotes as text); a Manager added with two organizations sees only their items; another
/// account's organization is not found and nothing changes; the last Administrator without
/// restrictions cannot be restricted; lifting restrictions shows everything again; every change
/// is in the activity log.
async fn restrictions(db: Db) {
    let ctx = common::fixture::setup(db).await;
    let repo = &ctx.repo;
    let s = common::services(repo, RetryPolicy::default());
    let admin = &ctx.admin;
    let other = common::fixture::second_account(&ctx).await;

    // The picker: a page of names, searched in any case; hostile text is only text.
    let first_page = s.organization_choices(admin, String::new()).await.unwrap();
    assert_eq!(first_page.len(), 20);
    let (a, b) = (first_page[0].clone(), first_page[1].clone());
    let found = s
        .organization_choices(admin, a.name.to_uppercase())
        .await
        .unwrap();
    assert!(found.iter().any(|c| c.id == a.id), "{found:?}");
    for hostile in [
        "%",
        "_",
        "!",
        "'; DROP TABLE organizations; --",
        "🦀\u{202e}",
    ] {
        let found = s.organization_choices(admin, hostile.into()).await.unwrap();
        assert!(
            found.iter().all(|c| c.name.contains(hostile)),
            "{hostile}: {found:?}"
        );
    }
    assert_eq!(
        s.organization_choices(admin, "x".repeat(201))
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    let theirs = s.organization_choices(&other, String::new()).await.unwrap();
    let theirs = theirs[0].clone();
    let mine = ctx
        .count(&format!(
            "SELECT COUNT(*) FROM organizations WHERE account_id = {}",
            admin.account_id.0
        ))
        .await;
    for c in s
        .organization_choices(admin, theirs.name.clone())
        .await
        .unwrap()
    {
        assert_ne!(c.id, theirs.id, "another account's organization offered");
    }

    // Add user with another account's organization: not found, and no user was added.
    let mut with_theirs = input("Mallory", "mallory@alpha.example", Some(Role::Manager));
    with_theirs.organizations = vec![a.id, theirs.id];
    assert_eq!(
        s.add_user(admin, with_theirs).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    assert!(repo
        .login_row("mallory@alpha.example")
        .await
        .unwrap()
        .is_none());

    // A Manager restricted to two organizations (one given twice).
    let mut manager_input = input("Max", "max@alpha.example", Some(Role::Manager));
    manager_input.organizations = vec![a.id, b.id, a.id];
    let added = s.add_user(admin, manager_input).await.unwrap();
    let listed = s
        .users(admin)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.id == added.user)
        .unwrap();
    assert!(listed.restricted);
    let mut ids: Vec<_> = listed.organizations.iter().map(|o| o.id).collect();
    ids.sort();
    let mut want = vec![a.id, b.id];
    want.sort();
    assert_eq!(ids, want);
    let max = repo
        .login_row("max@alpha.example")
        .await
        .unwrap()
        .unwrap()
        .user;
    assert!(max.restricted);
    let orgs = s
        .items(&max, ItemKind::Organization, "", 1, true)
        .await
        .unwrap();
    assert_eq!(orgs.total, 2, "{:?}", orgs.items);
    let configurations = s
        .items(&max, ItemKind::Configuration, "", 1, true)
        .await
        .unwrap();
    let in_two = ctx
        .count(&format!(
            "SELECT COUNT(*) FROM configurations WHERE organization_id IN ({}, {})",
            a.id.0, b.id.0
        ))
        .await;
    assert_eq!(configurations.total, in_two);
    // An organization's page: hers, with what is inside it; not another's, nor another account's.
    let page = s.organization(&max, a.id.0).await.unwrap();
    assert_eq!(page.name, a.name);
    let configurations = page
        .contents
        .iter()
        .find(|c| c.kind == "Configurations")
        .unwrap();
    assert_eq!(
        configurations.total,
        ctx.count(&format!(
            "SELECT COUNT(*) FROM configurations WHERE account_id = $1 AND organization_id = {}",
            a.id.0
        ))
        .await
    );
    assert!(configurations.items.len() as i64 <= app::model::CONTENTS_SHOWN);
    let elsewhere = first_page[2].id.0;
    assert_eq!(
        s.organization(&max, elsewhere).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    assert!(s.organization(admin, elsewhere).await.is_ok());
    assert_eq!(
        s.organization(admin, theirs.id.0).await.unwrap_err().code,
        ErrorCode::NotFound
    );

    // A restricted Manager manages no users and searches no organizations.
    assert_eq!(
        s.organization_choices(&max, String::new())
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        s.set_user_restrictions(&max, max.user_id, vec![])
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );

    // Edit restrictions with another account's organization: not found, nothing changed.
    assert_eq!(
        s.set_user_restrictions(admin, added.user, vec![a.id, theirs.id])
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    let still = s
        .users(admin)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.id == added.user)
        .unwrap();
    assert_eq!(still.organizations, listed.organizations);
    // Too many is refused before anything is looked up.
    let many = (1..=app::model::MAX_RESTRICTIONS as i64 + 1)
        .map(app::model::OrganizationId)
        .collect();
    assert_eq!(
        s.set_user_restrictions(admin, added.user, many)
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );

    // The one Administrator without restrictions cannot restrict themself.
    let e = s
        .set_user_restrictions(admin, admin.user_id, vec![a.id])
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    assert!(
        e.message.contains("last active Administrator"),
        "{}",
        e.message
    );

    // Lifted: every organization again, at once.
    let lifted = s
        .set_user_restrictions(admin, added.user, vec![])
        .await
        .unwrap();
    assert!(!lifted.restricted && lifted.organizations.is_empty());
    let max = repo
        .login_row("max@alpha.example")
        .await
        .unwrap()
        .unwrap()
        .user;
    let orgs = s
        .items(&max, ItemKind::Organization, "", 1, true)
        .await
        .unwrap();
    assert_eq!(orgs.total, mine);

    let log = s.activity(admin, None).await.unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| e.action == "user.restrictions_changed")
            .count(),
        2
    );
}
on_both!(restrictions);

/// Logs `n` entries for `user` in `account`.
async fn log_entries(repo: &Repo, account: app::model::AccountId, user: UserId, n: i64) {
    for i in 0..n {
        repo.log_activity(server::repo::Activity {
            account,
            user: Some(user),
            actor: "someone",
            action: "row.paused",
            subject: &format!("entry {i}"),
            details: serde_json::json!({}),
            outcome: "succeeded",
        })
        .await
        .unwrap();
    }
}

async fn the_activity_log_pages_back_to_its_first_entry(db: Db) {
    use app::model::ACTIVITY_PAGE;
    db.migrate().await.unwrap();
    let repo = Repo::new(db);
    let s = common::services(&repo, RetryPolicy::default());
    let account = repo.create_account("Alpha IT").await.unwrap();
    let admin = common::user(
        &repo,
        account,
        "admin@alpha.example",
        Role::Administrator,
        false,
    )
    .await;
    let restricted = common::user(&repo, account, "rman@alpha.example", Role::Manager, true).await;
    let other_account = repo.create_account("Beta IT").await.unwrap();
    let stranger = common::user(
        &repo,
        other_account,
        "admin@beta.example",
        Role::Administrator,
        false,
    )
    .await;
    log_entries(&repo, account, admin.user_id, ACTIVITY_PAGE + 30).await;
    log_entries(&repo, other_account, stranger.user_id, 7).await;
    log_entries(&repo, account, restricted.user_id, 3).await;
    log_entries(&repo, account, admin.user_id, ACTIVITY_PAGE).await;

    // Page after page, newest first, each entry once, to the first one, and nothing of Beta's.
    let pages = |user: app::model::CurrentUser| {
        let s = s.clone();
        async move {
            let (mut seen, mut before, mut pages) = (Vec::new(), None, 0);
            loop {
                let page = s.activity(&user, before).await.unwrap();
                assert!(page.len() as i64 <= ACTIVITY_PAGE);
                if page.is_empty() {
                    return (seen, pages);
                }
                pages += 1;
                let ids: Vec<i64> = page.iter().map(|e| e.id).collect();
                assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
                assert!(before.is_none_or(|b| ids[0] < b));
                before = ids.last().copied();
                seen.extend(page);
            }
        }
    };
    let (seen, n) = pages(admin.clone()).await;
    let everything = repo
        .activity_log(admin.account_id, None, None, 10_000)
        .await
        .unwrap();
    assert!(everything.len() as i64 > 2 * ACTIVITY_PAGE);
    assert_eq!(seen.len(), everything.len());
    assert_eq!(n, everything.len().div_ceil(ACTIVITY_PAGE as usize));
    assert!(seen.iter().all(|e| e.actor != "admin@beta.example"));
    // A restricted Manager pages through their own entries only.
    let (own, _) = pages(restricted.clone()).await;
    assert_eq!(own.len(), 3);
    assert!(
        own.iter().all(|e| e.actor == "rman@alpha.example"),
        "{own:?}"
    );

    // Any number is a place in the log: below every entry, nothing; another account's entry
    // id, only this account's entries older than it.
    for nothing in [0, -1, i64::MIN] {
        assert!(s.activity(&admin, Some(nothing)).await.unwrap().is_empty());
    }
    let beta = s.activity(&stranger, None).await.unwrap();
    let theirs = beta[0].id;
    let older = s.activity(&admin, Some(theirs)).await.unwrap();
    assert!(
        !older.is_empty()
            && older
                .iter()
                .all(|e| e.id < theirs && e.actor != "admin@beta.example")
    );
    assert_eq!(
        s.activity(&admin, Some(i64::MAX)).await.unwrap(),
        s.activity(&admin, None).await.unwrap()
    );
}
on_both!(the_activity_log_pages_back_to_its_first_entry);
