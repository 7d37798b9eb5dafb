//! What support runs from the command line (`steward account ...`, `steward user ...`): the
//! same rules as the screens (a plausible email, one account per email, an account always keeps
//! an active Administrator, one-time passwords replaced at the next sign-in), each change in the
//! account's activity log with "operator" as its actor.

use crate::auth;
use crate::repo::{Activity, NewUser, Repo, UserChange, UserEdit};
use app::model::{plausible_email, AccountId, Role, UserId};

fn role(name: &str) -> anyhow::Result<Role> {
    let wanted = name.trim().to_lowercase().replace(['-', ' '], "_");
    Role::ALL
        .into_iter()
        .find(|r| r.as_str() == wanted)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "there is no role {name:?}: use one of {}",
                Role::ALL.map(|r| r.as_str()).join(", ")
            )
        })
}

/// A user by email: their account and id.
async fn find(repo: &Repo, email: &str) -> anyhow::Result<(AccountId, UserId)> {
    let row = repo
        .login_row(email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("there is no user {email:?}"))?;
    Ok((row.user.account_id, row.user.user_id))
}

async fn change(repo: &Repo, email: &str, edit: UserEdit<'_>, action: &str) -> anyhow::Result<()> {
    let (account, user) = find(repo, email).await?;
    let activity = Activity {
        account,
        user: None,
        actor: "operator",
        action,
        subject: email,
        details: serde_json::json!({}),
        outcome: "succeeded",
    };
    match repo.change_user(account, user, &edit, activity).await? {
        UserChange::Done => Ok(()),
        UserChange::NotFound => anyhow::bail!("there is no user {email:?}"),
        UserChange::LastAdministrator => anyhow::bail!(
            "{email} is the account's last active Administrator without restrictions: \
                make another user an Administrator first"
        ),
        UserChange::UnknownOrganization => {
            anyhow::bail!("an organization given is not in the account")
        }
    }
}

/// Adds a user with a one-time password (returned): they choose their own at first sign-in.
pub async fn add_user(
    repo: &Repo,
    account: AccountId,
    email: &str,
    name: &str,
    role_name: &str,
) -> anyhow::Result<String> {
    let email = email.trim().to_lowercase();
    let name = name.trim();
    anyhow::ensure!(plausible_email(&email), "{email:?} is not an email address");
    anyhow::ensure!(
        !name.is_empty() && name.chars().count() <= 100 && !name.chars().any(char::is_control),
        "give the user a name of 1 to 100 characters on one line"
    );
    let role = role(role_name)?;
    anyhow::ensure!(
        repo.login_row(&email).await?.is_none(),
        "{email} is already a user of an account: each email signs in to one account"
    );
    let password = auth::generate_password();
    let hash = auth::hash_password(&password)?;
    repo.create_user(NewUser {
        account,
        email: &email,
        name,
        password_hash: &hash,
        role,
        restricted: false,
    })
    .await?;
    change(
        repo,
        &email,
        UserEdit::Password {
            hash: &hash,
            one_time: true,
        },
        "user.added",
    )
    .await?;
    Ok(password)
}

/// Creates an account and its first Administrator; the one-time password.
pub async fn create_account(
    repo: &Repo,
    name: &str,
    admin_email: &str,
    admin_name: &str,
) -> anyhow::Result<(AccountId, String)> {
    let name = name.trim();
    anyhow::ensure!(
        !name.is_empty() && name.chars().count() <= 100 && !name.chars().any(char::is_control),
        "give the account a name of 1 to 100 characters on one line"
    );
    let email = admin_email.trim().to_lowercase();
    anyhow::ensure!(plausible_email(&email), "{email:?} is not an email address");
    anyhow::ensure!(
        repo.find_account(name).await?.is_none(),
        "an account named {name:?} exists already"
    );
    anyhow::ensure!(
        repo.login_row(&email).await?.is_none(),
        "{email} is already a user of an account: each email signs in to one account"
    );
    let id = repo.create_account(name).await?;
    let password = add_user(repo, id, &email, admin_name, "administrator").await?;
    Ok((id, password))
}

pub async fn set_role(repo: &Repo, email: &str, role_name: &str) -> anyhow::Result<()> {
    let role = role(role_name)?;
    change(repo, email, UserEdit::Role(role), "user.role_changed").await
}

pub async fn set_active(repo: &Repo, email: &str, active: bool) -> anyhow::Result<()> {
    let action = if active {
        "user.reactivated"
    } else {
        "user.deactivated"
    };
    change(repo, email, UserEdit::Active(active), action).await
}

/// A new one-time password (returned); the user's sessions end.
pub async fn reset_password(repo: &Repo, email: &str) -> anyhow::Result<String> {
    let password = auth::generate_password();
    let hash = auth::hash_password(&password)?;
    change(
        repo,
        email,
        UserEdit::Password {
            hash: &hash,
            one_time: true,
        },
        "user.password_reset",
    )
    .await?;
    Ok(password)
}
