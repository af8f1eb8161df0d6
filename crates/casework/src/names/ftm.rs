//! The FollowTheMoney model as yente serves it: schemata (labels, parents,
//! matchability, properties with their types), property types and their
//! index groups (`countries`, `identifiers`…), topic labels.
//!
//! Read from `data/ftm/schemata.json`, extracted from the followthemoney
//! 4.9.2 wheel by `scripts/ftm-schemata.py` (provenance in
//! `data/ftm/SOURCES.md`). Resolute's lists use a handful of schemata, but
//! yente's clients may name any of them: which ones a query may match, which
//! fields a `/search` filter names, what the reconciliation service offers.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

use serde::Deserialize;

static SCHEMATA_JSON: &str = include_str!("../../../../data/ftm/schemata.json");

/// yente's base schema: queries without a more precise type.
pub const BASE_SCHEMA: &str = "Thing";

#[derive(Debug, Deserialize)]
struct RawModel {
    types: BTreeMap<String, PropertyType>,
    topics: BTreeMap<String, String>,
    risk_topics: Vec<String>,
    schemata: BTreeMap<String, RawSchema>,
}

#[derive(Debug, Deserialize)]
struct RawSchema {
    label: String,
    plural: String,
    description: Option<String>,
    extends: Vec<String>,
    #[serde(rename = "abstract")]
    is_abstract: bool,
    matchable: bool,
    edge: bool,
    featured: Vec<String>,
    caption: Vec<String>,
    properties: BTreeMap<String, RawProperty>,
}

#[derive(Debug, Deserialize)]
struct RawProperty {
    label: String,
    #[serde(rename = "type")]
    type_name: String,
    description: Option<String>,
    range: Option<String>,
    #[serde(default)]
    hidden: bool,
    #[serde(default)]
    deprecated: bool,
    matchable: Option<bool>,
    reverse: Option<RawReverse>,
}

#[derive(Debug, Deserialize)]
struct RawReverse {
    name: String,
    label: String,
}

/// A property type (`country`, `name`, `identifier`…).
#[derive(Debug, Clone, Deserialize)]
pub struct PropertyType {
    /// The index field its values are copied to (`countries`), if any.
    pub group: Option<String>,
    pub label: String,
    pub plural: String,
    pub matchable: bool,
}

/// A property of a schema (own, inherited or a reverse stub).
#[derive(Debug, Clone)]
pub struct Property {
    pub name: String,
    /// `Schema:name`, with the schema that defines it.
    pub qname: String,
    /// The schema that defines it.
    pub schema: String,
    pub label: String,
    pub description: Option<String>,
    /// The type's name (`country`, `entity`…).
    pub type_name: String,
    pub hidden: bool,
    pub deprecated: bool,
    pub matchable: bool,
    /// For `entity` properties: the schema of the entities it points to.
    pub range: Option<String>,
    /// The property on the other side of an `entity` property.
    pub reverse: Option<String>,
    /// Added to the range schema as the reverse of another property.
    pub stub: bool,
}

/// A schema with everything it inherits resolved.
#[derive(Debug, Clone)]
pub struct Schema {
    pub name: String,
    pub label: String,
    pub plural: String,
    pub description: Option<String>,
    pub extends: Vec<String>,
    pub is_abstract: bool,
    pub matchable: bool,
    pub edge: bool,
    pub featured: Vec<String>,
    pub caption: Vec<String>,
    /// Itself and every ancestor (FtM's `schema.schemata`).
    pub ancestors: BTreeSet<String>,
    /// Every property by name, inherited ones and reverse stubs included.
    pub properties: BTreeMap<String, Property>,
}

impl Schema {
    pub fn is_a(&self, other: &str) -> bool {
        self.ancestors.contains(other)
    }

    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.get(name)
    }
}

/// The model: schemata, property types, topics.
#[derive(Debug, Default)]
pub struct Model {
    schemata: BTreeMap<String, Schema>,
    types: BTreeMap<String, PropertyType>,
    topics: BTreeMap<String, String>,
    risk_topics: BTreeSet<String>,
    /// Lower-case name → canonical name (FtM names are case-sensitive; a
    /// client's `person` still means `Person`).
    folded: HashMap<String, String>,
}

