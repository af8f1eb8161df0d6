//! yente 5.5.0's response models, transcribed as JSON-shape checks.
//!
//! Each checker mirrors one pydantic model field by field, with pydantic's
//! (lax) rules: `str` is a JSON string, `float` any number, `int` an integer,
//! `Optional[X]` is `null` or `X`, fields with a default may be absent,
//! extra fields are allowed (pydantic ignores them). Sources (MIT):
//! - `yente/data/common.py` (yente 5.5.0 wheel): `EntityResponse`,
//!   `ScoredEntityResponse`, `TotalSpec`, `EntityMatches`,
//!   `EntityMatchResponse`, `SearchFacetItem`, `SearchFacet`,
//!   `SearchResponse`, `AdjacentResultsResponse`, `EntityAdjacentResponse`,
//!   `DataCatalogModel`, `Algorithm`, `AlgorithmResponse`, `StatusResponse`,
//!   `ErrorResponse`;
//! - `yente/data/dataset.py` + `followthemoney/dataset/dataset.py` (4.9.2):
//!   `YenteDatasetModel` / `DatasetModel`;
//! - `nomenklatura/matching/types.py` (4.10.0): `FeatureResult`,
//!   `FeatureDoc`, `ConfigVar`, `AlgorithmDocs`;
//! - `yente/data/freebase.py`: the reconciliation models;
//! - FastAPI's `HTTPValidationError` (the 422 body);
//! - `yente_client/models.py` (yente-client 0.2.0), where it is stricter
//!   (`TotalSpec.relation` is `"eq"` or `"gte"`).
#![allow(dead_code)]

use serde_json::Value;

/// Problems found, each with its JSON path.
#[derive(Debug, Default)]
pub struct Shape {
    pub problems: Vec<String>,
}

impl Shape {
    fn bad(&mut self, path: &str, what: &str, v: Option<&Value>) {
        let shown = v.map(|x| {
            let s = x.to_string();
            if s.len() > 80 {
                format!("{}…", &s[..80])
            } else {
                s
            }
        });
        self.problems.push(format!(
            "{path}: expected {what}, got {}",
            shown.unwrap_or_else(|| "nothing".into())
        ));
    }

