//! Account > Integrations > Actions > Edit Credentials: the PSA's own fields (ConnectWise
//! Manage's site, company ID, keys and client ID; Autotask's zone discovery address, API user,
//! secret and integration code; HaloPSA's address, tenant, client ID and secret). Saved secrets
//! are never shown back, only whether they are set; Test connection tries the form's values
//! against the PSA and shows the PSA's own answer. `CredentialFields` is shared with Add
//! integration.

use crate::api::{get_credentials, SaveCredentials, TestCredentials};
use crate::components::{ErrorNotice, IntegrationOf, Page, Ready};
use crate::error::AppError;
use crate::model::{CredentialsInput, CredentialsView, IntegrationId, PsaKind};
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
            <IntegrationOf id=Signal::derive(id)/>
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

/// The form's values, one signal per field of any PSA.
#[derive(Clone, Copy)]
pub(crate) struct CredentialSignals {
    site: RwSignal<String>,
    company: RwSignal<String>,
    client: RwSignal<String>,
    public_key: RwSignal<String>,
    private_key: RwSignal<String>,
    username: RwSignal<String>,
    integration_code: RwSignal<String>,
    secret: RwSignal<String>,
    tenant: RwSignal<String>,
    client_secret: RwSignal<String>,
    /// What is saved (which secrets are set, the zone Autotask's discovery found).
    saved: RwSignal<CredentialsView>,
}

impl CredentialSignals {
    pub(crate) fn new(saved: CredentialsView) -> CredentialSignals {
        CredentialSignals {
            site: RwSignal::new(saved.site_url.clone()),
            company: RwSignal::new(saved.company_id.clone()),
            client: RwSignal::new(saved.client_id.clone()),
            public_key: RwSignal::new(String::new()),
            private_key: RwSignal::new(String::new()),
            username: RwSignal::new(saved.username.clone()),
            integration_code: RwSignal::new(saved.integration_code.clone()),
            secret: RwSignal::new(String::new()),
            tenant: RwSignal::new(saved.tenant.clone()),
            client_secret: RwSignal::new(String::new()),
            saved: RwSignal::new(saved),
        }
    }

    pub(crate) fn input(&self) -> CredentialsInput {
        CredentialsInput {
            site_url: self.site.get_untracked(),
            company_id: self.company.get_untracked(),
            client_id: self.client.get_untracked(),
            public_key: self.public_key.get_untracked(),
            private_key: self.private_key.get_untracked(),
            username: self.username.get_untracked(),
            integration_code: self.integration_code.get_untracked(),
            secret: self.secret.get_untracked(),
            tenant: self.tenant.get_untracked(),
            client_secret: self.client_secret.get_untracked(),
        }
    }

    /// After a save: the secrets typed are cleared, the saved state shown.
    pub(crate) fn saved(&self, view: CredentialsView) {
        for s in [
            self.public_key,
            self.private_key,
            self.secret,
            self.client_secret,
        ] {
            s.set(String::new());
        }
        self.saved.set(view);
    }

    /// Another PSA chosen: its own default address.
    pub(crate) fn switch_to(&self, kind: PsaKind) {
        self.site.set(kind.default_site().to_string());
    }
}

/// A labelled text field bound to a signal.
#[component]
fn Field(
    label: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: Option<Signal<String>>,
    #[prop(optional)] hint_id: &'static str,
) -> impl IntoView {
    let described = hint.is_some().then_some(hint_id);
    view! {
        <label>{label}" "
            <input type=kind autocomplete="off" aria-describedby=described
                value=value.get_untracked() prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
        </label>
        {hint.map(|h| view! { <p id=hint_id class="hint">{move || h.get()}</p> })}
    }
}

