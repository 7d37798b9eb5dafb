//! Account > Integrations > Actions > Edit Credentials: the PSA site, company ID, keys and client
//! ID. Saved keys are never shown back, only whether they are set; Test connection tries the
//! form's values against the PSA and shows the PSA's own answer.

use crate::api::{get_credentials, save_credentials, test_credentials};
use crate::components::{ErrorNotice, Page};
use crate::error::AppError;
use crate::model::{CredentialsInput, CredentialsView, IntegrationId};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn CredentialsPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let saved = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_credentials(IntegrationId(id)).await,
            None => Err(AppError::not_found("That integration")),
        }
    });
    view! {
        <Title text="Edit Credentials · Steward"/>
        <Page>
            <p><a href="/account/integrations">"< Back"</a></p>
            <h1>"Edit Credentials"</h1>
            <Suspense fallback=|| view! { <p>"Loading the credentials…"</p> }>
                {move || Suspend::new(async move {
                    match (saved.await, id()) {
                        (Ok(saved), Some(id)) => view! { <CredentialsForm id=IntegrationId(id) saved/> }.into_any(),
                        (Err(error), _) => view! { <ErrorNotice error/> }.into_any(),
                        (Ok(_), None) => view! { <ErrorNotice error=AppError::not_found("That integration")/> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

fn key_hint(set: bool) -> &'static str {
    if set {
        "A key is saved; it is never shown. Leave this empty to keep it."
    } else {
        "No key is saved yet."
    }
}

#[component]
fn CredentialsForm(id: IntegrationId, saved: CredentialsView) -> impl IntoView {
    let site = RwSignal::new(saved.site_url.clone());
    let company = RwSignal::new(saved.company_id.clone());
    let client = RwSignal::new(saved.client_id.clone());
    let public_key = RwSignal::new(String::new());
    let private_key = RwSignal::new(String::new());
    let public_set = RwSignal::new(saved.public_key_set);
    let private_set = RwSignal::new(saved.private_key_set);
    let status: RwSignal<Option<Result<String, AppError>>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let input = move || CredentialsInput {
        site_url: site.get_untracked(),
        company_id: company.get_untracked(),
        client_id: client.get_untracked(),
        public_key: public_key.get_untracked(),
        private_key: private_key.get_untracked(),
    };
    let test = move |_| {
        busy.set(true);
        status.set(Some(Ok("Testing the connection…".into())));
        leptos::task::spawn_local(async move {
            let result = test_credentials(id, input()).await;
            busy.set(false);
            status.set(Some(result.map(|_| {
                "Connection works: the PSA accepted these credentials.".to_string()
            })));
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = save_credentials(id, input()).await;
            busy.set(false);
            match result {
                Ok(view) => {
                    public_key.set(String::new());
                    private_key.set(String::new());
                    public_set.set(view.public_key_set);
                    private_set.set(view.private_key_set);
                    status.set(Some(Ok(
                        "Saved. The next sync uses these credentials.".into()
                    )));
                }
                Err(e) => status.set(Some(Err(e))),
            }
        });
    };
    view! {
        <form on:submit=save class="credentials" novalidate>
            <label>"Site URL" <input type="url" autocomplete="off" prop:value=move || site.get() on:input=move |ev| site.set(event_target_value(&ev))/></label>
            <label>"Company ID" <input type="text" autocomplete="off" prop:value=move || company.get() on:input=move |ev| company.set(event_target_value(&ev))/></label>
            <label>"Public key"
                <input type="password" autocomplete="off" aria-describedby="public-key-hint"
                    prop:value=move || public_key.get() on:input=move |ev| public_key.set(event_target_value(&ev))/>
            </label>
            <p id="public-key-hint" class="hint">{move || key_hint(public_set.get())}</p>
            <label>"Private key"
                <input type="password" autocomplete="off" aria-describedby="private-key-hint"
                    prop:value=move || private_key.get() on:input=move |ev| private_key.set(event_target_value(&ev))/>
            </label>
            <p id="private-key-hint" class="hint">{move || key_hint(private_set.get())}</p>
            <label>"Client ID" <input type="text" autocomplete="off" prop:value=move || client.get() on:input=move |ev| client.set(event_target_value(&ev))/></label>
            <div class="buttons">
                <button type="button" on:click=test disabled=move || busy.get()>"Test connection"</button>
                <button type="submit" disabled=move || busy.get()>"Save"</button>
            </div>
            <div role="status">
                {move || match status.get() {
                    Some(Ok(m)) => view! { <p>{m}</p> }.into_any(),
                    Some(Err(e)) => view! { <ErrorNotice error=e/> }.into_any(),
                    None => ().into_any(),
                }}
            </div>
        </form>
    }
}
