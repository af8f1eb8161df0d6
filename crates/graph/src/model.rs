//! The graph's vocabulary: parties (nodes), dated and sourced relations
//! (edges), shares, designations and provenance.

use std::fmt;

use chrono::NaiveDate;
use resolute_model::Schema;
use serde::{Deserialize, Serialize};

/// A party in the graph: a dense index, valid for one built [`crate::Graph`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NodeId(pub u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A relation: a dense index into [`crate::Graph::relations`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RelationId(pub u32);

/// One hundred percent, in millionths: shares are integers so that
/// 23.5 % + 76.5 % is exactly 100 % and 25 % + 25 % exactly 50 %.
pub const FULL_SHARE: u32 = 1_000_000;

/// A share of ownership as an interval `[min, max]` in millionths of the
/// whole. Exact shares have `min == max`; an unknown share is `[0, 100 %]`.
/// The lower bound proves, the upper bound indicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Share {
    pub min: u32,
    pub max: u32,
}

impl Share {
    pub const UNKNOWN: Share = Share {
        min: 0,
        max: FULL_SHARE,
    };
    pub const FULL: Share = Share {
        min: FULL_SHARE,
        max: FULL_SHARE,
    };

    /// A share from a percentage (`60.0` → 60 %), rounded to a millionth.
    pub fn from_percent(percent: f64) -> Share {
        let v = percent_to_millionths(percent);
        Share { min: v, max: v }
    }

    /// A range from percentages; either bound may be unknown.
    pub fn range(min: Option<f64>, max: Option<f64>) -> Share {
        Share {
            min: min.map_or(0, percent_to_millionths),
            max: max.map_or(FULL_SHARE, percent_to_millionths),
        }
    }

    pub fn is_exact(&self) -> bool {
        self.min == self.max
    }

    pub fn is_unknown(&self) -> bool {
        *self == Share::UNKNOWN
    }

    pub fn min_percent(&self) -> f64 {
        millionths_to_percent(self.min)
    }

    pub fn max_percent(&self) -> f64 {
        millionths_to_percent(self.max)
    }
}

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_exact() {
            write!(f, "{} %", fmt_percent(self.min_percent()))
        } else if self.is_unknown() {
            f.write_str("share unknown")
        } else {
            write!(
                f,
                "{}–{} %",
                fmt_percent(self.min_percent()),
                fmt_percent(self.max_percent())
            )
        }
    }
}

pub(crate) fn percent_to_millionths(percent: f64) -> u32 {
    (percent * 10_000.0).round().clamp(0.0, u32::MAX as f64) as u32
}

pub(crate) fn millionths_to_percent(v: u32) -> f64 {
    v as f64 / 10_000.0
}

