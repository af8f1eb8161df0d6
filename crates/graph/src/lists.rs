//! Sanctions lists as graph parties, merged across lists, and OFAC's
//! "Linked To" remarks as relations.
//!
//! **Parties.** Every list entry becomes a party keyed by its entity id
//! (`un-kpe.047`, `ofac-sdn-15603`) with its names, identifiers (IMO,
//! SWIFT/BIC, registration number, e-mail, and from UN comments also
//! telephone and fax numbers, e-mail addresses and registration numbers
//! written in the text), addresses and the designation with its listing
//! date.
//!
//! **Merging across lists.** A later list's entry joins an earlier list's
//! party (one party with two designations, so the UN and OFAC rules both
//! see it) when, in this order: they share a SWIFT/BIC or IMO number and no
//! other party has it; or they are organisations or vessels whose primary
//! name equals one of the party's names (normalised) and no other party's;
//! or they are persons with the same name words in any order and a common
//! date of birth. Each merge records its reason ([`Node::merged_by`]); a
//! candidate matched by two entries is not merged and is reported.
//!
//! **Linked To.** OFAC's remark `Linked To: NAME.` is an unknown link from
//! the entry to the SDN entry of that exact name (a designation link, not a
//! shareholding: it never propagates exposure, it shows in the
//! neighbourhood). A name that matches no entry, or several, is reported.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;
use resolute_lists::ListVersion;
use resolute_model::{Entity, Schema, Source, prop};
use serde::Serialize;

use crate::graph::GraphBuilder;
use crate::model::{
    Designation, IdentifierKind, Node, NodeId, Origin, Provenance, Relation, RelationKind,
    RelationSource, Share,
};
use crate::names::{normalize_identifier, normalize_name, sorted_tokens, split_acronym};
use crate::problem::Problem;

/// What adding a list did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ListImport {
    pub list: String,
    pub parties_added: usize,
    /// `(entry key, party key, reason)` for entries merged into a party
    /// from an earlier list.
    pub merged: Vec<(String, String, String)>,
    pub problems: Vec<Problem>,
}

/// What adding OFAC's Linked To remarks did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LinkedToImport {
    pub relations: usize,
    pub problems: Vec<Problem>,
}

fn phone_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\+?\d{2,4}(?:[\- ]\d{1,7}){1,4}")
            .unwrap_or_else(|e| panic!("phone regex: {e}"))
    })
}

fn email_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
            .unwrap_or_else(|e| panic!("email regex: {e}"))
    })
}

fn registration_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)registration (?:number|no\.?)[: ]+([A-Z0-9][A-Z0-9\-]{3,})")
            .unwrap_or_else(|e| panic!("registration regex: {e}"))
    })
}

/// Telephone and fax numbers, e-mail addresses and registration numbers
/// that a UN comment writes in its text ("Telephone numbers: +850-2-18111,
/// 18222 (ext. 8573). Facsimile number: +850-2-381-4687."). Numbers are
/// taken only from sentences that name a telephone or fax, and extension
/// numbers are left out; a number is kept as written even when it is
/// partial (the cluster guard decides what is specific enough).
pub fn identifiers_in_text(text: &str) -> Vec<(IdentifierKind, String)> {
    let mut out = Vec::new();
    for sentence in text.split(". ") {
        let lower = sentence.to_ascii_lowercase();
        if lower.contains("telephone") || lower.contains("fax") || lower.contains("facsimile") {
            for m in phone_re().find_iter(sentence) {
                let before = &sentence[..m.start()];
                if before.trim_end().ends_with("ext.") || before.trim_end().ends_with("ext") {
                    continue;
                }
                let digits = m.as_str().chars().filter(char::is_ascii_digit).count();
                if digits >= 7 {
                    out.push((IdentifierKind::Phone, m.as_str().trim().to_string()));
                }
            }
        }
    }
    for m in email_re().find_iter(text) {
        out.push((
            IdentifierKind::Email,
            m.as_str().trim_end_matches('.').to_lowercase(),
        ));
    }
    for c in registration_re().captures_iter(text) {
        if let Some(v) = c.get(1) {
            out.push((IdentifierKind::RegistrationNumber, v.as_str().to_string()));
        }
    }
    out
}

/// A list entry as a party (without merging).
pub fn node_from_entity(e: &Entity) -> Node {
    let mut node = Node::new(e.id.clone(), e.schema, e.caption.clone(), Origin::List);
    for n in &e.names {
        node.add_name(&n.value);
    }
    for (p, kind) in [
        (prop::IMO_NUMBER, IdentifierKind::Imo),
        (prop::SWIFT_BIC, IdentifierKind::Bic),
        (
            prop::REGISTRATION_NUMBER,
            IdentifierKind::RegistrationNumber,
        ),
        (prop::EMAIL, IdentifierKind::Email),
        (prop::ADDRESS, IdentifierKind::Address),
        ("phone", IdentifierKind::Phone),
    ] {
        for v in e.get(p) {
            node.add_identifier(kind, v);
        }
    }
    if e.source == Source::Un
        && let Some(c) = &e.comments
    {
        for (kind, v) in identifiers_in_text(c) {
            node.add_identifier(kind, &v);
        }
    }
    for c in e.get(prop::COUNTRY) {
        if !node.countries.iter().any(|x| x == c.as_str()) {
            node.countries.push(c.to_string());
        }
    }
    node.designations.push(Designation {
        list: e.source.as_str().to_string(),
        reference: e.reference.clone(),
        listed_on: e.listed_on,
        removed_on: None,
        programs: e.programs.clone(),
    });
    node
}

