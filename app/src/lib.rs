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
    path, Lazy, LazyRoute, SsrMode,
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

/// Routes whose pages are split off the main WASM, in groups: the browser loads a group's code
/// when one of its pages is first shown (while hydrating it, or on navigation), not every page's
/// code up front. The server renders them as any other page. `scripts/build-site.sh` splits the
/// WASM at each group's `#[lazy]` function. A split point per page made a page need 47 to 220
/// files (the code each set of pages shares is a module of its own); six groups need 16 to 27.
/// See ARCHITECTURE.md (Invariants, and Decisions: "The WASM is split by groups of pages").
macro_rules! lazy_pages {
    ($load:ident, $preload:ident: $group:ident { $($route:ident => $view:expr,)* }) => {
        // Each variant is named for its route.
        #[allow(clippy::enum_variant_names)]
        #[derive(Clone, Copy)]
        enum $group {
            $($route,)*
        }

        #[lazy]
        async fn $load(page: $group) -> AnyView {
            match page {
                $($group::$route => $view.into_any(),)*
            }
        }

        $(
            struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_this: Self) -> AnyView {
                    $load($group::$route).await
                }

                // The router loads the group's code before it hydrates the page (the page is
                // then ready at once, as the server rendered it) and before a navigation.
                // `#[lazy]` makes `$preload` in the browser's build only.
                async fn preload() {
                    #[cfg(target_arch = "wasm32")]
                    $preload().await;
                }
            }
        )*
    };
}

// Signing in.
lazy_pages!(sign_in_pages, __preload_sign_in_pages: SignInPage {
    LoginRoute => view! { <pages::LoginPage/> },
    PasswordRoute => view! { <pages::PasswordPage/> },
});

// The integrations and adding one.
lazy_pages!(integration_pages, __preload_integration_pages: IntegrationPage {
    IntegrationsRoute => view! { <pages::IntegrationsPage/> },
    AddIntegrationRoute => view! { <pages::AddIntegrationPage/> },
});

// Manage Data and the pages it opens: View and Disconnected Data.
lazy_pages!(manage_data_pages, __preload_manage_data_pages: ManageDataPage {
    ManageDataRoute => view! { <pages::ManageDataPage/> },
    PreviewRoute => view! { <pages::PreviewPageView/> },
    DisconnectedRoute => view! { <pages::DisconnectedPage/> },
});

// An integration's logs, sync settings and credentials.
lazy_pages!(integration_settings_pages, __preload_integration_settings_pages: IntegrationSettingsPage {
    LogsRoute => view! { <pages::LogsPage/> },
    ConfigurationRoute => view! { <pages::ConfigurationPage/> },
    CredentialsRoute => view! { <pages::CredentialsPage/> },
});

// The item lists and an organization's page.
lazy_pages!(item_pages, __preload_item_pages: ItemPage {
    OrganizationsRoute => view! { <pages::ItemsPage kind=model::ItemKind::Organization/> },
    ConfigurationsRoute => view! { <pages::ItemsPage kind=model::ItemKind::Configuration/> },
    OrganizationRoute => view! { <pages::OrganizationPage/> },
});

// The account's other pages.
lazy_pages!(account_pages, __preload_account_pages: AccountPage {
    UsersRoute => view! { <pages::UsersPage/> },
    ExportRoute => view! { <pages::ExportPage/> },
    RemovalsRoute => view! { <pages::RemovalsPage/> },
    ActivityRoute => view! { <pages::ActivityPage/> },
});

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