    fn field<'v>(
        &mut self,
        obj: &'v Value,
        path: &str,
        name: &str,
        required: bool,
    ) -> Option<&'v Value> {
        match obj.get(name) {
            Some(v) => Some(v),
            None => {
                if required {
                    self.bad(&format!("{path}.{name}"), "a value (required field)", None);
                }
                None
            }
        }
    }

    pub fn object<'v>(
        &mut self,
        v: &'v Value,
        path: &str,
    ) -> Option<&'v serde_json::Map<String, Value>> {
        let o = v.as_object();
        if o.is_none() {
            self.bad(path, "an object", Some(v));
        }
        o
    }

    /// `name: str` (required) or `name: str = …` (optional).
    pub fn str(&mut self, obj: &Value, path: &str, name: &str, required: bool) {
        if let Some(v) = self.field(obj, path, name, required)
            && !v.is_string()
        {
            self.bad(&format!("{path}.{name}"), "a string", Some(v));
        }
    }

    /// `Optional[str]`.
    pub fn opt_str(&mut self, obj: &Value, path: &str, name: &str) {
        if let Some(v) = obj.get(name)
            && !(v.is_null() || v.is_string())
        {
            self.bad(&format!("{path}.{name}"), "a string or null", Some(v));
        }
    }

    pub fn float(&mut self, obj: &Value, path: &str, name: &str, required: bool) {
        if let Some(v) = self.field(obj, path, name, required)
            && !v.is_number()
        {
            self.bad(&format!("{path}.{name}"), "a number", Some(v));
        }
    }

    pub fn int(&mut self, obj: &Value, path: &str, name: &str, required: bool) {
        if let Some(v) = self.field(obj, path, name, required)
            && !(v.is_i64() || v.is_u64())
        {
            self.bad(&format!("{path}.{name}"), "an integer", Some(v));
        }
    }

    pub fn opt_int(&mut self, obj: &Value, path: &str, name: &str) {
        if let Some(v) = obj.get(name)
            && !(v.is_null() || v.is_i64() || v.is_u64())
        {
            self.bad(&format!("{path}.{name}"), "an integer or null", Some(v));
        }
    }

    pub fn bool(&mut self, obj: &Value, path: &str, name: &str, required: bool) {
        if let Some(v) = self.field(obj, path, name, required)
            && !v.is_boolean()
        {
            self.bad(&format!("{path}.{name}"), "a boolean", Some(v));
        }
    }

    pub fn opt_bool(&mut self, obj: &Value, path: &str, name: &str) {
        if let Some(v) = obj.get(name)
            && !(v.is_null() || v.is_boolean())
        {
            self.bad(&format!("{path}.{name}"), "a boolean or null", Some(v));
        }
    }

    /// `Optional[datetime]`: an ISO date-time pydantic reads.
    pub fn opt_datetime(&mut self, obj: &Value, path: &str, name: &str) {
        let Some(v) = obj.get(name) else {
            return;
        };
        if v.is_null() {
            return;
        }
        let ok = v.as_str().is_some_and(|s| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").is_ok()
                || chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
                || chrono::DateTime::parse_from_rfc3339(s).is_ok()
                || chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
        });
        if !ok {
            self.bad(
                &format!("{path}.{name}"),
                "an ISO date-time or null",
                Some(v),
            );
        }
    }

    /// `List[str]`.
    pub fn str_list(&mut self, obj: &Value, path: &str, name: &str, required: bool) {
        let Some(v) = self.field(obj, path, name, required) else {
            return;
        };
        match v.as_array() {
            Some(a) => {
                for (i, x) in a.iter().enumerate() {
                    if !x.is_string() {
                        self.bad(&format!("{path}.{name}[{i}]"), "a string", Some(x));
                    }
                }
            }
            None => self.bad(&format!("{path}.{name}"), "a list", Some(v)),
        }
    }

    /// `AnyHttpUrl`.
    pub fn url(&mut self, obj: &Value, path: &str, name: &str) {
        let Some(v) = self.field(obj, path, name, true) else {
            return;
        };
        let ok = v.as_str().is_some_and(|s| {
            (s.starts_with("http://") || s.starts_with("https://"))
                && s.split("://").nth(1).is_some_and(|rest| !rest.is_empty())
        });
        if !ok {
            self.bad(&format!("{path}.{name}"), "an http(s) URL", Some(v));
        }
    }
}

/// Panic with every problem when `check` finds any.
pub fn assert_model(model: &str, v: &Value, check: impl FnOnce(&mut Shape, &Value, &str)) {
    let mut s = Shape::default();
    check(&mut s, v, model);
    assert!(
        s.problems.is_empty(),
        "{model} does not validate:\n  {}\nbody: {}",
        s.problems.join("\n  "),
        {
            let t = v.to_string();
            if t.len() > 600 {
                format!("{}…", &t[..600])
            } else {
                t
            }
        }
    );
}

/// `EntityResponse` (common.py): id, caption, schema (alias of `schema_`),
/// properties `Dict[str, List[Union[str, EntityResponse]]]`, datasets,
/// referents, target, first_seen, last_seen, last_change.
pub fn entity_response(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_none() {
        return;
    }
    s.str(v, path, "id", true);
    s.str(v, path, "caption", true);
    s.str(v, path, "schema", true);
    match v.get("properties") {
        Some(Value::Object(props)) => {
            for (k, values) in props {
                let p = format!("{path}.properties.{k}");
                match values.as_array() {
                    Some(list) => {
                        for (i, x) in list.iter().enumerate() {
                            if x.is_object() {
                                entity_response(s, x, &format!("{p}[{i}]"));
                            } else if !x.is_string() {
                                s.bad(&format!("{p}[{i}]"), "a string or an entity", Some(x));
                            }
                        }
                    }
                    None => s.bad(&p, "a list", Some(values)),
                }
            }
        }
        other => s.bad(&format!("{path}.properties"), "an object", other),
    }
    s.str_list(v, path, "datasets", false);
    s.str_list(v, path, "referents", false);
    s.bool(v, path, "target", false);
    for f in ["first_seen", "last_seen", "last_change"] {
        s.opt_datetime(v, path, f);
    }
}