static MODEL: LazyLock<Model> = LazyLock::new(|| match Model::parse(SCHEMATA_JSON) {
    Ok(m) => m,
    Err(e) => {
        // The file is embedded and checked by a test: this is a build defect.
        tracing::error!("data/ftm/schemata.json does not load: {e}");
        Model::default()
    }
});

/// The FtM model embedded in the binary.
pub fn model() -> &'static Model {
    &MODEL
}

impl Model {
    fn parse(text: &str) -> Result<Model, serde_json::Error> {
        let raw: RawModel = serde_json::from_str(text)?;
        let ancestors_of = |name: &str| {
            let mut out = BTreeSet::new();
            let mut todo = vec![name.to_string()];
            while let Some(n) = todo.pop() {
                if out.insert(n.clone())
                    && let Some(s) = raw.schemata.get(&n)
                {
                    todo.extend(s.extends.iter().cloned());
                }
            }
            out
        };
        let mut schemata = BTreeMap::new();
        for (name, s) in &raw.schemata {
            let ancestors = ancestors_of(name);
            let mut properties = BTreeMap::new();
            for owner in &ancestors {
                let Some(o) = raw.schemata.get(owner) else {
                    continue;
                };
                for (pname, p) in &o.properties {
                    let type_matchable = raw.types.get(&p.type_name).is_some_and(|t| t.matchable);
                    properties.entry(pname.clone()).or_insert(Property {
                        name: pname.clone(),
                        qname: format!("{owner}:{pname}"),
                        schema: owner.clone(),
                        label: p.label.clone(),
                        description: p.description.clone(),
                        type_name: p.type_name.clone(),
                        hidden: p.hidden,
                        deprecated: p.deprecated,
                        matchable: p.matchable.unwrap_or(type_matchable),
                        range: p.range.clone(),
                        reverse: p.reverse.as_ref().map(|r| r.name.clone()),
                        stub: false,
                    });
                }
            }
            schemata.insert(
                name.clone(),
                Schema {
                    name: name.clone(),
                    label: s.label.clone(),
                    plural: s.plural.clone(),
                    description: s.description.clone(),
                    extends: s.extends.clone(),
                    is_abstract: s.is_abstract,
                    matchable: s.matchable,
                    edge: s.edge,
                    featured: s.featured.clone(),
                    caption: s.caption.clone(),
                    ancestors,
                    properties,
                },
            );
        }
        // Reverse stubs (`Thing:sanctions` from `Sanction:entity`), added to
        // the range schema and everything below it.
        let mut stubs = Vec::new();
        for (owner, s) in &raw.schemata {
            for (pname, p) in &s.properties {
                if let (Some(rev), Some(range)) = (&p.reverse, &p.range) {
                    stubs.push(Property {
                        name: rev.name.clone(),
                        qname: format!("{range}:{}", rev.name),
                        schema: range.clone(),
                        label: rev.label.clone(),
                        description: None,
                        type_name: "entity".into(),
                        hidden: false,
                        deprecated: false,
                        matchable: false,
                        range: Some(owner.clone()),
                        reverse: Some(pname.clone()),
                        stub: true,
                    });
                }
            }
        }
        for schema in schemata.values_mut() {
            for stub in &stubs {
                if schema.ancestors.contains(&stub.schema) {
                    schema
                        .properties
                        .entry(stub.name.clone())
                        .or_insert_with(|| stub.clone());
                }
            }
        }
        let folded = schemata
            .keys()
            .map(|k| (k.to_lowercase(), k.clone()))
            .collect();
        Ok(Model {
            schemata,
            types: raw.types,
            topics: raw.topics,
            risk_topics: raw.risk_topics.into_iter().collect(),
            folded,
        })
    }

    /// A schema by name (case-insensitive).
    pub fn schema(&self, name: &str) -> Option<&Schema> {
        self.schemata
            .get(name)
            .or_else(|| self.schemata.get(self.folded.get(&name.to_lowercase())?))
    }

