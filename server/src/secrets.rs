//! Secrets at rest: PSA credentials are sealed with XChaCha20-Poly1305 before they reach the
//! database. The key comes from `STEWARD_SECRET_KEY` (32 bytes, base64) or is generated once into
//! `secret.key` in the data directory (mode 0600). Losing the key loses the stored credentials,
//! nothing else.

use anyhow::Context;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::path::Path;

const NONCE_LEN: usize = 24;

pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(<key redacted>)")
    }
}

/// A sealed value that does not open: another key, or tampered bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a stored secret could not be opened: it was sealed with another key or has \
    been altered"
)]
pub struct OpenError;

fn decode_key(text: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .context("the secret key is not base64")?;
    bytes
        .try_into()
        .map_err(|b: Vec<u8>| anyhow::anyhow!("the secret key must be 32 bytes, not {}", b.len()))
}

impl SecretBox {
    pub fn new(key: [u8; 32]) -> SecretBox {
        SecretBox {
            cipher: XChaCha20Poly1305::new(&key.into()),
        }
    }

    /// The configured key, or the one in `data_dir/secret.key`, created when missing.
    pub fn load_or_create(data_dir: &Path, configured: Option<&str>) -> anyhow::Result<SecretBox> {
        if let Some(text) = configured {
            return Ok(SecretBox::new(
                decode_key(text).context("STEWARD_SECRET_KEY is not usable")?,
            ));
        }
        let path = data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                Ok(SecretBox::new(decode_key(&text).with_context(|| {
                    format!("{} is not usable", path.display())
                })?))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key: [u8; 32] = XChaCha20Poly1305::generate_key(&mut OsRng).into();
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options
                    .open(&path)
                    .with_context(|| format!("could not create {}", path.display()))?;
                std::io::Write::write_all(
                    &mut file,
                    base64::engine::general_purpose::STANDARD
                        .encode(key)
                        .as_bytes(),
                )?;
                Ok(SecretBox::new(key))
            }
            Err(e) => Err(e).with_context(|| format!("could not read {}", path.display())),
        }
    }

    /// nonce ‖ ciphertext (with its tag).
    pub fn seal(&self, plaintext: &[u8]) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let mut out = nonce.to_vec();
        // Encryption of an in-memory buffer cannot fail.
        out.extend(self.cipher.encrypt(&nonce, plaintext).unwrap_or_default());
        out
    }

    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
        if sealed.len() < NONCE_LEN {
            return Err(OpenError);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(XNonce::from_slice(nonce), ciphertext)
            .map_err(|_| OpenError)
    }

    pub fn seal_json<T: serde::Serialize>(&self, value: &T) -> anyhow::Result<Vec<u8>> {
        Ok(self.seal(&serde_json::to_vec(value)?))
    }

    pub fn open_json<T: serde::de::DeserializeOwned>(&self, sealed: &[u8]) -> anyhow::Result<T> {
        Ok(serde_json::from_slice(&self.open(sealed)?)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_unaltered() {
        let a = SecretBox::new([7; 32]);
        let b = SecretBox::new([8; 32]);
        let sealed = a.seal(b"private-key-123");
        assert!(!sealed.windows(15).any(|w| w == b"private-key-123"));
        assert_eq!(a.open(&sealed).unwrap(), b"private-key-123");
        assert_ne!(a.seal(b"x"), a.seal(b"x"), "a fresh nonce each time");
        assert_eq!(b.open(&sealed), Err(OpenError));
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(a.open(&tampered), Err(OpenError));
        assert_eq!(a.open(b"short"), Err(OpenError));
    }

    #[test]
    fn the_key_file_is_created_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let first = SecretBox::load_or_create(dir.path(), None).unwrap();
        let sealed = first.seal(b"secret");
        let again = SecretBox::load_or_create(dir.path(), None).unwrap();
        assert_eq!(
            again.open(&sealed).unwrap(),
            b"secret",
            "the same key is read back"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(format!("{first:?}").contains("redacted"));
    }

    #[test]
    fn a_configured_key_must_be_32_bytes_of_base64() {
        let dir = tempfile::tempdir().unwrap();
        let key = base64::engine::general_purpose::STANDARD.encode([1u8; 32]);
        assert!(SecretBox::load_or_create(dir.path(), Some(&key)).is_ok());
        let err = SecretBox::load_or_create(dir.path(), Some("c2hvcnQ=")).unwrap_err();
        assert!(format!("{err:#}").contains("32 bytes"), "{err:#}");
        assert!(
            !dir.path().join("secret.key").exists(),
            "no file when a key is configured"
        );
    }
}
