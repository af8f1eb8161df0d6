//! An entity's FtM properties: property name → values.

use std::fmt;

use compact_str::CompactString;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::entity::{PropKey, prop};

/// The FtM properties of an entity, sorted by name, each multi-valued.
///
/// Two vectors instead of a `BTreeMap<name, Vec<value>>`: the names in
/// order, each with where its values end, and all the values one after the
/// other. An entity has about a dozen properties and thirty values; a map
/// of vectors takes a node and a dozen more allocations per entity, these
/// two (a parsed list of 15,000 entities is built and freed that much
/// faster). It reads like the map it replaces (`get`, `iter`, `insert`),
/// a property's values are a `&[CompactString]`, and it serializes as the same
/// JSON object, keys in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Properties {
    /// Property names in order, each with the end of its values in `values`
    /// (a property's values start where the previous one's end).
    keys: Vec<(PropKey, u32)>,
    values: Vec<CompactString>,
}

impl Properties {
    pub fn new() -> Self {
        Properties::default()
    }

    /// Room for `properties` names and `values` values.
    pub fn with_capacity(properties: usize, values: usize) -> Self {
        Properties {
            keys: Vec::with_capacity(properties),
            values: Vec::with_capacity(values),
        }
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.keys.binary_search_by(|(k, _)| k.as_ref().cmp(key))
    }

    /// Where the values of the `i`th property start (where the previous
    /// one's end), also for a property about to be inserted at `i`.
    fn start(&self, i: usize) -> usize {
        if i == 0 {
            0
        } else {
            self.keys[i - 1].1 as usize
        }
    }

    /// Where the values of the `i`th property start and end.
    fn span(&self, i: usize) -> std::ops::Range<usize> {
        self.start(i)..self.keys[i].1 as usize
    }

