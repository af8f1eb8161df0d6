//! Beneficial Ownership Data Standard 0.4 packages (a JSON array of
//! statements with `recordType` entity, person or relationship).
//!
//! **Parties.** Each entity or person record becomes a party keyed
//! `bods:FILE#RECORD_ID`, named from its latest statement; entity types map
//! to FtM schemata (`registeredEntity` → Company, `state` / `stateBody` →
//! Organization, others → LegalEntity; persons → Person); identifiers are
//! kept for look-up.
//!
//! **Relations.** A relationship record's interested party → its subject.
//! Per statement, the interests map to at most one relation of each kind:
//! `shareholding` and `votingRights` → ownership (the larger share: they
//! describe the same holding, adding them would double it; `exact`, or
//! `minimum`/`maximum` as a range, none → unknown); `boardMember`,
//! `boardChair`, `seniorManagingOfficial` → directorship (subject →
//! person); `nominee` → acting on behalf (the arrangement → its nominee);
//! `unknownInterest`, `unpublishedInterest` → unknown link; every other
//! interest type of the 0.4 codelist (appointment of board, other influence
//! or control, settlor, trustee, protector, beneficiary, nominator, rights
//! to profit or surplus, control by contract, articles or legal framework,
//! enjoyment of assets) → control. An interest type outside the codelist is
//! a warning and an unknown link.
//!
//! **Dates.** A relation holds from the interest's `startDate` (else the
//! statement date) until its `endDate`, else until the next statement of
//! the same record changes it (at that statement's interest `startDate` if
//! later, else at its statement date: `fermcat.json` changes 50 % → 100 %
//! on 2022-01-21 with the old start date), else until the record is
//! closed (its `endDate`, else the closing statement's date). Statements of
//! a record are read in `statementDate` order.
//!
//! **Indirect interests** whose component records are all in the package
//! are a declaration to check, not an edge (the components are the edges;
//! adding both would count the holding twice): they are returned in
//! [`BodsImport::declared_indirect`]. Without its components an indirect
//! interest is imported as an edge with the role `indirect`.
//!
//! **Problems** (each names the file and statement; the rest is imported):
//! not an array → [`GraphError::Format`]; a statement without
//! `statementId` or `recordId`, an unknown `recordType` (or a BODS < 0.4
//! `statementType`) → error, statement skipped; a relationship whose
//! subject or interested party is not a record of the package (dangling) →
//! error, skipped; an unspecified interested party → warning, skipped; a
//! share outside 0–100 %, minimum above maximum, an unparseable date, an
//! end before its start → error, that interest dropped; statements of a
//! record out of date order, a record not starting with `new`, statements
//! after `closed` → warning; direct ownership of one subject summing over
//! 100 % on a date → warning; an ownership or control cycle → warning
//! naming the statements on it.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use crate::graph::GraphBuilder;
use crate::model::{Origin, Provenance, RelationKind};
use crate::plan::{PlannedParty, PlannedRelation};
use crate::problem::{GraphError, Problem};

/// An indirect interest a package declares alongside its components.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeclaredIndirect {
    pub statement_id: String,
    pub from: String,
    pub to: String,
    pub interest: String,
    pub share_min: Option<f64>,
    pub share_max: Option<f64>,
    pub components: Vec<String>,
}

/// The plan a BODS package makes and the problems it has.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BodsImport {
    pub file: String,
    pub statements: usize,
    pub parties: Vec<PlannedParty>,
    pub relations: Vec<PlannedRelation>,
    pub declared_indirect: Vec<DeclaredIndirect>,
    pub problems: Vec<Problem>,
}

const OWNERSHIP: &[&str] = &["shareholding", "votingRights"];
const DIRECTORSHIP: &[&str] = &["boardMember", "boardChair", "seniorManagingOfficial"];
const UNKNOWN: &[&str] = &["unknownInterest", "unpublishedInterest"];
const CONTROL: &[&str] = &[
    "appointmentOfBoard",
    "otherInfluenceOrControl",
    "settlor",
    "trustee",
    "protector",
    "beneficiaryOfLegalArrangement",
    "rightsToSurplusAssetsOnDissolution",
    "rightsToProfitOrIncome",
    "rightsGrantedByContract",
    "conditionalRightsGrantedByContract",
    "controlViaCompanyRulesOrArticles",
    "controlByLegalFramework",
    "enjoymentAndUseOfAssets",
    "rightToProfitOrIncomeFromAssets",
    "nominator",
];

