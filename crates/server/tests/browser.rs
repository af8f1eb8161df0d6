//! The web UI in a real headless Chromium (Debian's chromium + chromedriver).
//!
//! - `ui_screen_transaction_case_audit`: log in with a key, screen a name (and
//!   one that is markup), check a coal declaration (its findings' Verification
//!   column and the cap usage table), close a case as a false positive, clear a
//!   payment's party hit the same way, find it in the audit log and verify the chain.
//! - `ui_layout_keys_csp_and_errors`: the top bar fits at 1,024–1,434 px on every
//!   page, the keys and the skip link work, the page runs under the CSP with no
//!   violation, the favicon is served, 5xx answers are shown as a plain
//!   sentence with their reference, and the `html` template escapes.
//! - `ui_dates_filters_lists_and_impact`: ISO date fields, the Regime and
//!   Impact filters, browsing and searching list entries, the compare picker's
//!   defaults, the Impact chart against its table, and the reporting status
//!   with and without recorded reports.
//!
//! Without chromium these tests fail when RESOLUTE_REQUIRE_BROWSER=1 (CI) and
//! are skipped with a loud message otherwise. Set RESOLUTE_SCREENSHOTS=DIR to
//! keep a PNG of each step.

mod support;

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};
use support::TestServer;
use support::webdriver::{Driver, find_browser};

const WAIT: Duration = Duration::from_secs(30);
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const PAGES: [&str; 7] = [
    "screen",
    "transaction",
    "regime",
    "lists",
    "cases",
    "audit",
    "impact",
];
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

/// One browser and one server at a time: the machine running the tests may
/// have two cores, and a debug server plus Chromium already fill them.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

struct Ui {
    server: TestServer,
    d: Driver,
    shots: Option<PathBuf>,
    _turn: MutexGuard<'static, ()>,
}

/// A server and a browser, or `None` (after saying so) when there is no browser.
fn start() -> Option<Ui> {
    let Some((chromium, chromedriver)) = find_browser() else {
        let msg = "chromium/chromedriver not found: run scripts/install-browser.sh";
        if std::env::var("RESOLUTE_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("{msg} (RESOLUTE_REQUIRE_BROWSER=1)");
        }
        eprintln!("\n!!!!! SKIPPED browser test: {msg} !!!!!\n");
        return None;
    };
    let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let shots: Option<PathBuf> = std::env::var_os("RESOLUTE_SCREENSHOTS").map(PathBuf::from);
    if let Some(dir) = &shots {
        std::fs::create_dir_all(dir).expect("screenshot dir");
    }
    let server = TestServer::start();
    let d = Driver::start(&chromium, &chromedriver).expect("start chromedriver");
    Some(Ui {
        server,
        d,
        shots,
        _turn: turn,
    })
}

/// An element each page shows once its data is in (so the width is final).
fn loaded_marker(page: &str) -> &'static str {
    match page {
        "screen" => "#screen-form",
        "transaction" => "#tx-caps-table table",
        "regime" => "#regime-list table",
        "lists" => "#lists-table table",
        "cases" => "#cases-table",
        "audit" => "#audit-log table",
        _ => "#impact-table",
    }
}

impl Ui {
    /// Open `page` and wait until it has drawn its data (no "Loading…" left).
    fn open_page(&self, page: &str) {
        self.goto(&format!("/#/{page}"));
        self.wait(loaded_marker(page), None);
        self.wait_js(
            "const t = document.querySelector('main').textContent; return !t.includes('Loading…') && !t.includes('Computing…');",
            vec![],
        );
    }

    fn shot(&self, name: &str) {
        if let Some(dir) = &self.shots {
            self.d
                .screenshot(&dir.join(format!("{name}.png")))
                .expect("screenshot");
        }
    }

    fn goto(&self, path: &str) {
        self.d.goto(&self.server.url(path)).expect("navigate");
    }

    fn wait(&self, css: &str, text: Option<&str>) -> String {
        self.d
            .wait_for(css, text, WAIT)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Run `script` (a function body) and return its value.
    fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.d
            .execute(script, args)
            .unwrap_or_else(|e| panic!("{e}\nscript: {script}"))
    }

    fn text(&self, css: &str) -> String {
        self.js(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;",
            vec![json!(css)],
        )
        .as_str()
        .unwrap_or_else(|| panic!("no element {css}"))
        .to_string()
    }

