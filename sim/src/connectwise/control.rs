//! The simulator's control API under `/_sim`, for tests and the demo: inject faults, and change
//! the PSA's data as a PSA user would (move a company to another type or status, delete it, make
//! a configuration inactive, add a company). Every change stamps `_info.lastUpdated`.

use super::{cw_error, patch, type_associations, Faults, Simulator};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{patch, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route("/_sim/faults", put(set_faults).delete(clear_faults))
        .route("/_sim/companies", post(add_company))
        .route(
            "/_sim/companies/{id}",
            patch(change_company).delete(delete_company),
        )
        .route("/_sim/configurations/{id}", patch(change_configuration))
}

async fn set_faults(State(sim): State<Arc<Simulator>>, Json(faults): Json<Faults>) -> StatusCode {
    sim.faults().set(faults);
    StatusCode::NO_CONTENT
}

async fn clear_faults(State(sim): State<Arc<Simulator>>) -> StatusCode {
    sim.faults().set(Faults::default());
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct CompanyChange {
    type_id: Option<i64>,
    status_id: Option<i64>,
    name: Option<String>,
}

async fn change_company(
    State(sim): State<Arc<Simulator>>,
    Path(id): Path<i64>,
    Json(change): Json<CompanyChange>,
) -> Response {
    // The same change a PSA user makes through the API: the type through its associations,
    // the rest in one JSON Patch, all or nothing.
    let mut r = sim.records.write().unwrap_or_else(|e| e.into_inner());
    if let Some(t) = change.type_id {
        if patch::catalog_ref(&r.company_types, t, "name").is_none() || !r.companies.contains(id) {
            return cw_error(
                StatusCode::BAD_REQUEST,
                "InvalidObject",
                "No such company or company type",
            );
        }
    }
    let mut ops = Vec::new();
    if let Some(s) = change.status_id {
        ops.push(json!({ "op": "replace", "path": "status/id", "value": s }));
    }
    if let Some(name) = change.name {
        ops.push(json!({ "op": "replace", "path": "name", "value": name }));
    }
    let patched = patch::apply(&mut r, "companies", id, &json!(ops));
    match change.type_id {
        Some(t) if patched.status().is_success() => {
            Json(type_associations::replace(&mut r, id, t)).into_response()
        }
        _ => patched,
    }
}

async fn delete_company(State(sim): State<Arc<Simulator>>, Path(id): Path<i64>) -> Response {
    let mut r = sim.records.write().unwrap_or_else(|e| e.into_inner());
    if !r.companies.remove(id) {
        return cw_error(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("Company {id} was not found"),
        );
    }
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct NewCompany {
    identifier: String,
    name: String,
    type_id: i64,
    status_id: i64,
}

async fn add_company(State(sim): State<Arc<Simulator>>, Json(new): Json<NewCompany>) -> Response {
    let mut r = sim.records.write().unwrap_or_else(|e| e.into_inner());
    let (Some(t), Some(s)) = (
        patch::catalog_ref(&r.company_types, new.type_id, "name"),
        patch::catalog_ref(&r.company_statuses, new.status_id, "name"),
    ) else {
        return cw_error(
            StatusCode::BAD_REQUEST,
            "InvalidObject",
            "No such company type or status",
        );
    };
    if r.companies.iter().any(|c| {
        c["identifier"]
            .as_str()
            .is_some_and(|i| i.eq_ignore_ascii_case(&new.identifier))
    }) {
        return cw_error(
            StatusCode::BAD_REQUEST,
            "InvalidObject",
            "The identifier is already in use",
        );
    }
    let id = r.companies.ids().last().copied().unwrap_or(0) + 1;
    let company = json!({
        "id": id, "identifier": new.identifier, "name": new.name, "status": s, "types": [t],
        "deletedFlag": false, "_info": { "lastUpdated": patch::stamp_now(), "updatedBy": "steward-sim" },
    });
    r.companies.upsert(company.clone());
    (StatusCode::CREATED, Json(company)).into_response()
}

#[derive(Deserialize)]
struct ConfigurationChange {
    active: Option<bool>,
    status_id: Option<i64>,
}

async fn change_configuration(
    State(sim): State<Arc<Simulator>>,
    Path(id): Path<i64>,
    Json(change): Json<ConfigurationChange>,
) -> Response {
    let mut ops = Vec::new();
    if let Some(active) = change.active {
        ops.push(json!({ "op": "replace", "path": "activeFlag", "value": active }));
    }
    if let Some(s) = change.status_id {
        ops.push(json!({ "op": "replace", "path": "status/id", "value": s }));
    }
    let mut r = sim.records.write().unwrap_or_else(|e| e.into_inner());
    patch::apply(&mut r, "configurations", id, &json!(ops))
}
