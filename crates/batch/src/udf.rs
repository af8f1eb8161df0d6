//! Resolute's screening as DataFusion scalar functions.
//!
//! - `screen_name(schema, name, country, birth_date, id_number [, as_of])` →
//!   `List<Struct<ref, list, name, score, match, listed_on, explanation>>`,
//!   best first; NULL for a row that cannot be screened.
//! - `screen_name_error(…same arguments…)` → why that row could not be
//!   screened (NULL when it could): cheap, no search.
//! - `screen_tx(json)` → `Struct<id, decision, findings, matches, error>` for a
//!   transaction in the JSON contract of `resolute screen`.
//! - `resolute_versions()` → the lists, regime and options the process
//!   screens with, as JSON.
//!
//! Arguments may be of any type (Utf8, Utf8View, dates, integers, NULL): each
//! is cast to text, `as_of` to a date. Each function holds an `Arc` of the
//! immutable [`Screening`] and compares equal to another only when their
//! fingerprints are equal, so a plan never mixes list versions.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use chrono::NaiveDate;
use datafusion::arrow::array::{
    Array, ArrayRef, BooleanBuilder, Date32Array, Date32Builder, Float64Builder, ListArray,
    StringArray, StringBuilder, StructArray,
};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::compute::{CastOptions, cast_with_options};
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::arrow::util::display::FormatOptions;
use datafusion::common::{Result as DfResult, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature,
    Volatility,
};
use resolute_matching::{MatchIndex, MatchOptions, MatchResult, Query};
use resolute_model::{PartialDate, Schema, prop};
use resolute_screening::{CapLedger, RawTransaction, Screener, Transaction};
use serde::Serialize;

use crate::screening::Screening;

pub const SCREEN_NAME: &str = "screen_name";
pub const SCREEN_NAME_ERROR: &str = "screen_name_error";
pub const SCREEN_TX: &str = "screen_tx";
pub const RESOLUTE_VERSIONS: &str = "resolute_versions";

/// Days from 0001-01-01 (CE day 1) to 1970-01-01: Arrow's Date32 counts from the epoch.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// The fields of one `screen_name` hit.
pub fn hit_fields() -> Fields {
    Fields::from(vec![
        Field::new("ref", DataType::Utf8, false),
        Field::new("list", DataType::Utf8, false),
        Field::new("name", DataType::Utf8, false),
        Field::new("score", DataType::Float64, false),
        Field::new("match", DataType::Boolean, false),
        Field::new("listed_on", DataType::Date32, true),
        Field::new("explanation", DataType::Utf8, false),
    ])
}

/// `screen_name`'s return type.
pub fn hits_type() -> DataType {
    DataType::List(Arc::new(Field::new(
        "item",
        DataType::Struct(hit_fields()),
        true,
    )))
}

fn finding_fields() -> Fields {
    Fields::from(vec![
        Field::new("rule", DataType::Utf8, false),
        Field::new("resolution", DataType::Int64, true),
        Field::new("paragraph", DataType::Utf8, false),
        Field::new("effect", DataType::Utf8, false),
        Field::new("summary", DataType::Utf8, false),
        Field::new("verified", DataType::Boolean, false),
    ])
}

fn party_match_fields() -> Fields {
    Fields::from(vec![
        Field::new("role", DataType::Utf8, false),
        Field::new("ref", DataType::Utf8, false),
        Field::new("name", DataType::Utf8, false),
        Field::new("score", DataType::Float64, false),
    ])
}

/// The fields of `screen_tx`'s result.
pub fn decision_fields() -> Fields {
    let list_of = |fields: Fields| {
        DataType::List(Arc::new(Field::new("item", DataType::Struct(fields), true)))
    };
    Fields::from(vec![
        Field::new("id", DataType::Utf8, true),
        Field::new("decision", DataType::Utf8, true),
        Field::new("findings", list_of(finding_fields()), true),
        Field::new("matches", list_of(party_match_fields()), true),
        Field::new("error", DataType::Utf8, true),
    ])
}

