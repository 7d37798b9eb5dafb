//! The Organizations and Configurations lists: items by name, with their plug.

use crate::api::list_items;
use crate::components::{fmt_count, ErrorNotice, Page, Plug};
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
                <label>"Search" <input type="search" name="q" prop:value=search/></label>
                {(kind == ItemKind::Configuration).then(|| view! {
                    <label class="check"><input type="checkbox" name="inactive" value="1" prop:checked=inactive/>"Show inactive orphans"</label>
                })}
                <button type="submit">"Search"</button>
            </form>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match items.await {
                        Ok(page) => view! { <ItemTable page search=search() inactive=inactive()/> }.into_any(),
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
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
                        <th scope="row">{i.name}</th>
                        {with_org.then(|| view! { <td>{i.organization.clone()}</td> })}
                        <td>{i.type_name.unwrap_or_default()}</td>
                        <td>{i.status_name.unwrap_or_default()}</td>
                        <td>{i.orphan_reason.map(|r| r.label()).unwrap_or_default()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <nav aria-label="Pages" class="pager">
            {prev.map(|p| view! { <a href=href(p)>"Previous page"</a> })}
            {next.map(|p| view! { <a href=href(p)>"Next page"</a> })}
        </nav>
    }
}
