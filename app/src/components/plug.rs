//! The plug icon that shows an item's sync state, and its legend.

use crate::model::SyncState;
use leptos::prelude::*;

/// The plug icon for a sync state; stand-alone items (None) have no plug.
#[component]
pub fn Plug(state: Option<SyncState>) -> impl IntoView {
    state.map(|state| {
        let class = format!("plug plug-{}", state.as_str());
        let shape = if state == SyncState::Error {
            // A warning triangle.
            view! { <path d="M8 1.5 15 14.5H1Z M7.25 6h1.5v4.5h-1.5z M7.25 11.5h1.5V13h-1.5z" fill-rule="evenodd"/> }
                .into_any()
        } else {
            // A plug: two prongs, a body and a cord.
            view! { <path d="M5 1h1.5v4H5zM9.5 1H11v4H9.5zM3.5 5h9v3.5a4.5 4.5 0 0 1-3.75 4.44V15h-1.5v-2.06A4.5 4.5 0 0 1 3.5 8.5z"/> }
                .into_any()
        };
        view! {
            <span class=class role="img" aria-label=state.label() title=state.label()>
                <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" fill="currentColor">{shape}</svg>
            </span>
        }
    })
}

/// Explains the four plugs (and the absence of one).
#[component]
pub fn PlugLegend() -> impl IntoView {
    view! {
        <aside class="legend" aria-label="Plug legend">
            <h2 class="legend-title">"Plug legend"</h2>
            <ul>
                {SyncState::ALL
                    .iter()
                    .map(|s| view! { <li><Plug state=Some(*s)/>" "{s.explanation()}</li> })
                    .collect_view()}
                <li><span class="plug plug-none" aria-hidden="true"></span>"No plug: stand-alone, not linked to the PSA"</li>
            </ul>
        </aside>
    }
}
