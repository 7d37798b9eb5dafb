//! Manage Data > Actions > View: exactly the items a row's action would touch, keyset-paged and
//! sortable by each column, with the total.

use crate::api::{get_preview, get_removal_impact, get_sync_settings, DisableItemSync, EditItem};
use crate::components::{
    fmt_count, hydrated, is_administrator, merge_removal, reread, DeleteDialog, ErrorNotice,
    MenuButton, Page, Plug, Ready, RemovalProgress, TickBox,
};
use crate::error::AppError;
use crate::live::follow_removals;
use crate::model::{
    CatalogCategory, CatalogSetting, CatalogValueId, IntegrationId, ItemKind, OrphanReason,
    PreviewItem, PreviewPage, PreviewPageAt, PreviewQuery, PreviewRow, PreviewSort, RemovalImpact,
    RemovalJob, RemovalTarget, Rights, SyncState, MAX_PICKED, PREVIEW_PAGE_SIZE,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::BTreeSet;

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
                        state: None,
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

/// The items with their sorting, paging, edit pencils and Disable sync; on an orphans row, the
/// filter by orphan reason, the row checkboxes and Delete of what is ticked or filtered (an
/// island: it runs in the browser and reads the page again after each change).
#[island(lazy)]
fn PreviewPanel(id: IntegrationId, row: PreviewRow, p: PreviewPage) -> impl IntoView {
    let v = ViewState {
        sort: RwSignal::new(PreviewSort::Name),
        descending: RwSignal::new(false),
        at: RwSignal::new(PreviewPageAt::First),
        page_no: RwSignal::new(1),
        reason: RwSignal::new(None),
        state: RwSignal::new(None),
        ticked: RwSignal::new(BTreeSet::new()),
        version: RwSignal::new(0u32),
        said: RwSignal::new(None),
        asking: RwSignal::new(None),
        job: RwSignal::new(None),
        ready: hydrated(),
    };
    let page = reread(
        Ok(p),
        move || {
            v.version.track();
            PreviewQuery {
                row,
                sort: v.sort.get(),
                descending: v.descending.get(),
                at: v.at.get(),
                reason: v.reason.get(),
                state: v.state.get(),
            }
        },
        move |q| async move { Some(get_preview(id, q).await) },
    );
    // The removal Delete started here, followed live; when it ends the page is read again.
    let follow = move |job: RemovalJob| {
        if merge_removal(v.job, job) {
            v.ticked.set(BTreeSet::new());
            v.version.update(|n| *n += 1);
        }
    };
    Effect::new(move |_| {
        follow_removals(move |job| {
            if v.job
                .with_untracked(|j| j.as_ref().is_some_and(|j| j.id == job.id))
            {
                follow(job);
            }
        })
    });
    let is_admin = is_administrator();
    view! {
        <Ready>
        <p role="status" class="said">{move || v.said.get()}</p>
        {move || v.asking.get().map(|(target, impact)| view! {
            <DeleteDialog id target impact
                on_close=Callback::new(move |_| v.asking.set(None))
                on_started=Callback::new(move |job| { v.asking.set(None); follow(job); })/>
        })}
        {move || v.job.get().map(|job| view! {
            <section aria-label="Removal" class="removal">
                <RemovalProgress job is_admin on_update=Callback::new(follow)/>
            </section>
        })}
        {move || match page.get() {
            Ok(p) => view! { <PreviewTable id row p v/> }.into_any(),
            Err(error) => view! { <h1>"View"</h1><ErrorNotice error/> }.into_any(),
        }}
        </Ready>
    }
}

/// What View's island keeps: the sort and page, the filter, the ticked items, what the last
/// change said, the Delete being confirmed and the removal it started.
#[derive(Clone, Copy)]
struct ViewState {
    sort: RwSignal<PreviewSort>,
    descending: RwSignal<bool>,
    at: RwSignal<PreviewPageAt>,
    /// Which page is shown, counted from the first (keyset pages are counted as they are walked).
    page_no: RwSignal<i64>,
    reason: RwSignal<Option<OrphanReason>>,
    state: RwSignal<Option<SyncState>>,
    ticked: RwSignal<BTreeSet<i64>>,
    /// Bumped after an edit, Disable sync or a removal's end, to read the page again.
    version: RwSignal<u32>,
    said: RwSignal<Option<String>>,
    asking: RwSignal<Option<(RemovalTarget, Result<RemovalImpact, AppError>)>>,
    job: RwSignal<Option<RemovalJob>>,
    ready: ReadSignal<bool>,
}

#[component]
fn PreviewTable(id: IntegrationId, row: PreviewRow, p: PreviewPage, v: ViewState) -> impl IntoView {
    let ViewState {
        sort,
        descending,
        at,
        version,
        said,
        ready,
        ..
    } = v;
    let kind = p.kind;
    let rights = p.rights;
    let with_org = p.kind != ItemKind::Organization;
    // Ticking and Delete: a kind's orphans, for those who may delete.
    let tickable = rights.delete && matches!(row, PreviewRow::Orphans { .. });
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
                <button type="button" class="sort" disabled=move || !ready.get() on:click=move |_| {
                    if sort.get_untracked() == col {
                        descending.update(|d| *d = !*d);
                    } else {
                        sort.set(col);
                        descending.set(false);
                    }
                    at.set(PreviewPageAt::First);
                    v.page_no.set(1);
                }>{col.label()}</button>
            </th>
        }
    };
    let (first, last) = (p.first.clone(), p.last.clone());
    let (has_previous, has_next) = (p.has_previous, p.has_next);
    let on_page: Vec<i64> = p.items.iter().map(|i| i.id).collect();
    let total = p.total;
    let pages = ((p.total + PREVIEW_PAGE_SIZE - 1) / PREVIEW_PAGE_SIZE).max(1);
    let shown = if p.items.is_empty() {
        "No items".to_string()
    } else if v.reason.get_untracked().is_some() {
        format!("{} items with this orphan reason", fmt_count(p.total))
    } else if let Some(s) = v.state.get_untracked() {
        format!("{} items: {}", fmt_count(p.total), s.label())
    } else {
        format!("{} items", fmt_count(p.total))
    };
    view! {
        <h1>{p.title.clone()}</h1>
        {(!p.reasons.is_empty()).then(|| view! { <ReasonFilter reasons=p.reasons.clone() v/> })}
        {(!p.states.is_empty()).then(|| view! { <StateFilter states=p.states.clone() v/> })}
        <div class="list-head">
            <p>{shown}</p>
            {tickable.then(|| view! { <DeleteChosen id kind total v/> })}
        </div>
        {if p.items.is_empty() {
            view! { <p class="empty">"Nothing here: no item of this row matches. Items that change in the PSA arrive with the next sync."</p> }.into_any()
        } else {
            view! {
        <div class="table-box" tabindex="0">
        <table class="preview">
            <thead>
                <tr>
                    {tickable.then(|| {
                        let on_page = on_page.clone();
                        let all_ticked = {
                            let on_page = on_page.clone();
                            move || v.ticked.with(|t| on_page.iter().all(|i| t.contains(i)))
                        };
                        view! {
                            <th scope="col"><input type="checkbox" aria-label="Select every item on this page"
                                disabled=move || !ready.get() prop:checked=all_ticked
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    v.ticked.update(|t| for i in &on_page { if on { t.insert(*i); } else { t.remove(i); } });
                                }/></th>
                        }
                    })}
                    {header(PreviewSort::SyncState)}
                    {header(PreviewSort::Name)}
                    {with_org.then(|| header(PreviewSort::Organization))}
                    {header(PreviewSort::Type)}
                    {header(PreviewSort::Status)}
                    {header(PreviewSort::OrphanReason)}
                    {header(PreviewSort::LastSynced)}
                    <th scope="col"><span class="visually-hidden">"Item actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {p.items.into_iter().map(|item| view! {
                    <ItemRowView id kind item with_org version said rights tickable v/>
                }).collect_view()}
            </tbody>
        </table>
        </div>
            }.into_any()
        }}
        <nav aria-label="Pages" class="pager">
            <button type="button" class="secondary" disabled=move || !ready.get() || !has_previous on:click=move |_| {
                at.set(PreviewPageAt::First);
                v.page_no.set(1);
            }>"First page"</button>
            <button type="button" class="secondary" disabled=move || !ready.get() || !has_previous on:click=move |_| {
                if let Some(c) = first.clone() { at.set(PreviewPageAt::Before(c)); v.page_no.update(|n| *n = (*n - 1).max(1)); }
            }>"Previous page"</button>
            <span class="page-of">{move || format!("Page {} of {}", fmt_count(v.page_no.get().min(pages)), fmt_count(pages))}</span>
            <button type="button" class="secondary" disabled=move || !ready.get() || !has_next on:click=move |_| {
                if let Some(c) = last.clone() { at.set(PreviewPageAt::After(c)); v.page_no.update(|n| *n = (*n + 1).min(pages)); }
            }>"Next page"</button>
            <button type="button" class="secondary" disabled=move || !ready.get() || !has_next on:click=move |_| {
                at.set(PreviewPageAt::Last);
                v.page_no.set(pages);
            }>"Last page"</button>
        </nav>
    }
}

