//! Account > Integrations > Actions > Manage Data: Synced Items, Orphaned Data and Disconnected
//! Data, with counts by sync state, each row's Actions menu (`actions.rs`), and the followed
//! removal's live progress.

mod actions;

use actions::{ActionDialog, Asking, RowActions, RowRef};

use crate::api::{decide_held, get_account_features, get_manage_data};
use crate::components::{
    fmt_count, is_administrator, merge_removal, reread, ErrorNotice, Page, Plug, PlugLegend, Ready,
    RemovalProgress,
};
use crate::error::AppError;
use crate::live::follow_removals;
use crate::model::{Feature, RemovalJob, RemovalTarget, Rights, RunId};
use crate::model::{IntegrationId, ItemKind, KindRow, ManageData, SyncState, SyncedItemsRow};
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
                        Ok(data) => view! { <ManageDataPanel data/> }.into_any(),
                        Err(error) => view! { <h1>"Manage Data"</h1><ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

/// The sections, the row actions with their dialogs, and the followed removal (an island: it
/// runs in the browser, and reads the counts again when a removal ends).
#[island(lazy)]
fn ManageDataPanel(data: ManageData) -> impl IntoView {
    let id = data.integration.id;
    // Bumped when a removal ends: the counts are read again.
    let version = RwSignal::new(0u32);
    let features = crate::components::read_in_browser(get_account_features);
    let removal = Removal {
        asking: RwSignal::new(None),
        job: RwSignal::new(None),
        version,
        said: RwSignal::new(None),
        full_delete: Signal::derive(move || {
            features
                .get()
                .and_then(|r| r.ok())
                .is_some_and(|f| f.contains(&Feature::FullDelete))
        }),
    };
    provide_context(removal);
    // The account's removals, live: a reload or a second tab picks up the same state, and the
    // counts are read again when the followed removal ends.
    Effect::new(move |_| {
        follow_removals(move |job| {
            // An Organizations list removal (integration 0) may take this integration's items.
            if job.integration == id || job.integration.0 == 0 {
                follow(removal, job);
            }
        });
    });
    let data = reread(
        data,
        move || version.get(),
        move |_| async move {
            get_manage_data(id)
                .await
                .map_err(|e| removal.said.set(Some(e.message)))
                .ok()
        },
    );
    view! {
        <Ready>
        <ActionDialog id/>
        <p role="status" class="said">{move || removal.said.get()}</p>
        <LiveRemoval/>
        {move || view! { <Sections data=data.get()/> }}
        </Ready>
    }
}

#[component]
fn Sections(data: ManageData) -> impl IntoView {
    let summary = summary_line(&data);
    let title = format!("Manage Data: {}", data.integration.name);
    let id = data.integration.id;
    let rights = data.rights;
    let held = data.held;
    let held_run = data.held_run;
    let admin = data.rights.administer;
    view! {
        <h1>{title}</h1>
        <p class="summary">{summary}</p>
        <PlugLegend/>
        {(!held.is_empty()).then(|| view! {
            <section aria-labelledby="held-orphanings" class="held">
                <h2 id="held-orphanings">"Held orphanings"</h2>
                <p>"The last full sync did not find these items in the PSA's listing: more than this integration's settings let a sync orphan at once (a PSA that lists only part of its records looks like this). They still sync until an Administrator decides. Confirm makes them orphans (deleted in the PSA); Discard leaves them as they are, and the next full sync looks again."</p>
                <HeldTable id rows=held run=held_run admin/>
            </section>
        })}
        <section aria-labelledby="synced-items">
            <h2 id="synced-items">"Synced Items"</h2>
            <SyncedItemsTable id psa=data.integration.kind.label() rows=data.synced_items rights/>
        </section>
        <section aria-labelledby="orphaned-data">
            <h2 id="orphaned-data">"Orphaned Data"</h2>
            <KindTable id rows=data.orphaned_data count_label="Orphaned" with_reasons=true rights/>
        </section>
        <section aria-labelledby="disconnected-data">
            <h2 id="disconnected-data">"Disconnected Data"</h2>
            <KindTable id rows=data.disconnected_data count_label="Disconnected" with_reasons=false rights/>
        </section>
    }
}

/// The screen in one line: "1,710 orphans · 12 disconnected · last sync 2026-12-08 07:19 UTC,
/// completed with 18 errors".
fn summary_line(data: &ManageData) -> String {
    let orphans: i64 = data.orphaned_data.iter().map(|r| r.count).sum();
    let disconnected: i64 = data.disconnected_data.iter().map(|r| r.count).sum();
    let held: i64 = data.held.iter().map(|r| r.count).sum();
    let mut parts = vec![
        format!("{} orphans", fmt_count(orphans)),
        format!("{} disconnected", fmt_count(disconnected)),
    ];
    if held > 0 {
        parts.push(format!("{} held for a decision", fmt_count(held)));
    }
    parts.push(match &data.integration.last_sync {
        Some(s) => {
            let outcome = crate::model::SyncOutcome::parse(&s.outcome)
                .map(|o| crate::model::outcome_words(o, s.failed).to_lowercase())
                .unwrap_or_else(|| s.outcome.clone());
            format!(
                "last sync {}, {outcome}",
                crate::model::time::utc(&s.started_at)
            )
        }
        None => "never synced yet".to_string(),
    });
    if data.integration.state == crate::model::IntegrationState::Paused {
        parts.push("sync paused".to_string());
    }
    parts.join(" · ")
}

fn state_header(state: SyncState) -> impl IntoView {
    view! { <th scope="col" class="num state"><span aria-hidden="true"><Plug state=Some(state)/></span>" "{state.label()}</th> }
}

#[component]
fn SyncedItemsTable(
    id: IntegrationId,
    psa: &'static str,
    rows: Vec<SyncedItemsRow>,
    rights: Rights,
) -> impl IntoView {
    view! {
        <div class="table-box" tabindex="0"><table class="counts">
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
                            // An empty row offers nothing to do.
                            <td>{(c.total() > 0).then(|| view! { <RowActions view=Some(format!(
                                "/account/integrations/{id}/manage-data/view?row=value&category={}&value={}",
                                r.category.as_str(), r.value_id.0
                            )) id delete=rights.delete.then_some(RemovalTarget::Row(r.value_id))
                                row=rights.manage.then(|| RowRef {
                                    value: r.value_id,
                                    label: format!("{} {}: {}", r.category.kind().plural(), r.category.dimension(), r.value_name),
                                    psa,
                                })/> })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

#[component]
fn KindTable(
    id: IntegrationId,
    rows: Vec<KindRow>,
    count_label: &'static str,
    with_reasons: bool,
    rights: Rights,
) -> impl IntoView {
    view! {
        <div class="table-box" tabindex="0"><table class="counts">
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
                            <td>{(r.count > 0).then(|| view! { <RowActions view=Some(if with_reasons {
                                format!("/account/integrations/{id}/manage-data/view?row=orphans&kind={}", r.kind.as_str())
                            } else {
                                format!("/account/integrations/{id}/manage-data/disconnected?kind={}", r.kind.as_str())
                            }) id delete=(rights.delete && with_reasons && r.count > 0).then_some(RemovalTarget::Orphans(r.kind)) row=None/> })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

/// Held orphanings by kind: View, and for Administrators Confirm and Discard of exactly what
/// run `run` held. The buttons are drawn disabled until the island runs, so a click made before
/// it does is never lost: it waits for the button.
#[component]
fn HeldTable(
    id: IntegrationId,
    rows: Vec<KindRow>,
    run: Option<RunId>,
    admin: bool,
) -> impl IntoView {
    let r = expect_context::<Removal>();
    let running = RwSignal::new(false);
    Effect::new(move |_| running.set(true));
    let decide = Action::new(move |(kind, confirm): &(ItemKind, bool)| {
        let (kind, confirm) = (*kind, *confirm);
        async move {
            let Some(run) = run else { return };
            let said = match decide_held(id, kind, confirm, run).await {
                Ok(said) => said,
                Err(e) => e.message,
            };
            r.said.set(Some(said));
            r.version.update(|v| *v += 1);
        }
    });
    view! {
        <div class="table-box" tabindex="0"><table class="counts">
            <thead>
                <tr>
                    <th scope="col">"Item"</th>
                    <th scope="col" class="num">"Held"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let kind = row.kind;
                    let noun = kind.plural().to_lowercase();
                    view! {
                        <tr>
                            <th scope="row">{kind.plural()}</th>
                            <td class="num">{fmt_count(row.count)}</td>
                            <td>
                                <a href=format!("/account/integrations/{id}/manage-data/held?kind={}", kind.as_str())
                                    aria-label=format!("View held {noun}")>"View"</a>
                                {admin.then(|| view! {
                                    " "
                                    <button type="button" disabled=move || !running.get() || decide.pending().get()
                                        aria-label=format!("Confirm held {noun}")
                                        on:click=move |_| { decide.dispatch((kind, true)); }>"Confirm"</button>
                                    " "
                                    <button type="button" class="secondary" disabled=move || !running.get() || decide.pending().get()
                                        aria-label=format!("Discard held {noun}")
                                        on:click=move |_| { decide.dispatch((kind, false)); }>"Discard"</button>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

/// The dialog being asked, the removal being followed, and what the last row action said.
#[derive(Clone, Copy)]
struct Removal {
    asking: RwSignal<Option<Asking>>,
    job: RwSignal<Option<RemovalJob>>,
    /// Bumped to read the counts again.
    version: RwSignal<u32>,
    said: RwSignal<Option<String>>,
    /// The account may permanently delete a row's data (Disconnect's third option).
    full_delete: Signal<bool>,
}

/// Takes a removal update; when the followed removal ends, the counts are read again.
fn follow(r: Removal, job: RemovalJob) {
    if merge_removal(r.job, job) {
        r.version.update(|v| *v += 1);
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
