//! Account > Integrations > Actions > Configuration: the sync settings (a checkbox per PSA type
//! and status, the contacts switch, the interval), with what a change will do at the next full
//! sync shown before it is saved.

use crate::api::{get_sync_settings, preview_sync_settings, ChangeSyncSettings};
use crate::components::{fmt_count, ErrorNotice, IntegrationOf, Page, Ready};
use crate::error::AppError;
use crate::model::{
    CatalogCategory, IntegrationId, ItemKind, SyncSettings, SyncSettingsChange, SyncSettingsEffect,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use std::collections::BTreeMap;

#[component]
pub fn ConfigurationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let query = leptos_router::hooks::use_query_map();
    let added = move || query.read().get("added").is_some();
    let settings = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_sync_settings(IntegrationId(id)).await,
            None => Err(AppError::not_found("That integration")),
        }
    });
    view! {
        <Title text="Configuration · Steward"/>
        <Page>
            <p><a href="/account/integrations">"< Back"</a></p>
            <h1>"Sync settings"</h1>
            <IntegrationOf id=Signal::derive(id)/>
            {move || added().then(|| view! {
                <p role="note" class="said">
                    "Integration added. Check the types and statuses to sync (all start unchecked), Save, then start the first full sync with Start Manual Sync in the integration's Actions menu."
                </p>
            })}
            <Suspense fallback=|| view! { <p>"Loading the sync settings…"</p> }>
                {move || Suspend::new(async move {
                    match (settings.await, id()) {
                        (Ok(saved), Some(id)) => view! { <SettingsForm id=IntegrationId(id) saved/> }.into_any(),
                        (Err(error), _) => view! { <ErrorNotice error/> }.into_any(),
                        (Ok(_), None) => view! { <ErrorNotice error=AppError::not_found("That integration")/> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

fn legend(c: CatalogCategory) -> &'static str {
    match c {
        CatalogCategory::OrganizationType => "Organization types",
        CatalogCategory::OrganizationStatus => "Organization statuses",
        CatalogCategory::ConfigurationType => "Configuration types",
        CatalogCategory::ConfigurationStatus => "Configuration statuses",
        CatalogCategory::ContactType => "Contact types",
    }
}

fn effect_lines(e: &SyncSettingsEffect) -> Vec<String> {
    let word = |k: ItemKind, n: i64| {
        let plural = k.plural().to_lowercase();
        if n == 1 {
            plural.trim_end_matches('s').to_string()
        } else {
            plural
        }
    };
    let mut lines = Vec::new();
    for (k, n) in &e.orphaned {
        if *n > 0 {
            lines.push(format!("{} {} become orphans", fmt_count(*n), word(*k, *n)));
        }
    }
    for (k, n) in &e.resumed {
        if *n > 0 {
            lines.push(format!(
                "{} orphaned {} start syncing again",
                fmt_count(*n),
                word(*k, *n)
            ));
        }
    }
    lines
}

/// The settings and what a change will do (an island: it runs in the browser).
#[island(lazy)]
fn SettingsForm(id: IntegrationId, saved: SyncSettings) -> impl IntoView {
    let saved = RwSignal::new(saved);
    let checked: RwSignal<BTreeMap<i64, bool>> = RwSignal::new(
        saved
            .get_untracked()
            .values
            .iter()
            .map(|v| (v.id.0, v.sync_enabled))
            .collect(),
    );
    let contacts = RwSignal::new(saved.get_untracked().sync_contacts);
    let minutes = RwSignal::new(saved.get_untracked().schedule_minutes.to_string());
    let hold_percent = RwSignal::new(saved.get_untracked().hold_orphans_percent.to_string());
    let hold_min = RwSignal::new(saved.get_untracked().hold_orphans_min.to_string());
    // A changed number field: its value, or -1 when it is not a number (the server answers).
    let changed = |field: RwSignal<String>, was: i64| {
        let text = field.get();
        match text.trim().parse::<i64>() {
            Ok(n) => (n != was).then_some(n),
            Err(_) => Some(-1),
        }
    };
    let change = Memo::new(move |_| {
        let s = saved.get();
        let c = checked.get();
        SyncSettingsChange {
            values: s
                .values
                .iter()
                .filter_map(|v| {
                    let now = c.get(&v.id.0).copied().unwrap_or(v.sync_enabled);
                    (now != v.sync_enabled).then_some((v.id, now))
                })
                .collect(),
            sync_contacts: (contacts.get() != s.sync_contacts).then(|| contacts.get()),
            schedule_minutes: minutes
                .get()
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|m| *m != s.schedule_minutes)
                .or_else(|| {
                    // Not a number: send it as 0 so the server's validation answers.
                    minutes.get().trim().parse::<i64>().is_err().then_some(0)
                }),
            hold_orphans_percent: changed(hold_percent, s.hold_orphans_percent),
            hold_orphans_min: changed(hold_min, s.hold_orphans_min),
        }
    });
    let preview = crate::components::read_in_browser(move || {
        let c = change.get();
        async move {
            if c == SyncSettingsChange::default() {
                Ok(SyncSettingsEffect::default())
            } else {
                preview_sync_settings(id, c).await
            }
        }
    });
    let status: RwSignal<Option<Result<String, AppError>>> = RwSignal::new(None);
    let saving = ServerAction::<ChangeSyncSettings>::new();
    Effect::new(move |_| match saving.value().get() {
        Some(Ok(now)) => {
            minutes.set(now.schedule_minutes.to_string());
            hold_percent.set(now.hold_orphans_percent.to_string());
            hold_min.set(now.hold_orphans_min.to_string());
            saved.set(now);
            status.set(Some(Ok(
                "Saved. The changes take effect at the next full sync.".into(),
            )));
        }
        Some(Err(e)) => status.set(Some(Err(e))),
        None => {}
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saving.dispatch(ChangeSyncSettings {
            integration: id,
            change: change.get_untracked(),
        });
    };
    let categories = [
        CatalogCategory::OrganizationType,
        CatalogCategory::OrganizationStatus,
        CatalogCategory::ConfigurationType,
        CatalogCategory::ConfigurationStatus,
        CatalogCategory::ContactType,
    ];
    view! {
        <Ready>
        <form on:submit=save class="settings" novalidate>
            {categories.into_iter().map(|cat| {
                let values: Vec<_> = saved.get_untracked().values.into_iter().filter(|v| v.category == cat).collect();
                view! {
                    <fieldset>
                        <legend>{legend(cat)}</legend>
                        {values.into_iter().map(|v| {
                            let vid = v.id.0;
                            view! {
                                <label class="check">
                                    <input type="checkbox" checked=v.sync_enabled
                                        prop:checked=move || checked.with(|c| c.get(&vid).copied().unwrap_or(false))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            checked.update(|c| { c.insert(vid, on); });
                                        }/>
                                    {v.name}
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                }
            }).collect_view()}
            <fieldset>
                <legend>"Contacts and schedule"</legend>
                <label class="check">
                    <input type="checkbox" checked=contacts.get_untracked() prop:checked=move || contacts.get()
                        on:change=move |ev| contacts.set(event_target_checked(&ev))/>
                    "Sync contacts"
                </label>
                <label>"Sync every (minutes) "
                    <input type="number" min="5" max="10080" value=minutes.get_untracked() prop:value=move || minutes.get()
                        on:input=move |ev| minutes.set(event_target_value(&ev))/>
                </label>
            </fieldset>
            <fieldset>
                <legend>"Items missing from the PSA"</legend>
                <p>"When a full sync does not find more of one kind of linked item than both of these at once, it holds them for an Administrator on Manage Data instead of orphaning them as deleted in the PSA."</p>
                <label>"Hold above this share of a kind (%) "
                    <input type="number" min="0" max="100" value=hold_percent.get_untracked() prop:value=move || hold_percent.get()
                        on:input=move |ev| hold_percent.set(event_target_value(&ev))/>
                </label>
                <label>"and above this many items "
                    <input type="number" min="0" value=hold_min.get_untracked() prop:value=move || hold_min.get()
                        on:input=move |ev| hold_min.set(event_target_value(&ev))/>
                </label>
            </fieldset>
            <section aria-labelledby="preview-heading" class="preview">
                <h2 id="preview-heading">"After the next full sync"</h2>
                // Read in the browser: plain reactive content, which the island hydrates as the
                // server rendered it (a Transition here did not: it expected other nodes).
                {move || match preview.get() {
                            None => view! { <p>"Working out what changes…"</p> }.into_any(),
                            Some(Ok(effect)) => {
                                let lines = effect_lines(&effect);
                                if lines.is_empty() {
                                    view! { <p>"No item changes its sync state."</p> }.into_any()
                                } else {
                                    view! { <ul>{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul> }.into_any()
                                }
                            }
                            Some(Err(error)) => view! { <ErrorNotice error/> }.into_any(),
                }}
            </section>
            <button type="submit" disabled=move || saving.pending().get()>"Save"</button>
            <p role="status">
                {move || match status.get() {
                    Some(Ok(m)) => m.into_any(),
                    Some(Err(e)) => view! { <ErrorNotice error=e/> }.into_any(),
                    None => ().into_any(),
                }}
            </p>
        </form>
        </Ready>
    }
}
