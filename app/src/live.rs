//! Live progress in the browser: follows the account's one job stream (`/api/v1/events`) and
//! hands each job that changed to the page. A page never asks again on a timer: the server
//! sends what changed when it changes. Nothing happens on the server.

use crate::model::{JobEvent, RemovalJob};

/// Opens the account's job stream for the current reactive owner (it closes with the owner)
/// and calls `on_event` with every update: first the jobs going on now, then every change of
/// state or progress. The browser reconnects by itself after a dropped connection, and the
/// server then also reports the jobs that ended in between.
pub fn follow_jobs(on_event: impl Fn(JobEvent) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use crate::model::{ExportJob, IntegrationId, RestoreJob, SyncRun};
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let Ok(source) = web_sys::EventSource::new("/api/v1/events") else {
            return;
        };
        let on_event = std::rc::Rc::new(on_event);
        let listen = |name: &str, parse: fn(&str) -> Option<JobEvent>| {
            let on_event = on_event.clone();
            let listener =
                Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                    if let Some(event) = ev.data().as_string().and_then(|text| parse(&text)) {
                        on_event(event);
                    }
                });
            let _ =
                source.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
            listener
        };
        let listeners = [
            listen("removal", |t| {
                serde_json::from_str::<RemovalJob>(t)
                    .ok()
                    .map(JobEvent::Removal)
            }),
            listen("restore", |t| {
                serde_json::from_str::<RestoreJob>(t)
                    .ok()
                    .map(JobEvent::Restore)
            }),
            listen("export", |t| {
                serde_json::from_str::<ExportJob>(t)
                    .ok()
                    .map(JobEvent::Export)
            }),
            listen("sync", |t| {
                #[derive(serde::Deserialize)]
                struct Sync {
                    integration: IntegrationId,
                    run: SyncRun,
                }
                serde_json::from_str::<Sync>(t)
                    .ok()
                    .map(|s| JobEvent::Sync {
                        integration: s.integration,
                        run: s.run,
                    })
            }),
        ];
        let held = send_wrapper::SendWrapper::new((source, listeners));
        leptos::prelude::on_cleanup(move || held.0.close());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = on_event;
}

/// [`follow_jobs`] for the removals alone.
pub fn follow_removals(on_job: impl Fn(RemovalJob) + 'static) {
    follow_jobs(move |event| {
        if let JobEvent::Removal(job) = event {
            on_job(job);
        }
    });
}