/// nomenklatura's `FeatureResult`: detail `Optional[str]` (required), score
/// float, query and candidate `Optional[str]`.
pub fn feature_result(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_none() {
        return;
    }
    if v.get("detail").is_none() {
        s.bad(&format!("{path}.detail"), "a value (required field)", None);
    }
    s.opt_str(v, path, "detail");
    s.float(v, path, "score", true);
    s.opt_str(v, path, "query");
    s.opt_str(v, path, "candidate");
}

/// `ScoredEntityResponse`: an `EntityResponse` with score, explanations
/// `Dict[str, FeatureResult]` and match.
pub fn scored_entity(s: &mut Shape, v: &Value, path: &str) {
    entity_response(s, v, path);
    s.float(v, path, "score", false);
    s.bool(v, path, "match", true);
    match v.get("explanations") {
        Some(Value::Object(m)) => {
            for (k, f) in m {
                feature_result(s, f, &format!("{path}.explanations.{k}"));
            }
        }
        other => s.bad(&format!("{path}.explanations"), "an object", other),
    }
}

/// `TotalSpec`: value int, relation str (yente-client: `"eq"` or `"gte"`).
pub fn total_spec(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_none() {
        return;
    }
    s.int(v, path, "value", true);
    match v.get("relation").and_then(Value::as_str) {
        Some("eq") | Some("gte") | None => {}
        Some(_) => s.bad(
            &format!("{path}.relation"),
            "\"eq\" or \"gte\"",
            v.get("relation"),
        ),
    }
}

/// `EntityExample`: id `Optional[str]`, schema str, properties
/// `Dict[str, Union[str, List[Any]]]`.
pub fn entity_example(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_none() {
        return;
    }
    s.opt_str(v, path, "id");
    s.str(v, path, "schema", true);
    match v.get("properties") {
        Some(Value::Object(m)) => {
            for (k, x) in m {
                if !(x.is_string() || x.is_array()) {
                    s.bad(
                        &format!("{path}.properties.{k}"),
                        "a string or a list",
                        Some(x),
                    );
                }
            }
        }
        other => s.bad(&format!("{path}.properties"), "an object", other),
    }
}

/// `EntityMatches`: status int, results `List[ScoredEntityResponse]`, total, query.
pub fn entity_matches(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_none() {
        return;
    }
    s.int(v, path, "status", false);
    match v.get("results").and_then(Value::as_array) {
        Some(list) => {
            for (i, r) in list.iter().enumerate() {
                scored_entity(s, r, &format!("{path}.results[{i}]"));
            }
        }
        None => s.bad(&format!("{path}.results"), "a list", v.get("results")),
    }
    match v.get("total") {
        Some(t) => total_spec(s, t, &format!("{path}.total")),
        None => s.bad(&format!("{path}.total"), "a value (required field)", None),
    }
    match v.get("query") {
        Some(q) => entity_example(s, q, &format!("{path}.query")),
        None => s.bad(&format!("{path}.query"), "a value (required field)", None),
    }
}

/// `EntityMatchResponse`: responses `Dict[str, EntityMatches]`, limit int.
pub fn entity_match_response(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_none() {
        return;
    }
    match v.get("responses") {
        Some(Value::Object(m)) => {
            for (k, r) in m {
                entity_matches(s, r, &format!("{path}.responses.{k}"));
            }
        }
        other => s.bad(&format!("{path}.responses"), "an object", other),
    }
    s.int(v, path, "limit", true);
}

