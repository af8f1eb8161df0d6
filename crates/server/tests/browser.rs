//! The web UI in a real headless Chromium (Debian's chromium + chromedriver):
//! log in with a key, screen a name, check a coal declaration (and see the cap
//! usage table), close a case as a false positive, clear a payment's party hit
//! the same way, find it in the audit log and verify the chain.
//!
//! Without chromium this test fails when RESOLUTE_REQUIRE_BROWSER=1 (CI) and
//! is skipped with a loud message otherwise. Set RESOLUTE_SCREENSHOTS=DIR to
//! keep a PNG of each page.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;
use support::TestServer;
use support::webdriver::{Driver, find_browser};

const WAIT: Duration = Duration::from_secs(30);

#[test]
fn ui_screen_transaction_case_audit() {
    let Some((chromium, chromedriver)) = find_browser() else {
        let msg = "chromium/chromedriver not found: run scripts/install-browser.sh";
        if std::env::var("RESOLUTE_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("{msg} (RESOLUTE_REQUIRE_BROWSER=1)");
        }
        eprintln!("\n!!!!! SKIPPED browser test: {msg} !!!!!\n");
        return;
    };
    let shots: Option<PathBuf> = std::env::var_os("RESOLUTE_SCREENSHOTS").map(PathBuf::from);
    if let Some(dir) = &shots {
        std::fs::create_dir_all(dir).expect("screenshot dir");
    }
    let shot = |d: &Driver, name: &str| {
        if let Some(dir) = &shots {
            d.screenshot(&dir.join(format!("{name}.png")))
                .expect("screenshot");
        }
    };

    let server = TestServer::start();
    let d = Driver::start(&chromium, &chromedriver).expect("start chromedriver");

    // Log in with a screener key.
    d.goto(&server.url("/#/screen")).expect("open UI");
    let key_input = d.wait_for("#login-key", None, WAIT).expect("login form");
    d.type_text(
        &key_input,
        "rsk_00000000_000000000000000000000000000000000000000000000000",
    )
    .expect("type");
    d.click(&d.find("#login-submit").expect("submit"))
        .expect("click");
    d.wait_for("#login-error", Some("Unknown or revoked key"), WAIT)
        .expect("bad key refused");
    d.clear(&key_input).expect("clear");
    d.type_text(&key_input, &server.screener).expect("type key");
    d.click(&d.find("#login-submit").expect("submit"))
        .expect("click");
    d.wait_for("#who", Some("screener"), WAIT)
        .expect("signed in");

    // Screen "Foreign Trade Bank": KPe.047 with its explanation.
    let name = d.wait_for("#screen-name", None, WAIT).expect("screen form");
    d.type_text(&name, "Foreign Trade Bank").expect("type name");
    d.click(&d.find("#screen-submit").expect("submit"))
        .expect("screen");
    let row = d
        .wait_for("tr.result[data-ref=\"KPe.047\"]", None, WAIT)
        .expect("KPe.047 in results");
    let row_text = d.text(&row).expect("row text");
    assert!(row_text.contains("FOREIGN TRADE BANK"), "{row_text}");
    assert!(row_text.contains("match"), "{row_text}");
    let explanation = d
        .wait_for(
            "tr.result[data-ref=\"KPe.047\"] pre.explanation",
            Some("FOREIGN TRADE BANK"),
            WAIT,
        )
        .expect("explanation");
    let explanation = d.text(&explanation).expect("explanation text");
    assert!(
        explanation.contains("query name \"Foreign Trade Bank\""),
        "{explanation}"
    );
    d.wait_for("#screen-results .meta", Some("case #"), WAIT)
        .expect("case opened");
    shot(&d, "1-screen");

    // Transaction check: coal from the DPRK on 2017-10-02 → prohibited, Resolution 2371.
    d.goto(&server.url("/#/transaction")).expect("nav");
    d.wait_for("#tx-form", None, WAIT).expect("tx form");
    d.execute(
        "document.querySelector('#tx-date').value = arguments[0]; document.querySelector('#tx-hs').value = arguments[1];",
        vec![json!("2017-10-02"), json!("2701.12")],
    )
    .expect("set fields");
    d.click(&d.find("#tx-submit").expect("submit"))
        .expect("check");
    d.wait_for("#tx-decision", Some("PROHIBITED"), WAIT)
        .expect("prohibited");
    d.wait_for("#tx-result", Some("Resolution 2371, para. 8"), WAIT)
        .expect("2371 citation");
    // The caps in force on that date with their usage (GET /caps).
    let cap = d
        .wait_for(
            "#tx-caps-table tr.cap-row[data-measure=\"dprk/2375/14/refined-petroleum\"]",
            None,
            WAIT,
        )
        .expect("cap usage table");
    let cap_text = d.text(&cap).expect("cap row text");
    assert!(
        cap_text.contains("500,000") && cap_text.contains("2017-10-01"),
        "{cap_text}"
    );
    shot(&d, "2-transaction");
    if shots.is_some() {
        d.execute(
            "document.querySelector('#tx-caps').scrollIntoView()",
            vec![],
        )
        .expect("scroll");
        shot(&d, "2b-transaction-caps");
    }

    // Regime and lists pages render their data.
    d.goto(&server.url("/#/regime")).expect("nav");
    d.wait_for("#regime-chart svg rect.m", None, WAIT)
        .expect("timeline drawn");
    d.wait_for(
        "#regime-list",
        Some("measures in force on 2017-10-02"),
        WAIT,
    )
    .expect("measures");
    shot(&d, "3-regime");
    d.goto(&server.url("/#/lists")).expect("nav");
    d.wait_for("#lists-table", Some("un@2026-02-27"), WAIT)
        .expect("versions");
    shot(&d, "4-lists");

    // Cases: close the Foreign Trade Bank case as a false positive.
    d.goto(&server.url("/#/cases")).expect("nav");
    let case_row = d
        .wait_for(
            ".case-row[data-kind=\"name\"][data-entity-ref=\"KPe.047\"]",
            None,
            WAIT,
        )
        .expect("FTB case in queue");
    let case_id = d
        .execute(
            "return arguments[0].dataset.caseId",
            vec![json!({"element-6066-11e4-a52e-4f735466cecf": case_row})],
        )
        .expect("case id");
    d.click(&case_row).expect("open case");
    let note = d.wait_for("#case-note", None, WAIT).expect("note field");
    d.click(&d.find("#close-fp").expect("fp button"))
        .expect("close without note");
    d.wait_for("#close-error", Some("Write a note"), WAIT)
        .expect("note required");
    d.type_text(
        &note,
        "Customer is a Myanmar trading firm; not the DPRK bank",
    )
    .expect("type note");
    d.click(&d.find("#close-fp").expect("fp button"))
        .expect("close");
    d.wait_for("#case-detail", Some("false_positive"), WAIT)
        .expect("closed as false positive");
    d.wait_for(
        "#supp-table",
        Some("Customer is a Myanmar trading firm"),
        WAIT,
    )
    .expect("suppression listed");
    shot(&d, "5-cases");

    // Audit: the decision is in the log and the chain verifies.
    d.goto(&server.url("/#/audit")).expect("nav");
    let closed = d
        .wait_for("tr.audit-row[data-kind=\"case.closed\"]", None, WAIT)
        .expect("case.closed record");
    let closed_text = d.text(&closed).expect("text");
    assert!(
        closed_text.contains(&format!(
            "case #{} closed as false positive",
            case_id.as_str().unwrap_or("?")
        )),
        "{closed_text}"
    );
    d.click(&d.find("#audit-verify").expect("verify button"))
        .expect("verify");
    d.wait_for("#verify-ok", Some("Chain intact"), WAIT)
        .expect("chain verifies");
    shot(&d, "6-audit");

    // A payment to a party matching a DPRK bank: close its transaction case as a
    // false positive, check again, and the hit is shown as suppressed.
    let fill_payment = || {
        d.execute(
            "const set = (id, v) => { document.querySelector(id).value = v; };
             set('#tx-kind', 'payment'); set('#tx-date', '2018-03-01'); set('#tx-hs', ''); set('#tx-desc', '');
             set('#tx-origin', ''); set('#tx-from', ''); set('#tx-to', ''); set('#tx-qty', ''); set('#tx-value', '');
             set('#tx-parties', 'beneficiary: Korea Trading Bank');",
            vec![],
        )
        .expect("fill payment");
    };
    d.goto(&server.url("/#/transaction")).expect("nav");
    d.wait_for("#tx-form", None, WAIT).expect("tx form");
    fill_payment();
    d.click(&d.find("#tx-submit").expect("submit"))
        .expect("check payment");
    d.wait_for("#tx-result .meta", Some("case #"), WAIT)
        .expect("transaction case opened");
    d.goto(&server.url("/#/cases")).expect("nav");
    d.wait_for(".case-row[data-kind=\"transaction\"]", None, WAIT)
        .expect("transaction cases listed");
    let tx_case = d
        .execute(
            "const r = [...document.querySelectorAll('.case-row[data-kind=\"transaction\"]')].find((r) => r.textContent.includes('Korea Trading Bank')); return r ? r.dataset.caseId : null;",
            vec![],
        )
        .expect("find case");
    let tx_case = tx_case
        .as_str()
        .expect("the payment's case is in the queue")
        .to_string();
    d.click(
        &d.find(&format!(".case-row[data-case-id=\"{tx_case}\"]"))
            .expect("case row"),
    )
    .expect("open case");
    let note = d.wait_for("#case-note", None, WAIT).expect("note field");
    d.type_text(
        &note,
        "A Seoul bank of that name; not the DPRK's Foreign Trade Bank",
    )
    .expect("type note");
    d.click(&d.find("#close-fp").expect("fp button"))
        .expect("close");
    d.wait_for("#case-detail", Some("false_positive"), WAIT)
        .expect("closed as false positive");
    d.goto(&server.url("/#/transaction")).expect("nav");
    d.wait_for("#tx-form", None, WAIT).expect("tx form");
    fill_payment();
    d.click(&d.find("#tx-submit").expect("submit"))
        .expect("check again");
    d.wait_for(
        "#tx-result tr.party-match.suppressed",
        Some("Cleared as false positive"),
        WAIT,
    )
    .expect("suppressed hit shown");
    shot(&d, "5b-transaction-suppressed");

    // Impact & reporting: 2371's newly cut revenue with its chart, and the reporting world table.
    d.goto(&server.url("/#/impact")).expect("nav");
    d.wait_for("#impact-result", Some("Resolution 2371"), WAIT)
        .expect("impact by resolution");
    d.wait_for("#impact-chart svg", None, WAIT)
        .expect("impact chart drawn");
    d.wait_for("#status-result", Some("of 193 member states"), WAIT)
        .expect("reporting status");
    shot(&d, "7-impact");

    // The UI went through the same audited API: the store agrees.
    let report = server.state.store.verify_audit().expect("verify");
    assert!(report.ok && report.records >= 5, "{report:?}");
}
