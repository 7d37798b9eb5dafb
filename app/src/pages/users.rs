//! Account > Users (Administrators): the account's users with their role, state and last
//! sign-in; Add user (a one-time password shown once, replaced by the user at their first
//! sign-in), optionally restricted to some organizations; a user's role, Edit restrictions,
//! Deactivate / Reactivate and Reset password (the row's Actions menu). The server refuses
//! what would leave the account without an active Administrator, and says so.

use crate::api::{
    list_users, AddUser, ResetUserPassword, SetUserActive, SetUserRestrictions, SetUserRole,
};
use crate::components::{
    reread, AccountNav, ErrorNotice, MenuButton, OrganizationPicker, Page, Ready,
};
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

/// The page's server actions: each answers in `said`, and the list is read again after each.
#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddUser>,
    role: ServerAction<SetUserRole>,
    active: ServerAction<SetUserActive>,
    reset: ServerAction<ResetUserPassword>,
    restrict: ServerAction<SetUserRestrictions>,
}

impl Actions {
    fn new() -> Self {
        Actions {
            add: ServerAction::new(),
            role: ServerAction::new(),
            active: ServerAction::new(),
            reset: ServerAction::new(),
            restrict: ServerAction::new(),
        }
    }

    /// Changes with every finished action: the list's key.
    fn version(&self) -> [usize; 5] {
        [
            self.add.version().get(),
            self.role.version().get(),
            self.active.version().get(),
            self.reset.version().get(),
            self.restrict.version().get(),
        ]
    }

    /// What the page says after each action ends.
    fn answer_in(self, said: RwSignal<Option<Said>>) {
        fn on<I, O: Clone + Send + Sync + 'static>(
            action: ServerAction<I>,
            said: RwSignal<Option<Said>>,
            answer: impl Fn(O) -> Said + 'static,
        ) where
            I: leptos::server_fn::ServerFn<Output = O, Error = AppError>
                + Clone
                + Send
                + Sync
                + 'static,
        {
            Effect::new(move |_| match action.value().get() {
                Some(Ok(o)) => said.set(Some(answer(o))),
                Some(Err(e)) => said.set(Some(Said::Failed(e))),
                None => {}
            });
        }
        on(self.add, said, |p| Said::Password(p, "added"));
        on(self.role, said, |u: UserSummary| {
            Said::Done(format!("{} has a new role.", u.email))
        });
        on(self.active, said, |u: UserSummary| {
            Said::Done(if u.active {
                format!("{} is active again.", u.email)
            } else {
                format!("{} is deactivated; their sessions ended.", u.email)
            })
        });
        on(self.reset, said, |p| {
            Said::Password(p, "given a new one-time password; their sessions ended")
        });
        on(self.restrict, said, |u: UserSummary| {
            Said::Done(format!(
                "{} now sees {}.",
                u.email,
                if u.restricted {
                    format!("only {} organizations", u.organizations.len())
                } else {
                    "every organization".to_string()
                }
            ))
        });
    }
}

/// Add user, the users with their Actions menus, Edit restrictions, and what the page last said
/// (an island: it runs in the browser, and reads the list again after each change).
#[island(lazy)]
fn UsersPanel(list: Vec<UserSummary>) -> impl IntoView {
    let actions = Actions::new();
    let said: RwSignal<Option<Said>> = RwSignal::new(None);
    actions.answer_in(said);
    let list = reread(
        list,
        move || actions.version(),
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
    // An added user empties the form; a refused one leaves it as it was, to correct.
    Effect::new(move |_| {
        if let Some(Ok(_)) = actions.add.value().get() {
            name.set(String::new());
            email.set(String::new());
            organizations.set(Vec::new());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = actions.restrict.value().get() {
            editing.set(None);
        }
    });
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = NewUserInput {
            name: name.get_untracked(),
            email: email.get_untracked(),
            role: Role::parse(&role.get_untracked()),
            organizations: organizations.with_untracked(|l| l.iter().map(|o| o.id).collect()),
        };
        actions.add.dispatch(AddUser { input });
    };
    view! {
        <Ready>
            <div role="status" class="said">
                {move || said.get().map(|s| match s {
                    Said::Password(p, what) => view! {
                        <p>
                            {format!("{} was {what}. Their one-time password is ", p.email)}
                            <code class="secret">{p.password.clone()}</code>
                            " "<CopyButton text=p.password.clone()/>
                            " It is shown only this once: give it to them; they choose their own password when they first sign in."
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
                                <button type="submit" disabled=move || actions.add.pending().get()>"Add user"</button>
                            </form>
                            {move || view! { <UserTable list=list.get() actions editing/> }}
            {move || editing.get().map(|u| view! { <EditRestrictions u actions editing/> })}
        </Ready>
    }
}

#[component]
fn UserTable(
    list: Vec<UserSummary>,
    actions: Actions,
    editing: RwSignal<Option<UserSummary>>,
) -> impl IntoView {
    view! {
        <div class="table-box" tabindex="0"><table>
            <thead>
                <tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Restrictions"</th><th scope="col">"State"</th><th scope="col">"Last sign-in"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr>
            </thead>
            <tbody>
                {list.into_iter().map(|u| view! { <UserRow u actions editing/> }).collect_view()}
            </tbody>
        </table></div>
    }
}

#[component]
fn UserRow(
    u: UserSummary,
    actions: Actions,
    editing: RwSignal<Option<UserSummary>>,
) -> impl IntoView {
    let target = u.id;
    let open = RwSignal::new(false);
    let change_role = move |ev: leptos::ev::Event| {
        if let Some(role) = Role::parse(&event_target_value(&ev)) {
            actions.role.dispatch(SetUserRole { target, role });
        }
    };
    let active = u.active;
    let toggle = move |_| {
        open.set(false);
        actions.active.dispatch(SetUserActive {
            target,
            active: !active,
        });
    };
    let reset = move |_| {
        open.set(false);
        actions.reset.dispatch(ResetUserPassword { target });
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
    actions: Actions,
    editing: RwSignal<Option<UserSummary>>,
) -> impl IntoView {
    let chosen = RwSignal::new(u.organizations.clone());
    let target = u.id;
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let organizations = chosen.with_untracked(|l| l.iter().map(|o| o.id).collect());
        actions.restrict.dispatch(SetUserRestrictions {
            target,
            organizations,
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

/// Copies a one-time secret to the clipboard, and says so.
#[component]
fn CopyButton(text: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let _ = window().navigator().clipboard().write_text(&text);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
        copied.set(true);
    };
    view! {
        <button type="button" class="secondary" on:click=copy>
            {move || if copied.get() { "Copied" } else { "Copy password" }}
        </button>
    }
}
