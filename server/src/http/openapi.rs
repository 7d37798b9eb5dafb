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
                "SyncStarted": {
                    "type": "object", "required": ["run_id", "started"],
                    "properties": { "run_id": { "type": "integer" }, "started": { "type": "boolean", "description": "false: a run was already going; this is that run" } }
                },
                "SyncCounts": {
                    "type": "object",
                    "properties": { "created": { "type": "integer" }, "updated": { "type": "integer" }, "orphaned": { "type": "integer" },
                                    "unchanged": { "type": "integer" }, "failed": { "type": "integer" } }
                },
                "SyncRun": {
                    "type": "object",
                    "properties": {
                        "id": { "type": "integer" },
                        "mode": { "type": "string", "enum": ["full", "incremental"] },
                        "trigger": { "type": "string", "enum": ["schedule", "manual", "fixture"] },
                        "outcome": { "type": "string", "enum": ["running", "succeeded", "failed"] },
                        "error_message": { "type": ["string", "null"], "description": "For a failed run: the PSA endpoint and its message" },
                        "counts": { "$ref": "#/components/schemas/SyncCounts" },
                        "started_at": { "type": "string", "format": "date-time" },
                        "finished_at": { "type": ["string", "null"], "format": "date-time" }
                    }
                },
                "SyncEvent": {
                    "type": "object",
                    "properties": {
                        "level": { "type": "string", "enum": ["info", "warning", "error"] },
                        "kind": { "type": ["string", "null"], "enum": ["organization", "configuration", "contact", "location", null] },
                        "item_id": { "type": ["integer", "null"] },
                        "psa_id": { "type": ["integer", "null"] },
                        "reason": { "type": ["string", "null"], "enum": ["type_not_synced", "status_not_synced", "deleted_in_psa", "parent_not_syncing", "inactive_status_not_synced", null] },
                        "message": { "type": "string" },
                        "created_at": { "type": "string", "format": "date-time" }
                    }
                },
                "SyncSettings": {
                    "type": "object",
                    "properties": {
                        "sync_contacts": { "type": "boolean" },
                        "schedule_minutes": { "type": "integer" },
                        "values": { "type": "array", "items": { "type": "object", "properties": {
                            "id": { "type": "integer" },
                            "category": { "type": "string", "enum": ["organization_type", "organization_status", "configuration_type", "configuration_status", "contact_type"] },
                            "psa_id": { "type": "integer" }, "name": { "type": "string" },
                            "sync_enabled": { "type": "boolean", "description": "Sync Active" } } } }
                    }
                },
                "SyncSettingsChange": {
                    "type": "object",
                    "properties": {
                        "sync_contacts": { "type": "boolean" },
                        "schedule_minutes": { "type": "integer", "minimum": 5, "maximum": 10080 },
                        "values": { "type": "array", "description": "[catalog value id, checked] pairs",
                                    "items": { "type": "array", "prefixItems": [{ "type": "integer" }, { "type": "boolean" }] } }
                    }
                },
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
            },
            "/integrations/{id}/sync": {
                "post": {
                    "summary": "Start Manual Sync: a full sync now. A second request while a run is going starts nothing and answers with the running run (started: false). Manager and Administrator.",
                    "parameters": [id_param()],
                    "responses": with_status("202", json!({ "$ref": "#/components/schemas/SyncStarted" }), error_responses(&["401", "403", "404", "409", "422"]))
                }
            },
            "/integrations/{id}/pause": {
                "post": {
                    "summary": "Pause Sync: the next run does not start (a running one finishes). Manager and Administrator.",
                    "parameters": [id_param()],
                    "responses": ok(json!({ "$ref": "#/components/schemas/Integration" }), error_responses(&["401", "403", "404", "422"]))
                }
            },
            "/integrations/{id}/resume": {
                "post": {
                    "summary": "Resume Sync. Manager and Administrator.",
                    "parameters": [id_param()],
                    "responses": ok(json!({ "$ref": "#/components/schemas/Integration" }), error_responses(&["401", "403", "404", "422"]))
                }
            },
            "/integrations/{id}/sync-runs": {
                "get": {
                    "summary": "The integration's last 100 sync runs, newest first: mode, trigger, outcome, error, counts, timing",
                    "parameters": [id_param()],
                    "responses": ok(json!({ "type": "array", "items": { "$ref": "#/components/schemas/SyncRun" } }), error_responses(&["401", "404", "422"]))
                }
            },
            "/integrations/{id}/sync-runs/{run}/events": {
                "get": {
                    "summary": "A run's events (items orphaned, failed, resumed or matched, and why), errors first, 100 a page",
                    "parameters": [id_param(),
                        { "name": "run", "in": "path", "required": true, "schema": { "type": "integer" } },
                        { "name": "page", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "default": 1 } }],
                    "responses": ok(json!({ "type": "array", "items": { "$ref": "#/components/schemas/SyncEvent" } }), error_responses(&["401", "404", "422"]))
                }
            },
            "/removals/{job}/archive": {
                "get": {
                    "summary": "Everything a removal deleted (items and their children, as JSON), for download. Administrators only.",
                    "parameters": [{ "name": "job", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "responses": ok(json!({ "type": "object" }), error_responses(&["401", "403", "404", "422"]))
                }
            },
            "/integrations/{id}/sync-settings": {
                "get": {
                    "summary": "The sync settings: a checkbox per PSA type and status, the contacts switch, the interval",
                    "parameters": [id_param()],
                    "responses": ok(json!({ "$ref": "#/components/schemas/SyncSettings" }), error_responses(&["401", "404", "422"]))
                },
                "patch": {
                    "summary": "Change the sync settings, all or nothing. Manager and Administrator.",
                    "parameters": [id_param()],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SyncSettingsChange" } } } },
                    "responses": ok(json!({ "$ref": "#/components/schemas/SyncSettings" }), error_responses(&["401", "403", "404", "422"]))
                }
            }
        }
    })
}

fn id_param() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } })
}

fn with_status(status: &str, schema: Value, mut errors: Value) -> Value {
    let map = errors.as_object_mut().expect("an object");
    map.insert(
        status.into(),
        json!({ "description": "Accepted", "content": { "application/json": { "schema": schema } } }),
    );
    errors
}

pub async fn document() -> Json<Value> {
    Json(spec())
}
