//! Manage Data > Actions > View: exactly the items a row's action would touch, keyset-paged and
//! sortable by each column, with the total.

use crate::api::{get_preview, get_sync_settings, DisableItemSync, EditItem};
use crate::components::{fmt_count, reread, ErrorNotice, MenuButton, Page, Plug};
use crate::error::AppError;
use crate::model::{
    CatalogCategory, CatalogSetting, CatalogValueId, IntegrationId, ItemKind, PreviewItem,
    PreviewPage, PreviewPageAt, PreviewQuery, PreviewRow, PreviewSort, Rights, SyncState,
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
    let first = Resource::new(
        move || (id(), row()),
        |(id, row)| async move {
            match (id, row) {
                (Some(id), Some(row)) => {
                    let q = PreviewQuery {
                        reason: None,
                        row,
                        sort: PreviewSort::Name,
                        descending: false,
                        at: PreviewPageAt::First,
                    };
                    get_preview(IntegrationId(id), q)
                        .await
                        .map(|p| (IntegrationId(id), row, p))
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
            <Suspense fallback=|| view! { <p>"Loading the items…"</p> }>
                {move || Suspend::new(async move {
                    match first.await {
                        Ok((id, row, p)) => view! { <PreviewPanel id row p/> }.into_any(),
                        Err(error) => view! { <p role="status"></p><h1>"View"</h1><ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

/// The items with their sorting, paging, edit pencils and Disable sync (an island: it runs in
/// the browser and reads the page again after each change).
#[island(lazy)]
fn PreviewPanel(id: IntegrationId, row: PreviewRow, p: PreviewPage) -> impl IntoView {
    let sort = RwSignal::new(PreviewSort::Name);
    let descending = RwSignal::new(false);
    let at = RwSignal::new(PreviewPageAt::First);
    // Bumped after an edit or Disable sync, to read the page again.
    let version = RwSignal::new(0u32);
    let said: RwSignal<Option<String>> = RwSignal::new(None);
    let page = reread(
        Ok(p),
        move || {
            version.track();
            PreviewQuery {
                reason: None,
                row,
                sort: sort.get(),
                descending: descending.get(),
                at: at.get(),
            }
        },
        move |q| async move { Some(get_preview(id, q).await) },
    );
    view! {
        <p role="status">{move || said.get()}</p>
        {move || match page.get() {
            Ok(p) => view! { <PreviewTable id p sort descending at version said/> }.into_any(),
            Err(error) => view! { <h1>"View"</h1><ErrorNotice error/> }.into_any(),
        }}
    }
}

#[component]
fn PreviewTable(
    id: IntegrationId,
    p: PreviewPage,
    sort: RwSignal<PreviewSort>,
    descending: RwSignal<bool>,
    at: RwSignal<PreviewPageAt>,
    version: RwSignal<u32>,
    said: RwSignal<Option<String>>,
) -> impl IntoView {
    let kind = p.kind;
    let rights = p.rights;
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
                    <th scope="col"><span class="visually-hidden">"Item actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {p.items.into_iter().map(|item| view! {
                    <ItemRowView id kind item with_org version said rights/>
                }).collect_view()}
            </tbody>
        </table>
        <nav aria-label="Pages" class="pager">
            <button type="button" class="secondary" disabled=!has_previous on:click=move |_| at.set(PreviewPageAt::First)>"First page"</button>
            <button type="button" class="secondary" disabled=!has_previous on:click=move |_| {
                if let Some(c) = first.clone() { at.set(PreviewPageAt::Before(c)) }
            }>"Previous page"</button>
            <button type="button" class="secondary" disabled=!has_next on:click=move |_| {
                if let Some(c) = last.clone() { at.set(PreviewPageAt::After(c)) }
            }>"Next page"</button>
            <button type="button" class="secondary" disabled=!has_next on:click=move |_| at.set(PreviewPageAt::Last)>"Last page"</button>
        </nav>
    }
}

/// The types and statuses an organization or configuration can take.
fn categories(kind: ItemKind) -> Option<(CatalogCategory, CatalogCategory)> {
    match kind {
        ItemKind::Organization => Some((
            CatalogCategory::OrganizationType,
            CatalogCategory::OrganizationStatus,
        )),
        ItemKind::Configuration => Some((
            CatalogCategory::ConfigurationType,
            CatalogCategory::ConfigurationStatus,
        )),
        _ => None,
    }
}

/// One item of the preview, with the edit pencil and Disable sync.
#[component]
fn ItemRowView(
    id: IntegrationId,
    kind: ItemKind,
    item: PreviewItem,
    with_org: bool,
    version: RwSignal<u32>,
    said: RwSignal<Option<String>>,
    rights: Rights,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let options: RwSignal<Option<(Vec<CatalogSetting>, Vec<CatalogSetting>)>> = RwSignal::new(None);
    let chosen_type = RwSignal::new(0i64);
    let chosen_status = RwSignal::new(0i64);
    let error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let item_id = item.id;
    let name = StoredValue::new(item.name.clone());
    let (type_name, status_name) = (item.type_name.clone(), item.status_name.clone());
    let open_editor = move |_| {
        let Some((tc, sc)) = categories(kind) else {
            return;
        };
        let (type_name, status_name) = (type_name.clone(), status_name.clone());
        error.set(None);
        leptos::task::spawn_local(async move {
            match get_sync_settings(id).await {
                Ok(s) => {
                    let of = |c| {
                        s.values
                            .iter()
                            .filter(|v| v.category == c)
                            .cloned()
                            .collect::<Vec<_>>()
                    };
                    let (types, statuses) = (of(tc), of(sc));
                    let pick = |list: &[CatalogSetting], name: &Option<String>| {
                        list.iter()
                            .find(|v| Some(&v.name) == name.as_ref())
                            .or(list.first())
                            .map(|v| v.id.0)
                            .unwrap_or_default()
                    };
                    chosen_type.set(pick(&types, &type_name));
                    chosen_status.set(pick(&statuses, &status_name));
                    options.set(Some((types, statuses)));
                    editing.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let saving = ServerAction::<EditItem>::new();
    Effect::new(move |_| match saving.value().get() {
        Some(Ok(())) => {
            said.set(Some(format!(
                "Saved {} in the PSA and here.",
                name.get_value()
            )));
            editing.set(false);
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let save = move |_| {
        saving.dispatch(EditItem {
            integration: id,
            kind,
            id: item_id,
            type_value: CatalogValueId(chosen_type.get_untracked()),
            status_value: CatalogValueId(chosen_status.get_untracked()),
        });
    };
    let menu_open = RwSignal::new(false);
    let disabling = ServerAction::<DisableItemSync>::new();
    Effect::new(move |_| match disabling.value().get() {
        Some(Ok(())) => {
            said.set(Some(format!(
                "Sync disabled for {}: it is listed under Disconnected Data.",
                name.get_value()
            )));
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let disable = move |_| {
        menu_open.set(false);
        disabling.dispatch(DisableItemSync {
            integration: id,
            kind,
            id: item_id,
        });
    };
    let select = move |label: &'static str, list: Vec<CatalogSetting>, chosen: RwSignal<i64>| {
        view! {
            <select aria-label=label on:change=move |ev| chosen.set(event_target_value(&ev).parse().unwrap_or_default())>
                {list.into_iter().map(|v| {
                    let vid = v.id.0;
                    view! { <option value=vid.to_string() selected=move || chosen.get() == vid>{v.name}</option> }
                }).collect_view()}
            </select>
        }
    };
    let type_text = item.type_name.clone().unwrap_or_default();
    let status_text = item.status_name.clone().unwrap_or_default();
    let editable = rights.edit && categories(kind).is_some();
    let disabled = !rights.edit || item.sync_state == Some(SyncState::Disabled);
    view! {
        <tr>
            <td><Plug state=item.sync_state/></td>
            <th scope="row">{item.name.clone()}</th>
            {with_org.then(|| view! { <td>{item.organization.clone()}</td> })}
            <td>{move || match (editing.get(), options.get()) {
                (true, Some((types, _))) => select("Type", types, chosen_type).into_any(),
                _ => type_text.clone().into_any(),
            }}</td>
            <td>{move || match (editing.get(), options.get()) {
                (true, Some((_, statuses))) => select("Status", statuses, chosen_status).into_any(),
                _ => status_text.clone().into_any(),
            }}</td>
            <td>{item.orphan_reason.map(|r| r.label()).unwrap_or_default()}</td>
            <td>{item.last_synced_at.as_ref().map(crate::model::time::utc).unwrap_or_default()}</td>
            <td>{if item.had_data_before_first_sync { "Yes" } else { "" }}</td>
            <td class="row-actions">
                {move || if editing.get() {
                    view! {
                        <button type="button" on:click=save disabled=move || saving.pending().get()>"Save"</button>
                        <button type="button" class="secondary" on:click=move |_| { editing.set(false); error.set(None); }>"Cancel"</button>
                    }.into_any()
                } else {
                    view! {
                        {editable.then(|| view! {
                            <button type="button" class="icon" aria-label="Edit type and status" title="Edit type and status"
                                on:click=open_editor.clone()><PencilIcon/></button>
                        })}
                        {(!disabled).then(|| view! {
                            <MenuButton open=menu_open>
                                <li role="none"><button type="button" role="menuitem" on:click=disable>"Disable sync"</button></li>
                            </MenuButton>
                        })}
                    }.into_any()
                }}
                {move || error.get().map(|e| view! { <ErrorNotice error=e/> })}
            </td>
        </tr>
    }
}

/// The edit pencil's picture (its button carries the name).
#[component]
fn PencilIcon() -> impl IntoView {
    view! {
        <svg aria-hidden="true" width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor"
            stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
            <path d="M12 20h9"/>
            <path d="M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4Z"/>
        </svg>
    }
}