/// The four functions over one [`Screening`].
pub fn functions(screening: &Arc<Screening>) -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(ScreenName::new(screening.clone(), false))),
        Arc::new(ScalarUDF::from(ScreenName::new(screening.clone(), true))),
        Arc::new(ScalarUDF::from(ScreenTx::new(screening.clone()))),
        Arc::new(ScalarUDF::from(ResoluteVersions::new(screening.clone()))),
    ]
}

/// Whether `name` is one of Resolute's functions.
pub fn is_resolute_function(name: &str) -> bool {
    matches!(
        name,
        SCREEN_NAME | SCREEN_NAME_ERROR | SCREEN_TX | RESOLUTE_VERSIONS
    )
}

/// Equality and hashing by fingerprint: two functions over the same lists,
/// regime and options are interchangeable.
macro_rules! eq_by_fingerprint {
    ($t:ty) => {
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                self.name() == other.name()
                    && self.screening.fingerprint() == other.screening.fingerprint()
            }
        }
        impl Eq for $t {}
        impl Hash for $t {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.name().hash(state);
                self.screening.fingerprint().hash(state);
            }
        }
    };
}

/// `screen_name` (or, with `errors_only`, `screen_name_error`).
#[derive(Debug)]
pub struct ScreenName {
    screening: Arc<Screening>,
    errors_only: bool,
    signature: Signature,
}

eq_by_fingerprint!(ScreenName);

impl ScreenName {
    pub fn new(screening: Arc<Screening>, errors_only: bool) -> ScreenName {
        ScreenName {
            screening,
            errors_only,
            signature: Signature::one_of(
                vec![TypeSignature::Any(5), TypeSignature::Any(6)],
                Volatility::Immutable,
            ),
        }
    }
}

/// One row's arguments, as text.
struct NameRow<'a> {
    schema: Option<&'a str>,
    name: Option<&'a str>,
    country: Option<&'a str>,
    birth_date: Option<&'a str>,
    id_number: Option<&'a str>,
}

/// The query for a row, or why there is none. The same rules as `resolute
/// match` applies to its JSON queries, plus checks a table needs: a birth date
/// must be a (partial) ISO date.
fn row_query(row: &NameRow) -> Result<Query, String> {
    let schema_text = row.schema.map(str::trim).unwrap_or("");
    if schema_text.is_empty() {
        return Err("schema: missing".into());
    }
    let schema =
        Schema::parse(schema_text).ok_or_else(|| format!("schema: unknown {schema_text:?}"))?;
    let name = row.name.map(str::trim).unwrap_or("");
    if name.is_empty() {
        return Err("name: missing".into());
    }
    let mut q = Query::name(schema, name);
    if let Some(c) = row.country.map(str::trim).filter(|c| !c.is_empty()) {
        let p = if schema == Schema::Person {
            prop::NATIONALITY
        } else {
            prop::COUNTRY
        };
        q = q.with(p, c);
    }
    if let Some(d) = row.birth_date.map(str::trim).filter(|d| !d.is_empty()) {
        if d.parse::<PartialDate>().is_err() {
            return Err(format!(
                "birth_date: {d:?} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
            ));
        }
        q = q.with(prop::BIRTH_DATE, d);
    }
    if let Some(i) = row.id_number.map(str::trim).filter(|i| !i.is_empty()) {
        q = q.with(prop::ID_NUMBER, i);
    }
    Ok(q)
}

/// Each argument as a text array of `rows` values (`cast` keeps NULLs).
fn text_columns(args: &[ColumnarValue], rows: usize, count: usize) -> DfResult<Vec<StringArray>> {
    let options = CastOptions {
        safe: true,
        format_options: FormatOptions::default(),
    };
    args.iter()
        .take(count)
        .map(|a| {
            let array = a.to_array(rows)?;
            let text = cast_with_options(&array, &DataType::Utf8, &options)?;
            match text.as_any().downcast_ref::<StringArray>() {
                Some(s) => Ok(s.clone()),
                None => exec_err!("argument is not castable to text"),
            }
        })
        .collect()
}

fn opt(a: &StringArray, i: usize) -> Option<&str> {
    (!a.is_null(i)).then(|| a.value(i))
}

