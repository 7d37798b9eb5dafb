//! Account > Integrations > Actions > Manage Data: Synced Items, Orphaned Data and Disconnected
//! Data, with counts by sync state.

use crate::api::{get_manage_data, get_removal_impact, start_removal};
use crate::components::{
    fmt_count, is_administrator, merge_removal, ErrorNotice, Page, Plug, PlugLegend,
    RemovalProgress,
};
use crate::error::AppError;
use crate::live::follow_removals;
use crate::model::{IntegrationId, KindRow, ManageData, SyncState, SyncedItemsRow};
use crate::model::{ItemKind, RemovalImpact, RemovalJob};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ManageDataPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    // Bumped when a removal ends: the counts are read again.
    let version = RwSignal::new(0u32);
    let removal = Removal {
        asking: RwSignal::new(None),
        job: RwSignal::new(None),
        version,
    };
    provide_context(removal);
    // The account's removals, live: a reload or a second tab picks up the same state, and the
    // counts are read again when the followed removal ends.
    Effect::new(move |_| {
        let Some(integration) = id() else { return };
        follow_removals(move |job| {
            if job.integration.0 == integration {
                follow(removal, job);
            }
        });
    });
    let data = Resource::new(
        move || (id(), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_manage_data(IntegrationId(id)).await,
                None => Err(AppError::not_found("That integration")),
            }
        },
    );
    view! {
        <Title text="Manage Data · Steward"/>
        <Page>
            <p><a href="/account/integrations">"< Back"</a></p>
            {move || id().map(|i| view! { <DeleteDialog id=IntegrationId(i)/> })}
            <LiveRemoval/>
            <Transition fallback=|| view! { <p>"Loading Manage Data…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(data) => view! { <Sections data/> }.into_any(),
                        Err(error) => view! { <h1>"Manage Data"</h1><ErrorNotice error/> }.into_any(),
                    }
                })}
            </Transition>
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
                            )) delete=None/></td>
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
                            }) delete=(with_reasons && r.count > 0).then_some((id, r.kind))/></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// A Manage Data row's "Actions" menu. Delete, Disconnect and Pause join with their issues.
#[component]
fn RowActions(view: Option<String>, delete: Option<(IntegrationId, ItemKind)>) -> impl IntoView {
    let open = RwSignal::new(false);
    let removal = use_context::<Removal>();
    let ask = move |_| {
        open.set(false);
        let (Some((id, kind)), Some(r)) = (delete, removal) else {
            return;
        };
        leptos::task::spawn_local(async move {
            r.asking.set(Some(Asking {
                kind,
                impact: get_removal_impact(id, kind).await,
            }));
        });
    };
    view! {
        <div class="menu">
            <button type="button" aria-haspopup="menu" aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>"Actions"</button>
            <Show when=move || open.get()>
                <ul role="menu" class="menu-list">
                    {view.clone().map(|href| view! { <li role="none"><a role="menuitem" href=href>"View"</a></li> })}
                    {delete.map(|_| view! { <li role="none"><button type="button" role="menuitem" on:click=ask>"Delete"</button></li> })}
                </ul>
            </Show>
        </div>
    }
}

/// The Delete confirmation being asked, and the removal being watched.
#[derive(Clone, Copy)]
struct Removal {
    asking: RwSignal<Option<Asking>>,
    job: RwSignal<Option<RemovalJob>>,
    version: RwSignal<u32>,
}

#[derive(Clone)]
struct Asking {
    kind: ItemKind,
    impact: Result<RemovalImpact, AppError>,
}

/// Takes a removal update; when the followed removal ends, the counts are read again.
fn follow(r: Removal, job: RemovalJob) {
    if merge_removal(r.job, job) {
        r.version.update(|v| *v += 1);
    }
}

#[component]
fn DeleteDialog(id: IntegrationId) -> impl IntoView {
    let r = expect_context::<Removal>();
    let typed = RwSignal::new(String::new());
    let error: RwSignal<Option<AppError>> = RwSignal::new(None);
    move || {
        r.asking.get().map(|a| {
            let kind = a.kind;
            let plural = kind.plural().to_lowercase();
            match a.impact {
                Err(e) => view! { <div role="alert" class="dialog"><ErrorNotice error=e/>
                    <button type="button" on:click=move |_| r.asking.set(None)>"Close"</button></div> }.into_any(),
                Ok(impact) => {
                    let title = format!("Delete {} orphaned {plural}?", fmt_count(impact.items));
                    let children = impact.children.iter().filter(|(_, n)| *n > 0)
                        .map(|(k, n)| format!("{} {k}", fmt_count(*n))).collect::<Vec<_>>();
                    let ok = move |_| {
                        leptos::task::spawn_local(async move {
                            match start_removal(id, kind, typed.get_untracked()).await {
                                Ok(job) => {
                                    r.asking.set(None);
                                    typed.set(String::new());
                                    error.set(None);
                                    follow(r, job);
                                }
                                Err(e) => error.set(Some(e)),
                            }
                        });
                    };
                    view! {
                        <div role="dialog" aria-modal="true" aria-labelledby="delete-title" class="dialog">
                            <h2 id="delete-title">{title}</h2>
                            <p>"This is a hard delete: there is no trash can. Steward keeps a deletion archive an Administrator can download."</p>
                            {(!children.is_empty()).then(|| view! { <p>{format!("With them go everything inside them: {}.", children.join(", "))}</p> })}
                            {(!impact.had_data.is_empty()).then(|| view! {
                                <p>"These organizations had data before the first sync:"</p>
                                <ul class="had-data">{impact.had_data.iter().map(|(n, what)| view! { <li>{format!("{n}: {what}")}</li> }).collect_view()}</ul>
                            })}
                            <label>"Type the number of items to confirm "
                                <input type="text" inputmode="numeric" autocomplete="off" prop:value=move || typed.get()
                                    on:input=move |ev| typed.set(event_target_value(&ev))/>
                            </label>
                            <button type="button" class="danger" on:click=ok>"OK"</button>
                            " "
                            <button type="button" on:click=move |_| { r.asking.set(None); error.set(None); }>"Cancel"</button>
                            {move || error.get().map(|e| view! { <ErrorNotice error=e/> })}
                        </div>
                    }.into_any()
                }
            }
        })
    }
}

/// The followed removal's progress, above the sections.
#[component]
fn LiveRemoval() -> impl IntoView {
    let r = expect_context::<Removal>();
    let is_admin = is_administrator();
    let on_update = Callback::new(move |job| follow(r, job));
    move || {
        r.job.get().map(|job| {
            view! {
                <section aria-label="Removal" class="removal">
                    <RemovalProgress job is_admin on_update/>
                    <p><a href="/account/removals">"All removals"</a></p>
                </section>
            }
        })
    }
}
