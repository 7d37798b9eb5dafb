//! The browser entry point: hydrates the page's islands, its interactive parts (the rest of the
//! page is the server's HTML as it is, and needs no code here).

// Each island's hydration function is exported from the app crate (`#[island]`), which the
// call below links in.

/// Called by the island script (app/src/island_script.js) once the WASM has loaded, before it
/// hydrates each island it finds in the page.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::start_islands();
}
