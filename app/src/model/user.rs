//! Who is signed in, and what their role lets them do.

use super::{AccountId, UserId};
use serde::{Deserialize, Serialize};

/// IT Glue's six roles, most powerful first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Administrator,
    Manager,
    Editor,
    Creator,
    Lite,
    ReadOnly,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Administrator,
        Role::Manager,
        Role::Editor,
        Role::Creator,
        Role::Lite,
        Role::ReadOnly,
    ];

    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Manager => "manager",
            Role::Editor => "editor",
            Role::Creator => "creator",
            Role::Lite => "lite",
            Role::ReadOnly => "read_only",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Administrator => "Administrator",
            Role::Manager => "Manager",
            Role::Editor => "Editor",
            Role::Creator => "Creator",
            Role::Lite => "Lite",
            Role::ReadOnly => "Read-only",
        }
    }

    /// Bulk actions (delete, disconnect, pause) and integration settings.
    pub fn can_manage_integrations(self) -> bool {
        matches!(self, Role::Administrator | Role::Manager)
    }

    /// The edit pencil: change an item's type or status.
    pub fn can_edit_items(self) -> bool {
        matches!(self, Role::Administrator | Role::Manager | Role::Editor)
    }
}

/// The signed-in user, as every server function and API route resolves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub user_id: UserId,
    pub account_id: AccountId,
    pub account_name: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// True when the user may only see some organizations.
    pub restricted: bool,
}

/// What the signed-in user may do on a screen, so the screen offers only that (the server
/// enforces every rule again).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rights {
    /// Delete (a row's items, a kind's orphans): Managers and Administrators, within their
    /// organizations when restricted.
    pub delete: bool,
    /// Disconnect and Pause a row, integration settings: unrestricted Managers and Administrators.
    pub manage: bool,
    /// The edit pencil and Disable sync: Editors and above.
    pub edit: bool,
    /// Confirm or Discard held orphanings: unrestricted Administrators.
    #[serde(default)]
    pub administer: bool,
}

impl Rights {
    pub fn of(user: &CurrentUser) -> Rights {
        Rights {
            delete: user.role.can_manage_integrations(),
            manage: user.role.can_manage_integrations() && !user.restricted,
            edit: user.role.can_edit_items(),
            administer: user.role == Role::Administrator && !user.restricted,
        }
    }
}

/// A user of the account as Account > Users lists them (never a password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub restricted: bool,
    /// False once deactivated: they cannot sign in and their sessions ended.
    pub active: bool,
    /// They hold a one-time password and choose their own at the next sign-in.
    pub must_change_password: bool,
    #[serde(with = "crate::model::time::rfc3339_option")]
    pub last_sign_in_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The organizations a restricted user may see, by name (empty when not restricted).
    #[serde(default)]
    pub organizations: Vec<OrganizationChoice>,
}

/// An organization as the restrictions picker offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationChoice {
    pub id: super::OrganizationId,
    pub name: String,
}

/// The most organizations one user may be restricted to.
pub const MAX_RESTRICTIONS: usize = 10_000;

/// Add user: who, and with which role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUserInput {
    pub name: String,
    pub email: String,
    pub role: Option<Role>,
    /// Restricted to these organizations; empty means every organization of the account.
    #[serde(default)]
    pub organizations: Vec<super::OrganizationId>,
}

/// A one-time password, shown once to the Administrator who made it; the user must replace it
/// at their next sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OneTimePassword {
    pub user: UserId,
    pub email: String,
    pub password: String,
}

/// An email address Steward accepts for a user (already trimmed and lower-cased): at most 254
/// characters, no spaces or control characters, something before `@` and a dotted domain after.
pub fn plausible_email(email: &str) -> bool {
    email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(a, b)| {
            !a.is_empty() && b.contains('.') && !b.starts_with('.') && !b.ends_with('.')
        })
}

/// What makes a password acceptable: at least 12 characters (at most 1,024), not the email.
pub fn password_problem(password: &str, email: &str) -> Option<&'static str> {
    let n = password.chars().count();
    if n < 12 {
        Some("Choose a password of at least 12 characters")
    } else if password.len() > 1024 {
        Some("Choose a password of at most 1,024 characters")
    } else if password.trim().eq_ignore_ascii_case(email.trim()) {
        Some("Choose a password that is not your email address")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_storage() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("owner"), None);
    }

    #[test]
    fn only_managers_and_administrators_manage() {
        let managing: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| r.can_manage_integrations())
            .collect();
        assert_eq!(managing, vec![Role::Administrator, Role::Manager]);
        assert!(Role::Editor.can_edit_items());
        assert!(!Role::Creator.can_edit_items());
    }
}
