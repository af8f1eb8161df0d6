//! Exposure in screening: a party that is not itself listed but is owned or
//! controlled by a designated party (resolute-graph) is screened as the
//! regime treats what designated parties own or control.
//!
//! The [`Screener`](crate::Screener) asks an [`ExposureScreener`] about every
//! party, worker and vessel, whatever its name matched on the lists (a fuzzy
//! match is not proof that the party is listed; a party the graph knows as
//! designated on the date has no exposure, its list match speaks). Each [`ExposureHit`] becomes a
//! [`PartyMatch`](crate::PartyMatch) whose `ref` and `name` are the
//! designated *root* the exposure runs from, with the path in its
//! `exposure` member, and a finding:
//!
//! | root designated by | status | finding |
//! |---|---|---|
//! | UN, program DPRK (rule `un`) | proven | `prohibited`, the asset freeze (`dprk/1718/8d/asset-freeze`: 1718 para 8(d), which reaches funds "owned or controlled" by designated persons; verified as the regime data says, with the root's designation round) |
//! | UN, program DPRK (rule `un`) | indicative | `review`, the same measure |
//! | OFAC SDN, a DPRK program (rule `ofac`) | proven, root's listing date known | `prohibited`, `ofac/<program>` (OFAC 50 Percent Rule; binds US persons) |
//! | OFAC SDN, a DPRK program | proven, listing date unknown | `review`: the legacy SDN file gives no designation date, so whether the block held on the transaction date is not known here (never a guessed date) |
//! | OFAC SDN, a DPRK program | indicative | `review` |
//! | any other program | either | `review`, `<list>/<program>` |
//!
//! The proven / indicative split is the graph's ([`resolute_graph::Status`]):
//! proven means ownership at the rule's threshold by percentages, indicative
//! a documented control path (control wording, unknown or partial shares,
//! agency, directorship, vessel management).
//!
//! **Suppressions and cases.** An exposure match is keyed like a list match:
//! the party *as screened* and the list entry of the designated root
//! (`un-kpe.047`), so closing its case as a false positive clears exactly
//! that pair, and the decision lapses when the list changes that entry.
//!
//! **Look-up.** A party is found in the graph by its exact name (normalised:
//! case, punctuation, a leading "the"; a bracketed acronym), or by an
//! identifier (BIC, IMO number, registration number): no fuzzy matching
//! here, so an exposure is never a guess about who the party is.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::NaiveDate;
use resolute_graph::{Graph, NodeId, Rule, Rules, Status};
use resolute_model::{Entity, Source};
use serde::Serialize;

/// The rules screening applies: the UN regime's and OFAC's (the lists
/// Resolute bundles); `eu` and `uk` are answered by `resolute exposure`.
pub const SCREENING_RULES: [&str; 2] = ["un", "ofac"];

/// Roots reported per rule and party: the nearest ones (shortest paths).
const ROOTS_PER_RULE: usize = 3;

/// How a party was screened against the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExposureQuery<'a> {
    Name(&'a str),
    /// A BIC, IMO number or registration number.
    Identifier(&'a str),
}

/// A party's exposure through one designated root under one rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExposureHit {
    /// `un` or `ofac`.
    pub rule: String,
    pub rule_title: String,
    /// `≥ 50 %`.
    pub threshold: String,
    /// `proven` or `indicative`.
    pub status: Status,
    /// The exposed party's graph key (`GET /graph/{entity}`) and name.
    pub entity: String,
    pub caption: String,
    /// The designated root: its list entry (suppressions and cases key on
    /// it), reference, name, list, programs and listing date.
    pub root_entity_id: String,
    pub root_reference: String,
    pub root_caption: String,
    pub root_list: String,
    pub root_programs: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_listed_on: Option<NaiveDate>,
    /// The stake that counts (proven exposure), percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stake_percent: Option<f64>,
    /// The shortest path from this root, in words.
    pub path: String,
    /// Steps of that path (relations with their sources and dates).
    pub steps: usize,
}

