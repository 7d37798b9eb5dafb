//! Delete's confirmation dialog, shared by Manage Data and the Organizations list.

use crate::api::StartRemoval;
use crate::components::{fmt_count, ErrorNotice, Modal};
use crate::error::AppError;
use crate::model::{IntegrationId, RemovalImpact, RemovalJob, RemovalTarget};
use leptos::prelude::*;

/// Delete's confirmation (a modal dialog): what goes (the items and everything inside them, the
/// organizations that had data before the first sync, every target no PSA sync made), until
/// when Restore can bring it back, and a button named for exactly that; it queues the removal.
/// A removal is restorable, so no number is typed: the count confirmed is the one shown, and
/// the server refuses it if the items changed since.
#[component]
pub fn DeleteDialog(
    id: IntegrationId,
    target: RemovalTarget,
    impact: Result<RemovalImpact, AppError>,
    on_close: Callback<()>,
    on_started: Callback<RemovalJob>,
) -> impl IntoView {
    let error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let start = ServerAction::<StartRemoval>::new();
    Effect::new(move |_| match start.value().get() {
        Some(Ok(job)) => {
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
    let impact = match impact {
        Err(e) => return view! {
            <Modal labelled_by="delete-title" on_close>
                <h2 id="delete-title">"Delete"</h2>
                <ErrorNotice error=e/>
                <button type="button" class="secondary" autofocus on:click=close>"Close"</button>
            </Modal>
        }
        .into_any(),
        Ok(impact) => impact,
    };
    let title = format!("Delete {} {}?", fmt_count(impact.items), impact.what);
    let children = impact
        .children
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{} {k}", fmt_count(*n)))
        .collect::<Vec<_>>();
    let confirm = confirm_label(&impact);
    let until = impact.restorable_until.as_ref().map(|d| {
        format!(
            "Restorable from Account > Removals until {}.",
            d.format("%Y-%m-%d")
        )
    });
    let confirmed = impact.items.to_string();
    let ok = move |_| {
        start.dispatch(StartRemoval {
            integration: id,
            target: target.clone(),
            typed: confirmed.clone(),
        });
    };
    let nothing = impact.items == 0;
    view! {
        <Modal labelled_by="delete-title" on_close>
            <h2 id="delete-title">{title}</h2>
            {(!children.is_empty()).then(|| view! { <p>{format!("With them goes everything inside them: {}.", children.join(", "))}</p> })}
            {impact.note.clone().map(|note| view! { <p class="kept" role="note">{note}</p> })}
            {(!impact.unusual.is_empty()).then(|| view! {
                <p>{unusual_heading(impact.unusual.len() as i64, impact.unusual_count)}</p>
                <ul class="had-data" aria-label="Not from a PSA sync">{impact.unusual.iter().map(|(n, why)| view! { <li>{format!("{n}: {why}")}</li> }).collect_view()}</ul>
            })}
            {(!impact.had_data.is_empty()).then(|| view! {
                <p>{had_data_heading(impact.had_data.len() as i64, impact.had_data_count)}</p>
                <ul class="had-data">{impact.had_data.iter().map(|(n, what)| view! { <li>{format!("{n}: {what}")}</li> }).collect_view()}</ul>
            })}
            {until.map(|u| view! { <p class="hint">{u}" A deletion archive of everything removed is kept until then."</p> })}
            {move || error.get().map(|e| view! { <ErrorNotice error=e/> })}
            <div class="dialog-actions">
                <button type="button" class="danger" on:click=ok disabled=move || nothing || start.pending().get()>{confirm}</button>
                <button type="button" class="secondary" autofocus on:click=close>"Cancel"</button>
            </div>
        </Modal>
    }
    .into_any()
}

/// The confirming button's name: "Delete 1,276 configurations", "Delete 40 organizations and
/// 1,412 records inside them".
pub fn confirm_label(impact: &RemovalImpact) -> String {
    let n = impact.items;
    let noun = if n == 1 {
        impact.kind.as_str().to_string()
    } else {
        impact.kind.plural().to_lowercase()
    };
    match impact.inside() {
        0 => format!("Delete {} {noun}", fmt_count(n)),
        1 => format!("Delete {} {noun} and 1 record inside them", fmt_count(n)),
        m => format!(
            "Delete {} {noun} and {} records inside them",
            fmt_count(n),
            fmt_count(m)
        ),
    }
}

/// What the dialog says above the targets no PSA sync made.
fn unusual_heading(listed: i64, count: i64) -> String {
    list_heading(
        listed,
        count,
        "These did not come from a PSA sync",
        &format!("{} of them did not come from a PSA sync", fmt_count(count)),
    )
}

/// What the preview's list of organizations that had data before the first sync says of itself:
/// all of them, or the first ones of how many.
fn had_data_heading(listed: i64, count: i64) -> String {
    list_heading(
        listed,
        count,
        "These organizations had data before the first sync",
        &format!(
            "These {} organizations had data before the first sync",
            fmt_count(count)
        ),
    )
}

/// A list's heading: `all` when it lists every one, else `some` and how many it lists.
fn list_heading(listed: i64, count: i64, all: &str, some: &str) -> String {
    if count > listed {
        format!(
            "{some} (the first {} by name are listed):",
            fmt_count(listed)
        )
    } else {
        format!("{all}:")
    }
}

#[cfg(test)]
mod tests {
    use super::{confirm_label, had_data_heading};
    use crate::model::{ItemKind, RemovalImpact};

    fn impact(kind: ItemKind, items: i64, children: &[i64]) -> RemovalImpact {
        RemovalImpact {
            kind,
            what: String::new(),
            items,
            children: children
                .iter()
                .map(|n| ("configurations".to_string(), *n))
                .collect(),
            had_data: Vec::new(),
            had_data_count: 0,
            kept: 0,
            note: None,
            unusual: Vec::new(),
            unusual_count: 0,
            restorable_until: None,
        }
    }

    #[test]
    fn the_confirming_button_names_the_items_and_every_record_inside_them() {
        assert_eq!(
            confirm_label(&impact(ItemKind::Configuration, 1_276, &[])),
            "Delete 1,276 configurations"
        );
        assert_eq!(
            confirm_label(&impact(ItemKind::Organization, 40, &[1_400, 12, 0])),
            "Delete 40 organizations and 1,412 records inside them"
        );
        assert_eq!(
            confirm_label(&impact(ItemKind::Organization, 1, &[0])),
            "Delete 1 organization"
        );
    }

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
