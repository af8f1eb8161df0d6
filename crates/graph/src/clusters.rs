//! Shared-identifier clusters: parties that share a full street address,
//! telephone number, e-mail address, registration number, IMO number,
//! SWIFT/BIC or director. They are **indicators** for review, never proof:
//! they do not change any exposure status.
//!
//! # The rule
//!
//! Each value is normalised (upper case, letters and digits; a BIC to its
//! eight-character institution code; a telephone number without its
//! extension; an address component by component, commas kept). A value
//! links its parties only when it is specific:
//!
//! - **address**: country components are dropped from the end, then
//!   administrative areas ("… District", "-guyok", "-gu", "… Province",
//!   "… City", "… Special Administrative Region"), then one locality (the
//!   city). What is left must contain a component that is not an
//!   administrative area (a street, a neighbourhood `-dong`, a building, a
//!   number). "Pyongyang, DPRK" is *city only*, "Central District,
//!   Pyongyang" *district only*, "DPRK" *country only*: none links;
//!   "Rakwon-dong, Pothonggang District, Pyongyang" does.
//! - **phone**: at least [`ClusterRules::min_phone_digits`] digits (a full
//!   international number); "+850-2-18111", the Pyongyang switchboard without
//!   an extension, is *partial*.
//! - **registration number**: at least six letters or digits, four of them
//!   digits; **IMO**: seven digits; **BIC**: 8 or 11 characters;
//!   **e-mail**: `local@domain.tld`.
//! - **any kind**: a value shared by more than [`ClusterRules::max_members`]
//!   parties is *too common* (a formation agent's address, a nominee
//!   director, a switchboard) and links none.
//!
//! A value held by one party only makes no cluster. Rejected values held
//! by two or more parties are reported with the reason, so the guard can be
//! checked.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::graph::Graph;
use crate::model::{IdentifierKind, NodeId, RelationKind};
use crate::names::{normalize_identifier, normalize_name};

/// The guard's parameters.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ClusterRules {
    /// More parties than this on one value: too common to indicate anything.
    pub max_members: usize,
    pub min_phone_digits: usize,
}

impl Default for ClusterRules {
    fn default() -> ClusterRules {
        ClusterRules {
            max_members: 10,
            min_phone_digits: 10,
        }
    }
}

/// Parties linked by one shared specific value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    pub kind: IdentifierKind,
    /// The normalised value (for a director: the director's key).
    pub value: String,
    /// The value as the first party gives it (a director: the name).
    pub shown: String,
    pub members: Vec<NodeId>,
    pub member_keys: Vec<String>,
}

/// A value two or more parties share that the guard rejected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejected {
    pub kind: IdentifierKind,
    pub value: String,
    pub members: usize,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ClusterReport {
    pub clusters: Vec<Cluster>,
    pub rejected: Vec<Rejected>,
}

impl ClusterReport {
    /// The clusters a party is in.
    pub fn of(&self, id: NodeId) -> Vec<&Cluster> {
        self.clusters
            .iter()
            .filter(|c| c.members.contains(&id))
            .collect()
    }
}

const ADMIN_SUFFIXES: &[&str] = &[
    "DISTRICT",
    "GUYOK",
    "KUYOK",
    "GU",
    "KU",
    "QU",
    "CITY",
    "PROVINCE",
    "COUNTY",
    "PREFECTURE",
    "REGION",
    "STATE",
];

fn is_admin(component: &str) -> bool {
    let last = component.rsplit(' ').next().unwrap_or(component);
    ADMIN_SUFFIXES.contains(&last)
}

fn is_country(component: &str) -> bool {
    resolute_model::country_from_name(component).is_some()
        || matches!(
            component,
            "DPRK" | "KOREA" | "NORTH KOREA" | "HONG KONG SPECIAL ADMINISTRATIVE REGION"
        )
}

/// An address's normal form and whether it is a full street address
/// (`Err` gives the reason it is not).
pub fn address_key(address: &str) -> Result<String, &'static str> {
    let mut parts: Vec<String> = address
        .split([',', '|'])
        .map(normalize_name)
        .filter(|p| !p.is_empty())
        .collect();
    while parts.last().is_some_and(|p| is_country(p)) {
        parts.pop();
    }
    if parts.is_empty() {
        return Err("country only");
    }
    let key = parts.join(", ");
    let mut rest = parts.clone();
    while rest.last().is_some_and(|p| is_admin(p)) {
        rest.pop();
    }
    rest.pop(); // the locality
    if rest.iter().any(|p| !is_admin(p)) {
        Ok(key)
    } else if rest.is_empty() {
        Err("city only")
    } else {
        Err("district only")
    }
}

