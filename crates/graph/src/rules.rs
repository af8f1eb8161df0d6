//! Exposure rules as data (`data/ownership/rules.toml`, embedded).
//!
//! A rule is a handful of parameters for the one fixpoint in
//! [`crate::exposure`]; there is no code branch per jurisdiction. The file's
//! header documents each field; [`Rules::bundled`] validates it.

use serde::{Deserialize, Serialize};

use crate::model::{FULL_SHARE, RelationKind, percent_to_millionths};
use crate::problem::GraphError;

const BUNDLED: &str = include_str!("../../../data/ownership/rules.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// `>=` (OFAC, EU).
    AtLeast,
    /// `>` (UK).
    MoreThan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// All exposed holders' stakes add up.
    All,
    /// Only the stakes of one designated person and of the parties it
    /// already owns or controls add up (joint arrangements join persons).
    PerController,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    None,
    Indicative,
}

/// What the relation kinds without a share do under a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Effects {
    pub control: Effect,
    pub acting_on_behalf: Effect,
    pub directorship: Effect,
    pub vessel_management: Effect,
}

impl Effects {
    /// The effect of a relation kind; ownership is handled by shares,
    /// unknown links and joint arrangements never propagate.
    pub fn of(&self, kind: RelationKind) -> Effect {
        match kind {
            RelationKind::Control => self.control,
            RelationKind::ActingOnBehalf => self.acting_on_behalf,
            RelationKind::Directorship => self.directorship,
            RelationKind::VesselManagement => self.vessel_management,
            RelationKind::Ownership
            | RelationKind::UnknownLink
            | RelationKind::JointArrangement => Effect::None,
        }
    }
}

/// One jurisdiction's rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub title: String,
    /// Lists whose designations are the roots (`un`, `ofac-sdn`).
    pub designations: Vec<String>,
    /// Percent.
    pub threshold: f64,
    pub comparison: Comparison,
    pub aggregation: Aggregation,
    pub below_threshold: Effect,
    pub effects: Effects,
    pub summary: String,
    pub sources: Vec<String>,
}

impl Rule {
    pub fn threshold_millionths(&self) -> u64 {
        u64::from(percent_to_millionths(self.threshold))
    }

    /// Whether an aggregate stake (millionths) meets the threshold.
    pub fn meets(&self, stake: u64) -> bool {
        let t = self.threshold_millionths();
        match self.comparison {
            Comparison::AtLeast => stake >= t,
            Comparison::MoreThan => stake > t,
        }
    }

    /// `≥ 50 %` / `> 50 %`.
    pub fn threshold_text(&self) -> String {
        let op = match self.comparison {
            Comparison::AtLeast => "≥",
            Comparison::MoreThan => ">",
        };
        format!("{op} {} %", crate::model::fmt_percent(self.threshold))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    rule: Vec<Rule>,
}

/// The rules by id.
#[derive(Debug, Clone)]
pub struct Rules {
    rules: Vec<Rule>,
}

impl Rules {
    /// The bundled rules (`un`, `ofac`, `eu`, `uk`).
    pub fn bundled() -> Result<Rules, GraphError> {
        Rules::parse("data/ownership/rules.toml", BUNDLED)
    }

    pub fn parse(file: &str, text: &str) -> Result<Rules, GraphError> {
        let parsed: RulesFile = toml::from_str(text).map_err(|e| GraphError::Rules {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        let bad = |message: String| GraphError::Rules {
            file: file.to_string(),
            message,
        };
        let mut seen = std::collections::HashSet::new();
        for r in &parsed.rule {
            if !seen.insert(r.id.clone()) {
                return Err(bad(format!("rule {:?} is defined twice", r.id)));
            }
            if !(r.threshold > 0.0 && r.threshold <= 100.0) {
                return Err(bad(format!(
                    "rule {:?}: threshold {} is not a percentage in (0, 100]",
                    r.id, r.threshold
                )));
            }
            if percent_to_millionths(r.threshold) > FULL_SHARE {
                return Err(bad(format!("rule {:?}: threshold above 100 %", r.id)));
            }
            if r.designations.is_empty() {
                return Err(bad(format!("rule {:?}: no designation list", r.id)));
            }
            for d in &r.designations {
                if !matches!(d.as_str(), "un" | "ofac-sdn") {
                    return Err(bad(format!("rule {:?}: unknown list {d:?}", r.id)));
                }
            }
            if r.sources.is_empty() {
                return Err(bad(format!("rule {:?}: no source cited", r.id)));
            }
        }
        Ok(Rules { rules: parsed.rule })
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }

    pub fn all(&self) -> &[Rule] {
        &self.rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_rules_load_and_differ_as_the_law_says() {
        let rules = Rules::bundled().unwrap();
        let ids: Vec<&str> = rules.all().iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["un", "ofac", "eu", "uk"]);
        let (ofac, uk) = (rules.get("ofac").unwrap(), rules.get("uk").unwrap());
        assert!(ofac.meets(500_000) && !uk.meets(500_000) && uk.meets(500_001));
        assert_eq!(ofac.aggregation, Aggregation::All);
        assert_eq!(uk.aggregation, Aggregation::PerController);
        assert_eq!(ofac.designations, ["ofac-sdn"]);
        assert_eq!(uk.threshold_text(), "> 50 %");
    }

    #[test]
    fn bad_rules_are_named() {
        let text = BUNDLED.replace(
            "threshold = 50.0\ncomparison = \"more_than\"",
            "threshold = 150.0\ncomparison = \"more_than\"",
        );
        let err = Rules::parse("x.toml", &text).unwrap_err().to_string();
        assert!(err.contains("\"uk\"") && err.contains("150"), "{err}");
        let err = Rules::parse("x.toml", "[[rule]]\nid = 1")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("rules x.toml:"), "{err}");
    }
}
