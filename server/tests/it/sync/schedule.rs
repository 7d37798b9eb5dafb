//! Incremental runs, Pause Sync, the scheduler, and one run per integration across app nodes.

use super::*;

/// Rule 7: incremental runs fetch only what changed; Pause Sync stops the next run (manual or
/// scheduled) from starting; the scheduler runs what is due.
async fn incremental_runs_pause_and_the_scheduler(db: Db) {
    let ctx = setup(db, true).await;
    let (i, company) = company_with(&ctx.d, Fate::Normal);
    ctx.psa(
        reqwest::Method::PATCH,
        &format!("companies/{company}"),
        json!({ "name": "New Name Ltd" }),
    )
    .await;
    let report = ctx.sync(SyncMode::Incremental).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded);
    // Only the changed company was fetched, with its sites (ConnectWise lists sites per company).
    let sites = ctx
        .links()
        .await
        .keys()
        .filter(|(k, _)| *k == ItemKind::Location)
        .count();
    assert!(sites > 100);
    let its_sites = ctx
        .d
        .sites
        .iter()
        .filter(|s| s.company == i && s.fate == Fate::Normal)
        .count() as i64;
    assert_eq!(
        (report.counts.updated, report.counts.created),
        (1, 0),
        "{report:?}"
    );
    assert!(report.counts.unchanged <= its_sites + 1, "{report:?}");
    assert_eq!(
        ctx.links().await[&(ItemKind::Organization, company)].name,
        "New Name Ltd"
    );
    assert_ne!(ctx.d.companies[i].name, "New Name Ltd");
    let runs = ctx
        .repo
        .sync_runs(ctx.account, ctx.integration, 1)
        .await
        .unwrap();
    assert_eq!(runs[0].mode, SyncMode::Incremental);

    assert!(ctx
        .repo
        .set_integration_state(ctx.account, ctx.integration, IntegrationState::Paused)
        .await
        .unwrap());
    let n_runs = ctx
        .count("SELECT COUNT(*) FROM sync_runs WHERE account_id = $1")
        .await;
    assert!(matches!(
        ctx.engine
            .run(
                ctx.account,
                ctx.integration,
                SyncMode::Full,
                SyncTrigger::Manual
            )
            .await,
        Err(SyncError::Paused)
    ));
    assert!(matches!(
        ctx.engine
            .start(
                ctx.account,
                ctx.integration,
                SyncMode::Full,
                SyncTrigger::Manual
            )
            .await,
        Err(SyncError::Paused)
    ));
    // Make the integration overdue: a paused one still does not run.
    on_db!(&ctx.repo.db, |pool| sqlx::query(
        "UPDATE sync_runs SET started_at = $1"
    )
    .bind(chrono::Utc::now() - chrono::Duration::hours(3))
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    let scheduler = Scheduler::new(ctx.engine.clone());
    assert_eq!(scheduler.run_due().await.unwrap(), 0);
    assert_eq!(
        ctx.count("SELECT COUNT(*) FROM sync_runs WHERE account_id = $1")
            .await,
        n_runs
    );

    assert!(ctx
        .repo
        .set_integration_state(ctx.account, ctx.integration, IntegrationState::Active)
        .await
        .unwrap());
    // What every node's scheduler saw before any of them started the due run.
    let seen = ctx
        .repo
        .sync_target(ctx.account, ctx.integration)
        .await
        .unwrap()
        .unwrap()
        .last_started_at
        .unwrap();
    assert_eq!(
        scheduler.run_due().await.unwrap(),
        1,
        "an overdue integration runs"
    );
    // Another node's scheduler that found it due at the same moment, asking once the first
    // run is over: the run is not started again.
    assert!(matches!(
        ctx.engine
            .run_scheduled(ctx.account, ctx.integration, SyncMode::Incremental, seen)
            .await,
        Err(SyncError::AlreadyRan)
    ));
    let runs = ctx
        .repo
        .sync_runs(ctx.account, ctx.integration, 1)
        .await
        .unwrap();
    assert_eq!(
        (runs[0].trigger, runs[0].outcome),
        (SyncTrigger::Schedule, SyncOutcome::Succeeded)
    );
    assert_eq!(
        scheduler.run_due().await.unwrap(),
        0,
        "not due again before its interval"
    );
    // An integration just added, with working credentials, is never started by the scheduler:
    // its first sync is the admin's, after they chose what syncs.
    let added = ctx
        .repo
        .create_integration(NewIntegration {
            account: ctx.account,
            kind: app::model::PsaKind::ConnectwiseManage,
            name: "Just added",
            site_url: "http://127.0.0.1",
        })
        .await
        .unwrap();
    let sealed = ctx
        .repo
        .integration_credentials(ctx.account, ctx.integration)
        .await
        .unwrap()
        .unwrap();
    ctx.repo
        .set_integration_credentials(ctx.account, added, &sealed)
        .await
        .unwrap();
    assert_eq!(scheduler.run_due().await.unwrap(), 0);
    assert!(ctx
        .repo
        .sync_runs(ctx.account, added, 1)
        .await
        .unwrap()
        .is_empty());
}
on_both!(incremental_runs_pause_and_the_scheduler);