/// The filter chips of an orphans row: all reasons, or one ("Deleted in the PSA: 43").
#[component]
fn ReasonFilter(reasons: Vec<(OrphanReason, i64)>, v: ViewState) -> impl IntoView {
    let all: i64 = reasons.iter().map(|(_, n)| n).sum();
    let chip = move |reason: Option<OrphanReason>, text: String| {
        view! {
            <button type="button" class="chip" aria-pressed=move || (v.reason.get() == reason).to_string()
                disabled=move || !v.ready.get()
                on:click=move |_| {
                    v.reason.set(reason);
                    v.ticked.set(BTreeSet::new());
                    v.at.set(PreviewPageAt::First);
                    v.page_no.set(1);
                }>{text}</button>
        }
    };
    view! {
        <div role="group" aria-label="Filter by orphan reason" class="chips">
            {chip(None, format!("All reasons: {}", fmt_count(all)))}
            {reasons.into_iter().map(|(r, n)| chip(Some(r), format!("{}: {}", r.label(), fmt_count(n)))).collect_view()}
        </div>
    }
}

/// The filter chips of a type or status row: all its items, or those in one sync state.
#[component]
fn StateFilter(states: Vec<(SyncState, i64)>, v: ViewState) -> impl IntoView {
    let all: i64 = states.iter().map(|(_, n)| n).sum();
    let chip = move |state: Option<SyncState>, text: String| {
        view! {
            <button type="button" class="chip" aria-pressed=move || (v.state.get() == state).to_string()
                on:click=move |_| {
                    v.state.set(state);
                    v.at.set(PreviewPageAt::First);
                    v.page_no.set(1);
                }>{text}</button>
        }
    };
    view! {
        <div role="group" aria-label="Filter by sync state" class="chips">
            {chip(None, format!("All: {}", fmt_count(all)))}
            {states.into_iter().map(|(s, n)| chip(Some(s), format!("{}: {}", s.label(), fmt_count(n)))).collect_view()}
        </div>
    }
}

