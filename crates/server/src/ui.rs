//! The web UI: plain HTML/CSS/JS embedded in the binary (no build step).

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;

const INDEX_HTML: &str = include_str!("../ui/index.html");
const APP_JS: &str = include_str!("../ui/app.js");
const APP_CSS: &str = include_str!("../ui/app.css");

const CACHE: &str = "no-cache";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                        (header::CACHE_CONTROL, CACHE),
                    ],
                    INDEX_HTML,
                )
                    .into_response()
            }),
        )
        .route(
            "/ui",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                        (header::CACHE_CONTROL, CACHE),
                    ],
                    INDEX_HTML,
                )
                    .into_response()
            }),
        )
        .route(
            "/ui/app.js",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                        (header::CACHE_CONTROL, CACHE),
                    ],
                    APP_JS,
                )
                    .into_response()
            }),
        )
        .route(
            "/ui/app.css",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                        (header::CACHE_CONTROL, CACHE),
                    ],
                    APP_CSS,
                )
                    .into_response()
            }),
        )
}
