//! The organizations picker of Add user and Edit restrictions: a search that asks the server
//! for a few matching names at a time (an account may hold thousands), the chosen ones listed
//! above it, each with a button to take it off again. None chosen means every organization.

use crate::api::organization_choices;
use crate::components::ErrorNotice;
use crate::model::OrganizationChoice;
use leptos::prelude::*;

#[component]
pub fn OrganizationPicker(
    /// The organizations chosen so far.
    chosen: RwSignal<Vec<OrganizationChoice>>,
) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let matches = super::read_in_browser(move || organization_choices(search.get()));
    let add = move |c: OrganizationChoice| {
        chosen.update(|list| {
            if !list.iter().any(|o| o.id == c.id) {
                list.push(c);
            }
        })
    };
    view! {
        <fieldset class="org-picker">
            <legend>"Restricted to organizations"</legend>
            <p class="hint">
                {move || if chosen.with(Vec::is_empty) {
                    "None chosen: the user sees every organization.".to_string()
                } else {
                    format!("The user sees only these {}:", chosen.with(Vec::len))
                }}
            </p>
            <ul class="chosen" aria-label="Chosen organizations">
                {move || chosen.get().into_iter().map(|c| {
                    let label = format!("Remove {}", c.name);
                    view! {
                        <li>
                            {c.name.clone()}
                            <button type="button" class="icon" aria-label=label
                                on:click=move |_| chosen.update(|l| l.retain(|o| o.id != c.id))>"×"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <input type="search" aria-label="Search organizations" placeholder="Search organizations"
                autocomplete="off" maxlength="200"
                prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
            // Read in the browser (an island's own data): plain reactive content, which hydrates
            // as the server rendered it.
            {move || match matches.get() {
                        None => view! { <p class="hint">"Searching…"</p> }.into_any(),
                        Some(Ok(found)) if found.is_empty() => view! { <p class="hint">"No organization matches."</p> }.into_any(),
                        Some(Ok(found)) => view! {
                            <ul class="matches" aria-label="Matching organizations">
                                {found.into_iter().map(|c| {
                                    let label = format!("Add {}", c.name);
                                    let name = c.name.clone();
                                    let picked = c.clone();
                                    let already = move || chosen.with(|l| l.iter().any(|o| o.id == picked.id));
                                    view! {
                                        <li>
                                            <button type="button" class="secondary" aria-label=label
                                                disabled=already on:click=move |_| add(c.clone())>"+ "{name}</button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Some(Err(error)) => view! { <ErrorNotice error/> }.into_any(),
            }}
        </fieldset>
    }
}
