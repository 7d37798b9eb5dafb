//! The links to the pages before and after one page of a long list.

use leptos::prelude::*;

/// A link to another page: where it goes and what it says ("Older entries").
pub type PageLink = (String, &'static str);

/// The links to the page before and after this one, each only where there is one, in a
/// navigation landmark named `label` ("Activity log pages"); nothing when there is neither.
#[component]
pub fn Pager(
    label: &'static str,
    before: Option<PageLink>,
    after: Option<PageLink>,
) -> impl IntoView {
    (before.is_some() || after.is_some()).then(|| {
        view! {
            <nav aria-label=label class="pager">
                {before.map(|(href, text)| view! { <a href=href>{text}</a> })}
                {after.map(|(href, text)| view! { <a href=href>{text}</a> })}
            </nav>
        }
    })
}
