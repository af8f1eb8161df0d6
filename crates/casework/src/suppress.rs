//! False-positive decisions ("suppressions").
//!
//! Closing a case as a false positive clears one pair: the query *as screened*
//! (its [`query_key`]) and one list entry. The pair is keyed on what was
//! screened, never on the entry's name, so a different spelling is screened
//! afresh. A suppression holds only while the entry is unchanged: it carries
//! the entry's fingerprint at decision time, and lapses when the list changes
//! the entry ([`SuppressionStatus`]).

use std::collections::{BTreeMap, HashMap};

use resolute_model::Schema;
use resolute_screening::{ListHit, MatchSuppressor, ScreenedParty};
use resolute_store::{Store, Suppression, canonical_json, sha256_hex};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::engine::Engine;

/// Same query → same key: the schema and the lower-cased, space-collapsed,
/// sorted values of each property.
pub fn query_key(schema: Schema, properties: &BTreeMap<String, Vec<String>>) -> String {
    let mut props = Map::new();
    for (k, vals) in properties {
        let mut vs: Vec<String> = vals
            .iter()
            .map(|v| {
                v.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            })
            .filter(|v| !v.is_empty())
            .collect();
        vs.sort();
        vs.dedup();
        if !vs.is_empty() {
            props.insert(k.clone(), Value::from(vs));
        }
    }
    let v = json!({"schema": schema.as_str(), "properties": props});
    sha256_hex(canonical_json(&v).as_bytes())[..32].to_string()
}

/// The properties a transaction's party was screened with, in the FtM shape
/// of name queries (so a party and a name query with the same name share a key).
pub fn party_properties(p: &ScreenedParty) -> BTreeMap<String, Vec<String>> {
    let mut props = BTreeMap::new();
    let field = match p.by {
        "bic" => "swiftBic",
        "imo" => "imoNumber",
        "mmsi" => "mmsi",
        _ => "name",
    };
    props.insert(field.to_string(), vec![p.value.clone()]);
    if let Some(c) = &p.country {
        props.insert("country".to_string(), vec![c.to_ascii_lowercase()]);
    }
    props
}

/// Suppression key of a transaction's party as screened.
pub fn party_query_key(p: &ScreenedParty) -> String {
    query_key(p.schema.unwrap_or(Schema::Thing), &party_properties(p))
}

/// Where a suppression stands against the lists in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SuppressionStatus {
    /// Clears its pair.
    Active,
    /// The list changed the entry since the decision: no longer clears it.
    LapsedEntryChanged,
    /// The entry is no longer on the lists in force.
    EntryRemoved,
    /// Revoked by a reviewer.
    Revoked,
}

impl SuppressionStatus {
    pub fn of(s: &Suppression, engine: &Engine) -> SuppressionStatus {
        if s.revoked_at.is_some() {
            return SuppressionStatus::Revoked;
        }
        match engine.fingerprint(&s.entity_id) {
            None => SuppressionStatus::EntryRemoved,
            Some(fp) if fp == s.entity_fingerprint => SuppressionStatus::Active,
            Some(_) => SuppressionStatus::LapsedEntryChanged,
        }
    }
}

/// What a screening result says about the decision that cleared it.
pub fn suppression_json(s: &Suppression) -> Value {
    json!({"id": s.id, "case_id": s.case_id, "created_by": s.created_by, "created_at": s.created_at, "note": s.note})
}

/// The suppressions not revoked, by (query key, entity id).
#[derive(Debug, Default)]
pub struct SuppressionSet {
    by_pair: HashMap<(String, String), Suppression>,
}

impl SuppressionSet {
    pub fn load(store: &Store) -> Result<SuppressionSet, resolute_store::StoreError> {
        Ok(SuppressionSet {
            by_pair: store
                .suppressions(false)?
                .into_iter()
                .map(|s| ((s.query_key.clone(), s.entity_id.clone()), s))
                .collect(),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.by_pair.is_empty()
    }

    /// The suppression that clears (`key`, `entity_id`) on `engine`'s lists:
    /// only while the entry is unchanged since the decision.
    pub fn clearing(&self, key: &str, entity_id: &str, engine: &Engine) -> Option<&Suppression> {
        if self.by_pair.is_empty() {
            return None;
        }
        let s = self
            .by_pair
            .get(&(key.to_string(), entity_id.to_string()))?;
        (engine.fingerprint(entity_id) == Some(s.entity_fingerprint.as_str())).then_some(s)
    }
}

/// The [`MatchSuppressor`] transaction screening uses: a party's hit is
/// cleared when a suppression on (the party as screened, the entry) clears it.
#[derive(Debug)]
pub struct PartyClearing<'a> {
    pub set: &'a SuppressionSet,
    pub engine: &'a Engine,
}

impl MatchSuppressor for PartyClearing<'_> {
    fn suppression(&self, party: &ScreenedParty, hit: &ListHit) -> Option<Value> {
        if self.set.is_empty() {
            return None;
        }
        self.set
            .clearing(&party_query_key(party), &hit.entity_id, self.engine)
            .map(suppression_json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_key_ignores_case_spacing_order_and_duplicates() {
        let a: BTreeMap<String, Vec<String>> = [(
            "name".to_string(),
            vec!["Foreign  Trade Bank".into(), "FTB".into()],
        )]
        .into_iter()
        .collect();
        let b: BTreeMap<String, Vec<String>> = [(
            "name".to_string(),
            vec!["ftb".into(), "foreign trade bank".into(), " FTB ".into()],
        )]
        .into_iter()
        .collect();
        assert_eq!(
            query_key(Schema::Company, &a),
            query_key(Schema::Company, &b)
        );
        assert_ne!(
            query_key(Schema::Company, &a),
            query_key(Schema::Person, &a)
        );
    }

    #[test]
    fn a_party_and_a_name_query_with_the_same_name_share_a_key() {
        let party = ScreenedParty {
            schema: Some(Schema::Company),
            by: "name",
            value: "Foreign Trade Bank".into(),
            country: Some("KP".into()),
        };
        let props: BTreeMap<String, Vec<String>> = [
            ("name".to_string(), vec!["foreign trade bank".to_string()]),
            ("country".to_string(), vec!["kp".to_string()]),
        ]
        .into_iter()
        .collect();
        assert_eq!(party_query_key(&party), query_key(Schema::Company, &props));
    }
}
