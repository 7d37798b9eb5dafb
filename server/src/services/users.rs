//! Account > Users and passwords: the account's users (Administrators manage them), one-time
//! passwords shown once, roles, deactivation, resets, changing one's own password, and sign-in's
//! password check. An account always keeps an active Administrator.

use super::{internal, AppServices};
use crate::auth;
use crate::repo::{Activity, LoginRow, NewUser, UserChange, UserEdit};
use app::error::{AppError, ErrorCode};
use app::model::{
    password_problem, plausible_email, CurrentUser, NewUserInput, OneTimePassword,
    OrganizationChoice, OrganizationId, Role, UserId, UserSummary, MAX_RESTRICTIONS,
};
use app::services::{SignedIn, SESSION_TTL_SECONDS};
use chrono::{Duration, Utc};

fn deactivated() -> AppError {
    AppError::new(
        ErrorCode::Forbidden,
        "This user is deactivated: ask an Administrator of your account to reactivate \
            you",
    )
}

impl AppServices {
    /// Checks an email and password, throttled per email and client address, with at most a
    /// few Argon2 hashes at once. The user's row when they match.
    pub(super) async fn check_password(
        &self,
        email: &str,
        password: &str,
        client: Option<std::net::IpAddr>,
    ) -> Result<LoginRow, AppError> {
        if email.is_empty() || password.is_empty() {
            return Err(AppError::invalid_input(
                "Enter your email and your password",
            ));
        }
        if email.len() > 320 || password.len() > 1024 {
            return Err(AppError::invalid_credentials());
        }
        // Counted as a failure until the password proves right.
        self.throttle.attempt(email, client)?;
        let row = self
            .repo
            .login_row(email)
            .await
            .map_err(internal("loading a user to sign in"))?;
        let password = password.to_string();
        let turn = self.throttle.hash_turn().await?;
        let (row, ok) = tokio::task::spawn_blocking(move || {
            let hash = row
                .as_ref()
                .map(|r| r.password_hash.as_str())
                .unwrap_or(auth::decoy_hash());
            let ok = auth::verify_password(&password, hash);
            (row, ok)
        })
        .await
        .map_err(|e| AppError::internal_from("checking a password", &e))?;
        drop(turn);
        let Some(row) = row.filter(|_| ok) else {
            return Err(AppError::invalid_credentials());
        };
        self.throttle.succeeded(email, client);
        Ok(row)
    }

    /// A deactivated user may not sign in; one holding a one-time password chooses a new one.
    pub(super) fn refuse_inactive_or_one_time(&self, row: &LoginRow) -> Result<(), AppError> {
        if row.deactivated {
            return Err(deactivated());
        }
        if row.must_change_password {
            return Err(AppError::new(
                ErrorCode::PasswordChangeRequired,
                "Choose a new password to sign in: the one you entered is a one-time \
                    password",
            ));
        }
        Ok(())
    }

    pub(super) async fn open_session(&self, user: CurrentUser) -> Result<SignedIn, AppError> {
        let token = auth::new_token();
        let expires = Utc::now() + Duration::seconds(SESSION_TTL_SECONDS);
        self.repo
            .create_session(&auth::token_hash(&token), &user, expires)
            .await
            .map_err(internal("creating a session"))?;
        self.repo
            .record_sign_in(user.user_id)
            .await
            .map_err(internal("recording a sign-in"))?;
        Ok(SignedIn {
            token,
            user,
            secure_cookie: self.secure_cookies,
        })
    }

    /// A password hashed off the request's thread, within the hash bound.
    async fn hash(&self, password: String) -> Result<String, AppError> {
        let turn = self.throttle.hash_turn().await?;
        let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
            .await
            .map_err(|e| AppError::internal_from("hashing a password", &e))?
            .map_err(internal("hashing a password"))?;
        drop(turn);
        Ok(hash)
    }

