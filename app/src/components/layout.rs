//! The frame of every signed-in page: top navigation and sign-out.

use crate::api::SignOut;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::A;

/// A signed-in page: the top navigation above the page's content.
#[component]
pub fn Page(children: Children) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Steward"</a>
            <nav aria-label="Main">
                <A href="/organizations">"Organizations"</A>
                <A href="/configurations">"Configurations"</A>
                <A href="/account">"Account"</A>
            </nav>
            <ActionForm action=sign_out attr:class="sign-out">
                <button type="submit" class="secondary">"Sign out"</button>
            </ActionForm>
        </header>
        <main>{children()}</main>
    }
}

/// The Account pages' own navigation: Integrations, Removals, Activity log.
#[component]
pub fn AccountNav() -> impl IntoView {
    // The screens mirror the rules (the server enforces each): the activity log for Managers
    // and Administrators, Users for unrestricted Administrators.
    let me = Resource::new(|| (), |_| crate::api::get_current_user());
    view! {
        <nav aria-label="Account" class="subnav">
            <A href="/account/integrations">"Integrations"</A>
            <A href="/account/removals">"Removals"</A>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let me = me.await.ok();
                    let manages = me.as_ref().is_some_and(|u| u.role.can_manage_integrations());
                    let administers = me.as_ref().is_some_and(|u| {
                        u.role == crate::model::Role::Administrator && !u.restricted
                    });
                    view! {
                        {manages.then(|| view! { <A href="/account/activity">"Activity log"</A> })}
                        {administers.then(|| view! {
                            <A href="/account/users">"Users"</A>
                            <A href="/account/export">"Export"</A>
                        })}
                    }
                })}
            </Suspense>
            <A href="/account/password">"Password"</A>
        </nav>
    }
}

/// Shows an error the way users see every error: what went wrong and what to do.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let sign_in = (error.code == crate::error::ErrorCode::Unauthenticated)
        .then(|| view! { " " <a href="/login">"Sign in"</a> });
    view! {
        <p class="error" role="alert">{error.message}{sign_in}</p>
    }
}

/// Which integration (and PSA) a page belongs to, under its heading: "Autotask · Autotask".
#[component]
pub fn IntegrationOf(#[prop(into)] id: Signal<Option<i64>>) -> impl IntoView {
    let list = Resource::new(|| (), |_| crate::api::list_integrations());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let found = list.await.ok().and_then(|l| {
                    l.into_iter().find(|i| Some(i.id.0) == id.get())
                });
                found.map(|i| view! {
                    <p class="integration-of">{format!("Integration: {} · {}", i.name, i.kind.label())}</p>
                })
            })}
        </Suspense>
    }
}
