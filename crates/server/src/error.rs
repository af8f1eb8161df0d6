//! JSON errors: one table of error codes ([`ErrorCode`]), and extractors that
//! turn every bad input into one of them (axum's own rejections are plain text).
//!
//! Body: `{"error": {"code", "message"}, "detail": message}` (`detail` is
//! yente's field, so yente clients show the message). A server-side failure
//! (5xx) answers in plain words with a `reference` that is also in the log
//! beside the internal detail, never the raw database or system text.

use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use resolute_casework::CaseworkError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

/// Declares [`ErrorCode`]: variant, HTTP status, stable code, description.
macro_rules! make_error_codes {
    ($($variant:ident => $status:ident, $code:literal, $description:literal;)*) => {
        /// Every error the API answers with; `GET /openapi.json` lists them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode {
            $(#[doc = $description] $variant,)*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub fn status(self) -> StatusCode {
                match self {
                    $(ErrorCode::$variant => StatusCode::$status,)*
                }
            }

            /// The stable code clients match on.
            pub fn code(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            pub fn description(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $description,)*
                }
            }
        }
    };
}

make_error_codes! {
    InvalidParameter => BAD_REQUEST, "invalid_parameter", "A query-string or path parameter is missing or wrong; the message names it.";
    InvalidQuery => BAD_REQUEST, "invalid_query", "The query string cannot be read, or a name query in a batch is malformed.";
    InvalidBody => BAD_REQUEST, "invalid_body", "The JSON body is readable but a field is missing or wrong; the message names it.";
    InvalidJson => BAD_REQUEST, "invalid_json", "The body is not the JSON this endpoint takes.";
    BadBody => BAD_REQUEST, "bad_body", "The request body could not be read.";
    BatchTooLarge => BAD_REQUEST, "batch_too_large", "More queries or transactions in one request than the service allows.";
    UnknownAlgorithm => BAD_REQUEST, "unknown_algorithm", "The matching algorithm asked for is not offered (see GET /algorithms).";
    UnsupportedOption => BAD_REQUEST, "unsupported_option", "An option of yente's algorithms that Resolute's matcher does not have.";
    InvalidList => BAD_REQUEST, "invalid_list", "An uploaded list file that cannot be put in force; the lists in force are unchanged.";
    InvalidReport => BAD_REQUEST, "invalid_report", "A member-state report with a wrong field.";
    InvalidEdges => BAD_REQUEST, "invalid_edges", "An edge import with errors: nothing was imported; `problems` names each line or statement.";
    Unauthorized => UNAUTHORIZED, "unauthorized", "No API key, or an unknown or revoked one.";
    Forbidden => FORBIDDEN, "forbidden", "The key's role may not use this endpoint.";
    NotFound => NOT_FOUND, "not_found", "No such endpoint, case, record or measure.";
    DatasetNotFound => NOT_FOUND, "dataset_not_found", "No such dataset (default, un_sc_sanctions, us_ofac_sdn).";
    EntityNotFound => NOT_FOUND, "entity_not_found", "No list entry with this id.";
    VersionNotFound => NOT_FOUND, "version_not_found", "No stored list version with this id (see GET /lists).";
    VesselNotFound => NOT_FOUND, "vessel_not_found", "No AIS track (and, for GET /vessels/{key}, no list entry) for this IMO number or MMSI.";
    MethodNotAllowed => METHOD_NOT_ALLOWED, "method_not_allowed", "The endpoint exists but not with this HTTP method.";
    Conflict => CONFLICT, "conflict", "The request conflicts with the stored state (a case already closed…).";
    CapLedgerBusy => CONFLICT, "cap_ledger_busy", "Other writers kept drawing on the same quantity cap; send the screening again.";
    QueryLimit => BAD_REQUEST, "query_limit", "A name query over a matching limit (max_name_chars 1,000 characters per name, max_names 50 names per query, max_tokens_per_name 64 words per name); the message names the limit. Refused before any work.";
    Timeout => SERVICE_UNAVAILABLE, "timeout", "The request's matching took longer than its time budget (10 s by default) and was stopped; nothing was recorded. Send fewer queries per request.";
    PayloadTooLarge => PAYLOAD_TOO_LARGE, "payload_too_large", "The body is larger than this endpoint's limit.";
    UnsupportedMediaType => UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "The body must be JSON (Content-Type: application/json).";
    ValidationFailed => UNPROCESSABLE_ENTITY, "validation_error", "A yente-compatible endpoint's parameters or body do not have the types and ranges yente's models require; `detail` lists each problem as FastAPI does (`type`, `loc`, `msg`, `input`).";
    Internal => INTERNAL_SERVER_ERROR, "internal", "A failure inside the service; the answer gives a reference to find it in the log.";
    NotReady => SERVICE_UNAVAILABLE, "not_ready", "Lists or regime not loaded, or the store cannot take writes; see GET /readyz.";
}

