//! API-key authentication and role checks.
//!
//! Keys arrive as `Authorization: Bearer KEY` or `X-API-Key: KEY`. Verifiers are
//! cached in memory for a short time so a request costs one SHA-256, not a
//! database read; keys created by `resolute keys create` while the service
//! runs are found on the first cache miss, revocations through the API take
//! effect at once and CLI revocations within [`CACHE_TTL`].

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use resolute_store::{ApiKey, KeyVerifier, Role, Store, parse_token};

use crate::AppState;
use crate::error::{ApiError, ErrorCode};

pub const CACHE_TTL: Duration = Duration::from_secs(10);

/// Who is calling; put into request extensions by the auth middleware.
#[derive(Debug, Clone)]
pub struct Caller {
    pub key_id: String,
    pub role: Role,
}

impl Caller {
    /// The actor name written to the audit log.
    pub fn actor(&self) -> String {
        format!("key:{}", self.key_id)
    }
}

#[derive(Debug, Default)]
pub struct KeyCache {
    entries: RwLock<HashMap<String, (Option<KeyVerifier>, Instant)>>,
}

impl KeyCache {
    pub fn forget(&self, id: &str) {
        if let Ok(mut m) = self.entries.write() {
            m.remove(id);
        }
    }

    async fn verifier(&self, store: &Store, id: &str) -> Result<Option<KeyVerifier>, ApiError> {
        if let Ok(m) = self.entries.read()
            && let Some((v, at)) = m.get(id)
            && at.elapsed() < CACHE_TTL
        {
            return Ok(v.clone());
        }
        let store = store.clone();
        let key_id = id.to_string();
        let found = crate::blocking(move || store.key_verifier(&key_id)).await?;
        if let Ok(mut m) = self.entries.write() {
            if m.len() > 10_000 {
                m.clear(); // bounded: unknown ids tried by a client cannot grow it forever
            }
            m.insert(id.to_string(), (found.clone(), Instant::now()));
        }
        Ok(found)
    }

    pub async fn authenticate(
        &self,
        store: &Store,
        token: &str,
    ) -> Result<Option<ApiKey>, ApiError> {
        let Some((id, secret)) = parse_token(token) else {
            return Ok(None);
        };
        Ok(self
            .verifier(store, id)
            .await?
            .filter(|v| v.check(secret))
            .map(|v| v.key))
    }
}

fn presented_token(req: &Request) -> Option<&str> {
    let headers = req.headers();
    if let Some(v) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let v = v.trim();
        if let Some(rest) = v
            .strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
        {
            return Some(rest.trim());
        }
    }
    headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Middleware: 401 without a valid key, 403 when the key's role is too low.
pub async fn require_role(
    State((state, required)): State<(AppState, Role)>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let Some(token) = presented_token(&req) else {
        return Err(ApiError::new(
            ErrorCode::Unauthorized,
            "an API key is required: send `Authorization: Bearer KEY` or `X-API-Key: KEY`",
        ));
    };
    let Some(key) = state.keys.authenticate(&state.store, token).await? else {
        return Err(ApiError::new(
            ErrorCode::Unauthorized,
            "unknown or revoked API key",
        ));
    };
    if !key.role.allows(required) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            format!(
                "this needs the {required} role; key {} has role {}",
                key.id, key.role
            ),
        ));
    }
    req.extensions_mut().insert(Caller {
        key_id: key.id,
        role: key.role,
    });
    Ok(next.run(req).await)
}
