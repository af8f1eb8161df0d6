//! The router, grouped by required role, and the native endpoints (regime,
//! lists, cases, audit, keys, health, metrics).

use axum::Extension;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use resolute_casework::dates::parse_date;
use resolute_casework::lists::{UploadOutcome, UploadPolicy, diff_versions, prepare_upload};
use resolute_casework::suppress::SuppressionStatus;
use resolute_casework::{Engine, VersionInfo, entity_json};
use resolute_lists::{ListDiff, RecordIssue};
use resolute_store::{
    ApiKey, AuditQuery, AuditRecord, Case, CaseFilter, CaseResolution, CaseStatus, Checkpoint,
    ListReview, NewApiKey, Role, StoredListVersion, Suppression, VerifyReport,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::ToSchema;

use crate::auth::{Caller, require_role};
use crate::error::{ApiBytes, ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody, ErrorCode};
use crate::metrics::Metrics;
use crate::{
    AppState, analysis, blocking, caps, exposure, names, openapi, reconcile, transactions, ui,
    vessels,
};

pub fn router(state: AppState) -> Router {
    let role = |r: Role| from_fn_with_state((state.clone(), r), require_role);

    // yente's metadata: open as in yente (no keys there), or for viewers.
    let metadata = Router::new()
        .route("/catalog", get(names::catalog))
        .route("/manifest", get(names::catalog))
        .route("/algorithms", get(names::algorithms))
        .route("/readyz", get(readyz));
    let metadata = if state.config.open_metadata {
        metadata
    } else {
        metadata.route_layer(role(Role::Viewer))
    };

    let viewer = Router::new()
        .route("/search/{dataset}", get(names::search))
        .route("/entities/{id}", get(names::entity))
        .route("/entities/{id}/adjacent", get(names::adjacent))
        .route(
            "/entities/{id}/adjacent/{property}",
            get(names::adjacent_by_property),
        )
        .merge(reconcile::viewer_routes())
        .route("/regime", get(regime_at))
        .route("/regime/diff", get(regime_diff))
        .route("/regime/timeline", get(regime_timeline))
        .route("/caps", get(caps::caps_at))
        .route("/lists", get(list_versions))
        .route("/lists/diff", get(lists_diff))
        .route("/lists/pending", get(pending_lists))
        .route("/cases", get(cases))
        .route("/cases/{id}", get(case))
        .route("/suppressions", get(suppressions))
        .route("/audit", get(audit_log))
        .route("/audit/verify", get(audit_verify))
        .route("/audit/{seq}", get(audit_record))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi::openapi_json))
        .route("/me", get(me))
        .route("/impact", get(analysis::impact))
        .route("/reports", get(analysis::list_reports))
        .route("/reports/status", get(analysis::reports_status))
        .route("/exposure/{id}", get(exposure::exposure))
        .route("/graph/{id}", get(exposure::graph))
        .route("/vessels/{key}", get(vessels::vessel))
        .route("/vessels/{key}/events", get(vessels::events))
        .route("/vessels/{key}/map", get(vessels::map))
        .route_layer(role(Role::Viewer));

    let screener = Router::new()
        .route("/match/{dataset}", post(names::match_entities))
        .merge(reconcile::screener_routes())
        .route("/screen", post(transactions::screen))
        .route("/cases/{id}/close", post(close_case))
        .route("/suppressions/{id}", delete(revoke_suppression))
        .route("/reports", post(analysis::add_report))
        .route_layer(role(Role::Screener));

    let admin = Router::new()
        .route(
            "/lists",
            post(upload_list).layer(DefaultBodyLimit::max(state.config.max_upload)),
        )
        .route("/caps/opening", post(caps::set_opening))
        .route("/graph/edges", post(exposure::add_edges))
        .route(
            "/ais",
            post(vessels::ingest).layer(DefaultBodyLimit::max(state.config.max_upload)),
        )
        .route("/lists/pending/{id}/confirm", post(confirm_list))
        .route("/lists/pending/{id}/reject", post(reject_list))
        .route("/keys", get(keys).post(create_key))
        .route("/audit/checkpoints", get(audit_checkpoints))
        .route("/keys/{id}", delete(revoke_key))
        .route_layer(role(Role::Admin));

    let open = Router::new()
        .route("/healthz", get(healthz))
        .merge(ui::routes());

    Router::new()
        .merge(open)
        .merge(metadata)
        .merge(viewer)
        .merge(screener)
        .merge(admin)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config.max_body))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            state.config.limits.body_timeout,
        ))
        // Headers on every answer: a CSP without inline script (the UI's own),
        // no MIME sniffing, no framing (in the CSP), no referrer.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(ui::CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(from_fn_with_state(state.clone(), crate::metrics::track))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_response,
        ))
        .with_state(state)
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal("the request hit a bug in Resolute (a panic)").into_response()
}

async fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        "no such endpoint; see GET /openapi.json",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "method not allowed on this endpoint",
    )
}

/// `GET /healthz`: the process answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
}

#[utoipa::path(get, path = "/healthz", tag = "service", responses((status = 200, body = Health)))]
pub async fn healthz() -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok".into(),
    })
}

/// How long `/readyz` waits for its store write probe.
const READY_PROBE_WAIT: std::time::Duration = std::time::Duration::from_millis(60);

/// `GET /readyz`, ready (200) or not (503).
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ok` or `not_ready`.
    pub status: String,
    /// Why it is not ready (yente's `detail`); null when ready.
    pub detail: Option<String>,
    /// `ok`, `busy` (the writer did not answer within 60 ms) or `failed`.
    pub store: String,
    /// The list versions in force.
    pub lists: Vec<VersionInfo>,
    pub entities: usize,
    /// The regime version; null when the regime is not loaded.
    pub regime: Option<String>,
    pub problems: Vec<String>,
}

/// `GET /readyz`: the lists are loaded and a store write commits now (503
/// with `detail` otherwise; `store` is `busy` when the writer did not answer
/// within 60 ms — busy, not broken).
#[utoipa::path(get, path = "/readyz", tag = "service",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness, description = "not ready: `detail` says why")))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let engine = state.engine();
    // The store is ready when a write commits now. A writer busy with other
    // work does not make the service unready: the probe waits a bounded time
    // so /readyz itself always answers quickly.
    let store = match tokio::time::timeout(READY_PROBE_WAIT, state.store.probe_write_async()).await
    {
        Ok(Ok(())) => Ok("ok"),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Ok("busy"),
    };
    let ready = engine.ready() && store.is_ok();
    let detail = match (&store, engine.ready()) {
        (Err(e), _) => Some(format!("Store not writable: {e}")),
        // yente's 503 body is `{"detail": "Index not ready."}`.
        (Ok(_), false) => Some("Index not ready.".to_string()),
        (Ok(_), true) => None,
    };
    let body = Readiness {
        status: if ready { "ok" } else { "not_ready" }.into(),
        detail,
        store: store.as_ref().map_or("failed", |s| *s).into(),
        lists: engine.version_info.clone(),
        entities: engine.entity_count(),
        regime: engine
            .regime
            .as_ref()
            .map(|_| engine.regime_version.clone()),
        problems: engine.problems.clone(),
    };
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}

/// `GET /me`: the caller's key.
#[derive(Debug, Serialize)]
struct Me {
    key_id: String,
    role: Role,
}

async fn me(Extension(caller): Extension<Caller>) -> axum::Json<Me> {
    axum::Json(Me {
        key_id: caller.key_id,
        role: caller.role,
    })
}

#[utoipa::path(get, path = "/metrics", tag = "service", responses((status = 200, description = "Prometheus text", content_type = "text/plain"), (status = 401, body = ErrorBody)), security(("api_key" = [])))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    let entities = state.engine().entity_count();
    let store = state.store.clone();
    let open = blocking(move || store.open_case_count()).await.ok();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(entities, open),
    )
        .into_response()
}

// ---------------------------------------------------------------- regime

/// A required date parameter.
fn date_param(field: &str, value: Option<&str>) -> Result<chrono::NaiveDate, ApiError> {
    let value = value.ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidParameter,
            format!("{field} is required (YYYY-MM-DD)"),
        )
    })?;
    Ok(parse_date(field, value)?)
}

pub(crate) fn regime_of(engine: &Engine) -> Result<&resolute_regime::Regime, ApiError> {
    engine.regime.as_deref().ok_or_else(|| {
        ApiError::unavailable(format!("regime not loaded: {}", engine.problems.join("; ")))
    })
}

#[derive(Debug, Deserialize)]
pub struct AtParams {
    pub at: Option<String>,
}

/// `GET /regime?at=`: the measures in force on a date.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegimeAt {
    pub at: chrono::NaiveDate,
    pub regime_version: String,
    pub count: usize,
    pub measures: Vec<resolute_regime::Measure>,
}

/// `GET /regime?at=DATE`: every measure in force on that date.
#[utoipa::path(get, path = "/regime", tag = "regime", params(("at" = String, Query, description = "YYYY-MM-DD")),
    responses((status = 200, body = RegimeAt), (status = 400, body = ErrorBody), (status = 503, body = ErrorBody)), security(("api_key" = [])))]
pub async fn regime_at(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<AtParams>,
) -> Result<axum::Json<RegimeAt>, ApiError> {
    let date = date_param("at", p.at.as_deref())?;
    let engine = state.engine();
    let regime = regime_of(&engine)?;
    let measures: Vec<_> = regime.in_force(date).into_iter().cloned().collect();
    Ok(axum::Json(RegimeAt {
        at: date,
        regime_version: engine.regime_version.clone(),
        count: measures.len(),
        measures,
    }))
}

#[derive(Debug, Deserialize)]
pub struct DiffParams {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// `GET /regime/diff`: what changed between two dates.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegimeDiffBody<'a> {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub regime_version: &'a str,
    pub diff: resolute_regime::RegimeDiff<'a>,
}

/// `GET /regime/diff?from=&to=`.
#[utoipa::path(get, path = "/regime/diff", tag = "regime", params(("from" = String, Query), ("to" = String, Query)),
    responses((status = 200, body = RegimeDiffBody), (status = 400, body = ErrorBody), (status = 503, body = ErrorBody)), security(("api_key" = [])))]
pub async fn regime_diff(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<DiffParams>,
) -> Result<Response, ApiError> {
    let from = date_param("from", p.from.as_deref())?;
    let to = date_param("to", p.to.as_deref())?;
    let engine = state.engine();
    let regime = regime_of(&engine)?;
    let body = RegimeDiffBody {
        from,
        to,
        regime_version: &engine.regime_version,
        diff: regime.diff(from, to),
    };
    Ok(axum::Json(body).into_response())
}

/// `GET /regime/timeline` (the UI's chart; not in the OpenAPI document).
#[derive(Debug, Serialize)]
struct Timeline<'a> {
    regime_version: &'a str,
    resolutions: &'a [resolute_regime::Resolution],
    measures: &'a [resolute_regime::Measure],
}

/// `GET /regime/timeline`: resolutions with their measures and dates, for the UI's chart.
pub async fn regime_timeline(State(state): State<AppState>) -> Result<Response, ApiError> {
    let engine = state.engine();
    let regime = regime_of(&engine)?;
    let body = Timeline {
        regime_version: &engine.regime_version,
        resolutions: &regime.resolutions,
        measures: &regime.measures,
    };
    Ok(axum::Json(body).into_response())
}

// ---------------------------------------------------------------- lists

/// `GET /lists`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListVersions {
    /// The versions in force, one per source.
    pub in_force: Vec<VersionInfo>,
    /// Every version the store knows.
    pub versions: Vec<StoredListVersion>,
}

/// `GET /lists`: the versions in force and every version the store knows.
#[utoipa::path(get, path = "/lists", tag = "lists", responses((status = 200, body = ListVersions), (status = 401, body = ErrorBody)), security(("api_key" = [])))]
pub async fn list_versions(
    State(state): State<AppState>,
) -> Result<axum::Json<ListVersions>, ApiError> {
    let engine = state.engine();
    let store = state.store.clone();
    let versions = blocking(move || store.list_versions()).await?;
    Ok(axum::Json(ListVersions {
        in_force: engine.version_info.clone(),
        versions,
    }))
}

#[derive(Debug, Deserialize)]
pub struct UploadParams {
    /// File name, used as the origin and in errors.
    pub name: Option<String>,
}

/// `POST /lists`: upload a UN XML or OFAC SDN CSV file. Validated and, when
/// nothing looks wrong, stored as a new version and put in force (201, with
/// the diff). A version that removes many entries, has many bad records, is
/// older than the one in force or repeats reference numbers is held for an
/// admin's confirmation (202, with the reasons and the diff). A file that does
/// not load (malformed, a DOCTYPE, cut short) is refused (400). Either way
/// the version in force keeps serving until a version is put in force.
#[utoipa::path(post, path = "/lists", tag = "lists", params(("name" = Option<String>, Query, description = "file name")),
    request_body(content = String, description = "the list file (UN consolidated XML or OFAC SDN CSV)", content_type = "application/octet-stream"),
    responses((status = 201, body = ListUploaded, description = "in force"), (status = 202, body = ListHeld, description = "held for review: see GET /lists/pending"),
              (status = 400, body = ErrorBody, description = "invalid list file: nothing changed"), (status = 413, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn upload_list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(p): ApiQuery<UploadParams>,
    ApiBytes(bytes): ApiBytes,
) -> Result<Response, ApiError> {
    let name = p.name.unwrap_or_else(|| "upload".into());
    let _one_at_a_time = state.upload_lock.lock().await;
    let casework = state.casework.clone();
    let actor = caller.actor();
    let outcome = blocking(move || {
        let prepared = prepare_upload(&casework.engine(), &name, bytes.to_vec())?;
        casework.submit_upload(prepared, &actor, &UploadPolicy::default())
    })
    .await;
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            Metrics::inc(&state.metrics.list_uploads_rejected, 1);
            return Err(e);
        }
    };
    Metrics::inc(&state.metrics.audit_records, 1);
    Ok(match outcome {
        UploadOutcome::InForce(up) => {
            (StatusCode::CREATED, axum::Json(ListUploaded::of(up))).into_response()
        }
        UploadOutcome::Held(held) => {
            let body = ListHeld {
                previous: held.review.diff_summary.get("previous").cloned(),
                pending: held.review,
                reasons: held.reasons,
                diff: held.diff,
            };
            (StatusCode::ACCEPTED, axum::Json(body)).into_response()
        }
    })
}

/// A list version put in force (`POST /lists`, `POST /lists/pending/{id}/confirm`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ListUploaded {
    pub version: StoredListVersion,
    pub in_force: VersionInfo,
    /// The id of the version it replaced.
    pub previous: Option<String>,
    /// Entries added, removed and changed against the previous version.
    #[schema(value_type = Option<Object>)]
    pub diff: Option<ListDiff>,
    /// The first 50 bad records of the file.
    #[schema(value_type = Vec<Object>)]
    pub issues: Vec<RecordIssue>,
}

impl ListUploaded {
    fn of(up: resolute_casework::lists::ListUpload) -> Self {
        ListUploaded {
            issues: up.version.issues.iter().take(50).cloned().collect(),
            version: up.stored,
            in_force: up.in_force,
            previous: up.previous,
            diff: up.diff,
        }
    }
}

/// A list version held for an admin's review (`POST /lists`, 202).
#[derive(Debug, Serialize, ToSchema)]
pub struct ListHeld {
    pub pending: ListReview,
    /// The version in force it would replace (from the review's diff summary).
    #[schema(value_type = Option<Object>)]
    pub previous: Option<Value>,
    pub reasons: Vec<String>,
    #[schema(value_type = Option<Object>)]
    pub diff: Option<ListDiff>,
}

/// `GET /lists/pending`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PendingLists {
    pub pending: Vec<ListReview>,
}

/// `GET /lists/pending`: versions held for review, with why and the diff counts.
#[utoipa::path(get, path = "/lists/pending", tag = "lists", responses((status = 200, body = PendingLists), (status = 401, body = ErrorBody)), security(("api_key" = [])))]
pub async fn pending_lists(
    State(state): State<AppState>,
) -> Result<axum::Json<PendingLists>, ApiError> {
    let casework = state.casework.clone();
    let pending = blocking(move || casework.pending_versions()).await?;
    Ok(axum::Json(PendingLists { pending }))
}

#[derive(Debug, Deserialize)]
pub struct ReviewBody {
    #[serde(default)]
    pub note: String,
}

/// `POST /lists/pending/{id}/confirm` (admin): put a held version in force (audited).
#[utoipa::path(post, path = "/lists/pending/{id}/confirm", tag = "lists", params(("id" = String, Path)),
    request_body(content = Object, description = "{\"note\": \"why it is right\"}"),
    responses((status = 200, body = ListUploaded), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("api_key" = [])))]
pub async fn confirm_list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<axum::Json<ListUploaded>, ApiError> {
    let note = review_note(&body)?;
    let _one_at_a_time = state.upload_lock.lock().await;
    let casework = state.casework.clone();
    let actor = caller.actor();
    let up = blocking(move || casework.confirm_pending(&id, &actor, &note)).await?;
    Metrics::inc(&state.metrics.audit_records, 1);
    Ok(axum::Json(ListUploaded::of(up)))
}

/// `POST /lists/pending/{id}/reject` (admin): turn a held version down (audited).
#[utoipa::path(post, path = "/lists/pending/{id}/reject", tag = "lists", params(("id" = String, Path)),
    request_body(content = Object, description = "{\"note\": \"why\"}"),
    responses((status = 200, body = ListRejected), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("api_key" = [])))]
pub async fn reject_list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<axum::Json<ListRejected>, ApiError> {
    let note = review_note(&body)?;
    let casework = state.casework.clone();
    let actor = caller.actor();
    let review = blocking(move || casework.reject_pending(&id, &actor, &note)).await?;
    Metrics::inc(&state.metrics.audit_records, 1);
    Ok(axum::Json(ListRejected { rejected: review }))
}

/// `POST /lists/pending/{id}/reject`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListRejected {
    pub rejected: ListReview,
}

fn review_note(body: &ReviewBody) -> Result<String, ApiError> {
    let note = body.note.trim();
    if note.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidBody,
            "note: say why (it is recorded in the audit log)",
        ));
    }
    Ok(note.to_string())
}

/// `GET /lists/diff`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListsDiff {
    pub from: String,
    pub to: String,
    /// Entries added, removed and changed between the two versions.
    #[schema(value_type = Object)]
    pub diff: Value,
}

/// `GET /lists/diff?from=&to=`: two stored versions (ids from `GET /lists`).
#[utoipa::path(get, path = "/lists/diff", tag = "lists", params(("from" = String, Query), ("to" = String, Query)),
    responses((status = 200, body = ListsDiff), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)), security(("api_key" = [])))]
pub async fn lists_diff(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<DiffParams>,
) -> Result<axum::Json<ListsDiff>, ApiError> {
    let required = |field: &str, v: Option<String>| {
        v.filter(|s| !s.trim().is_empty()).ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidParameter,
                format!("{field} is required (a version id from GET /lists)"),
            )
        })
    };
    let from = required("from", p.from)?;
    let to = required("to", p.to)?;
    let casework = state.casework.clone();
    let (f, t) = (from.clone(), to.clone());
    let diff = blocking(move || {
        diff_versions(&casework, &f, &t).map_err(|e| match e {
            resolute_casework::CaseworkError::NotFound { .. } => {
                ApiError::new(ErrorCode::VersionNotFound, e.to_string())
            }
            other => other.into(),
        })
    })
    .await?;
    Ok(axum::Json(ListsDiff { from, to, diff }))
}

// ---------------------------------------------------------------- cases

#[derive(Debug, Deserialize)]
pub struct CaseParams {
    pub status: Option<String>,
    pub limit: Option<usize>,
}

/// `GET /cases`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    pub cases: Vec<Case>,
}

/// `GET /cases?status=open|closed`.
#[utoipa::path(get, path = "/cases", tag = "cases", params(("status" = Option<String>, Query), ("limit" = Option<usize>, Query)),
    responses((status = 200, body = CaseList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)), security(("api_key" = [])))]
pub async fn cases(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<CaseParams>,
) -> Result<axum::Json<CaseList>, ApiError> {
    let status = match p.status.as_deref() {
        None | Some("") | Some("all") => None,
        Some("open") => Some(CaseStatus::Open),
        Some("closed") => Some(CaseStatus::Closed),
        Some(other) => {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                format!("status must be open, closed or all, got {other:?}"),
            ));
        }
    };
    let store = state.store.clone();
    let filter = CaseFilter {
        status,
        limit: p.limit.unwrap_or(200),
    };
    let cases = blocking(move || store.cases(&filter)).await?;
    Ok(axum::Json(CaseList { cases }))
}

/// `GET /cases/{id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    pub case: Case,
    /// The list entry the case is about, as the lists in force have it (null
    /// when none, or no longer listed).
    #[schema(value_type = Option<crate::names::Entity>)]
    pub entity: Option<Value>,
}

