//! Live progress in the browser: follows the server-sent removal events
//! (`/api/v1/removals/events`) and hands each update to the page. Nothing happens on the server.

use crate::model::RemovalJob;

/// Opens the account's removal event stream for the current reactive owner (it closes with the
/// owner) and calls `on_job` with every update: first the removals going on now, then every
/// change of state or progress. The browser reconnects by itself after a dropped connection.
pub fn follow_removals(on_job: impl Fn(RemovalJob) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let Ok(source) = web_sys::EventSource::new("/api/v1/removals/events") else {
            return;
        };
        let listener =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                if let Some(Ok(job)) = ev
                    .data()
                    .as_string()
                    .map(|text| serde_json::from_str::<RemovalJob>(&text))
                {
                    on_job(job);
                }
            });
        let _ =
            source.add_event_listener_with_callback("removal", listener.as_ref().unchecked_ref());
        let held = send_wrapper::SendWrapper::new((source, listener));
        leptos::prelude::on_cleanup(move || held.0.close());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = on_job;
}
