//! Account > Activity log: who did what to the account's data, newest first (removals with how
//! many items, the outcome and the duration; Pause and permanent disconnects of a type or status;
//! integration disconnects; features an operator switched).

use crate::api::get_activity;
use crate::components::{AccountNav, ErrorNotice, Page};
use crate::model::ActivityEntry;
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
        "row.disconnected" => "Permanently disconnected".to_string(),
        "feature.enabled" => "Feature enabled".to_string(),
        "feature.disabled" => "Feature disabled".to_string(),
        other => other.replace(['.', '_'], " "),
    }
}

#[component]
pub fn ActivityPage() -> impl IntoView {
    let log = Resource::new(|| (), |_| get_activity());
    view! {
        <Title text="Activity log · Steward"/>
        <Page>
            <AccountNav/>
            <h1>"Activity log"</h1>
            <Suspense fallback=|| view! { <p>"Loading the activity log…"</p> }>
                {move || Suspend::new(async move {
                    match log.await {
                        Ok(entries) => view! { <ActivityTable entries/> }.into_any(),
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

#[component]
fn ActivityTable(entries: Vec<ActivityEntry>) -> impl IntoView {
    view! {
        <table class="activity">
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
                        <td>{e.at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</td>
                        <td>{e.actor}</td>
                        <th scope="row">{action_label(&e.action)}</th>
                        <td>{e.subject}</td>
                        <td>{e.outcome}</td>
                        <td>{e.details.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(" · ")}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
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