    /// The values of property `key`, if it is set.
    pub fn get(&self, key: &str) -> Option<&[CompactString]> {
        self.find(key).ok().map(|i| &self.values[self.span(i)])
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Values may be added up to `u32::MAX` in all (a list entry has dozens).
    fn shift_ends(&mut self, from: usize, by: isize) {
        for (_, end) in &mut self.keys[from..] {
            *end = (*end as isize + by) as u32;
        }
    }

    /// Add `value` to the values of property `key` (set when it is not).
    /// Duplicates are the caller's business ([`Entity::add`] drops them).
    ///
    /// [`Entity::add`]: crate::Entity::add
    pub fn add_value(&mut self, key: &str, value: CompactString) {
        let i = match self.find(key) {
            Ok(i) => i,
            Err(i) => {
                self.keys.insert(i, (prop::key(key), self.start(i) as u32));
                i
            }
        };
        self.values.insert(self.keys[i].1 as usize, value);
        self.shift_ends(i, 1);
    }

    /// Set property `key` to `values`, returning the values it had.
    pub fn insert(
        &mut self,
        key: PropKey,
        values: Vec<CompactString>,
    ) -> Option<Vec<CompactString>> {
        let added = values.len() as isize;
        match self.find(&key) {
            Ok(i) => {
                let span = self.span(i);
                let removed = span.len() as isize;
                let old = self.values.splice(span, values).collect();
                self.shift_ends(i, added - removed);
                Some(old)
            }
            Err(i) => {
                let start = self.start(i);
                self.values.splice(start..start, values);
                self.keys.insert(i, (key, start as u32));
                self.shift_ends(i, added);
                None
            }
        }
    }

    /// Set property `key`, which sorts after every property set so far, to
    /// `values` (a parser setting properties in name order); otherwise as
    /// [`insert`].
    ///
    /// [`insert`]: Properties::insert
    pub fn push(&mut self, key: PropKey, values: impl IntoIterator<Item = CompactString>) {
        match self.keys.last() {
            Some((last, _)) if last.as_ref() >= key.as_ref() => {
                self.insert(key, values.into_iter().collect());
            }
            _ => {
                self.values.extend(values);
                self.keys.push((key, self.values.len() as u32));
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Vec<CompactString>> {
        let i = self.find(key).ok()?;
        let span = self.span(i);
        let removed = span.len() as isize;
        let old = self.values.drain(span).collect();
        self.keys.remove(i);
        self.shift_ends(i, -removed);
        Some(old)
    }

    /// How many properties are set.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// `(name, values)` in name order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            properties: self,
            next: 0,
        }
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = &PropKey> {
        self.keys.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl ExactSizeIterator<Item = &[CompactString]> {
        self.iter().map(|(_, v)| v)
    }
}

/// The iterator of [`Properties::iter`].
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    properties: &'a Properties,
    next: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a PropKey, &'a [CompactString]);

    fn next(&mut self) -> Option<Self::Item> {
        let p = self.properties;
        let (key, _) = p.keys.get(self.next)?;
        let values = &p.values[p.span(self.next)];
        self.next += 1;
        Some((key, values))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.properties.keys.len() - self.next;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Properties {
    type Item = (&'a PropKey, &'a [CompactString]);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl FromIterator<(PropKey, Vec<CompactString>)> for Properties {
    fn from_iter<I: IntoIterator<Item = (PropKey, Vec<CompactString>)>>(iter: I) -> Self {
        let mut props = Properties::new();
        for (k, v) in iter {
            props.push(k, v);
        }
        props
    }
}

impl Serialize for Properties {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            map.serialize_entry(k.as_ref(), v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Properties {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PropertiesVisitor;
        impl<'de> Visitor<'de> for PropertiesVisitor {
            type Value = Properties;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of property name → list of strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Properties, A::Error> {
                let mut props = Properties::new();
                while let Some((k, v)) =
                    map.next_entry::<std::borrow::Cow<'de, str>, Vec<CompactString>>()?
                {
                    // A repeated key keeps its last values, as a map would.
                    props.push(prop::key(&k), v);
                }
                Ok(props)
            }
        }
        deserializer.deserialize_map(PropertiesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn owned(props: &Properties) -> BTreeMap<String, Vec<CompactString>> {
        props
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_vec()))
            .collect()
    }

    /// The same operations on a `BTreeMap` and on `Properties` agree, in
    /// any order of keys.
    #[test]
    fn behaves_like_a_sorted_map() {
        let mut map: BTreeMap<String, Vec<CompactString>> = BTreeMap::new();
        let mut props = Properties::new();
        let keys = [
            "name",
            "alias",
            "vesselType",
            "birthDate",
            "name",
            "zzz",
            "address",
            "alias",
            "a",
        ];
        for (i, k) in keys.iter().enumerate() {
            let v = vec![CompactString::from(format!("v{i}"))];
            assert_eq!(
                props.insert(prop::key(k), v.clone()),
                map.insert(k.to_string(), v)
            );
        }
        props.push(prop::key("zzzz"), vec!["last".into()]);
        map.insert("zzzz".into(), vec!["last".into()]);
        props.push(prop::key("b"), vec!["early".into()]);
        map.insert("b".into(), vec!["early".into()]);
        assert_eq!(owned(&props), map);
        assert!(props.keys().zip(props.keys().skip(1)).all(|(a, b)| a < b));
        assert_eq!(props.get("alias"), map.get("alias").map(Vec::as_slice));
        assert_eq!(props.get("missing"), None);
        assert!(props.contains_key("vesselType") && !props.contains_key("vessel"));
        props.add_value("name", "w".into());
        map.get_mut("name").expect("set").push("w".into());
        props.add_value("a0", "new".into());
        map.insert("a0".into(), vec!["new".into()]);
        props.add_value("zzzzz", "new".into());
        map.insert("zzzzz".into(), vec!["new".into()]);
        props.insert(
            prop::key("address"),
            vec!["x".into(), "y".into(), "z".into()],
        );
        map.insert("address".into(), vec!["x".into(), "y".into(), "z".into()]);
        props.insert(prop::key("name"), vec![]);
        map.insert("name".into(), vec![]);
        assert_eq!(owned(&props), map);
        assert_eq!(props.get("name"), Some(&[][..]));
        assert_eq!(props.remove("a"), map.remove("a"));
        assert_eq!(props.len(), map.len());
        let json = serde_json::to_string(&props).expect("serialize");
        let map_json = serde_json::to_string(&owned(&props)).expect("serialize");
        assert_eq!(json, map_json);
        let back: Properties = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, props);
        let unsorted: Properties =
            serde_json::from_str(r#"{"z": ["1"], "a": ["2"], "m": []}"#).expect("deserialize");
        assert_eq!(
            unsorted.keys().map(|k| k.as_ref()).collect::<Vec<_>>(),
            ["a", "m", "z"]
        );
    }
}