fn family(schema: Schema) -> u8 {
    match schema {
        Schema::Person => 1,
        Schema::Vessel => 2,
        Schema::Airplane => 3,
        _ => 0,
    }
}

/// Look-up tables over the parties already in the builder, for merging.
struct MergeIndex {
    keys: HashMap<String, Vec<NodeId>>,
    names: HashMap<(u8, String), Vec<NodeId>>,
}

impl MergeIndex {
    fn new(b: &GraphBuilder) -> MergeIndex {
        let mut keys: HashMap<String, Vec<NodeId>> = HashMap::new();
        let mut names: HashMap<(u8, String), Vec<NodeId>> = HashMap::new();
        for (i, n) in b.nodes.iter().enumerate() {
            let id = NodeId(i as u32);
            for (k, v) in &n.identifiers {
                if matches!(k, IdentifierKind::Bic | IdentifierKind::Imo) {
                    let v = normalize_identifier(v);
                    let v = if *k == IdentifierKind::Bic {
                        v.chars().take(8).collect()
                    } else {
                        v
                    };
                    keys.entry(v).or_default().push(id);
                }
            }
            let fam = family(n.schema);
            for name in &n.names {
                let mut forms = vec![normalize_name(name)];
                if let Some((base, _)) = split_acronym(name) {
                    forms.push(normalize_name(base));
                }
                for f in forms {
                    let f = if fam == 1 { sorted_tokens(&f) } else { f };
                    let v = names.entry((fam, f)).or_default();
                    if !v.contains(&id) {
                        v.push(id);
                    }
                }
            }
        }
        MergeIndex { keys, names }
    }

    /// The party an entry should join, with the reason.
    fn candidate(&self, b: &GraphBuilder, e: &Entity) -> Option<(NodeId, String)> {
        for (p, label) in [
            (prop::SWIFT_BIC, "SWIFT/BIC"),
            (prop::IMO_NUMBER, "IMO number"),
        ] {
            for v in e.get(p) {
                let mut k = normalize_identifier(v);
                if p == prop::SWIFT_BIC {
                    k = k.chars().take(8).collect();
                }
                if let Some([id]) = self.keys.get(&k).map(Vec::as_slice) {
                    return Some((*id, format!("same {label} {v}")));
                }
            }
        }
        let fam = family(e.schema);
        let mut name = normalize_name(&e.caption);
        if fam == 1 {
            name = sorted_tokens(&name);
        }
        let [id] = self.names.get(&(fam, name)).map(Vec::as_slice)? else {
            return None;
        };
        if fam == 1 {
            let dob = e.get(prop::BIRTH_DATE);
            let theirs = b.birth_dates.get(id).map(Vec::as_slice).unwrap_or(&[]);
            let common = dob
                .iter()
                .find(|d| theirs.iter().any(|t| t == d.as_str()))?;
            return Some((*id, format!("same name and date of birth {common}")));
        }
        Some((*id, "same name".to_string()))
    }
}

impl GraphBuilder {
    /// Add every entry of a list version as a party; entries of a second
    /// list merge into the first list's parties as the module docs say.
    pub fn add_list(&mut self, version: &ListVersion) -> ListImport {
        let list = version.source.as_str().to_string();
        let mut report = ListImport {
            list: list.clone(),
            ..Default::default()
        };
        let index = (!self.nodes.is_empty()).then(|| MergeIndex::new(self));
        let mut taken: HashMap<NodeId, String> = HashMap::new();
        for e in &version.entities {
            if self.find(&e.id).is_some() {
                report.problems.push(Problem::warning(
                    &list,
                    e.reference.clone(),
                    "entry already in the graph (same key); skipped",
                ));
                continue;
            }
            let candidate =
                index
                    .as_ref()
                    .and_then(|ix| ix.candidate(self, e))
                    .filter(|(id, _)| {
                        !self.nodes[id.index()]
                            .designations
                            .iter()
                            .any(|d| d.list == list)
                    });
            if let Some((id, reason)) = candidate {
                if let Some(first) = taken.get(&id) {
                    report.problems.push(Problem::warning(
                        &list,
                        e.reference.clone(),
                        format!(
                            "would merge into {} ({reason}) which {first} already joined; kept apart",
                            self.nodes[id.index()].key
                        ),
                    ));
                } else {
                    taken.insert(id, e.reference.clone());
                    let extra = node_from_entity(e);
                    let node = self.node_mut(id);
                    for n in &extra.names {
                        node.add_name(n);
                    }
                    for (k, v) in &extra.identifiers {
                        node.add_identifier(*k, v);
                    }
                    node.designations.extend(extra.designations);
                    node.merged_by = Some(reason.clone());
                    let party = node.key.clone();
                    self.add_key(id, &e.id);
                    report.merged.push((e.id.clone(), party, reason));
                    continue;
                }
            }
            let id = self.add_node(node_from_entity(e));
            if e.schema == Schema::Person {
                let dates = e
                    .get(prop::BIRTH_DATE)
                    .iter()
                    .map(|d| d.to_string())
                    .collect();
                self.birth_dates.insert(id, dates);
            }
            report.parties_added += 1;
        }
        self.problems.extend(report.problems.iter().cloned());
        report
    }

