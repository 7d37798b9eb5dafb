//! The browser entry point: hydrates the HTML the server rendered, so the page is interactive
//! without being rendered twice.

/// Called by the generated JS once the WASM has loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