impl ExposureHit {
    /// Under a DPRK asset freeze: UN program DPRK or an OFAC DPRK* program.
    pub fn is_dprk(&self) -> bool {
        self.root_programs.iter().any(|p| p.starts_with("DPRK"))
    }
}

/// Answers whether a party is exposed, as of a date.
pub trait ExposureScreener: Send + Sync {
    /// Exposures of the party `query` finds (none when it is not in the
    /// graph, is itself designated on `as_of`, or is not exposed).
    fn exposures(&self, query: ExposureQuery<'_>, as_of: NaiveDate) -> Vec<ExposureHit>;
}

/// [`ExposureScreener`] over a built graph with the bundled rules.
#[derive(Debug)]
pub struct GraphExposure {
    graph: Arc<Graph>,
    rules: Vec<Rule>,
}

impl GraphExposure {
    /// Screening with the rules named in [`SCREENING_RULES`] that `rules` has.
    pub fn new(graph: Arc<Graph>, rules: &Rules) -> GraphExposure {
        GraphExposure {
            graph,
            rules: SCREENING_RULES
                .iter()
                .filter_map(|id| rules.get(id).cloned())
                .collect(),
        }
    }

    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    fn hits_of(&self, id: NodeId, as_of: NaiveDate, out: &mut Vec<ExposureHit>) {
        for rule in &self.rules {
            let exposure = self.graph.exposure(id, as_of, rule);
            if !matches!(exposure.status, Status::Proven | Status::Indicative) {
                continue;
            }
            let mut roots: HashSet<String> = HashSet::new();
            for path in &exposure.paths {
                let Some(designation) = path.root.designations.first() else {
                    continue;
                };
                let Some(source) = source_of(&designation.list) else {
                    continue;
                };
                let root_entity_id = Entity::make_id(source, &designation.reference);
                if roots.len() >= ROOTS_PER_RULE || !roots.insert(root_entity_id.clone()) {
                    continue;
                }
                out.push(ExposureHit {
                    rule: rule.id.clone(),
                    rule_title: rule.title.clone(),
                    threshold: exposure.threshold.clone(),
                    status: exposure.status,
                    entity: exposure.entity.id.clone(),
                    caption: exposure.entity.caption.clone(),
                    root_entity_id,
                    root_reference: designation.reference.clone(),
                    root_caption: path.root.caption.clone(),
                    root_list: designation.list.clone(),
                    root_programs: designation.programs.clone(),
                    root_listed_on: designation.listed_on,
                    stake_percent: exposure.stake_percent,
                    path: path.text.clone(),
                    steps: path.steps.len(),
                });
            }
        }
    }
}

fn source_of(list: &str) -> Option<Source> {
    match list {
        "un" => Some(Source::Un),
        "ofac-sdn" => Some(Source::OfacSdn),
        _ => None,
    }
}

impl ExposureScreener for GraphExposure {
    fn exposures(&self, query: ExposureQuery<'_>, as_of: NaiveDate) -> Vec<ExposureHit> {
        let text = match query {
            ExposureQuery::Name(s) | ExposureQuery::Identifier(s) => s.trim(),
        };
        if text.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for id in self.graph.lookup(text) {
            self.hits_of(id, as_of, &mut out);
        }
        out
    }
}

impl ExposureHit {
    /// The root as a list hit: what suppressions are keyed on.
    pub fn as_list_hit(&self) -> crate::ListHit {
        crate::ListHit {
            entity_id: self.root_entity_id.clone(),
            reference: self.root_reference.clone(),
            caption: self.root_caption.clone(),
            schema: resolute_model::Schema::LegalEntity,
            source: source_of(&self.root_list).unwrap_or(Source::Un),
            programs: self.root_programs.clone(),
            listed_on: self.root_listed_on,
            score: 1.0,
            by: "exposure",
        }
    }
}
