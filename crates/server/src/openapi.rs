//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr, Response};
use utoipa::{Modify, OpenApi};

use crate::{analysis, caps, exposure, names, reconcile, routes, transactions, vessels};

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "x_api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))),
        );
    }
}

/// The answers any operation can give, as [`crate::error::ErrorBody`]: 401
/// where a key is required, 500 (a failure inside, with a reference) everywhere.
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let error = |description: &str| -> RefOr<Response> {
            let content = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build();
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content("application/json", content)
                    .build(),
            )
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in operations.into_iter().flatten() {
                let responses = &mut op.responses.responses;
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    responses
                        .entry("401".into())
                        .or_insert_with(|| error("No API key, or an unknown or revoked one."));
                }
                responses.entry("500".into()).or_insert_with(|| {
                    error("A failure inside the service; the answer gives a reference to find it in the log.")
                });
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Resolute", description = "UN DPRK sanctions screening: yente-compatible name matching, transaction screening against the regime as dated rules, cases and a hash-chained audit log. Keys: `Authorization: Bearer KEY`, `Authorization: ApiKey KEY`, `X-API-Key: KEY` or `?api_key=KEY`; roles viewer < screener < admin. The yente-compatible endpoints follow yente 5.5.0 (shapes, defaults, 422 problem lists, `detail` on every error)."),
    paths(
        names::match_entities, names::search, names::entity, names::adjacent, names::adjacent_by_property,
        names::catalog, names::algorithms, reconcile::manifest, reconcile::reconcile,
        transactions::screen, caps::caps_at, caps::set_opening,
        routes::healthz, routes::readyz, routes::metrics,
        routes::regime_at, routes::regime_diff,
        routes::list_versions, routes::upload_list, routes::lists_diff, routes::pending_lists, routes::confirm_list, routes::reject_list,
        routes::cases, routes::case, routes::close_case, routes::suppressions,
        routes::audit_log, routes::audit_record, routes::audit_verify, routes::audit_checkpoints,
        routes::keys, routes::create_key,
        analysis::impact, analysis::list_reports, analysis::reports_status, analysis::add_report,
        exposure::exposure, exposure::graph, exposure::add_edges,
        vessels::ingest, vessels::vessel, vessels::events, vessels::map,
    ),
    modifiers(&Security, &CommonErrors),
)]
pub struct ApiDoc;

pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
