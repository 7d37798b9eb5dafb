//! First start on an empty database: the demo account, its Administrator, a ConnectWise Manage
//! integration, and the demo dataset (size S) loaded as if synced.

use crate::auth;
use crate::dataset::{loader, Dataset, Expected, Size};
use crate::repo::{Activity, NewIntegration, NewUser, Repo};
use anyhow::Context;
use app::model::{AccountId, IntegrationId, Role};
use std::path::Path;

/// The seed of the demo dataset: the demo is the same on every machine.
pub const DEMO_SEED: u64 = 1;

/// The file in the data directory that names the demo integration (it syncs from the built-in
/// simulator, whose address changes from start to start).
pub const DEMO_PSA_FILE: &str = "demo-psa.json";

/// The integration the demo's simulator serves.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct DemoPsa {
    pub account: AccountId,
    pub integration: IntegrationId,
}

/// What the first start created, for the log.
pub struct Bootstrapped {
    pub account: AccountId,
    pub integration: IntegrationId,
    pub admin_email: String,
    /// Set when Steward generated the password (it is printed once).
    pub generated_password: Option<String>,
}

/// Creates the demo account when the database has no account yet; does nothing otherwise.
pub async fn ensure_demo_account(
    repo: &Repo,
    admin_email: &str,
    admin_password: Option<&str>,
    demo_data: bool,
    data_dir: &Path,
) -> anyhow::Result<Option<Bootstrapped>> {
    if !repo.account_ids().await?.is_empty() {
        return Ok(None);
    }
    let generated = admin_password.is_none().then(auth::generate_password);
    let password = admin_password
        .map(str::to_string)
        .or_else(|| generated.clone())
        .unwrap_or_default();
    if password.len() < 8 {
        anyhow::bail!("STEWARD_ADMIN_PASSWORD must have at least 8 characters");
    }
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password)).await??;
    let account = repo.create_account("Demo MSP").await?;
    let admin = repo
        .create_user(NewUser {
            account,
            email: admin_email,
            name: "Administrator",
            password_hash: &hash,
            role: Role::Administrator,
            restricted: false,
        })
        .await
        .context("could not create the Administrator (is STEWARD_ADMIN_EMAIL valid?)")?;
    let integration = repo
        .create_integration(NewIntegration::connectwise(account))
        .await?;
    repo.log_activity(Activity {
        account,
        user: Some(admin),
        actor: "steward serve",
        action: "account.created",
        subject: "Demo MSP",
        details: serde_json::json!({}),
        outcome: "succeeded",
    })
    .await?;
    if demo_data {
        let dataset = Dataset::generate(Size::S, DEMO_SEED);
        let report = loader::load(&repo.db, account, integration, &dataset).await?;
        let expected = Expected::of(&dataset, &dataset.plan());
        std::fs::write(
            data_dir.join("demo-dataset.json"),
            serde_json::to_vec_pretty(&expected)?,
        )
        .context("could not write demo-dataset.json into the data directory")?;
        tracing::info!(
            items = report.items,
            elapsed_ms = report.elapsed.as_millis() as u64,
            "demo dataset loaded"
        );
        std::fs::write(
            data_dir.join(DEMO_PSA_FILE),
            serde_json::to_vec_pretty(&DemoPsa {
                account,
                integration,
            })?,
        )
        .context("could not write demo-psa.json into the data directory")?;
    }
    Ok(Some(Bootstrapped {
        account,
        integration,
        admin_email: admin_email.to_string(),
        generated_password: generated,
    }))
}
