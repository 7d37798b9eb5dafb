//! The sign-in page. A user holding a one-time password (a new user, or one whose password an
//! Administrator reset) is asked here for the password that replaces it.

use crate::api::{SignIn, SignInWithNewPassword};
use crate::components::{ErrorNotice, Ready};
use crate::error::ErrorCode;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LoginPage() -> impl IntoView {
    view! {
        <Title text="Sign in · Steward"/>
        <main class="login">
            <h1>"Sign in to Steward"</h1>
            <SignInForms/>
        </main>
    }
}

/// Sign in, and choosing one's password after a one-time one (an island: it runs in the browser).
#[island(lazy)]
fn SignInForms() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let choose = ServerAction::<SignInWithNewPassword>::new();
    let error = move || sign_in.value().get().and_then(Result::err);
    // The last sign-in sent (the action forgets its input once answered), and, when it asked
    // for a new password, its email and one-time password.
    let last = RwSignal::new(None::<SignIn>);
    Effect::new(move |_| {
        if let Some(sent) = sign_in.input().get() {
            last.set(Some(sent));
        }
    });
    let one_time = move || {
        error()
            .filter(|e| e.code == ErrorCode::PasswordChangeRequired)
            .and_then(|_| last.get())
    };
    let chosen_error = move || choose.value().get().and_then(Result::err);
    view! {
        <Ready>
            {move || match one_time() {
                None => view! {
                    <ActionForm action=sign_in>
                        <label>"Email" <input type="email" name="email" autocomplete="username" required/></label>
                        <label>"Password" <input type="password" name="password" autocomplete="current-password" required/></label>
                        <button type="submit" disabled=move || sign_in.pending().get()>"Sign in"</button>
                    </ActionForm>
                    {move || error().map(|e| view! { <ErrorNotice error=e/> })}
                }.into_any(),
                Some(given) => view! {
                    <h2>"Choose your password"</h2>
                    <p>"You signed in with a one-time password. Choose your own: at least 12 characters, not your email address."</p>
                    <ActionForm action=choose>
                        <input type="hidden" name="email" value=given.email.clone()/>
                        <input type="hidden" name="password" value=given.password.clone()/>
                        <label>"New password" <input type="password" name="new_password" autocomplete="new-password" required/></label>
                        <label>"Confirm new password" <input type="password" name="confirm_password" autocomplete="new-password" required/></label>
                        <button type="submit" disabled=move || choose.pending().get()>"Save password and sign in"</button>
                    </ActionForm>
                    {move || chosen_error().map(|e| view! { <ErrorNotice error=e/> })}
                }.into_any(),
            }}
        </Ready>
    }
}