/// Delete on View: what is ticked, else everything the filter shows; it asks the impact first.
#[component]
fn DeleteChosen(id: IntegrationId, kind: ItemKind, total: i64, v: ViewState) -> impl IntoView {
    let label = move || {
        let n = v.ticked.with(|t| t.len());
        let noun = kind.plural().to_lowercase();
        if n > 0 {
            format!("Delete {} ticked {noun}", fmt_count(n as i64))
        } else if v.reason.get().is_some() {
            format!("Delete all {} filtered {noun}", fmt_count(total))
        } else {
            format!("Delete all {} orphaned {noun}", fmt_count(total))
        }
    };
    let ask = move |_| {
        let ids = v
            .ticked
            .with_untracked(|t| (!t.is_empty()).then(|| t.iter().copied().collect()));
        let target = RemovalTarget::ChosenOrphans {
            kind,
            reason: v.reason.get_untracked(),
            ids,
        };
        leptos::task::spawn_local(async move {
            let impact = get_removal_impact(id, target.clone()).await;
            v.asking.set(Some((target, impact)));
        });
    };
    let blocked = move || !v.ready.get() || total == 0 || v.ticked.with(|t| t.len()) > MAX_PICKED;
    view! {
        <button type="button" class="danger" on:click=ask disabled=blocked>{label}</button>
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
    tickable: bool,
    v: ViewState,
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
            {tickable.then(|| view! {
                <td><TickBox name=item.name.clone() id=item_id ticked=v.ticked/></td>
            })}
            <td><Plug state=item.sync_state/></td>
            <th scope="row">{item.name.clone()}
                {item.had_data_before_first_sync.then(|| view! { " " <span class="badge">"had data before the first sync"</span> })}
            </th>
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
            <td class="when">{item.last_synced_at.as_ref().map(crate::model::time::utc).unwrap_or_default()}</td>
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
