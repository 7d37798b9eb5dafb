//! A company's types, as ConnectWise changes them: through type associations, never through a
//! PATCH of the company. ConnectWise's Company model says of `types`: "can be passed in only
//! during new company creation (post). To update existing companies type, use the
//! /company/companyTypeAssociations or /company/companies/{ID}/typeAssociations endpoints"
//! (Manage API description, as generated into pyconnectwise's `CompanyCompany` model and
//! Jetbuilt/connect_wise's `docs/Company.md`; the endpoints in
//! Jetbuilt/connect_wise `docs/CompanyCompanyTypeAssociationsApi.md` and christaylorcodes/
//! ConnectWiseManageAPI issues #27–#29). So `patch.rs` ignores `types`, and these serve:
//!
//! - `GET company/companies/{id}/typeAssociations[/count|/{assocId}]`
//! - `POST company/companies/{id}/typeAssociations` and `POST company/companyTypeAssociations`
//!   with `{"type": {"id": …}, "company": {"id": …}}`
//! - `DELETE company/companies/{id}/typeAssociations/{assocId}` and
//!   `DELETE company/companyTypeAssociations/{assocId}`
//!
//! The association of type `t` with company `c` has the id `c * 1000 + t` (catalog type ids
//! stay below 1,000), so the associations need no store of their own: the company's `types`
//! is the truth, and an association is derived from it.

use super::patch::{catalog_ref, stamp_now};
use super::{cw_error, Records};
use crate::store::Collection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

const SPAN: i64 = 1000;

fn association(company: &Value, ty: &Value) -> Value {
    let c = company["id"].as_i64().unwrap_or_default();
    let t = ty["id"].as_i64().unwrap_or_default();
    json!({
        "id": c * SPAN + t,
        "type": ty,
        "company": {
            "id": c, "identifier": company["identifier"], "name": company["name"],
            "_info": { "company_href": format!("{}/company/companies/{c}", super::BASE) },
        },
        "_info": { "lastUpdated": company["_info"]["lastUpdated"], "updatedBy": "steward-sim" },
    })
}

/// Company `id`'s associations, as a collection a listing pages through.
pub fn of_company(records: &Records, id: i64) -> Option<Collection> {
    let company = records.companies.find(id)?;
    let types = company["types"].as_array().cloned().unwrap_or_default();
    Some(Collection::from_values(
        types.iter().map(|t| association(&company, t)),
    ))
}

fn not_found(what: String) -> Response {
    cw_error(StatusCode::NOT_FOUND, "NotFound", what)
}

/// `POST …typeAssociations`: `parent` is the company of the path, if the path names one.
pub fn create(records: &mut Records, parent: Option<i64>, body: &Value) -> Response {
    let company_id = match (parent, body["company"]["id"].as_i64()) {
        (Some(p), Some(b)) if p != b => {
            return cw_error(
                StatusCode::BAD_REQUEST,
                "InvalidObject",
                "The company in the body is not the company of the path",
            )
        }
        (Some(p), _) => p,
        (None, Some(b)) => b,
        (None, None) => {
            return invalid("company", "The company is required".into());
        }
    };
    let Some(type_id) = body["type"]["id"].as_i64() else {
        return invalid("type", "The type is required".into());
    };
    let Some(ty) = catalog_ref(&records.company_types, type_id, "name") else {
        return invalid("type", format!("The company type {type_id} is not valid"));
    };
    let Some(company) = records.companies.find(company_id) else {
        return not_found(format!("Company {company_id} was not found"));
    };
    let has = company["types"]
        .as_array()
        .is_some_and(|ts| ts.iter().any(|t| t["id"].as_i64() == Some(type_id)));
    if has {
        return invalid(
            "type",
            format!("The company already has the type {}", ty["name"]),
        );
    }
    let now = stamp_now();
    records.companies.update(company_id, |c| {
        match c["types"].as_array_mut() {
            Some(ts) => ts.push(ty.clone()),
            None => c["types"] = json!([ty.clone()]),
        }
        c["_info"]["lastUpdated"] = json!(now);
    });
    let company = records.companies.find(company_id).unwrap_or(company);
    (StatusCode::CREATED, Json(association(&company, &ty))).into_response()
}

/// `DELETE …typeAssociations/{assocId}`.
pub fn delete(records: &mut Records, parent: Option<i64>, assoc: i64) -> Response {
    let company_id = assoc.div_euclid(SPAN);
    let type_id = assoc.rem_euclid(SPAN);
    let known = parent.is_none_or(|p| p == company_id)
        && records.companies.find(company_id).is_some_and(|c| {
            c["types"]
                .as_array()
                .is_some_and(|ts| ts.iter().any(|t| t["id"].as_i64() == Some(type_id)))
        });
    if !known {
        return not_found(format!("CompanyTypeAssociation {assoc} was not found"));
    }
    let now = stamp_now();
    records.companies.update(company_id, |c| {
        if let Some(ts) = c["types"].as_array_mut() {
            ts.retain(|t| t["id"].as_i64() != Some(type_id));
        }
        c["_info"]["lastUpdated"] = json!(now);
    });
    StatusCode::NO_CONTENT.into_response()
}

/// Makes type `type_id` company `id`'s only type, as a PSA user who ticks one box and clears
/// the others does. `None` when there is no such company or type.
pub fn replace(records: &mut Records, id: i64, type_id: i64) -> Option<Value> {
    let ty = catalog_ref(&records.company_types, type_id, "name")?;
    let now = stamp_now();
    records
        .companies
        .update(id, |c| {
            c["types"] = json!([ty]);
            c["_info"]["lastUpdated"] = json!(now);
        })
        .then(|| records.companies.find(id))
        .flatten()
}

fn invalid(field: &str, message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({
            "code": "InvalidObject",
            "message": "companyTypeAssociation object is invalid",
            "errors": [{ "code": "InvalidField", "message": message, "resource": "companyTypeAssociation", "field": field }],
        })),
    )
        .into_response()
}
