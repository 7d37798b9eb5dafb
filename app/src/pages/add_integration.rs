//! Account > Integrations > Add integration: choose the PSA, name the integration, enter the
//! PSA's own credentials, Test connection, and add it. Steward checks the credentials with the
//! PSA first (its own message when it refuses them) and reads its types and statuses, all
//! unchecked; the admin then chooses what syncs on the Configuration page and starts the first
//! sync from the Actions menu.

use super::credentials::{CredentialFields, CredentialSignals, FormStatus};
use crate::api::{AddIntegration, TestNewIntegration};
use crate::components::{go_to, AccountNav, Page, Ready};
use crate::error::AppError;
use crate::model::{CredentialsView, NewIntegrationInput, PsaKind};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AddIntegrationPage() -> impl IntoView {
    view! {
        <Title text="Add integration · Steward"/>
        <Page>
            <h1>"Account"</h1>
            <AccountNav/>
            <p><a href="/account/integrations">"< Back"</a></p>
            <h2>"Add integration"</h2>
            <AddIntegrationForm/>
        </Page>
    }
}

/// The PSA, the name, the credentials, Test connection and Add integration (an island: it runs
/// in the browser).
#[island(lazy)]
fn AddIntegrationForm() -> impl IntoView {
    let kind = RwSignal::new(PsaKind::ConnectwiseManage);
    let name = RwSignal::new(String::new());
    let s = CredentialSignals::new(CredentialsView {
        site_url: PsaKind::ConnectwiseManage.default_site().to_string(),
        ..Default::default()
    });
    let status: RwSignal<Option<Result<String, AppError>>> = RwSignal::new(None);
    let test = ServerAction::<TestNewIntegration>::new();
    let add = ServerAction::<AddIntegration>::new();
    // Added: the page goes on to the configuration, and stays busy until it has.
    let leaving = RwSignal::new(false);
    let busy = move || test.pending().get() || add.pending().get() || leaving.get();
    let input = move || NewIntegrationInput {
        kind: kind.get_untracked(),
        name: name.get_untracked(),
        credentials: s.input(),
    };
    Effect::new(move |_| {
        if let Some(result) = test.value().get() {
            status.set(Some(result.map(|_| {
                "Connection works: the PSA accepted these credentials.".to_string()
            })));
        }
    });
    Effect::new(move |_| match add.value().get() {
        Some(Ok(id)) => {
            leaving.set(true);
            go_to(&format!("/account/integrations/{id}/configuration?added=1"));
        }
        Some(Err(e)) => status.set(Some(Err(e))),
        None => {}
    });
    let run_test = move |_| {
        status.set(Some(Ok("Testing the connection…".into())));
        test.dispatch(TestNewIntegration { input: input() });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        status.set(Some(Ok(
            "Checking the credentials and reading the PSA's types and statuses…".into(),
        )));
        add.dispatch(AddIntegration { input: input() });
    };
    view! {
        <Ready>
            <form on:submit=submit class="credentials" novalidate>
                <fieldset>
                    <legend>"PSA"</legend>
                    {PsaKind::ALL.into_iter().map(|k| view! {
                        <label class="check">
                            <input type="radio" name="psa" checked=kind.get_untracked() == k prop:checked=move || kind.get() == k
                                on:change=move |_| {
                                    kind.set(k);
                                    s.switch_to(k);
                                    status.set(None);
                                }/>
                            " " {k.label()}
                        </label>
                    }).collect_view()}
                </fieldset>
                <label>"Name "
                    <input type="text" autocomplete="off" aria-describedby="name-hint"
                        value=name.get_untracked() prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                </label>
                <p id="name-hint" class="hint">"Leave it empty to name the integration after its PSA."</p>
                <CredentialFields kind=kind s/>
                <div class="buttons">
                    <button type="button" class="secondary" on:click=run_test disabled=busy>"Test connection"</button>
                    <button type="submit" disabled=busy>"Add integration"</button>
                </div>
                <FormStatus status/>
            </form>
        </Ready>
    }
}
