//! Steward's shared crate: typed models, the wire error, components, routes and server functions.
//! Built with `ssr` into the server and with `hydrate` into the browser's WASM, never both.

#![recursion_limit = "256"]

pub mod api;
pub mod codec;
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
                <IslandScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Sets up the browser before its islands hydrate: a server function that answers with a
/// redirect (signing in and out) loads that page (there is no router in the browser).
#[cfg(feature = "hydrate")]
pub fn start_islands() {
    let _ = leptos::server_fn::redirect::set_redirect_hook(|to: &str| {
        let _ = window().location().set_href(to);
    });
    leptos::mount::hydrate_islands();
}

/// Loads the WASM and hydrates the page's islands (its interactive parts; the rest is the
/// server's HTML as it is), as Leptos' `HydrationScripts islands=true` does, then marks `<body>`
/// `data-hydrated` (see `island_script.js`).
#[component]
fn IslandScripts(options: LeptosOptions) -> impl IntoView {
    let nonce = leptos::nonce::use_nonce();
    let root = "";
    let pkg = options.site_pkg_dir.to_string();
    let name = options.output_name.to_string();
    let script = format!(
        "{}({root:?}, {pkg:?}, {name:?}, {name:?});",
        include_str!("island_script.js")
    );
    view! {
        <link rel="modulepreload" href=format!("/{pkg}/{name}.js") crossorigin=nonce.clone()/>
        <link rel="preload" href=format!("/{pkg}/{name}.wasm") r#as="fetch" r#type="application/wasm"
            crossorigin=nonce.as_ref().map(|n| n.to_string()).unwrap_or_default()/>
        <script type="module" nonce=nonce>{script}</script>
    }
}

/// The application: routes to every page.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

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
                <Route path=path!("/account/integrations/:id/manage-data/held") ssr=SsrMode::Async view=pages::HeldPageView/>
                <Route path=path!("/account/integrations/:id/logs") ssr=SsrMode::Async view=pages::LogsPage/>
                <Route path=path!("/account/integrations/:id/configuration") ssr=SsrMode::Async view=pages::ConfigurationPage/>
                <Route path=path!("/account/integrations/:id/credentials") ssr=SsrMode::Async view=pages::CredentialsPage/>
            </Routes>
        </Router>
    }
}
