//! yente's query parameters as FastAPI reads them: repeated keys make lists
//! (`include_dataset=a&include_dataset=b`), a scalar takes the last value, a
//! wrong type or range is a 422 problem `{type, loc, msg, input}` (all of
//! them collected, as FastAPI reports them together), and a parameter the
//! endpoint does not define is ignored — yente's behaviour, which its own
//! tests rely on (`/match?fuzzy=false`) — but named in the
//! `x-ignored-parameters` response header.

use std::collections::BTreeSet;

use axum::http::{HeaderMap, HeaderValue, Uri};
use serde_json::{Value, json};

use crate::error::ApiError;

/// yente's `TS_PATTERN` for `changed_since`.
pub const TS_PATTERN: &str = r"^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?$";

/// Parameters every endpoint understands (authentication).
const ALWAYS_KNOWN: [&str; 1] = ["api_key"];

#[derive(Debug, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
    known: BTreeSet<&'static str>,
    problems: Vec<Value>,
}

impl Params {
    pub fn from_uri(uri: &Uri) -> Params {
        Params::from_query(uri.query().unwrap_or(""))
    }

    pub fn from_query(query: &str) -> Params {
        Params {
            pairs: form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            known: ALWAYS_KNOWN.into_iter().collect(),
            problems: Vec::new(),
        }
    }

    /// A FastAPI problem `{type, loc, msg, input[, ctx]}`. (`json!` here and in
    /// the callers: `ctx` differs per problem type, as in pydantic.)
    fn problem(&mut self, kind: &str, name: &str, msg: String, input: &str, ctx: Option<Value>) {
        let mut p = json!({"type": kind, "loc": ["query", name], "msg": msg, "input": input});
        if let (Some(ctx), Value::Object(m)) = (ctx, &mut p) {
            m.insert("ctx".into(), ctx);
        }
        self.problems.push(p);
    }

