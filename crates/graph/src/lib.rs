//! The exposure graph: who is owned or controlled by a designated party, on
//! a date, by each jurisdiction's rule, with the path that proves it.
//!
//! - [`model`]: parties ([`Node`]), dated and sourced relations
//!   ([`Relation`]: ownership with an exact share or a range, control,
//!   acting on behalf, directorship, vessel management, unknown link, joint
//!   arrangement), designations with listing dates.
//! - Sources, each returning what it imported and the [`Problem`]s it met
//!   (bad input never panics; the rest is imported):
//!   [`lists`] (UN and OFAC SDN entries, merged across lists; OFAC "Linked
//!   To"), [`extract`] (relations in the UN list's own words, with the
//!   patterns documented and every unplaced relation reported), [`bods`]
//!   (BODS 0.4 statements), [`analyst`] (an analyst's CSV or JSON edges).
//! - [`rules`]: the jurisdictions' rules as data (`data/ownership/rules.toml`).
//! - [`exposure`]: the fixpoint that applies a rule on a date, and the
//!   [`Exposure`] of a party with its proving [`Path`]s.
//! - [`clusters`]: parties that share a full street address, phone, e-mail,
//!   registration number, IMO, BIC or director: indicators, never proof.
//! - [`ftm`]: the neighbourhood of a party as FollowTheMoney-shaped JSON.
//!
//! # Building a graph
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let lists = resolute_lists::bundled()?;
//! let built = resolute_graph::GraphSources::new().lists(&lists).build();
//! let rules = resolute_graph::Rules::bundled()?;
//! let ftb = built.graph.find_designated("un", "KPe.047").ok_or("FTB")?;
//! let date = chrono::NaiveDate::from_ymd_opt(2017, 8, 6).ok_or("date")?;
//! let rule = rules.get("un").ok_or("rule")?;
//! println!("{}", built.graph.exposure(ftb, date, rule).summary);
//! # Ok(()) }
//! ```

pub mod analyst;
pub mod bods;
pub mod clusters;
pub mod exposure;
pub mod extract;
pub mod ftm;
mod graph;
pub mod lists;
pub mod model;
pub mod names;
pub mod plan;
mod problem;
pub mod rules;

pub use analyst::{AnalystEdge, AnalystImport};
pub use bods::BodsImport;
pub use clusters::{Cluster, ClusterReport, ClusterRules};
pub use exposure::{
    Exposure, Path, PathLimits, Propagation, Status, Step, UpstreamOwner, propagate,
    upstream_owners,
};
pub use extract::Extraction;
pub use graph::{Graph, GraphBuilder};
pub use lists::{LinkedToImport, ListImport};
pub use model::{
    Designation, IdentifierKind, Node, NodeId, Origin, Provenance, Relation, RelationId,
    RelationKind, RelationSource, Share,
};
pub use problem::{GraphError, Problem, Severity};
pub use rules::{Rule, Rules};

use resolute_lists::ListVersion;
use resolute_model::Source;
use serde::Serialize;

/// What building a graph from its sources did, source by source.
#[derive(Debug, Default, Serialize)]
pub struct BuildReport {
    pub lists: Vec<ListImport>,
    pub un_extraction: Option<Extraction>,
    pub linked_to: Option<LinkedToImport>,
    pub bods: Vec<BodsImport>,
    pub analyst: Vec<AnalystImport>,
}

/// A built graph and the report of its build.
#[derive(Debug)]
pub struct Built {
    pub graph: Graph,
    pub report: BuildReport,
}

/// The sources of a graph, in the order they are applied: lists (UN first,
/// so OFAC entries merge into UN parties), the UN text extractor, OFAC
/// Linked To, BODS packages, analyst edges.
#[derive(Debug, Default)]
pub struct GraphSources<'a> {
    lists: Vec<&'a ListVersion>,
    bods: Vec<BodsImport>,
    analyst: Vec<AnalystImport>,
}

impl<'a> GraphSources<'a> {
    pub fn new() -> Self {
        GraphSources::default()
    }

    /// List versions (UN Consolidated List, OFAC SDN), any order.
    pub fn lists(mut self, lists: &'a [ListVersion]) -> Self {
        self.lists.extend(lists.iter());
        self
    }

    pub fn list(mut self, list: &'a ListVersion) -> Self {
        self.lists.push(list);
        self
    }

    /// A parsed BODS package ([`bods::parse`]).
    pub fn bods(mut self, import: BodsImport) -> Self {
        self.bods.push(import);
        self
    }

    /// Parsed analyst edges ([`analyst::parse_csv`], [`analyst::parse_json`]).
    pub fn analyst(mut self, import: AnalystImport) -> Self {
        self.analyst.push(import);
        self
    }

    pub fn build(self) -> Built {
        let mut b = GraphBuilder::new();
        let mut report = BuildReport::default();
        let mut lists = self.lists;
        lists.sort_by_key(|v| match v.source {
            Source::Un => 0,
            Source::OfacSdn => 1,
        });
        for v in &lists {
            report.lists.push(b.add_list(v));
        }
        for v in &lists {
            match v.source {
                Source::Un => report.un_extraction = Some(b.extract_un_relations(v)),
                Source::OfacSdn => report.linked_to = Some(b.add_ofac_linked_to(v)),
            }
        }
        for import in self.bods {
            b.add_bods(&import);
            report.bods.push(import);
        }
        for mut import in self.analyst {
            b.add_analyst(&mut import);
            report.analyst.push(import);
        }
        Built {
            graph: b.build(),
            report,
        }
    }
}