#[utoipa::path(get, path = "/cases/{id}", tag = "cases", params(("id" = i64, Path)), responses((status = 200, body = CaseDetail), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)), security(("api_key" = [])))]
pub async fn case(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<axum::Json<CaseDetail>, ApiError> {
    let store = state.store.clone();
    let c = blocking(move || store.case(id)).await?;
    let entity = c
        .entity_id
        .as_deref()
        .and_then(|id| state.engine().entity(id).map(entity_json));
    Ok(axum::Json(CaseDetail { case: c, entity }))
}

#[derive(Debug, Deserialize)]
pub struct CloseCase {
    pub resolution: String,
    #[serde(default)]
    pub note: String,
}

/// `POST /cases/{id}/close` with `{"resolution": "true_match"|"false_positive", "note"}`.
#[utoipa::path(post, path = "/cases/{id}/close", tag = "cases", params(("id" = i64, Path)),
    request_body(content = Object, description = "{\"resolution\": \"true_match\" | \"false_positive\", \"note\": \"…\"}"),
    responses((status = 200, body = CaseClosed), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "already closed")), security(("api_key" = [])))]
pub async fn close_case(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CloseCase>,
) -> Result<axum::Json<CaseClosed>, ApiError> {
    let resolution = CaseResolution::parse(body.resolution.trim()).ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidBody,
            format!(
                "resolution must be true_match or false_positive, got {:?}",
                body.resolution
            ),
        )
    })?;
    if body.note.trim().is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidBody,
            "a note is required to close a case",
        ));
    }
    let casework = state.casework.clone();
    let actor = caller.actor();
    let (case, suppression) =
        blocking(move || casework.close_case(id, resolution, body.note.trim(), &actor)).await?;
    Metrics::inc(&state.metrics.audit_records, 1);
    Ok(axum::Json(CaseClosed { case, suppression }))
}

