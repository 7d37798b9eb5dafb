//! Manage Data > Actions > View: exactly the items a row's action would touch, keyset-paged and
//! sortable by each column, with the total.

use crate::api::get_preview;
use crate::components::{fmt_count, ErrorNotice, Page, Plug};
use crate::error::AppError;
use crate::model::{
    CatalogCategory, CatalogValueId, IntegrationId, ItemKind, PreviewPage, PreviewPageAt,
    PreviewQuery, PreviewRow, PreviewSort,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn PreviewPageView() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let row = move || {
        let q = query.read();
        match q.get("row").as_deref() {
            Some("value") => Some(PreviewRow::Value {
                category: CatalogCategory::parse(&q.get("category")?)?,
                value: CatalogValueId(q.get("value")?.parse().ok()?),
            }),
            Some("orphans") => Some(PreviewRow::Orphans {
                kind: ItemKind::parse(&q.get("kind")?)?,
            }),
            _ => None,
        }
    };
    let sort = RwSignal::new(PreviewSort::Name);
    let descending = RwSignal::new(false);
    let at = RwSignal::new(PreviewPageAt::First);
    let page = Resource::new(
        move || (id(), row(), sort.get(), descending.get(), at.get()),
        |(id, row, sort, descending, at)| async move {
            match (id, row) {
                (Some(id), Some(row)) => {
                    get_preview(
                        IntegrationId(id),
                        PreviewQuery {
                            row,
                            sort,
                            descending,
                            at,
                        },
                    )
                    .await
                }
                _ => Err(AppError::not_found("That Manage Data row")),
            }
        },
    );
    let back = move || {
        id().map(|i| format!("/account/integrations/{i}/manage-data"))
            .unwrap_or_else(|| "/account/integrations".into())
    };
    view! {
        <Title text="View · Steward"/>
        <Page>
            <p><a href=back>"< Back"</a></p>
            <Transition fallback=|| view! { <p>"Loading the items…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <PreviewTable p sort descending at/> }.into_any(),
                        Err(error) => view! { <h1>"View"</h1><ErrorNotice error/> }.into_any(),
                    }
                })}
            </Transition>
        </Page>
    }
}

#[component]
fn PreviewTable(
    p: PreviewPage,
    sort: RwSignal<PreviewSort>,
    descending: RwSignal<bool>,
    at: RwSignal<PreviewPageAt>,
) -> impl IntoView {
    let with_org = p.kind != ItemKind::Organization;
    let header = move |col: PreviewSort| {
        let aria = move || {
            if sort.get() != col {
                "none"
            } else if descending.get() {
                "descending"
            } else {
                "ascending"
            }
        };
        view! {
            <th scope="col" aria-sort=aria>
                <button type="button" class="sort" on:click=move |_| {
                    if sort.get_untracked() == col {
                        descending.update(|d| *d = !*d);
                    } else {
                        sort.set(col);
                        descending.set(false);
                    }
                    at.set(PreviewPageAt::First);
                }>{col.label()}</button>
            </th>
        }
    };
    let (first, last) = (p.first.clone(), p.last.clone());
    let (has_previous, has_next) = (p.has_previous, p.has_next);
    view! {
        <h1>{p.title.clone()}</h1>
        <p>{format!("{} items", fmt_count(p.total))}</p>
        <table class="preview">
            <thead>
                <tr>
                    {header(PreviewSort::SyncState)}
                    {header(PreviewSort::Name)}
                    {with_org.then(|| header(PreviewSort::Organization))}
                    {header(PreviewSort::Type)}
                    {header(PreviewSort::Status)}
                    {header(PreviewSort::OrphanReason)}
                    {header(PreviewSort::LastSynced)}
                    <th scope="col">"Had data before the first sync"</th>
                </tr>
            </thead>
            <tbody>
                {p.items.into_iter().map(|i| view! {
                    <tr>
                        <td><Plug state=i.sync_state/></td>
                        <th scope="row">{i.name}</th>
                        {with_org.then(|| view! { <td>{i.organization.clone()}</td> })}
                        <td>{i.type_name.unwrap_or_default()}</td>
                        <td>{i.status_name.unwrap_or_default()}</td>
                        <td>{i.orphan_reason.map(|r| r.label()).unwrap_or_default()}</td>
                        <td>{i.last_synced_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default()}</td>
                        <td>{if i.had_data_before_first_sync { "Yes" } else { "" }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <nav aria-label="Pages" class="pager">
            <button type="button" disabled=!has_previous on:click=move |_| at.set(PreviewPageAt::First)>"First page"</button>
            <button type="button" disabled=!has_previous on:click=move |_| {
                if let Some(c) = first.clone() { at.set(PreviewPageAt::Before(c)) }
            }>"Previous page"</button>
            <button type="button" disabled=!has_next on:click=move |_| {
                if let Some(c) = last.clone() { at.set(PreviewPageAt::After(c)) }
            }>"Next page"</button>
            <button type="button" disabled=!has_next on:click=move |_| at.set(PreviewPageAt::Last)>"Last page"</button>
        </nav>
    }
}