/// Each scheduled run is a task of its own (issue 33, item 6): an integration whose PSA accepts
/// the connection and never answers (a hostile or broken site its Manager chose) holds up no
/// other account's due run. The stalled one is the first the scheduler finds.
async fn a_stalled_scheduled_sync_holds_up_no_other_account(db: Db) {
    let ctx = setup(db, false).await;
    ctx.sync(SyncMode::Full).await;
    // A second account, synced once from the same (healthy) simulator.
    let beta = ctx.repo.create_account("Beta IT").await.unwrap();
    let beta_integration = ctx
        .repo
        .create_integration(NewIntegration::connectwise(beta))
        .await
        .unwrap();
    let secrets = SecretBox::new([7; 32]);
    let healthy = cw_credentials(&ctx.sim_url);
    ctx.repo
        .set_integration_credentials(
            beta,
            beta_integration,
            &secrets.seal_json(&healthy).unwrap(),
        )
        .await
        .unwrap();
    ctx.engine
        .run(beta, beta_integration, SyncMode::Full, SyncTrigger::Manual)
        .await
        .unwrap();
    // The first account's PSA now accepts connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let stalled = CwCredentials {
        site_url: silent_url,
        ..healthy
    };
    ctx.repo
        .set_integration_credentials(
            ctx.account,
            ctx.integration,
            &secrets.seal_json(&stalled).unwrap(),
        )
        .await
        .unwrap();
    // Both overdue.
    on_db!(&ctx.repo.db, |pool| sqlx::query(
        "UPDATE sync_runs SET started_at = $1"
    )
    .bind(chrono::Utc::now() - chrono::Duration::hours(3))
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();

    let mut scheduler = Scheduler::new(ctx.engine.clone());
    scheduler.tick = Duration::from_millis(100);
    let running = tokio::spawn(scheduler.run_forever());
    // The stalled run waits at least its time-out (20 s) twice; the other account's run starts
    // and ends long before that.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let runs = ctx.repo.sync_runs(beta, beta_integration, 1).await.unwrap();
        if runs[0].trigger == SyncTrigger::Schedule && runs[0].outcome == SyncOutcome::Succeeded {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the other account's due run did not run while one run stalled: {:?}",
            (runs[0].trigger, runs[0].outcome)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stuck = ctx
        .repo
        .sync_runs(ctx.account, ctx.integration, 1)
        .await
        .unwrap();
    assert_eq!(
        stuck[0].trigger,
        SyncTrigger::Schedule,
        "the stalled run had started first"
    );
    running.abort();
}
on_both!(a_stalled_scheduled_sync_holds_up_no_other_account);

/// One run per integration at a time, across app nodes sharing the database; a second Start
/// Manual Sync joins the running one; a run cut off by a crash does not block the next.
async fn one_run_per_integration_across_nodes(db: Db, second: Db) {
    let ctx = setup(db, true).await;
    // A second app node: its own pool on the same database, its own engine.
    let other = SyncEngine::new(Repo::new(second), Arc::new(SecretBox::new([7; 32])))
        .with_retry(fast_retry());
    ctx.faults(Faults {
        slow_millis: Some(150),
        ..Default::default()
    });
    let started = ctx
        .engine
        .start(
            ctx.account,
            ctx.integration,
            SyncMode::Full,
            SyncTrigger::Manual,
        )
        .await
        .unwrap();
    assert!(started.started);
    let again = other
        .start(
            ctx.account,
            ctx.integration,
            SyncMode::Full,
            SyncTrigger::Manual,
        )
        .await
        .unwrap();
    assert_eq!((again.run_id, again.started), (started.run_id, false));
    let joined = other
        .run(
            ctx.account,
            ctx.integration,
            SyncMode::Full,
            SyncTrigger::Schedule,
        )
        .await
        .unwrap();
    assert_eq!(
        (joined.run_id, joined.outcome),
        (started.run_id, SyncOutcome::Running)
    );
    ctx.faults(Faults::default());
    // Poll until the background run ends.
    let run = loop {
        let run = ctx
            .repo
            .sync_run(ctx.account, ctx.integration, started.run_id)
            .await
            .unwrap()
            .unwrap();
        if run.outcome != SyncOutcome::Running {
            break run;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(run.outcome, SyncOutcome::Succeeded);

    // A node died mid-run: its run stays "running" with an old heartbeat.
    let old = chrono::Utc::now() - chrono::Duration::hours(1);
    on_db!(&ctx.repo.db, |pool| sqlx::query(
        "INSERT INTO sync_runs (account_id, integration_id, mode, trigger_source, outcome, started_at, heartbeat_at) VALUES ($1, $2, 'full', 'schedule', 'running', $3, $3)")
        .bind(ctx.account.0).bind(ctx.integration.0).bind(old).execute(pool).await.map(|_| ())).unwrap();
    let report = other
        .run(
            ctx.account,
            ctx.integration,
            SyncMode::Full,
            SyncTrigger::Manual,
        )
        .await
        .unwrap();
    assert_eq!(report.outcome, SyncOutcome::Succeeded);
    let runs = ctx
        .repo
        .sync_runs(ctx.account, ctx.integration, 3)
        .await
        .unwrap();
    let cut = runs
        .iter()
        .find(|r| r.started_at < old + chrono::Duration::seconds(1))
        .unwrap();
    assert_eq!(cut.outcome, SyncOutcome::Failed);
    assert!(cut.error_message.as_deref().unwrap().contains("cut off"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_run_per_integration_across_nodes_sqlite() {
    let (db, dir) = common::fresh_sqlite().await;
    let url = format!("sqlite://{}", dir.path().join("steward.db").display());
    let second = Db::connect(&url).await.unwrap();
    one_run_per_integration_across_nodes(db, second).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_run_per_integration_across_nodes_postgres() {
    let url = common::fresh_postgres_url().await;
    let db = Db::connect(&url).await.unwrap();
    let second = Db::connect(&url).await.unwrap();
    one_run_per_integration_across_nodes(db, second).await
}