/// `POST /cases/{id}/close`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseClosed {
    pub case: Case,
    /// The suppression a false positive creates (null for a true match).
    pub suppression: Option<Suppression>,
}

/// `GET /suppressions`: false-positive decisions, and whether each still holds
/// (`active`, `lapsed_entry_changed`, `entry_removed`, `revoked`).
#[utoipa::path(get, path = "/suppressions", tag = "cases", responses((status = 200, body = SuppressionList), (status = 401, body = ErrorBody)), security(("api_key" = [])))]
pub async fn suppressions(
    State(state): State<AppState>,
) -> Result<axum::Json<SuppressionList>, ApiError> {
    let store = state.store.clone();
    let list = blocking(move || store.suppressions(true)).await?;
    let engine = state.engine();
    let suppressions = list
        .into_iter()
        .map(|s| SuppressionView {
            status: SuppressionStatus::of(&s, &engine),
            entity: engine.entity(&s.entity_id).map(|e| EntryRef {
                reference: e.reference.clone(),
                caption: e.caption.clone(),
            }),
            suppression: s,
        })
        .collect();
    Ok(axum::Json(SuppressionList { suppressions }))
}

/// `GET /suppressions`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuppressionList {
    pub suppressions: Vec<SuppressionView>,
}

/// A suppression with where it stands against the lists in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuppressionView {
    #[serde(flatten)]
    pub suppression: Suppression,
    pub status: SuppressionStatus,
    /// The list entry (null when no longer listed).
    pub entity: Option<EntryRef>,
}

