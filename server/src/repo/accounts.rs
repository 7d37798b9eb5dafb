//! Accounts, users, sessions, organization access and the activity log.

use super::{parse_or, Repo};
use crate::on_db;
use app::model::{AccountId, CurrentUser, OrganizationId, Role, UserId};
use chrono::{DateTime, Utc};

pub struct NewUser<'a> {
    pub account: AccountId,
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub restricted: bool,
}

/// What sign-in needs to check a password.
#[derive(Debug, Clone)]
pub struct LoginRow {
    pub user: CurrentUser,
    pub password_hash: String,
    /// Deactivated by an Administrator: may not sign in.
    pub deactivated: bool,
    /// Holds a one-time password: must choose a new one to sign in.
    pub must_change_password: bool,
}

type UserTuple = (i64, i64, String, String, String, String, bool);
type LoginTuple = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    bool,
    String,
    bool,
    bool,
);

/// One entry of the activity log.
pub struct Activity<'a> {
    pub account: AccountId,
    pub user: Option<UserId>,
    /// Who did it: a user's email, or "operator", "steward serve"...
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    pub details: serde_json::Value,
    pub outcome: &'a str,
}

fn to_user(t: UserTuple) -> anyhow::Result<CurrentUser> {
    let (user_id, account_id, account_name, email, name, role, restricted) = t;
    Ok(CurrentUser {
        user_id: UserId(user_id),
        account_id: AccountId(account_id),
        account_name,
        email,
        name,
        role: parse_or(&role, Role::parse, "role")?,
        restricted,
    })
}

const USER_COLUMNS: &str = "u.id, u.account_id, a.name, u.email, u.name, u.role, \
    u.restricted";
const USER_FROM: &str = "FROM users u JOIN accounts a ON a.id = u.account_id";

impl Repo {
    pub async fn create_account(&self, name: &str) -> anyhow::Result<AccountId> {
        let now = Utc::now();
        let id: i64 = on_db!(&self.db, |pool| sqlx::query_scalar(
            "INSERT INTO accounts (name, created_at) VALUES ($1, $2) RETURNING id"
        )
        .bind(name)
        .bind(now)
        .fetch_one(pool)
        .await)?;
        Ok(AccountId(id))
    }

