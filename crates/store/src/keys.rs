//! API keys: `rsk_<id>_<secret>`; only a salted SHA-256 of the secret is stored.
//!
//! The secret has 192 random bits, so a fast hash with a per-key salt is
//! enough (password-stretching hashes protect low-entropy secrets; they would
//! cost milliseconds on every request here for no gain).

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::rows::{self, API_KEYS};
use crate::{Result, Store, StoreError, now_rfc3339, random_hex};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read: lists, regime, cases, audit.
    Viewer,
    /// Screen names and transactions, manage cases.
    Screener,
    /// Upload lists, manage keys.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Screener => "screener",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "viewer" => Some(Role::Viewer),
            "screener" => Some(Role::Screener),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Whether a key of this role may do what `required` allows.
    pub fn allows(self, required: Role) -> bool {
        self >= required
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored key (never the secret).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKey {
    pub id: String,
    pub role: Role,
    pub label: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// A freshly created key: `token` is shown once and never stored.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewApiKey {
    pub id: String,
    pub role: Role,
    pub label: String,
    pub token: String,
}

const PREFIX: &str = "rsk_";

/// Split a token into its public id and secret.
pub fn parse_token(token: &str) -> Option<(&str, &str)> {
    let rest = token.trim().strip_prefix(PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    let valid = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit());
    (valid(id, 8) && valid(secret, 48)).then_some((id, secret))
}

fn secret_hash(salt: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(b":");
    h.update(secret.as_bytes());
    hex::encode(h.finalize())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A stored key's verifier, for callers that cache keys in memory.
#[derive(Debug, Clone)]
pub struct KeyVerifier {
    pub key: ApiKey,
    salt: String,
    hash: String,
}

impl KeyVerifier {
    pub fn check(&self, secret: &str) -> bool {
        self.key.revoked_at.is_none()
            && constant_time_eq(
                secret_hash(&self.salt, secret).as_bytes(),
                self.hash.as_bytes(),
            )
    }
}

impl Store {
    /// Create a key; the audit log records its id and role (never the secret).
    pub fn create_key(&self, role: Role, label: &str, actor: &str) -> Result<NewApiKey> {
        let id = random_hex(4)?;
        let secret = random_hex(24)?;
        let salt = random_hex(16)?;
        let hash = secret_hash(&salt, &secret);
        let token = format!("{PREFIX}{id}_{secret}");
        let (label, actor) = (label.to_string(), actor.to_string());
        let out = NewApiKey {
            id: id.clone(),
            role,
            label: label.clone(),
            token,
        };
        self.write(move |ctx| {
            ctx.conn.execute(
                "INSERT INTO api_keys(id, role, label, salt, hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, role.as_str(), label, salt, hash, now_rfc3339()],
            )?;
            let mut payload = json!({"key_id": id, "role": role, "label": label});
            rows::attach(&mut payload, rows::digests(ctx.conn, &API_KEYS, "id = ?1", [&id])?);
            ctx.append_audit("key.created", &actor, &payload)?;
            Ok(())
        })?;
        Ok(out)
    }

    /// Create the bootstrap admin key from a given token (RESOLUTE_ADMIN_KEY).
    ///
    /// A key id that was revoked stays revoked: importing it again is
    /// [`StoreError::KeyRevoked`] (restarting with the same environment must
    /// not bring a revoked key back). Importing the token of an active key is
    /// a no-op; another secret under an existing id is a
    /// [`StoreError::Conflict`].
    pub fn import_admin_key(&self, token: &str) -> Result<ApiKey> {
        let (id, secret) = parse_token(token).ok_or_else(|| {
            StoreError::Invalid("RESOLUTE_ADMIN_KEY must look like rsk_<8 hex>_<48 hex> (as `resolute keys create` prints)".into())
        })?;
        let salt = random_hex(16)?;
        let hash = secret_hash(&salt, secret);
        let (id, secret) = (id.to_string(), secret.to_string());
        let created_at = now_rfc3339();
        let label = "bootstrap (RESOLUTE_ADMIN_KEY)".to_string();
        self.write(move |ctx| {
            // Read inside the write transaction: a revocation by another
            // process just before cannot be missed.
            if let Some(existing) = load_verifier(ctx.conn, &id)? {
                if let Some(revoked_at) = existing.key.revoked_at.clone() {
                    return Err(StoreError::KeyRevoked { id, revoked_at });
                }
                if existing.key.role == Role::Admin && existing.check(&secret) {
                    return Ok(existing.key);
                }
                return Err(StoreError::Conflict(format!(
                    "api key {id} exists with another secret or role: RESOLUTE_ADMIN_KEY cannot replace it"
                )));
            }
            ctx.conn.execute(
                "INSERT INTO api_keys(id, role, label, salt, hash, created_at) VALUES (?1, 'admin', ?2, ?3, ?4, ?5)",
                params![id, label, salt, hash, created_at],
            )?;
            let mut payload = json!({"key_id": id, "role": "admin", "label": label, "imported": true});
            rows::attach(&mut payload, rows::digests(ctx.conn, &API_KEYS, "id = ?1", [&id])?);
            ctx.append_audit("key.created", "system", &payload)?;
            Ok(ApiKey {
                id,
                role: Role::Admin,
                label,
                created_at,
                revoked_at: None,
            })
        })
    }

    pub fn key_count(&self) -> Result<i64> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL",
                [],
                |r| r.get(0),
            )?)
        })
    }

    pub fn list_keys(&self) -> Result<Vec<ApiKey>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT id, role, label, created_at, revoked_at FROM api_keys ORDER BY created_at",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, role, label, created_at, revoked_at) = row?;
                let role = Role::parse(&role).ok_or_else(|| {
                    StoreError::Invalid(format!("api key {id}: unknown role {role:?}"))
                })?;
                out.push(ApiKey {
                    id,
                    role,
                    label,
                    created_at,
                    revoked_at,
                });
            }
            Ok(out)
        })
    }

    /// The verifier of key `id` (revoked keys included: `check` refuses them).
    pub fn key_verifier(&self, id: &str) -> Result<Option<KeyVerifier>> {
        self.read(|c| load_verifier(c, id))
    }

    /// Check a presented token; `None` for unknown, malformed or revoked keys.
    pub fn authenticate(&self, token: &str) -> Result<Option<ApiKey>> {
        let Some((id, secret)) = parse_token(token) else {
            return Ok(None);
        };
        Ok(self
            .key_verifier(id)?
            .filter(|v| v.check(secret))
            .map(|v| v.key))
    }

    pub fn revoke_key(&self, id: &str, actor: &str) -> Result<()> {
        let (id, actor) = (id.to_string(), actor.to_string());
        self.write(move |ctx| {
            let n = ctx.conn.execute(
                "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, now_rfc3339()],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("active api key {id}")));
            }
            let mut payload = json!({"key_id": id});
            rows::attach(
                &mut payload,
                rows::digests(ctx.conn, &API_KEYS, "id = ?1", [&id])?,
            );
            ctx.append_audit("key.revoked", &actor, &payload)?;
            Ok(())
        })
    }
}

fn load_verifier(c: &rusqlite::Connection, id: &str) -> Result<Option<KeyVerifier>> {
    let row = c
        .prepare_cached(
            "SELECT id, role, label, created_at, revoked_at, salt, hash FROM api_keys WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })
        .optional()?;
    let Some((id, role, label, created_at, revoked_at, salt, hash)) = row else {
        return Ok(None);
    };
    let role = Role::parse(&role)
        .ok_or_else(|| StoreError::Invalid(format!("api key {id}: unknown role {role:?}")))?;
    Ok(Some(KeyVerifier {
        key: ApiKey {
            id,
            role,
            label,
            created_at,
            revoked_at,
        },
        salt,
        hash,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shape() {
        assert!(
            parse_token("rsk_0123abcd_0123456789abcdef0123456789abcdef0123456789abcdef").is_some()
        );
        assert!(parse_token("rsk_0123abcd_short").is_none());
        assert!(parse_token("Bearer rsk_x").is_none());
        assert!(Role::Admin.allows(Role::Screener));
        assert!(!Role::Viewer.allows(Role::Screener));
    }
}
