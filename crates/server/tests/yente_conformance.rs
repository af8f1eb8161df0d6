//! Resolute as a drop-in for yente clients, judged by yente 5.5.0's own code.
//!
//! Every answer is checked against yente's pydantic response models,
//! transcribed in `support/yente.rs` (`assert_model`). The request cases are
//! ported, one test per case, from:
//! - yente's tests (`tests/unit/test_match.py`, `test_search.py`,
//!   `test_entity.py`, `test_base.py`, `tests/test_app.py`,
//!   `tests/unit/test_reconcile.py`; yente is MIT): test names start with
//!   `yente_<file>_`; yente's fixtures (Putin, `Q7747`, `eu_fsf`) are
//!   replaced by the entries of the bundled UN and OFAC lists that play the
//!   same part;
//! - the calls Marble's screening client makes to a self-hosted yente
//!   (`checkmarble/marble-backend`, `repositories/screening/*.go`): `marble_`;
//! - the calls of OpenSanctions' `yente-client` SDK 0.2.0 (`client.py`,
//!   `_translation.py`, `_http.py`) and its response models (`models.py`): `sdk_`;
//! - the points of issue #18 that go beyond yente's tests: `issue_`.
//!
//! Where Resolute answers differently from yente on purpose, the test says so
//! (`deviation:`).

mod support;

use std::sync::OnceLock;

use serde_json::{Value, json};
use support::yente::{self as model, assert_model};
use support::{Reply, TestServer, call};

fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(TestServer::start)
}

/// Bundled entries that play the parts of yente's fixtures.
const KIM_JONG_UN: &str = "ofac-sdn-20157";
const FTB_UN: &str = "un-kpe.047";
const KKBC_UN: &str = "un-kpe.025";
const KKBC_OFAC: &str = "ofac-sdn-11581";
const CHON_MA_SAN: &str = "ofac-sdn-23729";

fn bearer(key: &str) -> String {
    format!("Bearer {key}")
}

/// POST a JSON body to `/match/...` as the screener.
fn post_match(path: &str, body: &Value) -> Reply {
    let s = server();
    let auth = bearer(&s.screener);
    let bytes = body.to_string();
    call(
        s,
        "POST",
        path,
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        Some(bytes.as_bytes()),
    )
}

fn get(path: &str) -> Reply {
    let s = server();
    let auth = bearer(&s.viewer);
    call(s, "GET", path, &[("Authorization", &auth)], None)
}

