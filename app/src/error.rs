//! The one error type that crosses the wire, for server functions and the JSON API alike: a
//! stable code the UI can act on and a message a person can act on. Internal causes are logged on
//! the server and never put in here.

use serde::{Deserialize, Serialize};

/// What went wrong, as a stable machine-readable code (serialised in snake_case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No valid session: sign in first.
    Unauthenticated,
    /// Email and password did not match.
    InvalidCredentials,
    /// Signed in, but the role or the organization access does not allow it.
    Forbidden,
    /// A state-changing request came from another site.
    CrossOrigin,
    /// The thing asked for does not exist in this account.
    NotFound,
    /// The request itself is malformed or fails validation.
    InvalidInput,
    /// The feature is switched off for this account.
    FeatureUnavailable,
    /// The request clashes with the thing's current state (e.g. a sync while sync is paused).
    Conflict,
    /// Too many tries (sign-in attempts): wait `retry_after` seconds.
    TooManyRequests,
    /// The password was right but is a one-time password: choose a new one to sign in.
    PasswordChangeRequired,
    /// The browser could not reach Steward.
    Network,
    /// A fault on Steward's side; the cause is in the server log.
    Internal,
}

impl ErrorCode {
    /// The HTTP status this code is answered with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::Unauthenticated | ErrorCode::InvalidCredentials => 401,
            ErrorCode::Forbidden
            | ErrorCode::CrossOrigin
            | ErrorCode::FeatureUnavailable
            | ErrorCode::PasswordChangeRequired => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Conflict => 409,
            ErrorCode::InvalidInput => 422,
            ErrorCode::TooManyRequests => 429,
            ErrorCode::Network => 503,
            ErrorCode::Internal => 500,
        }
    }
}

/// The error every server function and API route returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// For `too_many_requests`: seconds to wait before trying again (also `Retry-After`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// Too many tries: say when to try again.
    pub fn too_many_requests(message: impl Into<String>, retry_after_seconds: u64) -> Self {
        Self {
            code: ErrorCode::TooManyRequests,
            message: message.into(),
            retry_after: Some(retry_after_seconds.max(1)),
        }
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            ErrorCode::Unauthenticated,
            "You are not signed in: sign in and try again",
        )
    }

    pub fn invalid_credentials() -> Self {
        Self::new(
            ErrorCode::InvalidCredentials,
            "That email and password do not match an account: check them and try again",
        )
    }

    pub fn forbidden(what: &str) -> Self {
        Self::new(
            ErrorCode::Forbidden,
            format!("Your role does not allow you to {what}: ask an Administrator"),
        )
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            ErrorCode::NotFound,
            format!("{what} was not found in your account: it may have been removed"),
        )
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    pub fn cross_origin() -> Self {
        Self::new(
            ErrorCode::CrossOrigin,
            "This request came from another site and was refused: use Steward's own pages",
        )
    }

    /// A fault on our side. The caller logs the cause; the user only learns that it happened.
    pub fn internal() -> Self {
        Self::new(
            ErrorCode::Internal,
            "Something went wrong on Steward's side: try again, and if it keeps happening tell your administrator",
        )
    }

    /// Logs an internal cause (with its chain) on the server and returns the generic error.
    #[cfg(feature = "ssr")]
    pub fn internal_from(context: &str, cause: &(dyn std::error::Error + 'static)) -> Self {
        let mut chain = cause.to_string();
        let mut source = cause.source();
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        tracing::error!(context, cause = %chain, "internal error");
        Self::internal()
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = crate::codec::JsonText;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            E::Request(_) => Self::new(
                ErrorCode::Network,
                "Steward could not be reached: check your connection and try again",
            ),
            E::Args(_) | E::MissingArg(_) | E::Deserialization(_) => {
                Self::invalid_input("The request was not understood: reload the page and try again")
            }
            #[cfg(feature = "ssr")]
            other => {
                tracing::error!(cause = %other, "server function failed");
                Self::internal()
            }
            #[cfg(not(feature = "ssr"))]
            _ => Self::internal(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_and_message() {
        let json = serde_json::to_value(AppError::unauthenticated()).unwrap();
        assert_eq!(json["code"], "unauthenticated");
        assert!(json["message"].as_str().unwrap().contains("sign in"));
    }

    #[test]
    fn statuses_follow_codes() {
        assert_eq!(ErrorCode::Unauthenticated.http_status(), 401);
        assert_eq!(ErrorCode::Forbidden.http_status(), 403);
        assert_eq!(ErrorCode::NotFound.http_status(), 404);
        assert_eq!(ErrorCode::Internal.http_status(), 500);
    }

    #[test]
    fn transport_faults_never_carry_their_text() {
        use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
        let e = AppError::from_server_fn_error(ServerFnErrorErr::ServerError(
            "relation \"users\" does not exist".into(),
        ));
        assert_eq!(e.code, ErrorCode::Internal);
        assert!(!e.message.contains("relation"));
    }
}