/// The body of every error answer (every 4xx and 5xx but `/readyz`'s 503).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorInfo,
    pub detail: ErrorDetail,
    /// `invalid_edges` only: each problem of the refused import.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub problems: Option<serde_json::Value>,
}

/// Resolute's part of an error body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorInfo {
    /// The stable code clients match on: one of [`ErrorCode::ALL`].
    #[schema(schema_with = code_schema)]
    pub code: String,
    pub message: String,
    /// 5xx `internal` only: the reference under which the log has the details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// `ErrorInfo.code`: every code, with its status and meaning.
fn code_schema() -> utoipa::openapi::Object {
    let described: Vec<String> = ErrorCode::ALL
        .iter()
        .map(|c| {
            format!(
                "`{}` ({}): {}",
                c.code(),
                c.status().as_u16(),
                c.description()
            )
        })
        .collect();
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(ErrorCode::ALL.iter().map(|c| c.code())))
        .description(Some(format!(
            "The stable code clients match on:\n\n{}",
            described.join("\n")
        )))
        .build()
}

/// yente's `detail`: the message, or for `validation_error` FastAPI's problem list.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ErrorDetail {
    Message(String),
    /// `{type, loc, msg, input}` per problem.
    Problems(Vec<serde_json::Value>),
}

impl ErrorBody {
    /// A body with the message as `detail`.
    pub fn new(code: ErrorCode, message: String) -> Self {
        ErrorBody {
            error: ErrorInfo {
                code: code.code().to_string(),
                message: message.clone(),
                reference: None,
            },
            detail: ErrorDetail::Message(message),
            problems: None,
        }
    }
}

