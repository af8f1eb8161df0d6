//! An entity's FtM properties: property name → values.

use std::collections::BTreeMap;
use std::collections::btree_map;

use serde::{Deserialize, Serialize};

use crate::entity::PropKey;

/// The FtM properties of an entity, sorted by name, each multi-valued. A
/// map of the property name to its values that serializes as the JSON object
/// `{"name": ["..."], ...}`; a property's values read as a slice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Properties(BTreeMap<PropKey, Vec<String>>);

impl Properties {
    pub fn new() -> Self {
        Properties::default()
    }

    /// The values of property `key`, if it is set.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.0.get(key).map(Vec::as_slice)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// Add `value` to the values of property `key` (set when it is not).
    /// Duplicates are the caller's business ([`Entity::add`] drops them).
    ///
    /// [`Entity::add`]: crate::Entity::add
    pub fn add_value(&mut self, key: &str, value: String) {
        match self.0.get_mut(key) {
            Some(values) => values.push(value),
            None => {
                self.0.insert(crate::prop::key(key), vec![value]);
            }
        }
    }

    /// Set property `key` to `values`, returning the values it had.
    pub fn insert(&mut self, key: PropKey, values: Vec<String>) -> Option<Vec<String>> {
        self.0.insert(key, values)
    }

    pub fn remove(&mut self, key: &str) -> Option<Vec<String>> {
        self.0.remove(key)
    }

    /// How many properties are set.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `(name, values)` in name order.
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.0.iter())
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = &PropKey> {
        self.0.keys()
    }

    pub fn values(&self) -> impl ExactSizeIterator<Item = &[String]> {
        self.0.values().map(Vec::as_slice)
    }
}

/// The iterator of [`Properties::iter`]: `(name, values)` in name order.
#[derive(Debug, Clone)]
pub struct Iter<'a>(btree_map::Iter<'a, PropKey, Vec<String>>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a PropKey, &'a [String]);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v.as_slice()))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Properties {
    type Item = (&'a PropKey, &'a [String]);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl FromIterator<(PropKey, Vec<String>)> for Properties {
    fn from_iter<I: IntoIterator<Item = (PropKey, Vec<String>)>>(iter: I) -> Self {
        Properties(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prop;

    #[test]
    fn sorted_by_name_and_serialized_as_an_object() {
        let mut props = Properties::new();
        props.add_value("name", "KIM".into());
        props.add_value("alias", "K".into());
        props.add_value("name", "KIM JONG".into());
        props.insert(prop::key("vesselType"), vec!["Cargo".into()]);
        assert_eq!(
            props.keys().map(|k| k.as_ref()).collect::<Vec<_>>(),
            ["alias", "name", "vesselType"]
        );
        assert_eq!(
            props.get("name"),
            Some(&["KIM".into(), "KIM JONG".into()][..])
        );
        assert_eq!(props.get("missing"), None);
        let json = serde_json::to_string(&props).expect("serialize");
        assert_eq!(
            json,
            r#"{"alias":["K"],"name":["KIM","KIM JONG"],"vesselType":["Cargo"]}"#
        );
        let back: Properties = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, props);
        assert_eq!(props.remove("alias"), Some(vec!["K".into()]));
        assert_eq!(props.len(), 2);
    }
}