    pub async fn account_ids(&self) -> anyhow::Result<Vec<AccountId>> {
        let ids: Vec<i64> = on_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT id FROM accounts ORDER BY id"
        )
        .fetch_all(pool)
        .await)?;
        Ok(ids.into_iter().map(AccountId).collect())
    }

    pub async fn create_user(&self, u: NewUser<'_>) -> anyhow::Result<UserId> {
        let now = Utc::now();
        let id: i64 = on_db!(&self.db, |pool| {
            sqlx::query_scalar(
                "INSERT INTO users (account_id, email, name, password_hash, role, \
                restricted, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(u.account.0)
            .bind(u.email.to_lowercase())
            .bind(u.name)
            .bind(u.password_hash)
            .bind(u.role.as_str())
            .bind(u.restricted)
            .bind(now)
            .fetch_one(pool)
            .await
        })?;
        Ok(UserId(id))
    }

    pub async fn grant_organization_access(
        &self,
        account: AccountId,
        user: UserId,
        organization: OrganizationId,
    ) -> anyhow::Result<()> {
        on_db!(&self.db, |pool| sqlx::query(
            "INSERT INTO user_organization_access (account_id, user_id, organization_id)
             SELECT $1, $2, id FROM organizations WHERE id = $3 AND account_id = $1
             ON CONFLICT DO NOTHING"
        )
        .bind(account.0)
        .bind(user.0)
        .bind(organization.0)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    pub async fn login_row(&self, email: &str) -> anyhow::Result<Option<LoginRow>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.password_hash, u.deactivated_at IS NOT NULL, \
                u.must_change_password
             {USER_FROM} WHERE u.email = $1"
        );
        let row: Option<LoginTuple> = on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(email.trim().to_lowercase())
            .fetch_optional(pool)
            .await)?;
        row.map(
            |(a, b, c, d, e, f, g, hash, deactivated, must_change_password)| {
                Ok(LoginRow {
                    user: to_user((a, b, c, d, e, f, g))?,
                    password_hash: hash,
                    deactivated,
                    must_change_password,
                })
            },
        )
        .transpose()
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user: &CurrentUser,
        expires_at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let now = Utc::now();
        on_db!(&self.db, |pool| {
            sqlx::query(
                "INSERT INTO sessions (token_hash, account_id, user_id, created_at, \
                expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token_hash)
            .bind(user.account_id.0)
            .bind(user.user_id.0)
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// The user of a live session; expired sessions resolve to nobody.
    pub async fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<CurrentUser>> {
        Ok(self
            .session_user_until(token_hash, now)
            .await?
            .map(|(user, _)| user))
    }

    /// The user of a live session and when the session ends.
    pub async fn session_user_until(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<(CurrentUser, DateTime<Utc>)>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.expires_at {USER_FROM} JOIN sessions s ON \
                s.user_id = u.id AND s.account_id = u.account_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.deactivated_at IS NULL"
        );
        type Row = (
            i64,
            i64,
            String,
            String,
            String,
            String,
            bool,
            DateTime<Utc>,
        );
        let row: Option<Row> = on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await)?;
        row.map(
            |(id, account, account_name, email, name, role, restricted, until)| {
                to_user((id, account, account_name, email, name, role, restricted))
                    .map(|u| (u, until))
            },
        )
        .transpose()
    }

    /// Moves a live session's expiry to `expires_at` (sessions end after 12 hours idle); only
    /// when it moves by more than `min_step`, so that a busy page does not write every request.
    pub async fn touch_session(
        &self,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        min_step: chrono::Duration,
    ) -> anyhow::Result<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "UPDATE sessions SET expires_at = $1 WHERE token_hash = $2 AND \
                    expires_at \
                > $3 AND expires_at < $4",
            )
            .bind(expires_at)
            .bind(token_hash)
            .bind(Utc::now())
            .bind(expires_at - min_step)
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// Deletes every expired session; how many went.
    pub async fn purge_sessions(&self, now: DateTime<Utc>) -> anyhow::Result<u64> {
        Ok(on_db!(&self.db, |pool| sqlx::query(
            "DELETE FROM sessions WHERE expires_at <= $1"
        )
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?)
    }

    pub async fn delete_session(&self, token_hash: &str) -> anyhow::Result<()> {
        on_db!(&self.db, |pool| sqlx::query(
            "DELETE FROM sessions WHERE token_hash = $1"
        )
        .bind(token_hash)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Appends to the account's activity log.
    pub async fn log_activity(&self, a: Activity<'_>) -> anyhow::Result<()> {
        let now = Utc::now();
        on_db!(&self.db, |pool| insert_activity!(pool, a, now)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// The account's activity log, newest first: (id, when, who (the user's email when a user
    /// did it), action, subject, outcome, details as JSON).
    /// The newest entries, or with `before` the newest of those older than that entry (its id);
    /// with `only_by`, only that user's own (a user restricted to some organizations does not
    /// see what others did across the account).
    pub async fn activity_log(
        &self,
        account: AccountId,
        only_by: Option<app::model::UserId>,
        before: Option<i64>,
        limit: i64,
    ) -> anyhow::Result<Vec<ActivityRow>> {
        let by: Option<i64> = only_by.map(|u| u.0);
        Ok(on_db!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT a.id, a.created_at, COALESCE(u.email, a.actor), a.action, \
                a.subject, a.outcome, a.details
             FROM activity_log a LEFT JOIN users u ON u.id = a.user_id
             WHERE a.account_id = $1 AND ($3 IS NULL OR a.user_id = $3) AND ($4 IS NULL OR a.id < \
             $4)
             ORDER BY a.id DESC LIMIT $2",
            )
            .bind(account.0)
            .bind(limit)
            .bind(by)
            .bind(before)
            .fetch_all(pool)
            .await
        })?)
    }
}

/// (id, when, actor, action, subject, outcome, details JSON).
pub type ActivityRow = (
    i64,
    chrono::DateTime<Utc>,
    String,
    String,
    String,
    String,
    String,
);
