//! Account > Removals > Restore (Administrators): the organizations a finished removal can bring
//! back, all or some of them, and the restores with their progress (read again every second
//! while one runs) and what each could not bring back, and why.

use crate::api::{list_restores, restore_choices, StartRestore};
use crate::components::{fmt_count, upsert, ErrorNotice, JobProgress, Modal};
use crate::error::{AppError, ErrorCode};
use crate::live::follow_jobs;
use crate::model::{JobEvent, JobId, JobState, RestoreJob};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// The removal whose Restore is being asked, and the restores list's version.
#[derive(Clone, Copy)]
pub struct Restores {
    pub asking: RwSignal<Option<JobId>>,
    pub version: RwSignal<u32>,
}

impl Restores {
    pub fn new() -> Restores {
        Restores {
            asking: RwSignal::new(None),
            version: RwSignal::new(0),
        }
    }
}

/// The Restore dialog, while one is asked.
#[component]
pub fn RestoreDialog(r: Restores) -> impl IntoView {
    move || {
        r.asking
            .get()
            .map(|removal| view! { <RestoreChooser removal r/> })
    }
}

#[component]
fn RestoreChooser(removal: JobId, r: Restores) -> impl IntoView {
    let choices = LocalResource::new(move || restore_choices(removal));
    let all = RwSignal::new(true);
    let chosen: RwSignal<BTreeSet<i64>> = RwSignal::new(BTreeSet::new());
    let error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let restore = ServerAction::<StartRestore>::new();
    Effect::new(move |_| match restore.value().get() {
        Some(Ok(_)) => {
            r.asking.set(None);
            r.version.update(|n| *n += 1);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let start = move |_| {
        let organizations =
            (!all.get_untracked()).then(|| chosen.get_untracked().into_iter().collect());
        restore.dispatch(StartRestore {
            removal,
            organizations,
        });
    };
    let title = format!("Restore removal #{removal}");
    view! {
        <Modal labelled_by="restore-title" on_close=Callback::new(move |_| r.asking.set(None))>
            <h2 id="restore-title">{title}</h2>
            <Suspense fallback=|| view! { <p>"Reading what can come back…"</p> }>
                {move || Suspend::new(async move {
                    match choices.await {
                        Ok(list) => {
                            let records: i64 = list.iter().map(|c| c.records).sum();
                            view! {
                                <p>{format!(
                                    "{} records in {} organizations can come back, as they were, with their PSA links. Nothing here is overwritten: what cannot come back is listed.",
                                    fmt_count(records), fmt_count(list.len() as i64)
                                )}</p>
                                <fieldset>
                                    <legend>"What to restore"</legend>
                                    <label class="check"><input type="radio" name="restore-what" prop:checked=move || all.get() on:change=move |_| all.set(true)/>"All of it"</label>
                                    <label class="check"><input type="radio" name="restore-what" prop:checked=move || !all.get() on:change=move |_| all.set(false)/>"Some organizations"</label>
                                </fieldset>
                                <Show when=move || !all.get()>
                                    <ul class="restore-choices" aria-label="Organizations to restore">
                                        {list.iter().map(|c| {
                                            let id = c.organization;
                                            let label = format!("{} ({} records)", c.name, fmt_count(c.records));
                                            view! {
                                                <li><label class="check">
                                                    <input type="checkbox" prop:checked=move || chosen.with(|s| s.contains(&id))
                                                        on:change=move |ev| {
                                                            let on = event_target_checked(&ev);
                                                            chosen.update(|s| { if on { s.insert(id); } else { s.remove(&id); } });
                                                        }/>
                                                    {label}
                                                </label></li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                </Show>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
            {move || error.get().map(|error| view! { <ErrorNotice error/> })}
            <div class="dialog-actions">
                <button type="button" on:click=start disabled=move || restore.pending().get()>"Restore"</button>
                " "
                <button type="button" class="secondary" on:click=move |_| r.asking.set(None)>"Cancel"</button>
            </div>
        </Modal>
    }
}

/// The account's restores: progress, what came back, what could not and why.
#[component]
pub fn RestoreList(r: Restores) -> impl IntoView {
    // Read in the browser (an island's own data: the server's copy would not reach it).
    let read = crate::components::read_in_browser(move || {
        r.version.track();
        list_restores()
    });
    let list = RwSignal::new(None);
    Effect::new(move |_| list.set(read.get()));
    // Each restore's progress as the job stream reports it.
    Effect::new(move |_| {
        follow_jobs(move |event| {
            if let JobEvent::Restore(job) = event {
                list.update(|l| {
                    if let Some(Ok(jobs)) = l {
                        upsert(jobs, job, |j| j.id);
                    }
                });
            }
        })
    });
    view! {
        {move || match list.get() {
                    None => ().into_any(),
                    Some(Ok(jobs)) => {
                        (!jobs.is_empty()).then(|| view! { <RestoreTable jobs/> }).into_any()
                    }
                    // Managers see the removals but not the restores.
                    Some(Err(e)) if e.code == ErrorCode::Forbidden => ().into_any(),
                    Some(Err(error)) => view! { <ErrorNotice error/> }.into_any(),
        }}
    }
}

fn status_text(j: &RestoreJob) -> String {
    match j.state {
        JobState::Succeeded => format!(
            "Restore finished: {} records restored, {} not restored",
            fmt_count(j.restored),
            fmt_count(j.not_restored_count)
        ),
        JobState::Failed => format!("Restore failed: {}", j.error.clone().unwrap_or_default()),
        JobState::Queued => "Restore queued".to_string(),
        _ => format!("Restoring: {} of {}", fmt_count(j.done), fmt_count(j.total)),
    }
}

/// What the list of records not restored leaves out, when it lists only the first ones.
fn unlisted(j: &RestoreJob) -> Option<String> {
    let more = j.not_restored_count - j.not_restored.len() as i64;
    (more > 0).then(|| {
        format!(
            "…and {} more not restored (only the first {} are listed)",
            fmt_count(more),
            fmt_count(j.not_restored.len() as i64)
        )
    })
}

#[component]
fn RestoreTable(jobs: Vec<RestoreJob>) -> impl IntoView {
    view! {
        <section aria-labelledby="restores-title">
            <h2 id="restores-title">"Restores"</h2>
            <div class="table-box" tabindex="0"><table class="removals">
                <thead>
                    <tr>
                        <th scope="col">"Restore"</th>
                        <th scope="col">"Of"</th>
                        <th scope="col">"Started by"</th>
                        <th scope="col">"Progress"</th>
                        <th scope="col">"Not restored"</th>
                    </tr>
                </thead>
                <tbody>
                    {jobs.into_iter().map(|j| {
                        view! {
                            <tr>
                                <th scope="row">{format!("#{}", j.id)}</th>
                                <td>{format!("Removal #{}: {}", j.removal, j.what)}</td>
                                <td>{j.started_by.clone().unwrap_or_else(|| "—".to_string())}</td>
                                <td><JobProgress label="Restore progress" done=j.done total=j.total status=status_text(&j)/></td>
                                <td>
                                    {if j.not_restored.is_empty() {
                                        view! { "—" }.into_any()
                                    } else {
                                        view! {
                                            <ul class="not-restored">
                                                {j.not_restored.iter().map(|n| view! {
                                                    <li>{format!("{} ({}): {}", n.name, n.kind, n.reason)}</li>
                                                }).collect_view()}
                                                {unlisted(&j).map(|more| view! { <li>{more}</li> })}
                                            </ul>
                                        }.into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NotRestored, NOT_RESTORED_LISTED};

    fn finished(restored: i64, not_restored_count: i64, listed: i64) -> RestoreJob {
        RestoreJob {
            id: JobId(9),
            removal: JobId(4),
            what: "orphaned configurations".into(),
            state: JobState::Succeeded,
            started_by: None,
            done: 1,
            total: 1,
            restored,
            not_restored_count,
            not_restored: (0..listed)
                .map(|i| NotRestored {
                    kind: "configuration".into(),
                    name: format!("PC-{i}"),
                    reason: "Its organization is not here any more".into(),
                })
                .collect(),
            created_at: chrono::Utc::now(),
            finished_at: Some(chrono::Utc::now()),
            error: None,
        }
    }

    #[test]
    fn a_restore_says_how_many_were_not_restored_when_it_lists_only_the_first() {
        let j = finished(446, 1_830, NOT_RESTORED_LISTED);
        assert_eq!(
            status_text(&j),
            "Restore finished: 446 records restored, 1,830 not restored"
        );
        assert_eq!(
            unlisted(&j).as_deref(),
            Some("…and 1,330 more not restored (only the first 500 are listed)")
        );
        let all_listed = finished(3, 2, 2);
        assert_eq!(
            status_text(&all_listed),
            "Restore finished: 3 records restored, 2 not restored"
        );
        assert_eq!(unlisted(&all_listed), None);
    }
}