    pub(super) async fn sign_in_choosing_password(
        &self,
        email: &str,
        one_time: &str,
        new_password: &str,
        client: Option<std::net::IpAddr>,
    ) -> Result<SignedIn, AppError> {
        let row = self.check_password(email, one_time, client).await?;
        if row.deactivated {
            return Err(deactivated());
        }
        if let Some(problem) = password_problem(new_password, &row.user.email) {
            return Err(AppError::invalid_input(problem));
        }
        if new_password == one_time {
            return Err(AppError::invalid_input(
                "Choose a password other than the one-time password",
            ));
        }
        let hash = self.hash(new_password.to_string()).await?;
        self.change(
            &row.user,
            row.user.user_id,
            UserEdit::Password {
                hash: &hash,
                one_time: false,
            },
            "user.password_changed",
            serde_json::json!({}),
        )
        .await?;
        self.open_session(row.user).await
    }

    pub(super) async fn change_own_password(
        &self,
        user: &CurrentUser,
        current: &str,
        new_password: &str,
    ) -> Result<(), AppError> {
        let row = self
            .check_password(&user.email, current, None)
            .await
            .map_err(|e| {
                if e.code == ErrorCode::InvalidCredentials {
                    AppError::invalid_input("Your current password is not right: enter it again")
                } else {
                    e
                }
            })?;
        if let Some(problem) = password_problem(new_password, &row.user.email) {
            return Err(AppError::invalid_input(problem));
        }
        let hash = self.hash(new_password.to_string()).await?;
        self.change(
            user,
            user.user_id,
            UserEdit::Password {
                hash: &hash,
                one_time: false,
            },
            "user.password_changed",
            serde_json::json!({}),
        )
        .await
        .map(|_| ())
    }

    fn administrators_only(user: &CurrentUser) -> Result<(), AppError> {
        if user.role == Role::Administrator && !user.restricted {
            Ok(())
        } else {
            Err(AppError::forbidden("manage the account's users"))
        }
    }

    pub(super) async fn list_users(
        &self,
        user: &CurrentUser,
    ) -> Result<Vec<UserSummary>, AppError> {
        Self::administrators_only(user)?;
        self.repo
            .users(user.account_id)
            .await
            .map_err(internal("listing users"))
    }

    /// One change to a user of the account, logged; the user as it is after.
    async fn change(
        &self,
        by: &CurrentUser,
        target: UserId,
        edit: UserEdit<'_>,
        action: &str,
        details: serde_json::Value,
    ) -> Result<UserSummary, AppError> {
        let subject = self
            .repo
            .user(by.account_id, target)
            .await
            .map_err(internal("loading a user"))?
            .ok_or_else(|| AppError::not_found("That user"))?;
        let activity = Activity {
            account: by.account_id,
            user: Some(by.user_id),
            actor: &by.email,
            action,
            subject: &subject.email,
            details,
            outcome: "succeeded",
        };
        match self
            .repo
            .change_user(by.account_id, target, &edit, activity)
            .await
            .map_err(internal("changing a user"))?
        {
            UserChange::Done => {}
            UserChange::NotFound => return Err(AppError::not_found("That user")),
            UserChange::LastAdministrator => {
                return Err(AppError::conflict(
                    "This is the account's last active Administrator without \
                        restrictions: make another user an Administrator of every organization \
                        first",
                ))
            }
            UserChange::UnknownOrganization => {
                return Err(AppError::not_found("One of the chosen organizations"))
            }
        }
        self.repo
            .user(by.account_id, target)
            .await
            .map_err(internal("loading a user"))?
            .ok_or_else(|| AppError::not_found("That user"))
    }

