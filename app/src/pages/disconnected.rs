//! Manage Data > Disconnected Data > Actions > View: the individually disconnected items of a
//! kind, each with Reconnect (only if the PSA still has it).

use crate::api::{list_disconnected, reconnect};
use crate::components::{fmt_count, ErrorNotice, Page};
use crate::error::AppError;
use crate::model::{DisconnectedItem, IntegrationId, ItemKind};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn DisconnectedPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let kind = move || query.read().get("kind").and_then(|k| ItemKind::parse(&k));
    let version = RwSignal::new(0u32);
    let said: RwSignal<Option<Result<String, AppError>>> = RwSignal::new(None);
    let items = Resource::new(
        move || (id(), kind(), version.get()),
        |(id, kind, _)| async move {
            match (id, kind) {
                (Some(id), Some(kind)) => list_disconnected(IntegrationId(id), kind).await,
                _ => Err(AppError::not_found("That Manage Data row")),
            }
        },
    );
    let back = move || {
        id().map(|i| format!("/account/integrations/{i}/manage-data"))
            .unwrap_or_else(|| "/account/integrations".into())
    };
    let title = move || {
        kind()
            .map(|k| format!("Disconnected {}", k.plural().to_lowercase()))
            .unwrap_or_else(|| "Disconnected items".into())
    };
    view! {
        <Title text="Disconnected Data · Steward"/>
        <Page>
            <p><a href=back>"< Back"</a></p>
            <h1>{title}</h1>
            <div role="status">
                {move || match said.get() {
                    Some(Ok(m)) => view! { <p>{m}</p> }.into_any(),
                    Some(Err(e)) => view! { <ErrorNotice error=e/> }.into_any(),
                    None => ().into_any(),
                }}
            </div>
            <Transition fallback=|| view! { <p>"Loading the items…"</p> }>
                {move || Suspend::new(async move {
                    match (items.await, id()) {
                        (Ok((total, list)), Some(id)) => view! { <Table id=IntegrationId(id) total list version said/> }.into_any(),
                        (Err(error), _) => view! { <ErrorNotice error/> }.into_any(),
                        (Ok(_), None) => ().into_any(),
                    }
                })}
            </Transition>
        </Page>
    }
}

#[component]
fn Table(
    id: IntegrationId,
    total: i64,
    list: Vec<DisconnectedItem>,
    version: RwSignal<u32>,
    said: RwSignal<Option<Result<String, AppError>>>,
) -> impl IntoView {
    let shown = if (list.len() as i64) < total {
        format!(
            "{} items (the newest {} shown)",
            fmt_count(total),
            list.len()
        )
    } else {
        format!("{} items", fmt_count(total))
    };
    view! {
        <p>{shown}</p>
        <table>
            <thead>
                <tr>
                    <th scope="col">"Name"</th><th scope="col">"Organization"</th><th scope="col">"PSA id"</th>
                    <th scope="col">"Disconnected"</th><th scope="col">"Deleted in Steward"</th>
                    <th scope="col"><span class="visually-hidden">"Item actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|i| {
                    let tombstone = i.id;
                    let again = move |_| {
                        leptos::task::spawn_local(async move {
                            let result = reconnect(id, tombstone).await;
                            let ok = result.is_ok();
                            said.set(Some(result));
                            if ok {
                                version.update(|v| *v += 1);
                            }
                        });
                    };
                    view! {
                        <tr>
                            <th scope="row">{i.name}</th>
                            <td>{i.organization}</td>
                            <td>{i.psa_id}</td>
                            <td>{i.disconnected_at.format("%Y-%m-%d %H:%M UTC").to_string()}</td>
                            <td>{if i.deleted_locally { "Yes" } else { "" }}</td>
                            <td><button type="button" on:click=again>"Reconnect"</button></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
