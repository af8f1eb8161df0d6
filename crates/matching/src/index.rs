//! Candidate retrieval: postings from name keys (token, joined tokens,
//! phonetic key, Korean syllable key) and identifiers to list names, built
//! once per list version. A query looks up its own keys, accumulates IDF
//! weights per list name, and only the best-supported names are scored.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use resolute_model::{Entity, EntityName, NameKind, Schema};

use crate::names::{NameForm, NameType, Role, name_variants};
use crate::qualifiers::EntityQuals;

/// One list name, analysed.
#[derive(Debug)]
pub struct IndexedName {
    pub entity: u32,
    pub form: NameForm,
    pub kind: NameKind,
    pub weak: bool,
}

/// Keys are already FNV hashes: hashing them again (SipHash) only costs time.
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// Postings of every key in one flat array (`ids`), each key's list being a
/// range of it, sorted by name number: one allocation instead of one per key,
/// and a lookup that does not rehash the key.
#[derive(Debug, Default)]
pub struct Postings {
    ranges: KeyMap<(u32, u32)>,
    ids: Vec<u32>,
}

/// FNV-1a over a tag byte and the key bytes (several parts hash as if concatenated).
pub fn key_hash_parts(tag: u8, parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in std::iter::once(&tag).chain(parts.iter().flat_map(|p| p.iter())) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

pub fn key_hash(tag: u8, s: &str) -> u64 {
    key_hash_parts(tag, &[s.as_bytes()])
}

/// Which side a name is on: list names carry the keys that queries in other
/// scripts look up (the consonant skeleton of every Latin word), queries only
/// look those keys up for their own words in those scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    List,
    Query,
}

/// Longest token whose prefixes are keys (a joined name such as `kimjongun`;
/// longer tokens are not names, and their prefixes would make the work per
/// query grow with the square of its length).
const MAX_SPLIT_TOKEN: usize = 32;

/// Keys of an analysed name, each with a relative strength.
pub fn name_keys(form: &NameForm, out: &mut Vec<(u64, f32)>, side: Side) {
    let toks = &form.tokens;
    for (i, t) in toks.iter().enumerate() {
        if matches!(t.role, Role::Name | Role::Number | Role::Generic) {
            out.push((key_hash(b't', &t.text), 1.0));
            if t.role == Role::Name && t.text.len() >= 4 && !t.phonetic.is_empty() {
                out.push((key_hash(b'p', &t.phonetic), 0.6));
            }
        }
        // A name of the variant table: list names carry its row, and a query
        // word in another script (`محمد`) looks it up. Latin query words find
        // their variants by the phonetic key already (`Mohamed`, `Muhammad`).
        if t.group != 0 && t.role == Role::Name && (side == Side::List || t.source.is_some()) {
            out.push((key_hash_parts(b'g', &[&t.group.to_le_bytes()]), 1.0));
        }
        if let Some(src) = &t.source {
            // Every spelling of a word in another script.
            for alt in &src.alts {
                out.push((key_hash(b't', alt), 1.0));
            }
            if let Some(w) = &src.arabic {
                out.push((key_hash_parts(b's', &[w.skeleton.classes()]), 0.8));
            }
        } else if side == Side::List && t.role == Role::Name && t.text.len() >= 3 {
            let sk = crate::arabic::latin_skeleton(&t.text);
            out.push((key_hash_parts(b's', &[sk.classes()]), 0.8));
        }
        if let Some(next) = toks.get(i + 1)
            && t.role != Role::Legal
            && next.role != Role::Legal
        {
            out.push((
                key_hash_parts(b't', &[t.text.as_bytes(), next.text.as_bytes()]),
                1.0,
            ));
        }
    }
    // A single token may be the other side's two words written together.
    if toks.len() == 1 && toks[0].text.len() >= 6 && toks[0].text.len() <= MAX_SPLIT_TOKEN {
        let t = &toks[0].text;
        for cut in 2..t.len() - 1 {
            if t.is_char_boundary(cut) {
                out.push((key_hash(b't', &t[..cut]), 0.5));
            }
        }
    }
    if let Some(readings) = &form.korean {
        for r in readings {
            for s in r {
                for k in &s.keys {
                    out.push((key_hash_parts(b'k', &[&k.to_le_bytes()]), 1.0));
                }
            }
        }
    }
}

