//! Account > Integrations > Actions > Manage Data: Synced Items, Orphaned Data and Disconnected
//! Data, with counts by sync state.

use crate::api::get_manage_data;
use crate::components::{fmt_count, ErrorNotice, Page, Plug, PlugLegend};
use crate::error::AppError;
use crate::model::{IntegrationId, KindRow, ManageData, SyncState, SyncedItemsRow};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ManageDataPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_manage_data(IntegrationId(id)).await,
            None => Err(AppError::not_found("That integration")),
        }
    });
    view! {
        <Title text="Manage Data · Steward"/>
        <Page>
            <p><a href="/account/integrations">"< Back"</a></p>
            <Suspense fallback=|| view! { <p>"Loading Manage Data…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(data) => view! { <Sections data/> }.into_any(),
                        Err(error) => view! { <h1>"Manage Data"</h1><ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

#[component]
fn Sections(data: ManageData) -> impl IntoView {
    let title = format!("Manage Data: {}", data.integration.name);
    let id = data.integration.id;
    view! {
        <h1>{title}</h1>
        <PlugLegend/>
        <section aria-labelledby="synced-items">
            <h2 id="synced-items">"Synced Items"</h2>
            <SyncedItemsTable id rows=data.synced_items/>
        </section>
        <section aria-labelledby="orphaned-data">
            <h2 id="orphaned-data">"Orphaned Data"</h2>
            <KindTable id rows=data.orphaned_data count_label="Orphaned" with_reasons=true/>
        </section>
        <section aria-labelledby="disconnected-data">
            <h2 id="disconnected-data">"Disconnected Data"</h2>
            <KindTable id rows=data.disconnected_data count_label="Disconnected" with_reasons=false/>
        </section>
    }
}

fn state_header(state: SyncState) -> impl IntoView {
    view! { <th scope="col" class="num"><Plug state=Some(state)/><span class="visually-hidden">{state.label()}</span></th> }
}

#[component]
fn SyncedItemsTable(id: IntegrationId, rows: Vec<SyncedItemsRow>) -> impl IntoView {
    view! {
        <table class="counts">
            <thead>
                <tr>
                    <th scope="col">"Item"</th>
                    <th scope="col">"Type or status"</th>
                    <th scope="col">"Sync Active"</th>
                    {SyncState::ALL.iter().map(|s| state_header(*s)).collect_view()}
                    <th scope="col" class="num">"Total"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let c = r.counts;
                    view! {
                        <tr>
                            <th scope="row">{r.category.kind().plural()}</th>
                            <td>{format!("{}: {}", r.category.dimension(), r.value_name)}</td>
                            <td>{if r.sync_active { "Yes" } else { "No" }}</td>
                            <td class="num">{fmt_count(c.enabled)}</td>
                            <td class="num">{fmt_count(c.disabled)}</td>
                            <td class="num">{fmt_count(c.orphaned)}</td>
                            <td class="num">{fmt_count(c.error)}</td>
                            <td class="num">{fmt_count(c.total())}</td>
                            <td><RowActions view=Some(format!(
                                "/account/integrations/{id}/manage-data/view?row=value&category={}&value={}",
                                r.category.as_str(), r.value_id.0
                            ))/></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn KindTable(
    id: IntegrationId,
    rows: Vec<KindRow>,
    count_label: &'static str,
    with_reasons: bool,
) -> impl IntoView {
    view! {
        <table class="counts">
            <thead>
                <tr>
                    <th scope="col">"Item"</th>
                    <th scope="col" class="num">{count_label}</th>
                    {with_reasons.then(|| view! { <th scope="col">"Reasons"</th> })}
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let reasons = r.by_reason.iter()
                        .map(|(reason, n)| format!("{}: {}", reason.label(), fmt_count(*n)))
                        .collect::<Vec<_>>()
                        .join(" · ");
                    view! {
                        <tr>
                            <th scope="row">{r.kind.plural()}</th>
                            <td class="num">{fmt_count(r.count)}</td>
                            {with_reasons.then(|| view! { <td>{reasons}</td> })}
                            <td><RowActions view=Some(if with_reasons {
                                format!("/account/integrations/{id}/manage-data/view?row=orphans&kind={}", r.kind.as_str())
                            } else {
                                format!("/account/integrations/{id}/manage-data/disconnected?kind={}", r.kind.as_str())
                            })/></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// A Manage Data row's "Actions" menu. Delete, Disconnect and Pause join with their issues.
#[component]
fn RowActions(view: Option<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <div class="menu">
            <button type="button" aria-haspopup="menu" aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>"Actions"</button>
            <Show when=move || open.get()>
                <ul role="menu" class="menu-list">
                    {view.clone().map(|href| view! { <li role="none"><a role="menuitem" href=href>"View"</a></li> })}
                </ul>
            </Show>
        </div>
    }
}