/// `60`, `76.5`, `33.3333` (no trailing zeros).
pub(crate) fn fmt_percent(p: f64) -> String {
    let s = format!("{p:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// What a relation says. The direction is always the direction in which
/// exposure flows: `from` is the owner, controller, principal, organisation
/// or vessel company; `to` is what is owned, controlled, acts for the
/// principal, or the vessel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum RelationKind {
    /// `from` holds a share of `to` (shares, voting rights; a vessel's
    /// registered owner holds it whole).
    Ownership,
    /// `from` controls `to` without a known share ("subordinate to",
    /// "controls", "directs the activities of", BODS control interests).
    Control,
    /// `to` acts on behalf or at the direction of `from` ("front company
    /// for", "on behalf of", BODS nominee for a nominator).
    ActingOnBehalf,
    /// `to` (a person) is a director, officer or representative of `from`
    /// (an organisation). Exposure may flow both ways (rule data decides).
    Directorship,
    /// `from` manages or operates the vessel `to` (ship manager, commercial
    /// manager, operator).
    VesselManagement,
    /// The parties are connected, the nature is not known (OFAC "Linked
    /// To", "affiliated with"). Shown, never propagates.
    UnknownLink,
    /// `from` and `to` act together (a joint arrangement): the UK rule
    /// aggregates their holdings. Symmetric.
    JointArrangement,
}

impl RelationKind {
    pub const ALL: [RelationKind; 7] = [
        RelationKind::Ownership,
        RelationKind::Control,
        RelationKind::ActingOnBehalf,
        RelationKind::Directorship,
        RelationKind::VesselManagement,
        RelationKind::UnknownLink,
        RelationKind::JointArrangement,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            RelationKind::Ownership => "ownership",
            RelationKind::Control => "control",
            RelationKind::ActingOnBehalf => "acting_on_behalf",
            RelationKind::Directorship => "directorship",
            RelationKind::VesselManagement => "vessel_management",
            RelationKind::UnknownLink => "unknown_link",
            RelationKind::JointArrangement => "joint_arrangement",
        }
    }

    pub fn parse(s: &str) -> Option<RelationKind> {
        let s = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        RelationKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for RelationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A relation between two parties, as stored in the graph (32 bytes; the
/// words and the source are in [`Provenance`], shared by index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    pub from: NodeId,
    pub to: NodeId,
    pub kind: RelationKind,
    /// The relation is stated as past ("former director") without a date:
    /// shown, never counted.
    pub former: bool,
    /// Meaningful for [`RelationKind::Ownership`]; `UNKNOWN` otherwise.
    pub share: Share,
    /// First day the relation holds (inclusive); `None`: since ever.
    pub start: Option<NaiveDate>,
    /// First day it no longer holds (exclusive); `None`: still holds.
    pub end: Option<NaiveDate>,
    /// Index into [`crate::Graph::provenance`].
    pub provenance: u32,
}

impl Relation {
    /// Whether the relation holds on `date`: `start <= date < end`, and it
    /// is not an undated former relation.
    pub fn holds_on(&self, date: NaiveDate) -> bool {
        !self.former && self.start.is_none_or(|s| s <= date) && self.end.is_none_or(|e| date < e)
    }
}

/// Where a relation comes from: enough to show an analyst the words or the
/// statement that make it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Provenance {
    /// A UN Consolidated List record's comments or designation.
    UnList {
        /// The record whose text states the relation (`KPe.038`).
        reference: String,
        /// The extractor pattern that matched (documented in [`crate::extract`]).
        pattern: String,
        /// The sentence, verbatim.
        quote: String,
        /// How the counterpart name was resolved (`exact name`, `acronym`, …).
        resolved_by: String,
    },
    /// An OFAC SDN remark `Linked To: NAME.`
    OfacLinkedTo { ent_num: String, target: String },
    /// A BODS 0.4 relationship statement.
    Bods {
        file: String,
        statement_id: String,
        record_id: String,
        interest: String,
    },
    /// An analyst's edge file, by line (CSV) or item (JSON, 1-based).
    Analyst {
        file: String,
        line: u64,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        cited: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        note: Option<String>,
    },
    /// Test and benchmark graphs.
    Generated { label: String },
}

impl Provenance {
    pub fn source_name(&self) -> &'static str {
        match self {
            Provenance::UnList { .. } => "un-list",
            Provenance::OfacLinkedTo { .. } => "ofac-linked-to",
            Provenance::Bods { .. } => "bods",
            Provenance::Analyst { .. } => "analyst",
            Provenance::Generated { .. } => "generated",
        }
    }
}

/// A relation's role words for display ("registered owner", "director",
/// "shareholding"): kept with the provenance's relation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationSource {
    pub provenance: Provenance,
    /// The role or interest in words (`ship manager`, `votingRights`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub role: Option<String>,
}

/// Where a party comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A sanctions list entry (UN, OFAC SDN).
    List,
    /// Named in a list's text but not itself an entry (a vessel in a UN
    /// comment).
    ListText,
    /// A BODS statement.
    Bods,
    /// An analyst's edge file.
    Analyst,
    /// Test and benchmark graphs.
    Generated,
}

/// A designation of a party by one list, with its dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Designation {
    /// The list: `un`, `ofac-sdn` (as [`resolute_model::Source::as_str`]).
    pub list: String,
    /// The list's reference (`KPe.047`, `15603`).
    pub reference: String,
    /// From when the designation counts; `None`: the list gives no date
    /// (OFAC's legacy CSV), it counts whenever the entry is in the list.
    pub listed_on: Option<NaiveDate>,
    /// The first day it no longer counts (delisting), when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub removed_on: Option<NaiveDate>,
    #[serde(default)]
    pub programs: Vec<String>,
}

impl Designation {
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.listed_on.is_none_or(|d| d <= date) && self.removed_on.is_none_or(|r| date < r)
    }
}