/// A list entry named by its reference and caption.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryRef {
    #[serde(rename = "ref")]
    pub reference: String,
    pub caption: String,
}

/// `DELETE /suppressions/{id}` (not in the OpenAPI document).
#[derive(Debug, Serialize)]
struct Revoked<T> {
    revoked: T,
}

pub async fn revoke_suppression(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    state
        .casework
        .revoke_suppression(id, &caller.actor())
        .await?;
    Metrics::inc(&state.metrics.audit_records, 1);
    Ok(axum::Json(Revoked { revoked: id }).into_response())
}

// ---------------------------------------------------------------- audit

#[derive(Debug, Deserialize)]
pub struct AuditParams {
    pub before: Option<i64>,
    pub kind: Option<String>,
    pub limit: Option<usize>,
}

/// `GET /audit`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditLog {
    /// Newest first.
    pub records: Vec<AuditRecord>,
    /// Records in the whole log.
    pub total: i64,
}

/// `GET /audit?before=&kind=&limit=`: newest first.
#[utoipa::path(get, path = "/audit", tag = "audit", params(("before" = Option<i64>, Query), ("kind" = Option<String>, Query), ("limit" = Option<usize>, Query)),
    responses((status = 200, body = AuditLog), (status = 400, body = ErrorBody)), security(("api_key" = [])))]
