//! The SQL behind `resolute batch --names`, `--transactions` and
//! `--as-of-designations`, built from the input's column names.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use datafusion::arrow::datatypes::Schema as ArrowSchema;

use crate::error::{BatchError, Result};

/// Column names accepted for each argument of `screen_name`, first found wins
/// (compared without case).
const SCHEMA_COLUMNS: &[&str] = &["schema"];
const NAME_COLUMNS: &[&str] = &["name", "full_name", "caption"];
const COUNTRY_COLUMNS: &[&str] = &["country", "nationality", "citizenship", "jurisdiction"];
const BIRTH_DATE_COLUMNS: &[&str] = &["birth_date", "birthdate", "dob", "date_of_birth"];
const ID_COLUMNS: &[&str] = &["id_number", "idnumber", "passport", "passport_number"];

/// A column name as an SQL identifier (quoted, so any name works).
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn find(schema: &ArrowSchema, candidates: &[&str]) -> Option<String> {
    candidates.iter().find_map(|c| {
        schema
            .fields()
            .iter()
            .find(|f| f.name().eq_ignore_ascii_case(c))
            .map(|f| ident(f.name()))
    })
}

/// The five argument expressions of `screen_name` for a table with this
/// schema; `default_schema` when the table has no `schema` column.
pub fn name_arguments(table: &ArrowSchema, default_schema: &str) -> Result<String> {
    let name = find(table, NAME_COLUMNS).ok_or_else(|| {
        BatchError::Query(format!(
            "--names needs a name column (one of {}); the input has {}",
            NAME_COLUMNS.join(", "),
            column_list(table)
        ))
    })?;
    let literal = format!("'{}'", default_schema.replace('\'', "''"));
    let or_null = |c: Option<String>| c.unwrap_or_else(|| "NULL".into());
    Ok(format!(
        "{}, {name}, {}, {}, {}",
        find(table, SCHEMA_COLUMNS).unwrap_or(literal),
        or_null(find(table, COUNTRY_COLUMNS)),
        or_null(find(table, BIRTH_DATE_COLUMNS)),
        or_null(find(table, ID_COLUMNS)),
    ))
}

fn column_list(table: &ArrowSchema) -> String {
    let names: Vec<&str> = table.fields().iter().map(|f| f.name().as_str()).collect();
    if names.is_empty() {
        "no columns".into()
    } else {
        format!("columns {}", names.join(", "))
    }
}

/// `--names`: every input column, the hits and the row's error.
pub fn names_sql(table: &ArrowSchema, default_schema: &str) -> Result<String> {
    let args = name_arguments(table, default_schema)?;
    Ok(format!(
        "SELECT *, screen_name({args}) AS hits, screen_name_error({args}) AS error FROM input"
    ))
}

/// `--transactions`: the decision of each transaction (a `json` column of
/// transaction objects, as `lines_to_parquet` makes from JSON Lines).
pub fn transactions_sql(table: &ArrowSchema) -> Result<String> {
    let json = find(table, &["json"]).ok_or_else(|| {
        BatchError::Query(format!(
            "--transactions needs a json column of transaction objects; the input has {}",
            column_list(table)
        ))
    })?;
    // A line that is not JSON has no id: like `resolute screen`, name it by its line number.
    let (line, id) = match find(table, &["line"]) {
        Some(l) => (
            format!("{l}, "),
            format!("COALESCE(d['id'], CAST({l} AS VARCHAR))"),
        ),
        None => (String::new(), "d['id']".to_string()),
    };
    Ok(format!(
        "SELECT {line}{id} AS id, d['decision'] AS decision, d['findings'] AS findings, \
         d['matches'] AS matches, d['error'] AS error \
         FROM (SELECT *, screen_tx({json}) AS d FROM input)"
    ))
}

/// `--as-of-designations`: every input row re-screened as of each date on
/// which entries were designated, keeping the hits on entries designated that
/// very day ("who would the designations of 5 August 2017 have hit?").
/// One output row per (date, input row, hit).
pub fn as_of_designations_sql(
    table: &ArrowSchema,
    default_schema: &str,
    dates: &BTreeMap<NaiveDate, Vec<String>>,
) -> Result<String> {
    if dates.is_empty() {
        return Err(BatchError::History(
            "no designation dates (is the program filter right?)".into(),
        ));
    }
    let args = name_arguments(table, default_schema)?;
    let values: Vec<String> = dates
        .iter()
        .map(|(d, refs)| format!("(DATE '{d}', {})", refs.len()))
        .collect();
    let columns: Vec<String> = table.fields().iter().map(|f| ident(f.name())).collect();
    let row_columns: Vec<String> = columns.iter().map(|c| format!("i.{c}")).collect();
    Ok(format!(
        "SELECT as_of, designated, {cols}, hit['ref'] AS ref, hit['list'] AS list, \
         hit['name'] AS listed_name, hit['score'] AS score, hit['match'] AS \"match\", \
         hit['explanation'] AS explanation \
         FROM (SELECT d.as_of, d.designated, {row_cols}, \
               unnest(screen_name({args_i}, d.as_of)) AS hit \
               FROM input i CROSS JOIN (VALUES {values}) AS d(as_of, designated)) \
         WHERE hit['listed_on'] = as_of \
         ORDER BY as_of, ref",
        cols = columns.join(", "),
        row_cols = row_columns.join(", "),
        args_i = qualify(&args, table),
        values = values.join(", "),
    ))
}

/// Prefix the input's column references in `args` with `i.`.
fn qualify(args: &str, table: &ArrowSchema) -> String {
    args.split(", ")
        .map(|a| {
            if table.fields().iter().any(|f| ident(f.name()) == a) {
                format!("i.{a}")
            } else {
                a.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::{DataType, Field};

    fn schema(cols: &[&str]) -> ArrowSchema {
        ArrowSchema::new(
            cols.iter()
                .map(|c| Field::new(*c, DataType::Utf8, true))
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn names_sql_uses_the_columns_present() {
        let sql = names_sql(&schema(&["id", "Name", "nationality", "dob"]), "Person").ok();
        assert_eq!(
            sql.as_deref(),
            Some(
                "SELECT *, screen_name('Person', \"Name\", \"nationality\", \"dob\", NULL) AS hits, \
                 screen_name_error('Person', \"Name\", \"nationality\", \"dob\", NULL) AS error \
                 FROM input"
            )
        );
        let err = names_sql(&schema(&["id", "surname"]), "Person")
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("columns id, surname")));
    }
}