impl Postings {
    /// From `(key, name)` pairs in increasing name order.
    fn from_pairs(mut pairs: Vec<(u64, u32)>) -> Postings {
        // Each key's names in increasing order.
        pairs.sort_unstable();
        pairs.dedup();
        let distinct_keys = pairs.chunk_by(|a, b| a.0 == b.0).count();
        let mut ranges: KeyMap<(u32, u32)> = KeyMap::default();
        ranges.reserve(distinct_keys);
        let mut ids = Vec::with_capacity(pairs.len());
        let mut i = 0;
        while i < pairs.len() {
            let key = pairs[i].0;
            let start = ids.len();
            while i < pairs.len() && pairs[i].0 == key {
                ids.push(pairs[i].1);
                i += 1;
            }
            ranges.insert(key, (start as u32, (ids.len() - start) as u32));
        }
        Postings { ranges, ids }
    }

    pub fn get(&self, key: u64) -> &[u32] {
        match self.ranges.get(&key) {
            Some(&(start, len)) => &self.ids[start as usize..(start + len) as usize],
            None => &[],
        }
    }
}

/// The analysed lists.
#[derive(Debug)]
pub struct Inner {
    pub entities: Vec<Entity>,
    pub by_id: HashMap<String, u32>,
    pub names: Vec<IndexedName>,
    pub quals: Vec<EntityQuals>,
    pub postings: Postings,
    pub ids: HashMap<String, Vec<u32>>,
    /// Entity of each name and its schema, packed for the candidate filter
    /// (reading them from `names`/`entities` costs two cache misses per posting).
    pub name_entity: Vec<u32>,
    pub name_schema: Vec<Schema>,
}

fn entity_names(e: &Entity) -> Vec<EntityName> {
    if !e.names.is_empty() {
        return e.names.clone();
    }
    // Entities built by hand or from FtM JSON carry only properties.
    let mut out = Vec::new();
    for (p, kind) in [
        ("name", NameKind::Primary),
        ("alias", NameKind::Alias),
        ("previousName", NameKind::Previous),
        ("weakAlias", NameKind::Weak),
    ] {
        for v in e.get(p) {
            out.push(EntityName {
                value: v.clone(),
                kind,
                quality: Default::default(),
                script: None,
            });
        }
    }
    if out.is_empty() && !e.caption.is_empty() {
        out.push(EntityName {
            value: e.caption.as_str().into(),
            kind: NameKind::Primary,
            quality: Default::default(),
            script: None,
        });
    }
    out
}

impl Inner {
    pub fn build(entities: Vec<Entity>) -> Inner {
        use rayon::prelude::*;
        let analysed: Vec<(Vec<IndexedName>, EntityQuals)> = entities
            .par_iter()
            .enumerate()
            .map(|(i, e)| {
                let ty = NameType::of(e.schema);
                let mut names = Vec::new();
                for n in entity_names(e) {
                    for v in name_variants(&n.value) {
                        let form = NameForm::new(&v, ty);
                        if form.tokens.is_empty() {
                            continue;
                        }
                        names.push(IndexedName {
                            entity: i as u32,
                            form,
                            kind: n.kind,
                            weak: n.is_weak(),
                        });
                    }
                }
                let name_countries: Vec<(String, String)> = names
                    .iter()
                    .filter_map(|n| n.form.country.clone().map(|c| (c, n.form.original.clone())))
                    .collect();
                (names, EntityQuals::of(e, &name_countries))
            })
            .collect();
        let mut names = Vec::new();
        let mut quals = Vec::with_capacity(entities.len());
        for (n, q) in analysed {
            names.extend(n);
            quals.push(q);
        }
        let mut pairs = Vec::with_capacity(names.len() * 12);
        let mut keys = Vec::new();
        for (ni, n) in names.iter().enumerate() {
            keys.clear();
            name_keys(&n.form, &mut keys, Side::List);
            pairs.extend(keys.iter().map(|(k, _)| (*k, ni as u32)));
        }
        let postings = Postings::from_pairs(pairs);
        let name_entity: Vec<u32> = names.iter().map(|n| n.entity).collect();
        let name_schema: Vec<Schema> = names
            .iter()
            .map(|n| entities[n.entity as usize].schema)
            .collect();
        let mut ids: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, q) in quals.iter().enumerate() {
            for k in &q.ids {
                ids.entry(k.clone()).or_default().push(i as u32);
            }
        }
        let by_id = entities
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i as u32))
            .collect();
        Inner {
            entities,
            by_id,
            names,
            quals,
            postings,
            ids,
            name_entity,
            name_schema,
        }
    }
}
