//! The account's tables as records: which tables hold an account's data and their columns in
//! the order they are written back (`KINDS`), how a row reads as one JSON object (`json_row`),
//! and how such an object is inserted again (`insert_from_json`). Exports and imports
//! (`crate::export`), removal archives and restores all move records this way.

use crate::db::Backend;

/// One kind of record: the export file it goes to, the table it comes from and its columns,
/// in import order.
pub struct Kind {
    pub file: &'static str,
    pub table: &'static str,
    pub columns: &'static [&'static str],
    /// Read a page at a time by id (the small tables without an id are read whole).
    pub by_id: bool,
}

pub const KINDS: [Kind; 12] = [
    Kind {
        file: "features.jsonl",
        table: "account_features",
        columns: &["feature", "enabled_at"],
        by_id: false,
    },
    Kind {
        file: "integrations.jsonl",
        table: "psa_integrations",
        columns: &[
            "id",
            "kind",
            "name",
            "site_url",
            "state",
            "sync_contacts",
            "schedule_minutes",
            "last_full_sync_at",
            "disconnected_at",
            "created_at",
            "updated_at",
        ],
        by_id: true,
    },
    Kind {
        file: "catalog_values.jsonl",
        table: "psa_catalog_values",
        columns: &[
            "id",
            "integration_id",
            "category",
            "psa_id",
            "name",
            "sync_enabled",
            "disconnected_at",
        ],
        by_id: true,
    },
    Kind {
        file: "organizations.jsonl",
        table: "organizations",
        columns: &[
            "id",
            "name",
            "organization_type_id",
            "organization_status_id",
            "integration_id",
            "psa_id",
            "sync_state",
            "orphan_reason",
            "sync_error",
            "had_data_before_first_sync",
            "last_synced_at",
            "created_at",
            "updated_at",
        ],
        by_id: true,
    },
    Kind {
        file: "configurations.jsonl",
        table: "configurations",
        columns: &[
            "id",
            "organization_id",
            "name",
            "serial_number",
            "configuration_type_id",
            "configuration_status_id",
            "active",
            "integration_id",
            "psa_id",
            "sync_state",
            "orphan_reason",
            "sync_error",
            "last_synced_at",
            "created_at",
            "updated_at",
        ],
        by_id: true,
    },
    Kind {
        file: "contacts.jsonl",
        table: "contacts",
        columns: &[
            "id",
            "organization_id",
            "first_name",
            "last_name",
            "email",
            "contact_type_id",
            "integration_id",
            "psa_id",
            "sync_state",
            "orphan_reason",
            "sync_error",
            "last_synced_at",
            "created_at",
            "updated_at",
        ],
        by_id: true,
    },
    Kind {
        file: "locations.jsonl",
        table: "locations",
        columns: &[
            "id",
            "organization_id",
            "name",
            "address_line1",
            "city",
            "region",
            "postal_code",
            "country",
            "phone",
            "integration_id",
            "psa_id",
            "sync_state",
            "orphan_reason",
            "sync_error",
            "last_synced_at",
            "created_at",
            "updated_at",
        ],
        by_id: true,
    },
    Kind {
        file: "passwords.jsonl",
        table: "passwords",
        columns: &[
            "id",
            "organization_id",
            "name",
            "username",
            "url",
            "created_at",
            "updated_at",
        ],
        by_id: true,
    },
    Kind {
        file: "documents.jsonl",
        table: "documents",
        columns: &[
            "id",
            "organization_id",
            "title",
            "body",
            "created_at",
            "updated_at",
        ],
        by_id: true,
    },
    Kind {
        file: "disconnected_items.jsonl",
        table: "disconnected_items",
        columns: &[
            "id",
            "integration_id",
            "item_kind",
            "psa_id",
            "item_id",
            "organization_id",
            "name",
            "organization_name",
            "disconnected_at",
            "deleted_locally_at",
        ],
        by_id: true,
    },
    Kind {
        file: "users.jsonl",
        table: "users",
        columns: &[
            "id",
            "email",
            "name",
            "role",
            "restricted",
            "deactivated_at",
            "created_at",
        ],
        by_id: true,
    },
    Kind {
        file: "user_organizations.jsonl",
        table: "user_organization_access",
        columns: &["user_id", "organization_id"],
        by_id: false,
    },
];

/// Columns that are booleans: written as JSON true/false whichever database they come from.
pub const BOOLEANS: [&str; 5] = [
    "sync_contacts",
    "sync_enabled",
    "had_data_before_first_sync",
    "active",
    "restricted",
];

/// A row of `table` as one JSON object (text), for `json_object` / `json_build_object`.
pub fn json_row(kind: &Kind, backend: Backend) -> String {
    let mut pairs: Vec<String> = kind
        .columns
        .iter()
        .map(|c| format!("'{c}', t.{c}"))
        .collect();
    if kind.table == "passwords" {
        pairs.push(match backend {
            Backend::Sqlite => "'secret_ciphertext_hex', hex(t.secret_ciphertext)".into(),
            Backend::Postgres => {
                "'secret_ciphertext_hex', encode(t.secret_ciphertext, 'hex')".into()
            }
        });
    }
    let f = match backend {
        Backend::Sqlite => "json_object",
        Backend::Postgres => "json_build_object",
    };
    format!("CAST({f}({}) AS TEXT)", pairs.join(", "))
}

/// The INSERT that writes one record given as JSON (`$2`) into `table` of account `$1`: each of
/// `columns` from the JSON field of its name, `secret_ciphertext` from the hex in
/// `secret_ciphertext_hex`. With `known_catalog`, a type or status no longer in the catalog comes
/// in empty; with `returning`, the statement answers the new row's id. Restores and imports
/// both write records this way.
pub fn insert_from_json(
    table: &str,
    columns: &[&str],
    backend: Backend,
    known_catalog: bool,
    returning: bool,
) -> String {
    let field = |c: &str| match (backend, c) {
        (Backend::Sqlite, "secret_ciphertext") => {
            "unhex(json_extract($2, '$.secret_ciphertext_hex'))".to_string()
        }
        (Backend::Postgres, "secret_ciphertext") => {
            "decode($2::json->>'secret_ciphertext_hex', 'hex')".to_string()
        }
        (Backend::Sqlite, c) => format!("json_extract($2, '$.{c}')"),
        (Backend::Postgres, c) => format!("r.{c}"),
    };
    let values = columns
        .iter()
        .map(|c| {
            if known_catalog && (c.ends_with("_type_id") || c.ends_with("_status_id")) {
                format!(
                    "(SELECT id FROM psa_catalog_values WHERE id = {})",
                    field(c)
                )
            } else {
                field(c)
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let names = columns.join(", ");
    let returning = if returning { " RETURNING id" } else { "" };
    match backend {
        Backend::Sqlite => {
            format!(
                "INSERT INTO {table} (account_id, {names}) SELECT $1, \
                {values}{returning}"
            )
        }
        Backend::Postgres => format!(
            "INSERT INTO {table} (account_id, {names}) SELECT $1, {values} FROM \
                json_populate_record(NULL::{table}, $2::json) r{returning}"
        ),
    }
}