fn ids(results: &Value) -> Vec<String> {
    results
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["id"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn ok_match(r: &Reply) -> &Value {
    assert_eq!(r.status, 200, "{}", r.text);
    assert_model("EntityMatchResponse", &r.json, model::entity_match_response);
    &r.json
}

fn ok_search(r: &Reply) -> &Value {
    assert_eq!(r.status, 200, "{}", r.text);
    assert_model("SearchResponse", &r.json, model::search_response);
    &r.json
}

fn error_with_detail(r: &Reply, status: u16) {
    assert_eq!(r.status, status, "{}", r.text);
    if status == 422 {
        assert_model("HTTPValidationError", &r.json, model::validation_error);
    } else {
        assert_model("ErrorResponse", &r.json, model::error_response);
    }
}

/// yente's `EXAMPLE` (Putin, born 1952, country "Russia"), played by Kim Jong Un.
fn kim() -> Value {
    json!({"schema": "Person", "properties": {"name": ["Kim Jong Un"], "birthDate": ["1984"], "country": "North Korea"}})
}

// ------------------------------------------------------------------ test_match.py

#[test]
fn yente_test_match_putin() {
    let r = post_match(
        "/match/default",
        &json!({"queries": {"vv": kim(), "xx": kim(), "zz": kim()}}),
    );
    let v = ok_match(&r);
    let res = &v["responses"]["vv"];
    assert_eq!(res["query"]["schema"], "Person");
    // The query comes back cleaned: the country name is a code.
    assert_eq!(res["query"]["properties"]["country"][0], "kp", "{res}");
    assert!(res["total"]["value"].as_u64().unwrap_or(0) > 0, "{res}");
    assert_eq!(res["results"][0]["id"], KIM_JONG_UN, "{res}");
    assert_eq!(r.header("x-batch-size"), Some("3"));
}

#[test]
fn yente_test_match_putin_name_based_mode() {
    let q = json!({"queries": {"vv": kim()}});
    error_with_detail(&post_match("/match/default?algorithm=neural-net", &q), 400);
    let r = post_match("/match/default?algorithm=name-based", &q);
    let res = &ok_match(&r)["responses"]["vv"];
    assert_eq!(res["results"][0]["id"], KIM_JONG_UN);
    assert!(res["results"][0]["score"].as_f64().unwrap_or(0.0) > 0.7);
    // yente reads algorithm names in any case.
    assert_eq!(
        post_match("/match/default?algorithm=LOGIC-V2", &q).status,
        200
    );
}

#[test]
fn yente_test_match_no_schema() {
    let missing = json!({"queries": {"fail": {"properties": {"name": "Banana"}}}});
    let r = post_match("/match/default", &missing);
    error_with_detail(&r, 422);
    assert_eq!(
        r.json["detail"][0]["loc"],
        json!(["body", "queries", "fail", "schema"])
    );
    assert_eq!(r.json["detail"][0]["type"], "missing");
    let unknown = json!({"queries": {"fail": {"schema": "xxx", "properties": {"name": "Banana"}}}});
    let r = post_match("/match/default", &unknown);
    error_with_detail(&r, 400);
    assert_eq!(
        r.json["detail"],
        "Cannot parse example entity: Unknown schema: 'xxx'"
    );
}

/// yente's `MANY_NAMES` (Rotenberg in seven spellings), played by the
/// Korea Kwangson Banking Corporation's names on both lists.
fn many_names() -> Value {
    json!({"schema": "Organization", "properties": {"name": [
        "KOREA KWANGSON BANKING CORPORATION (KKBC)", "KOREA KWANGSON BANKING CORP",
        "Korea Kwangson Banking Corporation", "KKBC", "Kwangson Banking Corporation",
    ]}})
}

#[test]
fn yente_test_match_many_names_logic_v1() {
    let q = json!({"queries": {"q": many_names()}});
    let r = post_match("/match/default?algorithm=logic-v1", &q);
    let n = ok_match(&r)["responses"]["q"]["results"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    assert!(n > 0);
    // `fuzzy` is no /match parameter: yente ignores it, Resolute too, and says so.
    let r2 = post_match("/match/default?fuzzy=false&algorithm=logic-v1", &q);
    assert_eq!(
        ok_match(&r2)["responses"]["q"]["results"]
            .as_array()
            .map(Vec::len),
        Some(n)
    );
    assert_eq!(r2.header("x-ignored-parameters"), Some("fuzzy"));
}

#[test]
fn yente_test_match_many_names() {
    let q = json!({"queries": {"q": many_names()}});
    let r = post_match("/match/default?algorithm=best", &q);
    let found = ids(&ok_match(&r)["responses"]["q"]["results"]);
    assert!(
        found.contains(&KKBC_UN.to_string()) && found.contains(&KKBC_OFAC.to_string()),
        "{found:?}"
    );
}

#[test]
fn yente_test_match_exclude_dataset() {
    let q = json!({"queries": {"vv": kim()}});
    let r = post_match(
        "/match/default?algorithm=name-based&exclude_dataset=us_ofac_sdn",
        &q,
    );
    assert_eq!(ok_match(&r)["responses"]["vv"]["results"], json!([]));
}

#[test]
fn yente_test_match_include_dataset() {
    let q = json!({"queries": {"vv": kim()}});
    // Datasets that do not have him.
    let r = post_match(
        "/match/default?algorithm=name-based&include_dataset=un_sc_sanctions&include_dataset=eu_fsf",
        &q,
    );
    assert_eq!(ok_match(&r)["responses"]["vv"]["results"], json!([]));
    // One that does.
    let r = post_match(
        "/match/default?algorithm=name-based&include_dataset=us_ofac_sdn&include_dataset=un_sc_sanctions",
        &q,
    );
    assert_eq!(
        ok_match(&r)["responses"]["vv"]["results"][0]["id"],
        KIM_JONG_UN
    );
    // Included, then excluded.
    let r = post_match(
        "/match/default?algorithm=name-based&include_dataset=us_ofac_sdn&include_dataset=un_sc_sanctions&exclude_dataset=us_ofac_sdn",
        &q,
    );
    assert!(!ids(&ok_match(&r)["responses"]["vv"]["results"]).contains(&KIM_JONG_UN.to_string()));
}

#[test]
fn yente_test_match_logic_v2_with_algorithm_config() {
    // deviation: yente passes `nm_number_mismatch` to nomenklatura's LogicV2;
    // Resolute's matcher has no options (its /algorithms `config` is empty),
    // so every option gets yente's answer for an option the algorithm lacks.
    let q = json!({"queries": {"vv": kim()}, "config": {"invalid_option": 0.4}});
    let r = post_match("/match/default?algorithm=logic-v2", &q);
    error_with_detail(&r, 400);
    assert_eq!(
        r.json["detail"],
        "Invalid configuration parameter: invalid_option for algorithm logic-v2"
    );
    let q = json!({"queries": {"vv": kim()}, "config": {"nm_number_mismatch": 0.4}});
    error_with_detail(&post_match("/match/default?algorithm=logic-v2", &q), 400);
    // Empty `weights` and `config` (what the SDK sends) are fine.
    let q = json!({"queries": {"vv": kim()}, "weights": {}, "config": {}});
    ok_match(&post_match("/match/default?algorithm=logic-v2", &q));
}

#[test]
fn yente_test_match_filter_topic() {
    let q = json!({"queries": {"vv": kim()}});
    let r = post_match("/match/default?algorithm=name-based&topics=crime.cyber", &q);
    assert_eq!(ok_match(&r)["responses"]["vv"]["results"], json!([]));
    let r = post_match("/match/default?topics=crime.cyber&topics=sanction", &q);
    assert_eq!(
        ok_match(&r)["responses"]["vv"]["results"][0]["id"],
        KIM_JONG_UN
    );
}

#[test]
fn yente_test_match_id_pass_through() {
    let mut body = many_names();
    body["id"] = json!("kkbc");
    let r = post_match("/match/default", &json!({"queries": {"no1": body}}));
    let res = &ok_match(&r)["responses"]["no1"];
    assert_eq!(res["query"]["schema"], "Organization");
    assert_eq!(res["query"]["id"], "kkbc");
}

#[test]
fn yente_test_match_fuzzy_names() {
    let q = json!({"queries": {"a": {"schema": "Person", "properties": {"name": "Kim Jong Unn"}}}});
    let r = post_match("/match/default?threshold=0.2&algorithm=logic-v2", &q);
    assert_eq!(
        ok_match(&r)["responses"]["a"]["results"][0]["id"],
        KIM_JONG_UN
    );
}

#[test]
fn yente_test_match_exclude_entity_ids() {
    let q = json!({"queries": {"q": kim()}});
    let r = post_match("/match/default", &q);
    assert_eq!(
        ok_match(&r)["responses"]["q"]["results"][0]["id"],
        KIM_JONG_UN
    );
    let r = post_match(
        &format!("/match/default?exclude_entity_ids={KIM_JONG_UN}"),
        &q,
    );
    assert!(!ids(&ok_match(&r)["responses"]["q"]["results"]).contains(&KIM_JONG_UN.to_string()));
    // Ids compare without case (yente's keyword normalizer).
    let r = post_match("/match/default?exclude_entity_ids=OFAC-SDN-20157", &q);
    assert!(!ids(&ok_match(&r)["responses"]["q"]["results"]).contains(&KIM_JONG_UN.to_string()));
    // At most 50.
    let many: String = (0..51)
        .map(|i| format!("exclude_entity_ids=x{i}&"))
        .collect();
    let r = post_match(&format!("/match/default?{many}"), &q);
    error_with_detail(&r, 422);
    assert_eq!(r.json["detail"][0]["type"], "too_long");
}

// ------------------------------------------------------------------ test_app.py

#[test]
fn yente_test_app_match_without_content_type_header() {
    let s = server();
    let auth = bearer(&s.screener);
    let body =
        json!({"queries": {"q1": {"schema": "Person", "properties": {"name": ["Kim Jong Un"]}}}})
            .to_string();
    let r = call(
        s,
        "POST",
        "/match/default",
        &[("Authorization", &auth)],
        Some(body.as_bytes()),
    );
    assert_ne!(r.status, 422, "{}", r.text);
    ok_match(&r);
}

#[test]
fn yente_test_app_malformed_input_is_422() {
    let s = server();
    let auth = bearer(&s.screener);
    let r = call(
        s,
        "POST",
        "/match/default",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        Some(b"{\"queries\": "),
    );
    error_with_detail(&r, 422);
    assert_eq!(r.json["detail"][0]["type"], "json_invalid");
    let r = call(
        s,
        "POST",
        "/match/default",
        &[("Authorization", &auth), ("Content-Type", "text/plain")],
        Some(b"{}"),
    );
    error_with_detail(&r, 422);
    error_with_detail(&post_match("/match/default", &json!({"q": 1})), 422);
    error_with_detail(
        &post_match(
            "/match/default?limit=abc",
            &json!({"queries": {"q": kim()}}),
        ),
        422,
    );
    error_with_detail(
        &post_match(
            "/match/default?limit=501",
            &json!({"queries": {"q": kim()}}),
        ),
        422,
    );
    // A wrong query parameter and a wrong body are reported together, as FastAPI does.
    let r = post_match(
        "/match/default?threshold=high",
        &json!({"queries": {"q": {"properties": {}}}}),
    );
    error_with_detail(&r, 422);
    assert_eq!(
        r.json["detail"].as_array().map(Vec::len),
        Some(2),
        "{}",
        r.text
    );
}

// ------------------------------------------------------------------ test_entity.py

#[test]
fn yente_test_entity_404() {
    let r = get("/entities/banana");
    error_with_detail(&r, 404);
    assert_eq!(r.json["detail"], "No such entity!");
}

#[test]
fn yente_test_entity_fetch() {
    let r = get(&format!("/entities/{FTB_UN}"));
    assert_eq!(r.status, 200);
    assert_model("EntityResponse", &r.json, model::entity_response);
    let data = &r.json;
    assert_eq!(data["id"], FTB_UN);
    assert_eq!(data["schema"], "Organization");
    assert!(
        data["datasets"]
            .as_array()
            .is_some_and(|d| d.contains(&json!("un_sc_sanctions")))
    );
    assert!(
        data["first_seen"]
            .as_str()
            .is_some_and(|s| s.starts_with("20"))
    );
    // Nested by default (yente's `nested=True`): the sanction that lists it.
    let sanc = &data["properties"]["sanctions"][0];
    assert!(sanc.is_object(), "{data}");
    assert_eq!(sanc["schema"], "Sanction");
    assert_eq!(sanc["properties"]["unscId"][0], "KPe.047");
    assert_eq!(sanc["properties"]["listingDate"][0], "2017-08-05");
    // Not nested on request.
    let r = get(&format!("/entities/{FTB_UN}?nested=false"));
    assert!(
        r.json["properties"].get("sanctions").is_none(),
        "{}",
        r.text
    );
}

#[test]
fn yente_test_entity_adjacent() {
    let r = get(&format!("/entities/{FTB_UN}/adjacent"));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_model("EntityAdjacentResponse", &r.json, model::entity_adjacent);
    let page = &r.json["adjacent"]["sanctions"];
    assert_eq!(page["total"]["value"], 1);
    assert_eq!(page["results"][0]["schema"], "Sanction");
    let r = get(&format!(
        "/entities/{FTB_UN}/adjacent/sanctions?limit=5&offset=0"
    ));
    assert_eq!(r.status, 200);
    assert_model("AdjacentResultsResponse", &r.json, model::adjacent_results);
    // Not an entity property, and no property at all.
    error_with_detail(&get(&format!("/entities/{FTB_UN}/adjacent/name")), 404);
    let r = get(&format!("/entities/{FTB_UN}/adjacent/banana"));
    assert_eq!(r.json["detail"], "No such property!");
    // The sanction is an entity too, its listed entity nested.
    let id = page["results"][0]["id"].as_str().unwrap_or("");
    let r = get(&format!("/entities/{id}"));
    assert_eq!(r.status, 200);
    assert_model("EntityResponse", &r.json, model::entity_response);
    assert_eq!(r.json["properties"]["entity"][0]["id"], FTB_UN);
}

// ------------------------------------------------------------------ test_base.py

#[test]
fn yente_test_base_healthz_readyz_open() {
    let s = server();
    for path in ["/healthz", "/readyz"] {
        let r = call(s, "GET", path, &[], None);
        assert_eq!(r.status, 200, "{path}");
        assert_model("StatusResponse", &r.json, model::status_response);
        assert_eq!(r.json["status"], "ok");
    }
}

#[test]
fn yente_test_base_manifest() {
    let s = server();
    let r = call(s, "GET", "/manifest", &[], None);
    assert_eq!(r.status, 200);
    assert_model("DataCatalogModel", &r.json, model::data_catalog);
    assert!(r.json["datasets"].as_array().is_some_and(|d| d.len() >= 3));
}

#[test]
fn yente_test_base_algorithms() {
    let s = server();
    let r = call(s, "GET", "/algorithms", &[], None);
    assert_eq!(r.status, 200);
    assert_model("AlgorithmResponse", &r.json, model::algorithm_response);
    let names: Vec<&str> = r.json["algorithms"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(names.len() > 3);
    for n in [
        "logic-v2",
        "name-based",
        "name-qualified",
        "logic-v1",
        "regression-v1",
    ] {
        assert!(names.contains(&n), "{n} missing: {names:?}");
    }
    // `features` is a mapping (nomenklatura's FeatureDocs), config documented (empty).
    assert!(r.json["algorithms"][0]["features"]["name_match"].is_object());
    assert_eq!(r.json["algorithms"][1]["docs"]["config"], json!({}));
    assert!(names.contains(&r.json["best"].as_str().unwrap_or("")));
}

#[test]
fn yente_test_base_catalog() {
    let s = server();
    let r = call(s, "GET", "/catalog", &[], None);
    assert_eq!(r.status, 200);
    assert_model("DataCatalogModel", &r.json, model::data_catalog);
    let datasets = r.json["datasets"].as_array().cloned().unwrap_or_default();
    for d in &datasets {
        assert_eq!(d["load"], true);
        assert_eq!(d["index_current"], true);
        assert_eq!(d["version"], d["index_version"]);
        // yente's form: YYYYMMDDHHMMSS-xxx.
        let v = d["index_version"].as_str().unwrap_or("");
        let (stamp, suffix) = v.split_once('-').unwrap_or(("", ""));
        assert!(
            chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%d%H%M%S").is_ok()
                && suffix.len() == 3,
            "{v}"
        );
    }
    let un = datasets
        .iter()
        .find(|d| d["name"] == "un_sc_sanctions")
        .expect("UN dataset");
    // The bundled list was generated 2026-02-27T00:00:09.554Z.
    assert!(
        un["index_version"]
            .as_str()
            .is_some_and(|v| v.starts_with("20260227000009-")),
        "{un}"
    );
    assert_eq!(
        r.json["current"],
        json!(["default", "un_sc_sanctions", "us_ofac_sdn"])
    );
}

#[test]
fn yente_test_base_catalog_etag() {
    let s = server();
    let r = call(s, "GET", "/catalog", &[], None);
    let etag = r.header("etag").expect("ETag").to_string();
    let again = call(s, "GET", "/catalog", &[("If-None-Match", &etag)], None);
    assert_eq!(again.status, 304);
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert!(again.text.is_empty());
    let other = call(
        s,
        "GET",
        "/catalog",
        &[("If-None-Match", "\"stale\"")],
        None,
    );
    assert_eq!(other.status, 200);
}

#[test]
fn issue_metadata_behind_keys_when_configured() {
    let s = TestServer::start_configured(|c| c.open_metadata = false);
    for path in ["/catalog", "/algorithms", "/readyz"] {
        assert_eq!(call(&s, "GET", path, &[], None).status, 401, "{path}");
        let auth = bearer(&s.viewer);
        assert_eq!(
            call(&s, "GET", path, &[("Authorization", &auth)], None).status,
            200,
            "{path}"
        );
    }
    assert_eq!(call(&s, "GET", "/healthz", &[], None).status, 200);
}

// ------------------------------------------------------------------ test_search.py

#[test]
fn yente_test_search_putin() {
    let r = get("/search/default?q=kim%20jong%20un");
    let v = ok_search(&r);
    assert_eq!(v["results"][0]["id"], KIM_JONG_UN, "{v}");
    for d in v["results"][0]["datasets"].as_array().into_iter().flatten() {
        assert_ne!(d, "default");
    }
    // A UN entry has its listing date as first_seen.
    let r = get("/search/default?q=foreign%20trade%20bank&datasets=un_sc_sanctions");
    let first = &ok_search(&r)["results"][0];
    assert!(
        first["first_seen"]
            .as_str()
            .is_some_and(|s| s.starts_with("20")),
        "{first}"
    );
}

#[test]
fn yente_test_search_no_query() {
    let r = get("/search/default");
    let v = ok_search(&r);
    assert!(v["results"].as_array().is_some_and(|r| r.len() > 9));
    // Browsing counts everything: both lists.
    assert!(
        v["total"]["value"].as_u64().unwrap_or(0) > 15_000,
        "{}",
        v["total"]
    );
}

#[test]
fn yente_test_search_invalid_query() {
    error_with_detail(&get("/search/default?q=invalid/query"), 400);
    ok_search(&get("/search/default?q=invalid/query&simple=true"));
}

#[test]
fn yente_test_search_filter_schema_invalid() {
    error_with_detail(&get("/search/default?q=kim&schema=Banana"), 400);
}

#[test]
fn yente_test_search_filter_schema_remove() {
    let r = get("/search/default?q=kim%20jong%20un&schema=Vessel");
    assert_eq!(ok_search(&r)["results"], json!([]));
}

#[test]
fn yente_test_search_filter_exclude_schema() {
    let total = |r: &Reply| ok_search(r)["total"]["value"].as_u64().unwrap_or(0);
    let all = total(&get("/search/default?q=pyongyang"));
    assert!(all > 50, "{all}");
    let fewer = total(&get(
        "/search/default?q=pyongyang&exclude_schema=Organization",
    ));
    assert!(fewer < all && fewer > 0, "{fewer} of {all}");
}

#[test]
fn yente_test_search_filter_exclude_dataset() {
    let total = |r: &Reply| ok_search(r)["total"]["value"].as_u64().unwrap_or(0);
    assert!(total(&get("/search/default?q=kim%20jong%20un")) > 0);
    assert_eq!(
        total(&get(
            "/search/default?q=kim%20jong%20un&exclude_dataset=us_ofac_sdn"
        )),
        0
    );
}

#[test]
fn yente_test_search_filter_changed_since() {
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).format("%Y-%m-%dT%H:%M");
    let r = get(&format!("/search/default?q=korea&changed_since={tomorrow}"));
    assert_eq!(ok_search(&r)["total"]["value"], 0);
    // UN entries amended since 2020 are there.
    let r = get("/search/default?changed_since=2020-01-01&datasets=un_sc_sanctions");
    assert!(ok_search(&r)["total"]["value"].as_u64().unwrap_or(0) > 0);
    error_with_detail(&get("/search/default?changed_since=yesterday"), 422);
}

#[test]
fn yente_test_search_filter_schema_keep() {
    let r = get("/search/default?q=kim%20jong%20un&schema=Person");
    assert!(
        ok_search(&r)["results"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
}

#[test]
fn yente_test_search_filter_countries_remove() {
    let r = get("/search/default?q=kim%20jong%20un&countries=ke");
    assert_eq!(ok_search(&r)["results"], json!([]));
}

#[test]
fn yente_test_search_facet_datasets_default() {
    let r = get("/search/default");
    let names: Vec<String> = ok_search(&r)["facets"]["datasets"]["values"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["name"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"un_sc_sanctions".into()) && names.contains(&"us_ofac_sdn".into()));
}

#[test]
fn yente_test_search_facet_datasets_scoped() {
    let r = get("/search/un_sc_sanctions");
    let facet = &ok_search(&r)["facets"]["datasets"];
    assert_eq!(facet["values"].as_array().map(Vec::len), Some(1), "{facet}");
    assert_eq!(facet["values"][0]["name"], "un_sc_sanctions");
    assert_eq!(facet["label"], "Data sources");
}

#[test]
fn yente_test_search_facet_countries() {
    let r = get("/search/default?q=kim%20jong&countries=kp");
    let v = ok_search(&r);
    let names: Vec<&str> = v["facets"]["countries"]["values"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(names.contains(&"kp") && !names.contains(&"ke"), "{names:?}");
    assert_eq!(v["facets"]["countries"]["label"], "Countries");
}

#[test]
fn yente_test_search_facet_topics() {
    let r = get("/search/default?topics=sanction");
    assert!(ok_search(&r)["total"]["value"].as_u64().unwrap_or(0) > 0);
    let r = get("/search/default");
    let topics = &ok_search(&r)["facets"]["topics"];
    assert_eq!(topics["values"][0]["name"], "sanction", "{topics}");
    assert_eq!(topics["values"][0]["label"], "Sanctioned entity");
}

#[test]
fn yente_test_search_facet_schema() {
    let r = get("/search/default?schema=Vessel");
    assert!(ok_search(&r)["total"]["value"].as_u64().unwrap_or(0) > 0);
    let r = get("/search/default?facets=schema");
    let names: Vec<&str> = ok_search(&r)["facets"]["schema"]["values"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        names.contains(&"Vessel") && names.contains(&"Person"),
        "{names:?}"
    );
}

#[test]
fn yente_test_search_facet_parameter() {
    let r = get("/search/default");
    let facets = ok_search(&r)["facets"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert_eq!(facets.len(), 3);
    for f in ["topics", "datasets", "countries"] {
        assert!(facets.contains_key(f));
    }
    let r = get("/search/default?facets=schema&facets=topics");
    let facets = ok_search(&r)["facets"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert_eq!(facets.keys().collect::<Vec<_>>(), ["schema", "topics"]);
    error_with_detail(&get("/search/default?facets=banana"), 422);
}

#[test]
fn yente_test_search_no_targets_and_targets() {
    let r = get("/search/default?schema=LegalEntity&target=false");
    assert_eq!(ok_search(&r)["results"], json!([]));
    let r = get("/search/default?schema=LegalEntity&target=true");
    let results = ok_search(&r)["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!results.is_empty());
    assert!(results.iter().all(|e| e["target"] == true));
}

#[test]
fn yente_test_search_sorted() {
    let r = get("/search/default?sort=first_seen:desc&limit=50");
    let results = ok_search(&r)["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let seen: Vec<&str> = results
        .iter()
        .filter_map(|e| e["first_seen"].as_str())
        .collect();
    assert_eq!(
        seen.len(),
        results.len(),
        "entries with a listing date come first"
    );
    assert!(seen.windows(2).all(|w| w[0] >= w[1]), "{seen:?}");
}

#[test]
fn yente_test_search_putin_scope() {
    let r = get("/search/un_sc_sanctions?q=kim%20jong%20un");
    assert_eq!(ok_search(&r)["results"], json!([]));
}

#[test]
fn yente_test_search_limit_and_offset() {
    let r = get("/search/default?limit=0&q=kim%20jong%20un");
    assert_eq!(ok_search(&r)["results"], json!([]));
    let r = get("/search/default?offset=100&q=kim%20jong%20un");
    let v = ok_search(&r);
    assert_eq!(v["results"], json!([]));
    assert_eq!(v["offset"], 100);
    error_with_detail(&get("/search/default?offset=9999&q=kim"), 422);
    error_with_detail(&get("/search/default?limit=10000&q=kim"), 422);
    let r = get("/search/default?limit=500&q=kim");
    let v = ok_search(&r);
    assert_eq!(
        (v["limit"].as_u64(), v["offset"].as_u64()),
        (Some(500), Some(0))
    );
}

#[test]
fn issue_search_lists_every_hit_of_a_broad_term_with_pages() {
    // Issue #18 §4: "korea" gave 17 results even with limit=100.
    let r = get("/search/default?q=korea&limit=100");
    let v = ok_search(&r);
    let total = v["total"]["value"].as_u64().unwrap_or(0);
    assert!(total > 100, "{total}");
    assert_eq!(v["results"].as_array().map(Vec::len), Some(100));
    // Pages do not overlap and follow each other.
    let page2 = get("/search/default?q=korea&limit=100&offset=100");
    let both: Vec<String> = ids(&v["results"])
        .into_iter()
        .chain(ids(&ok_search(&page2)["results"]))
        .collect();
    let mut distinct = both.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), both.len());
    let all = get("/search/default?q=korea&limit=200");
    assert_eq!(ids(&ok_search(&all)["results"]), both);
}

#[test]
fn issue_search_filters_fuzzy_and_syntax() {
    let total = |r: &Reply| ok_search(r)["total"]["value"].as_u64().unwrap_or(0);
    // filter=field:value; several values of one field combine by filter_op.
    assert!(total(&get("/search/default?filter=schema:Vessel")) > 0);
    let vessels = get("/search/default?filter=schema:Vessel&limit=500");
    assert!(
        ok_search(&vessels)["results"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|e| e["schema"] == "Vessel")
    );
    let either = total(&get("/search/default?countries=kp&countries=ir"));
    let both = total(&get(
        "/search/default?countries=kp&countries=ir&filter_op=AND",
    ));
    assert!(either > both, "{either} vs {both}");
    error_with_detail(&get("/search/default?filter=nocolon"), 400);
    // A field yente's index does not have finds nothing (Elasticsearch's term query).
    assert_eq!(total(&get("/search/default?filter=banana:kp")), 0);
    // fuzzy=true finds a misspelling exact search does not.
    assert_eq!(total(&get("/search/default?q=kwangsun%20banking")), 0);
    assert!(total(&get("/search/default?q=kwangsun%20banking&fuzzy=true")) > 0);
    // Phrases, prefixes, exclusions and OR.
    let phrase = total(&get("/search/default?q=%22trade%20bank%22"));
    let words = total(&get("/search/default?q=trade%20bank"));
    assert!(phrase > 0 && phrase <= words, "{phrase} {words}");
    assert!(total(&get("/search/default?q=kwangs*")) > 0);
    let no_myanma = total(&get("/search/default?q=foreign%20trade%20bank%20-myanma"));
    assert!(no_myanma < total(&get("/search/default?q=foreign%20trade%20bank")));
    assert!(total(&get("/search/default?q=kkbc%20OR%20komid")) >= 2);
}

// ------------------------------------------------------------------ test_reconcile.py

fn post_form(path: &str, form: &str) -> Reply {
    let s = server();
    let auth = bearer(&s.screener);
    call(
        s,
        "POST",
        path,
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        Some(form.as_bytes()),
    )
}

fn form(field: &str, json: &Value) -> String {
    let text = json.to_string();
    let encoded: String = text
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("{field}={encoded}")
}

#[test]
fn yente_test_reconcile_metadata() {
    let r = get("/reconcile/default");
    assert_eq!(r.status, 200, "{}", r.text);
    assert_model("FreebaseManifest", &r.json, model::freebase_manifest);
    // deviation: yente's identifierSpace is opensanctions.org (its ids);
    // Resolute's ids are its own, so the space is this service's /entities/.
    assert!(
        r.json["identifierSpace"]
            .as_str()
            .is_some_and(|u| u.ends_with("/entities/"))
    );
    assert!(
        r.json["defaultTypes"]
            .as_array()
            .is_some_and(|t| t.len() > 3),
        "{}",
        r.json["defaultTypes"]
    );
    assert!(r.json.get("suggest").is_some());
    // The query string goes on to the services (an api_key for OpenRefine).
    let r = get("/reconcile/default?api_key=abc");
    assert!(
        r.json["suggest"]["entity"]["service_path"]
            .as_str()
            .is_some_and(|p| p.ends_with("?api_key=abc"))
    );
}

#[test]
fn yente_test_reconcile_post() {
    let queries = json!({"mutti": {"query": "Korea Kwangson Banking Corporation"}});
    let r = post_form("/reconcile/default", &form("queries", &queries));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_model(
        "Dict[str, FreebaseEntityResult]",
        &r.json,
        model::freebase_results,
    );
    let first = &r.json["mutti"]["result"][0];
    assert!(
        first["id"] == KKBC_UN || first["id"] == KKBC_OFAC,
        "{first}"
    );
    assert_eq!(first["match"], true);
    assert_eq!(r.header("x-batch-size"), Some("1"));
}

#[test]
fn yente_test_reconcile_invalid() {
    let queries = json!({"mutti": {"query": 37473874}});
    error_with_detail(
        &post_form("/reconcile/default", &form("queries", &queries)),
        400,
    );
}

#[test]
fn yente_test_reconcile_suggest_entity() {
    let r = get("/reconcile/default/suggest/entity");
    assert_model(
        "FreebaseEntitySuggestResponse",
        &r.json,
        model::freebase_suggest,
    );
    assert_eq!(r.json["result"], json!([]));
    let r = get("/reconcile/default/suggest/entity?prefix=kim%20jong%20u");
    assert_model(
        "FreebaseEntitySuggestResponse",
        &r.json,
        model::freebase_suggest,
    );
    let name = r.json["result"][0]["name"]
        .as_str()
        .unwrap_or("")
        .to_lowercase();
    assert!(name.contains("kim") && name.contains("jong"), "{}", r.text);
    assert!(ids(&r.json["result"]).contains(&KIM_JONG_UN.to_string()));
    let r = get("/reconcile/default/suggest/entity?prefix=banana%20man");
    assert_eq!(r.json["result"], json!([]));
}

#[test]
fn yente_test_reconcile_suggest_property() {
    let r = get("/reconcile/default/suggest/property");
    assert_eq!(r.json["result"], json!([]));
    let r = get("/reconcile/default/suggest/property?prefix=country");
    assert_model(
        "FreebasePropertySuggestResponse",
        &r.json,
        model::freebase_suggest,
    );
    let found = ids(&r.json["result"]);
    assert!(found.len() > 1);
    assert!(
        found.contains(&"LegalEntity:mainCountry".to_string()),
        "{found:?}"
    );
    assert!(found.contains(&"Thing:country".to_string()), "{found:?}");
    assert_eq!(
        get("/reconcile/default/suggest/property?prefix=banana").json["result"],
        json!([])
    );
}

#[test]
fn yente_test_reconcile_suggest_type() {
    assert_eq!(
        get("/reconcile/default/suggest/type").json["result"],
        json!([])
    );
    let r = get("/reconcile/default/suggest/type?prefix=organ");
    assert_model(
        "FreebaseTypeSuggestResponse",
        &r.json,
        model::freebase_suggest,
    );
    assert_eq!(r.json["result"].as_array().map(Vec::len), Some(1));
    assert_eq!(r.json["result"][0]["id"], "Organization");
    assert_eq!(
        get("/reconcile/default/suggest/type?prefix=banana").json["result"],
        json!([])
    );
}

#[test]
fn issue_reconcile_extend_preview_and_recording() {
    let ext = json!({"ids": [FTB_UN, "nope"], "properties": [{"id": "country"}, {"id": "swiftBic", "settings": {"render": "raw"}}]});
    let r = post_form("/reconcile/default", &form("extend", &ext));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_model("FreebaseExtendResponse", &r.json, model::freebase_extend);
    assert_eq!(r.json["rows"][FTB_UN]["country"][0]["str"], "North Korea");
    assert_eq!(r.json["rows"][FTB_UN]["swiftBic"][0]["str"], "FTBDKPPY");
    assert_eq!(r.json["rows"]["nope"], json!({}));
    let r = get("/reconcile/default/extend/property?type=Person");
    assert_model(
        "FreebaseExtendPropertiesResponse",
        &r.json,
        model::freebase_extend_properties,
    );
    assert!(
        r.json["properties"]
            .as_array()
            .is_some_and(|p| p.iter().any(|x| x["id"] == "birthDate"))
    );
    error_with_detail(&get("/reconcile/default/extend/property?type=Banana"), 400);
    let r = get(&format!("/reconcile/default/preview?id={FTB_UN}"));
    assert_eq!(r.status, 200);
    assert!(r.text.contains("FOREIGN TRADE BANK") && r.text.starts_with("<!doctype html>"));
    // Reconciliation is screening: screener role, recorded.
    let s = server();
    let auth = bearer(&s.viewer);
    let q = form(
        "queries",
        &json!({"a": {"query": "Kim Jong Un", "type": "Person"}}),
    );
    let r = call(
        s,
        "POST",
        "/reconcile/default",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        Some(q.as_bytes()),
    );
    assert_eq!(r.status, 403);
    let before = get("/audit?kind=screening.name&limit=1").json["records"][0]["seq"].as_i64();
    assert_eq!(post_form("/reconcile/default", &q).status, 200);
    let after = get("/audit?kind=screening.name&limit=1").json["records"][0]["seq"].as_i64();
    assert!(after > before, "{before:?} {after:?}");
}

// ------------------------------------------------------------------ issue #18: /match semantics

#[test]
fn issue_match_cutoff_defaults_to_threshold_and_total_counts_all_matches() {
    // Both KKBC entries score 1.0: with limit=1 the page has one, total says two.
    let q = json!({"queries": {"q": {"schema": "Organization", "properties": {"name": ["Korea Kwangson Banking Corporation"]}}}});
    let r = post_match("/match/default?limit=1", &q);
    let res = &ok_match(&r)["responses"]["q"];
    assert_eq!(res["results"].as_array().map(Vec::len), Some(1));
    assert_eq!(res["total"]["value"], 2, "{res}");
    // The cutoff is the threshold unless given: nothing below 0.9 comes back.
    let ftb = json!({"queries": {"q": {"schema": "Organization", "properties": {"name": ["Foreign Trade Bank"]}}}});
    let r = post_match("/match/default?threshold=0.9&limit=20", &ftb);
    let results = ok_match(&r)["responses"]["q"]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!results.is_empty());
    assert!(
        results
            .iter()
            .all(|x| x["score"].as_f64().unwrap_or(0.0) >= 0.9 && x["match"] == true),
        "{results:?}"
    );
    // A lower cutoff brings near misses back (MYANMA FOREIGN TRADE BANK), not as matches.
    let r = post_match("/match/default?threshold=0.9&cutoff=0.5&limit=20", &ftb);
    let res = &ok_match(&r)["responses"]["q"];
    let results = res["results"].as_array().cloned().unwrap_or_default();
    assert!(results.iter().any(|x| x["match"] == false), "{results:?}");
    let matches = results.iter().filter(|x| x["match"] == true).count();
    assert_eq!(res["total"]["value"].as_u64(), Some(matches as u64));
}

#[test]
fn issue_match_schema_errors_fail_the_whole_request() {
    let body = json!({"queries": {
        "good": {"schema": "Person", "properties": {"name": ["Kim Jong Un"]}},
        "bad": {"schema": "Spaceship", "properties": {"name": ["x"]}},
    }});
    error_with_detail(&post_match("/match/default", &body), 400);
    let sanction = json!({"queries": {"s": {"schema": "Sanction", "properties": {}}}});
    let r = post_match("/match/default", &sanction);
    error_with_detail(&r, 400);
    assert_eq!(
        r.json["detail"],
        "Cannot parse example entity: Non-matchable schema for query: Sanction"
    );
    error_with_detail(&post_match("/match/default", &json!({"queries": {}})), 400);
    error_with_detail(
        &post_match("/match/eu_fsf", &json!({"queries": {"q": kim()}})),
        404,
    );
}

#[test]
fn issue_match_ftm_schemata_resolute_does_not_model() {
    // A Vehicle query finds vessels (FtM's matchable relation), a Person query does not.
    let q = |schema: &str| json!({"queries": {"q": {"schema": schema, "properties": {"name": ["CHON MA SAN"]}}}});
    let r = post_match("/match/default", &q("Vehicle"));
    assert_eq!(
        ok_match(&r)["responses"]["q"]["results"][0]["id"],
        CHON_MA_SAN
    );
    let r = post_match("/match/default", &q("Person"));
    assert!(!ids(&ok_match(&r)["responses"]["q"]["results"]).contains(&CHON_MA_SAN.to_string()));
}

#[test]
fn issue_match_other_filters() {
    let ftb = json!({"queries": {"q": {"schema": "Organization", "properties": {"name": ["Foreign Trade Bank"], "country": ["kp"]}}}});
    let r = post_match("/match/default", &ftb);
    assert!(ids(&ok_match(&r)["responses"]["q"]["results"]).contains(&FTB_UN.to_string()));
    let r = post_match("/match/default?exclude_schema=Organization", &ftb);
    assert!(
        ok_match(&r)["responses"]["q"]["results"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|e| e["schema"] != "Organization")
    );
    let r = post_match("/match/default?changed_since=2099-01-01", &ftb);
    assert_eq!(ok_match(&r)["responses"]["q"]["results"], json!([]));
    error_with_detail(
        &post_match("/match/default?changed_since=2024-01-01T10:00:00Z", &ftb),
        422,
    );
    // The filters applied are in the audit record.
    let r = post_match(
        "/match/default?topics=sanction&include_dataset=un_sc_sanctions",
        &ftb,
    );
    let seq = ok_match(&r)["resolute"]["audit_seq"].as_i64().unwrap_or(0);
    let rec = get(&format!("/audit/{seq}"));
    assert_eq!(
        rec.json["payload"]["filters"]["include_dataset"],
        json!(["un_sc_sanctions"])
    );
    assert_eq!(
        rec.json["payload"]["filters"]["topics"],
        json!(["sanction"])
    );
}

// ------------------------------------------------------------------ Marble's screening client

/// Marble's `openSanctionsRequestQuery`: schema, properties and `filters`
/// (null when unset), under a random query id; params on the query string.
fn marble_body(schema: &str, properties: Value) -> Value {
    json!({"queries": {"0195d0c3-5a5e-7a4e-9f0e-8c2d1b3a4f5e": {"schema": schema, "properties": properties, "filters": null}}})
}

#[test]
fn marble_match_with_include_dataset_and_exclude_entity_ids_is_filtered() {
    let body = marble_body("Thing", json!({"name": ["KOREA KWANGSON BANKING CORP"]}));
    // Without filters both lists' entries come back.
    let r = post_match(
        "/match/default?algorithm=best&threshold=0.70&cutoff=0.70&limit=10",
        &body,
    );
    let all = ids(&ok_match(&r)["responses"]["0195d0c3-5a5e-7a4e-9f0e-8c2d1b3a4f5e"]["results"]);
    assert!(
        all.contains(&KKBC_UN.to_string()) && all.contains(&KKBC_OFAC.to_string()),
        "{all:?}"
    );
    // Marble's org config: UN list only, and the UN entry whitelisted.
    let r = post_match(
        &format!(
            "/match/default?algorithm=best&threshold=0.70&cutoff=0.70&limit=10&include_dataset=un_sc_sanctions&exclude_entity_ids={KKBC_UN}"
        ),
        &body,
    );
    let res = &ok_match(&r)["responses"]["0195d0c3-5a5e-7a4e-9f0e-8c2d1b3a4f5e"];
    let found = ids(&res["results"]);
    assert!(
        !found.contains(&KKBC_UN.to_string()) && !found.contains(&KKBC_OFAC.to_string()),
        "{found:?}"
    );
    for e in res["results"].as_array().into_iter().flatten() {
        assert_eq!(e["datasets"], json!(["un_sc_sanctions"]));
    }
    assert_eq!(res["total"]["value"].as_u64(), Some(found.len() as u64));
}

#[test]
fn marble_refinement_query_without_a_name() {
    let body = marble_body("Organization", json!({"swiftBic": ["FTBDKPPY"]}));
    let r = post_match("/match/default?threshold=0.70&cutoff=0.70&limit=5", &body);
    let res = &ok_match(&r)["responses"]["0195d0c3-5a5e-7a4e-9f0e-8c2d1b3a4f5e"];
    assert!(ids(&res["results"]).contains(&FTB_UN.to_string()), "{res}");
    assert_eq!(res["results"][0]["explanation"]["method"], "identifier");
    let body = marble_body("Person", json!({"birthDate": ["1984-01-08"]}));
    let r = post_match("/match/default", &body);
    assert_eq!(
        ok_match(&r)["responses"]["0195d0c3-5a5e-7a4e-9f0e-8c2d1b3a4f5e"]["results"],
        json!([])
    );
}

#[test]
fn marble_metadata_without_a_key_and_version_it_parses() {
    let s = server();
    assert_eq!(call(s, "GET", "/readyz", &[], None).status, 200);
    let r = call(s, "GET", "/algorithms", &[], None);
    assert_eq!(r.status, 200);
    let r = call(s, "GET", "/catalog", &[], None);
    // Marble's `AdaptOpenSanctionsLocalDatasetFreshness`: the `default`
    // dataset's index_version, the part before "-" as 20060102150405.
    let default = r.json["datasets"]
        .as_array()
        .and_then(|d| d.iter().find(|x| x["name"] == "default"))
        .cloned()
        .expect("default dataset");
    let version = default["index_version"].as_str().unwrap_or("");
    let stamp = version.split('-').next().unwrap_or("");
    assert!(
        chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%d%H%M%S").is_ok(),
        "{version}"
    );
    // Its older form cut four characters off the end.
    assert!(
        chrono::NaiveDateTime::parse_from_str(&version[..version.len() - 4], "%Y%m%d%H%M%S")
            .is_ok()
    );
}

#[test]
fn marble_api_key_parameter_and_enrich() {
    let s = server();
    let body = marble_body("Thing", json!({"name": ["Kim Jong Un"]})).to_string();
    let r = call(
        s,
        "POST",
        &format!("/match/default?api_key={}&algorithm=logic-v2", s.screener),
        &[("content-type", "application/json")],
        Some(body.as_bytes()),
    );
    ok_match(&r);
    // EnrichMatch: GET /entities/{id} with the same auth.
    let r = call(
        s,
        "GET",
        &format!("/entities/{KIM_JONG_UN}?api_key={}", s.viewer),
        &[],
        None,
    );
    assert_eq!(r.status, 200);
    assert_model("EntityResponse", &r.json, model::entity_response);
    let r = call(s, "GET", "/entities/nope?api_key=rsk_bad_key", &[], None);
    assert_eq!(r.status, 401);
}

// ------------------------------------------------------------------ yente-client SDK 0.2.0

fn sdk_headers(key: &str) -> [(&'static str, String); 2] {
    [
        ("Authorization", format!("ApiKey {key}")),
        (
            "User-Agent",
            "yente-client/0.2.0 (Resolute-tests; python/3.11.7; httpx/0.28.1)".into(),
        ),
    ]
}

fn sdk_call(method: &str, path: &str, key: &str, body: Option<&Value>) -> Reply {
    let s = server();
    let h = sdk_headers(key);
    let text = body.map(Value::to_string);
    let mut headers: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    call(
        s,
        method,
        path,
        &headers,
        text.as_deref().map(str::as_bytes),
    )
}

/// yente-client's `MatchResponse` after `unwrap_match_response`: query dict,
/// results `list[ScoredEntity]` (score, match, explanations `dict[str,
/// FeatureResult]`), total, limit.
fn sdk_match_response(s: &mut model::Shape, v: &Value, path: &str) {
    let inner = &v["responses"]["q"];
    let flat = json!({"query": inner["query"], "results": inner["results"], "total": inner["total"], "limit": v["limit"]});
    model::entity_matches(s, &flat, path);
    s.int(&flat, path, "limit", true);
    for (i, r) in flat["results"].as_array().into_iter().flatten().enumerate() {
        s.float(r, &format!("{path}.results[{i}]"), "score", true);
    }
}

#[test]
fn sdk_match_with_apikey_scheme() {
    let s = server();
    let body = json!({"queries": {"q": {"schema": "Person", "properties": {"firstName": ["Jong Un"], "lastName": ["Kim"], "birthDate": ["1984"]}}}, "weights": {}, "config": {}});
    let r = sdk_call(
        "POST",
        "/match/default?threshold=0.7&algorithm=best&limit=5&exclude_entity_ids=ofac-sdn-0",
        &s.screener,
        Some(&body),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_model("yente_client.MatchResponse", &r.json, sdk_match_response);
    assert_eq!(r.json["responses"]["q"]["results"][0]["id"], KIM_JONG_UN);
    // A bad key is an AuthenticationError (401), with a detail to show.
    let r = sdk_call("POST", "/match/default", "rsk_00000000_nope", Some(&body));
    assert_eq!(r.status, 401);
    assert!(r.json["detail"].is_string());
}

#[test]
fn sdk_system_and_datasets_calls() {
    let s = server();
    for path in ["/healthz", "/readyz"] {
        let r = sdk_call("GET", path, &s.viewer, None);
        assert_eq!(r.status, 200);
        assert_model("StatusResponse", &r.json, model::status_response);
    }
    let r = sdk_call("GET", "/catalog", &s.viewer, None);
    assert_model("DatasetsResponse", &r.json, model::data_catalog);
    let r = sdk_call("GET", "/algorithms", &s.viewer, None);
    assert_model("AlgorithmsResponse", &r.json, model::algorithm_response);
    // `_request_revalidated`: the held ETag comes back as If-None-Match.
    let etag = r.header("etag").map(String::from);
    assert!(etag.is_none(), "only /catalog carries an ETag");
    let first = sdk_call("GET", "/catalog", &s.viewer, None);
    let etag = first.header("etag").expect("catalog ETag").to_string();
    let h = sdk_headers(&s.viewer);
    let r = call(
        s,
        "GET",
        "/catalog",
        &[("Authorization", &h[0].1), ("If-None-Match", &etag)],
        None,
    );
    assert_eq!(r.status, 304);
}

#[test]
fn sdk_fetch_adjacent_search_and_statements() {
    let s = server();
    let r = sdk_call(
        "GET",
        &format!("/entities/{FTB_UN}?nested=true"),
        &s.viewer,
        None,
    );
    assert_model("yente_client.Entity", &r.json, model::entity_response);
    let r = sdk_call(
        "GET",
        &format!("/entities/{FTB_UN}/adjacent?offset=0"),
        &s.viewer,
        None,
    );
    assert_model(
        "yente_client.AdjacentResponse",
        &r.json,
        model::entity_adjacent,
    );
    let r = sdk_call(
        "GET",
        &format!("/entities/{FTB_UN}/adjacent/sanctions?offset=0&limit=10"),
        &s.viewer,
        None,
    );
    assert_model(
        "yente_client.AdjacentPropertyResponse",
        &r.json,
        model::adjacent_results,
    );
    // search(q, datasets=["default", "us_ofac_sdn"], countries=["kp"], schema="Person",
    // topics=["sanction"], exclude_datasets=["un_sc_sanctions"], facets=["schema"], fuzzy=True)
    let r = sdk_call(
        "GET",
        "/search/default?include_dataset=us_ofac_sdn&exclude_dataset=un_sc_sanctions&topics=sanction&countries=kp&schema=Person&q=kim&offset=0&limit=20&fuzzy=true&facets=schema",
        &s.viewer,
        None,
    );
    let v = ok_search(&r);
    assert!(v["total"]["value"].as_u64().unwrap_or(0) > 0);
    for e in v["results"].as_array().into_iter().flatten() {
        assert_eq!(e["datasets"], json!(["us_ofac_sdn"]));
    }
    // statements(): yente has no /statements; a 404 the SDK maps to NotFoundError.
    let r = sdk_call("GET", "/statements?offset=0", &s.viewer, None);
    assert_eq!(r.status, 404);
    assert!(r.json["detail"].is_string());
}
