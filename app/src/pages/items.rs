//! The Organizations and Configurations lists: items by name, with their plug, searched with the
//! grammar of `ItemSearch` (`sync status: orphaned`, `type: Prospect`, `status: Inactive`, free
//! text). On Organizations, Select All selects every organization the search matches (not only
//! the page shown) and Delete goes through the impact, the typed count and the removal queue.

use crate::api::{get_removal_impact, list_items};
use crate::components::{
    fmt_count, is_administrator, merge_removal, reread, DeleteDialog, ErrorNotice, Page, Pager,
    Plug, RemovalProgress,
};
use crate::error::AppError;
use crate::live::follow_removals;
use crate::model::{IntegrationId, RemovalImpact, RemovalJob, RemovalTarget};
use crate::model::{ItemKind, ItemPage, ITEM_PAGE_SIZE};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ItemsPage(kind: ItemKind) -> impl IntoView {
    let query = use_query_map();
    let search = move || query.read().get("q").unwrap_or_default();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
    };
    let inactive = move || query.read().get("inactive").is_some_and(|v| v == "1");
    let items = Resource::new(
        move || (search(), page(), inactive()),
        move |(q, p, i)| list_items(kind, q, p, i),
    );
    view! {
        <Title text=format!("{} · Steward", kind.plural())/>
        <Page>
            <h1>{kind.plural()}</h1>
            <form method="get" role="search">
                <label>"Search" <input type="search" name="q" value=search/></label>
                {(kind == ItemKind::Configuration).then(|| view! {
                    <label class="check"><input type="checkbox" name="inactive" value="1" checked=inactive/>"Show inactive orphans"</label>
                })}
                <button type="submit">"Search"</button>
            </form>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match items.await {
                        Ok(page) if kind == ItemKind::Organization => view! {
                            <OrganizationsPanel page search=search()/>
                        }.into_any(),
                        Ok(page) => view! { <ItemTable page search=search() inactive=inactive()/> }.into_any(),
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

/// The Organizations list with Select All and Delete, and the removal Delete started, followed
/// live (an island: it runs in the browser, and reads the list again when that removal ends).
#[island(lazy)]
fn OrganizationsPanel(page: ItemPage, search: String) -> impl IntoView {
    // Bumped when a removal started here ends: the list is read again.
    let version = RwSignal::new(0u32);
    let bulk = Bulk {
        selected: RwSignal::new(false),
        asking: RwSignal::new(None),
        job: RwSignal::new(None),
        version,
    };
    let at = page.page;
    let q = search.clone();
    let page = reread(
        page,
        move || version.get(),
        move |_| {
            let q = q.clone();
            async move { list_items(ItemKind::Organization, q, at, false).await.ok() }
        },
    );
    view! {
        <BulkDelete bulk/>
        {move || {
            let page = page.get();
            view! {
                {page.rights.delete.then(|| view! { <SelectAll bulk total=page.total search=search.clone()/> })}
                <ItemTable page search=search.clone() inactive=false/>
            }
        }}
    }
}

#[component]
fn ItemTable(page: ItemPage, search: String, inactive: bool) -> impl IntoView {
    let first = (page.page.saturating_sub(1) as i64) * ITEM_PAGE_SIZE as i64;
    let shown = format!(
        "{}–{} of {}",
        fmt_count((first + 1).min(page.total)),
        fmt_count(first + page.items.len() as i64),
        fmt_count(page.total)
    );
    let with_org = page.kind != ItemKind::Organization;
    let next = (first + (page.items.len() as i64) < page.total).then(|| page.page + 1);
    let prev = (page.page > 1).then(|| page.page - 1);
    // Page links keep the search.
    let q: String = search
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let keep = if inactive { "&inactive=1" } else { "" };
    let href = move |p: u32| format!("?q={q}{keep}&page={p}");
    view! {
        <p>{shown}</p>
        <table>
            <thead>
                <tr>
                    <th scope="col"><span class="visually-hidden">"Sync"</span></th>
                    <th scope="col">"Name"</th>
                    {with_org.then(|| view! { <th scope="col">"Organization"</th> })}
                    <th scope="col">"Type"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Orphan reason"</th>
                </tr>
            </thead>
            <tbody>
                {page.items.into_iter().map(|i| view! {
                    <tr>
                        <td><Plug state=i.sync_state/></td>
                        <th scope="row">{if with_org {
                            i.name.into_any()
                        } else {
                            view! { <a href=format!("/organizations/{}", i.id)>{i.name}</a> }.into_any()
                        }}</th>
                        {with_org.then(|| view! { <td><a href=format!("/organizations/{}", i.organization_id)>{i.organization.clone()}</a></td> })}
                        <td>{i.type_name.unwrap_or_default()}</td>
                        <td>{i.status_name.unwrap_or_default()}</td>
                        <td>{i.orphan_reason.map(|r| r.label()).unwrap_or_default()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <Pager label="Pages" before=prev.map(|p| (href(p), "Previous page")) after=next.map(|p| (href(p), "Next page"))/>
    }
}

/// Select All and Delete on the Organizations list.
#[derive(Clone, Copy)]
struct Bulk {
    selected: RwSignal<bool>,
    /// Delete's confirmation being asked: the search and its impact.
    asking: RwSignal<Option<(String, Result<RemovalImpact, AppError>)>>,
    job: RwSignal<Option<RemovalJob>>,
    version: RwSignal<u32>,
}

#[component]
fn SelectAll(bulk: Bulk, total: i64, search: String) -> impl IntoView {
    let delete = move |_| {
        let search = search.clone();
        leptos::task::spawn_local(async move {
            let impact =
                get_removal_impact(IntegrationId(0), RemovalTarget::Search(search.clone())).await;
            bulk.asking.set(Some((search, impact)));
        });
    };
    view! {
        <div class="bulk">
            <label class="check">
                <input type="checkbox" prop:checked=move || bulk.selected.get()
                    on:change=move |ev| bulk.selected.set(event_target_checked(&ev))/>
                "Select All"
            </label>
            <button type="button" class="danger" prop:disabled=move || !bulk.selected.get() || total == 0 on:click=delete>"Delete"</button>
            {move || bulk.selected.get().then(|| view! {
                <p role="status">{format!("All {} organizations that match the search are selected", fmt_count(total))}</p>
            })}
        </div>
    }
}

/// The Delete dialog and the removal it started, followed live.
#[component]
fn BulkDelete(bulk: Bulk) -> impl IntoView {
    let is_admin = is_administrator();
    let follow = move |job: RemovalJob| {
        if merge_removal(bulk.job, job) {
            bulk.selected.set(false);
            bulk.version.update(|v| *v += 1);
        }
    };
    Effect::new(move |_| {
        follow_removals(move |job| {
            if bulk
                .job
                .with_untracked(|j| j.as_ref().is_some_and(|j| j.id == job.id))
            {
                follow(job);
            }
        })
    });
    let on_update = Callback::new(follow);
    view! {
        {move || bulk.asking.get().map(|(search, impact)| view! {
            <DeleteDialog id=IntegrationId(0) target=RemovalTarget::Search(search) impact
                on_close=Callback::new(move |_| bulk.asking.set(None))
                on_started=Callback::new(move |job| { bulk.asking.set(None); follow(job); })/>
        })}
        {move || bulk.job.get().map(|job| view! {
            <section aria-label="Removal" class="removal">
                <RemovalProgress job is_admin on_update/>
            </section>
        })}
    }
}