/// An error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// FastAPI's validation problems (`{type, loc, msg, input}`), answered
    /// as the `detail` list yente's clients read; empty for other errors.
    pub problems: Vec<serde_json::Value>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            problems: Vec::new(),
        }
    }

    /// A 422 with FastAPI's problem list (yente's request validation).
    pub fn validation(problems: Vec<serde_json::Value>) -> Self {
        let message = problems
            .iter()
            .map(|p| {
                let loc: Vec<String> = p["loc"]
                    .as_array()
                    .map(|l| {
                        l.iter()
                            .map(|x| {
                                x.as_str()
                                    .map(str::to_string)
                                    .unwrap_or_else(|| x.to_string())
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                format!("{}: {}", loc.join("."), p["msg"].as_str().unwrap_or(""))
            })
            .collect::<Vec<_>>()
            .join("; ");
        ApiError {
            code: ErrorCode::ValidationFailed,
            message,
            problems,
        }
    }

    /// A failure inside the service; `detail` goes to the log only.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, detail)
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotReady, message)
    }

    pub fn status(&self) -> StatusCode {
        self.code.status()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.code.status();
        let code = self.code.code();
        let body = if self.code == ErrorCode::Internal {
            let reference = format!(
                "ERR-{}",
                resolute_store::random_hex(4).unwrap_or_else(|_| "0".into())
            );
            tracing::error!(code, reference, "{}", self.message);
            let message = format!(
                "Something went wrong inside the service; the log has the details under reference {reference}."
            );
            let mut body = ErrorBody::new(self.code, message);
            body.error.reference = Some(reference);
            body
        } else {
            if status.is_server_error() {
                tracing::warn!(code, "{}", self.message);
            }
            let mut body = ErrorBody::new(self.code, self.message);
            if !self.problems.is_empty() {
                body.detail = ErrorDetail::Problems(self.problems);
            }
            body
        };
        (status, axum::Json(body)).into_response()
    }
}

impl From<resolute_store::StoreError> for ApiError {
    fn from(e: resolute_store::StoreError) -> Self {
        use resolute_store::StoreError as E;
        match e {
            E::NotFound(what) => ApiError::new(ErrorCode::NotFound, format!("{what} not found")),
            E::Invalid(msg) | E::Conflict(msg) => ApiError::new(ErrorCode::Conflict, msg),
            E::KeyRevoked { .. } => ApiError::new(ErrorCode::Conflict, e.to_string()),
            // The store refuses writes until an operator restores or acknowledges.
            E::LostRecords { .. } => ApiError::unavailable(e.to_string()),
            other => ApiError::internal(format!("store: {other}")),
        }
    }
}

impl From<CaseworkError> for ApiError {
    fn from(e: CaseworkError) -> Self {
        match e {
            CaseworkError::Invalid { .. } => {
                ApiError::new(ErrorCode::InvalidParameter, e.to_string())
            }
            CaseworkError::NotFound { .. } => ApiError::new(ErrorCode::NotFound, e.to_string()),
            CaseworkError::InvalidList(msg) => ApiError::new(ErrorCode::InvalidList, msg),
            CaseworkError::NotReady(msg) => ApiError::unavailable(msg),
            CaseworkError::LedgerBusy(_) => ApiError::new(ErrorCode::CapLedgerBusy, e.to_string()),
            CaseworkError::Cancelled(msg) => ApiError::unavailable(msg),
            CaseworkError::QueryLimit { .. } => ApiError::new(ErrorCode::QueryLimit, e.to_string()),
            CaseworkError::TimedOut(_) => ApiError::new(ErrorCode::Timeout, e.to_string()),
            CaseworkError::Corrupt(msg) => ApiError::internal(msg),
            CaseworkError::Report(_) => ApiError::new(ErrorCode::InvalidReport, e.to_string()),
            CaseworkError::Store(s) => s.into(),
        }
    }
}

impl ApiError {
    /// A casework error about a request *body* (a field of it is wrong).
    pub fn body(e: CaseworkError) -> Self {
        match e {
            CaseworkError::Invalid { .. } => ApiError::new(ErrorCode::InvalidBody, e.to_string()),
            other => other.into(),
        }
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    match r {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the body as JSON with Content-Type: application/json",
        ),
        JsonRejection::BytesRejection(b) => bytes_rejection(b),
        other => ApiError::new(ErrorCode::InvalidJson, other.body_text()),
    }
}

fn bytes_rejection(r: BytesRejection) -> ApiError {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            "request body is larger than the limit of this endpoint",
        )
    } else {
        ApiError::new(ErrorCode::BadBody, r.body_text())
    }
}

/// `axum::Json` whose rejections are [`ApiError`]s.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Json::<T>::from_request(req, state)
            .await
            .map(|axum::Json(v)| ApiJson(v))
            .map_err(json_rejection)
    }
}

/// `axum::extract::Query` whose rejections are [`ApiError`]s.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| ApiQuery(v))
            .map_err(|r: QueryRejection| ApiError::new(ErrorCode::InvalidQuery, r.body_text()))
    }
}

/// `axum::extract::Path` whose rejections are [`ApiError`]s (`/cases/abc`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| ApiPath(v))
            .map_err(|r| {
                ApiError::new(
                    ErrorCode::InvalidParameter,
                    format!("path: {}", r.body_text()),
                )
            })
    }
}

/// The raw body, with a JSON error when it is too large.
#[derive(Debug, Clone)]
pub struct ApiBytes(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::body::Bytes::from_request(req, state)
            .await
            .map(ApiBytes)
            .map_err(bytes_rejection)
    }
}
