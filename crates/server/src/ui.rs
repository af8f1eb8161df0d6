//! The web UI: plain HTML, CSS and ES modules embedded in the binary (no build
//! step). `index.html` loads one module, `/ui/js/main.js`, which imports one
//! module per page (`/ui/js/pages/*.js`) and the shared ones (API client, the
//! escaping `html` template, DOM and formatting helpers).
//!
//! The UI runs under [`CONTENT_SECURITY_POLICY`] (no inline script, no inline
//! event handler, no inline style attribute, no eval); the HTML document is
//! served with it here so the UI is held to it whatever the rest of the server sends.

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

/// The policy the UI is written for: everything from this origin, images also
/// as `data:` URLs, and never framed.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

/// Assets change with the binary: revalidate rather than cache stale modules.
const CACHE: &str = "no-cache";

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// One embedded file and the path it is served at.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static str,
}

macro_rules! asset {
    ($path:literal, $content_type:expr, $file:literal) => {
        Asset {
            path: $path,
            content_type: $content_type,
            body: include_str!(concat!("../ui/", $file)),
        }
    };
}

/// Every file of the UI. A module imported by another must be listed here
/// (the test below checks every import resolves to a listed path).
const ASSETS: &[Asset] = &[
    asset!("/", HTML, "index.html"),
    asset!("/ui", HTML, "index.html"),
    asset!("/ui/app.css", CSS, "app.css"),
    asset!("/ui/favicon.svg", SVG, "favicon.svg"),
    // Browsers ask for /favicon.ico whatever the page links; an SVG with its type is understood.
    asset!("/favicon.ico", SVG, "favicon.svg"),
    asset!("/ui/js/main.js", JS, "js/main.js"),
    asset!("/ui/js/api.js", JS, "js/api.js"),
    asset!("/ui/js/chrome.js", JS, "js/chrome.js"),
    asset!("/ui/js/dates.js", JS, "js/dates.js"),
    asset!("/ui/js/dom.js", JS, "js/dom.js"),
    asset!("/ui/js/filter.js", JS, "js/filter.js"),
    asset!("/ui/js/format.js", JS, "js/format.js"),
    asset!("/ui/js/html.js", JS, "js/html.js"),
    asset!("/ui/js/pages/audit.js", JS, "js/pages/audit.js"),
    asset!("/ui/js/pages/cases.js", JS, "js/pages/cases.js"),
    asset!("/ui/js/pages/impact.js", JS, "js/pages/impact.js"),
    asset!("/ui/js/pages/lists.js", JS, "js/pages/lists.js"),
    asset!("/ui/js/pages/regime.js", JS, "js/pages/regime.js"),
    asset!("/ui/js/pages/screen.js", JS, "js/pages/screen.js"),
    asset!("/ui/js/pages/transaction.js", JS, "js/pages/transaction.js"),
];

impl Asset {
    fn response(&self) -> Response {
        let headers = [
            (header::CONTENT_TYPE, self.content_type),
            (header::CACHE_CONTROL, CACHE),
        ];
        if self.content_type == HTML {
            let csp = [(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY)];
            (headers, csp, self.body).into_response()
        } else {
            (headers, self.body).into_response()
        }
    }
}

pub fn routes() -> Router<AppState> {
    ASSETS.iter().fold(Router::new(), |router, asset| {
        router.route(asset.path, get(move || async move { asset.response() }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `./x.js` or `../x.js` from the module served at `from`, as a served path.
    fn resolve(from: &str, specifier: &str) -> String {
        let mut parts: Vec<&str> = from.split('/').collect();
        parts.pop();
        for segment in specifier.split('/') {
            match segment {
                "." => {}
                ".." => {
                    parts.pop();
                }
                s => parts.push(s),
            }
        }
        parts.join("/")
    }

    /// Every `from "…"` of every module and the entry module of index.html
    /// must be a served path, or the browser would stop loading the whole UI.
    #[test]
    fn every_import_is_served() {
        let served: Vec<&str> = ASSETS.iter().map(|a| a.path).collect();
        let mut checked = 0;
        for asset in ASSETS.iter().filter(|a| a.content_type == JS) {
            for line in asset.body.lines() {
                let line = line.trim();
                let Some(rest) = line.split(" from \"").nth(1) else {
                    continue;
                };
                let specifier = rest.split('"').next().unwrap_or_default();
                let target = resolve(asset.path, specifier);
                assert!(
                    served.contains(&target.as_str()),
                    "{}: import {specifier:?} resolves to {target}, which is not served",
                    asset.path
                );
                checked += 1;
            }
        }
        assert!(
            checked >= 30,
            "only {checked} imports found: did the import syntax change?"
        );
        let index = ASSETS[0].body;
        assert!(index.contains(r#"<script type="module" src="/ui/js/main.js"></script>"#));
        for href in ["/ui/app.css", "/ui/favicon.svg"] {
            assert!(index.contains(&format!("href=\"{href}\"")) && served.contains(&href));
        }
    }

    /// Nothing the CSP would block: no inline script or handler, no style attribute, no eval.
    #[test]
    fn assets_keep_to_the_content_security_policy() {
        let index = ASSETS[0].body;
        assert_eq!(
            index.matches("<script").count(),
            1,
            "one script element, the entry module"
        );
        for asset in ASSETS {
            for (pattern, why) in [
                (" onclick=", "inline event handler"),
                (" onload=", "inline event handler"),
                (" onerror=", "inline event handler"),
                (" style=\"", "inline style attribute"),
                ("style=${", "inline style attribute"),
                ("eval(", "eval"),
                ("new Function(", "eval"),
                ("javascript:", "javascript: URL"),
            ] {
                assert!(
                    !asset.body.contains(pattern),
                    "{}: {why} ({pattern:?})",
                    asset.path
                );
            }
        }
    }
}
