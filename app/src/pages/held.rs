//! Manage Data > Held orphanings > View: the items a full sync found missing from the PSA's
//! listing, too many at once to orphan without a person (sync rule 1b), a page at a time. Only
//! what the user may access; Confirm and Discard are on Manage Data.

use crate::api::get_held_items;
use crate::components::{fmt_count, ErrorNotice, Page};
use crate::error::AppError;
use crate::model::{HeldPage, IntegrationId, ItemKind};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn HeldPageView() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let kind = move || query.read().get("kind").and_then(|k| ItemKind::parse(&k));
    let offset = move || {
        query
            .read()
            .get("offset")
            .and_then(|p| p.parse::<i64>().ok())
            .filter(|p| *p >= 0)
            .unwrap_or(0)
    };
    let page = Resource::new(
        move || (id(), kind(), offset()),
        |(id, kind, offset)| async move {
            match (id, kind) {
                (Some(id), Some(kind)) => get_held_items(IntegrationId(id), kind, offset).await,
                _ => Err(AppError::not_found("That Manage Data row")),
            }
        },
    );
    let back = move || {
        id().map(|i| format!("/account/integrations/{i}/manage-data"))
            .unwrap_or_else(|| "/account/integrations".into())
    };
    view! {
        <Title text="Held orphanings · Steward"/>
        <Page>
            <p><a href=back>"< Back"</a></p>
            <Suspense fallback=|| view! { <p>"Loading the held items…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => view! { <HeldTable page/> }.into_any(),
                        Err(error) => view! { <h1>"Held orphanings"</h1><ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

#[component]
fn HeldTable(page: HeldPage) -> impl IntoView {
    let noun = page.kind.plural().to_lowercase();
    let title = format!("Held {noun}: {}", page.integration.name);
    let base = format!(
        "/account/integrations/{}/manage-data/held?kind={}",
        page.integration.id,
        page.kind.as_str()
    );
    let first = page.offset + 1;
    let last = page.offset + page.items.len() as i64;
    let previous = (page.offset > 0)
        .then(|| format!("{base}&offset={}", (page.offset - page.page_size).max(0)));
    let next = (last < page.total).then(|| format!("{base}&offset={last}"));
    let with_org = page.kind != ItemKind::Organization;
    view! {
        <h1>{title}</h1>
        <p>
            {format!(
                "The last full sync did not find these {} {noun} in {}'s listing. That is more than this integration lets a sync orphan at once, so they were held: they still sync as before until an Administrator confirms them (they become orphans, deleted in the PSA) or discards them on Manage Data.",
                fmt_count(page.total),
                page.integration.kind.label()
            )}
        </p>
        {(page.total > 0).then(|| view! {
            <p>{format!("{}–{} of {}", fmt_count(first), fmt_count(last), fmt_count(page.total))}</p>
        })}
        <div class="table-box" tabindex="0"><table class="counts">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    {with_org.then(|| view! { <th scope="col">"Organization"</th> })}
                    <th scope="col" class="num">"PSA id"</th>
                    <th scope="col">"Last synced"</th>
                </tr>
            </thead>
            <tbody>
                {page.items.into_iter().map(|i| view! {
                    <tr>
                        <th scope="row">{i.name}</th>
                        {with_org.then(|| view! { <td>{i.organization.clone().unwrap_or_default()}</td> })}
                        <td class="num">{i.psa_id}</td>
                        <td class="when">{i.last_synced_at.map(|t| crate::model::time::utc(&t)).unwrap_or_default()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
        <nav aria-label="Pages">
            {previous.map(|href| view! { <a href=href>"Previous page"</a>" " })}
            {next.map(|href| view! { <a href=href>"Next page"</a> })}
        </nav>
    }
}