/// The `as_of` argument: a date column (cast from text or timestamps) and the
/// original text, so that a value that is not a date is reported, not dropped.
fn as_of_column(
    args: &[ColumnarValue],
    rows: usize,
) -> DfResult<Option<(Date32Array, StringArray)>> {
    let Some(arg) = args.get(5) else {
        return Ok(None);
    };
    let array = arg.to_array(rows)?;
    let options = CastOptions {
        safe: true,
        format_options: FormatOptions::default(),
    };
    let dates = cast_with_options(&array, &DataType::Date32, &options)?;
    let text = cast_with_options(&array, &DataType::Utf8, &options)?;
    match (
        dates.as_any().downcast_ref::<Date32Array>(),
        text.as_any().downcast_ref::<StringArray>(),
    ) {
        (Some(d), Some(t)) => Ok(Some((d.clone(), t.clone()))),
        _ => exec_err!("as_of is not castable to a date"),
    }
}

fn date_from_days(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(EPOCH_DAYS_FROM_CE)?)
}

fn days_of(date: NaiveDate) -> i32 {
    chrono::Datelike::num_days_from_ce(&date) - EPOCH_DAYS_FROM_CE
}

/// Builders of the flattened hits of a batch.
struct HitsBuilder {
    offsets: Vec<i32>,
    valid: Vec<bool>,
    reference: StringBuilder,
    list: StringBuilder,
    name: StringBuilder,
    score: Float64Builder,
    is_match: BooleanBuilder,
    listed_on: Date32Builder,
    explanation: StringBuilder,
    /// Reused for each explanation's JSON.
    json: Vec<u8>,
}

impl HitsBuilder {
    fn new(rows: usize) -> HitsBuilder {
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        HitsBuilder {
            offsets,
            valid: Vec::with_capacity(rows),
            reference: StringBuilder::new(),
            list: StringBuilder::new(),
            name: StringBuilder::new(),
            score: Float64Builder::new(),
            is_match: BooleanBuilder::new(),
            listed_on: Date32Builder::new(),
            explanation: StringBuilder::new(),
            json: Vec::new(),
        }
    }

    /// One row's hits (`None`: the row could not be screened, a NULL list);
    /// entities are looked up in the index that found them.
    fn push_row(&mut self, index: &MatchIndex, hits: Option<&[MatchResult]>) {
        let last = self.offsets.last().copied().unwrap_or(0);
        let Some(hits) = hits else {
            self.offsets.push(last);
            self.valid.push(false);
            return;
        };
        for h in hits {
            let entity = index.entity(&h.id);
            self.reference.append_value(&h.reference);
            self.list
                .append_value(entity.map(|e| e.source.as_str()).unwrap_or(""));
            self.name.append_value(&h.caption);
            self.score.append_value(h.score);
            self.is_match.append_value(h.is_match);
            self.listed_on
                .append_option(entity.and_then(|e| e.listed_on).map(days_of));
            // Serializing a plain struct into memory cannot fail.
            self.json.clear();
            let _ = serde_json::to_writer(&mut self.json, &h.explanation);
            self.explanation
                .append_value(std::str::from_utf8(&self.json).unwrap_or_default());
        }
        let count = i32::try_from(hits.len()).unwrap_or(i32::MAX);
        self.offsets.push(last.saturating_add(count));
        self.valid.push(true);
    }

    fn finish(mut self) -> DfResult<ArrayRef> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.reference.finish()),
            Arc::new(self.list.finish()),
            Arc::new(self.name.finish()),
            Arc::new(self.score.finish()),
            Arc::new(self.is_match.finish()),
            Arc::new(self.listed_on.finish()),
            Arc::new(self.explanation.finish()),
        ];
        let hits = StructArray::try_new(hit_fields(), columns, None)?;
        let item = Arc::new(Field::new("item", DataType::Struct(hit_fields()), true));
        let list = ListArray::try_new(
            item,
            OffsetBuffer::new(self.offsets.into()),
            Arc::new(hits),
            Some(NullBuffer::from(self.valid)),
        )?;
        Ok(Arc::new(list))
    }
}