fn kind_of(interest: &str) -> Option<RelationKind> {
    if OWNERSHIP.contains(&interest) {
        Some(RelationKind::Ownership)
    } else if DIRECTORSHIP.contains(&interest) {
        Some(RelationKind::Directorship)
    } else if interest == "nominee" {
        Some(RelationKind::ActingOnBehalf)
    } else if UNKNOWN.contains(&interest) {
        Some(RelationKind::UnknownLink)
    } else if CONTROL.contains(&interest) {
        Some(RelationKind::Control)
    } else {
        None
    }
}

/// A BODS date or date-time (`2022-01-21`, `2019-09-11T11:17:23Z`).
fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// One statement, as far as the import needs it.
struct Statement<'a> {
    index: usize,
    id: String,
    record: String,
    status: String,
    date: Option<NaiveDate>,
    details: &'a Value,
}

/// One interest of one statement, validated.
#[derive(Debug, Clone)]
struct Interest {
    kind: RelationKind,
    types: Vec<String>,
    min: Option<f64>,
    max: Option<f64>,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    indirect: bool,
}

/// Parse a package from its bytes. `file` names it in keys and problems.
pub fn parse(file: &str, bytes: &[u8]) -> Result<BodsImport, GraphError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|source| GraphError::Json {
        file: file.to_string(),
        source,
    })?;
    let Value::Array(items) = value else {
        return Err(GraphError::Format {
            file: file.to_string(),
            message: "a BODS package is a JSON array of statements".into(),
        });
    };
    let mut out = BodsImport {
        file: file.to_string(),
        statements: items.len(),
        ..Default::default()
    };
    let stem = file.rsplit('/').next().unwrap_or(file);
    let key = |record: &str| format!("bods:{stem}#{record}");
    let mut statements: Vec<Statement> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let at = || format!("statement #{}", index + 1);
        let Some(id) = str_at(item, "statementId") else {
            out.problems
                .push(Problem::error(file, at(), "no statementId; skipped"));
            continue;
        };
        let loc = format!("statement {id}");
        let Some(record_type) = str_at(item, "recordType") else {
            let msg = match str_at(item, "statementType") {
                Some(t) => {
                    format!("statementType {t:?} is BODS before 0.4 (no recordType); skipped")
                }
                None => "no recordType; skipped".into(),
            };
            out.problems.push(Problem::error(file, loc, msg));
            continue;
        };
        if !matches!(record_type, "entity" | "person" | "relationship") {
            out.problems.push(Problem::error(
                file,
                loc,
                format!("unknown statement type (recordType {record_type:?}); skipped"),
            ));
            continue;
        }
        let (Some(record), Some(details)) = (str_at(item, "recordId"), item.get("recordDetails"))
        else {
            out.problems.push(Problem::error(
                file,
                loc,
                "no recordId or recordDetails; skipped",
            ));
            continue;
        };
        let date = str_at(item, "statementDate").and_then(parse_date);
        if date.is_none() {
            out.problems.push(Problem::warning(
                file,
                loc.clone(),
                "statementDate missing or not a date",
            ));
        }
        statements.push(Statement {
            index,
            id: id.to_string(),
            record: format!("{record_type}:{record}"),
            status: str_at(item, "recordStatus").unwrap_or("new").to_string(),
            date,
            details,
        });
    }
    // Records in statement-date order (stable: file order within a date).
    let mut records: BTreeMap<String, Vec<&Statement>> = BTreeMap::new();
    for s in &statements {
        records.entry(s.record.clone()).or_default().push(s);
    }
    let mut parties_by_record: HashMap<String, String> = HashMap::new();
    for (record, list) in records.iter_mut() {
        check_order(file, list, &mut out.problems);
        list.sort_by_key(|s| (s.date, s.index));
        let Some(last) = list
            .iter()
            .rev()
            .find(|s| s.status != "closed")
            .or(list.last())
        else {
            continue;
        };
        let (rtype, rid) = record.split_once(':').unwrap_or(("", record));
        if rtype == "relationship" {
            continue;
        }
        let party = party_from(&key(rid), rtype, last.details);
        parties_by_record.insert(rid.to_string(), party.key.clone());
        out.parties.push(party);
    }
    for (record, list) in &records {
        let (rtype, rid) = record.split_once(':').unwrap_or(("", record));
        if rtype == "relationship" {
            relationship(file, rid, list, &parties_by_record, &mut out);
        }
    }
    over_full(file, &mut out);
    cycles(file, &mut out);
    Ok(out)
}

