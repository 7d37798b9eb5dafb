//! Delete's confirmation dialog, shared by Manage Data and the Organizations list.

use crate::api::StartRemoval;
use crate::components::{fmt_count, ErrorNotice};
use crate::error::AppError;
use crate::model::{IntegrationId, RemovalImpact, RemovalJob, RemovalTarget};
use leptos::prelude::*;

/// Delete's confirmation: what goes (the items and everything inside them, the organizations
/// that had data before the first sync), the warning that it is a hard delete, and the typed
/// number of items; OK queues the removal.
#[component]
pub fn DeleteDialog(
    id: IntegrationId,
    target: RemovalTarget,
    impact: Result<RemovalImpact, AppError>,
    on_close: Callback<()>,
    on_started: Callback<RemovalJob>,
) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let start = ServerAction::<StartRemoval>::new();
    Effect::new(move |_| match start.value().get() {
        Some(Ok(job)) => {
            typed.set(String::new());
            error.set(None);
            on_started.run(job);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let close = move |_| {
        error.set(None);
        on_close.run(());
    };
    match impact {
        Err(e) => view! {
            <div role="dialog" aria-modal="true" aria-label="Delete" class="dialog"><ErrorNotice error=e/>
                <button type="button" class="secondary" on:click=close>"Close"</button></div>
        }
        .into_any(),
        Ok(impact) => {
            let title = format!("Delete {} {}?", fmt_count(impact.items), impact.what);
            let children = impact
                .children
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(k, n)| format!("{} {k}", fmt_count(*n)))
                .collect::<Vec<_>>();
            let ok = move |_| {
                start.dispatch(StartRemoval {
                    integration: id,
                    target: target.clone(),
                    typed: typed.get_untracked(),
                });
            };
            view! {
                <div role="dialog" aria-modal="true" aria-labelledby="delete-title" class="dialog">
                    <h2 id="delete-title">{title}</h2>
                    <p>"This is a hard delete: there is no trash can. Steward keeps a deletion archive an Administrator can download."</p>
                    {(!children.is_empty()).then(|| view! { <p>{format!("With them go everything inside them: {}.", children.join(", "))}</p> })}
                    {impact.note.clone().map(|note| view! { <p class="kept" role="note">{note}</p> })}
                    {(!impact.had_data.is_empty()).then(|| view! {
                        <p>{had_data_heading(impact.had_data.len() as i64, impact.had_data_count)}</p>
                        <ul class="had-data">{impact.had_data.iter().map(|(n, what)| view! { <li>{format!("{n}: {what}")}</li> }).collect_view()}</ul>
                    })}
                    <label>"Type the number of items to confirm "
                        <input type="text" inputmode="numeric" autocomplete="off" prop:value=move || typed.get()
                            on:input=move |ev| typed.set(event_target_value(&ev))/>
                    </label>
                    <button type="button" class="danger" on:click=ok disabled=move || start.pending().get()>"OK"</button>
                    " "
                    <button type="button" class="secondary" on:click=close>"Cancel"</button>
                    {move || error.get().map(|e| view! { <ErrorNotice error=e/> })}
                </div>
            }
            .into_any()
        }
    }
}

/// What the preview's list of organizations that had data before the first sync says of itself:
/// all of them, or the first ones of how many.
fn had_data_heading(listed: i64, count: i64) -> String {
    if count > listed {
        format!(
            "These {} organizations had data before the first sync (the first {} by name are listed):",
            fmt_count(count),
            fmt_count(listed)
        )
    } else {
        "These organizations had data before the first sync:".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::had_data_heading;

    #[test]
    fn the_preview_says_when_it_lists_only_the_first_organizations_that_had_data() {
        assert_eq!(
            had_data_heading(200, 1_204),
            "These 1,204 organizations had data before the first sync (the first 200 by name are listed):"
        );
        assert_eq!(
            had_data_heading(3, 3),
            "These organizations had data before the first sync:"
        );
    }
}
