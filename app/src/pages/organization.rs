//! An organization's page (its name in the lists opens it): its type, status, sync state and
//! integration, and what is inside it: configurations, contacts, locations and the records kept
//! in Steward only (passwords, documents), each with its count and the first by name.

use crate::api::get_organization;
use crate::components::{fmt_count, ErrorNotice, Page, Plug};
use crate::model::{OrganizationContents, OrganizationDetail, CONTENTS_SHOWN};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn OrganizationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let detail = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_organization(id).await,
            None => Err(crate::error::AppError::not_found("That organization")),
        }
    });
    view! {
        <Title text="Organization · Steward"/>
        <Page>
            <p><a href="/organizations">"< Organizations"</a></p>
            <Suspense fallback=|| view! { <p>"Loading the organization…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(o) => view! { <Detail o/> }.into_any(),
                        Err(error) => view! { <h1>"Organization"</h1><ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

#[component]
fn Detail(o: OrganizationDetail) -> impl IntoView {
    let synced = match (&o.integration, o.sync_state) {
        (Some(i), Some(s)) => format!("{} from {i}", s.label()),
        _ => "Stand-alone: no PSA syncs it".to_string(),
    };
    view! {
        <h1><Plug state=o.sync_state/>" "{o.name.clone()}</h1>
        <dl class="facts">
            <dt>"Type"</dt><dd>{o.type_name.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>"Status"</dt><dd>{o.status_name.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>"Sync"</dt><dd>{synced}</dd>
            {o.orphan_reason.map(|r| view! { <dt>"Orphan reason"</dt><dd>{r.label()}</dd> })}
        </dl>
        <div class="table-box" tabindex="0"><table class="counts">
            <caption>"Inside this organization"</caption>
            <thead><tr><th scope="col">"Records"</th><th scope="col" class="num">"Count"</th></tr></thead>
            <tbody>
                {o.contents.iter().map(|c| view! {
                    <tr>
                        <th scope="row">{c.kind.clone()}{c.steward_only.then_some(" (Steward only)")}</th>
                        <td class="num">{fmt_count(c.total)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
        {o.contents.into_iter().filter(|c| c.total > 0).map(|c| view! { <Contents c/> }).collect_view()}
    }
}

#[component]
fn Contents(c: OrganizationContents) -> impl IntoView {
    let id = format!("contents-{}", c.kind.to_lowercase());
    let labelled_by = id.clone();
    let more = (c.total > CONTENTS_SHOWN).then(|| {
        format!(
            "The first {} of {}, by name.",
            CONTENTS_SHOWN,
            fmt_count(c.total)
        )
    });
    view! {
        <section aria-labelledby=labelled_by>
            <h2 id=id>{format!("{} ({})", c.kind, fmt_count(c.total))}</h2>
            {more.map(|m| view! { <p class="hint">{m}</p> })}
            <ul class="contents">
                {c.items.into_iter().map(|i| view! {
                    <li>
                        <Plug state=i.sync_state/>" "{i.name}
                        {i.detail.map(|d| view! { <span class="hint">{format!(" · {d}")}</span> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
