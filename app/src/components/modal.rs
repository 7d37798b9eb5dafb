//! A real modal dialog: a native `<dialog>` opened with `showModal()`, so the page behind it is
//! inert under a backdrop. Focus moves into it (to the element marked `autofocus`, else the
//! first control) and Tab stays inside it; Escape closes it like Cancel, and closing gives focus
//! back to what had it before (a menu's Actions button, when a menu item opened it).

use leptos::prelude::*;

#[component]
pub fn Modal(
    /// The id of the heading that names the dialog.
    labelled_by: &'static str,
    /// Escape (and the page closing the dialog) runs this; Cancel buttons call it themselves.
    on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move |_| {
        if let Some(d) = dialog.get() {
            browser::open(&d);
        }
    });
    on_cleanup(browser::return_focus());
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Tab" {
            if let Some(d) = dialog.get_untracked() {
                browser::keep_tab_inside(&d, &ev);
            }
        }
    };
    view! {
        <dialog node_ref=dialog class="dialog" aria-labelledby=labelled_by aria-modal="true"
            on:keydown=keydown
            on:cancel=move |ev: leptos::ev::Event| { ev.prevent_default(); on_close.run(()); }>
            {children()}
        </dialog>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;
    use wasm_bindgen::JsCast;
    use web_sys::{HtmlDialogElement, HtmlElement};

    thread_local! {
        /// The open dialog, and what had focus when it opened.
        static OPEN: RefCell<Option<(HtmlDialogElement, Option<HtmlElement>)>> =
            const { RefCell::new(None) };
    }

    fn active() -> Option<HtmlElement> {
        web_sys::window()?
            .document()?
            .active_element()?
            .dyn_into::<HtmlElement>()
            .ok()
    }

    pub fn open(d: &HtmlDialogElement) {
        if d.open() {
            return;
        }
        let before = active();
        let _ = d.show_modal();
        OPEN.with(|o| *o.borrow_mut() = Some((d.clone(), before)));
    }

    /// Run when the dialog leaves the page: it is closed first (while it is modal the page
    /// behind it is inert and cannot take focus), then focus goes back where it was, if that is
    /// still on the page.
    pub fn return_focus() -> impl FnOnce() + Send + Sync + 'static {
        || {
            if let Some((d, before)) = OPEN.with(|o| o.borrow_mut().take()) {
                d.close();
                if let Some(el) = before.filter(|el| el.is_connected()) {
                    let _ = el.focus();
                }
            }
        }
    }

    fn controls(d: &HtmlDialogElement) -> Vec<HtmlElement> {
        let Ok(nodes) = d.query_selector_all(
            "button:not([disabled]), input:not([disabled]), select:not([disabled]), \
             textarea:not([disabled]), a[href], [tabindex]:not([tabindex='-1'])",
        ) else {
            return Vec::new();
        };
        (0..nodes.length())
            .filter_map(|i| nodes.item(i))
            .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
            .collect()
    }

    /// Tab from the last control goes to the first, Shift+Tab from the first to the last.
    pub fn keep_tab_inside(d: &HtmlDialogElement, ev: &web_sys::KeyboardEvent) {
        let all = controls(d);
        let (Some(first), Some(last)) = (all.first(), all.last()) else {
            ev.prevent_default();
            return;
        };
        let now = active();
        let inside = now.as_ref().is_some_and(|a| all.iter().any(|c| c == a));
        if ev.shift_key() && (!inside || now.as_ref() == Some(first)) {
            ev.prevent_default();
            let _ = last.focus();
        } else if !ev.shift_key() && (!inside || now.as_ref() == Some(last)) {
            ev.prevent_default();
            let _ = first.focus();
        }
    }
}

#[cfg(not(feature = "hydrate"))]
mod browser {
    pub fn open<T>(_d: &T) {}
    pub fn return_focus() -> impl FnOnce() + Send + Sync + 'static {
        || {}
    }
    pub fn keep_tab_inside<T, E>(_d: &T, _ev: &E) {}
}

/// The typed confirmation of what cannot be undone: "Type 1,204 to confirm". The confirming
/// button stays disabled until `typed_matches`.
#[component]
pub fn TypedCount(expected: i64, typed: RwSignal<String>) -> impl IntoView {
    view! {
        <label class="typed">{format!("Type {} to confirm", super::fmt_count(expected))}
            <input type="text" inputmode="numeric" autocomplete="off" prop:value=move || typed.get()
                on:input=move |ev| typed.set(event_target_value(&ev))/>
        </label>
    }
}

/// Whether what was typed is the number (digits, thousands separators allowed).
pub fn typed_matches(typed: &str, expected: i64) -> bool {
    typed.trim().replace(',', "").parse::<i64>() == Ok(expected)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_typed_count_matches_only_the_number() {
        assert!(super::typed_matches("1,204", 1_204));
        assert!(super::typed_matches(" 1204 ", 1_204));
        assert!(!super::typed_matches("", 0));
        assert!(!super::typed_matches("1,203", 1_204));
        assert!(!super::typed_matches("1204x", 1_204));
    }
}