fn check_order(file: &str, list: &[&Statement], problems: &mut Vec<Problem>) {
    for w in list.windows(2) {
        if let (Some(a), Some(b)) = (w[0].date, w[1].date)
            && b < a
        {
            problems.push(Problem::warning(
                    file,
                    format!("statement {}", w[1].id),
                    format!(
                        "dates out of order: statementDate {b} comes after statement {} of {a} for the same record",
                        w[0].id
                    ),
                ));
        }
    }
    if let Some(first) = list.first()
        && first.status != "new"
    {
        problems.push(Problem::warning(
            file,
            format!("statement {}", first.id),
            format!(
                "the record's first statement has recordStatus {:?}, not \"new\"",
                first.status
            ),
        ));
    }
    if let Some(closed) = list.iter().position(|s| s.status == "closed") {
        for s in &list[closed + 1..] {
            problems.push(Problem::warning(
                file,
                format!("statement {}", s.id),
                "statement after the record was closed",
            ));
        }
    }
}

fn party_from(key: &str, rtype: &str, d: &Value) -> PlannedParty {
    let (schema, name, alternates) = if rtype == "person" {
        let names: Vec<String> = d
            .get("names")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|n| {
                        str_at(n, "fullName").map(str::to_string).or_else(|| {
                            let parts: Vec<&str> = ["givenName", "familyName"]
                                .iter()
                                .filter_map(|k| str_at(n, k))
                                .collect();
                            (!parts.is_empty()).then(|| parts.join(" "))
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut it = names.into_iter();
        let first = it.next().unwrap_or_else(|| "(unnamed person)".into());
        ("Person", first, it.collect())
    } else {
        let etype = d
            .get("entityType")
            .and_then(|t| str_at(t, "type"))
            .unwrap_or("");
        let schema = match etype {
            "registeredEntity" => "Company",
            "state" | "stateBody" => "Organization",
            _ => "LegalEntity",
        };
        let alternates = d
            .get("alternateNames")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        (
            schema,
            str_at(d, "name").unwrap_or("(unnamed entity)").to_string(),
            alternates,
        )
    };
    let identifiers = d
        .get("identifiers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|i| str_at(i, "id"))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let countries = d
        .get("jurisdiction")
        .and_then(|j| str_at(j, "code"))
        .map(|c| vec![c.to_ascii_lowercase()])
        .unwrap_or_default();
    PlannedParty {
        key: key.to_string(),
        schema: schema.to_string(),
        name,
        alternate_names: alternates,
        identifiers,
        countries,
        origin: Origin::Bods,
    }
}

/// The validated interests of one statement.
fn interests(file: &str, s: &Statement, problems: &mut Vec<Problem>) -> Vec<Interest> {
    let loc = || format!("statement {}", s.id);
    let mut out: Vec<Interest> = Vec::new();
    let Some(list) = s.details.get("interests").and_then(Value::as_array) else {
        return out;
    };
    for i in list {
        let t = str_at(i, "type").unwrap_or("unknownInterest").to_string();
        let kind = kind_of(&t).unwrap_or_else(|| {
            problems.push(Problem::warning(
                file,
                loc(),
                format!("interest type {t:?} is not in the BODS 0.4 codelist; imported as an unknown link"),
            ));
            RelationKind::UnknownLink
        });
        let share = i.get("share");
        let num = |k: &str| share.and_then(|sh| sh.get(k)).and_then(Value::as_f64);
        let (min, max) = match num("exact") {
            Some(e) => (Some(e), Some(e)),
            None => (num("minimum"), num("maximum")),
        };
        if let Some(bad) = [min, max]
            .into_iter()
            .flatten()
            .find(|v| !(0.0..=100.0).contains(v))
        {
            problems.push(Problem::error(
                file,
                loc(),
                format!("interest {t}: share {bad} % is outside 0–100 %; interest dropped"),
            ));
            continue;
        }
        if let (Some(a), Some(b)) = (min, max)
            && a > b
        {
            problems.push(Problem::error(
                file,
                loc(),
                format!("interest {t}: share minimum {a} % above maximum {b} %; interest dropped"),
            ));
            continue;
        }
        let mut date = |k: &str| -> Result<Option<NaiveDate>, ()> {
            match str_at(i, k) {
                None => Ok(None),
                Some(v) => parse_date(v).map(Some).ok_or_else(|| {
                    problems.push(Problem::error(
                        file,
                        loc(),
                        format!("interest {t}: {k} {v:?} is not a date; interest dropped"),
                    ));
                }),
            }
        };
        let (Ok(start), Ok(end)) = (date("startDate"), date("endDate")) else {
            continue;
        };
        if let (Some(a), Some(b)) = (start, end)
            && b < a
        {
            problems.push(Problem::error(
                    file,
                    loc(),
                    format!("interest {t}: dates out of order (endDate {b} before startDate {a}); interest dropped"),
                ));
            continue;
        }
        let indirect = str_at(i, "directOrIndirect") == Some("indirect");
        // One relation per kind and statement: shareholding and voting
        // rights describe one holding (the larger share counts).
        if let Some(same) = out
            .iter_mut()
            .find(|x| x.kind == kind && x.indirect == indirect)
        {
            same.types.push(t);
            same.min = max_opt(same.min, min);
            same.max = max_opt(same.max, max);
            same.start = same.start.min(start).or(same.start).or(start);
            same.end = match (same.end, end) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
            continue;
        }
        out.push(Interest {
            kind,
            types: vec![t],
            min,
            max,
            start,
            end,
            indirect,
        });
    }
    out
}

fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

fn relationship(
    file: &str,
    rid: &str,
    list: &[&Statement],
    parties: &HashMap<String, String>,
    out: &mut BodsImport,
) {
    let Some(first) = list.first() else { return };
    let loc = format!("statement {}", first.id);
    let subject = first.details.get("subject");
    let party = first.details.get("interestedParty");
    let (Some(subject), Some(party)) = (subject, party) else {
        out.problems.push(Problem::error(
            file,
            loc,
            "relationship without subject or interestedParty; skipped",
        ));
        return;
    };
    let Some(party) = party.as_str() else {
        out.problems.push(Problem::warning(
            file,
            loc,
            "interested party unspecified; relationship skipped",
        ));
        return;
    };
    let subject = subject.as_str().unwrap_or_default();
    let (Some(to), Some(from)) = (parties.get(subject), parties.get(party)) else {
        let missing = if parties.contains_key(subject) {
            party
        } else {
            subject
        };
        out.problems.push(Problem::error(
            file,
            loc,
            format!("dangling reference: record {missing:?} is not an entity or person of this package; relationship skipped"),
        ));
        return;
    };
    let closed = list.iter().find(|s| s.status == "closed");
    let versions: Vec<&&Statement> = list.iter().filter(|s| s.status != "closed").collect();
    let parsed: Vec<Vec<Interest>> = versions
        .iter()
        .map(|s| interests(file, s, &mut out.problems))
        .collect();
    let closed_interests = closed
        .map(|c| interests(file, c, &mut Vec::new()))
        .unwrap_or_default();
    for (j, s) in versions.iter().enumerate() {
        for it in &parsed[j] {
            let components: Vec<String> = s
                .details
                .get("componentRecords")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            if it.indirect && !components.is_empty() {
                out.declared_indirect.push(DeclaredIndirect {
                    statement_id: s.id.clone(),
                    from: from.clone(),
                    to: to.clone(),
                    interest: it.types.join("+"),
                    share_min: it.min,
                    share_max: it.max,
                    components,
                });
                continue;
            }
            // Unchanged in the previous statement: that interval goes on.
            if j > 0 && parsed[j - 1].iter().any(|p| same_interest(p, it)) {
                continue;
            }
            // A change that keeps the old startDate takes effect on its
            // statement date (fermcat: 50 % → 100 % stated 2022-01-21).
            let restated = j > 0
                && parsed[j - 1]
                    .iter()
                    .any(|p| p.kind == it.kind && p.start.is_some() && p.start >= it.start);
            let start = if restated {
                s.date.or(it.start)
            } else {
                it.start.or(s.date)
            };
            let end = it.end.or_else(|| {
                // The next statement that changes or drops this interest.
                for (k, later) in versions.iter().enumerate().skip(j + 1) {
                    if parsed[k].iter().any(|p| same_interest(p, it)) {
                        continue;
                    }
                    let next_start = parsed[k]
                        .iter()
                        .find(|p| p.kind == it.kind)
                        .and_then(|p| p.start);
                    return match (next_start, start) {
                        (Some(ns), Some(st)) if ns > st => Some(ns),
                        _ => later.date,
                    };
                }
                closed.and_then(|c| {
                    closed_interests
                        .iter()
                        .find(|p| p.kind == it.kind)
                        .and_then(|p| p.end)
                        .or(c.date)
                })
            });
            let (from, to) = match it.kind {
                // The subject has the interested party as director; the
                // arrangement has the nominee acting for it.
                RelationKind::Directorship | RelationKind::ActingOnBehalf => {
                    (to.clone(), from.clone())
                }
                _ => (from.clone(), to.clone()),
            };
            let mut role = it.types.join(" + ");
            if it.indirect {
                role.push_str(" (indirect)");
            }
            out.relations.push(PlannedRelation {
                from,
                to,
                kind: it.kind,
                share_min: it.min,
                share_max: it.max,
                start,
                end,
                former: false,
                role: Some(role),
                provenance: Provenance::Bods {
                    file: out.file.clone(),
                    statement_id: s.id.clone(),
                    record_id: rid.to_string(),
                    interest: it.types.join("+"),
                },
            });
        }
    }
}

fn same_interest(a: &Interest, b: &Interest) -> bool {
    a.kind == b.kind
        && a.indirect == b.indirect
        && a.min == b.min
        && a.max == b.max
        && a.start == b.start
        && a.end == b.end
}

fn statement_of(r: &PlannedRelation) -> String {
    match &r.provenance {
        Provenance::Bods { statement_id, .. } => statement_id.clone(),
        _ => String::new(),
    }
}

/// Direct ownership of one subject above 100 % on a date (each relation's
/// start is a date to check).
fn over_full(file: &str, out: &mut BodsImport) {
    let own: Vec<&PlannedRelation> = out
        .relations
        .iter()
        .filter(|r| r.kind == RelationKind::Ownership)
        .collect();
    let mut reported: HashSet<String> = HashSet::new();
    for r in &own {
        let Some(day) = r.start else { continue };
        let holding: Vec<&&PlannedRelation> = own
            .iter()
            .filter(|x| {
                x.to == r.to && x.start.is_none_or(|s| s <= day) && x.end.is_none_or(|e| day < e)
            })
            .collect();
        let total: f64 = holding.iter().map(|x| x.share_min.unwrap_or(0.0)).sum();
        if total > 100.0 + 1e-9 && reported.insert(r.to.clone()) {
            let ids: Vec<String> = holding.iter().map(|x| statement_of(x)).collect();
            out.problems.push(Problem::warning(
                file,
                format!("statements {}", ids.join(", ")),
                format!(
                    "shares over 100 %: direct holdings in {} add up to {total} % on {day}",
                    r.to
                ),
            ));
        }
    }
}

/// Ownership or control cycles among the package's relations.
fn cycles(file: &str, out: &mut BodsImport) {
    let mut adj: HashMap<&str, Vec<&PlannedRelation>> = HashMap::new();
    for r in &out.relations {
        if matches!(r.kind, RelationKind::Ownership | RelationKind::Control) {
            adj.entry(r.from.as_str()).or_default().push(r);
        }
    }
    let mut reported: HashSet<Vec<String>> = HashSet::new();
    let mut problems = Vec::new();
    let starts: Vec<&str> = adj.keys().copied().collect();
    for start in starts {
        // Depth-first from each party, looking for a way back to it.
        let mut stack: Vec<(&str, Vec<&PlannedRelation>)> = vec![(start, Vec::new())];
        let mut seen: HashSet<&str> = HashSet::new();
        while let Some((at, path)) = stack.pop() {
            for r in adj.get(at).into_iter().flatten() {
                let mut p = path.clone();
                p.push(r);
                if r.to == start {
                    let mut ids: Vec<String> = p.iter().map(|x| statement_of(x)).collect();
                    ids.sort();
                    ids.dedup();
                    if reported.insert(ids.clone()) {
                        problems.push(Problem::warning(
                            file,
                            format!("statements {}", ids.join(", ")),
                            format!(
                                "ownership or control cycle through {}; imported (exposure handles cycles as a least fixpoint)",
                                p.iter().map(|x| x.from.as_str()).collect::<Vec<_>>().join(" → ")
                            ),
                        ));
                    }
                } else if seen.insert(r.to.as_str()) {
                    stack.push((r.to.as_str(), p));
                }
            }
        }
    }
    out.problems.extend(problems);
}

impl GraphBuilder {
    /// Add a parsed package's parties and relations.
    pub fn add_bods(&mut self, import: &BodsImport) -> Vec<Problem> {
        self.problems.extend(import.problems.iter().cloned());
        self.add_plan(&import.file, &import.parties, &import.relations)
    }
}
