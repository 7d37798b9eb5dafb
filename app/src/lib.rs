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
    lazy_route, path, Lazy, LazyRoute, SsrMode,
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

/// A route whose page is split off the first WASM: the browser loads a page's code when the page
/// is first shown (while hydrating it, or on navigation), not every page's code up front. The
/// server renders it as any other page. `scripts/build-site.sh` splits the WASM at these points
/// (`#[lazy_route]` marks each `view`); see ARCHITECTURE.md, "The site build".
macro_rules! lazy_page {
    ($route:ident => $view:expr) => {
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $view.into_any()
            }
        }
    };
}

lazy_page!(LoginRoute => view! { <pages::LoginPage/> });
lazy_page!(OrganizationsRoute => view! { <pages::ItemsPage kind=model::ItemKind::Organization/> });
lazy_page!(OrganizationRoute => view! { <pages::OrganizationPage/> });
lazy_page!(ConfigurationsRoute => view! { <pages::ItemsPage kind=model::ItemKind::Configuration/> });
lazy_page!(IntegrationsRoute => view! { <pages::IntegrationsPage/> });
lazy_page!(AddIntegrationRoute => view! { <pages::AddIntegrationPage/> });
lazy_page!(UsersRoute => view! { <pages::UsersPage/> });
lazy_page!(PasswordRoute => view! { <pages::PasswordPage/> });
lazy_page!(ExportRoute => view! { <pages::ExportPage/> });
lazy_page!(RemovalsRoute => view! { <pages::RemovalsPage/> });
lazy_page!(ActivityRoute => view! { <pages::ActivityPage/> });
lazy_page!(ManageDataRoute => view! { <pages::ManageDataPage/> });
lazy_page!(PreviewRoute => view! { <pages::PreviewPageView/> });
lazy_page!(DisconnectedRoute => view! { <pages::DisconnectedPage/> });
lazy_page!(LogsRoute => view! { <pages::LogsPage/> });
lazy_page!(ConfigurationRoute => view! { <pages::ConfigurationPage/> });
lazy_page!(CredentialsRoute => view! { <pages::CredentialsPage/> });

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
                <Route path=path!("/login") view={Lazy::<LoginRoute>::new()}/>
                <Route path=path!("/organizations") ssr=SsrMode::Async view={Lazy::<OrganizationsRoute>::new()}/>
                <Route path=path!("/organizations/:id") ssr=SsrMode::Async view={Lazy::<OrganizationRoute>::new()}/>
                <Route path=path!("/configurations") ssr=SsrMode::Async view={Lazy::<ConfigurationsRoute>::new()}/>
                <Route path=path!("/account") view=|| view! { <Redirect path="/account/integrations"/> }/>
                <Route path=path!("/account/integrations") ssr=SsrMode::Async view={Lazy::<IntegrationsRoute>::new()}/>
                <Route path=path!("/account/integrations/new") view={Lazy::<AddIntegrationRoute>::new()}/>
                <Route path=path!("/account/users") ssr=SsrMode::Async view={Lazy::<UsersRoute>::new()}/>
                <Route path=path!("/account/password") view={Lazy::<PasswordRoute>::new()}/>
                <Route path=path!("/account/export") ssr=SsrMode::Async view={Lazy::<ExportRoute>::new()}/>
                <Route path=path!("/account/removals") ssr=SsrMode::Async view={Lazy::<RemovalsRoute>::new()}/>
                <Route path=path!("/account/activity") ssr=SsrMode::Async view={Lazy::<ActivityRoute>::new()}/>
                <Route path=path!("/account/integrations/:id/manage-data") ssr=SsrMode::Async view={Lazy::<ManageDataRoute>::new()}/>
                <Route path=path!("/account/integrations/:id/manage-data/view") ssr=SsrMode::Async view={Lazy::<PreviewRoute>::new()}/>
                <Route path=path!("/account/integrations/:id/manage-data/disconnected") ssr=SsrMode::Async view={Lazy::<DisconnectedRoute>::new()}/>
                <Route path=path!("/account/integrations/:id/logs") ssr=SsrMode::Async view={Lazy::<LogsRoute>::new()}/>
                <Route path=path!("/account/integrations/:id/configuration") ssr=SsrMode::Async view={Lazy::<ConfigurationRoute>::new()}/>
                <Route path=path!("/account/integrations/:id/credentials") ssr=SsrMode::Async view={Lazy::<CredentialsRoute>::new()}/>
            </Routes>
        </Router>
    }
}
