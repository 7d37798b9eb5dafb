//! Pieces of UI shared by several pages.

mod delete_dialog;
mod layout;
mod menu;
mod modal;
mod org_picker;
mod pager;
mod plug;
mod removal;

pub use delete_dialog::*;
pub use layout::*;
pub use menu::*;
pub use modal::*;
pub use org_picker::*;
pub use pager::*;
pub use plug::*;
pub use removal::*;

/// False until the island that calls it runs in the browser (an effect runs only there, once
/// it has): a control drawn `disabled=move || !ready.get()` is disabled in the server's page,
/// so a click made before the page's code arrives waits for the control instead of being lost.
pub fn hydrated() -> leptos::prelude::ReadSignal<bool> {
    use leptos::prelude::*;
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    ready.read_only()
}

/// An island's controls, disabled together (a borderless `<fieldset disabled>`) until the
/// island runs: no control is drawn enabled before it works, and a click or a keystroke made
/// earlier waits for it instead of being lost.
#[leptos::component]
pub fn Ready(children: leptos::prelude::Children) -> impl leptos::prelude::IntoView {
    use leptos::prelude::*;
    let ready = hydrated();
    view! { <fieldset class="ready" disabled=move || !ready.get()>{children()}</fieldset> }
}

/// A row's checkbox ("Select Acme Corp"), ticking `id` in `ticked` (inside an island's
/// `Ready`, it waits for the island like every control).
#[leptos::component]
pub fn TickBox(
    name: String,
    id: i64,
    ticked: leptos::prelude::RwSignal<std::collections::BTreeSet<i64>>,
) -> impl leptos::prelude::IntoView {
    use leptos::prelude::*;
    view! {
        <input type="checkbox" aria-label=format!("Select {name}")
            prop:checked=move || ticked.with(|t| t.contains(&id))
            on:change=move |ev| {
                let on = event_target_checked(&ev);
                ticked.update(|t| { if on { t.insert(id); } else { t.remove(&id); } });
            }/>
    }
}

/// Loads another page (there is no router in the browser: a page is the server's).
pub fn go_to(href: &str) {
    let _ = leptos::prelude::window().location().set_href(href);
}

/// Data an island reads in the browser (the server renders it as not read yet: None). `fetch`
/// is called again whenever a signal it reads (before its future starts) changes; the last value
/// stays shown while the next is read, and when reads overlap the last one asked wins. Unlike a
/// Puts `item` into `list` in place of the one with the same id, or adds it: newest (highest
/// id) first, as every list of jobs is shown.
pub fn upsert<T, K: Ord>(list: &mut Vec<T>, item: T, id: impl Fn(&T) -> K) {
    match list.iter_mut().find(|j| id(j) == id(&item)) {
        Some(j) => *j = item,
        None => {
            list.push(item);
            list.sort_by_key(|j| std::cmp::Reverse(id(j)));
        }
    }
}

/// `LocalResource`, reading it on the server does not hold up the page's `Suspense`.
pub fn read_in_browser<T, Fut>(
    fetch: impl Fn() -> Fut + 'static,
) -> leptos::prelude::ReadSignal<Option<T>>
where
    T: Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + 'static,
{
    use leptos::prelude::*;
    let data = RwSignal::new(None);
    let latest = std::rc::Rc::new(std::cell::Cell::new(0u64));
    Effect::new(move |_| {
        let read = fetch();
        let n = latest.get() + 1;
        latest.set(n);
        let latest = latest.clone();
        leptos::task::spawn_local(async move {
            let v = read.await;
            if latest.get() == n {
                data.set(Some(v));
            }
        });
    });
    data.read_only()
}

/// Data an island starts with (the server's copy, from its props) and reads again, in the
/// browser, each time what `key` reads changes (a sort, a page, a version bumped after an
/// action). `fetch` answers None to keep what is shown (it says why itself); when reads overlap,
/// the last one asked wins.
pub fn reread<K, T, Fut>(
    initial: T,
    key: impl Fn() -> K + 'static,
    fetch: impl Fn(K) -> Fut + 'static,
) -> leptos::prelude::RwSignal<T>
where
    K: 'static,
    T: Send + Sync + 'static,
    Fut: std::future::Future<Output = Option<T>> + 'static,
{
    use leptos::prelude::*;
    let data = RwSignal::new(initial);
    let latest = std::rc::Rc::new(std::cell::Cell::new(0u64));
    Effect::new(move |first: Option<()>| {
        let k = key();
        if first.is_some() {
            let n = latest.get() + 1;
            latest.set(n);
            let read = fetch(k);
            let latest = latest.clone();
            leptos::task::spawn_local(async move {
                if let Some(v) = read.await {
                    if latest.get() == n {
                        data.set(v);
                    }
                }
            });
        }
    });
    data
}

/// 1243 -> "1,243".
pub fn fmt_count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(super::fmt_count(0), "0");
        assert_eq!(super::fmt_count(999), "999");
        assert_eq!(super::fmt_count(1243), "1,243");
        assert_eq!(super::fmt_count(1_000_000), "1,000,000");
        assert_eq!(super::fmt_count(-4500), "-4,500");
    }
}
