//! Account > Users: the account's users, their roles and state, one-time passwords, and the
//! rule that an account always keeps an active Administrator. Every change is in the activity
//! log, written in the same transaction.

use super::{parse_or, Activity, Repo};
use crate::db::BeginWrite;
use crate::on_db;
use app::model::{AccountId, OrganizationChoice, OrganizationId, Role, UserId, UserSummary};
use chrono::{DateTime, Utc};

/// Why a change to a user was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserChange {
    Done,
    /// No such user in this account.
    NotFound,
    /// It would leave the account without an active Administrator (without restrictions).
    LastAdministrator,
    /// A restriction names an organization that is not in the account (or no longer is).
    UnknownOrganization,
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
        let rows: Vec<Row> = on_db!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT id, name, email, role, restricted, deactivated_at IS NULL, \
                must_change_password, last_sign_in_at
             FROM users WHERE account_id = $1 ORDER BY name, id",
            )
            .bind(account.0)
            .fetch_all(pool)
            .await
        })?;
        let access: Vec<(i64, i64, String)> = on_db!(&self.db, |pool| sqlx::query_as(
            "SELECT a.user_id, o.id, o.name FROM user_organization_access a
             JOIN organizations o ON o.id = a.organization_id
             WHERE a.account_id = $1 ORDER BY o.name, o.id"
        )
        .bind(account.0)
        .fetch_all(pool)
        .await)?;
        let mut by_user: std::collections::HashMap<i64, Vec<OrganizationChoice>> =
            std::collections::HashMap::new();
        for (user, id, name) in access {
            by_user.entry(user).or_default().push(OrganizationChoice {
                id: OrganizationId(id),
                name,
            });
        }
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
                        organizations: if restricted {
                            by_user.remove(&id).unwrap_or_default()
                        } else {
                            Vec::new()
                        },
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

    /// Up to `limit` of the account's organizations whose name contains `text` (any case), by
    /// name: what the restrictions picker offers.
    pub async fn organization_choices(
        &self,
        account: AccountId,
        text: &str,
        limit: i64,
    ) -> anyhow::Result<Vec<OrganizationChoice>> {
        // '!' escapes LIKE's wildcards, as the lists' search does.
        let pattern = format!(
            "%{}%",
            text.trim()
                .to_lowercase()
                .replace('!', "!!")
                .replace('%', "!%")
                .replace('_', "!_")
        );
        let rows: Vec<(i64, String)> = on_db!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT id, name FROM organizations WHERE account_id = $1 AND \
                    LOWER(name) \
                LIKE $2 ESCAPE '!'
             ORDER BY name, id LIMIT $3",
            )
            .bind(account.0)
            .bind(pattern)
            .bind(limit)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, name)| OrganizationChoice {
                id: OrganizationId(id),
                name,
            })
            .collect())
    }

    /// How many of `ids` (distinct) are organizations of the account.
    pub async fn organizations_in_account(
        &self,
        account: AccountId,
        ids: &[OrganizationId],
    ) -> anyhow::Result<usize> {
        let list = ids
            .iter()
            .map(|i| i.0.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let n: i64 = on_db!(&self.db, |pool| sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND id IN \
                ({list})"
        ))
        .bind(account.0)
        .fetch_one(pool)
        .await)?;
        Ok(n as usize)
    }

    /// Every account: id, name, and how many users it has (operators' `account list`).
    pub async fn account_list(&self) -> anyhow::Result<Vec<(i64, String, i64)>> {
        Ok(on_db!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT a.id, a.name, (SELECT COUNT(*) FROM users u WHERE u.account_id \
                    = \
                a.id) FROM accounts a ORDER BY a.id",
            )
            .fetch_all(pool)
            .await
        })?)
    }

    /// Marks a successful sign-in.
    pub async fn record_sign_in(&self, user: UserId) -> anyhow::Result<()> {
        on_db!(&self.db, |pool| sqlx::query(
            "UPDATE users SET last_sign_in_at = $1 WHERE id = $2"
        )
        .bind(Utc::now())
        .bind(user.0)
        .execute(pool)
        .await
        .map(|_| ()))?;
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
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            // One change to an account's users at a time: the account's row is written first,
            // which takes SQLite's write lock at once (a read first would let two transactions
            // deadlock on upgrading) and locks the row on PostgreSQL, so two Administrators
            // demoting each other at once cannot both pass the check below.
            sqlx::query("UPDATE accounts SET name = name WHERE id = $1")
                .bind(account.0)
                .execute(&mut *tx)
                .await?;
            let users: Vec<(i64, String, bool, bool)> = sqlx::query_as(
                "SELECT id, role, deactivated_at IS NULL, restricted FROM users WHERE \
                    account_id = $1 ORDER BY id",
            )
            .bind(account.0)
            .fetch_all(&mut *tx)
            .await?;
            let Some((_, role, active, restricted)) =
                users.iter().find(|u| u.0 == target.0).cloned()
            else {
                return Ok(UserChange::NotFound);
            };
            // Who can manage the account's users: an active Administrator without restrictions.
            let manages = |role: &str, active: bool, restricted: bool| {
                role == "administrator" && active && !restricted
            };
            let after = match change {
                UserEdit::Role(r) => manages(r.as_str(), active, restricted),
                UserEdit::Active(a) => manages(&role, *a, restricted),
                UserEdit::Password { .. } => manages(&role, active, restricted),
                UserEdit::Restrictions(ids) => manages(&role, active, ids.is_some()),
            };
            let others = users
                .iter()
                .filter(|(id, r, a, rs)| *id != target.0 && manages(r, *a, *rs))
                .count();
            if manages(&role, active, restricted) && !after && others == 0 {
                return Ok(UserChange::LastAdministrator);
            }
            match change {
                UserEdit::Role(r) => {
                    sqlx::query(
                        "UPDATE users SET role = $1 WHERE id = $2 AND \
                        account_id = $3",
                    )
                    .bind(r.as_str())
                    .bind(target.0)
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await?;
                }
                UserEdit::Active(true) => {
                    sqlx::query(
                        "UPDATE users SET deactivated_at = NULL WHERE id = $1 AND \
                            account_id = $2",
                    )
                    .bind(target.0)
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await?;
                }
                UserEdit::Active(false) => {
                    sqlx::query(
                        "UPDATE users SET deactivated_at = $1 WHERE id = $2 AND \
                            account_id = $3",
                    )
                    .bind(now)
                    .bind(target.0)
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "DELETE FROM sessions WHERE user_id = $1 AND \
                        account_id = $2",
                    )
                    .bind(target.0)
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await?;
                }
                UserEdit::Password { hash, one_time } => {
                    sqlx::query(
                        "UPDATE users SET password_hash = $1, \
                        must_change_password = $2 WHERE id = $3 AND account_id = $4",
                    )
                    .bind(*hash)
                    .bind(*one_time)
                    .bind(target.0)
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "DELETE FROM sessions WHERE user_id = $1 AND \
                        account_id = $2",
                    )
                    .bind(target.0)
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await?;
                }
                UserEdit::Restrictions(ids) => {
                    sqlx::query(
                        "DELETE FROM user_organization_access WHERE user_id = \
                        $1 AND account_id = $2",
                    )
                    .bind(target.0)
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await?;
                    if let Some(ids) = ids {
                        // Numbers only: safe to spell out, and one statement however many.
                        let list = ids
                            .iter()
                            .map(|i| i.0.to_string())
                            .collect::<Vec<_>>()
                            .join(", ");
                        let granted = sqlx::query(&format!(
                            "INSERT INTO user_organization_access (account_id, \
                                user_id, organization_id)
                             SELECT $1, $2, id FROM organizations WHERE account_id = $1 AND id IN \
                             ({list})"
                        ))
                        .bind(account.0)
                        .bind(target.0)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        if granted as usize != ids.len() {
                            return Ok(UserChange::UnknownOrganization);
                        }
                    }
                    sqlx::query(
                        "UPDATE users SET restricted = $1 WHERE id = $2 AND account_id \
                            = $3",
                    )
                    .bind(ids.is_some())
                    .bind(target.0)
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await?;
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
    /// Restricted to these organizations (distinct, not empty), or to none (`None`).
    Restrictions(Option<&'a [OrganizationId]>),
}
