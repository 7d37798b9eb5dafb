//! The browser entry point: hydrates the HTML the server rendered, so the page is interactive
//! without being rendered twice.

/// Called by the generated JS once the WASM has loaded. Pages are lazily loaded routes (their
/// code is split off this module and fetched when first shown), so hydration is asynchronous: it
/// waits for the page's module before it walks the page. Once it is done, the body is marked
/// `data-hydrated` (browser tests wait for that mark instead of sleeping).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // `hydrate_from_async` sets up Leptos' executor on its first poll.
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else {
            return;
        };
        let app = leptos::mount::hydrate_from_async(body.clone(), app::App).await;
        // The page stays hydrated for the life of the tab.
        app.forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