    pub(super) async fn add_new_user(
        &self,
        by: &CurrentUser,
        input: NewUserInput,
    ) -> Result<OneTimePassword, AppError> {
        Self::administrators_only(by)?;
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(AppError::invalid_input(
                "Enter the user's name (1 to 100 characters, on one line)",
            ));
        }
        let email = input.email.trim().to_lowercase();
        if !plausible_email(&email) {
            return Err(AppError::invalid_input(
                "Enter the user's email address, like name@example.com",
            ));
        }
        let Some(role) = input.role else {
            return Err(AppError::invalid_input("Choose the user's role"));
        };
        if self
            .repo
            .login_row(&email)
            .await
            .map_err(internal("looking up an email"))?
            .is_some()
        {
            return Err(AppError::conflict(format!(
                "{email} is already a user (here or in another account): each email \
                    signs in to one account"
            )));
        }
        let organizations = Self::restrictions(&input.organizations)?;
        if let Some(ids) = &organizations {
            self.known_organizations(by, ids).await?;
        }
        let password = auth::generate_password();
        let hash = self.hash(password.clone()).await?;
        let id = self
            .repo
            .create_user(NewUser {
                account: by.account_id,
                email: &email,
                name,
                password_hash: &hash,
                role,
                // Restricted from the start: should the organizations vanish before they are
                // granted below, the user sees nothing rather than everything.
                restricted: organizations.is_some(),
            })
            .await
            .map_err(internal("adding a user"))?;
        // Marks the password one-time, and logs who added whom.
        self.change(
            by,
            id,
            UserEdit::Password {
                hash: &hash,
                one_time: true,
            },
            "user.added",
            serde_json::json!({ "role": role.label() }),
        )
        .await?;
        if let Some(ids) = &organizations {
            self.change(
                by,
                id,
                UserEdit::Restrictions(Some(ids)),
                "user.restrictions_changed",
                serde_json::json!({ "organizations": ids.len() }),
            )
            .await?;
        }
        Ok(OneTimePassword {
            user: id,
            email,
            password,
        })
    }

    pub(super) async fn set_role(
        &self,
        by: &CurrentUser,
        target: UserId,
        role: Role,
    ) -> Result<UserSummary, AppError> {
        Self::administrators_only(by)?;
        self.change(
            by,
            target,
            UserEdit::Role(role),
            "user.role_changed",
            serde_json::json!({ "role": role.label() }),
        )
        .await
    }

    pub(super) async fn set_active(
        &self,
        by: &CurrentUser,
        target: UserId,
        active: bool,
    ) -> Result<UserSummary, AppError> {
        Self::administrators_only(by)?;
        let action = if active {
            "user.reactivated"
        } else {
            "user.deactivated"
        };
        self.change(
            by,
            target,
            UserEdit::Active(active),
            action,
            serde_json::json!({}),
        )
        .await
    }

    pub(super) async fn reset_password(
        &self,
        by: &CurrentUser,
        target: UserId,
    ) -> Result<OneTimePassword, AppError> {
        Self::administrators_only(by)?;
        let password = auth::generate_password();
        let hash = self.hash(password.clone()).await?;
        let user = self
            .change(
                by,
                target,
                UserEdit::Password {
                    hash: &hash,
                    one_time: true,
                },
                "user.password_reset",
                serde_json::json!({}),
            )
            .await?;
        Ok(OneTimePassword {
            user: target,
            email: user.email,
            password,
        })
    }

    /// The restrictions asked for: distinct organizations, or `None` for every organization.
    fn restrictions(ids: &[OrganizationId]) -> Result<Option<Vec<OrganizationId>>, AppError> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() > MAX_RESTRICTIONS {
            return Err(AppError::invalid_input(format!(
                "Restrict a user to at most {MAX_RESTRICTIONS} organizations, or to \
                    none (every organization)"
            )));
        }
        Ok((!ids.is_empty()).then_some(ids))
    }

    /// Every one of `ids` is an organization of the account, or a 404.
    async fn known_organizations(
        &self,
        by: &CurrentUser,
        ids: &[OrganizationId],
    ) -> Result<(), AppError> {
        let found = self
            .repo
            .organizations_in_account(by.account_id, ids)
            .await
            .map_err(internal("looking up organizations"))?;
        if found != ids.len() {
            return Err(AppError::not_found("One of the chosen organizations"));
        }
        Ok(())
    }

    pub(super) async fn set_restrictions(
        &self,
        by: &CurrentUser,
        target: UserId,
        organizations: &[OrganizationId],
    ) -> Result<UserSummary, AppError> {
        Self::administrators_only(by)?;
        let ids = Self::restrictions(organizations)?;
        self.change(
            by,
            target,
            UserEdit::Restrictions(ids.as_deref()),
            "user.restrictions_changed",
            serde_json::json!({ "organizations": ids.as_ref().map_or(0, Vec::len) }),
        )
        .await
    }

    pub(super) async fn choose_organizations(
        &self,
        by: &CurrentUser,
        search: &str,
    ) -> Result<Vec<OrganizationChoice>, AppError> {
        Self::administrators_only(by)?;
        if search.chars().count() > 200 {
            return Err(AppError::invalid_input(
                "Search with at most 200 characters",
            ));
        }
        self.repo
            .organization_choices(by.account_id, search, 20)
            .await
            .map_err(internal("searching organizations"))
    }
}
