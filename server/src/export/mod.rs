//! Account export and import: one ZIP of JSON Lines, one file per kind of record, and a manifest
//! with the format version, the counts and how the password secrets are sealed.
//!
//! - `write` (the `export` job): reads the account in one snapshot (a read transaction), a page
//!   of 1,000 rows at a time, into a temporary file, then stores the ZIP in `export_chunks`
//!   (1 MiB each) so any node can serve the download. Memory holds one page, whatever the size.
//! - `import` (`steward account import`): loads an export into a new account, every reference
//!   mapped to the new ids, in one transaction: all or nothing.
//!
//! Password secrets never appear in clear: each is opened with the server's key and sealed
//! again with a key derived (Argon2id) from a passphrase the Administrator gives at export time;
//! import opens them with that passphrase and seals them with the target server's key. A secret
//! the server could not open (sealed with a lost key) is exported as it is stored, flagged
//! `server_sealed`, and imported as it was. Integrations come without their credentials (enter
//! the keys again after an import); users without password hashes (each gets a one-time
//! password at import).

pub mod import;
pub mod write;

// What each file holds (the tables, their columns, how a row reads and writes as JSON) is the
// repository's: `crate::repo::schema`.

use crate::secrets::SecretBox;
use base64::Engine;

/// `format` in the manifest.
pub const FORMAT: &str = "steward-account-export";
/// The format's version; an import refuses any other.
pub const VERSION: u32 = 1;
/// What the manifest's `key_check` seals: opening it proves the passphrase.
const KEY_CHECK: &[u8] = b"steward export key";
/// The shortest passphrase accepted.
pub const MIN_PASSPHRASE: usize = 12;

/// How the export's key is derived from the passphrase: Argon2id with the crate's defaults
/// (19 MiB, 2 passes, 1 lane) and a random 16-byte salt, recorded in the manifest.
pub fn derive_key(passphrase: &str, salt: &[u8]) -> anyhow::Result<[u8; 32]> {
    let mut key = [0u8; 32];
    argon2::Argon2::default()
        .hash_password_into(passphrase.as_bytes(), salt, &mut key)
        .map_err(|e| anyhow::anyhow!("could not derive the export key: {e}"))?;
    Ok(key)
}

/// The manifest's proof that a passphrase is the right one.
pub fn key_check(export_key: &SecretBox) -> String {
    b64(&export_key.seal(KEY_CHECK))
}

pub fn key_checks(export_key: &SecretBox, check: &str) -> bool {
    unb64(check)
        .ok()
        .and_then(|c| export_key.open(&c).ok())
        .is_some_and(|p| p == KEY_CHECK)
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn unb64(text: &str) -> anyhow::Result<Vec<u8>> {
    Ok(base64::engine::general_purpose::STANDARD.decode(text)?)
}
