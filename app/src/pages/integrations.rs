//! Account > Integrations: the account's PSA integrations, their last sync, and the Actions menu
//! (Manage Data, Logs, Start Manual Sync with its progress live, Pause Sync / Resume Sync).

use crate::api::{
    disconnect_preview, list_integrations, start_sync, DisconnectIntegration, SetSyncPaused,
};
use crate::components::{
    fmt_count, reread, typed_matches, AccountNav, ErrorNotice, MenuButton, Modal, Page, Ready,
    TypedCount,
};
use crate::error::AppError;
use crate::live::follow_jobs;
use crate::model::{
    IntegrationId, IntegrationState, IntegrationSummary, ItemKind, JobEvent, RunId, SyncOutcome,
    SyncRun,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// What the page says about the sync it started.
#[derive(Debug, Clone, PartialEq)]
enum Watch {
    Starting,
    Said(String),
    Run(SyncRun),
    Failed(AppError),
}

/// The sync runs the job stream reported, and the one this page started and follows.
#[derive(Clone, Copy)]
struct Following {
    runs: RwSignal<std::collections::HashMap<(IntegrationId, RunId), SyncRun>>,
    started: RwSignal<Option<(IntegrationId, RunId)>>,
}

impl Following {
    fn new() -> Following {
        Following {
            runs: RwSignal::new(Default::default()),
            started: RwSignal::new(None),
        }
    }

    /// Shows the started run as the stream last reported it (the stream may have reported it
    /// before its start was answered); once it has ended, the list is read again.
    fn show(self, watch: RwSignal<Option<Watch>>, version: RwSignal<u32>) {
        let Some(key) = self.started.get_untracked() else {
            return;
        };
        let Some(run) = self.runs.with_untracked(|r| r.get(&key).cloned()) else {
            return;
        };
        let ended = run.outcome != SyncOutcome::Running;
        watch.set(Some(Watch::Run(run)));
        if ended {
            self.started.set(None);
            version.update(|n| *n += 1);
        }
    }
}

fn counts_line(r: &SyncRun) -> String {
    let c = &r.counts;
    format!(
        "{} created, {} updated, {} orphaned, {} unchanged, {} failed",
        fmt_count(c.created),
        fmt_count(c.updated),
        fmt_count(c.orphaned),
        fmt_count(c.unchanged),
        fmt_count(c.failed)
    )
}

fn watch_text(w: &Watch) -> String {
    match w {
        Watch::Starting => "Starting the sync…".into(),
        Watch::Said(s) => s.clone(),
        Watch::Failed(e) => e.message.clone(),
        Watch::Run(r) => match r.outcome {
            SyncOutcome::Running => format!(
                "Sync running: {} records read from the PSA so far…",
                fmt_count(r.listed)
            ),
            SyncOutcome::Succeeded if r.counts.failed > 0 => format!(
                "Sync completed with {} {}: {}. See Logs for each one.",
                fmt_count(r.counts.failed),
                if r.counts.failed == 1 {
                    "error"
                } else {
                    "errors"
                },
                counts_line(r)
            ),
            SyncOutcome::Succeeded => format!("Sync succeeded: {}.", counts_line(r)),
            SyncOutcome::Failed => format!(
                "Sync failed: {}",
                r.error_message.clone().unwrap_or_default()
            ),
        },
    }
}

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let integrations = Resource::new(|| (), |_| list_integrations());
    let me = Resource::new(|| (), |_| crate::api::get_current_user());
    view! {
        <Title text="Integrations · Steward"/>
        <Page>
            <h1>"Account"</h1>
            <AccountNav/>
            <h2>"Integrations"</h2>
            <AddIntegrationLink me/>
            <Suspense fallback=|| view! { <p>"Loading integrations…"</p> }>
                {move || Suspend::new(async move {
                    match integrations.await {
                        Ok(list) => {
                            // The menu offers what the user's role allows (the server enforces it).
                            let manages = me.await.ok().is_some_and(|u| u.role.can_manage_integrations() && !u.restricted);
                            view! { <IntegrationsPanel list manages/> }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

/// The integrations with their Actions menus, and what the page says about the sync it started
/// (an island: it runs in the browser, and reads the list again after a sync or a change).
#[island(lazy)]
fn IntegrationsPanel(list: Vec<IntegrationSummary>, manages: bool) -> impl IntoView {
    // Bumped to read the list again after a sync ends or the state changes.
    let version = RwSignal::new(0u32);
    let watch: RwSignal<Option<Watch>> = RwSignal::new(None);
    let following = Following::new();
    // Every sync run of the account the job stream reports: the one started here is shown.
    Effect::new(move |_| {
        follow_jobs(move |event| {
            if let JobEvent::Sync { integration, run } = event {
                following
                    .runs
                    .update(|runs| _ = runs.insert((integration, run.id), run));
                following.show(watch, version);
            }
        })
    });
    let list = reread(
        list,
        move || version.get(),
        move |_| async move {
            list_integrations()
                .await
                .map_err(|e| watch.set(Some(Watch::Failed(e))))
                .ok()
        },
    );
    view! {
        <Ready>
        <p role="status" aria-live="polite" class=move || {
            let warn = watch.with(|w| matches!(w, Some(Watch::Run(r)) if r.counts.failed > 0)
                || matches!(w, Some(Watch::Failed(_))));
            if warn { "sync-status warning" } else { "sync-status" }
        }>
            {move || watch.get().map(|w| watch_text(&w))}
        </p>
        {move || {
            let list = list.get();
            if list.is_empty() {
                view! { <p>"This account has no PSA integration yet."</p> }.into_any()
            } else {
                view! { <IntegrationTable list watch version following manages/> }.into_any()
            }
        }}
        </Ready>
    }
}

/// Add integration, for the roles that may add one (Managers and Administrators not restricted
/// to some organizations; the server refuses the others too).
#[component]
fn AddIntegrationLink(me: Resource<Result<crate::model::CurrentUser, AppError>>) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                me.await
                    .ok()
                    .filter(|u| u.role.can_manage_integrations() && !u.restricted)
                    .map(|_| view! { <p><a href="/account/integrations/new">"Add integration"</a></p> })
            })}
        </Suspense>
    }
}

#[component]
fn IntegrationTable(
    list: Vec<IntegrationSummary>,
    watch: RwSignal<Option<Watch>>,
    version: RwSignal<u32>,
    following: Following,
    manages: bool,
) -> impl IntoView {
    view! {
        <div class="table-box" tabindex="0"><table>
            <thead>
                <tr><th scope="col">"Name"</th><th scope="col">"PSA"</th><th scope="col">"State"</th><th scope="col">"Last sync"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr>
            </thead>
            <tbody>
                {list.into_iter().map(|i| {
                    let errors = i.last_sync.as_ref().is_some_and(|s| s.failed > 0 || s.outcome == "failed");
                    let logs = format!("/account/integrations/{}/logs", i.id);
                    let last = i.last_sync.as_ref().map(|s| {
                        let outcome = SyncOutcome::parse(&s.outcome)
                            .map(|o| crate::model::outcome_words(o, s.failed))
                            .unwrap_or_else(|| s.outcome.clone());
                        format!(
                            "{} · {outcome} · {} created, {} updated, {} orphaned, {} failed",
                            crate::model::time::utc(&s.started_at), fmt_count(s.created), fmt_count(s.updated),
                            fmt_count(s.orphaned), fmt_count(s.failed)
                        )
                    }).unwrap_or_else(|| "Never".to_string());
                    view! {
                        <tr>
                            <th scope="row">{i.name.clone()}</th>
                            <td>{i.kind.label()}</td>
                            <td>{i.state.label()}</td>
                            <td class=if errors { "warning" } else { "" }>{last}
                                {errors.then(|| view! { " " <a href=logs.clone()>"See the errors"</a> })}</td>
                            <td><ActionsMenu id=i.id name=i.name.clone() state=i.state watch version following manages/></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

/// The integration's "Actions" menu. Entries appear as their features land.
#[component]
fn ActionsMenu(
    id: IntegrationId,
    name: String,
    state: IntegrationState,
    watch: RwSignal<Option<Watch>>,
    version: RwSignal<u32>,
    following: Following,
    /// Managers and Administrators (not restricted) also start syncs, edit the credentials and
    /// settings, pause and disconnect.
    manages: bool,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let manage_data = format!("/account/integrations/{id}/manage-data");
    let logs = format!("/account/integrations/{id}/logs");
    let configuration = format!("/account/integrations/{id}/configuration");
    let credentials = format!("/account/integrations/{id}/credentials");
    let start = move |_| {
        open.set(false);
        watch.set(Some(Watch::Starting));
        leptos::task::spawn_local(async move {
            match start_sync(id).await {
                Ok(started) => {
                    following.started.set(Some((id, started.run_id)));
                    following.show(watch, version);
                }
                Err(e) => watch.set(Some(Watch::Failed(e))),
            }
        });
    };
    let paused = state == IntegrationState::Paused;
    let pause = ServerAction::<SetSyncPaused>::new();
    let said_name = name.clone();
    Effect::new(move |_| match pause.value().get() {
        Some(Ok(_)) => {
            watch.set(Some(Watch::Said(if paused {
                format!("Sync resumed for {said_name}: its next scheduled sync runs as usual.")
            } else {
                format!(
                    "Sync paused for {said_name}: no new sync starts until Resume Sync; a sync \
                     already running finishes."
                )
            })));
            version.update(|n| *n += 1);
        }
        Some(Err(e)) => watch.set(Some(Watch::Failed(e))),
        None => {}
    });
    let toggle_pause = move |_| {
        open.set(false);
        pause.dispatch(SetSyncPaused {
            integration: id,
            paused: !paused,
        });
    };
    // Disconnect: the counts it would make stand-alone, while its confirmation is open.
    let confirming: RwSignal<Option<Vec<(ItemKind, i64)>>> = RwSignal::new(None);
    let typed = RwSignal::new(String::new());
    let ask_disconnect = move |_| {
        open.set(false);
        leptos::task::spawn_local(async move {
            match disconnect_preview(id).await {
                Ok(counts) => confirming.set(Some(counts)),
                Err(e) => watch.set(Some(Watch::Failed(e))),
            }
        });
    };
    let disconnecting = ServerAction::<DisconnectIntegration>::new();
    Effect::new(move |_| {
        let Some(result) = disconnecting.value().get() else {
            return;
        };
        confirming.set(None);
        typed.set(String::new());
        match result {
            Ok(counts) => {
                watch.set(Some(Watch::Said(format!(
                    "Disconnected. {} are now stand-alone; nothing was deleted.",
                    counts_sentence(&counts)
                ))));
                version.update(|n| *n += 1);
            }
            Err(e) => watch.set(Some(Watch::Failed(e))),
        }
    });
    let disconnect = move |_| {
        disconnecting.dispatch(DisconnectIntegration { integration: id });
    };
    let title = format!("Disconnect {name}?");
    let confirm = format!("Disconnect {name}");
    let close = Callback::new(move |_| {
        typed.set(String::new());
        confirming.set(None);
    });
    view! {
        <div class="menu-with-dialog">
            <MenuButton open>
                <li role="none"><a role="menuitem" href=manage_data.clone()>"Manage Data"</a></li>
                <li role="none"><a role="menuitem" href=logs.clone()>"Logs"</a></li>
                {manages.then(|| view! {
                    <li role="none"><button type="button" role="menuitem" on:click=start>"Start Manual Sync"</button></li>
                    <li role="none"><a role="menuitem" href=credentials.clone()>"Edit Credentials"</a></li>
                    <li role="none"><a role="menuitem" href=configuration.clone()>"Configuration"</a></li>
                    <li role="none">
                        <button type="button" role="menuitem" on:click=toggle_pause>
                            {if paused { "Resume Sync" } else { "Pause Sync" }}
                        </button>
                    </li>
                    <li role="none"><button type="button" role="menuitem" on:click=ask_disconnect>"Disconnect"</button></li>
                })}
            </MenuButton>
            {move || confirming.get().map(|counts| {
                let total: i64 = counts.iter().map(|(_, n)| n).sum();
                let (title, confirm) = (title.clone(), confirm.clone());
                view! {
                    <Modal labelled_by="disconnect-title" on_close=close>
                        <h2 id="disconnect-title">{title}</h2>
                        <p id="disconnect-what">
                            {format!(
                                "Its {} become stand-alone: they stay in Steward with all their data, passwords and documents included, \
                                 but no longer sync and cannot be reconnected. Nothing is deleted, and this cannot be undone.",
                                counts_sentence(&counts)
                            )}
                        </p>
                        <TypedCount expected=total typed/>
                        <div class="dialog-actions">
                            <button type="button" class="danger" on:click=disconnect
                                disabled=move || disconnecting.pending().get() || !typed_matches(&typed.get(), total)>{confirm}</button>
                            <button type="button" class="secondary" autofocus on:click=move |_| close.run(())>"Cancel"</button>
                        </div>
                    </Modal>
                }
            })}
        </div>
    }
}

/// "1,234 organizations, 2,500 configurations, 800 contacts and 200 locations".
fn counts_sentence(counts: &[(ItemKind, i64)]) -> String {
    let parts: Vec<String> = counts
        .iter()
        .map(|(k, n)| format!("{} {}", fmt_count(*n), k.plural().to_lowercase()))
        .collect();
    match parts.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => "items".into(),
    }
}
