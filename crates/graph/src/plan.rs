//! Plain, serialisable import plans: the parties and relations an import
//! (BODS, analyst edges) would add, so the integration can persist them
//! (one row each) and rebuild the graph from the store.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::graph::GraphBuilder;
use crate::model::{
    IdentifierKind, Node, Origin, Provenance, Relation, RelationKind, RelationSource, Share,
};
use crate::problem::Problem;

/// A party an import declares (a BODS entity or person, an analyst's new
/// party). Parties already in the graph (list entries) are referred to by
/// key and not declared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedParty {
    /// `bods:FILE#RECORD`, `analyst:KEY`.
    pub key: String,
    /// FtM schema: `Person`, `Company`, `Organization`, `LegalEntity`, `Vessel`.
    pub schema: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternate_names: Vec<String>,
    /// Registration numbers and other identifiers, as given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    pub origin: Origin,
}

/// A relation an import declares, between party keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedRelation {
    pub from: String,
    pub to: String,
    pub kind: RelationKind,
    /// Percent bounds (ownership only); both `None`: unknown share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub former: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    pub provenance: Provenance,
}

impl PlannedRelation {
    pub fn share(&self) -> Share {
        if self.kind == RelationKind::Ownership {
            Share::range(self.share_min, self.share_max)
        } else {
            Share::UNKNOWN
        }
    }
}

pub(crate) fn schema_of(s: &str) -> resolute_model::Schema {
    resolute_model::Schema::parse(s).unwrap_or(resolute_model::Schema::LegalEntity)
}

impl GraphBuilder {
    /// Add planned parties and relations. A relation whose party key is in
    /// neither the graph nor the plan is a problem (named by its
    /// provenance) and is left out; everything else is added.
    pub fn add_plan(
        &mut self,
        file: &str,
        parties: &[PlannedParty],
        relations: &[PlannedRelation],
    ) -> Vec<Problem> {
        let mut problems = Vec::new();
        for p in parties {
            let mut node = Node::new(
                p.key.clone(),
                schema_of(&p.schema),
                p.name.clone(),
                p.origin,
            );
            for n in &p.alternate_names {
                node.add_name(n);
            }
            for i in &p.identifiers {
                node.add_identifier(IdentifierKind::RegistrationNumber, i);
            }
            node.countries = p.countries.clone();
            self.add_node(node);
        }
        for r in relations {
            let (Some(from), Some(to)) = (self.find(&r.from), self.find(&r.to)) else {
                let missing = if self.find(&r.from).is_none() {
                    &r.from
                } else {
                    &r.to
                };
                problems.push(Problem::error(
                    file,
                    location_of(&r.provenance),
                    format!("party {missing:?} is not in the graph; relation left out"),
                ));
                continue;
            };
            let provenance = self.add_source(RelationSource {
                provenance: r.provenance.clone(),
                role: r.role.clone(),
            });
            self.add_relation(Relation {
                from,
                to,
                kind: r.kind,
                former: r.former,
                share: r.share(),
                start: r.start,
                end: r.end,
                provenance,
            });
        }
        self.problems.extend(problems.iter().cloned());
        problems
    }
}

pub(crate) fn location_of(p: &Provenance) -> String {
    match p {
        Provenance::Bods { statement_id, .. } => format!("statement {statement_id}"),
        Provenance::Analyst { line, .. } => format!("line {line}"),
        Provenance::UnList { reference, .. } => reference.clone(),
        Provenance::OfacLinkedTo { ent_num, .. } => ent_num.clone(),
        Provenance::Generated { label } => label.clone(),
    }
}
