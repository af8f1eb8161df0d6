//! Labelled or unlabelled name pairs in the nomenklatura `name_bench` CSV
//! shape (`schema,name1,name2[,is_match,...]`; other columns ignored), for
//! `resolute compare` and the evaluation scripts.

use std::io::Read;

use resolute_model::Schema;

/// One pair of names to compare.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// Row number from 1 (header excluded).
    pub row: usize,
    pub schema: Schema,
    pub name1: String,
    pub name2: String,
    /// The `is_match` label when the file has one.
    pub label: Option<bool>,
}

/// A row that could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("row {row}: {message}")]
pub struct PairError {
    pub row: usize,
    pub message: String,
}

/// A file-level error (no header, missing columns).
#[derive(Debug, thiserror::Error)]
pub enum PairsError {
    #[error("cannot read the CSV header: {0}")]
    Header(String),
    #[error("the CSV header lacks column {0:?} (need schema,name1,name2)")]
    MissingColumn(&'static str),
}

/// Read every row; bad rows come back as `Err` and the rest goes on.
pub fn read_pairs<R: Read>(input: R) -> Result<Vec<Result<Pair, PairError>>, PairsError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = rdr
        .headers()
        .map_err(|e| PairsError::Header(e.to_string()))?
        .clone();
    let col = |name: &'static str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or(PairsError::MissingColumn(name))
    };
    let (c_schema, c1, c2) = (col("schema")?, col("name1")?, col("name2")?);
    let c_label = headers
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case("is_match"));
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i + 1;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                out.push(Err(PairError {
                    row,
                    message: e.to_string(),
                }));
                continue;
            }
        };
        let field = |c: usize| rec.get(c).map(str::trim).unwrap_or("");
        let schema_s = field(c_schema);
        let Some(schema) = Schema::parse(schema_s) else {
            out.push(Err(PairError {
                row,
                message: format!("unknown schema {schema_s:?}"),
            }));
            continue;
        };
        let (n1, n2) = (field(c1), field(c2));
        if n1.is_empty() || n2.is_empty() {
            out.push(Err(PairError {
                row,
                message: "name1 and name2 must not be empty".into(),
            }));
            continue;
        }
        let label = c_label.and_then(|c| match field(c).to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Some(true),
            "false" | "0" | "no" => Some(false),
            _ => None,
        });
        out.push(Ok(Pair {
            row,
            schema,
            name1: n1.to_string(),
            name2: n2.to_string(),
            label,
        }));
    }
    Ok(out)
}

/// Precision, recall and F1 of predictions against labels.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Confusion {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub tn: usize,
}

impl Confusion {
    pub fn add(&mut self, label: bool, predicted: bool) {
        match (label, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }
    pub fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    pub fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_name_bench_rows_and_reports_bad_ones() {
        let csv = "case_group,schema,name1,name2,is_match\ng,Person,\"Putin, Vladimir\",Vladimir Putin,true\ng,Planet,a,b,false\ng,Company,x,,false\n";
        let rows = read_pairs(csv.as_bytes()).unwrap_or_default();
        assert_eq!(rows.len(), 3);
        let first = rows[0].as_ref().map_err(|e| e.to_string());
        assert_eq!(
            first.map(|p| (p.name1.as_str(), p.label)),
            Ok(("Putin, Vladimir", Some(true)))
        );
        assert!(matches!(&rows[1], Err(e) if e.row == 2 && e.message.contains("Planet")));
        assert!(matches!(&rows[2], Err(e) if e.row == 3));
    }

    #[test]
    fn missing_column_is_a_file_error() {
        assert!(matches!(
            read_pairs("a,b\n1,2\n".as_bytes()),
            Err(PairsError::MissingColumn("schema"))
        ));
    }
}
