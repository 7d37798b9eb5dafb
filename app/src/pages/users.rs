//! Account > Users (Administrators): the account's users with their role, state and last
//! sign-in; Add user (a one-time password shown once, replaced by the user at their first
//! sign-in), optionally restricted to some organizations; a user's role, Edit restrictions,
//! Deactivate / Reactivate and Reset password (the row's Actions menu). The server refuses
//! what would leave the account without an active Administrator, and says so.

use crate::api::{
    add_user, list_users, reset_user_password, set_user_active, set_user_restrictions,
    set_user_role,
};
use crate::components::{reread, AccountNav, ErrorNotice, MenuButton, OrganizationPicker, Page};
use crate::error::AppError;
use crate::model::{NewUserInput, OneTimePassword, OrganizationChoice, Role, UserSummary};
use leptos::prelude::*;
use leptos_meta::Title;

/// What the page last said: a one-time password to hand over, a confirmation, or an error.
#[derive(Debug, Clone, PartialEq)]
enum Said {
    Password(OneTimePassword, &'static str),
    Done(String),
    Failed(AppError),
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let users = Resource::new(|| (), |_| list_users());
    view! {
        <Title text="Users · Steward"/>
        <Page>
            <h1>"Account"</h1>
            <AccountNav/>
            <h2>"Users"</h2>
            <Suspense fallback=|| view! { <p>"Loading the users…"</p> }>
                {move || Suspend::new(async move {
                    match users.await {
                        // Add user only for those who may (the list says so: it is refused otherwise).
                        Ok(list) => view! { <UsersPanel list/> }.into_any(),
                        Err(error) => view! { <div role="status" class="said"></div><ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

/// Add user, the users with their Actions menus, Edit restrictions, and what the page last said
/// (an island: it runs in the browser, and reads the list again after each change).
#[island(lazy)]
fn UsersPanel(list: Vec<UserSummary>) -> impl IntoView {
    let version = RwSignal::new(0u32);
    let said: RwSignal<Option<Said>> = RwSignal::new(None);
    let list = reread(
        list,
        move || version.get(),
        move |_| async move {
            list_users()
                .await
                .map_err(|e| said.set(Some(Said::Failed(e))))
                .ok()
        },
    );
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let organizations: RwSignal<Vec<OrganizationChoice>> = RwSignal::new(Vec::new());
    let editing: RwSignal<Option<UserSummary>> = RwSignal::new(None);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = NewUserInput {
            name: name.get_untracked(),
            email: email.get_untracked(),
            role: Role::parse(&role.get_untracked()),
            organizations: organizations.with_untracked(|l| l.iter().map(|o| o.id).collect()),
        };
        leptos::task::spawn_local(async move {
            match add_user(input).await {
                Ok(p) => {
                    name.set(String::new());
                    email.set(String::new());
                    organizations.set(Vec::new());
                    said.set(Some(Said::Password(p, "added")));
                    version.update(|n| *n += 1);
                }
                Err(e) => said.set(Some(Said::Failed(e))),
            }
        });
    };
    view! {
            <div role="status" class="said">
                {move || said.get().map(|s| match s {
                    Said::Password(p, what) => view! {
                        <p>
                            {format!("{} was {what}. Their one-time password is ", p.email)}
                            <code>{p.password}</code>
                            ". It is shown only this once: give it to them; they choose their own password when they first sign in."
                        </p>
                    }.into_any(),
                    Said::Done(m) => view! { <p>{m}</p> }.into_any(),
                    Said::Failed(error) => view! { <ErrorNotice error/> }.into_any(),
                })}
            </div>
                            <form on:submit=add class="add-user" aria-labelledby="add-user-title">
                                <h3 id="add-user-title">"Add user"</h3>
                                <label>"Name " <input type="text" autocomplete="off" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
                                <label>"Email " <input type="email" autocomplete="off" prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/></label>
                                <label>"Role "
                                    <select prop:value=move || role.get() on:change=move |ev| role.set(event_target_value(&ev))>
                                        <option value="">"Choose a role"</option>
                                        {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                                    </select>
                                </label>
                                <OrganizationPicker chosen=organizations/>
                                <button type="submit">"Add user"</button>
                            </form>
                            {move || view! { <UserTable list=list.get() said version editing/> }}
            {move || editing.get().map(|u| view! { <EditRestrictions u said version editing/> })}
    }
}

#[component]
fn UserTable(
    list: Vec<UserSummary>,
    said: RwSignal<Option<Said>>,
    version: RwSignal<u32>,
    editing: RwSignal<Option<UserSummary>>,
) -> impl IntoView {
    view! {
        <table>
            <thead>
                <tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Restrictions"</th><th scope="col">"State"</th><th scope="col">"Last sign-in"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr>
            </thead>
            <tbody>
                {list.into_iter().map(|u| view! { <UserRow u said version editing/> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn UserRow(
    u: UserSummary,
    said: RwSignal<Option<Said>>,
    version: RwSignal<u32>,
    editing: RwSignal<Option<UserSummary>>,
) -> impl IntoView {
    let id = u.id;
    let open = RwSignal::new(false);
    let done = move |result: Result<UserSummary, AppError>, what: &'static str| match result {
        Ok(now) => {
            said.set(Some(Said::Done(format!("{} {what}.", now.email))));
            version.update(|n| *n += 1);
        }
        Err(e) => {
            said.set(Some(Said::Failed(e)));
            version.update(|n| *n += 1);
        }
    };
    let change_role = move |ev: leptos::ev::Event| {
        let Some(role) = Role::parse(&event_target_value(&ev)) else {
            return;
        };
        leptos::task::spawn_local(async move {
            done(set_user_role(id, role).await, "has a new role");
        });
    };
    let active = u.active;
    let toggle = move |_| {
        open.set(false);
        leptos::task::spawn_local(async move {
            let what = if active {
                "is deactivated; their sessions ended"
            } else {
                "is active again"
            };
            done(set_user_active(id, !active).await, what);
        });
    };
    let reset = move |_| {
        open.set(false);
        leptos::task::spawn_local(async move {
            match reset_user_password(id).await {
                Ok(p) => said.set(Some(Said::Password(
                    p,
                    "given a new one-time password; their sessions ended",
                ))),
                Err(e) => said.set(Some(Said::Failed(e))),
            }
        });
    };
    let state = match (u.active, u.must_change_password) {
        (false, _) => "Deactivated",
        (true, true) => "Active · one-time password",
        (true, false) => "Active",
    };
    let last = u
        .last_sign_in_at
        .as_ref()
        .map(crate::model::time::utc)
        .unwrap_or_else(|| "Never".into());
    let current = u.role.as_str();
    let restrictions = restrictions_text(&u.organizations);
    let edit = {
        let u = u.clone();
        move |_| {
            open.set(false);
            editing.set(Some(u.clone()));
        }
    };
    view! {
        <tr>
            <th scope="row">{u.name.clone()}</th>
            <td>{u.email.clone()}</td>
            <td>
                <select aria-label=format!("Role of {}", u.name) on:change=change_role>
                    {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=r.as_str() == current>{r.label()}</option> }).collect_view()}
                </select>
            </td>
            <td>{restrictions}</td>
            <td>{state}</td>
            <td>{last}</td>
            <td>
                <MenuButton open>
                    <li role="none"><button type="button" role="menuitem" on:click=edit.clone()>"Edit restrictions"</button></li>
                    <li role="none"><button type="button" role="menuitem" on:click=toggle>{if u.active { "Deactivate" } else { "Reactivate" }}</button></li>
                    <li role="none"><button type="button" role="menuitem" on:click=reset>"Reset password"</button></li>
                </MenuButton>
            </td>
        </tr>
    }
}

/// "Every organization", or the first few names and how many more.
fn restrictions_text(organizations: &[OrganizationChoice]) -> String {
    match organizations.len() {
        0 => "Every organization".into(),
        n if n <= 3 => organizations
            .iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        n => format!(
            "{} and {} more",
            organizations[..2]
                .iter()
                .map(|o| o.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            n - 2
        ),
    }
}

/// Edit restrictions of one user: the picker, filled with what they have now.
#[component]
fn EditRestrictions(
    u: UserSummary,
    said: RwSignal<Option<Said>>,
    version: RwSignal<u32>,
    editing: RwSignal<Option<UserSummary>>,
) -> impl IntoView {
    let chosen = RwSignal::new(u.organizations.clone());
    let id = u.id;
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let ids = chosen.with_untracked(|l| l.iter().map(|o| o.id).collect());
        leptos::task::spawn_local(async move {
            match set_user_restrictions(id, ids).await {
                Ok(now) => {
                    said.set(Some(Said::Done(format!(
                        "{} now sees {}.",
                        now.email,
                        if now.restricted {
                            format!("only {} organizations", now.organizations.len())
                        } else {
                            "every organization".to_string()
                        }
                    ))));
                    editing.set(None);
                    version.update(|n| *n += 1);
                }
                Err(e) => said.set(Some(Said::Failed(e))),
            }
        });
    };
    let title = format!("Restrictions of {}", u.name);
    let heading = title.clone();
    view! {
        <form on:submit=save class="edit-restrictions" aria-label=title>
            <h3>{heading}</h3>
            <OrganizationPicker chosen/>
            <button type="submit">"Save restrictions"</button>
            " "
            <button type="button" class="secondary" on:click=move |_| editing.set(None)>"Cancel"</button>
        </form>
    }
}
