//! Account > Removals: the account's removals, current and past, newest first, each with its
//! live progress (the server-sent removal events), Cancel removal while it runs, and the deletion
//! archive and Restore for Administrators, and the restores below.

use super::restores::{RestoreDialog, RestoreList, Restores};
use crate::api::list_removals;
use crate::components::{
    fmt_count, is_administrator, upsert, AccountNav, ErrorNotice, Page, Ready, RemovalProgress,
};
use crate::live::follow_removals;
use crate::model::RemovalJob;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn RemovalsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| list_removals());
    view! {
        <Title text="Removals · Steward"/>
        <Page>
            <AccountNav/>
            <h1>"Removals"</h1>
            <Suspense fallback=|| view! { <p>"Loading the removals…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(jobs) => view! { <RemovalsPanel jobs/> }.into_any(),
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

/// The removals with their live progress, Restore and the restores (an island: it runs in the
/// browser).
#[island(lazy)]
fn RemovalsPanel(jobs: Vec<RemovalJob>) -> impl IntoView {
    let restores = Restores::new();
    let is_admin = is_administrator();
    view! {
        <Ready>
        <RemovalTable jobs restores is_admin/>
        <RestoreDialog r=restores/>
        <RestoreList r=restores/>
        </Ready>
    }
}

/// "12.3 s", "4 min 05 s".
fn fmt_duration(ms: i64) -> String {
    if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{} min {:02} s", ms / 60_000, (ms % 60_000) / 1000)
    }
}

#[component]
fn RemovalTable(
    jobs: Vec<RemovalJob>,
    restores: Restores,
    is_admin: Signal<bool>,
) -> impl IntoView {
    let jobs = RwSignal::new(jobs);
    let update =
        Callback::new(move |job: RemovalJob| jobs.update(|list| upsert(list, job, |j| j.id)));
    Effect::new(move |_| follow_removals(move |job| update.run(job)));
    view! {
        <Show when=move || jobs.with(|j| !j.is_empty())
            fallback=|| view! { <p>"No removals yet: they start from Manage Data > Orphaned Data > Actions > Delete."</p> }>
            <div class="table-box" tabindex="0"><table class="removals">
                <thead>
                    <tr>
                        <th scope="col">"Removal"</th>
                        <th scope="col">"What"</th>
                        <th scope="col">"Started by"</th>
                        <th scope="col">"Queued"</th>
                        <th scope="col">"Progress"</th>
                        <th scope="col" class="num">"Deleted"</th>
                        <th scope="col" class="num">"Skipped"</th>
                        <th scope="col" class="num">"Duration"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || jobs.get()
                        key=|j| (j.id, j.state, j.done, j.cancel_requested)
                        let:job>
                        <tr>
                            <th scope="row">{format!("#{}", job.id)}</th>
                            <td>{job.what.clone()}</td>
                            <td>{job.started_by.clone().unwrap_or_else(|| "—".to_string())}</td>
                            <td class="when">{crate::model::time::utc_seconds(&job.created_at)}</td>
                            <td>{let j = job.clone(); view! { <RemovalProgress job=j is_admin on_update=update/> }}</td>
                            <td class="num">{fmt_count(job.deleted)}</td>
                            <td class="num">{fmt_count(job.skipped)}</td>
                            <td class="num">{fmt_duration(job.elapsed_ms)}</td>
                            <td>{
                                let id = job.id;
                                let restorable = job.finished() && job.deleted > 0 && job.archive_available && !job.fully_restored;
                                move || (restorable && is_admin.get()).then(|| view! {
                                    <button type="button" class="secondary" on:click=move |_| restores.asking.set(Some(id))>"Restore"</button>
                                })
                            }</td>
                        </tr>
                    </For>
                </tbody>
            </table></div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_as_seconds_then_minutes() {
        assert_eq!(super::fmt_duration(1_234), "1.2 s");
        assert_eq!(super::fmt_duration(125_000), "2 min 05 s");
    }
}
