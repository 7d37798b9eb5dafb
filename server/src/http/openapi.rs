//! The OpenAPI 3.1 document of the JSON API, served at /api/v1/openapi.json.

use axum::Json;
use serde_json::{json, Value};

fn error_responses(codes: &[&str]) -> Value {
    let mut m = serde_json::Map::new();
    for code in codes {
        m.insert(
            code.to_string(),
            json!({ "description": "An error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }),
        );
    }
    Value::Object(m)
}

fn ok(schema: Value, mut errors: Value) -> Value {
    let map = errors.as_object_mut().expect("an object");
    map.insert(
        "200".into(),
        json!({ "description": "Success", "content": { "application/json": { "schema": schema } } }),
    );
    errors
}

pub fn spec() -> Value {
    let counts = json!({
        "type": "object",
        "required": ["enabled", "disabled", "orphaned", "error"],
        "properties": {
            "enabled": { "type": "integer" }, "disabled": { "type": "integer" },
            "orphaned": { "type": "integer" }, "error": { "type": "integer" }
        }
    });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Steward API",
            "version": "1",
            "description": "Automation API of Steward. Sign in with POST /session; the session cookie authenticates the other calls. Every error is {code, message}."
        },
        "servers": [{ "url": "/api/v1" }],
        "components": {
            "securitySchemes": { "session": { "type": "apiKey", "in": "cookie", "name": "steward_session" } },
            "schemas": {
                "Error": {
                    "type": "object", "required": ["code", "message"],
                    "properties": {
                        "code": { "type": "string", "enum": ["unauthenticated", "invalid_credentials", "forbidden", "cross_origin", "not_found", "invalid_input", "feature_unavailable", "network", "internal"] },
                        "message": { "type": "string", "description": "What went wrong and what to do" }
                    }
                },
                "User": {
                    "type": "object",
                    "required": ["user_id", "account_id", "account_name", "email", "name", "role", "restricted"],
                    "properties": {
                        "user_id": { "type": "integer" }, "account_id": { "type": "integer" },
                        "account_name": { "type": "string" }, "email": { "type": "string" }, "name": { "type": "string" },
                        "role": { "type": "string", "enum": ["administrator", "manager", "editor", "creator", "lite", "read_only"] },
                        "restricted": { "type": "boolean" }
                    }
                },
                "Integration": {
                    "type": "object", "required": ["id", "kind", "name", "site_url", "state"],
                    "properties": {
                        "id": { "type": "integer" },
                        "kind": { "type": "string", "enum": ["connectwise_manage", "autotask", "halopsa"] },
                        "name": { "type": "string" }, "site_url": { "type": "string" },
                        "state": { "type": "string", "enum": ["active", "paused"] },
                        "last_sync": { "type": ["object", "null"], "properties": {
                            "started_at": { "type": "string", "format": "date-time" },
                            "finished_at": { "type": ["string", "null"], "format": "date-time" },
                            "outcome": { "type": "string", "enum": ["running", "succeeded", "failed"] },
                            "created": { "type": "integer" }, "updated": { "type": "integer" },
                            "orphaned": { "type": "integer" }, "failed": { "type": "integer" }
                        } }
                    }
                },
                "SyncStateCounts": counts,
                "ManageData": {
                    "type": "object", "required": ["integration", "synced_items", "orphaned_data", "disconnected_data"],
                    "properties": {
                        "integration": { "$ref": "#/components/schemas/Integration" },
                        "synced_items": { "type": "array", "items": {
                            "type": "object", "required": ["category", "value_id", "value_name", "sync_active", "counts"],
                            "properties": {
                                "category": { "type": "string", "enum": ["organization_type", "organization_status", "configuration_type", "configuration_status", "contact_type"] },
                                "value_id": { "type": "integer" }, "value_name": { "type": "string" },
                                "sync_active": { "type": "boolean" },
                                "counts": { "$ref": "#/components/schemas/SyncStateCounts" }
                            } } },
                        "orphaned_data": { "type": "array", "items": { "$ref": "#/components/schemas/KindRow" } },
                        "disconnected_data": { "type": "array", "items": { "$ref": "#/components/schemas/KindRow" } }
                    }
                },
                "KindRow": {
                    "type": "object", "required": ["kind", "count", "by_reason"],
                    "properties": {
                        "kind": { "type": "string", "enum": ["organization", "configuration", "contact", "location"] },
                        "count": { "type": "integer" },
                        "by_reason": { "type": "array", "items": { "type": "array", "prefixItems": [
                            { "type": "string", "enum": ["type_not_synced", "status_not_synced", "deleted_in_psa", "parent_not_syncing", "inactive_status_not_synced"] },
                            { "type": "integer" } ] } }
                    }
                }
            }
        },
        "security": [{ "session": [] }],
        "paths": {
            "/session": {
                "post": {
                    "summary": "Sign in", "security": [],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": {
                        "type": "object", "required": ["email", "password"],
                        "properties": { "email": { "type": "string" }, "password": { "type": "string" } } } } } },
                    "responses": ok(json!({ "$ref": "#/components/schemas/User" }), error_responses(&["401", "403", "422"]))
                },
                "delete": {
                    "summary": "Sign out",
                    "responses": { "204": { "description": "Signed out" } }
                }
            },
            "/integrations": {
                "get": {
                    "summary": "The account's PSA integrations",
                    "responses": ok(json!({ "type": "array", "items": { "$ref": "#/components/schemas/Integration" } }), error_responses(&["401"]))
                }
            },
            "/integrations/{id}/manage-data": {
                "get": {
                    "summary": "The Manage Data screen: Synced Items, Orphaned Data, Disconnected Data, counted over what the user may access",
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "responses": ok(json!({ "$ref": "#/components/schemas/ManageData" }), error_responses(&["401", "404", "422"]))
                }
            }
        }
    })
}

pub async fn document() -> Json<Value> {
    Json(spec())
}