    /// Poll `script` until it returns something truthy.
    fn wait_js(&self, script: &str, args: Vec<Value>) -> Value {
        let started = std::time::Instant::now();
        loop {
            let v = self.js(script, args.clone());
            let truthy = !matches!(&v, Value::Null | Value::Bool(false))
                && v.as_str() != Some("")
                && v.as_f64() != Some(0.0);
            if truthy {
                return v;
            }
            assert!(started.elapsed() < WAIT, "timed out waiting for: {script}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Set a select or input by script and fire the events a user's change fires.
    fn set_value(&self, css: &str, value: &str) {
        self.js(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1];
             e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![json!(css), json!(value)],
        );
    }

    fn click(&self, css: &str) {
        let element = self.d.find(css).unwrap_or_else(|e| panic!("{e}"));
        self.d
            .click(&element)
            .unwrap_or_else(|e| panic!("{css}: {e}"));
    }

    /// Sign in through the form and wait for the role in the top bar.
    fn sign_in(&self, key: &str, role: &str) {
        self.goto("/#/screen");
        let input = self.wait("#login-key", None);
        self.d.clear(&input).expect("clear");
        self.d.type_text(&input, key).expect("type key");
        self.click("#login-submit");
        self.wait("#who", Some(role));
    }

    /// Console messages about the Content Security Policy, and uncaught errors.
    fn csp_and_script_errors(&self) -> Vec<String> {
        self.d
            .browser_log()
            .expect("browser log")
            .into_iter()
            .map(|(_, message)| message)
            .filter(|m| m.contains("Content Security Policy") || m.contains("Uncaught"))
            .collect()
    }

    /// Visible rows matching `css`: their `data-<key>` values.
    fn visible(&self, css: &str, key: &str) -> Vec<String> {
        let v = self.js(
            "return [...document.querySelectorAll(arguments[0])].filter((r) => !r.hidden).map((r) => r.dataset[arguments[1]]);",
            vec![json!(css), json!(key)],
        );
        serde_json::from_value(v).expect("strings")
    }
}

/// US$ millions as the UI writes them: "US$ 1,059.9m".
fn usd(value: f64) -> String {
    let tenths = (value / 1e5).round() as i64;
    let (whole, tenth) = (tenths / 10, tenths % 10);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("US$ {grouped}.{tenth}m")
}

#[test]
fn usd_formats_like_the_ui() {
    assert_eq!(usd(799_123_456.0), "US$ 799.1m");
    assert_eq!(usd(1_059_870_018.0), "US$ 1,059.9m");
    assert_eq!(usd(0.0), "US$ 0.0m");
}

#[test]
fn ui_screen_transaction_case_audit() {
    let Some(ui) = start() else { return };
    let (server, d) = (&ui.server, &ui.d);

    // Log in with a screener key (a wrong key first).
    ui.goto("/#/screen");
    let key_input = ui.wait("#login-key", None);
    d.type_text(
        &key_input,
        "rsk_00000000_000000000000000000000000000000000000000000000000",
    )
    .expect("type");
    ui.click("#login-submit");
    ui.wait("#login-error", Some("Unknown or revoked key"));
    ui.sign_in(&server.screener, "screener");

    // Screen "Foreign Trade Bank": KPe.047 with its explanation.
    let name = ui.wait("#screen-name", None);
    d.type_text(&name, "Foreign Trade Bank").expect("type name");
    ui.click("#screen-submit");
    let row = ui.wait("tr.result[data-ref=\"KPe.047\"]", None);
    let row_text = d.text(&row).expect("row text");
    assert!(row_text.contains("FOREIGN TRADE BANK"), "{row_text}");
    assert!(row_text.contains("match"), "{row_text}");
    let explanation = ui.wait(
        "tr.result[data-ref=\"KPe.047\"] pre.explanation",
        Some("FOREIGN TRADE BANK"),
    );
    let explanation = d.text(&explanation).expect("explanation text");
    assert!(
        explanation.contains("query name \"Foreign Trade Bank\""),
        "{explanation}"
    );
    ui.wait("#screen-results .meta", Some("case #"));
    ui.shot("1-screen");

    // A name that is markup is shown as text: the html template escaped it.
    let markup = "<img src=x onerror=\"window.__pwned=1\">Kim <b>Jong</b>";
    d.clear(&name).expect("clear");
    d.type_text(&name, markup).expect("type markup");
    ui.click("#screen-submit");
    ui.wait("#screen-results h2", Some("<img src=x"));
    let injected = ui.js(
        "return {img: document.querySelectorAll('#screen-results img, #screen-results b').length, pwned: window.__pwned === 1}",
        vec![],
    );
    assert_eq!(injected, json!({"img": 0, "pwned": false}));

    // Transaction check: coal from the DPRK on 2017-10-02 → prohibited, Resolution 2371.
    ui.goto("/#/transaction");
    ui.wait("#tx-form", None);
    ui.set_value("#tx-date", "2017-10-02");
    ui.set_value("#tx-hs", "2701.12");
    ui.click("#tx-submit");
    ui.wait("#tx-decision", Some("PROHIBITED"));
    ui.wait("#tx-result", Some("Resolution 2371, para. 8"));
    // The findings' last column is "Verification" and shows how the cited
    // measure was checked: its verification kind when the regime gives one,
    // else verified / unverified.
    let headers = ui.js(
        "return [...document.querySelectorAll('#tx-findings th')].map((th) => th.textContent.trim())",
        vec![],
    );
    assert_eq!(
        headers,
        json!(["Effect", "Citation", "Why", "Verification"]),
        "findings columns"
    );
    let (_, timeline) = server.get("/regime/timeline", Some(&server.viewer));
    let coal = timeline["measures"]
        .as_array()
        .and_then(|ms| ms.iter().find(|m| m["id"] == "dprk/2371/8/coal"))
        .expect("coal measure in the regime");
    let kinds = [
        "verbatim",
        "council_citation",
        "implementing_act",
        "secondary",
    ];
    let expected = match coal["verification"].as_str() {
        Some(kind) if kinds.contains(&kind) => kind,
        _ if coal["verified"] == true => "verified",
        _ => "unverified",
    };
    let shown = ui.js(
        "return document.querySelector('tr.finding[data-rule=\"dprk/2371/8/coal\"] .verification').dataset.verification",
        vec![],
    );
    assert_eq!(shown, json!(expected), "verification of dprk/2371/8/coal");
    // The caps in force on that date with their usage (GET /caps).
    let cap = ui.wait(
        "#tx-caps-table tr.cap-row[data-measure=\"dprk/2375/14/refined-petroleum\"]",
        None,
    );
    let cap_text = d.text(&cap).expect("cap row text");
    assert!(
        cap_text.contains("500,000") && cap_text.contains("2017-10-01"),
        "{cap_text}"
    );
    ui.shot("2-transaction");
    if ui.shots.is_some() {
        ui.js(
            "document.querySelector('#tx-caps').scrollIntoView()",
            vec![],
        );
        ui.shot("2b-transaction-caps");
    }

    // Regime and lists pages render their data.
    ui.goto("/#/regime");
    ui.wait("#regime-chart svg rect.m", None);
    ui.wait("#regime-list", Some("measures in force on 2017-10-02"));
    ui.shot("3-regime");
    ui.goto("/#/lists");
    ui.wait("#lists-table", Some("un@2026-02-27"));
    ui.shot("4-lists");

    // Cases: close the Foreign Trade Bank case as a false positive.
    ui.goto("/#/cases");
    let case_row = ui.wait(
        ".case-row[data-kind=\"name\"][data-entity-ref=\"KPe.047\"]",
        None,
    );
    let case_id = ui.js(
        "return arguments[0].dataset.caseId",
        vec![json!({ELEMENT_KEY: case_row})],
    );
    d.click(&case_row).expect("open case");
    let note = ui.wait("#case-note", None);
    ui.click("#close-fp");
    ui.wait("#close-error", Some("Write a note"));
    d.type_text(
        &note,
        "Customer is a Myanmar trading firm; not the DPRK bank",
    )
    .expect("type note");
    ui.click("#close-fp");
    ui.wait("#case-detail", Some("false_positive"));
    ui.wait("#supp-table", Some("Customer is a Myanmar trading firm"));
    ui.shot("5-cases");

    // Audit: the decision is in the log and the chain verifies.
    ui.goto("/#/audit");
    let closed = ui.wait("tr.audit-row[data-kind=\"case.closed\"]", None);
    let closed_text = d.text(&closed).expect("text");
    assert!(
        closed_text.contains(&format!(
            "case #{} closed as false positive",
            case_id.as_str().unwrap_or("?")
        )),
        "{closed_text}"
    );
    ui.click("#audit-verify");
    ui.wait("#verify-ok", Some("Chain intact"));
    ui.shot("6-audit");

    // A payment to a party matching a DPRK bank: close its transaction case as a
    // false positive, check again, and the hit is shown as suppressed.
    let fill_payment = || {
        ui.js(
            "const set = (id, v) => { document.querySelector(id).value = v; };
             set('#tx-kind', 'payment'); set('#tx-date', '2018-03-01'); set('#tx-hs', ''); set('#tx-desc', '');
             set('#tx-origin', ''); set('#tx-from', ''); set('#tx-to', ''); set('#tx-qty', ''); set('#tx-value', '');
             set('#tx-parties', 'beneficiary: Korea Trading Bank');",
            vec![],
        );
    };
    ui.goto("/#/transaction");
    ui.wait("#tx-form", None);
    fill_payment();
    ui.click("#tx-submit");
    ui.wait("#tx-result .meta", Some("case #"));
    ui.goto("/#/cases");
    ui.wait(".case-row[data-kind=\"transaction\"]", None);
    let tx_case = ui.js(
        "const r = [...document.querySelectorAll('.case-row[data-kind=\"transaction\"]')].find((r) => r.textContent.includes('Korea Trading Bank')); return r ? r.dataset.caseId : null;",
        vec![],
    );
    let tx_case = tx_case
        .as_str()
        .expect("the payment's case is in the queue")
        .to_string();
    ui.click(&format!(".case-row[data-case-id=\"{tx_case}\"]"));
    let note = ui.wait("#case-note", None);
    d.type_text(
        &note,
        "A Seoul bank of that name; not the DPRK's Foreign Trade Bank",
    )
    .expect("type note");
    ui.click("#close-fp");
    ui.wait("#case-detail", Some("false_positive"));
    ui.goto("/#/transaction");
    ui.wait("#tx-form", None);
    fill_payment();
    ui.click("#tx-submit");
    ui.wait(
        "#tx-result tr.party-match.suppressed",
        Some("Cleared as false positive"),
    );
    ui.shot("5b-transaction-suppressed");

    assert_eq!(ui.csp_and_script_errors(), Vec::<String>::new());
    // The UI went through the same audited API: the store agrees.
    let report = server.state.store.verify_audit().expect("verify");
    assert!(report.ok && report.records >= 5, "{report:?}");
}

/// What decides whether the top bar fits, measured in the page.
const MEASURE_TOP_BAR: &str = "
    const de = document.documentElement;
    const out = document.querySelector('#logout').getBoundingClientRect();
    const links = [...document.querySelectorAll('#nav a')].map((a) => a.getBoundingClientRect());
    return {
      inner: innerWidth, client: de.clientWidth, scroll: de.scrollWidth,
      logout_left: out.left, logout_right: out.right, logout_width: out.width,
      nav_right: Math.max(...links.map((r) => r.right)),
      overlap: links.some((r) => r.right > out.left && r.top < out.bottom && r.bottom > out.top),
      bar_height: document.querySelector('.topbar').getBoundingClientRect().height,
    };";

/// Replace `fetch` for URLs starting with `prefix` by a canned answer.
const STUB_FETCH: &str = "
    const [prefix, status, body, type] = arguments;
    window.__realFetch = window.__realFetch || window.fetch;
    const real = window.__realFetch;
    window.fetch = (url, opts) => String(url).startsWith(prefix)
      ? Promise.resolve(new Response(body, {status, headers: {'Content-Type': type}}))
      : real(url, opts);";

#[test]
fn ui_layout_keys_csp_and_errors() {
    let Some(ui) = start() else { return };
    let server = &ui.server;

    // The document carries the CSP; modules, stylesheet and favicon their types.
    let (status, headers, body) =
        support::get_with_headers(server, "/", &["content-security-policy", "content-type"]);
    assert_eq!(status, 200);
    assert_eq!(headers[0].as_deref(), Some(CSP));
    assert!(body.contains(r#"<script type="module" src="/ui/js/main.js">"#));
    for (path, content_type) in [
        ("/ui/js/main.js", "text/javascript; charset=utf-8"),
        ("/ui/js/pages/impact.js", "text/javascript; charset=utf-8"),
        ("/ui/app.css", "text/css; charset=utf-8"),
        ("/ui/favicon.svg", "image/svg+xml"),
        ("/favicon.ico", "image/svg+xml"),
    ] {
        let (status, headers, body) = support::get_with_headers(server, path, &["content-type"]);
        assert_eq!(
            (status, headers[0].as_deref()),
            (200, Some(content_type)),
            "{path}"
        );
        assert!(!body.is_empty(), "{path}");
    }

    ui.sign_in(&server.admin, "admin");
    assert_eq!(
        ui.js(
            "return document.querySelector('link[rel=icon]').getAttribute('href')",
            vec![]
        ),
        json!("/ui/favicon.svg")
    );

    // The top bar fits with the log-out button in view and no horizontal
    // scroll on any page, from 1,024 px (where it was cut off below 1,434 px).
    for width in [1280, 1366, 1434, 1024] {
        ui.d.set_viewport(width, 900).expect("viewport");
        for page in PAGES {
            ui.open_page(page);
            let m = ui.js(MEASURE_TOP_BAR, vec![]);
            let f = |k: &str| m[k].as_f64().unwrap_or(f64::NAN);
            let at = format!("{page} at {width} px: {m}");
            assert_eq!(f("inner"), f64::from(width), "{at}");
            assert!(
                f("scroll") <= f("client") && f("client") <= f("inner"),
                "horizontal scroll: {at}"
            );
            assert!(
                f("logout_width") > 0.0 && f("logout_right") <= f("client"),
                "log-out out of view: {at}"
            );
            assert!(f("nav_right") <= f("client"), "a tab out of view: {at}");
            assert_eq!(m["overlap"], json!(false), "a tab under log-out: {at}");
            assert!(f("bar_height") <= 60.0, "top bar on two rows: {at}");
        }
        ui.goto("/#/screen");
        ui.wait("#screen-form", None);
        ui.shot(&format!("8-top-bar-{width}"));
    }
    ui.d.set_viewport(1280, 900).expect("viewport");

    // Keys: 3 opens the Regime page, / goes to its first field.
    ui.goto("/#/audit");
    ui.wait("#audit-log table", None);
    ui.js("document.activeElement.blur()", vec![]);
    ui.d.press_keys("3").expect("key 3");
    ui.wait_js(
        "return location.hash === '#/regime' && document.querySelector('#nav a[data-page=regime]').getAttribute('aria-current') === 'page'",
        vec![],
    );
    ui.wait("#regime-at", None);
    ui.d.press_keys("/").expect("key /");
    assert_eq!(
        ui.js("return document.activeElement.id", vec![]),
        json!("regime-at")
    );
    // The skip link is the first stop of Tab and moves the focus to the page, not the route.
    ui.goto("/ui#/audit"); // another URL: a fresh page load, the focus at the start
    ui.wait("#audit-log table", None);
    ui.d.press_keys("\u{E004}").expect("Tab");
    assert_eq!(
        ui.js("return document.activeElement.className", vec![]),
        json!("skip")
    );
    ui.d.press_keys("\u{E007}").expect("Enter");
    ui.wait_js("return document.activeElement.id === 'main'", vec![]);
    assert_eq!(ui.js("return location.hash", vec![]), json!("#/audit"));
    // Every field has a label.
    for page in PAGES {
        ui.open_page(page);
        let unlabelled = ui.js(
            "return [...document.querySelectorAll('main input, main select, main textarea')]
               .filter((e) => !e.labels.length && !e.getAttribute('aria-label')).map((e) => e.id)",
            vec![],
        );
        assert_eq!(unlabelled, json!([]), "{page}: fields without a label");
    }

    // Every page ran under the CSP without a violation or a script error...
    assert_eq!(ui.csp_and_script_errors(), Vec::<String>::new());
    // ...and the CSP is enforced: an inline style attribute is refused and reported.
    ui.js(
        "document.body.insertAdjacentHTML('beforeend', '<p id=\"csp-probe\" style=\"color: rgb(255, 0, 0)\">probe</p>')",
        vec![],
    );
    let colour = ui.js(
        "return getComputedStyle(document.querySelector('#csp-probe')).color",
        vec![],
    );
    assert_ne!(colour, json!("rgb(255, 0, 0)"), "inline style applied");
    let reported = ui.csp_and_script_errors();
    assert!(
        reported.len() == 1 && reported[0].contains("style-src"),
        "{reported:?}"
    );
    ui.js("document.querySelector('#csp-probe').remove()", vec![]);

    // The `html` template escapes every interpolation, nests, and refuses plain strings.
    let checks = ui
        .d
        .execute_async(
            "const done = arguments[arguments.length - 1];
             import('/ui/js/html.js').then(({html, raw, render}) => {
               let refused;
               try { render(document.createElement('div'), '<b>x</b>'); refused = 'no'; } catch (e) { refused = e.name; }
               done({
                 text: String(html`<p>${'<b onmouseover=\"x\">&\\'\"'}</p>`),
                 attribute: String(html`<a title=\"${'x\" onclick=\"y'}\">`),
                 nested: String(html`<ul>${['a<', 'b'].map((x) => html`<li>${x}</li>`)}</ul>`),
                 raw: String(html`<i>${raw('<b>ok</b>')}</i>`),
                 empty: String(html`[${null}${undefined}${false}${0}]`),
                 refused,
               });
             }).catch((e) => done({error: String(e)}));",
            vec![],
        )
        .expect("html module");
    assert_eq!(
        checks,
        json!({
            "text": "<p>&lt;b onmouseover=&quot;x&quot;&gt;&amp;&#39;&quot;</p>",
            "attribute": "<a title=\"x&quot; onclick=&quot;y\">",
            "nested": "<ul><li>a&lt;</li><li>b</li></ul>",
            "raw": "<i><b>ok</b></i>",
            "empty": "[0]",
            "refused": "TypeError",
        })
    );

    // 5xx answers: a plain sentence with the reference, never the server's text.
    ui.goto("/#/impact");
    ui.wait("#impact-table", None);
    let raw_db_error = json!({
        "error": {"code": "internal", "message": "store: database: UNIQUE constraint failed: audit_log.seq", "reference": "ERR-7F3A2C"},
        "detail": "store: database: UNIQUE constraint failed: audit_log.seq",
    });
    ui.js(
        STUB_FETCH,
        vec![
            json!("/impact"),
            json!(500),
            json!(raw_db_error.to_string()),
            json!("application/json"),
        ],
    );
    ui.click("#impact-form button[type=submit]");
    ui.wait(
        "#impact-result .error",
        Some("Something went wrong on the server; reference ERR-7F3A2C."),
    );
    let shown = ui.text("#impact-result");
    assert!(
        !shown.contains("UNIQUE") && !shown.contains("store:") && !shown.contains("(internal)"),
        "{shown}"
    );
    ui.shot("9-server-error");
    // Without a reference (and a body that is not JSON): the status, still no server text.
    ui.js(
        STUB_FETCH,
        vec![
            json!("/impact"),
            json!(500),
            json!("database disk image is malformed"),
            json!("text/plain"),
        ],
    );
    ui.click("#impact-form button[type=submit]");
    ui.wait(
        "#impact-result .error",
        Some("Something went wrong on the server (HTTP 500)"),
    );
    assert!(!ui.text("#impact-result").contains("malformed"));
    // A 503 reads as "cannot answer right now", with its reference.
    let unavailable = json!({"error": {"code": "not_ready", "message": "reports: /var/lib/resolute/reports.csv: Is a directory (os error 21)", "reference": "ERR-0B1C"}});
    ui.js(
        STUB_FETCH,
        vec![
            json!("/reports"),
            json!(503),
            json!(unavailable.to_string()),
            json!("application/json"),
        ],
    );
    ui.click("#status-form button[type=submit]");
    ui.wait(
        "#status-result .error",
        Some("The server cannot answer this right now"),
    );
    let shown = ui.text("#status-result");
    assert!(
        shown.contains("reference ERR-0B1C") && !shown.contains("reports.csv"),
        "{shown}"
    );
    // A 4xx keeps the server's message and code: it is about the request, meant for the user.
    let refused =
        json!({"error": {"code": "invalid_parameter", "message": "year 1990 has no trade flows"}});
    ui.js(
        STUB_FETCH,
        vec![
            json!("/impact"),
            json!(400),
            json!(refused.to_string()),
            json!("application/json"),
        ],
    );
    ui.click("#impact-form button[type=submit]");
    ui.wait(
        "#impact-result .error",
        Some("year 1990 has no trade flows (invalid_parameter)"),
    );
    ui.js("window.fetch = window.__realFetch", vec![]);

    // Log out works at 1,280 px (the button is clickable, not just in view).
    ui.click("#logout");
    ui.wait_js("return !document.querySelector('#login').hidden", vec![]);
}

#[test]
fn ui_dates_filters_lists_and_impact() {
    let Some(ui) = start() else { return };
    let (server, d) = (&ui.server, &ui.d);
    ui.sign_in(&server.screener, "screener");

    // ISO dates: no locale date widget anywhere, and what is typed is read as YYYY-MM-DD.
    for page in PAGES {
        ui.open_page(page);
        let fields = ui.js(
            "return {widgets: document.querySelectorAll('input[type=date], input[type=datetime-local]').length,
                     iso: [...document.querySelectorAll('input.date')].map((e) => [e.id, e.type, e.pattern, e.placeholder, e.value])}",
            vec![],
        );
        assert_eq!(fields["widgets"], json!(0), "{page}: {fields}");
        for f in fields["iso"].as_array().into_iter().flatten() {
            assert_eq!(f[1], "text", "{page}: {f}");
            assert_eq!(f[2], "[0-9]{4}-[0-9]{2}-[0-9]{2}", "{page}: {f}");
            assert_eq!(f[3], "YYYY-MM-DD", "{page}: {f}");
            let value = f[4].as_str().unwrap_or("");
            assert!(
                value.is_empty() || (value.len() == 10 && value.as_bytes()[4] == b'-'),
                "{page}: {f}"
            );
        }
    }
    ui.goto("/#/regime");
    ui.wait("#regime-list table", None);
    assert_eq!(
        ui.js("return document.querySelector('#regime-at').value", vec![]),
        json!("2017-10-02")
    );
    let at = d.find("#regime-at").expect("date field");
    d.clear(&at).expect("clear");
    d.type_text(&at, "20170805").expect("type");
    assert_eq!(
        ui.js("return document.querySelector('#regime-at').value", vec![]),
        json!("2017-08-05")
    );
    ui.click("#regime-form button[type=submit]");
    ui.wait("#regime-list h2", Some("measures in force on 2017-08-05"));
    d.clear(&at).expect("clear");
    d.type_text(&at, "2017-02-30").expect("type");
    ui.click("#regime-form button[type=submit]");
    ui.wait(
        "#regime-list .error",
        Some("“2017-02-30” is not a date; write it as YYYY-MM-DD"),
    );
    assert_eq!(
        ui.js(
            "return document.querySelector('#regime-at').getAttribute('aria-invalid')",
            vec![]
        ),
        json!("true")
    );
    d.clear(&at).expect("clear");
    d.type_text(&at, "2017-10-02").expect("type");
    ui.click("#regime-form button[type=submit]");
    ui.wait("#regime-list h2", Some("measures in force on 2017-10-02"));

    // Regime filters: kind, then resolution and words, against the API's measures.
    let (_, regime) = server.get("/regime?at=2017-10-02", Some(&server.viewer));
    let measures = regime["measures"].as_array().expect("measures");
    let export_bans = measures
        .iter()
        .filter(|m| m["kind"] == "export_ban")
        .count();
    assert!(export_bans > 1 && export_bans < measures.len());
    ui.set_value("#regime-filter-kind", "export_ban");
    let shown = ui.visible("#regime-list tr.measure-row", "kind");
    assert_eq!(shown.len(), export_bans);
    assert!(shown.iter().all(|k| k == "export_ban"), "{shown:?}");
    assert_eq!(
        ui.text("#regime-filter-count"),
        format!("{export_bans} of {} shown", measures.len())
    );
    ui.set_value("#regime-filter-resolution", "2371");
    ui.set_value("#regime-filter-text", "coal");
    let ids = ui.visible("#regime-list tr.measure-row", "id");
    assert_eq!(ids, vec!["dprk/2371/8/coal".to_string()]);
    ui.js(
        "document.querySelector('#regime-filter').scrollIntoView()",
        vec![],
    );
    ui.shot("10-regime-filter");
    ui.set_value("#regime-filter-kind", "");
    ui.set_value("#regime-filter-resolution", "");
    ui.set_value("#regime-filter-text", "");
    assert_eq!(
        ui.visible("#regime-list tr.measure-row", "id").len(),
        measures.len()
    );

    // Lists: the compare picker starts on two different versions.
    ui.goto("/#/lists");
    ui.wait("#lists-table table", None);
    let pair = ui.js(
        "return [document.querySelector('#diff-from').value, document.querySelector('#diff-to').value]",
        vec![],
    );
    assert!(
        pair[0] != pair[1] && pair[0] != "" && pair[1] != "",
        "{pair}"
    );
    // With two versions of a list, what the last upload changed (same list).
    let picks = d
        .execute_async(
            "const done = arguments[arguments.length - 1];
             import('/ui/js/pages/lists.js').then(({defaultPair}) => done([
               defaultPair([
                 {id: 'ofac-sdn@2024-05-03', source: 'ofac-sdn', active: true, loaded_at: '2026-01-01T00:00:00Z'},
                 {id: 'un@2018-10-29', source: 'un', active: false, loaded_at: '2026-01-01T00:00:00Z'},
                 {id: 'un@2026-02-27', source: 'un', active: true, loaded_at: '2026-02-01T00:00:00Z'},
               ]),
               defaultPair([
                 {id: 'un@2026-02-27', source: 'un', active: true, loaded_at: '2026-01-01T00:00:00Z'},
                 {id: 'ofac-sdn@2024-05-03', source: 'ofac-sdn', active: true, loaded_at: '2026-01-01T00:00:00Z'},
               ]),
             ])).catch((e) => done(String(e)));",
            vec![],
        )
        .expect("lists module");
    assert_eq!(
        picks,
        json!([
            ["un@2018-10-29", "un@2026-02-27"],
            ["ofac-sdn@2024-05-03", "un@2026-02-27"]
        ])
    );
    // Here each list has one version: the server diffs two versions of one list
    // only, so the button waits for a second version and says why.
    assert_eq!(
        ui.js(
            "return document.querySelector('#diff-submit').disabled",
            vec![]
        ),
        json!(true)
    );
    assert!(ui.text("#diff-hint").contains("upload a new version"));

    // Entries: browse (or the hint when the server needs a search term), then search and open one.
    ui.wait_js(
        "return document.querySelector('#entries-table tr.entry-row, #entries-hint')",
        vec![],
    );
    ui.set_value("#entries-dataset", "un_sc_sanctions");
    ui.set_value("#entries-q", "Foreign Trade Bank");
    ui.click("#entries-submit");
    let row = ui.wait("#entries-table tr.entry-row[data-ref=\"KPe.047\"]", None);
    let id = ui.js(
        "return arguments[0].dataset.id",
        vec![json!({ELEMENT_KEY: row})],
    );
    d.click(&row).expect("open entry");
    let (_, entity) = server.get(
        &format!("/entities/{}", id.as_str().expect("id")),
        Some(&server.viewer),
    );
    let caption = entity["caption"].as_str().expect("caption");
    ui.wait("#entry-caption", Some(caption));
    let detail = ui.text("#entry-detail");
    assert!(
        detail.contains("KPe.047") && detail.contains("Names") && detail.contains("Properties"),
        "{detail}"
    );
    let names = entity["names"].as_array().map_or(0, Vec::len);
    assert_eq!(
        ui.js(
            "return document.querySelectorAll('#entry-detail .entry-names tbody tr').length",
            vec![]
        ),
        json!(names)
    );
    ui.shot("11-lists-entry");
    // Paging: the next page, or (a server that ignores offset) a plain note and no repeated page.
    ui.set_value("#entries-dataset", "default");
    ui.set_value("#entries-q", "korea");
    ui.click("#entries-submit");
    ui.wait("#entries-range", Some("Entries 1–10"));
    let first_page = ui.visible("#entries-table tr.entry-row", "id");
    assert_eq!(first_page.len(), 10);
    ui.click("#entries-next");
    let range = ui.wait_js(
        "const t = document.querySelector('#entries-range').textContent; return t.includes('Loading') ? '' : t;",
        vec![],
    );
    let range = range.as_str().unwrap_or("");
    let now = ui.visible("#entries-table tr.entry-row", "id");
    if range.starts_with("Entries 11–") {
        assert!(now.iter().all(|id| !first_page.contains(id)), "{now:?}");
    } else {
        assert!(range.contains("only the first page"), "unexpected: {range}");
        assert_eq!(now, first_page);
        assert_eq!(
            ui.js(
                "return document.querySelector('#entries-next').disabled",
                vec![]
            ),
            json!(true)
        );
    }

    // Impact: the chart and the table are the same numbers (the value removed
    // by each resolution on the date, from the report's timeline).
    ui.goto("/#/impact");
    ui.wait("#impact-table", None);
    let (_, impact) = server.get("/impact?at=2017-08-05&year=2016", Some(&server.viewer));
    let report = &impact["report"];
    let last = report["timeline"]
        .as_array()
        .and_then(|t| t.last())
        .expect("timeline");
    assert_eq!(last["date"], "2017-08-05");
    let removed = last["removed_by_resolution"].as_object().expect("removed");
    // The case of the issue: 2321's caps removed ~US$ 800m that its "newly cut" (bans only) does not show.
    let r2321 = report["by_resolution"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["resolution"] == 2321))
        .expect("2321");
    assert!(r2321["newly_cut_usd"].as_f64() < Some(1.0), "{r2321}");
    assert!(
        removed["2321"].as_f64().unwrap_or(0.0) > 700e6,
        "{removed:?}"
    );
    let bars = ui.js(
        "return [...document.querySelectorAll('#impact-chart rect.band[data-date=\"2017-08-05\"]')]
           .map((r) => [r.dataset.band, Number(r.dataset.usd), r.getBBox().height])",
        vec![],
    );
    let bars = bars.as_array().expect("bars");
    let mut px_per_usd: Option<f64> = None;
    for (resolution, value) in removed {
        let value = value.as_f64().expect("value");
        let row =
            format!("#impact-table tr.impact-res[data-resolution=\"{resolution}\"] td.removed");
        assert_eq!(ui.text(&row), usd(value), "table, resolution {resolution}");
        let bar = bars
            .iter()
            .find(|b| b[0] == resolution.as_str())
            .unwrap_or_else(|| panic!("no band for {resolution} on the date: {bars:?}"));
        assert!(
            (bar[1].as_f64().unwrap_or(0.0) - value).abs() < 1.0,
            "chart {bar} vs {value}"
        );
        // Same scale for every band: height per dollar agrees within 1 %.
        let scale = bar[2].as_f64().unwrap_or(0.0) / value;
        let first = *px_per_usd.get_or_insert(scale);
        assert!((scale / first - 1.0).abs() < 0.01, "{bars:?}");
    }
    // Resolutions that removed nothing show zero and have no band.
    for r in report["by_resolution"].as_array().into_iter().flatten() {
        let key = r["resolution"].to_string();
        if !removed.contains_key(&key) {
            let row = format!("#impact-table tr.impact-res[data-resolution=\"{key}\"] td.removed");
            assert_eq!(ui.text(&row), "US$ 0.0m");
            assert!(bars.iter().all(|b| b[0] != key.as_str()));
        }
    }
    // The date axis: one label per month, none skipped.
    let months = ui.js(
        "return [...document.querySelectorAll('#impact-chart text.month')].map((t) => t.dataset.month)",
        vec![],
    );
    let months: Vec<String> = serde_json::from_value(months).expect("months");
    let index = |m: &str| -> i32 {
        let (y, mo) = m.split_once('-').expect("YYYY-MM");
        y.parse::<i32>().expect("year") * 12 + mo.parse::<i32>().expect("month")
    };
    assert!(
        months.windows(2).all(|w| index(&w[1]) - index(&w[0]) == 1),
        "{months:?}"
    );
    assert!(
        months.first().is_some_and(|m| m.as_str() <= "2016-11")
            && months.last().is_some_and(|m| m.as_str() >= "2017-08"),
        "{months:?}"
    );
    ui.shot("7-impact");
    // Impact filters: kind and resolution on the measures table.
    let impact_measures: Vec<&Value> = report["by_resolution"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["measures"].as_array().into_iter().flatten())
        .collect();
    ui.set_value("#impact-filter-kind", "cap");
    let caps = ui.visible("#impact-measures tr.impact-measure", "kind");
    assert_eq!(
        caps.len(),
        impact_measures
            .iter()
            .filter(|m| m["kind"] == "cap")
            .count()
    );
    assert!(!caps.is_empty() && caps.iter().all(|k| k == "cap"));
    ui.set_value("#impact-filter-kind", "");
    ui.set_value("#impact-filter-resolution", "2371");
    let in_2371 = ui.visible("#impact-measures tr.impact-measure", "resolution");
    let expected_2371 = report["by_resolution"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["resolution"] == 2371))
        .and_then(|r| r["measures"].as_array())
        .map_or(0, Vec::len);
    assert_eq!(in_2371.len(), expected_2371);
    assert!(in_2371.iter().all(|r| r == "2371"));

    // Reporting: nothing imported reads "no reports recorded", not "193 overdue".
    ui.wait("#status-none", Some("No member-state reports recorded"));
    let status_text = ui.text("#status-result");
    assert!(!status_text.contains("overdue"), "{status_text}");
    ui.js(
        "document.querySelector('#status-form').scrollIntoView()",
        vec![],
    );
    ui.shot("12-reporting-none");
    let (code, added) = server.post(
        "/reports",
        Some(&server.screener),
        &json!({"state": "CHN", "resolutions": [2371], "submitted": "2017-10-30", "symbol": "S/AC.49/2017/TEST"}),
    );
    assert_eq!(code, 200, "{added}");
    let (_, status) = server.get("/reports/status?resolution=2371", Some(&server.viewer));
    let summary = status["status"][0]["summary"].as_str().expect("summary");
    ui.click("#status-form button[type=submit]");
    ui.wait("#status-result h2", Some(summary));
    ui.set_value("#status-filter-status", "reported");
    assert_eq!(
        ui.visible("#status-table tr.state-row", "status"),
        vec!["reported"]
    );
    assert!(ui.text("#status-table").contains("CHN"));
    ui.set_value("#status-filter-status", "overdue");
    let overdue = ui.visible("#status-table tr.state-row", "status");
    assert_eq!(
        overdue.len() as u64,
        status["status"][0]["overdue"].as_u64().expect("overdue")
    );
    ui.shot("13-reporting");

    assert_eq!(ui.csp_and_script_errors(), Vec::<String>::new());
}
