//! Autotask's queries: `POST {Entity}/query` and `GET {Entity}/query?search=`, their next
//! pages (POSTed with the same search), `query/count`, filters, `IncludeFields`, and the injected
//! faults at a page.

use super::*;

/// What a query request asks for.
pub(super) enum Ask {
    Count,
    /// A page of a POSTed query: the first, or the one a `paging` cursor names.
    Page(Option<i64>),
    /// The first page of a GET query (its next link carries the search).
    FirstOfGet(String),
    NextOfGet(i64, String),
}

/// The id a next page starts at, from its `paging` parameter
/// (`{"pageSize":500,"previousIds":[-1],"nextIds":[725]}`, as real `nextPageUrl`s carry it).
pub(super) fn next_from(paging: Option<&str>) -> Result<i64, Box<Response>> {
    paging
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
        .and_then(|p| p.get("nextIds")?.get(0)?.as_i64())
        .ok_or_else(|| {
            Box::new(errors(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The paging parameter is missing or not valid",
            ))
        })
}

/// A field of the QueryModel, whatever its case (`filter`, `Filter`, `MaxRecords`, ...).
pub(super) fn field<'a>(search: &'a Value, name: &str) -> Option<&'a Value> {
    search
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// A query page (or its count). The body is `{"filter": [...], "maxRecords": n, "includeFields":
/// [...]}` (keys in any case); a page that has more after it links to
/// `{Entity}/query/next?paging=…`, a keyset cursor of the next id, to be POSTed with the same
/// body (or, for a GET query, fetched with the search the link carries).
pub(super) fn query(
    sim: &AtSimulator,
    entity: Entity,
    body: &[u8],
    origin: &str,
    ask: Ask,
) -> Response {
    let Ok(search) = serde_json::from_slice::<Value>(body) else {
        return errors(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The search is not valid JSON",
        );
    };
    let filter = match field(&search, "filter").map(filter::parse) {
        None => {
            return errors(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Value cannot be null. Parameter name: filters",
            )
        }
        Some(Err(message)) => return errors(StatusCode::INTERNAL_SERVER_ERROR, message),
        Some(Ok(f)) => f,
    };
    if let Some(unknown) = filter.fields().into_iter().find(|f| {
        !entity
            .fields()
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case(f))
    }) {
        return errors(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("Unable to find {unknown} in the {} Entity.", entity.name()),
        );
    }
    let records = sim.records();
    let all = records.of(entity);
    let lie = sim.faults().faults.count_offset.unwrap_or(0);
    if matches!(ask, Ask::Count) {
        // An empty filter list returns no rows.
        let n = if filter.is_empty() {
            0
        } else {
            all.iter().filter(|r| filter.matches(r)).count()
        };
        return Json(json!({ "queryCount": (n as i64 + lie).max(0) })).into_response();
    }
    // MaxRecords above 500 is refused, as the real service refuses it (WYRE-AI/autotask-mcp's
    // `AUTOTASK_MAX_PAGE_SIZE`: "maxCountOfRecordsToReturn must be between 1 and 500").
    let size = match field(&search, "maxRecords").map(Value::as_i64) {
        None | Some(None) => MAX_RECORDS,
        Some(Some(n)) if (1..=MAX_RECORDS as i64).contains(&n) => n as usize,
        Some(Some(_)) => {
            return errors(
                StatusCode::INTERNAL_SERVER_ERROR,
                "maxCountOfRecordsToReturn must be between 1 and 500",
            )
        }
    };
    let size = sim
        .faults()
        .faults
        .page_cap
        .map_or(size, |cap| size.min(cap.max(1)));
    let cursor = match &ask {
        Ask::Page(next) => *next,
        Ask::NextOfGet(next, _) => Some(*next),
        _ => None,
    };
    // Results come in id order, so a page starts at a binary search (the filter's own `id gt`
    // bound, or the cursor's next id): a page costs the same wherever it is. The count of
    // records before it is also the page's ordinal for page faults (exact for a full listing,
    // what faults are for).
    let mut start = after_id(&filter).map_or(0, |a| all.start_after(a));
    if let Some(next) = cursor {
        start = start.max(all.start_after(next - 1));
    }
    let page_no = start / size + 1;
    let effect = sim.faults().page_effect(entity.name(), page_no);
    if let Some(effect) = effect {
        return injected(effect);
    }
    let matching = |from: usize| -> Vec<Value> {
        if filter.is_empty() {
            Vec::new()
        } else {
            all.iter_from(from)
                .filter(|r| filter.matches(r))
                .take(size + 1)
                .collect()
        }
    };
    let mut page = matching(start);
    if sim.faults().skips(entity.name(), page_no) {
        // The fault "drop a page": this page's records are never served; the next page's are.
        page = match page.get(size) {
            Some(first_after) => {
                start = all.start_after(first_after["id"].as_i64().unwrap_or_default() - 1);
                matching(start)
            }
            None => Vec::new(),
        };
    }
    let next_id = page.get(size).and_then(|r| r["id"].as_i64());
    let page: Vec<Value> = page.into_iter().take(size).collect();
    let include: Vec<String> = field(&search, "includeFields")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|f| f.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let items: Vec<Value> = page.iter().map(|r| project(r, &include)).collect();
    let next = match next_id {
        Some(next_id) => {
            let previous = page.first().and_then(|r| r["id"].as_i64()).unwrap_or(-1);
            let paging =
                json!({ "pageSize": size, "previousIds": [previous], "nextIds": [next_id] });
            let encode = |s: &str| -> String {
                url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
            };
            let mut url = format!(
                "{origin}{ROOT}/V1.0/{}/query/next?paging={}",
                entity.name(),
                encode(&paging.to_string())
            );
            if let Ask::FirstOfGet(search) | Ask::NextOfGet(_, search) = &ask {
                url.push_str(&format!("&search={}", encode(search)));
            }
            Value::String(url)
        }
        None => Value::Null,
    };
    Json(json!({
        "items": items,
        "pageDetails": { "count": items.len(), "requestCount": size, "prevPageUrl": null, "nextPageUrl": next },
    }))
    .into_response()
}

/// The `id gt N` (or `gte`) bound of a query, if it has one at its top level or in a nested
/// `and`: where a page starts.
pub(super) fn after_id(f: &Filter) -> Option<i64> {
    match f {
        Filter::Cmp { field, op, value } if field.eq_ignore_ascii_case("id") => match op {
            filter::Op::Gt => value.as_i64(),
            filter::Op::Gte => value.as_i64().map(|v| v - 1),
            _ => None,
        },
        Filter::And(items) => items.iter().filter_map(after_id).max(),
        _ => None,
    }
}

/// Only the included fields (and always `id`), when the query names some.
pub(super) fn project(record: &Value, include: &[String]) -> Value {
    if include.is_empty() {
        return record.clone();
    }
    let Some(obj) = record.as_object() else {
        return record.clone();
    };
    Value::Object(
        obj.iter()
            .filter(|(k, _)| *k == "id" || include.iter().any(|f| f.eq_ignore_ascii_case(k)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

pub(super) fn injected(effect: PageEffect) -> Response {
    let server_error = errors(
        StatusCode::INTERNAL_SERVER_ERROR,
        "An unexpected error has occurred",
    );
    crate::faults::answer(effect, server_error, "{\"items\": [")
}
