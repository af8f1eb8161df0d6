//! An analyst's own edges, as CSV or JSON.
//!
//! # Format
//!
//! CSV with a header row, or a JSON array of objects with the same field
//! names. One edge per row; only `from`, `to` and `kind` are required.
//!
//! | field | meaning |
//! |---|---|
//! | `from`, `to` | a party: `un:KPe.047` (UN reference), `ofac:15603` (SDN `ent_num`), a graph key (`bods:tecido.json#01B68D7633`), or a new party's own key (`acme-trading`, stored as `analyst:acme-trading`) |
//! | `from_name`, `to_name` | the name of a new party (needed the first time a new key appears) |
//! | `from_schema`, `to_schema` | its FtM schema: `Company` (default), `Person`, `Organization`, `LegalEntity`, `Vessel` |
//! | `kind` | `ownership`, `control`, `acting_on_behalf`, `directorship`, `vessel_management`, `unknown_link`, `joint_arrangement` (direction as in [`RelationKind`]: the owner, controller, principal, organisation or vessel company first) |
//! | `share` | percent, for ownership (`60`, `33.3`) |
//! | `share_min`, `share_max` | a range instead (`25`, `50`); no share: unknown |
//! | `start`, `end` | `YYYY-MM-DD`; the edge holds from `start` (inclusive) until `end` (exclusive) |
//! | `role` | words for the relation (`registered owner`, `director`) |
//! | `source` | what the analyst relies on (a document, a register extract) |
//! | `note` | free text |
//!
//! A bad row (missing party, unknown kind, a share that is not a number or
//! outside 0–100 %, minimum above maximum, a bad date, an end before the
//! start) is an error naming the line (CSV: the file line; JSON: the item,
//! 1-based) and is left out; the other rows are imported. A party key that
//! is neither in the graph nor declared with a name is reported when the
//! edges are added to a graph.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::graph::GraphBuilder;
use crate::model::{Origin, Provenance, RelationKind};
use crate::plan::{PlannedParty, PlannedRelation};
use crate::problem::{GraphError, Problem};

/// One row of an analyst's edge file (CSV columns or JSON fields).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnalystEdge {
    pub from: String,
    pub from_name: Option<String>,
    pub from_schema: Option<String>,
    pub to: String,
    pub to_name: Option<String>,
    pub to_schema: Option<String>,
    pub kind: String,
    pub share: Option<String>,
    pub share_min: Option<String>,
    pub share_max: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub role: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
}

/// The plan an edge file makes and the problems it has.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AnalystImport {
    pub file: String,
    pub rows: usize,
    pub parties: Vec<PlannedParty>,
    pub relations: Vec<PlannedRelation>,
    pub problems: Vec<Problem>,
}

/// The graph key an analyst's party reference names.
pub fn party_key(reference: &str) -> String {
    let r = reference.trim();
    if let Some(un) = r.strip_prefix("un:") {
        resolute_model::Entity::make_id(resolute_model::Source::Un, un)
    } else if let Some(sdn) = r.strip_prefix("ofac:") {
        resolute_model::Entity::make_id(resolute_model::Source::OfacSdn, sdn)
    } else if r.starts_with("bods:")
        || r.starts_with("analyst:")
        || r.starts_with("un-")
        || r.starts_with("ofac-sdn-")
    {
        r.to_string()
    } else {
        format!("analyst:{r}")
    }
}

fn percent(field: &str, v: &Option<String>) -> Result<Option<f64>, String> {
    let Some(s) = v.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let x: f64 = s
        .trim_end_matches('%')
        .trim()
        .parse()
        .map_err(|_| format!("{field} {s:?} is not a number"))?;
    if !(0.0..=100.0).contains(&x) {
        return Err(format!("{field} {x} % is outside 0–100 %"));
    }
    Ok(Some(x))
}

fn date(field: &str, v: &Option<String>) -> Result<Option<NaiveDate>, String> {
    let Some(s) = v.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("{field} {s:?} is not a date (YYYY-MM-DD)"))
}

fn row(edge: &AnalystEdge, file: &str, line: u64, out: &mut AnalystImport) -> Result<(), String> {
    if edge.from.trim().is_empty() || edge.to.trim().is_empty() {
        return Err("from and to are required".into());
    }
    let kind = RelationKind::parse(&edge.kind)
        .ok_or_else(|| format!("unknown kind {:?} (ownership, control, acting_on_behalf, directorship, vessel_management, unknown_link, joint_arrangement)", edge.kind))?;
    let share = percent("share", &edge.share)?;
    let (min, max) = match share {
        Some(s) => (Some(s), Some(s)),
        None => (
            percent("share_min", &edge.share_min)?,
            percent("share_max", &edge.share_max)?,
        ),
    };
    if let (Some(a), Some(b)) = (min, max)
        && a > b
    {
        return Err(format!("share_min {a} % above share_max {b} %"));
    }
    if kind != RelationKind::Ownership && (min.is_some() || max.is_some()) {
        return Err(format!(
            "a share is given for a {kind} edge; only ownership has a share"
        ));
    }
    let (start, end) = (date("start", &edge.start)?, date("end", &edge.end)?);
    if let (Some(a), Some(b)) = (start, end)
        && b <= a
    {
        return Err(format!(
            "dates out of order: end {b} is not after start {a}"
        ));
    }
    let (from, to) = (party_key(&edge.from), party_key(&edge.to));
    for (key, name, schema) in [
        (&from, &edge.from_name, &edge.from_schema),
        (&to, &edge.to_name, &edge.to_schema),
    ] {
        let Some(name) = name.as_deref().map(str::trim).filter(|n| !n.is_empty()) else {
            continue;
        };
        if key.starts_with("analyst:") && !out.parties.iter().any(|p| p.key == *key) {
            out.parties.push(PlannedParty {
                key: key.clone(),
                schema: schema.clone().unwrap_or_else(|| "Company".into()),
                name: name.to_string(),
                alternate_names: Vec::new(),
                identifiers: Vec::new(),
                countries: Vec::new(),
                origin: Origin::Analyst,
            });
        }
    }
    out.relations.push(PlannedRelation {
        from,
        to,
        kind,
        share_min: min,
        share_max: max,
        start,
        end,
        former: false,
        role: edge.role.clone().filter(|r| !r.trim().is_empty()),
        provenance: Provenance::Analyst {
            file: file.to_string(),
            line,
            cited: edge.source.clone().filter(|s| !s.trim().is_empty()),
            note: edge.note.clone().filter(|s| !s.trim().is_empty()),
        },
    });
    Ok(())
}

