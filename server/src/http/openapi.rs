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

/// A 200 that is a ZIP file, with these error responses.
fn zip_ok(mut errors: Value) -> Value {
    if let Some(map) = errors.as_object_mut() {
        map.insert(
            "200".into(),
            json!({ "description": "The file", "content": { "application/zip": { "schema": { "type": "string", "format": "binary" } } } }),
        );
    }
    errors
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
            "description": "Automation API of Steward. Sign in with POST /session; the \
                session cookie authenticates the other calls. Every error is {code, message}."
        },
        "servers": [{ "url": "/api/v1" }],
        "components": {
            "securitySchemes": { "session": { "type": "apiKey", "in": "cookie", "name": "steward_session" } },
            "schemas": {
                "Error": {
                    "type": "object", "required": ["code", "message"],
                    "properties": {
                        "code": { "type": "string", "enum": ["unauthenticated", "invalid_credentials", "forbidden", "cross_origin", "not_found", "invalid_input", "feature_unavailable", "conflict", "too_many_requests", "password_change_required", "network", "internal"] },
                        "message": { "type": "string", "description": "What went wrong \
                            and what to \
                            do" },
                        "retry_after": { "type": "integer", "description": "With \
                            too_many_requests: seconds to wait (also the Retry-After header)" }
                    }
                },
                "RemovalImpact": {
                    "type": "object", "required": ["kind", "items", "children", "had_data", "had_data_count"],
                    "properties": {
                        "kind": kind_schema(), "items": { "type": "integer" },
                        "children": { "type": "array", "description": "[kind of \
                            record, how many] inside the organizations", "items": { "type": "array", "items": { "anyOf": [{ "type": "string" }, { "type": "integer" }] }, "minItems": 2, "maxItems": 2 } },
                        "had_data": { "type": "array", "description": "[organization, \
                            what it holds] for those that had data before the first sync: the \
                            first 200 by name", "items": { "type": "array", "items": { "anyOf": [{ "type": "string" }, { "type": "string" }] }, "minItems": 2, "maxItems": 2 } },
                        "had_data_count": { "type": "integer", "description": "How \
                            many organizations had data before the first sync, listed or not" },
                        "kept": { "type": "integer", "description": "Matching items \
                            that are not deleted (a search's items the PSA still syncs, without \
                            bulk delete by type)" },
                        "note": { "type": ["string", "null"], "description": "Why \
                            items are kept, or that items still syncing are deleted too" }
                    }
                },
                "Removal": {
                    "type": "object",
                    "required": ["id", "integration", "kind", "state", "done", "total", "deleted", "skipped", "created_at", "rate", "elapsed_ms", "cancel_requested", "archive_available"],
                    "properties": {
                        "id": { "type": "integer" }, "integration": { "type": "integer" }, "kind": kind_schema(),
                        "state": { "type": "string", "enum": ["queued", "running", "succeeded", "failed", "cancelled"] },
                        "started_by": { "type": ["string", "null"] },
                        "done": { "type": "integer", "description": "Targets behind the removal" }, "total": { "type": "integer" },
                        "deleted": { "type": "integer" }, "skipped": { "type": "integer", "description": "Targets that no longer qualified when reached" },
                        "created_at": { "type": "string", "format": "date-time" }, "finished_at": { "type": ["string", "null"], "format": "date-time" },
                        "rate": { "type": "number", "description": "Targets per second" }, "eta_seconds": { "type": ["integer", "null"] },
                        "elapsed_ms": { "type": "integer" }, "cancel_requested": { "type": "boolean" },
                        "error": { "type": ["string", "null"] }, "archive_available": { "type": "boolean" }
                    }
                },
                "ActivityEntry": {
                    "type": "object", "required": ["id", "at", "actor", "action", "subject", "outcome", "details"],
                    "properties": {
                        "id": { "type": "integer" }, "at": { "type": "string", "format": "date-time" },
                        "actor": { "type": "string" }, "action": { "type": "string" }, "subject": { "type": "string" },
                        "outcome": { "type": "string" },
                        "details": { "type": "array", "items": { "type": "array", "items": { "anyOf": [{ "type": "string" }, { "type": "string" }] }, "minItems": 2, "maxItems": 2 } }
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
                        "error_message": { "type": ["string", "null"], "description": "For a \
                            failed run: the PSA endpoint and its message" },
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
                        "values": { "type": "array", "description": "[catalog value \
                            id, checked] \
                            pairs",
                                    "items": { "type": "array", "items": { "anyOf": [{ "type": "integer" }, { "type": "boolean" }] }, "minItems": 2, "maxItems": 2 } }
                    }
                },
                "ManageData": {
                    "type": "object", "required": ["integration", "synced_items", "orphaned_data", "disconnected_data", "rights"],
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
                        "disconnected_data": { "type": "array", "items": { "$ref": "#/components/schemas/KindRow" } },
                        "rights": {
                            "type": "object", "description": "What the signed-in user \
                                may do on this screen (the server enforces it again)",
                            "required": ["delete", "manage", "edit"],
                            "properties": { "delete": { "type": "boolean" }, "manage": { "type": "boolean" }, "edit": { "type": "boolean" } }
                        }
                    }
                },
                "KindRow": {
                    "type": "object", "required": ["kind", "count", "by_reason"],
                    "properties": {
                        "kind": { "type": "string", "enum": ["organization", "configuration", "contact", "location"] },
                        "count": { "type": "integer" },
                        "by_reason": { "type": "array", "items": { "type": "array", "items": { "anyOf": [
                            { "type": "string", "enum": ["type_not_synced", "status_not_synced", "deleted_in_psa", "parent_not_syncing", "inactive_status_not_synced"] },
                            { "type": "integer" } ] }, "minItems": 2, "maxItems": 2 } }
                    }
                }
            }
        },
        "security": [{ "session": [] }],
        "paths": {
            "/openapi.json": {
                "get": {
                    "summary": "This document (OpenAPI 3.1).", "security": [],
                    "responses": ok(json!({ "type": "object" }), json!({}))
                }
            },
            "/session": {
                "post": {
                    "summary": "Sign in", "security": [],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": {
                        "type": "object", "required": ["email", "password"],
                        "properties": { "email": { "type": "string" }, "password": { "type": "string" } } } } } },
                    "responses": ok(json!({ "$ref": "#/components/schemas/User" }), error_responses(&["401", "403", "422", "429"]))
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
                    "summary": "The Manage Data screen: Synced Items, Orphaned Data, \
                        Disconnected Data, counted over what the user may access",
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "responses": ok(json!({ "$ref": "#/components/schemas/ManageData" }), error_responses(&["401", "404", "422"]))
                }
            },
            "/integrations/{id}/sync": {
                "post": {
                    "summary": "Start Manual Sync: a full sync now. A second request \
                        while a run is going starts nothing and answers with the running run \
                        (started: false). Manager and Administrator.",
                    "parameters": [id_param()],
                    "responses": with_status("202", json!({ "$ref": "#/components/schemas/SyncStarted" }), error_responses(&["401", "403", "404", "409", "422"]))
                }
            },
            "/integrations/{id}/pause": {
                "post": {
                    "summary": "Pause Sync: the next run does not start (a running one \
                        finishes). Manager and Administrator.",
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
                    "summary": "The integration's last 100 sync runs, newest first: \
                        mode, trigger, outcome, error, counts, timing",
                    "parameters": [id_param()],
                    "responses": ok(json!({ "type": "array", "items": { "$ref": "#/components/schemas/SyncRun" } }), error_responses(&["401", "404", "422"]))
                }
            },
            "/integrations/{id}/sync-runs/{run}/events": {
                "get": {
                    "summary": "A run's events (items orphaned, failed, resumed or \
                        matched, and why), errors first, 100 a page",
                    "parameters": [id_param(),
                        { "name": "run", "in": "path", "required": true, "schema": { "type": "integer" } },
                        { "name": "page", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "default": 1 } }],
                    "responses": ok(json!({ "type": "array", "items": { "$ref": "#/components/schemas/SyncEvent" } }), error_responses(&["401", "404", "422"]))
                }
            },
            "/integrations/{id}/removals/impact": {
                "get": {
                    "summary": "Delete, before anything happens: how many items would \
                        go (a kind's orphans with ?kind=, or every item of a type or status with \
                        ?value= and, for Disconnect's third option, &full_delete=true), with every \
                        record inside the organizations among them, and the organizations that had \
                        data before the first sync. Manager and Administrator; a type or status \
                        needs the account's bulk-delete-by-type (or full-delete) feature, else 403 \
                        feature_unavailable.",
                    "parameters": [id_param(), kind_param(),
                        { "name": "value", "in": "query", "required": false, "schema": { "type": "integer" } },
                        { "name": "full_delete", "in": "query", "required": false, "schema": { "type": "boolean" } },
                        { "name": "search", "in": "query", "required": false, "schema": { "type": "string" }, "description": "Organizations list search (sync status:, type:, status:, free text)" },
                        { "name": "reason", "in": "query", "required": false, "schema": reason_schema(), "description": "With kind: only its orphans of this reason" },
                        { "name": "ids", "in": "query", "required": false, "schema": { "type": "string" }, "description": "Ticked ids, comma-separated: with kind, only those of its orphans; alone, those organizations (at most 1,000)" }],
                    "responses": ok(json!({ "$ref": "#/components/schemas/RemovalImpact" }), error_responses(&["401", "403", "404", "422"]))
                }
            },
            "/integrations/{id}/removals": {
                "post": {
                    "summary": "Queue the deletion of a kind's orphans (kind) or of \
                        every item of a type or status (value): the ids counted now are frozen \
                        into a removal that a worker runs in chunks. `confirm` must be their \
                        number. Manager and Administrator.",
                    "parameters": [id_param()],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": {
                        "type": "object", "required": ["confirm"],
                        "properties": { "kind": kind_schema(), "value": { "type": "integer" }, "full_delete": { "type": "boolean" },
                            "search": { "type": "string", "description": "Organizations list search (sync status:, type:, status:, free text)" },
                            "reason": reason_schema(),
                            "ids": { "type": "string", "description": "Ticked ids, comma-separated: with kind, only those of its orphans; alone, those organizations (at most 1,000)" },
                            "confirm": { "type": "string", "description": "The number \
                                of items, as \
                                typed" } }
                    } } } },
                    "responses": with_status("202", json!({ "$ref": "#/components/schemas/Removal" }), error_responses(&["401", "403", "404", "409", "422"]))
                }
            },
            "/integrations/{id}/values/{value}/pause": {
                "post": {
                    "summary": "Pause (a Synced Items row): unchecks the type or \
                        status at once (Sync Active: No); its items become orphans after the next \
                        full sync. Manager and Administrator.",
                    "parameters": [id_param(), value_param()],
                    "responses": ok(json!({ "type": "object", "required": ["message"], "properties": { "message": { "type": "string" } } }), error_responses(&["401", "403", "404", "422"]))
                }
            },
            "/integrations/{id}/values/{value}/disconnect": {
                "get": {
                    "summary": "What 'Permanently disconnect records … but keep all \
                        data' of the row would make stand-alone: [kind, how many] (for \
                        organizations, with the linked items inside them). Manager and \
                        Administrator.",
                    "parameters": [id_param(), value_param()],
                    "responses": ok(json!({ "type": "array", "items": { "type": "array", "items": { "anyOf": [kind_schema(), { "type": "integer" }] }, "minItems": 2, "maxItems": 2 } }), error_responses(&["401", "403", "404", "422"]))
                },
                "post": {
                    "summary": "Permanently disconnect records of the row but keep all \
                        data, in one transaction: the type or status stops syncing, its items (and \
                        the items inside organizations) become stand-alone and cannot be \
                        reconnected. Refused while a sync runs. Manager and Administrator.",
                    "parameters": [id_param(), value_param()],
                    "responses": ok(json!({ "type": "array", "items": { "type": "array", "items": { "anyOf": [kind_schema(), { "type": "integer" }] }, "minItems": 2, "maxItems": 2 } }), error_responses(&["401", "403", "404", "409", "422"]))
                }
            },
            "/integrations/{id}/disconnected": {
                "get": {
                    "summary": "Disconnected Data: the items of a kind whose sync was \
                        turned off one at a time (including those deleted since), newest first, \
                        500 a page, and the total",
                    "parameters": [id_param(), { "name": "kind", "in": "query", "required": true, "schema": kind_schema() },
                        { "name": "page", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "default": 1 } }],
                    "responses": ok(json!({ "type": "object", "required": ["total", "items"], "properties": {
                        "total": { "type": "integer" },
                        "items": { "type": "array", "items": { "type": "object", "required": ["id", "kind", "name", "organization", "psa_id", "disconnected_at", "deleted_locally"] } } } }),
                        error_responses(&["401", "404", "422"]))
                }
            },
            "/integrations/{id}/disconnected/{item}/reconnect": {
                "post": {
                    "summary": "Reconnect one item, only if it still exists in the PSA \
                        (checked live); it syncs again from the next sync, and one deleted locally \
                        since is recreated from the PSA (data that existed only in Steward does \
                        not come back). Manager and Administrator.",
                    "parameters": [id_param(), { "name": "item", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "responses": ok(json!({ "type": "object", "required": ["message"], "properties": { "message": { "type": "string" } } }), error_responses(&["401", "403", "404", "409", "422"]))
                }
            },
            "/removals": {
                "get": {
                    "summary": "The account's removals, current and past, newest first \
                        (100). Manager and Administrator.",
                    "responses": ok(json!({ "type": "array", "items": { "$ref": "#/components/schemas/Removal" } }), error_responses(&["401", "403"]))
                }
            },
            "/events": {
                "get": {
                    "summary": "Server-sent events (text/event-stream) of every job of \
                        the account the user may see, whenever one that is queued or running (or \
                        ended since the stream opened) changes state or progress; first the jobs \
                        going on now. The event's name is the job's kind: `removal` (data: a \
                        Removal; Manager and Administrator), `restore` and `export` (their jobs; \
                        Administrator), `sync` (data: `{integration, run}`, a SyncRun of that \
                        integration). Reconnecting with Last-Event-ID resumes from that stream's \
                        start. It ends with the session; a user may hold a few open at once (429 \
                        beyond).",
                    "responses": { "200": { "description": "An event stream", "content": { "text/event-stream": { "schema": { "type": "string" } } } },
                        "401": error_responses(&["401"])["401"].clone(), "429": error_responses(&["429"])["429"].clone() }
                }
            },
            "/removals/{job}/cancel": {
                "post": {
                    "summary": "Cancel removal: a queued removal ends now, a running \
                        one after its current chunk; what was deleted stays deleted and archived. \
                        Manager and Administrator.",
                    "parameters": [job_param()],
                    "responses": ok(json!({ "$ref": "#/components/schemas/Removal" }), error_responses(&["401", "403", "404", "422"]))
                }
            },
            "/activity": {
                "get": {
                    "summary": "The account's activity log, newest first, 200 entries \
                        a page: who did what, the outcome and details. The next page: `before` the \
                        last entry's id. Manager and Administrator.",
                    "parameters": [{ "name": "before", "in": "query", "required": false, "schema": { "type": "integer", "format": "int64" }, "description": "Only entries older than this one (its id)" }],
                    "responses": ok(json!({ "type": "array", "items": { "$ref": "#/components/schemas/ActivityEntry" } }), error_responses(&["401", "403", "422"]))
                }
            },
            "/removals/{job}/archive": {
                "get": {
                    "summary": "Everything a removal deleted (items and their \
                        children, as JSON), for download. Administrators only.",
                    "parameters": [{ "name": "job", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "responses": ok(json!({ "type": "object" }), error_responses(&["401", "403", "404", "422"]))
                }
            },
            "/exports/{job}/file": {
                "get": {
                    "summary": "An account export (Account > Export), as one ZIP of \
                        JSON Lines with a manifest. Administrators without restrictions.",
                    "parameters": [{ "name": "job", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "responses": zip_ok(error_responses(&["401", "403", "404", "422"]))
                }
            },
            "/integrations/{id}/sync-settings": {
                "get": {
                    "summary": "The sync settings: a checkbox per PSA type and status, \
                        the contacts switch, the interval",
                    "parameters": [id_param()],
                    "responses": ok(json!({ "$ref": "#/components/schemas/SyncSettings" }), error_responses(&["401", "404", "422"]))
                },
                "patch": {
                    "summary": "Change the sync settings, all or nothing. Manager and \
                        Administrator.",
                    "parameters": [id_param()],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SyncSettingsChange" } } } },
                    "responses": ok(json!({ "$ref": "#/components/schemas/SyncSettings" }), error_responses(&["401", "403", "404", "422"]))
                }
            }
        }
    })
}

fn value_param() -> Value {
    json!({ "name": "value", "in": "path", "required": true, "description": "A type or status (a \
        Synced Items row)", "schema": { "type": "integer" } })
}

fn job_param() -> Value {
    json!({ "name": "job", "in": "path", "required": true, "schema": { "type": "integer" } })
}

fn kind_schema() -> Value {
    json!({ "type": "string", "enum": ["organization", "configuration", "contact", "location"] })
}

fn reason_schema() -> Value {
    json!({ "type": "string", "enum": ["type_not_synced", "status_not_synced", "deleted_in_psa",
        "parent_not_syncing", "inactive_status_not_synced"] })
}

fn kind_param() -> Value {
    json!({ "name": "kind", "in": "query", "required": false, "schema": kind_schema() })
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
