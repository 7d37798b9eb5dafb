//! One module per page.

mod activity;
mod add_integration;
mod configuration;
mod credentials;
mod disconnected;
mod export;
mod held;
mod integrations;
mod items;
mod login;
mod logs;
mod manage_data;
mod organization;
mod password;
mod preview;
mod removals;
mod restores;
mod users;

pub use activity::ActivityPage;
pub use add_integration::AddIntegrationPage;
pub use configuration::ConfigurationPage;
pub use credentials::CredentialsPage;
pub use disconnected::DisconnectedPage;
pub use export::ExportPage;
pub use held::HeldPageView;
pub use integrations::IntegrationsPage;
pub use items::ItemsPage;
pub use login::LoginPage;
pub use logs::LogsPage;
pub use manage_data::ManageDataPage;
pub use organization::OrganizationPage;
pub use password::PasswordPage;
pub use preview::PreviewPageView;
pub use removals::RemovalsPage;
pub use users::UsersPage;

use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main>
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. " <a href="/">"Go to Steward's start page"</a></p>
        </main>
    }
}