pub async fn audit_log(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> Result<axum::Json<AuditLog>, ApiError> {
    let store = state.store.clone();
    let q = AuditQuery {
        before: p.before,
        kind: p.kind.filter(|k| !k.is_empty()),
        limit: p.limit.unwrap_or(50),
    };
    let (records, total) =
        blocking(move || Ok::<_, ApiError>((store.audit_records(&q)?, store.audit_count()?)))
            .await?;
    Ok(axum::Json(AuditLog { records, total }))
}

#[utoipa::path(get, path = "/audit/{seq}", tag = "audit", params(("seq" = i64, Path)), responses((status = 200, body = AuditRecord), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)), security(("api_key" = [])))]
pub async fn audit_record(
    State(state): State<AppState>,
    ApiPath(seq): ApiPath<i64>,
) -> Result<axum::Json<AuditRecord>, ApiError> {
    let store = state.store.clone();
    let r = blocking(move || store.audit_record(seq)).await?;
    Ok(axum::Json(r))
}

/// `GET /audit/verify`: walk the hash chain; names the first bad record.
#[utoipa::path(get, path = "/audit/verify", tag = "audit", responses((status = 200, body = VerifyReport), (status = 401, body = ErrorBody)), security(("api_key" = [])))]
pub async fn audit_verify(
    State(state): State<AppState>,
) -> Result<axum::Json<VerifyReport>, ApiError> {
    let store = state.store.clone();
    let report = blocking(move || store.verify_audit()).await?;
    Ok(axum::Json(report))
}

#[derive(Debug, Deserialize)]
pub struct CheckpointParams {
    /// Only checkpoints of records after this seq (the last one exported).
    #[serde(default)]
    pub since: i64,
}

/// `GET /audit/checkpoints?since=` (admin): the signed checkpoints of the
/// audit chain after `since`, oldest first, with the public key that verifies
/// them: append them to a log outside this machine, so a re-forged chain
/// cannot match what was exported.
#[utoipa::path(get, path = "/audit/checkpoints", tag = "audit", params(("since" = Option<i64>, Query)),
    responses((status = 200, body = CheckpointExport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn audit_checkpoints(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<CheckpointParams>,
) -> Result<axum::Json<CheckpointExport>, ApiError> {
    let store = state.store.clone();
    let (checkpoints, public_key) = blocking(move || {
        store
            .export_checkpoints(p.since)
            .map(|c| (c, store.checkpoint_public_key()))
    })
    .await?;
    Ok(axum::Json(CheckpointExport {
        public_key,
        checkpoints,
    }))
}

/// `GET /audit/checkpoints`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointExport {
    /// Ed25519 public key (hex) that verifies the checkpoints.
    pub public_key: String,
    /// Oldest first.
    pub checkpoints: Vec<Checkpoint>,
}

// ---------------------------------------------------------------- keys

/// `GET /keys`.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyList {
    /// Every key, revoked ones too (never the secret).
    pub keys: Vec<ApiKey>,
}

#[utoipa::path(get, path = "/keys", tag = "keys", responses((status = 200, body = KeyList), (status = 403, body = ErrorBody)), security(("api_key" = [])))]
pub async fn keys(State(state): State<AppState>) -> Result<axum::Json<KeyList>, ApiError> {
    let store = state.store.clone();
    let keys = blocking(move || store.list_keys()).await?;
    Ok(axum::Json(KeyList { keys }))
}

#[derive(Debug, Deserialize)]
pub struct CreateKey {
    pub role: String,
    #[serde(default)]
    pub label: String,
}

/// `POST /keys` with `{"role", "label"}`: the token is in this answer only.
#[utoipa::path(post, path = "/keys", tag = "keys", request_body(content = Object, description = "{\"role\": \"viewer|screener|admin\", \"label\"}"),
    responses((status = 201, body = NewApiKey, description = "the token is in this answer only"), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)), security(("api_key" = [])))]
pub async fn create_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<CreateKey>,
) -> Result<Response, ApiError> {
    let role = Role::parse(&body.role).ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidBody,
            format!(
                "role must be viewer, screener or admin, got {:?}",
                body.role
            ),
        )
    })?;
    let store = state.store.clone();
    let actor = caller.actor();
    let key = blocking(move || store.create_key(role, &body.label, &actor)).await?;
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(key),
    )
        .into_response())
}

pub async fn revoke_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let store = state.store.clone();
    let actor = caller.actor();
    let key_id = id.clone();
    blocking(move || store.revoke_key(&key_id, &actor)).await?;
    state.keys.forget(&id);
    Ok(axum::Json(Revoked { revoked: id }).into_response())
}
