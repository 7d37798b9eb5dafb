//! Autotask's writes: `PATCH` changes the fields it names, `PUT` replaces the record (a field
//! left out is emptied, a required one missing is refused), read-only fields refused.

use super::*;

/// `PATCH /Companies` or `/ConfigurationItems`: a body with `id` and the fields to change; every
/// field must exist and be writable, and a picklist takes only its own values. All or nothing.
/// How an update treats the fields it does not name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Update {
    /// PATCH: "only updates those values explicitly designated in the JSON input".
    Patch,
    /// PUT: "If the JSON you send does not include a property for a field, the target field
    /// value will default to null" (Autotask's developer help, "Updating data via PUT request
    /// with the REST API"); read-only fields stay, required ones must be given.
    Put,
}

/// `PATCH` or `PUT` on an entity's collection with one object that has an `id`: 200
/// `{"itemId": id}`, or 500 with Autotask's `errors` and nothing changed.
pub(super) fn update(sim: &AtSimulator, entity: Entity, body: &[u8], how: Update) -> Response {
    let Ok(Value::Object(changes)) = serde_json::from_slice::<Value>(body) else {
        return errors(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The body must be one object with an id",
        );
    };
    let Some(id) = changes.get("id").and_then(Value::as_i64) else {
        return errors(StatusCode::INTERNAL_SERVER_ERROR, "The object needs an id");
    };
    let mut records = sim.records();
    let picklists = records.picklists.clone();
    let mut problems = Vec::new();
    for (field, value) in changes.iter().filter(|(k, _)| *k != "id") {
        let Some((name, _)) = entity
            .fields()
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(field))
        else {
            problems.push(format!(
                "Unable to find {field} in the {} Entity.",
                entity.name()
            ));
            continue;
        };
        let category = picklists
            .iter()
            .map(|p| p.category)
            .find(|c| entity.picklist_field(*c) == Some(*name));
        if let Some(category) = category {
            let v = value
                .as_i64()
                .or_else(|| value.as_str().and_then(|s| s.parse().ok()));
            if !picklists
                .iter()
                .any(|p| p.category == category && Some(p.value) == v)
            {
                problems.push(format!("{value} is not a valid value for {name}"));
            }
        }
    }
    if how == Update::Put {
        for (name, _) in entity.fields() {
            let given = changes
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .is_some_and(|(_, v)| !v.is_null());
            if records::required(name) && !records::read_only(name) && !given {
                problems.push(format!("{name} is required."));
            }
        }
    }
    let Some(mut record) = records.of(entity).find(id) else {
        return errors(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{} {id} was not found", entity.name()),
        );
    };
    if !problems.is_empty() {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({ "errors": problems })),
        )
            .into_response();
    }
    if how == Update::Put {
        for (name, _) in entity.fields() {
            if !records::read_only(name) {
                record[*name] = Value::Null;
            }
        }
    }
    for (field, value) in changes.iter().filter(|(k, _)| *k != "id") {
        // Read-only fields are Autotask's: a value sent for one is ignored.
        if let Some((name, _)) = entity
            .fields()
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(field) && !records::read_only(n))
        {
            // A picklist value sent as a string ("4") is stored as the number it stands for.
            let picklist = picklists
                .iter()
                .any(|p| entity.picklist_field(p.category) == Some(*name));
            record[*name] = match value.as_str().and_then(|s| s.parse::<i64>().ok()) {
                Some(n) if picklist => Value::from(n),
                _ => value.clone(),
            };
        }
    }
    let now = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let stamp_field = match entity {
        Entity::Companies => "lastTrackedModifiedDateTime",
        _ => "lastModifiedTime",
    };
    record[stamp_field] = Value::String(now);
    records.of_mut(entity).upsert(record);
    Json(json!({ "itemId": id })).into_response()
}
