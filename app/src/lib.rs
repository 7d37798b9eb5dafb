//! Steward's shared crate: typed models, the wire error, components, routes and server functions.
//! Built with `ssr` into the server and with `hydrate` into the browser's WASM, never both.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod error;
pub mod live;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod services;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Redirect, Route, Router, Routes},
    path, SsrMode,
};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The page's Content-Security-Policy names the nonce Leptos puts on its own scripts.
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(parts)) = (
        leptos::nonce::use_nonce(),
        use_context::<http::request::Parts>(),
    ) {
        if let Some(slot) = parts.extensions.get::<services::PageNonce>() {
            if let Ok(mut s) = slot.0.lock() {
                *s = Some(nonce.to_string());
            }
        }
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The application: routes to every page.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    // Marks the page once the WASM has taken over, so browser tests wait for it instead of sleeping.
    #[cfg(feature = "hydrate")]
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    // Data pages render completely on the server (SsrMode::Async) before hydrating: no flash of
    // a loading state, and the page works before the WASM arrives.
    view! {
        <Stylesheet id="leptos" href="/pkg/steward.css"/>
        <Title text="Steward"/>
        <Router>
            <Routes fallback=|| view! { <pages::NotFound/> }>
                <Route path=path!("/") view=|| view! { <Redirect path="/account/integrations"/> }/>
                <Route path=path!("/login") view=pages::LoginPage/>
                <Route path=path!("/organizations") ssr=SsrMode::Async view=|| view! { <pages::ItemsPage kind=model::ItemKind::Organization/> }/>
                <Route path=path!("/organizations/:id") ssr=SsrMode::Async view=pages::OrganizationPage/>
                <Route path=path!("/configurations") ssr=SsrMode::Async view=|| view! { <pages::ItemsPage kind=model::ItemKind::Configuration/> }/>
                <Route path=path!("/account") view=|| view! { <Redirect path="/account/integrations"/> }/>
                <Route path=path!("/account/integrations") ssr=SsrMode::Async view=pages::IntegrationsPage/>
                <Route path=path!("/account/integrations/new") view=pages::AddIntegrationPage/>
                <Route path=path!("/account/users") ssr=SsrMode::Async view=pages::UsersPage/>
                <Route path=path!("/account/password") view=pages::PasswordPage/>
                <Route path=path!("/account/export") ssr=SsrMode::Async view=pages::ExportPage/>
                <Route path=path!("/account/removals") ssr=SsrMode::Async view=pages::RemovalsPage/>
                <Route path=path!("/account/activity") ssr=SsrMode::Async view=pages::ActivityPage/>
                <Route path=path!("/account/integrations/:id/manage-data") ssr=SsrMode::Async view=pages::ManageDataPage/>
                <Route path=path!("/account/integrations/:id/manage-data/view") ssr=SsrMode::Async view=pages::PreviewPageView/>
                <Route path=path!("/account/integrations/:id/manage-data/disconnected") ssr=SsrMode::Async view=pages::DisconnectedPage/>
                <Route path=path!("/account/integrations/:id/logs") ssr=SsrMode::Async view=pages::LogsPage/>
                <Route path=path!("/account/integrations/:id/configuration") ssr=SsrMode::Async view=pages::ConfigurationPage/>
                <Route path=path!("/account/integrations/:id/credentials") ssr=SsrMode::Async view=pages::CredentialsPage/>
            </Routes>
        </Router>
    }
}