fn value_key(
    kind: IdentifierKind,
    raw: &str,
    rules: &ClusterRules,
) -> Result<String, &'static str> {
    match kind {
        IdentifierKind::Address => address_key(raw),
        IdentifierKind::Phone => {
            let main = raw.split("ext").next().unwrap_or(raw);
            let digits: String = main.chars().filter(char::is_ascii_digit).collect();
            if digits.len() >= rules.min_phone_digits {
                Ok(digits)
            } else {
                Err("partial number")
            }
        }
        IdentifierKind::Email => {
            let v = raw.trim().to_lowercase();
            match v.split_once('@') {
                Some((l, d)) if !l.is_empty() && d.contains('.') => Ok(v),
                _ => Err("not an e-mail address"),
            }
        }
        IdentifierKind::RegistrationNumber => {
            let v = normalize_identifier(raw);
            if v.len() >= 6 && v.chars().filter(char::is_ascii_digit).count() >= 4 {
                Ok(v)
            } else {
                Err("partial number")
            }
        }
        IdentifierKind::Imo => {
            let v: String = raw.chars().filter(char::is_ascii_digit).collect();
            if v.len() == 7 {
                Ok(v)
            } else {
                Err("not a 7-digit IMO number")
            }
        }
        IdentifierKind::Bic => {
            let v = normalize_identifier(raw);
            if v.len() == 8 || v.len() == 11 {
                Ok(v[..8].to_string())
            } else {
                Err("not a BIC")
            }
        }
        IdentifierKind::Director => Ok(raw.to_string()),
    }
}

/// Find the clusters of a graph.
pub fn clusters(graph: &Graph, rules: &ClusterRules) -> ClusterReport {
    // (kind, key) → (shown, members) ; rejected (kind, key) → (reason, members)
    let mut values: BTreeMap<(IdentifierKind, String), (String, Vec<NodeId>)> = BTreeMap::new();
    let mut rejected: BTreeMap<(IdentifierKind, String), (&'static str, Vec<NodeId>)> =
        BTreeMap::new();
    let mut add = |kind: IdentifierKind, raw: &str, shown: &str, id: NodeId| match value_key(
        kind, raw, rules,
    ) {
        Ok(k) => {
            let e = values
                .entry((kind, k))
                .or_insert_with(|| (shown.to_string(), Vec::new()));
            if !e.1.contains(&id) {
                e.1.push(id);
            }
        }
        Err(reason) => {
            let shown_key = match kind {
                IdentifierKind::Address => normalize_name(raw),
                _ => normalize_identifier(raw),
            };
            let e = rejected
                .entry((kind, shown_key))
                .or_insert((reason, Vec::new()));
            if !e.1.contains(&id) {
                e.1.push(id);
            }
        }
    };
    for (id, node) in graph.nodes() {
        for (kind, v) in &node.identifiers {
            add(*kind, v, v, id);
        }
    }
    for r in graph.relations() {
        if r.kind == RelationKind::Directorship && !r.former {
            let person = graph.node(r.to);
            add(
                IdentifierKind::Director,
                &person.key,
                &person.caption,
                r.from,
            );
        }
    }
    let mut report = ClusterReport::default();
    for ((kind, value), (shown, members)) in values {
        if members.len() < 2 {
            continue;
        }
        if members.len() > rules.max_members {
            report.rejected.push(Rejected {
                kind,
                value,
                members: members.len(),
                reason: format!(
                    "too common: shared by more than {} parties",
                    rules.max_members
                ),
            });
            continue;
        }
        report.clusters.push(Cluster {
            kind,
            value,
            shown,
            member_keys: members.iter().map(|m| graph.node(*m).key.clone()).collect(),
            members,
        });
    }
    for ((kind, value), (reason, members)) in rejected {
        if members.len() >= 2 {
            report.rejected.push(Rejected {
                kind,
                value,
                members: members.len(),
                reason: reason.to_string(),
            });
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_specificity() {
        assert_eq!(
            address_key("Rakwon-dong, Pothonggang District, Pyongyang, Democratic People's Republic of Korea").as_deref(),
            Ok("RAKWON DONG, POTHONGGANG DISTRICT, PYONGYANG")
        );
        assert_eq!(
            address_key("Pyongyang, Democratic People's Republic of Korea"),
            Err("city only")
        );
        assert_eq!(
            address_key("Central District, Pyongyang, Democratic People's Republic of Korea"),
            Err("district only")
        );
        assert_eq!(
            address_key("Democratic People's Republic of Korea"),
            Err("country only")
        );
        assert_eq!(
            address_key("Hamhung, South Hamgyong Province, Democratic People's Republic of Korea"),
            Err("city only")
        );
        assert!(address_key("Room 601, 433, Chifeng Lu, Hongkou Qu, Shanghai, China").is_ok());
    }

    #[test]
    fn identifier_specificity() {
        let r = ClusterRules::default();
        assert_eq!(
            value_key(IdentifierKind::Phone, "+850-2-18111", &r),
            Err("partial number")
        );
        assert_eq!(
            value_key(IdentifierKind::Phone, "+850-2-381-4410", &r).as_deref(),
            Ok("85023814410")
        );
        assert_eq!(
            value_key(IdentifierKind::Bic, "FTBDKPPYXXX", &r).as_deref(),
            Ok("FTBDKPPY")
        );
        assert_eq!(
            value_key(IdentifierKind::RegistrationNumber, "123", &r),
            Err("partial number")
        );
        assert_eq!(
            value_key(IdentifierKind::Imo, "5571322", &r).as_deref(),
            Ok("5571322")
        );
    }
}
