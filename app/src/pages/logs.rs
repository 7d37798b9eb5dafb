//! Account > Integrations > Actions > Logs: the integration's sync runs newest first, a chart of
//! records synced and orphaned per run, and a run's events filtered by level and item kind.

use crate::api::{list_sync_events, list_sync_runs};
use crate::components::{fmt_count, ErrorNotice, IntegrationOf, Page, Ready};
use crate::error::AppError;
use crate::model::{EventLevel, IntegrationId, ItemKind, RunId, SyncEvent, SyncRun};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn LogsPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let runs = Resource::new(id, |id| async move {
        match id {
            Some(id) => list_sync_runs(IntegrationId(id)).await,
            None => Err(AppError::not_found("That integration")),
        }
    });
    view! {
        <Title text="Logs · Steward"/>
        <Page>
            <p><a href="/account/integrations">"< Back"</a></p>
            <h1>"Sync logs"</h1>
            <IntegrationOf id=Signal::derive(id)/>
            <Suspense fallback=|| view! { <p>"Loading the sync runs…"</p> }>
                {move || Suspend::new(async move {
                    match (runs.await, id()) {
                        (Ok(runs), Some(id)) => view! {
                            <RunChart runs=runs.clone()/>
                            <RunsPanel integration=IntegrationId(id) runs/>
                        }.into_any(),
                        (Err(error), _) => view! { <ErrorNotice error/> }.into_any(),
                        (Ok(_), None) => view! { <ErrorNotice error=AppError::not_found("That integration")/> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

/// The runs with each one's Events button, and the chosen run's events (an island: it runs in
/// the browser).
#[island(lazy)]
fn RunsPanel(integration: IntegrationId, runs: Vec<SyncRun>) -> impl IntoView {
    let selected: RwSignal<Option<RunId>> = RwSignal::new(None);
    view! {
        <Ready>
        <RunTable runs selected/>
        {move || selected.get().map(|run| view! { <Events integration run/> })}
        </Ready>
    }
}

fn duration(r: &SyncRun) -> String {
    match r.duration_seconds() {
        Some(s) if s >= 60 => format!("{} min {} s", s / 60, s % 60),
        Some(s) => format!("{s} s"),
        None => "—".into(),
    }
}

#[component]
fn RunTable(runs: Vec<SyncRun>, selected: RwSignal<Option<RunId>>) -> impl IntoView {
    if runs.is_empty() {
        return view! { <p>"No sync has run yet."</p> }.into_any();
    }
    view! {
        <section aria-labelledby="runs-heading">
            <h2 id="runs-heading">"Sync runs"</h2>
            <div class="table-box" tabindex="0"><table>
                <thead>
                    <tr>
                        <th scope="col">"Started"</th><th scope="col">"Run"</th><th scope="col">"Outcome"</th>
                        <th scope="col">"Duration"</th><th scope="col" class="num">"Created"</th><th scope="col" class="num">"Updated"</th>
                        <th scope="col" class="num">"Orphaned"</th><th scope="col" class="num">"Unchanged"</th><th scope="col" class="num">"Failed"</th>
                        <th scope="col">"Error"</th><th scope="col"><span class="visually-hidden">"Events"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {runs.into_iter().map(|r| {
                        let id = r.id;
                        let label = format!("Events of the run started {}", crate::model::time::utc_seconds(&r.started_at));
                        view! {
                            <tr>
                                <th scope="row" class="when">{crate::model::time::utc_seconds(&r.started_at)}</th>
                                <td>{format!("{} · {}", r.mode.as_str(), r.trigger.as_str())}</td>
                                <td>{r.outcome_label()}</td>
                                <td>{duration(&r)}</td>
                                <td class="num">{fmt_count(r.counts.created)}</td>
                                <td class="num">{fmt_count(r.counts.updated)}</td>
                                <td class="num">{fmt_count(r.counts.orphaned)}</td>
                                <td class="num">{fmt_count(r.counts.unchanged)}</td>
                                <td class="num">{fmt_count(r.counts.failed)}</td>
                                <td>{r.error_message.clone().unwrap_or_default()}</td>
                                <td>
                                    <button type="button" class="secondary" aria-label=label aria-pressed=move || (selected.get() == Some(id)).to_string()
                                        on:click=move |_| selected.set(Some(id))>"Events"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
        </section>
    }
    .into_any()
}

/// Records synced (created + updated) and orphaned per run, oldest to newest, as bars.
#[component]
fn RunChart(runs: Vec<SyncRun>) -> impl IntoView {
    let mut runs: Vec<SyncRun> = runs.into_iter().take(30).collect();
    runs.reverse();
    let max = runs
        .iter()
        .map(|r| (r.counts.created + r.counts.updated).max(r.counts.orphaned))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let synced: i64 = runs
        .iter()
        .map(|r| r.counts.created + r.counts.updated)
        .sum();
    let orphaned: i64 = runs.iter().map(|r| r.counts.orphaned).sum();
    let label = format!(
        "Records synced and orphaned per run, last {} runs: {} synced, {} orphaned",
        runs.len(),
        fmt_count(synced),
        fmt_count(orphaned)
    );
    // A bar pair per run, oldest on the left, on a y axis from 0 to the largest count, with
    // the run's start time under every fifth pair and a legend. Colours are attributes (the
    // page's CSP allows no inline style), chosen to read on white and apart from each other.
    const SYNCED: &str = "#2563eb";
    const ORPHANED: &str = "#ea580c";
    let (left, top, plot_h, bar): (f64, f64, f64, f64) = (56.0, 10.0, 120.0, 10.0);
    // Few runs spread out over a chart wide enough to read (and for its axis label to fit).
    let n = runs.len().max(1) as f64;
    let step = (bar * 2.0 + 8.0).max((480.0 - left - 16.0) / n).min(64.0);
    let width = (left + n * step + 16.0).max(320.0);
    let height = top + plot_h + 36.0;
    let base = top + plot_h;
    let y = move |n: f64| base - n / max * plot_h;
    let ticks: Vec<f64> = vec![0.0, max / 2.0, max];
    view! {
        <figure class="run-chart">
            <svg role="img" aria-label=label.clone() viewBox=format!("0 0 {width} {height}") width=width height=height>
                // y axis with three ticks and their counts
                <line x1=left y1=top x2=left y2=base stroke="#64748b"/>
                {ticks.into_iter().map(|t| view! {
                    <line x1=left - 4.0 y1=y(t) x2=width - 8.0 y2=y(t) stroke="#e2e8f0"/>
                    <text x=left - 8.0 y=y(t) + 4.0 text-anchor="end" font-size="11" fill="#334155">{fmt_count(t.round() as i64)}</text>
                }).collect_view()}
                // x axis
                <line x1=left y1=base x2=width - 8.0 y2=base stroke="#64748b"/>
                {runs.iter().enumerate().map(|(i, r)| {
                    let x = left + 6.0 + i as f64 * step;
                    let synced = (r.counts.created + r.counts.updated) as f64;
                    let orphaned = r.counts.orphaned as f64;
                    let when = (i % 5 == 0).then(|| view! {
                        <text x=x + bar y=base + 16.0 text-anchor="middle" font-size="10" fill="#334155">{crate::model::time::month_day_time(&r.started_at)}</text>
                    });
                    view! {
                        <rect x=x y=y(synced) width=bar height=base - y(synced) fill=SYNCED>
                            <title>{format!("{}: {} synced", crate::model::time::utc(&r.started_at), fmt_count(synced as i64))}</title>
                        </rect>
                        <rect x=x + bar y=y(orphaned) width=bar height=base - y(orphaned) fill=ORPHANED>
                            <title>{format!("{}: {} orphaned", crate::model::time::utc(&r.started_at), fmt_count(orphaned as i64))}</title>
                        </rect>
                        {when}
                    }
                }).collect_view()}
                <text x=left y=height - 4.0 font-size="11" fill="#334155">"Runs, oldest first (start time, UTC)"</text>
            </svg>
            <figcaption>
                {label}
                <span class="legend"><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill=SYNCED/></svg>" Synced (created and updated)"</span>
                <span class="legend"><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill=ORPHANED/></svg>" Orphaned"</span>
            </figcaption>
        </figure>
    }
}

#[component]
fn Events(integration: IntegrationId, run: RunId) -> impl IntoView {
    let page = RwSignal::new(1u32);
    let events = LocalResource::new(move || list_sync_events(integration, run, page.get()));
    let level: RwSignal<String> = RwSignal::new(String::new());
    let kind: RwSignal<String> = RwSignal::new(String::new());
    let keep = move |e: &SyncEvent| {
        let l = level.get();
        let k = kind.get();
        (l.is_empty() || e.level.as_str() == l)
            && (k.is_empty() || e.kind.map(|x| x.as_str()) == Some(k.as_str()))
    };
    view! {
        <section aria-labelledby="events-heading">
            <h2 id="events-heading">"Events"</h2>
            <div class="filters">
                <label>"Level "
                    <select on:change=move |ev| level.set(event_target_value(&ev))>
                        <option value="">"All levels"</option>
                        <option value="error">"Errors"</option>
                        <option value="warning">"Warnings"</option>
                        <option value="info">"Information"</option>
                    </select>
                </label>
                <label>"Item kind "
                    <select on:change=move |ev| kind.set(event_target_value(&ev))>
                        <option value="">"All kinds"</option>
                        {ItemKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.plural()}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <Transition fallback=|| view! { <p>"Loading events…"</p> }>
                {move || Suspend::new(async move {
                    match events.await {
                        Ok(list) => {
                            let full = list.len() == 100;
                            let list = StoredValue::new(list);
                            view! {
                                {move || {
                                    let shown: Vec<SyncEvent> = list.with_value(|l| l.iter().filter(|e| keep(e)).cloned().collect());
                                    if shown.is_empty() {
                                        view! { <p>"No events to show."</p> }.into_any()
                                    } else {
                                        view! {
                                            <div class="table-box" tabindex="0"><table>
                                                <thead><tr><th scope="col">"Level"</th><th scope="col">"Item"</th><th scope="col">"PSA id"</th><th scope="col">"Reason"</th><th scope="col">"What happened"</th></tr></thead>
                                                <tbody>
                                                    {shown.into_iter().map(|e| view! {
                                                        <tr>
                                                            <td>{level_label(e.level)}</td>
                                                            <td>{e.kind.map(|k| k.plural()).unwrap_or("The run")}</td>
                                                            <td>{e.psa_id.map(|p| p.to_string()).unwrap_or_default()}</td>
                                                            <td>{e.reason.map(|r| r.label()).unwrap_or_default()}</td>
                                                            <td>{e.message}</td>
                                                        </tr>
                                                    }).collect_view()}
                                                </tbody>
                                            </table></div>
                                        }.into_any()
                                    }
                                }}
                                <nav aria-label="Event pages">
                                    {move || (page.get() > 1).then(|| view! { <button type="button" class="secondary" on:click=move |_| page.update(|p| *p -= 1)>"Previous events"</button> })}
                                    {full.then(|| view! { <button type="button" class="secondary" on:click=move |_| page.update(|p| *p += 1)>"More events"</button> })}
                                </nav>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn level_label(l: EventLevel) -> &'static str {
    match l {
        EventLevel::Error => "Error",
        EventLevel::Warning => "Warning",
        EventLevel::Info => "Information",
    }
}
