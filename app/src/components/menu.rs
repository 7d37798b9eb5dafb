//! The "Actions" menu button (the WAI-ARIA menu button pattern): opening it focuses its first
//! item; ArrowDown and ArrowUp move between the items (wrapping), Home and End go to the ends;
//! Escape closes it and gives focus back to the button. It is disabled until it works.

use leptos::prelude::*;

#[component]
pub fn MenuButton(
    /// Whether the menu is open; items close it when chosen.
    open: RwSignal<bool>,
    /// The `<li role="none">` items, each holding one `role="menuitem"`.
    children: ChildrenFn,
) -> impl IntoView {
    let button = NodeRef::<leptos::html::Button>::new();
    let list = NodeRef::<leptos::html::Ul>::new();
    // Drawn disabled until the island's code runs (an effect runs only in the browser, once it
    // has): a click made before then would be lost, so it waits for the button instead.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    Effect::new(move |was_open: Option<bool>| {
        let now = open.get();
        if let (true, Some(ul)) = (now, list.get()) {
            focus::item(&ul, focus::Move::First);
        }
        // A chosen item closes the menu and leaves the page: focus goes back to the button
        // (a dialog the item opens returns it there when it closes).
        if was_open == Some(true) && !now {
            if let Some(b) = button.get_untracked() {
                focus::back_to(&b);
            }
        }
        now
    });
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        let Some(ul) = list.get_untracked() else {
            return;
        };
        let to = match ev.key().as_str() {
            "ArrowDown" => focus::Move::Next,
            "ArrowUp" => focus::Move::Previous,
            "Home" => focus::Move::First,
            "End" => focus::Move::Last,
            "Escape" => {
                open.set(false);
                if let Some(b) = button.get_untracked() {
                    let _ = b.focus();
                }
                ev.prevent_default();
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        focus::item(&ul, to);
    };
    view! {
        <div class="menu">
            <button type="button" node_ref=button aria-haspopup="menu" disabled=move || !ready.get()
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>"Actions"</button>
            <Show when=move || open.get()>
                <ul role="menu" class="menu-list" node_ref=list on:keydown=keydown>{children()}</ul>
            </Show>
        </div>
    }
}

/// Moving the focus among a menu's items (in the browser; nothing to do on the server).
mod focus {
    pub enum Move {
        First,
        Last,
        Next,
        Previous,
    }

    #[cfg(feature = "hydrate")]
    pub fn item(ul: &web_sys::HtmlUListElement, to: Move) {
        use wasm_bindgen::JsCast;
        let Ok(nodes) = ul.query_selector_all("[role=menuitem]") else {
            return;
        };
        let items: Vec<web_sys::HtmlElement> = (0..nodes.length())
            .filter_map(|i| nodes.item(i))
            .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            .collect();
        if items.is_empty() {
            return;
        }
        let active = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element());
        let at = items.iter().position(|i| {
            active
                .as_ref()
                .is_some_and(|a| a == i.unchecked_ref::<web_sys::Element>())
        });
        let n = items.len();
        let next = match (to, at) {
            (Move::First, _) | (Move::Next, None) => 0,
            (Move::Last, _) | (Move::Previous, None) => n - 1,
            (Move::Next, Some(i)) => (i + 1) % n,
            (Move::Previous, Some(i)) => (i + n - 1) % n,
        };
        let _ = items[next].focus();
    }

    /// Focuses the button when nothing else has focus (the chosen item left the page).
    #[cfg(feature = "hydrate")]
    pub fn back_to(button: &web_sys::HtmlButtonElement) {
        let document = web_sys::window().and_then(|w| w.document());
        let lost = document.as_ref().is_none_or(|d| {
            d.active_element().is_none() || d.active_element() == d.body().map(|b| b.into())
        });
        if lost {
            let _ = button.focus();
        }
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn item<T>(_ul: &T, _to: Move) {}

    #[cfg(not(feature = "hydrate"))]
    pub fn back_to<T>(_button: &T) {}
}