    /// OFAC `Linked To:` remarks of an SDN version as unknown links.
    pub fn add_ofac_linked_to(&mut self, sdn: &ListVersion) -> LinkedToImport {
        let mut report = LinkedToImport::default();
        let file = "ofac-sdn";
        // Exact SDN primary names → parties.
        let mut by_name: HashMap<String, Vec<NodeId>> = HashMap::new();
        for e in &sdn.entities {
            if let Some(id) = self.find(&e.id) {
                by_name
                    .entry(normalize_name(&e.caption))
                    .or_default()
                    .push(id);
            }
        }
        for e in &sdn.entities {
            let Some(from) = self.find(&e.id) else {
                continue;
            };
            let Some(remarks) = &e.comments else { continue };
            for target in linked_to_targets(remarks) {
                let mut found = by_name
                    .get(&normalize_name(&target))
                    .cloned()
                    .unwrap_or_default();
                if found.is_empty()
                    && let Some(t) = target.strip_suffix('.')
                {
                    found = by_name.get(&normalize_name(t)).cloned().unwrap_or_default();
                }
                found.dedup();
                match found.as_slice() {
                    [to] => {
                        let provenance = self.add_source(RelationSource {
                            provenance: Provenance::OfacLinkedTo {
                                ent_num: e.reference.clone(),
                                target: target.clone(),
                            },
                            role: Some("Linked To".into()),
                        });
                        self.add_relation(Relation {
                            from,
                            to: *to,
                            kind: RelationKind::UnknownLink,
                            former: false,
                            share: Share::UNKNOWN,
                            start: None,
                            end: None,
                            provenance,
                        });
                        report.relations += 1;
                    }
                    [] => report.problems.push(Problem::warning(
                        file,
                        e.reference.clone(),
                        format!("Linked To {target:?}: no SDN entry has this name"),
                    )),
                    many => report.problems.push(Problem::warning(
                        file,
                        e.reference.clone(),
                        format!(
                            "Linked To {target:?}: {} SDN entries have this name",
                            many.len()
                        ),
                    )),
                }
            }
        }
        self.problems.extend(report.problems.iter().cloned());
        report
    }
}

/// The names after `Linked To:` in an SDN remarks field (split on `;`, the
/// final period dropped).
pub fn linked_to_targets(remarks: &str) -> Vec<String> {
    remarks
        .split(';')
        .filter_map(|seg| seg.trim().strip_prefix("Linked To:"))
        .map(|t| {
            let t = t.trim();
            t.strip_suffix('.').unwrap_or(t).trim().to_string()
        })
        .filter(|t| !t.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_in_un_comments() {
        let text = "Telephone numbers: +850-2-18111, 18222 (ext. 8573). Facsimile number: +850-2-381-4687. \
                    Email addresses: pac@silibank.com and kndic@co.chesin.com. Hong Kong company registration number 1177053.";
        let ids = identifiers_in_text(text);
        assert!(
            ids.contains(&(IdentifierKind::Phone, "+850-2-18111".into())),
            "{ids:?}"
        );
        assert!(ids.contains(&(IdentifierKind::Phone, "+850-2-381-4687".into())));
        assert!(!ids.iter().any(|(_, v)| v.contains("8573")));
        assert!(ids.contains(&(IdentifierKind::Email, "pac@silibank.com".into())));
        assert!(ids.contains(&(IdentifierKind::RegistrationNumber, "1177053".into())));
    }

    #[test]
    fn linked_to_remarks() {
        assert_eq!(
            linked_to_targets("a.k.a. 'X'; Linked To: OCEAN MARITIME MANAGEMENT COMPANY LIMITED."),
            ["OCEAN MARITIME MANAGEMENT COMPANY LIMITED"]
        );
        assert_eq!(
            linked_to_targets("Linked To: A; Linked To: B CO., LTD."),
            ["A", "B CO., LTD"]
        );
        assert!(linked_to_targets("DOB 1960").is_empty());
    }
}
