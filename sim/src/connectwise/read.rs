//! The simulator's reads: every GET under the API base (lists with their conditions, paging
//! and fields, counts, single records), with the injected faults and absolute `_info` links.

use super::*;

pub(super) async fn dispatch(
    State(sim): State<Arc<Simulator>>,
    Path(api): Path<ApiPath>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (base, path) = match api.split() {
        Ok(split) => split,
        Err(not_found) => return *not_found,
    };
    if let Some(refused) = gate(&sim, &headers).await {
        return refused;
    }
    let path = path.trim_end_matches('/').to_string();
    let segments: Vec<&str> = path.split('/').collect();
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let pairs = query_pairs(raw.as_deref());
    let records = sim.records.read().unwrap_or_else(|e| e.into_inner());
    let no_sites = Collection::default();
    let associations: Collection;
    let (collection, noun): (&Collection, &str) = match lower.as_slice() {
        ["system", "info"] => {
            return Json(json!({ "version": "v2025.1.112233", "isCloud": true, "serverTimeZone": "Eastern Standard Time", "cloudRegion": "NA" })).into_response()
        }
        ["company", "companies", rest @ ..] => match rest {
            ["types", ..] => (&records.company_types, "Company type"),
            ["statuses", ..] => (&records.company_statuses, "Company status"),
            [id, "sites", ..] => {
                let Ok(id) = id.parse::<i64>() else { return cw_error(StatusCode::BAD_REQUEST, "InvalidObject", "The company id must be a number") };
                if !records.companies.contains(id) {
                    return cw_error(StatusCode::NOT_FOUND, "NotFound", format!("Company {id} was not found"));
                }
                (records.sites.get(&id).unwrap_or(&no_sites), "Site")
            }
            [id, "typeassociations", ..] => {
                let Ok(id) = id.parse::<i64>() else { return cw_error(StatusCode::BAD_REQUEST, "InvalidObject", "The company id must be a number") };
                let Some(of_company) = type_associations::of_company(&records, id) else {
                    return cw_error(StatusCode::NOT_FOUND, "NotFound", format!("Company {id} was not found"));
                };
                associations = of_company;
                (&associations, "CompanyTypeAssociation")
            }
            _ => (&records.companies, "Company"),
        },
        ["company", "configurations", rest @ ..] => match rest {
            ["types", ..] => (&records.configuration_types, "Configuration type"),
            ["statuses", ..] => (&records.configuration_statuses, "Configuration status"),
            _ => (&records.configurations, "Configuration"),
        },
        ["company", "contacts", rest @ ..] => match rest {
            ["types", ..] => (&records.contact_types, "Contact type"),
            _ => (&records.contacts, "Contact"),
        },
        _ => return cw_error(StatusCode::NOT_FOUND, "NotFound", format!("/{path} is not a route of this API")),
    };
    // The segment after the collection: nothing (a list), "count", or an id.
    let depth = match lower.as_slice() {
        ["company", "companies", _, "sites" | "typeassociations", ..] => 4,
        ["company", _, "types" | "statuses", ..] => 3,
        _ => 2,
    };
    let list = match ListQuery::parse(&pairs) {
        Ok(l) => l,
        Err(message) => return cw_error(StatusCode::BAD_REQUEST, "InvalidObject", message),
    };
    // Conditions are checked against the fields of the first records (every record of a
    // collection has the same fields).
    let sample: Vec<Value> = collection.iter().take(SAMPLE).collect();
    let conditions = match list.resolve(&sample) {
        Ok(c) => c,
        Err(message) => return invalid_conditions(noun, message),
    };
    let matches = |r: &Value| conditions.as_ref().is_none_or(|c| c.matches(r));
    // Link targets are absolute, on the host the client called, as the real service sends them.
    let origin = origin(&headers);
    match lower.get(depth) {
        None => {}
        Some(&"count") => {
            let n = if conditions.is_none() {
                collection.len()
            } else {
                collection.iter().filter(|r| matches(r)).count()
            };
            let lie = sim.faults().faults.count_offset.unwrap_or(0);
            return Json(json!({ "count": (n as i64 + lie).max(0) })).into_response();
        }
        Some(id) => {
            let Ok(id) = id.parse::<i64>() else {
                return cw_error(
                    StatusCode::NOT_FOUND,
                    "NotFound",
                    format!("/{path} is not a route of this API"),
                );
            };
            return match collection.find(id) {
                Some(r) => absolute(&origin, &base, HeaderMap::new(), &list.project(&r)),
                None => cw_error(
                    StatusCode::NOT_FOUND,
                    "NotFound",
                    format!("{noun} {id} was not found"),
                ),
            };
        }
    }

    let endpoint = segments[..depth].join("/");
    let forward_only = headers
        .get("pagination-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("forward-only"));
    let mut response_headers = HeaderMap::new();
    // A page holds what `pageSize` asked, or less under the `page_cap` fault (links are still
    // computed from the size asked, as a PSA that silently caps pages computes them).
    let cap = sim.faults().faults.page_cap.unwrap_or(usize::MAX).max(1);
    let page: Vec<Value> = if forward_only {
        // Keyset by id: pageId is the last id of the previous page; the page starts right
        // after it (a binary search), so it costs the same wherever it is.
        let start = collection.start_after(list.page_id.unwrap_or(i64::MIN));
        let read = |start: usize| -> (bool, Vec<Value>) {
            let page: Vec<Value> = collection
                .iter_from(start)
                .filter(|r| matches(r))
                .take(list.page_size + 1)
                .collect();
            let more = page.len() > list.page_size;
            (
                more,
                page.into_iter().take(list.page_size.min(cap)).collect(),
            )
        };
        let (mut more, mut page) = read(start);
        if sim.faults().has_page_fault(&endpoint) {
            // The page's ordinal: how many matching records came before it, in pages.
            let before = collection.iter().take(start).filter(|r| matches(r)).count();
            let ordinal = before / list.page_size + 1;
            if let Some(resp) = injected(&sim, &endpoint, ordinal) {
                return resp;
            }
            if sim.faults().skips(&endpoint, ordinal) {
                if let Some(last) = page.last().and_then(|r| r["id"].as_i64()) {
                    (more, page) = read(collection.start_after(last));
                }
            }
        }
        // Forward-only answers always carry a Link header, empty on the last page: real clients
        // (ConnectWiseManageAPI's Invoke-CWMAllResult) take a missing one to mean the endpoint
        // does not support forward-only paging, and stop at an empty one.
        let next = match (more, page.last()) {
            (true, Some(last)) => format!(
                "<{}>; rel=\"next\"",
                link(
                    &origin,
                    &base,
                    &path,
                    &pairs,
                    "pageId",
                    last["id"].to_string()
                )
            ),
            _ => String::new(),
        };
        response_headers.insert("link", next.parse().expect("a header value"));
        page.iter().map(|r| list.project(r)).collect()
    } else {
        if let Some(resp) = injected(&sim, &endpoint, list.page) {
            return resp;
        }
        let served_page = if sim.faults().skips(&endpoint, list.page) {
            list.page + 1
        } else {
            list.page
        };
        let skip = (served_page - 1) * list.page_size;
        // In id order without conditions a page is a slice; otherwise every match is read and
        // sorted.
        let (total, page): (usize, Vec<Value>) = if conditions.is_none() && list.in_id_order() {
            (
                collection.len(),
                collection
                    .iter_from(skip)
                    .take(list.page_size.min(cap))
                    .collect(),
            )
        } else {
            let all: Vec<Value> = collection.iter().filter(|r| matches(r)).collect();
            let mut hits: Vec<&Value> = all.iter().collect();
            list.sort(&mut hits);
            let page = hits
                .into_iter()
                .skip(skip)
                .take(list.page_size.min(cap))
                .cloned()
                .collect();
            (all.len(), page)
        };
        let last_page = total.div_ceil(list.page_size).max(1);
        let mut links = Vec::new();
        if list.page < last_page {
            links.push(format!(
                "<{}>; rel=\"next\"",
                link(
                    &origin,
                    &base,
                    &path,
                    &pairs,
                    "page",
                    (list.page + 1).to_string()
                )
            ));
            links.push(format!(
                "<{}>; rel=\"last\"",
                link(&origin, &base, &path, &pairs, "page", last_page.to_string())
            ));
        }
        if list.page > 1 {
            links.push(format!(
                "<{}>; rel=\"prev\"",
                link(
                    &origin,
                    &base,
                    &path,
                    &pairs,
                    "page",
                    (list.page - 1).to_string()
                )
            ));
            links.push(format!(
                "<{}>; rel=\"first\"",
                link(&origin, &base, &path, &pairs, "page", "1".to_string())
            ));
        }
        if !links.is_empty() {
            response_headers.insert("link", links.join(", ").parse().expect("a header value"));
        }
        page.iter().map(|r| list.project(r)).collect()
    };
    absolute(&origin, &base, response_headers, &Value::Array(page))
}

/// A GET's answer, its `_info` links absolute on the host and base the client called, as
/// ConnectWise sends them (`"company_href": "https://na.myconnectwise.net/v4_6_release/apis/3.0/
/// company/companies/250"`); the records keep them relative to the base.
pub(super) fn absolute(origin: &str, base: &str, mut headers: HeaderMap, body: &Value) -> Response {
    let text = serde_json::to_string(body).expect("a JSON value serialises");
    let text = text.replace(
        &format!("_href\":\"{BASE}/"),
        &format!("_href\":\"{origin}{base}/"),
    );
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    (headers, text).into_response()
}

/// Records whose fields a condition is checked against.
pub(super) const SAMPLE: usize = 100;

/// The answer a page fault gives instead of the page, if one is set for this page.
pub(super) fn injected(sim: &Simulator, endpoint: &str, page: usize) -> Option<Response> {
    let effect = sim.faults().page_effect(endpoint, page)?;
    let server_error = cw_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "UnexpectedServerError",
        "An unexpected error has occurred",
    );
    Some(crate::faults::answer(effect, server_error, "["))
}
