//! Account > Users: the account's users, their roles and state, one-time passwords, and the
//! rule that an account always keeps an active Administrator. Every change is in the activity
//! log, written in the same transaction.

use super::{parse_or, Activity, Repo};
use crate::on_db;
use app::model::{AccountId, Role, UserId, UserSummary};
use chrono::{DateTime, Utc};

/// Why a change to a user was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserChange {
    Done,
    /// No such user in this account.
    NotFound,
    /// It would leave the account without an active Administrator.
    LastAdministrator,
}

type Row = (
    i64,
    String,
    String,
    String,
    bool,
    bool,
    bool,
    Option<DateTime<Utc>>,
);

impl Repo {
    /// The account's users, by name.
    pub async fn users(&self, account: AccountId) -> anyhow::Result<Vec<UserSummary>> {
        let rows: Vec<Row> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, name, email, role, restricted, deactivated_at IS NULL, must_change_password, last_sign_in_at
             FROM users WHERE account_id = $1 ORDER BY name, id")
            .bind(account.0).fetch_all(pool).await)?;
        rows.into_iter()
            .map(
                |(id, name, email, role, restricted, active, must_change_password, last)| {
                    Ok(UserSummary {
                        id: UserId(id),
                        name,
                        email,
                        role: parse_or(&role, Role::parse, "role")?,
                        restricted,
                        active,
                        must_change_password,
                        last_sign_in_at: last,
                    })
                },
            )
            .collect()
    }

    pub async fn user(
        &self,
        account: AccountId,
        id: UserId,
    ) -> anyhow::Result<Option<UserSummary>> {
        Ok(self.users(account).await?.into_iter().find(|u| u.id == id))
    }

    /// Every account: id, name, and how many users it has (operators' `account list`).
    pub async fn account_list(&self) -> anyhow::Result<Vec<(i64, String, i64)>> {
        Ok(on_db!(&self.db, pool => sqlx::query_as(
            "SELECT a.id, a.name, (SELECT COUNT(*) FROM users u WHERE u.account_id = a.id) FROM accounts a ORDER BY a.id")
            .fetch_all(pool).await)?)
    }

    /// Marks a successful sign-in.
    pub async fn record_sign_in(&self, user: UserId) -> anyhow::Result<()> {
        on_db!(&self.db, pool => sqlx::query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2")
            .bind(Utc::now()).bind(user.0).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Changes a user: their role, their state (active or not), or their password (with
    /// whether it is one-time). Refused when it would leave the account without an active
    /// Administrator; a deactivated user's sessions, and those of a user whose password was
    /// reset, end in the same transaction.
    pub async fn change_user(
        &self,
        account: AccountId,
        target: UserId,
        change: &UserEdit<'_>,
        activity: Activity<'_>,
    ) -> anyhow::Result<UserChange> {
        let now = Utc::now();
        on_db!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            // One change to an account's users at a time: the account's row is written first,
            // which takes SQLite's write lock at once (a read first would let two transactions
            // deadlock on upgrading) and locks the row on PostgreSQL, so two Administrators
            // demoting each other at once cannot both pass the check below.
            sqlx::query("UPDATE accounts SET name = name WHERE id = $1")
                .bind(account.0).execute(&mut *tx).await?;
            let users: Vec<(i64, String, bool)> = sqlx::query_as(
                "SELECT id, role, deactivated_at IS NULL FROM users WHERE account_id = $1 ORDER BY id")
                .bind(account.0).fetch_all(&mut *tx).await?;
            let Some((_, role, active)) = users.iter().find(|(id, _, _)| *id == target.0).cloned() else {
                return Ok(UserChange::NotFound);
            };
            let stays_admin = match change {
                UserEdit::Role(r) => *r == Role::Administrator,
                UserEdit::Active(a) => *a && role == "administrator",
                UserEdit::Password { .. } => role == "administrator" && active,
            };
            let other_admins = users
                .iter()
                .filter(|(id, r, a)| *id != target.0 && r == "administrator" && *a)
                .count();
            if role == "administrator" && active && !stays_admin && other_admins == 0 {
                return Ok(UserChange::LastAdministrator);
            }
            match change {
                UserEdit::Role(r) => {
                    sqlx::query("UPDATE users SET role = $1 WHERE id = $2 AND account_id = $3")
                        .bind(r.as_str()).bind(target.0).bind(account.0).execute(&mut *tx).await?;
                }
                UserEdit::Active(true) => {
                    sqlx::query("UPDATE users SET deactivated_at = NULL WHERE id = $1 AND account_id = $2")
                        .bind(target.0).bind(account.0).execute(&mut *tx).await?;
                }
                UserEdit::Active(false) => {
                    sqlx::query("UPDATE users SET deactivated_at = $1 WHERE id = $2 AND account_id = $3")
                        .bind(now).bind(target.0).bind(account.0).execute(&mut *tx).await?;
                    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND account_id = $2")
                        .bind(target.0).bind(account.0).execute(&mut *tx).await?;
                }
                UserEdit::Password { hash, one_time } => {
                    sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3 AND account_id = $4")
                        .bind(*hash).bind(*one_time).bind(target.0).bind(account.0).execute(&mut *tx).await?;
                    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND account_id = $2")
                        .bind(target.0).bind(account.0).execute(&mut *tx).await?;
                }
            }
            insert_activity!(&mut *tx, activity, now).await?;
            tx.commit().await?;
            Ok::<_, anyhow::Error>(UserChange::Done)
        })
    }
}

/// One change to a user.
#[derive(Debug, Clone, Copy)]
pub enum UserEdit<'a> {
    Role(Role),
    Active(bool),
    /// A new password hash; `one_time` when an Administrator set it (the user must replace it).
    Password {
        hash: &'a str,
        one_time: bool,
    },
}