/// `SearchFacet`: label str, values `List[SearchFacetItem{name, label, count}]`.
pub fn search_facet(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_none() {
        return;
    }
    s.str(v, path, "label", true);
    match v.get("values").and_then(Value::as_array) {
        Some(items) => {
            for (i, it) in items.iter().enumerate() {
                let p = format!("{path}.values[{i}]");
                if s.object(it, &p).is_some() {
                    s.str(it, &p, "name", true);
                    s.str(it, &p, "label", true);
                    s.int(it, &p, "count", false);
                }
            }
        }
        None => s.bad(&format!("{path}.values"), "a list", v.get("values")),
    }
}

/// `SearchResponse` (a `ResultsResponse`): limit, offset, total, results
/// `List[EntityResponse]`, facets `Dict[str, SearchFacet]`.
pub fn search_response(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_none() {
        return;
    }
    s.int(v, path, "limit", true);
    s.int(v, path, "offset", false);
    match v.get("total") {
        Some(t) => total_spec(s, t, &format!("{path}.total")),
        None => s.bad(&format!("{path}.total"), "a value (required field)", None),
    }
    match v.get("results").and_then(Value::as_array) {
        Some(list) => {
            for (i, r) in list.iter().enumerate() {
                entity_response(s, r, &format!("{path}.results[{i}]"));
            }
        }
        None => s.bad(&format!("{path}.results"), "a list", v.get("results")),
    }
    match v.get("facets") {
        Some(Value::Object(m)) => {
            for (k, f) in m {
                search_facet(s, f, &format!("{path}.facets.{k}"));
            }
        }
        other => s.bad(&format!("{path}.facets"), "an object", other),
    }
}

/// `AdjacentResultsResponse`: a `ResultsResponse` with results `List[Union[str, EntityResponse]]`.
pub fn adjacent_results(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_none() {
        return;
    }
    s.int(v, path, "limit", true);
    s.int(v, path, "offset", false);
    match v.get("total") {
        Some(t) => total_spec(s, t, &format!("{path}.total")),
        None => s.bad(&format!("{path}.total"), "a value (required field)", None),
    }
    if let Some(list) = v.get("results").and_then(Value::as_array) {
        for (i, r) in list.iter().enumerate() {
            if !r.is_string() {
                entity_response(s, r, &format!("{path}.results[{i}]"));
            }
        }
    }
}

/// `EntityAdjacentResponse`: entity, adjacent `Dict[str, AdjacentResultsResponse]`.
pub fn entity_adjacent(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_none() {
        return;
    }
    match v.get("entity") {
        Some(e) => entity_response(s, e, &format!("{path}.entity")),
        None => s.bad(&format!("{path}.entity"), "a value (required field)", None),
    }
    match v.get("adjacent") {
        Some(Value::Object(m)) => {
            for (k, r) in m {
                adjacent_results(s, r, &format!("{path}.adjacent.{k}"));
            }
        }
        other => s.bad(&format!("{path}.adjacent"), "an object", other),
    }
}

/// `YenteDatasetModel` (a followthemoney `DatasetModel`): name and title
/// required; the optional fields typed; `index_current` computed.
pub fn dataset_model(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_none() {
        return;
    }
    s.str(v, path, "name", true);
    s.str(v, path, "title", true);
    for f in [
        "summary",
        "description",
        "version",
        "category",
        "deprecation",
        "entities_url",
        "index_version",
    ] {
        s.opt_str(v, path, f);
    }
    for f in ["entity_count", "thing_count"] {
        s.opt_int(v, path, f);
    }
    for f in ["updated_at", "last_export"] {
        s.opt_datetime(v, path, f);
    }
    s.str_list(v, path, "tags", false);
    s.str_list(v, path, "children", false);
    s.bool(v, path, "deprecated", false);
    s.opt_bool(v, path, "load");
    s.bool(v, path, "namespace", false);
    s.bool(v, path, "index_current", false);
    if let Some(p) = v.get("publisher").filter(|p| !p.is_null()) {
        let pp = format!("{path}.publisher");
        if s.object(p, &pp).is_some() {
            s.str(p, &pp, "name", true);
            s.opt_bool(p, &pp, "official");
        }
    }
}

