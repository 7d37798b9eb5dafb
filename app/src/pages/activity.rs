//! Account > Activity log: who did what to the account's data, newest first (removals with how
//! many items, the outcome and the duration; Pause and permanent disconnects of a type or status;
//! integration disconnects; features an operator switched).

use crate::api::get_activity;
use crate::components::{AccountNav, ErrorNotice, Page, Pager};
use crate::model::{ActivityEntry, ACTIVITY_PAGE};
use leptos::prelude::*;
use leptos_meta::Title;

/// The words people read for an action recorded as `area.verb`.
fn action_label(action: &str) -> String {
    match action {
        "removal.finished" => "Removal".to_string(),
        "restore.finished" => "Restore".to_string(),
        "export.finished" => "Export".to_string(),
        "user.restrictions_changed" => "Restrictions changed".to_string(),
        "integration.disconnected" => "Integration disconnected".to_string(),
        "integration.added" => "Integration added".to_string(),
        "user.added" => "User added".to_string(),
        "user.role_changed" => "Role changed".to_string(),
        "user.deactivated" => "User deactivated".to_string(),
        "user.reactivated" => "User reactivated".to_string(),
        "user.password_reset" => "Password reset".to_string(),
        "user.password_changed" => "Password changed".to_string(),
        "account.created" => "Account created".to_string(),
        "row.paused" => "Paused syncing".to_string(),
        "item.edited" => "Type or status changed".to_string(),
        "sync.started" => "Manual sync started".to_string(),
        "integration.sync_paused" => "Sync paused".to_string(),
        "integration.sync_resumed" => "Sync resumed".to_string(),
        "integration.settings_changed" => "Sync settings changed".to_string(),
        "integration.credentials_changed" => "Credentials changed".to_string(),
        "row.disconnected" => "Permanently disconnected".to_string(),
        "feature.enabled" => "Feature enabled".to_string(),
        "feature.disabled" => "Feature disabled".to_string(),
        other => other.replace(['.', '_'], " "),
    }
}

/// The page's address for the entries older than entry `before`, or the newest.
fn page_href(before: Option<i64>) -> String {
    match before {
        Some(id) => format!("/account/activity?before={id}"),
        None => "/account/activity".to_string(),
    }
}

#[component]
pub fn ActivityPage() -> impl IntoView {
    // `?before=ID`: the entries older than that one; anything else there is the newest page.
    let query = leptos_router::hooks::use_query_map();
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|s| s.parse::<i64>().ok())
    };
    let log = Resource::new(before, get_activity);
    view! {
        <Title text="Activity log · Steward"/>
        <Page>
            <AccountNav/>
            <h1>"Activity log"</h1>
            <Suspense fallback=|| view! { <p>"Loading the activity log…"</p> }>
                {move || Suspend::new(async move {
                    let older_than = before();
                    match log.await {
                        Ok(entries) => view! { <ActivityPageOf entries older_than/> }.into_any(),
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

/// A page of entries, with the way to the older ones (a full page may have more behind it) and
/// back to the newest.
#[component]
fn ActivityPageOf(entries: Vec<ActivityEntry>, older_than: Option<i64>) -> impl IntoView {
    let full = entries.len() as i64 >= ACTIVITY_PAGE;
    let older = full.then(|| entries.last().map(|e| e.id)).flatten();
    let said = match (entries.is_empty(), older_than.is_some()) {
        (true, true) => "No older entries.".to_string(),
        (true, false) => "Nothing has been recorded yet.".to_string(),
        (false, false) if full => format!("The newest {} entries.", entries.len()),
        (false, true) => format!("{} older entries.", entries.len()),
        (false, false) => format!("{} entries.", entries.len()),
    };
    view! {
        <p>{said}</p>
        {(!entries.is_empty()).then(|| view! { <ActivityTable entries/> })}
        <Pager
            label="Activity log pages"
            before=older_than.map(|_| (page_href(None), "Newest entries"))
            after=older.map(|id| (page_href(Some(id)), "Older entries"))
        />
    }
}

#[component]
fn ActivityTable(entries: Vec<ActivityEntry>) -> impl IntoView {
    view! {
        <div class="table-box" tabindex="0"><table class="activity">
            <thead>
                <tr>
                    <th scope="col">"When"</th>
                    <th scope="col">"Who"</th>
                    <th scope="col">"Action"</th>
                    <th scope="col">"What"</th>
                    <th scope="col">"Outcome"</th>
                    <th scope="col">"Details"</th>
                </tr>
            </thead>
            <tbody>
                {entries.into_iter().map(|e| view! {
                    <tr>
                        <td class="when">{crate::model::time::utc_seconds(&e.at)}</td>
                        <td>{e.actor}</td>
                        <th scope="row">{action_label(&e.action)}</th>
                        <td>{e.subject}</td>
                        <td>{e.outcome}</td>
                        <td>{e.details.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(" · ")}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn actions_read_as_words() {
        assert_eq!(
            super::action_label("row.disconnected"),
            "Permanently disconnected"
        );
        assert_eq!(
            super::action_label("something.new_here"),
            "something new here"
        );
    }
}
