//! `PATCH company/companies/{id}` and `PATCH company/configurations/{id}` with a JSON Patch array,
//! as the edit pencil writes statuses back: `replace` (or `add`) of `status`, `status/id`,
//! `type`, `type/id`, `name`, `activeFlag`, with ConnectWise's validation errors when a value
//! does not exist. A company's `types` in a PATCH is ignored, as ConnectWise ignores it (its
//! types change through type associations: `type_associations.rs`).

use super::{cw_error, Records};
use crate::store::Collection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// ConnectWise's "object is invalid" answer with one field error.
fn invalid(resource: &str, field: &str, message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({
            "code": "InvalidObject",
            "message": format!("{resource} object is invalid"),
            "errors": [{ "code": "InvalidField", "message": message, "resource": resource, "field": field }],
        })),
    )
        .into_response()
}

/// The id inside a patch value: `3`, `{"id": 3}` or `[{"id": 3}]`.
fn id_of(v: &Value) -> Option<i64> {
    v.as_i64()
        .or_else(|| v.get("id").and_then(Value::as_i64))
        .or_else(|| {
            v.as_array()
                .and_then(|a| a.first())
                .and_then(|f| f.get("id"))
                .and_then(Value::as_i64)
        })
}

/// A reference to a catalog value, as ConnectWise embeds it.
pub(super) fn catalog_ref(catalog: &Collection, id: i64, label: &str) -> Option<Value> {
    catalog
        .find(id)
        .map(|v| json!({ "id": id, label: v[label].clone() }))
}

/// Now, as `_info.lastUpdated` writes it.
pub(super) fn stamp_now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Applies `ops` to record `id` of `collection` ("companies" or "configurations"), all or nothing.
pub fn apply(records: &mut Records, collection: &str, id: i64, ops: &Value) -> Response {
    let Some(ops) = ops.as_array() else {
        return cw_error(
            StatusCode::BAD_REQUEST,
            "InvalidObject",
            "The body must be a JSON Patch array",
        );
    };
    let (resource, items) = match collection {
        "companies" => ("company", &records.companies),
        _ => ("configuration", &records.configurations),
    };
    let Some(mut record) = items.find(id) else {
        return cw_error(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("{resource} {id} was not found"),
        );
    };
    for op in ops {
        let kind = op["op"].as_str().unwrap_or_default().to_ascii_lowercase();
        if kind != "replace" && kind != "add" {
            return cw_error(
                StatusCode::BAD_REQUEST,
                "InvalidObject",
                format!("The operation {kind:?} is not supported here"),
            );
        }
        let path = op["path"]
            .as_str()
            .unwrap_or_default()
            .trim_start_matches('/')
            .to_ascii_lowercase();
        let value = &op["value"];
        match (resource, path.as_str()) {
            // "can be passed in only during new company creation (post)": accepted and
            // dropped, so the answer shows the types unchanged (see `type_associations`).
            ("company", "types" | "types/id") => {}
            ("company", "status" | "status/id") => {
                match id_of(value).and_then(|s| catalog_ref(&records.company_statuses, s, "name")) {
                    Some(r) => record["status"] = r,
                    None => {
                        return invalid(
                            resource,
                            "status",
                            format!("The company status {} is not valid", value),
                        )
                    }
                }
            }
            ("configuration", "type" | "type/id") => match id_of(value)
                .and_then(|t| catalog_ref(&records.configuration_types, t, "name"))
            {
                Some(r) => record["type"] = r,
                None => {
                    return invalid(
                        resource,
                        "type",
                        format!("The configuration type {} is not valid", value),
                    )
                }
            },
            ("configuration", "status" | "status/id") => match id_of(value)
                .and_then(|s| catalog_ref(&records.configuration_statuses, s, "description"))
                .map(|mut r| {
                    // A reference says `name` where the status list says `description`.
                    r["name"] = r["description"].take();
                    r.as_object_mut().map(|o| o.remove("description"));
                    r
                }) {
                Some(r) => record["status"] = r,
                None => {
                    return invalid(
                        resource,
                        "status",
                        format!("The configuration status {} is not valid", value),
                    )
                }
            },
            ("configuration", "activeflag") => match value.as_bool() {
                Some(b) => record["activeFlag"] = json!(b),
                None => {
                    return invalid(
                        resource,
                        "activeFlag",
                        "activeFlag must be true or false".into(),
                    )
                }
            },
            (_, "name") => match value.as_str().filter(|n| !n.trim().is_empty()) {
                Some(n) => record["name"] = json!(n),
                None => return invalid(resource, "name", "The name is required".into()),
            },
            (_, other) => {
                return invalid(
                    resource,
                    other,
                    format!("The field {other:?} cannot be changed"),
                )
            }
        }
    }
    record["_info"]["lastUpdated"] = json!(stamp_now());
    let items = match collection {
        "companies" => &mut records.companies,
        _ => &mut records.configurations,
    };
    items.upsert(record.clone());
    Json(record).into_response()
}