/// `DataCatalogModel`: datasets, current, outdated, index_stale.
pub fn data_catalog(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_none() {
        return;
    }
    match v.get("datasets").and_then(Value::as_array) {
        Some(list) => {
            for (i, d) in list.iter().enumerate() {
                dataset_model(s, d, &format!("{path}.datasets[{i}]"));
            }
        }
        None => s.bad(&format!("{path}.datasets"), "a list", v.get("datasets")),
    }
    s.str_list(v, path, "current", true);
    s.str_list(v, path, "outdated", true);
    s.bool(v, path, "index_stale", false);
}

/// nomenklatura's `FeatureDoc` map.
fn feature_docs(s: &mut Shape, v: Option<&Value>, path: &str) {
    match v {
        Some(Value::Object(m)) => {
            for (k, d) in m {
                let p = format!("{path}.{k}");
                if s.object(d, &p).is_some() {
                    if d.get("description").is_none() {
                        s.bad(
                            &format!("{p}.description"),
                            "a value (required field)",
                            None,
                        );
                    }
                    s.opt_str(d, &p, "description");
                    s.float(d, &p, "coefficient", true);
                    s.str(d, &p, "url", true);
                }
            }
        }
        other => s.bad(path, "a mapping of feature docs", other),
    }
}

/// `AlgorithmResponse`: algorithms `List[Algorithm{name, description,
/// features: FeatureDocs, docs: AlgorithmDocs}]`, default, best.
pub fn algorithm_response(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_none() {
        return;
    }
    match v.get("algorithms").and_then(Value::as_array) {
        Some(list) => {
            for (i, a) in list.iter().enumerate() {
                let p = format!("{path}.algorithms[{i}]");
                if s.object(a, &p).is_none() {
                    continue;
                }
                s.str(a, &p, "name", true);
                s.opt_str(a, &p, "description");
                feature_docs(s, a.get("features"), &format!("{p}.features"));
                let d = a.get("docs").cloned().unwrap_or(Value::Null);
                let dp = format!("{p}.docs");
                if s.object(&d, &dp).is_some() {
                    s.str(&d, &dp, "name", true);
                    s.opt_str(&d, &dp, "description");
                    match d.get("config") {
                        Some(Value::Object(cfg)) => {
                            for (k, c) in cfg {
                                let cp = format!("{dp}.config.{k}");
                                if s.object(c, &cp).is_some() {
                                    s.opt_str(c, &cp, "description");
                                }
                            }
                        }
                        other => s.bad(&format!("{dp}.config"), "an object", other),
                    }
                    feature_docs(s, d.get("features"), &format!("{dp}.features"));
                }
            }
        }
        None => s.bad(&format!("{path}.algorithms"), "a list", v.get("algorithms")),
    }
    s.str(v, path, "default", true);
    s.str(v, path, "best", true);
}

/// `StatusResponse`.
pub fn status_response(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_some() {
        s.str(v, path, "status", false);
    }
}

/// `ErrorResponse`: detail str.
pub fn error_response(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_some() {
        s.str(v, path, "detail", true);
    }
}

/// FastAPI's `HTTPValidationError`: detail `List[{loc: List[str|int], msg, type}]`.
pub fn validation_error(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_none() {
        return;
    }
    match v.get("detail").and_then(Value::as_array) {
        Some(list) if !list.is_empty() => {
            for (i, e) in list.iter().enumerate() {
                let p = format!("{path}.detail[{i}]");
                if s.object(e, &p).is_none() {
                    continue;
                }
                s.str(e, &p, "msg", true);
                s.str(e, &p, "type", true);
                match e.get("loc").and_then(Value::as_array) {
                    Some(loc) if loc.iter().all(|x| x.is_string() || x.is_u64()) => {}
                    other => s.bad(
                        &format!("{p}.loc"),
                        "a list of strings and integers",
                        other.map(|_| &e["loc"]),
                    ),
                }
            }
        }
        _ => s.bad(
            &format!("{path}.detail"),
            "a non-empty list",
            v.get("detail"),
        ),
    }
}