impl ScalarUDFImpl for ScreenName {
    fn name(&self) -> &str {
        if self.errors_only {
            SCREEN_NAME_ERROR
        } else {
            SCREEN_NAME
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Ok(if self.errors_only {
            DataType::Utf8
        } else {
            hits_type()
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let rows = args.number_rows;
        let text = text_columns(&args.args, rows, 5)?;
        let as_of = as_of_column(&args.args, rows)?;
        let mut errors = StringBuilder::new();
        let mut hits = HitsBuilder::new(if self.errors_only { 0 } else { rows });
        let base = self.screening.options();
        for i in 0..rows {
            let row = NameRow {
                schema: opt(&text[0], i),
                name: opt(&text[1], i),
                country: opt(&text[2], i),
                birth_date: opt(&text[3], i),
                id_number: opt(&text[4], i),
            };
            let date = match &as_of {
                Some((dates, raw)) if !raw.is_null(i) => match date_from_days(dates.value(i)) {
                    Some(d) if !dates.is_null(i) => Ok(Some(d)),
                    _ => Err(format!(
                        "as_of: {:?} is not a date (YYYY-MM-DD)",
                        raw.value(i)
                    )),
                },
                _ => Ok(None),
            };
            let query = date.and_then(|d| row_query(&row).map(|q| (q, d)));
            if self.errors_only {
                match query {
                    Ok(_) => errors.append_null(),
                    Err(e) => errors.append_value(e),
                }
                continue;
            }
            match query {
                Ok((q, None)) => {
                    let index = self.screening.index();
                    hits.push_row(index, Some(&index.search(&q, base)));
                }
                Ok((q, Some(d))) => {
                    let options = MatchOptions {
                        as_of: Some(d),
                        ..base.clone()
                    };
                    let index = self.screening.index_as_of(d);
                    hits.push_row(&index, Some(&index.search(&q, &options)));
                }
                Err(_) => hits.push_row(self.screening.index(), None),
            }
        }
        if self.errors_only {
            return Ok(ColumnarValue::Array(Arc::new(errors.finish())));
        }
        Ok(ColumnarValue::Array(hits.finish()?))
    }
}

/// `screen_tx(json)`.
#[derive(Debug)]
pub struct ScreenTx {
    screening: Arc<Screening>,
    signature: Signature,
}

eq_by_fingerprint!(ScreenTx);

impl ScreenTx {
    pub fn new(screening: Arc<Screening>) -> ScreenTx {
        ScreenTx {
            screening,
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

#[derive(Serialize)]
struct FindingRow<'a> {
    rule: &'a str,
    resolution: Option<u32>,
    paragraph: &'a str,
    effect: &'static str,
    summary: &'a str,
    verified: bool,
}

#[derive(Serialize)]
struct PartyMatchRow<'a> {
    role: &'a str,
    #[serde(rename = "ref")]
    reference: &'a str,
    name: &'a str,
    score: f64,
}

#[derive(Serialize, Default)]
struct DecisionRow<'a> {
    id: Option<String>,
    decision: Option<&'static str>,
    findings: Option<Vec<FindingRow<'a>>>,
    matches: Option<Vec<PartyMatchRow<'a>>>,
    error: Option<String>,
}

/// Screen one transaction; `Err` is the row's error text.
fn screen_one(
    screener: &mut Screener,
    screening: &Screening,
    json: &str,
) -> Result<resolute_screening::Decision, (Option<String>, String)> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| (None, format!("not JSON: {e}")))?;
    let id = resolute_screening::tx::id_text(&value.get("id").cloned());
    let id = (!id.is_empty()).then_some(id);
    let raw: RawTransaction =
        serde_json::from_value(value).map_err(|e| (id.clone(), e.to_string()))?;
    let tx =
        Transaction::from_raw(raw, screening.regime()).map_err(|e| (id.clone(), e.to_string()))?;
    // Each row on its own: no cap draw-down across rows (the order of a
    // distributed job's rows is not the order of the file).
    *screener.ledger_mut() = CapLedger::default();
    Ok(screener.screen(&tx))
}

impl ScalarUDFImpl for ScreenTx {
    fn name(&self) -> &str {
        SCREEN_TX
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Struct(decision_fields()))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let rows = args.number_rows;
        let text = text_columns(&args.args, rows, 1)?;
        let parties = self.screening.parties();
        let mut screener = Screener::new(self.screening.regime(), Some(parties));
        let decisions: Vec<Result<resolute_screening::Decision, (Option<String>, String)>> = (0
            ..rows)
            .map(|i| match opt(&text[0], i) {
                None => Err((None, "json: missing".to_string())),
                Some(j) => screen_one(&mut screener, &self.screening, j),
            })
            .collect();
        let out: Vec<DecisionRow> = decisions
            .iter()
            .map(|d| match d {
                Ok(d) => DecisionRow {
                    id: Some(d.id.clone()),
                    decision: Some(d.decision.as_str()),
                    findings: Some(
                        d.findings
                            .iter()
                            .map(|f| FindingRow {
                                rule: &f.rule,
                                resolution: f.resolution,
                                paragraph: &f.paragraph,
                                effect: f.effect.as_str(),
                                summary: &f.summary,
                                verified: f.verified,
                            })
                            .collect(),
                    ),
                    matches: Some(
                        d.matches
                            .iter()
                            .map(|m| PartyMatchRow {
                                role: &m.role,
                                reference: &m.reference,
                                name: &m.name,
                                score: m.score,
                            })
                            .collect(),
                    ),
                    error: None,
                },
                Err((id, e)) => DecisionRow {
                    id: id.clone(),
                    error: Some(e.clone()),
                    ..DecisionRow::default()
                },
            })
            .collect();
        let schema = Arc::new(datafusion::arrow::datatypes::Schema::new(decision_fields()));
        let mut decoder = datafusion::arrow::json::ReaderBuilder::new(schema)
            .with_batch_size(rows.max(1))
            .build_decoder()?;
        decoder.serialize(&out)?;
        let array: ArrayRef = match decoder.flush()? {
            Some(batch) => Arc::new(StructArray::from(batch)),
            None => datafusion::arrow::array::new_empty_array(&DataType::Struct(decision_fields())),
        };
        Ok(ColumnarValue::Array(array))
    }
}

