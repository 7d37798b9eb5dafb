//! The sign-in page.

use crate::api::SignIn;
use crate::components::ErrorNotice;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LoginPage() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let error = move || sign_in.value().get().and_then(Result::err);
    view! {
        <Title text="Sign in · Steward"/>
        <main class="login">
            <h1>"Sign in to Steward"</h1>
            <ActionForm action=sign_in>
                <label>"Email" <input type="email" name="email" autocomplete="username" required/></label>
                <label>"Password" <input type="password" name="password" autocomplete="current-password" required/></label>
                <button type="submit" disabled=move || sign_in.pending().get()>"Sign in"</button>
            </ActionForm>
            {move || error().map(|e| view! { <ErrorNotice error=e/> })}
        </main>
    }
}