/// `FreebaseType`: id, name, description `Optional[str]`.
pub fn freebase_type(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_some() {
        s.str(v, path, "id", true);
        s.str(v, path, "name", true);
        s.opt_str(v, path, "description");
    }
}

/// `FreebaseManifest` (freebase.py).
pub fn freebase_manifest(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_none() {
        return;
    }
    s.str_list(v, path, "versions", true);
    s.str(v, path, "name", true);
    s.url(v, path, "identifierSpace");
    s.url(v, path, "schemaSpace");
    s.url(v, path, "documentation");
    s.int(v, path, "batchSize", true);
    let view = v.get("view").cloned().unwrap_or(Value::Null);
    if s.object(&view, &format!("{path}.view")).is_some() {
        s.str(&view, &format!("{path}.view"), "url", true);
    }
    let preview = v.get("preview").cloned().unwrap_or(Value::Null);
    let pp = format!("{path}.preview");
    if s.object(&preview, &pp).is_some() {
        s.str(&preview, &pp, "url", true);
        s.int(&preview, &pp, "width", true);
        s.int(&preview, &pp, "height", true);
    }
    let suggest = v.get("suggest").cloned().unwrap_or(Value::Null);
    if s.object(&suggest, &format!("{path}.suggest")).is_some() {
        for k in ["entity", "type", "property"] {
            let t = suggest.get(k).cloned().unwrap_or(Value::Null);
            let tp = format!("{path}.suggest.{k}");
            if s.object(&t, &tp).is_some() {
                s.url(&t, &tp, "service_url");
                s.str(&t, &tp, "service_path", true);
            }
        }
    }
    let extend = v.get("extend").cloned().unwrap_or(Value::Null);
    let ep = format!("{path}.extend");
    if s.object(&extend, &ep).is_some() {
        let pr = extend
            .get("propose_properties")
            .cloned()
            .unwrap_or(Value::Null);
        if s.object(&pr, &format!("{ep}.propose_properties")).is_some() {
            s.url(&pr, &format!("{ep}.propose_properties"), "service_url");
            s.str(
                &pr,
                &format!("{ep}.propose_properties"),
                "service_path",
                true,
            );
        }
        match extend.get("propose_settings").and_then(Value::as_array) {
            Some(list) => {
                for (i, st) in list.iter().enumerate() {
                    let sp = format!("{ep}.propose_settings[{i}]");
                    if s.object(st, &sp).is_some() {
                        for f in ["name", "label", "type", "help_text"] {
                            s.str(st, &sp, f, true);
                        }
                        if st.get("default").is_none() {
                            s.bad(&format!("{sp}.default"), "a value (required field)", None);
                        }
                    }
                }
            }
            None => s.bad(
                &format!("{ep}.propose_settings"),
                "a list",
                extend.get("propose_settings"),
            ),
        }
    }
    match v.get("defaultTypes").and_then(Value::as_array) {
        Some(list) => {
            for (i, t) in list.iter().enumerate() {
                freebase_type(s, t, &format!("{path}.defaultTypes[{i}]"));
            }
        }
        None => s.bad(
            &format!("{path}.defaultTypes"),
            "a list",
            v.get("defaultTypes"),
        ),
    }
}

