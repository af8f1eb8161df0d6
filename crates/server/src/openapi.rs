//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
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
    modifiers(&Security),
)]
pub struct ApiDoc;

pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
