//! The operator's commands on a database: `steward account ...` and `steward user ...`.

use crate::cli::{AccountCommand, UserCommand};
use server::db::Db;
use server::repo::Repo;

/// Says on stderr how much memory this process held at most (Linux's VmHWM, which `exec`
/// starts afresh): an export or import of a large account shows what it needed.
fn report_peak_memory() {
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse::<u64>().ok())
        });
    if let Some(kib) = peak {
        eprintln!("peak memory: {kib} KiB");
    }
}

pub async fn user_command(database_url: &str, command: UserCommand) -> anyhow::Result<()> {
    use server::operator;
    let db = Db::connect(database_url).await?;
    db.migrate().await?;
    let repo = Repo::new(db);
    match command {
        UserCommand::Add {
            account,
            email,
            name,
            role,
        } => {
            let id = repo.find_account(&account).await?.ok_or_else(|| {
                anyhow::anyhow!(
                    "there is no account {account:?}: give its id or exact \
                    name"
                )
            })?;
            let password = operator::add_user(&repo, id, &email, &name, &role).await?;
            println!(
                "{} added; their one-time password (they choose their own at first \
                    sign-in):",
                email.trim().to_lowercase()
            );
            println!("{password}");
        }
        UserCommand::SetRole { email, role } => {
            operator::set_role(&repo, &email, &role).await?;
            println!("{email} is now {role}");
        }
        UserCommand::Deactivate { email } => {
            operator::set_active(&repo, &email, false).await?;
            println!("{email} is deactivated; their sessions ended");
        }
        UserCommand::Reactivate { email } => {
            operator::set_active(&repo, &email, true).await?;
            println!("{email} is active again");
        }
        UserCommand::ResetPassword { email } => {
            let password = operator::reset_password(&repo, &email).await?;
            println!("{email} has a new one-time password; their sessions ended:");
            println!("{password}");
        }
    }
    Ok(())
}

pub async fn account_command(database_url: &str, command: AccountCommand) -> anyhow::Result<()> {
    use app::model::Feature;
    let db = Db::connect(database_url).await?;
    db.migrate().await?;
    let repo = Repo::new(db);
    let find = |name: String| {
        let repo = repo.clone();
        async move {
            repo.find_account(&name).await?.ok_or_else(|| {
                anyhow::anyhow!(
                    "there is no account {name:?}: give its id or exact \
                    name"
                )
            })
        }
    };
    let feature = |name: &str| {
        Feature::parse(name).ok_or_else(|| {
            anyhow::anyhow!(
                "there is no feature {name:?}: use one of {}",
                Feature::ALL.map(|f| f.as_str()).join(", ")
            )
        })
    };
    match command {
        AccountCommand::Create {
            name,
            admin_email,
            admin_name,
        } => {
            let (id, password) =
                server::operator::create_account(&repo, &name, &admin_email, &admin_name).await?;
            println!(
                "account {id} {:?} created; its Administrator {} signs in with this \
                    one-time password (and chooses their own):",
                name.trim(),
                admin_email.trim().to_lowercase()
            );
            println!("{password}");
        }
        AccountCommand::Export {
            account,
            out,
            passphrase,
            data_dir,
            secret_key,
        } => {
            if passphrase.chars().count() < server::export::MIN_PASSPHRASE {
                anyhow::bail!(
                    "choose a passphrase of at least {} characters",
                    server::export::MIN_PASSPHRASE
                );
            }
            let id = find(account).await?;
            std::fs::create_dir_all(&data_dir)?;
            let secrets =
                server::secrets::SecretBox::load_or_create(&data_dir, secret_key.as_deref())?;
            let salt: [u8; 16] = rand::random();
            let key = server::export::derive_key(&passphrase, &salt)?;
            let args = server::export::write::ExportArgs {
                salt: server::export::b64(&salt),
                key_sealed: server::export::b64(&secrets.seal(&key)),
            };
            let started = std::time::Instant::now();
            let Some((mut file, bytes, records)) =
                server::export::write::write_zip(&repo, &secrets, id, &args, None).await?
            else {
                anyhow::bail!("the export was interrupted");
            };
            let mut to = std::fs::File::create(&out)
                .map_err(|e| anyhow::anyhow!("could not create {}: {e}", out.display()))?;
            std::io::copy(&mut file, &mut to)?;
            println!(
                "account {id} exported to {}: {records} records, {bytes} bytes in \
                    {:.1?}",
                out.display(),
                started.elapsed()
            );
            report_peak_memory();
        }
        AccountCommand::Import {
            file,
            passphrase,
            name,
            data_dir,
            secret_key,
        } => {
            std::fs::create_dir_all(&data_dir)?;
            let secrets =
                server::secrets::SecretBox::load_or_create(&data_dir, secret_key.as_deref())?;
            let imported = server::export::import::import(
                &repo.db,
                &file,
                &passphrase,
                &secrets,
                name.as_deref(),
            )
            .await?;
            let records: i64 = imported.counts.values().sum();
            println!(
                "account {} {:?} imported: {records} records; integrations need their \
                    PSA keys entered again (Edit Credentials)",
                imported.account, imported.name
            );
            for (email, password) in imported.users {
                println!("{email}\t{password}");
            }
            report_peak_memory();
        }
        AccountCommand::List => {
            for (id, name, users) in repo.account_list().await? {
                println!("{id}\t{name}\t{users} users");
            }
        }
        AccountCommand::EnableFeature {
            account,
            feature: f,
        } => {
            let f = feature(&f)?;
            let id = find(account).await?;
            let changed = repo.set_feature(id, f, true, "operator").await?;
            println!(
                "{} is {}on for account {id}",
                f.as_str(),
                if changed { "now " } else { "already " }
            );
        }
        AccountCommand::DisableFeature {
            account,
            feature: f,
        } => {
            let f = feature(&f)?;
            let id = find(account).await?;
            let changed = repo.set_feature(id, f, false, "operator").await?;
            println!(
                "{} is {}off for account {id}",
                f.as_str(),
                if changed { "now " } else { "already " }
            );
        }
        AccountCommand::Features { account } => {
            let id = find(account).await?;
            for f in repo.features(id).await? {
                println!("{}", f.as_str());
            }
        }
    }
    Ok(())
}
