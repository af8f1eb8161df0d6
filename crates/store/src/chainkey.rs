//! The audit key: the secret that keys the audit chain (HMAC-SHA256) and from
//! which the Ed25519 key that signs checkpoints is derived.
//!
//! It is kept outside the database: in a file (default
//! `<data-dir>/audit.key`, created with mode 0600; better a path elsewhere,
//! given by `RESOLUTE_AUDIT_KEY_FILE`) or in `RESOLUTE_AUDIT_KEY` (64 hex
//! digits). The database records only the key's id, so a store opened with
//! another key refuses to start instead of forking its chain.

use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::datadir::{AUDIT_KEY_FILE, io_err, set_private_mode, tighten};
use crate::{Result, StoreError, random_bytes};

/// Environment variable naming the audit key file.
pub const AUDIT_KEY_FILE_ENV: &str = "RESOLUTE_AUDIT_KEY_FILE";
/// Environment variable holding the audit key itself (64 hex digits).
pub const AUDIT_KEY_ENV: &str = "RESOLUTE_AUDIT_KEY";

type HmacSha256 = Hmac<Sha256>;

/// Where the audit key comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AuditKeySource {
    /// `RESOLUTE_AUDIT_KEY_FILE` if set, else `RESOLUTE_AUDIT_KEY` if set,
    /// else `<data-dir>/audit.key` (the default of [`crate::Store::open`]).
    #[default]
    Environment,
    /// A key file (created with mode 0600 when a new chain starts and it
    /// does not exist).
    File(PathBuf),
    /// The key as 64 hex digits.
    Hex(String),
}

impl AuditKeySource {
    /// The concrete source for data directory `dir`.
    pub(crate) fn resolve(&self, dir: &Path) -> AuditKeySource {
        match self {
            AuditKeySource::Environment => {
                if let Some(path) = std::env::var_os(AUDIT_KEY_FILE_ENV).filter(|p| !p.is_empty()) {
                    AuditKeySource::File(PathBuf::from(path))
                } else if let Ok(hex) = std::env::var(AUDIT_KEY_ENV)
                    && !hex.trim().is_empty()
                {
                    AuditKeySource::Hex(hex)
                } else {
                    AuditKeySource::File(dir.join(AUDIT_KEY_FILE))
                }
            }
            other => other.clone(),
        }
    }

    /// Where the key is, for messages (never the key itself).
    pub(crate) fn describe(&self) -> String {
        match self {
            AuditKeySource::Environment => "the environment".into(),
            AuditKeySource::File(p) => p.display().to_string(),
            AuditKeySource::Hex(_) => format!("${AUDIT_KEY_ENV}"),
        }
    }
}

/// A loaded audit key with its derived keys.
#[derive(Clone)]
pub struct AuditKey {
    mac: HmacSha256,
    signing: SigningKey,
    id: String,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

fn parse_hex_key(text: &str, from: &str) -> Result<[u8; 32]> {
    let bytes = hex::decode(text.trim()).map_err(|e| StoreError::AuditKey {
        source_name: from.to_string(),
        detail: format!("not hex: {e}"),
    })?;
    bytes.try_into().map_err(|b: Vec<u8>| StoreError::AuditKey {
        source_name: from.to_string(),
        detail: format!("{} bytes, expected 32 (64 hex digits)", b.len()),
    })
}

/// HMAC-SHA256 keyed with a 32-byte key. HMAC pads a key shorter than the
/// block to 64 bytes with zeros, so the infallible fixed-size constructor
/// on the padded key is the same MAC as `new_from_slice(key)`.
fn hmac_with(key: &[u8; 32]) -> HmacSha256 {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    <HmacSha256 as hmac::digest::KeyInit>::new(&block.into())
}

fn derive(secret: &[u8; 32], label: &[u8]) -> [u8; 32] {
    // HMAC with a fixed label: independent keys from one secret.
    let mut mac = hmac_with(secret);
    mac.update(label);
    mac.finalize().into_bytes().into()
}

impl AuditKey {
    pub fn from_secret(secret: &[u8; 32]) -> AuditKey {
        let chain_key = derive(secret, b"resolute/audit-chain/v1");
        let seed = derive(secret, b"resolute/checkpoint-signing/v1");
        let id = hex::encode(&derive(secret, b"resolute/audit-key-id/v1")[..8]);
        AuditKey {
            mac: hmac_with(&chain_key),
            signing: SigningKey::from_bytes(&seed),
            id,
        }
    }

