//! Manage Data > Disconnected Data > Actions > View: the individually disconnected items of a
//! kind, each with Reconnect (only if the PSA still has it).

use crate::api::{list_disconnected, Reconnect};
use crate::components::{fmt_count, reread, ErrorNotice, Page, Pager, Ready};
use crate::error::AppError;
use crate::model::{DisconnectedItem, IntegrationId, ItemKind, DISCONNECTED_PAGE};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn DisconnectedPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let kind = move || query.read().get("kind").and_then(|k| ItemKind::parse(&k));
    // `&page=N` (from 1); anything else is the first page.
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    };
    let items = Resource::new(
        move || (id(), kind(), page()),
        |(id, kind, page)| async move {
            match (id, kind) {
                (Some(id), Some(kind)) => list_disconnected(IntegrationId(id), kind, page).await,
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
            <Suspense fallback=|| view! { <p>"Loading the items…"</p> }>
                {move || Suspend::new(async move {
                    match (items.await, id(), kind()) {
                        (Ok((total, list)), Some(id), Some(kind)) => {
                            let at = Paged { id: IntegrationId(id), kind, page: page(), total, listed: list.len() as i64 };
                            view! { <DisconnectedPanel at list/> }.into_any()
                        }
                        (Err(error), _, _) => view! { <ErrorNotice error/> }.into_any(),
                        (Ok(_), _, _) => ().into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

/// The page's items with Reconnect, and what the last Reconnect said (an island: it runs in the
/// browser, and reads the page again after a reconnection).
#[island(lazy)]
fn DisconnectedPanel(at: Paged, list: Vec<DisconnectedItem>) -> impl IntoView {
    let reconnect = ServerAction::<Reconnect>::new();
    let said: RwSignal<Option<Result<String, AppError>>> = RwSignal::new(None);
    Effect::new(move |_| {
        if let Some(result) = reconnect.value().get() {
            said.set(Some(result));
        }
    });
    let shown = reread(
        (at, list),
        move || reconnect.version().get(),
        move |_| async move {
            match list_disconnected(at.id, at.kind, at.page).await {
                Ok((total, list)) => Some((
                    Paged {
                        total,
                        listed: list.len() as i64,
                        ..at
                    },
                    list,
                )),
                Err(e) => {
                    said.set(Some(Err(e)));
                    None
                }
            }
        },
    );
    view! {
        <Ready>
        <div role="status">
            {move || match said.get() {
                Some(Ok(m)) => view! { <p>{m}</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e/> }.into_any(),
                None => ().into_any(),
            }}
        </div>
        {move || {
            let (at, list) = shown.get();
            view! { <Table at list reconnect/> }
        }}
        </Ready>
    }
}

/// Where a page of Disconnected Data's View is in the whole list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Paged {
    id: IntegrationId,
    kind: ItemKind,
    /// From 1.
    page: u32,
    total: i64,
    /// On this page.
    listed: i64,
}

impl Paged {
    /// What the page says it shows.
    fn shown(&self) -> String {
        let first = (i64::from(self.page) - 1) * DISCONNECTED_PAGE;
        if self.listed == 0 && self.total > 0 {
            format!("{} items; none this far back", fmt_count(self.total))
        } else if self.listed < self.total {
            format!(
                "{} items, newest first: {} to {} shown",
                fmt_count(self.total),
                fmt_count(first + 1),
                fmt_count(first + self.listed)
            )
        } else {
            format!("{} items", fmt_count(self.total))
        }
    }

    /// The address of page `page` of the same list.
    fn href(&self, page: u32) -> String {
        format!(
            "/account/integrations/{}/manage-data/disconnected?kind={}&page={page}",
            self.id.0,
            self.kind.as_str()
        )
    }

    /// Newer items (the page before), if any.
    fn newer(&self) -> Option<String> {
        (self.page > 1).then(|| self.href(self.page - 1))
    }

    /// Older items (the page after), if any.
    fn older(&self) -> Option<String> {
        let seen = i64::from(self.page) * DISCONNECTED_PAGE;
        (seen < self.total).then(|| self.href(self.page + 1))
    }
}

#[component]
fn Table(
    at: Paged,
    list: Vec<DisconnectedItem>,
    reconnect: ServerAction<Reconnect>,
) -> impl IntoView {
    view! {
        <p>{at.shown()}</p>
        <Pager
            label="Disconnected item pages"
            before=at.newer().map(|href| (href, "Newer items"))
            after=at.older().map(|href| (href, "Older items"))
        />
        <div class="table-box" tabindex="0"><table>
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
                        reconnect.dispatch(Reconnect {
                            integration: at.id,
                            tombstone,
                        });
                    };
                    view! {
                        <tr>
                            <th scope="row">{i.name}</th>
                            <td>{i.organization}</td>
                            <td>{i.psa_id}</td>
                            <td class="when">{crate::model::time::utc(&i.disconnected_at)}</td>
                            <td>{if i.deleted_locally { "Yes" } else { "" }}</td>
                            <td><button type="button" class="secondary" on:click=again disabled=move || reconnect.pending().get()>"Reconnect"</button></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(page: u32, total: i64, listed: i64) -> Paged {
        Paged {
            id: IntegrationId(3),
            kind: ItemKind::Contact,
            page,
            total,
            listed,
        }
    }

    #[test]
    fn a_page_says_which_items_it_shows_and_leads_to_the_others() {
        let first = at(1, 1_210, DISCONNECTED_PAGE);
        assert_eq!(first.shown(), "1,210 items, newest first: 1 to 500 shown");
        assert_eq!(first.newer(), None);
        assert_eq!(
            first.older().as_deref(),
            Some("/account/integrations/3/manage-data/disconnected?kind=contact&page=2")
        );
        let last = at(3, 1_210, 210);
        assert_eq!(
            last.shown(),
            "1,210 items, newest first: 1,001 to 1,210 shown"
        );
        assert_eq!(
            last.newer().as_deref(),
            Some("/account/integrations/3/manage-data/disconnected?kind=contact&page=2")
        );
        assert_eq!(last.older(), None);
        let all = at(1, 12, 12);
        assert_eq!(all.shown(), "12 items");
        assert_eq!((all.newer(), all.older()), (None, None));
        let past_the_end = at(9, 12, 0);
        assert_eq!(past_the_end.shown(), "12 items; none this far back");
        assert!(past_the_end.newer().is_some());
    }
}
