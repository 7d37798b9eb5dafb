//! The Organizations and Configurations lists: items by name, with their plug, searched with the
//! grammar of `ItemSearch` (`sync status: orphaned`, `type: Prospect`, `status: Inactive`, free
//! text). On Organizations, Select All selects every organization the search matches (not only
//! the page shown) and Delete goes through the impact, the typed count and the removal queue.

use crate::api::{get_removal_impact, list_items};
use crate::components::{
    fmt_count, hydrated, is_administrator, merge_removal, reread, DeleteDialog, ErrorNotice, Page,
    Pager, Plug, Ready, RemovalProgress, TickBox,
};
use crate::error::AppError;
use crate::live::follow_removals;
use crate::model::{IntegrationId, RemovalImpact, RemovalJob, RemovalTarget};
use crate::model::{ItemKind, ItemPage, ITEM_PAGE_SIZE, MAX_PICKED};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use std::collections::BTreeSet;

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
                <button type="submit" class="secondary">"Search"</button>
            </form>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match items.await {
                        Ok(page) if kind == ItemKind::Organization => view! {
                            <OrganizationsPanel page search=search()/>
                        }.into_any(),
                        Ok(page) => view! { <ItemTable page search=search() inactive=inactive() tick=None/> }.into_any(),
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
        ticked: RwSignal::new(BTreeSet::new()),
        ready: hydrated(),
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
        <Ready>
        <BulkDelete bulk/>
        {move || {
            let page = page.get();
            let delete = page.rights.delete;
            view! {
                {delete.then(|| view! { <SelectAll bulk total=page.total search=search.clone()/> })}
                <ItemTable page search=search.clone() inactive=false tick=delete.then_some(bulk)/>
            }
        }}
        </Ready>
    }
}

/// A page of the list; with `tick`, each row has a checkbox (Organizations, for Delete).
#[component]
fn ItemTable(page: ItemPage, search: String, inactive: bool, tick: Option<Bulk>) -> impl IntoView {
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
    let pages = (page.total.max(1) + ITEM_PAGE_SIZE as i64 - 1) / ITEM_PAGE_SIZE as i64;
    let page_of = format!(
        "Page {} of {}",
        fmt_count(page.page as i64),
        fmt_count(pages)
    );
    if page.items.is_empty() {
        return view! {
            <p class="empty">{if search.trim().is_empty() {
                "Nothing here yet: items arrive with the integration's first sync.".to_string()
            } else {
                format!("No {} match “{search}”. Try fewer words, or a field such as sync status: orphaned, type: Prospect or status: Inactive.", page.kind.plural().to_lowercase())
            }}</p>
        }
        .into_any();
    }
    view! {
        <p>{shown}</p>
        <div class="table-box" tabindex="0">
        <table>
            <thead>
                <tr>
                    {tick.map(|_| view! { <th scope="col"><span class="visually-hidden">"Selected"</span></th> })}
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
                        {tick.map(|b| {
                            view! { <td><TickBox name=i.name.clone() id=i.id ticked=b.ticked/></td> }
                        })}
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
        </div>
        <Pager label="Pages" before=prev.map(|p| (href(p), "Previous page")) after=next.map(|p| (href(p), "Next page"))/>
        {(pages > 1).then(|| view! { <p class="hint">{page_of}</p> })}
    }
    .into_any()
}

/// Select All and Delete on the Organizations list.
#[derive(Clone, Copy)]
struct Bulk {
    selected: RwSignal<bool>,
    /// The ticked organizations (their ids); Delete takes these when there are any.
    ticked: RwSignal<BTreeSet<i64>>,
    ready: ReadSignal<bool>,
    /// Delete's confirmation being asked: the search and its impact.
    asking: RwSignal<Option<(RemovalTarget, Result<RemovalImpact, AppError>)>>,
    job: RwSignal<Option<RemovalJob>>,
    version: RwSignal<u32>,
}

#[component]
fn SelectAll(bulk: Bulk, total: i64, search: String) -> impl IntoView {
    // An empty search would select every organization: only a search selects all.
    let searched = !search.trim().is_empty();
    let delete = move |_| {
        let ticked: Vec<i64> = bulk.ticked.with_untracked(|t| t.iter().copied().collect());
        let target = if ticked.is_empty() {
            RemovalTarget::Search(search.clone())
        } else {
            RemovalTarget::Picked(ticked)
        };
        leptos::task::spawn_local(async move {
            let impact = get_removal_impact(IntegrationId(0), target.clone()).await;
            bulk.asking.set(Some((target, impact)));
        });
    };
    let label = move || match bulk.ticked.with(|t| t.len()) {
        0 if bulk.selected.get() => format!("Delete all {} matching", fmt_count(total)),
        0 => "Delete".to_string(),
        n => format!("Delete {} ticked", fmt_count(n as i64)),
    };
    let blocked = move || {
        let n = bulk.ticked.with(|t| t.len());
        !bulk.ready.get() || (n == 0 && (!bulk.selected.get() || total == 0)) || n > MAX_PICKED
    };
    view! {
        <div class="bulk">
            {searched.then(|| view! {
                <label class="check">
                    <input type="checkbox" disabled=move || !bulk.ready.get() prop:checked=move || bulk.selected.get()
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            bulk.selected.set(on);
                            if on { bulk.ticked.set(BTreeSet::new()); }
                        }/>
                    {format!("Select all {} matching", fmt_count(total))}
                </label>
            })}
            <button type="button" class="danger" disabled=blocked on:click=delete>{label}</button>
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
            bulk.ticked.set(BTreeSet::new());
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
        {move || bulk.asking.get().map(|(target, impact)| view! {
            <DeleteDialog id=IntegrationId(0) target impact
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