/// The credential fields of one PSA.
#[component]
pub(crate) fn CredentialFields(
    #[prop(into)] kind: Signal<PsaKind>,
    s: CredentialSignals,
) -> impl IntoView {
    let saved = s.saved;
    let hint = move |f: fn(&CredentialsView) -> bool| {
        Signal::derive(move || key_hint(saved.with(f)).to_string())
    };
    move || {
        match kind.get() {
        PsaKind::ConnectwiseManage => view! {
            <Field label="Site URL" value=s.site kind="url"/>
            <Field label="Company ID" value=s.company/>
            <Field label="Public key" value=s.public_key kind="password" hint=hint(|v| v.public_key_set) hint_id="public-key-hint"/>
            <Field label="Private key" value=s.private_key kind="password" hint=hint(|v| v.private_key_set) hint_id="private-key-hint"/>
            <Field label="Client ID" value=s.client/>
        }
        .into_any(),
        PsaKind::Autotask => view! {
            <Field label="Zone discovery URL" value=s.site kind="url"
                hint=Signal::derive(move || {
                    let zone = saved.with(|v| v.zone_url.clone());
                    if zone.is_empty() {
                        "Autotask's address that finds your zone: https://webservices.autotask.net".to_string()
                    } else {
                        format!("Your zone, found by discovery: {zone}")
                    }
                })
                hint_id="zone-hint"/>
            <Field label="API username" value=s.username/>
            <Field label="Secret" value=s.secret kind="password" hint=hint(|v| v.secret_set) hint_id="secret-hint"/>
            <Field label="API integration code" value=s.integration_code/>
        }
        .into_any(),
        PsaKind::Halopsa => view! {
            <Field label="Halo URL" value=s.site kind="url"/>
            <Field label="Tenant" value=s.tenant
                hint=Signal::derive(|| "Hosted Halo only (the name before .halopsa.com); leave it empty for your own server".to_string())
                hint_id="tenant-hint"/>
            <Field label="Client ID" value=s.client/>
            <Field label="Client secret" value=s.client_secret kind="password" hint=hint(|v| v.client_secret_set) hint_id="client-secret-hint"/>
        }
        .into_any(),
    }
    }
}

/// What a form says after Test connection or Save.
#[component]
pub(crate) fn FormStatus(status: RwSignal<Option<Result<String, AppError>>>) -> impl IntoView {
    view! {
        <div role="status">
            {move || match status.get() {
                Some(Ok(m)) => view! { <p>{m}</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e/> }.into_any(),
                None => ().into_any(),
            }}
        </div>
    }
}

/// The form, Test connection and Save (an island: it runs in the browser).
#[island(lazy)]
fn CredentialsForm(id: IntegrationId, saved: CredentialsView) -> impl IntoView {
    let kind = saved.kind;
    let s = CredentialSignals::new(saved);
    let status: RwSignal<Option<Result<String, AppError>>> = RwSignal::new(None);
    let test = ServerAction::<TestCredentials>::new();
    let save = ServerAction::<SaveCredentials>::new();
    let busy = move || test.pending().get() || save.pending().get();
    Effect::new(move |_| {
        if let Some(result) = test.value().get() {
            status.set(Some(result.map(|_| {
                "Connection works: the PSA accepted these credentials.".to_string()
            })));
        }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(view)) => {
            s.saved(view);
            status.set(Some(Ok(
                "Saved. The next sync uses these credentials.".into()
            )));
        }
        Some(Err(e)) => status.set(Some(Err(e))),
        None => {}
    });
    let run_test = move |_| {
        status.set(Some(Ok("Testing the connection…".into())));
        test.dispatch(TestCredentials {
            integration: id,
            input: s.input(),
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveCredentials {
            integration: id,
            input: s.input(),
        });
    };
    view! {
        <Ready>
        <form on:submit=submit class="credentials" novalidate>
            <CredentialFields kind=Signal::stored(kind) s/>
            <div class="buttons">
                <button type="button" class="secondary" on:click=run_test disabled=busy>"Test connection"</button>
                <button type="submit" disabled=busy>"Save"</button>
            </div>
            <FormStatus status/>
        </form>
        </Ready>
    }
}
