//! Candidate retrieval: postings from name keys (token, joined tokens,
//! phonetic key, Korean syllable key) and identifiers to list names, built
//! once per list version. A query looks up its own keys, accumulates IDF
//! weights per list name, and only the best-supported names are scored.

use std::collections::HashMap;

use resolute_model::{Entity, EntityName, NameKind};

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

#[derive(Debug, Default)]
pub struct Postings {
    map: HashMap<u64, Vec<u32>>,
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

/// Keys of an analysed name, each with a relative strength.
pub fn name_keys(form: &NameForm, out: &mut Vec<(u64, f32)>) {
    let toks = &form.tokens;
    for (i, t) in toks.iter().enumerate() {
        if matches!(t.role, Role::Name | Role::Number | Role::Generic) {
            out.push((key_hash(b't', &t.text), 1.0));
            if t.role == Role::Name && t.text.len() >= 4 {
                out.push((key_hash(b'p', &t.phonetic), 0.6));
            }
        }
        if let Some(next) = toks.get(i + 1)
            && t.role != Role::Legal
            && next.role != Role::Legal
        {
            out.push((key_hash_parts(b't', &[t.text.as_bytes(), next.text.as_bytes()]), 1.0));
        }
    }
    // A single token may be the other side's two words written together.
    if toks.len() == 1 && toks[0].text.len() >= 6 {
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
    pub fn add(&mut self, key: u64, id: u32) {
        let v = self.map.entry(key).or_default();
        if v.last() != Some(&id) {
            v.push(id);
        }
    }

    pub fn get(&self, key: u64) -> &[u32] {
        self.map.get(&key).map(Vec::as_slice).unwrap_or(&[])
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
}

fn entity_names(e: &Entity) -> Vec<EntityName> {
    if !e.names.is_empty() {
        return e.names.clone();
    }
    // Entities built by hand or from FtM JSON carry only properties.
    let mut out = Vec::new();
    for (p, kind) in [("name", NameKind::Primary), ("alias", NameKind::Alias), ("previousName", NameKind::Previous), ("weakAlias", NameKind::Weak)] {
        for v in e.get(p) {
            out.push(EntityName { value: v.clone(), kind, quality: Default::default(), script: None });
        }
    }
    if out.is_empty() && !e.caption.is_empty() {
        out.push(EntityName { value: e.caption.clone(), kind: NameKind::Primary, quality: Default::default(), script: None });
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
                        names.push(IndexedName { entity: i as u32, form, kind: n.kind, weak: n.is_weak() });
                    }
                }
                (names, EntityQuals::of(e))
            })
            .collect();
        let mut names = Vec::new();
        let mut quals = Vec::with_capacity(entities.len());
        for (n, q) in analysed {
            names.extend(n);
            quals.push(q);
        }
        let mut postings = Postings::default();
        let mut keys = Vec::new();
        for (ni, n) in names.iter().enumerate() {
            keys.clear();
            name_keys(&n.form, &mut keys);
            for (k, _) in &keys {
                postings.add(*k, ni as u32);
            }
        }
        let mut ids: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, q) in quals.iter().enumerate() {
            for k in &q.ids {
                ids.entry(k.clone()).or_default().push(i as u32);
            }
        }
        let by_id = entities.iter().enumerate().map(|(i, e)| (e.id.clone(), i as u32)).collect();
        Inner { entities, by_id, names, quals, postings, ids }
    }
}