    /// Every value of `name`, in order.
    pub fn all(&mut self, name: &'static str) -> Vec<String> {
        self.known.insert(name);
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The last value of `name` (FastAPI's scalar).
    pub fn last(&mut self, name: &'static str) -> Option<String> {
        self.all(name).pop()
    }

    /// A list with at most `max` values.
    pub fn list_max(&mut self, name: &'static str, max: usize) -> Vec<String> {
        let values = self.all(name);
        if values.len() > max {
            self.problem(
                "too_long",
                name,
                format!(
                    "List should have at most {max} items after validation, not {}",
                    values.len()
                ),
                &values.join(","),
                Some(
                    json!({"field_type": "List", "max_length": max, "actual_length": values.len()}),
                ),
            );
        }
        values
    }

    /// An integer in `[min, max]` (a bound that is `None` is open).
    pub fn int(
        &mut self,
        name: &'static str,
        default: i64,
        min: Option<i64>,
        max: Option<i64>,
    ) -> i64 {
        let Some(raw) = self.last(name) else {
            return default;
        };
        let Ok(v) = raw.trim().parse::<i64>() else {
            self.problem(
                "int_parsing",
                name,
                "Input should be a valid integer, unable to parse string as an integer".into(),
                &raw,
                None,
            );
            return default;
        };
        if let Some(m) = max
            && v > m
        {
            self.problem(
                "less_than_equal",
                name,
                format!("Input should be less than or equal to {m}"),
                &raw,
                Some(json!({"le": m})),
            );
        }
        if let Some(m) = min
            && v < m
        {
            self.problem(
                "greater_than_equal",
                name,
                format!("Input should be greater than or equal to {m}"),
                &raw,
                Some(json!({"ge": m})),
            );
        }
        v
    }

    /// A number in `[min, max]`.
    pub fn float(&mut self, name: &'static str, default: f64, min: f64, max: f64) -> f64 {
        let Some(raw) = self.last(name) else {
            return default;
        };
        let Ok(v) = raw.trim().parse::<f64>() else {
            self.problem(
                "float_parsing",
                name,
                "Input should be a valid number, unable to parse string as a number".into(),
                &raw,
                None,
            );
            return default;
        };
        if !v.is_finite() || v > max {
            self.problem(
                "less_than_equal",
                name,
                format!("Input should be less than or equal to {max}"),
                &raw,
                Some(json!({"le": max})),
            );
        } else if v < min {
            self.problem(
                "greater_than_equal",
                name,
                format!("Input should be greater than or equal to {min}"),
                &raw,
                Some(json!({"ge": min})),
            );
        }
        v
    }

    /// A boolean as pydantic reads one (`true/false`, `1/0`, `yes/no`, `on/off`, `t/f`, `y/n`).
    pub fn boolean(&mut self, name: &'static str) -> Option<bool> {
        let raw = self.last(name)?;
        match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" | "t" | "y" => Some(true),
            "false" | "0" | "no" | "off" | "f" | "n" => Some(false),
            _ => {
                self.problem(
                    "bool_parsing",
                    name,
                    "Input should be a valid boolean, unable to interpret input".into(),
                    &raw,
                    None,
                );
                None
            }
        }
    }

    /// One of `choices`.
    pub fn choice(&mut self, name: &'static str, value: &str, choices: &[&str]) -> bool {
        if choices.contains(&value) {
            return true;
        }
        let expected = match choices.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!(
                "{} or '{last}'",
                rest.iter()
                    .map(|c| format!("'{c}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => choices
                .iter()
                .map(|c| format!("'{c}'"))
                .collect::<Vec<_>>()
                .join(""),
        };
        self.problem(
            "enum",
            name,
            format!("Input should be {expected}"),
            value,
            Some(json!({"expected": expected})),
        );
        false
    }

    /// `changed_since` in yente's `TS_PATTERN`.
    pub fn timestamp(&mut self, name: &'static str) -> Option<String> {
        let raw = self.last(name)?;
        if matches_ts_pattern(&raw) {
            Some(raw)
        } else {
            self.problem(
                "string_pattern_mismatch",
                name,
                format!("String should match pattern '{TS_PATTERN}'"),
                &raw,
                Some(json!({"pattern": TS_PATTERN})),
            );
            None
        }
    }

    /// The 422 for what was wrong, or the names of parameters nobody read.
    pub fn finish(self) -> Result<Vec<String>, ApiError> {
        if !self.problems.is_empty() {
            return Err(ApiError::validation(self.problems));
        }
        let mut ignored: Vec<String> = self
            .pairs
            .into_iter()
            .map(|(k, _)| k)
            .filter(|k| !self.known.contains(k.as_str()))
            .collect();
        ignored.sort();
        ignored.dedup();
        Ok(ignored)
    }
}

/// `YYYY-MM-DD`, optionally `THH`, `THH:MM`, `THH:MM:SS`.
pub fn matches_ts_pattern(s: &str) -> bool {
    let b = s.as_bytes();
    let d = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let date = b.len() >= 10
        && (0..4).all(d)
        && b[4] == b'-'
        && d(5)
        && d(6)
        && b[7] == b'-'
        && d(8)
        && d(9);
    date && match b.len() {
        10 => true,
        13 => b[10] == b'T' && d(11) && d(12),
        16 => b[10] == b'T' && d(11) && d(12) && b[13] == b':' && d(14) && d(15),
        19 => {
            b[10] == b'T'
                && d(11)
                && d(12)
                && b[13] == b':'
                && d(14)
                && d(15)
                && b[16] == b':'
                && d(17)
                && d(18)
        }
        _ => false,
    }
}

/// Name the ignored parameters in the answer.
pub fn ignored_header(headers: &mut HeaderMap, ignored: &[String]) {
    if ignored.is_empty() {
        return;
    }
    if let Ok(v) = HeaderValue::from_str(&ignored.join(", ")) {
        headers.insert("x-ignored-parameters", v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_types_and_ranges() {
        let mut p = Params::from_query("a=1&a=2&limit=600&x=y&threshold=abc&api_key=k");
        assert_eq!(p.all("a"), ["1", "2"]);
        assert_eq!(p.int("limit", 5, Some(0), Some(500)), 600);
        assert_eq!(p.float("threshold", 0.7, 0.0, 1.0), 0.7);
        let Err(e) = p.finish() else {
            panic!("problems expected");
        };
        assert_eq!(e.problems.len(), 2);
        assert_eq!(e.problems[0]["type"], "less_than_equal");
        assert_eq!(e.problems[0]["loc"], json!(["query", "limit"]));
        assert_eq!(e.problems[1]["type"], "float_parsing");
        let mut p = Params::from_query("fuzzy=false&limit=3");
        assert_eq!(p.int("limit", 5, None, None), 3);
        assert_eq!(p.finish().expect("ok"), ["fuzzy"]);
    }

    #[test]
    fn ts_pattern() {
        for ok in [
            "2024-01-02",
            "2024-01-02T10",
            "2024-01-02T10:11",
            "2024-01-02T10:11:12",
        ] {
            assert!(matches_ts_pattern(ok), "{ok}");
        }
        for bad in [
            "2024-1-02",
            "2024-01-02T10:11:12Z",
            "2024-01-02 10",
            "yesterday",
        ] {
            assert!(!matches_ts_pattern(bad), "{bad}");
        }
    }
}
