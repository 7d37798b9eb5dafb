//! A Manage Data row's Actions menu (View, Delete, and for Synced Items rows Disconnect and
//! Pause) and the dialogs they open: Delete's impact with its typed confirmation, Disconnect's
//! three options, Pause's confirmation.

use super::{follow, Removal};
use crate::api::{disconnect_row, get_removal_impact, pause_row, row_disconnect_preview, PauseRow};
use crate::components::{
    fmt_count, typed_matches, DeleteDialog, ErrorNotice, MenuButton, Modal, TypedCount,
};
use crate::error::AppError;
use crate::model::{CatalogValueId, IntegrationId, ItemKind, RemovalImpact, RemovalTarget};
use leptos::prelude::*;

/// A Synced Items row: its type or status, what people call it ("Organizations Type: Prospect"),
/// and the PSA's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RowRef {
    pub value: CatalogValueId,
    pub label: String,
    pub psa: &'static str,
}

/// The dialog a row action opened.
#[derive(Clone)]
pub(super) enum Asking {
    Delete {
        target: RemovalTarget,
        impact: Result<RemovalImpact, AppError>,
    },
    Disconnect {
        row: RowRef,
        counts: Result<Vec<(ItemKind, i64)>, AppError>,
    },
    Pause {
        row: RowRef,
    },
}

#[component]
pub(super) fn RowActions(
    id: IntegrationId,
    view: Option<String>,
    delete: Option<RemovalTarget>,
    row: Option<RowRef>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let r = use_context::<Removal>();
    let can_delete = delete.is_some();
    let ask_delete = move |_| {
        open.set(false);
        let (Some(target), Some(r)) = (delete.clone(), r) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let impact = get_removal_impact(id, target.clone()).await;
            r.asking.set(Some(Asking::Delete { target, impact }));
        });
    };
    let row_for_disconnect = row.clone();
    let ask_disconnect = move |_| {
        open.set(false);
        let (Some(row), Some(r)) = (row_for_disconnect.clone(), r) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let counts = row_disconnect_preview(id, row.value).await;
            r.asking.set(Some(Asking::Disconnect { row, counts }));
        });
    };
    let row_for_pause = row.clone();
    let ask_pause = move |_| {
        open.set(false);
        if let (Some(row), Some(r)) = (row_for_pause.clone(), r) {
            r.asking.set(Some(Asking::Pause { row }));
        }
    };
    let synced_row = row.is_some();
    view! {
        <MenuButton open>
            {view.clone().map(|href| view! { <li role="none"><a role="menuitem" href=href>"View"</a></li> })}
            {can_delete.then(|| view! { <li role="none"><button type="button" role="menuitem" on:click=ask_delete.clone()>"Delete"</button></li> })}
            {synced_row.then(|| view! {
                <li role="none"><button type="button" role="menuitem" on:click=ask_disconnect.clone()>"Disconnect"</button></li>
                <li role="none"><button type="button" role="menuitem" on:click=ask_pause.clone()>"Pause"</button></li>
            })}
        </MenuButton>
    }
}

/// The open dialog, if any.
#[component]
pub(super) fn ActionDialog(id: IntegrationId) -> impl IntoView {
    let r = expect_context::<Removal>();
    move || {
        r.asking.get().map(|a| match a {
            Asking::Delete { target, impact } => view! {
                <DeleteDialog id target impact
                    on_close=Callback::new(move |_| r.asking.set(None))
                    on_started=Callback::new(move |job| { r.asking.set(None); follow(r, job); })/>
            }
            .into_any(),
            Asking::Disconnect { row, counts } => {
                view! { <DisconnectDialog id row counts/> }.into_any()
            }
            Asking::Pause { row } => view! { <PauseDialog id row/> }.into_any(),
        })
    }
}

/// "12 organizations, 30 configurations".
fn counts_text(counts: &[(ItemKind, i64)]) -> String {
    counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{} {}", fmt_count(*n), k.plural().to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Disconnect's options, named as the help article names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    Pause,
    Disconnect,
    Delete,
}