    pub fn schemata(&self) -> impl Iterator<Item = &Schema> {
        self.schemata.values()
    }

    /// Schemata that extend `name`, directly or not (itself excluded).
    pub fn descendants(&self, name: &str) -> BTreeSet<String> {
        self.schemata
            .values()
            .filter(|s| s.name != name && s.ancestors.contains(name))
            .map(|s| s.name.clone())
            .collect()
    }

    /// FtM's `matchable_schemata`: the matchable schemata among the
    /// ancestors and descendants of a matchable schema (a `Company` query may
    /// find an `Organization`, never a `Vessel`); none for the others.
    pub fn matchable_schemata(&self, name: &str) -> BTreeSet<String> {
        let Some(s) = self.schema(name) else {
            return BTreeSet::new();
        };
        if !s.matchable {
            return BTreeSet::new();
        }
        s.ancestors
            .iter()
            .cloned()
            .chain(self.descendants(&s.name))
            .filter(|n| self.schema(n).is_some_and(|x| x.matchable))
            .collect()
    }

    /// The schemata a query or search of schema `name` may return (yente's
    /// `filter_query`): its matchable schemata, and for a schema that is not
    /// matchable itself (`Thing`) everything below it.
    pub fn scope_schemata(&self, name: &str) -> BTreeSet<String> {
        let mut out = self.matchable_schemata(name);
        if self.schema(name).is_some_and(|s| !s.matchable) {
            out.extend(self.descendants(name));
        }
        out
    }

    pub fn property_type(&self, name: &str) -> Option<&PropertyType> {
        self.types.get(name)
    }

    /// Every property type, by name.
    pub fn property_types(&self) -> impl Iterator<Item = (&String, &PropertyType)> {
        self.types.iter()
    }

    /// The type whose index group is `group` (`countries` → `country`).
    pub fn type_of_group(&self, group: &str) -> Option<(&str, &PropertyType)> {
        self.types
            .iter()
            .find(|(_, t)| t.group.as_deref() == Some(group))
            .map(|(n, t)| (n.as_str(), t))
    }

    /// A topic's label (`sanction` → "Sanctioned entity").
    pub fn topic_label(&self, topic: &str) -> Option<&str> {
        self.topics.get(topic).map(String::as_str)
    }

    /// Topics that make an entity a target (FtM's `RISKS`).
    pub fn is_risk_topic(&self, topic: &str) -> bool {
        self.risk_topics.contains(topic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_model_loads_with_ftm_semantics() {
        let m = Model::parse(SCHEMATA_JSON).expect("schemata.json parses");
        assert!(m.schemata().count() > 60);
        let person = m.schema("person").expect("case-insensitive lookup");
        assert_eq!(person.name, "Person");
        assert!(person.is_a("LegalEntity") && person.is_a("Thing"));
        assert_eq!(
            person.property("country").map(|p| p.qname.as_str()),
            Some("Thing:country")
        );
        // The reverse of `Sanction:entity` is on every Thing.
        let sanctions = person.property("sanctions").expect("reverse stub");
        assert!(sanctions.stub && sanctions.range.as_deref() == Some("Sanction"));
        let names = |set: BTreeSet<String>| set.into_iter().collect::<Vec<_>>().join(",");
        assert_eq!(
            names(m.matchable_schemata("Company")),
            "Company,LegalEntity,Organization"
        );
        assert_eq!(names(m.matchable_schemata("Vessel")), "Vehicle,Vessel");
        assert_eq!(names(m.matchable_schemata("Sanction")), "");
        assert!(m.scope_schemata("Thing").contains("Vessel"));
        assert!(!m.schema("Sanction").is_some_and(|s| s.matchable));
        assert_eq!(m.type_of_group("countries").map(|t| t.0), Some("country"));
        assert_eq!(m.topic_label("sanction"), Some("Sanctioned entity"));
        assert!(m.is_risk_topic("sanction"));
        assert!(m.schema("Banana").is_none());
    }
}
