//! Account > Integrations: the account's PSA integrations and their Actions menu.

use crate::api::list_integrations;
use crate::components::{ErrorNotice, Page};
use crate::model::{IntegrationId, IntegrationSummary};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let integrations = Resource::new(|| (), |_| list_integrations());
    view! {
        <Title text="Integrations · Steward"/>
        <Page>
            <h1>"Account"</h1>
            <h2>"Integrations"</h2>
            <Suspense fallback=|| view! { <p>"Loading integrations…"</p> }>
                {move || Suspend::new(async move {
                    match integrations.await {
                        Ok(list) if list.is_empty() => view! { <p>"This account has no PSA integration yet."</p> }.into_any(),
                        Ok(list) => view! { <IntegrationTable list/> }.into_any(),
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

#[component]
fn IntegrationTable(list: Vec<IntegrationSummary>) -> impl IntoView {
    view! {
        <table>
            <thead>
                <tr><th scope="col">"Name"</th><th scope="col">"PSA"</th><th scope="col">"State"</th><th scope="col">"Last sync"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr>
            </thead>
            <tbody>
                {list.into_iter().map(|i| {
                    let last = i.last_sync.as_ref().map(|s| format!(
                        "{} · {} · {} created, {} updated, {} orphaned, {} failed",
                        s.started_at.format("%Y-%m-%d %H:%M UTC"), s.outcome, s.created, s.updated, s.orphaned, s.failed
                    )).unwrap_or_else(|| "Never".to_string());
                    view! {
                        <tr>
                            <th scope="row">{i.name.clone()}</th>
                            <td>{i.kind.label()}</td>
                            <td>{i.state.label()}</td>
                            <td>{last}</td>
                            <td><ActionsMenu id=i.id/></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The integration's "Actions" menu. Entries appear as their features land.
#[component]
fn ActionsMenu(id: IntegrationId) -> impl IntoView {
    let open = RwSignal::new(false);
    let manage_data = format!("/account/integrations/{id}/manage-data");
    view! {
        <div class="menu">
            <button
                type="button"
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >"Actions"</button>
            <Show when=move || open.get()>
                <ul role="menu" class="menu-list">
                    <li role="none"><a role="menuitem" href=manage_data.clone()>"Manage Data"</a></li>
                </ul>
            </Show>
        </div>
    }
}