/// `Dict[str, FreebaseEntityResult]`: `{key: {result: [FreebaseScoredEntity]}}`.
pub fn freebase_results(s: &mut Shape, v: &Value, path: &str) {
    let Some(m) = s.object(v, path) else {
        return;
    };
    for (k, r) in m.clone() {
        let rp = format!("{path}.{k}");
        match r.get("result").and_then(Value::as_array) {
            Some(list) => {
                for (i, e) in list.iter().enumerate() {
                    let ep = format!("{rp}.result[{i}]");
                    if s.object(e, &ep).is_none() {
                        continue;
                    }
                    s.str(e, &ep, "id", true);
                    s.str(e, &ep, "name", true);
                    s.opt_str(e, &ep, "description");
                    match e.get("type").and_then(Value::as_array) {
                        Some(types) => {
                            for (j, t) in types.iter().enumerate() {
                                freebase_type(s, t, &format!("{ep}.type[{j}]"));
                            }
                        }
                        None => s.bad(&format!("{ep}.type"), "a list", e.get("type")),
                    }
                    // `Optional[float]` / `Optional[bool]` but required (`Field(...)`).
                    if e.get("score").is_none() || e.get("match").is_none() {
                        s.bad(&ep, "score and match (required fields)", Some(e));
                    }
                }
            }
            None => s.bad(&format!("{rp}.result"), "a list", r.get("result")),
        }
    }
}

/// `FreebaseSuggestResponse` subclasses: code, status, prefix, result
/// (`FreebaseEntity` / `FreebaseType` / `FreebaseProperty`: id, name, description).
pub fn freebase_suggest(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_none() {
        return;
    }
    s.str(v, path, "code", false);
    s.str(v, path, "status", false);
    s.str(v, path, "prefix", true);
    match v.get("result").and_then(Value::as_array) {
        Some(list) => {
            for (i, e) in list.iter().enumerate() {
                let p = format!("{path}.result[{i}]");
                if s.object(e, &p).is_some() {
                    s.str(e, &p, "id", true);
                    s.str(e, &p, "name", true);
                    s.opt_str(e, &p, "description");
                }
            }
        }
        None => s.bad(&format!("{path}.result"), "a list", v.get("result")),
    }
}

/// `FreebaseExtendResponse`: meta `[{id, name}]`, rows `{id: {prop: [{str}]}}`.
pub fn freebase_extend(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_none() {
        return;
    }
    match v.get("meta").and_then(Value::as_array) {
        Some(list) => {
            for (i, m) in list.iter().enumerate() {
                let p = format!("{path}.meta[{i}]");
                if s.object(m, &p).is_some() {
                    s.str(m, &p, "id", true);
                    s.str(m, &p, "name", true);
                }
            }
        }
        None => s.bad(&format!("{path}.meta"), "a list", v.get("meta")),
    }
    match v.get("rows") {
        Some(Value::Object(rows)) => {
            for (id, row) in rows {
                let Some(props) = row.as_object() else {
                    s.bad(&format!("{path}.rows.{id}"), "an object", Some(row));
                    continue;
                };
                for (k, vals) in props {
                    for (i, x) in vals.as_array().into_iter().flatten().enumerate() {
                        s.str(x, &format!("{path}.rows.{id}.{k}[{i}]"), "str", true);
                    }
                }
            }
        }
        other => s.bad(&format!("{path}.rows"), "an object", other),
    }
}

/// `FreebaseExtendPropertiesResponse`: limit, type, properties `[{id, name}]`.
pub fn freebase_extend_properties(s: &mut Shape, v: &Value, path: &str) {
    if s.object(v, path).is_none() {
        return;
    }
    s.int(v, path, "limit", true);
    s.str(v, path, "type", true);
    match v.get("properties").and_then(Value::as_array) {
        Some(list) => {
            for (i, p) in list.iter().enumerate() {
                let pp = format!("{path}.properties[{i}]");
                if s.object(p, &pp).is_some() {
                    s.str(p, &pp, "id", true);
                    s.str(p, &pp, "name", true);
                }
            }
        }
        None => s.bad(&format!("{path}.properties"), "a list", v.get("properties")),
    }
}