/// `resolute_versions()`: the versions this process screens with (JSON).
#[derive(Debug)]
pub struct ResoluteVersions {
    screening: Arc<Screening>,
    signature: Signature,
}

eq_by_fingerprint!(ResoluteVersions);

impl ResoluteVersions {
    pub fn new(screening: Arc<Screening>) -> ResoluteVersions {
        ResoluteVersions {
            screening,
            signature: Signature::nullary(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for ResoluteVersions {
    fn name(&self) -> &str {
        RESOLUTE_VERSIONS
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let json = serde_json::to_string(self.screening.versions()).unwrap_or_default();
        Ok(ColumnarValue::Scalar(
            datafusion::scalar::ScalarValue::Utf8(Some(json)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(schema: &'a str, name: &'a str, dob: Option<&'a str>) -> NameRow<'a> {
        NameRow {
            schema: Some(schema),
            name: Some(name),
            country: None,
            birth_date: dob,
            id_number: None,
        }
    }

    #[test]
    fn row_errors_name_the_field() {
        assert_eq!(
            row_query(&row("Person", " ", None)).err().as_deref(),
            Some("name: missing")
        );
        assert_eq!(
            row_query(&row("Persn", "Kim", None)).err().as_deref(),
            Some("schema: unknown \"Persn\"")
        );
        assert!(
            row_query(&row("Person", "Kim", Some("1984-13-45")))
                .err()
                .is_some_and(|e| e.starts_with("birth_date:"))
        );
        let q = row_query(&row("Person", "Kim Jong Un", Some("1984-01-08"))).ok();
        assert_eq!(
            q.as_ref().map(|q| q.get(prop::BIRTH_DATE).to_vec()),
            Some(vec!["1984-01-08".to_string()])
        );
    }

    #[test]
    fn date32_days_round_trip() {
        let d = NaiveDate::from_ymd_opt(2017, 8, 5);
        assert_eq!(d.map(days_of), Some(17_383));
        assert_eq!(date_from_days(17_383), d);
    }
}