#[component]
fn DisconnectDialog(
    id: IntegrationId,
    row: RowRef,
    counts: Result<Vec<(ItemKind, i64)>, AppError>,
) -> impl IntoView {
    let r = expect_context::<Removal>();
    let choice = RwSignal::new(Choice::Pause);
    let typed = RwSignal::new(String::new());
    let working = RwSignal::new(false);
    let error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let on_close = Callback::new(move |_| {
        r.asking.set(None);
        error.set(None);
    });
    let counts = match counts {
        Ok(c) => c,
        Err(e) => {
            return view! {
                <Modal labelled_by="disconnect-title" on_close>
                    <h2 id="disconnect-title">"Disconnect"</h2>
                    <ErrorNotice error=e/>
                    <button type="button" class="secondary" autofocus on:click=move |_| on_close.run(())>"Close"</button>
                </Modal>
            }
            .into_any()
        }
    };
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    let value = row.value;
    let label = row.label.clone();
    let ok = move |_| {
        let label = label.clone();
        working.set(true);
        leptos::task::spawn_local(async move {
            match choice.get_untracked() {
                Choice::Pause => match pause_row(id, value).await {
                    Ok(said) => done(r, said),
                    Err(e) => error.set(Some(e)),
                },
                Choice::Disconnect => match disconnect_row(id, value).await {
                    Ok(c) => done(
                        r,
                        format!(
                            "{label} is permanently disconnected: {} are now stand-alone, with all their data.",
                            counts_text(&c)
                        ),
                    ),
                    Err(e) => error.set(Some(e)),
                },
                Choice::Delete => {
                    let target = RemovalTarget::RowFullDelete(value);
                    let impact = get_removal_impact(id, target.clone()).await;
                    r.asking.set(Some(Asking::Delete { target, impact }));
                }
            }
            working.set(false);
        });
    };
    let radio = move |c: Choice, name: String| {
        view! {
            <label class="option">
                <input type="radio" name="disconnect-option" prop:checked=move || choice.get() == c
                    on:change=move |_| choice.set(c)/>
                {name}
            </label>
        }
    };
    let stand_alone = counts_text(&counts);
    // Only the permanent disconnect cannot be undone: it alone asks for the typed number.
    let blocked = move || {
        working.get() || (choice.get() == Choice::Disconnect && !typed_matches(&typed.get(), total))
    };
    view! {
        <Modal labelled_by="disconnect-title" on_close>
            <h2 id="disconnect-title">{format!("Disconnect {}?", row.label)}</h2>
            <fieldset>
                <legend>"Choose what happens to these items"</legend>
                {radio(Choice::Pause, "Pause syncing and keep all data".to_string())}
                <p class="hint">"This type or status stops syncing (Sync Active: No); its items become orphans after the next full sync. Checking it again in Configuration resumes syncing."</p>
                {radio(Choice::Disconnect, format!("Permanently disconnect records from {} but keep all data", row.psa))}
                <p class="hint">{format!(
                    "{} become stand-alone and keep all their data; they can no longer be reconnected or deleted in bulk here, and this type or status stops syncing. This cannot be undone. Checking it again later could create duplicates: Steward then matches the PSA's records to these stand-alone items instead.",
                    if stand_alone.is_empty() { "No items".to_string() } else { stand_alone })}</p>
                {move || r.full_delete.get().then(|| view! {
                    {radio(Choice::Delete, "Permanently delete all data including all related/child records".to_string())}
                    <p class="hint">"Every item of this type or status and everything inside them is deleted, after you see what goes."</p>
                })}
            </fieldset>
            {move || (choice.get() == Choice::Disconnect).then(|| view! { <TypedCount expected=total typed/> })}
            {move || error.get().map(|e| view! { <ErrorNotice error=e/> })}
            <div class="dialog-actions">
                <button type="button" class=move || if choice.get() == Choice::Pause { "primary" } else { "danger" }
                    on:click=ok disabled=blocked>
                    {move || match choice.get() {
                        Choice::Pause => "Pause syncing",
                        Choice::Disconnect => "Disconnect permanently",
                        Choice::Delete => "Continue to Delete",
                    }}
                </button>
                <button type="button" class="secondary" autofocus on:click=move |_| on_close.run(())>"Cancel"</button>
            </div>
        </Modal>
    }
    .into_any()
}

#[component]
fn PauseDialog(id: IntegrationId, row: RowRef) -> impl IntoView {
    let r = expect_context::<Removal>();
    let error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let value = row.value;
    let pause = ServerAction::<PauseRow>::new();
    Effect::new(move |_| match pause.value().get() {
        Some(Ok(said)) => done(r, said),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let ok = move |_| {
        pause.dispatch(PauseRow {
            integration: id,
            value,
        });
    };
    let on_close = Callback::new(move |_| {
        r.asking.set(None);
        error.set(None);
    });
    view! {
        <Modal labelled_by="pause-title" on_close>
            <h2 id="pause-title">{format!("Pause syncing {}?", row.label)}</h2>
            <p>"Sync Active becomes No at once; its items become orphans after the next full sync. Nothing is deleted. Checking it again in Configuration resumes syncing at the next sync."</p>
            {move || error.get().map(|e| view! { <ErrorNotice error=e/> })}
            <div class="dialog-actions">
                <button type="button" on:click=ok disabled=move || pause.pending().get()>"Pause syncing"</button>
                <button type="button" class="secondary" on:click=move |_| on_close.run(())>"Cancel"</button>
            </div>
        </Modal>
    }
}

/// A row action is done: close the dialog, say what happened, read the counts again.
fn done(r: Removal, said: String) {
    r.asking.set(None);
    r.said.set(Some(said));
    r.version.update(|v| *v += 1);
}