/// Kinds of identifying values that can link parties as indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    Address,
    Phone,
    Email,
    RegistrationNumber,
    Imo,
    Bic,
    /// A person who directs or represents several organisations.
    Director,
}

impl IdentifierKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            IdentifierKind::Address => "address",
            IdentifierKind::Phone => "phone",
            IdentifierKind::Email => "email",
            IdentifierKind::RegistrationNumber => "registration_number",
            IdentifierKind::Imo => "imo",
            IdentifierKind::Bic => "bic",
            IdentifierKind::Director => "director",
        }
    }
}

/// A party. Names and identifiers are kept as given; look-ups normalise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Stable key: `un-kpe.047`, `ofac-sdn-15603`, `bods:FILE#RECORD`,
    /// `analyst:KEY`, `un-vessel:NAME`. A party merged from two lists keeps
    /// the first list's key; the other key is in [`Node::other_keys`].
    pub key: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub other_keys: Vec<String>,
    pub schema: Schema,
    pub caption: String,
    /// Every name (the caption first), without duplicates.
    #[serde(default)]
    pub names: Vec<String>,
    #[serde(default)]
    pub identifiers: Vec<(IdentifierKind, String)>,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub designations: Vec<Designation>,
    pub origin: Origin,
    /// Why two list entries were merged into this party, when they were.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub merged_by: Option<String>,
}

impl Node {
    pub fn new(
        key: impl Into<String>,
        schema: Schema,
        caption: impl Into<String>,
        origin: Origin,
    ) -> Node {
        let caption = caption.into();
        Node {
            key: key.into(),
            other_keys: Vec::new(),
            schema,
            names: if caption.is_empty() {
                Vec::new()
            } else {
                vec![caption.clone()]
            },
            caption,
            identifiers: Vec::new(),
            countries: Vec::new(),
            designations: Vec::new(),
            origin,
            merged_by: None,
        }
    }

    pub fn add_name(&mut self, name: &str) {
        let name = name.trim();
        if !name.is_empty() && !self.names.iter().any(|n| n == name) {
            self.names.push(name.to_string());
        }
    }

    pub fn add_identifier(&mut self, kind: IdentifierKind, value: &str) {
        let value = value.trim();
        if !value.is_empty()
            && !self
                .identifiers
                .iter()
                .any(|(k, v)| *k == kind && v == value)
        {
            self.identifiers.push((kind, value.to_string()));
        }
    }

    pub fn is_designated(&self) -> bool {
        !self.designations.is_empty()
    }

    pub fn identifiers_of(&self, kind: IdentifierKind) -> impl Iterator<Item = &str> {
        self.identifiers
            .iter()
            .filter(move |(k, _)| *k == kind)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_exact_in_millionths() {
        let a = Share::from_percent(23.5);
        let b = Share::from_percent(76.5);
        assert_eq!(a.min + b.min, FULL_SHARE);
        assert_eq!(Share::from_percent(25.0).min * 2, FULL_SHARE / 2);
        assert_eq!(a.to_string(), "23.5 %");
        assert_eq!(Share::range(Some(25.0), Some(50.0)).to_string(), "25–50 %");
        assert_eq!(Share::UNKNOWN.to_string(), "share unknown");
        assert_eq!(fmt_percent(100.0), "100");
    }

    #[test]
    fn relation_dates_are_half_open() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let r = Relation {
            from: NodeId(0),
            to: NodeId(1),
            kind: RelationKind::Ownership,
            former: false,
            share: Share::FULL,
            start: Some(d("2021-09-24")),
            end: Some(d("2022-09-21")),
            provenance: 0,
        };
        assert!(!r.holds_on(d("2021-09-23")));
        assert!(r.holds_on(d("2021-09-24")));
        assert!(r.holds_on(d("2022-09-20")));
        assert!(!r.holds_on(d("2022-09-21")));
        assert!(!Relation { former: true, ..r }.holds_on(d("2022-01-01")));
    }

    #[test]
    fn relation_kinds_parse() {
        for k in RelationKind::ALL {
            assert_eq!(RelationKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(
            RelationKind::parse("Acting on behalf"),
            Some(RelationKind::ActingOnBehalf)
        );
        assert_eq!(RelationKind::parse("owns"), None);
    }
}
