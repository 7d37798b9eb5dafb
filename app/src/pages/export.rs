//! Account > Export (Administrators): a backup of the whole account as one ZIP file, queued and
//! followed until it can be downloaded. The passphrase seals the password entries' secrets;
//! `steward account import` asks for it.

use crate::api::{list_exports, StartExport};
use crate::components::{
    fmt_count, reread, upsert, AccountNav, ErrorNotice, JobProgress, Page, Ready,
};
use crate::error::AppError;
use crate::live::follow_jobs;
use crate::model::{ExportJob, JobEvent, JobState};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ExportPage() -> impl IntoView {
    let exports = Resource::new(|| (), |_| list_exports());
    view! {
        <Title text="Export · Steward"/>
        <Page>
            <h1>"Account"</h1>
            <AccountNav/>
            <h2>"Export"</h2>
            <p>"One ZIP file with every organization, configuration, contact, location, password entry and document, their PSA links and sync state, the integrations' settings (not their keys) and the users (not their passwords). Keep it as a backup before a large delete; "<code>"steward account import"</code>" loads it into a new account."</p>
            <Suspense fallback=|| view! { <p>"Loading the exports…"</p> }>
                {move || Suspend::new(async move {
                    match exports.await {
                        Ok(list) => view! { <ExportPanel list/> }.into_any(),
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

/// Export the account, and the exports followed until each can be downloaded (an island: it
/// runs in the browser).
#[island(lazy)]
fn ExportPanel(list: Vec<ExportJob>) -> impl IntoView {
    let start = ServerAction::<StartExport>::new();
    let error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let list = reread(
        list,
        move || start.version().get(),
        move |_| async move { list_exports().await.map_err(|e| error.set(Some(e))).ok() },
    );
    // Each export's progress as the job stream reports it.
    Effect::new(move |_| {
        follow_jobs(move |event| {
            if let JobEvent::Export(job) = event {
                list.update(|l| upsert(l, job, |j| j.id));
            }
        })
    });
    let passphrase = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (p, c) = (passphrase.get_untracked(), confirm.get_untracked());
        if p != c {
            error.set(Some(AppError::invalid_input(
                "The two passphrases differ: type the same one twice",
            )));
            return;
        }
        start.dispatch(StartExport { passphrase: p });
    };
    Effect::new(move |_| match start.value().get() {
        Some(Ok(_)) => {
            error.set(None);
            passphrase.set(String::new());
            confirm.set(String::new());
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    view! {
        <Ready>
            <form on:submit=submit class="add-user" aria-labelledby="export-title">
                <h3 id="export-title">"Export the account"</h3>
                <label>"Passphrase"
                    <input type="password" autocomplete="new-password" prop:value=move || passphrase.get()
                        on:input=move |ev| passphrase.set(event_target_value(&ev))/>
                </label>
                <label>"Confirm passphrase"
                    <input type="password" autocomplete="new-password" prop:value=move || confirm.get()
                        on:input=move |ev| confirm.set(event_target_value(&ev))/>
                </label>
                <p class="hint">"At least 12 characters. It seals the password entries' secrets in the file; the import asks for it. Steward does not keep it: without it those secrets cannot be read."</p>
                <button type="submit" disabled=move || start.pending().get()>"Export account"</button>
                {move || error.get().map(|error| view! { <ErrorNotice error/> })}
            </form>
            {move || {
                let list = list.get();
                (!list.is_empty()).then(|| view! { <ExportTable list/> })
            }}
        </Ready>
    }
}

fn status_text(j: &ExportJob) -> String {
    match j.state {
        JobState::Succeeded if j.available => format!(
            "Export finished: {} records, {:.1} MB",
            fmt_count(j.total),
            j.bytes as f64 / 1_000_000.0
        ),
        JobState::Succeeded => "Export finished; its file passed the retention period".to_string(),
        JobState::Failed => format!("Export failed: {}", j.error.clone().unwrap_or_default()),
        JobState::Queued => "Export queued".to_string(),
        _ => format!(
            "Exporting: {} of {} records",
            fmt_count(j.done),
            fmt_count(j.total)
        ),
    }
}

#[component]
fn ExportTable(list: Vec<ExportJob>) -> impl IntoView {
    view! {
        <section aria-labelledby="exports-title">
            <h2 id="exports-title">"Exports"</h2>
            <div class="table-box" tabindex="0"><table class="removals">
                <thead>
                    <tr>
                        <th scope="col">"Export"</th>
                        <th scope="col">"Started by"</th>
                        <th scope="col">"Queued"</th>
                        <th scope="col">"Progress"</th>
                        <th scope="col"><span class="visually-hidden">"File"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|j| {
                        view! {
                            <tr>
                                <th scope="row">{format!("#{}", j.id)}</th>
                                <td>{j.started_by.clone().unwrap_or_else(|| "—".to_string())}</td>
                                <td>{j.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</td>
                                <td><JobProgress label="Export progress" done=j.done total=j.total status=status_text(&j)/></td>
                                <td>{j.available.then(|| view! {
                                    <a href=format!("/api/v1/exports/{}/file", j.id) download="">"Download the export"</a>
                                })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
        </section>
    }
}