/// Parse an edge file in CSV (header row required).
pub fn parse_csv(file: &str, bytes: &[u8]) -> Result<AnalystImport, GraphError> {
    let mut out = AnalystImport {
        file: file.to_string(),
        ..Default::default()
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = rdr.headers().map_err(|e| GraphError::Csv {
        file: file.to_string(),
        line: 1,
        message: e.to_string(),
    })?;
    for required in ["from", "to", "kind"] {
        if !headers.iter().any(|h| h == required) {
            return Err(GraphError::Format {
                file: file.to_string(),
                message: format!(
                    "header has no column {required:?} (columns: from, to, kind, share, …)"
                ),
            });
        }
    }
    for rec in rdr.deserialize::<AnalystEdge>() {
        out.rows += 1;
        match rec {
            Ok(edge) => {
                let line = out.rows as u64 + 1;
                if let Err(m) = row(&edge, file, line, &mut out) {
                    out.problems.push(Problem::error(
                        file,
                        format!("line {line}"),
                        format!("{m}; row left out"),
                    ));
                }
            }
            Err(e) => {
                let line = e.position().map_or(out.rows as u64 + 1, |p| p.line());
                out.problems.push(Problem::error(
                    file,
                    format!("line {line}"),
                    format!("{e}; row left out"),
                ));
            }
        }
    }
    Ok(out)
}

/// Parse an edge file in JSON (an array of edge objects).
pub fn parse_json(file: &str, bytes: &[u8]) -> Result<AnalystImport, GraphError> {
    let items: Vec<serde_json::Value> =
        serde_json::from_slice(bytes).map_err(|source| GraphError::Json {
            file: file.to_string(),
            source,
        })?;
    let mut out = AnalystImport {
        file: file.to_string(),
        rows: items.len(),
        ..Default::default()
    };
    for (i, item) in items.into_iter().enumerate() {
        let line = i as u64 + 1;
        let result = serde_json::from_value::<AnalystEdge>(item)
            .map_err(|e| e.to_string())
            .and_then(|edge| row(&edge, file, line, &mut out));
        if let Err(m) = result {
            out.problems.push(Problem::error(
                file,
                format!("item {line}"),
                format!("{m}; edge left out"),
            ));
        }
    }
    Ok(out)
}

impl GraphBuilder {
    /// Add parsed analyst edges; unknown party keys are added to the
    /// import's problems.
    pub fn add_analyst(&mut self, import: &mut AnalystImport) {
        self.problems.extend(import.problems.iter().cloned());
        let problems = self.add_plan(&import.file, &import.parties, &import.relations);
        import.problems.extend(problems);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(party_key("un:KPe.047"), "un-kpe.047");
        assert_eq!(party_key("ofac:15603"), "ofac-sdn-15603");
        assert_eq!(party_key("acme"), "analyst:acme");
        assert_eq!(party_key("bods:x.json#1"), "bods:x.json#1");
    }

    #[test]
    fn bad_rows_are_named_and_the_rest_imported() {
        let csv = "from,from_name,to,to_name,kind,share,share_min,share_max,start,end\n\
                   un:KPe.047,,acme,Acme Trading,ownership,60,,,2017-01-01,\n\
                   un:KPe.047,,acme,,ownership,160,,,,\n\
                   un:KPe.047,,acme,,owns,10,,,,\n\
                   un:KPe.047,,acme,,ownership,,50,25,,\n\
                   un:KPe.047,,acme,,ownership,10,,,2018-01-01,2017-01-01\n\
                   un:KPe.047,,acme,,control,,,,01/02/2017,\n";
        let imp = parse_csv("edges.csv", csv.as_bytes()).unwrap();
        assert_eq!(imp.relations.len(), 1);
        assert_eq!(imp.parties.len(), 1);
        let msgs: Vec<String> = imp
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.location, p.message))
            .collect();
        assert_eq!(msgs.len(), 5, "{msgs:?}");
        assert!(
            msgs[0].starts_with("line 3: share 160 % is outside"),
            "{msgs:?}"
        );
        assert!(msgs[1].starts_with("line 4: unknown kind \"owns\""));
        assert!(msgs[2].starts_with("line 5: share_min 50 % above share_max 25 %"));
        assert!(msgs[3].starts_with("line 6: dates out of order"));
        assert!(msgs[4].starts_with("line 7: start \"01/02/2017\" is not a date"));
    }
}