    /// Load the key; with `create`, a missing key file is created with a
    /// new random key (mode 0600). Returns the key and whether it was created.
    pub(crate) fn load(source: &AuditKeySource, create: bool) -> Result<(AuditKey, bool)> {
        match source {
            AuditKeySource::Hex(hex) => Ok((
                AuditKey::from_secret(&parse_hex_key(hex, &source.describe())?),
                false,
            )),
            AuditKeySource::File(path) => match std::fs::read_to_string(path) {
                Ok(text) => {
                    tighten(path)?;
                    Ok((
                        AuditKey::from_secret(&parse_hex_key(&text, &source.describe())?),
                        false,
                    ))
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                    let mut secret = [0u8; 32];
                    random_bytes(&mut secret)?;
                    create_key_file(path, &secret)?;
                    Ok((AuditKey::from_secret(&secret), true))
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Err(StoreError::MissingAuditKey {
                        path: path.display().to_string(),
                    })
                }
                Err(e) => Err(io_err(path, e)),
            },
            AuditKeySource::Environment => Err(StoreError::AuditKey {
                source_name: source.describe(),
                detail: "resolve the source first".into(),
            }),
        }
    }

    /// The key's public id (derived, reveals nothing about the key).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// HMAC-SHA256 of `bytes`, hex.
    pub(crate) fn mac_hex(&self, bytes: &[u8]) -> String {
        let mut m = self.mac.clone();
        m.update(bytes);
        hex::encode(m.finalize().into_bytes())
    }

    /// Constant-time check of a hex MAC.
    pub(crate) fn check_mac_hex(&self, bytes: &[u8], expected_hex: &str) -> bool {
        let Ok(expected) = hex::decode(expected_hex) else {
            return false;
        };
        let mut m = self.mac.clone();
        m.update(bytes);
        m.verify_slice(&expected).is_ok()
    }

    /// Ed25519 public key that verifies checkpoints, hex.
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.signing.verifying_key().as_bytes())
    }

    pub(crate) fn sign_hex(&self, message: &[u8]) -> String {
        hex::encode(self.signing.sign(message).to_bytes())
    }
}

/// Check an Ed25519 signature (hex) of `message` under `public_key_hex`.
pub fn verify_signature(public_key_hex: &str, message: &[u8], signature_hex: &str) -> bool {
    let (Ok(pk), Ok(sig)) = (hex::decode(public_key_hex), hex::decode(signature_hex)) else {
        return false;
    };
    let (Ok(pk), Ok(sig)) = (<[u8; 32]>::try_from(pk), <[u8; 64]>::try_from(sig)) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(&pk) else {
        return false;
    };
    key.verify(message, &ed25519_dalek::Signature::from_bytes(&sig))
        .is_ok()
}

fn create_key_file(path: &Path, secret: &[u8; 32]) -> Result<()> {
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        crate::datadir::create_private_dir(parent)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    set_private_mode(&mut opts);
    let mut f = opts.open(path).map_err(|e| io_err(path, e))?;
    let mut text = hex::encode(secret);
    text.push('\n');
    f.write_all(text.as_bytes()).map_err(|e| io_err(path, e))?;
    f.sync_all().map_err(|e| io_err(path, e))?;
    crate::datadir::sync_dir(path.parent().unwrap_or(Path::new(".")));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_fixed_size_key_is_the_same_hmac() {
        let key = [0x5au8; 32];
        let mut a = hmac_with(&key);
        let mut b = <HmacSha256 as Mac>::new_from_slice(&key).expect("any length");
        a.update(b"record");
        b.update(b"record");
        assert_eq!(a.finalize().into_bytes(), b.finalize().into_bytes());
    }

    #[test]
    fn derived_keys_are_stable_and_distinct() {
        let a = AuditKey::from_secret(&[7u8; 32]);
        let b = AuditKey::from_secret(&[7u8; 32]);
        let c = AuditKey::from_secret(&[8u8; 32]);
        assert_eq!(a.id(), b.id());
        assert_ne!(a.id(), c.id());
        assert_eq!(a.mac_hex(b"x"), b.mac_hex(b"x"));
        assert!(a.check_mac_hex(b"x", &a.mac_hex(b"x")));
        assert!(!c.check_mac_hex(b"x", &a.mac_hex(b"x")));
        let sig = a.sign_hex(b"checkpoint");
        assert!(verify_signature(&a.public_key_hex(), b"checkpoint", &sig));
        assert!(!verify_signature(&c.public_key_hex(), b"checkpoint", &sig));
        assert!(!verify_signature(&a.public_key_hex(), b"checkpoinT", &sig));
    }

    #[test]
    fn malformed_keys_are_refused_with_their_source() {
        let err = AuditKey::load(&AuditKeySource::Hex("abc".into()), false).expect_err("short");
        assert!(err.to_string().contains("RESOLUTE_AUDIT_KEY"), "{err}");
        let err = AuditKey::load(&AuditKeySource::Hex("zz".repeat(32)), false).expect_err("hex");
        assert!(err.to_string().contains("not hex"), "{err}");
    }
}
