//! Account > Password: every user changes their own password (the current one required; at
//! least 12 characters, not their email). Their sessions end; they sign in again.

use crate::api::ChangePassword;
use crate::components::{AccountNav, ErrorNotice, Page, Ready};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PasswordPage() -> impl IntoView {
    view! {
        <Title text="Password · Steward"/>
        <Page>
            <h1>"Account"</h1>
            <AccountNav/>
            <h2>"Change your password"</h2>
            <ChangePasswordForm/>
        </Page>
    }
}

/// The form and what it answered (an island: it runs in the browser).
#[island(lazy)]
fn ChangePasswordForm() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    view! {
        <Ready>
            {move || match change.value().get() {
                Some(Ok(())) => view! {
                    <p role="status">"Password changed. Your sessions ended: " <a href="/login">"sign in again"</a> " with your new password."</p>
                }.into_any(),
                other => view! {
                    <ActionForm action=change>
                        <label>"Current password" <input type="password" name="current_password" autocomplete="current-password" required/></label>
                        <label>"New password" <input type="password" name="new_password" autocomplete="new-password" required/></label>
                        <label>"Confirm new password" <input type="password" name="confirm_password" autocomplete="new-password" required/></label>
                        <p class="hint">"At least 12 characters, and not your email address."</p>
                        <button type="submit" disabled=move || change.pending().get()>"Change password"</button>
                    </ActionForm>
                    {other.and_then(Result::err).map(|error| view! { <ErrorNotice error/> })}
                }.into_any(),
            }}
        </Ready>
    }
}
