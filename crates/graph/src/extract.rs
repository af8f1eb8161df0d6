//! Relations stated in the UN Consolidated List's own words.
//!
//! Runs on every DPRK record (`UN_LIST_TYPE` DPRK: `KPe.*` entities, `KPi.*`
//! individuals): the `COMMENTS1` text and, for individuals, the
//! `DESIGNATION` values. The text is split into sentences; each pattern
//! below is tried on each sentence, earlier patterns first, and a later
//! pattern does not fire on words an earlier one already used (so "owned or
//! controlled by, or acts … on behalf of X" is one relation, not two).
//!
//! | pattern | words (case-insensitive) | relation |
//! |---|---|---|
//! | `owned-or-controlled-or-acting` | "owned or controlled by, or act(s/ing) or purport(s/ing) to act for or on behalf of X" | X → record, ownership, share unknown |
//! | `owned-and-or-controlled` | "owned or/and controlled by X" | X → record, ownership, share unknown |
//! | `owned-by` | "is owned by X" | X → record, ownership, share unknown |
//! | `subsidiary-of` | "is a subsidiary of X" | X → record, ownership, share unknown |
//! | `parent-company` | "X is the parent company of …" | X → record, ownership, share unknown |
//! | `parent-is` | "…'s parent is X" | X → record, ownership, share unknown |
//! | `subordinate-to` | "S is/are subordinate to X" (S: the record, or the parties named before) | X → S, control |
//! | `a-subordinate-of` | "S, a subordinate (entity) of X" | X → S, control |
//! | `subordinate-organizations` | "uses … subordinate organizations … including X" | record → X, control |
//! | `controls` | "controls X", "directs the activities of X" | record → X, control (a person: X → person, directorship) |
//! | `managed-by` | "managed by X" | X → record, control |
//! | `front-company` | "a front company for X" | X → record, acting on behalf |
//! | `alias-used-by` | "used as an alias by X" | X → record, acting on behalf |
//! | `used-by` | "is used by X for …" | X → record, acting on behalf |
//! | `on-behalf-of` | "on behalf of X" | X → record, acting on behalf |
//! | `affiliated-with` | "affiliated with X", "associated with X", "close relationship with X" | record → X, unknown link |
//! | `took-over` | "has taken over … the activities of X" | record → X, unknown link |
//! | `renamed` | "changed name as X" | record → X, unknown link |
//! | `vessel-role` | "(registered owner / owner / ship manager / commercial manager / operator/manager) of [the] [flag-] vessel/tanker NAME [and NAME]" | record → vessel: owner = ownership 100 %, manager = vessel management |
//! | `owns-vessels` | "also owns vessels NAME and NAME" | record → vessel, ownership 100 % |
//! | `vessel-owned-by` | "tanker, NAME owned by X" | X → vessel, ownership 100 % |
//! | `its-vessel` | "through its vessel, the NAME" | record → vessel, ownership, share unknown |
//! | `role-of` (individuals) | "(former / vice / deputy …) director, president, chairman, representative, official, head, chief, member, secretary, minister (of/for/in/at) X" | X → person, directorship (role in words) |
//! | `x-role` (individuals) | "X official / representative / officer / facilitator" | X → person, directorship |
//!
//! **Resolving the counterpart.** The words after (or before) the pattern are
//! cut at the first `,`, `;`, dash, " which", " that", " who", " in ", "(designated",
//! split on " and " when the whole does not resolve, and each part is
//! looked up among the parties the UN list designates (vessels: among all
//! vessel parties):
//! 1. a UN reference in the words (`(KPe.027)`);
//! 2. the exact normalised name or alias (case, punctuation, a leading "the");
//! 3. a bracketed acronym (`(KOMID)`) as a name;
//! 4. the name without legal-form words and without a leading KOREA /
//!    KOREAN / DPRK ("Daesong Bank" = KOREA DAESONG BANK), when one party has it;
//! 5. that form within one edit of one party's (a typo: "Ryongbong");
//! 6. the longest run of words inside the phrase that resolves by 2–5 (a
//!    single word only when written as an upper-case acronym).
//!
//! Two parties for the same words, or none, leave the relation **unplaced**:
//! it is reported with its record, pattern, words and reason, never guessed.
//! A vessel named by the list that no list entry has becomes a party of its
//! own (`un-vessel:NAME`, origin [`Origin::ListText`]).
//!
//! "Former", "was" and "served as" mark a relation as past ([`Relation::former`]):
//! shown, never counted, since the list gives no end date.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use regex::Regex;
use resolute_lists::ListVersion;
use resolute_model::{Entity, Schema, collapse_whitespace};
use serde::Serialize;

use crate::graph::GraphBuilder;
use crate::model::{
    Node, NodeId, Origin, Provenance, Relation, RelationKind, RelationSource, Share,
};
use crate::names::{core_name, edit_distance_within, normalize_name, split_acronym};

/// One relation the extractor placed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExtractedRelation {
    /// The record whose text states it.
    pub record: String,
    pub pattern: &'static str,
    pub kind: RelationKind,
    pub role: String,
    pub from: String,
    pub to: String,
    pub former: bool,
    /// The words that named the counterpart.
    pub counterpart: String,
    pub resolved_by: String,
    pub quote: String,
}

/// A relation the text states but whose counterpart did not resolve to
/// exactly one party.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unplaced {
    pub record: String,
    pub pattern: &'static str,
    pub counterpart: String,
    pub reason: String,
    pub quote: String,
}

/// What the extractor did on one list version.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Extraction {
    pub records: usize,
    pub relations: Vec<ExtractedRelation>,
    pub unplaced: Vec<Unplaced>,
    /// Vessels the list names that no entry has: added as parties.
    pub new_vessels: Vec<String>,
}

impl Extraction {
    /// Placed relations by kind.
    pub fn count_by_kind(&self) -> Vec<(RelationKind, usize)> {
        RelationKind::ALL
            .into_iter()
            .map(|k| (k, self.relations.iter().filter(|r| r.kind == k).count()))
            .filter(|(_, c)| *c > 0)
            .collect()
    }
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("extractor pattern {pattern:?}: {e}"))
}

/// Entity patterns: (id, regex with group `x` for the counterpart, kind,
/// direction). `true`: counterpart → record.
struct TextPattern {
    id: &'static str,
    re: Regex,
    kind: RelationKind,
    counterpart_first: bool,
    role: &'static str,
    persons: bool,
    entities: bool,
}

fn text_patterns() -> &'static [TextPattern] {
    static P: OnceLock<Vec<TextPattern>> = OnceLock::new();
    P.get_or_init(|| {
        use RelationKind::*;
        let p = |id, r: &str, kind, counterpart_first, role, persons, entities| TextPattern {
            id,
            re: re(r),
            kind,
            counterpart_first,
            role,
            persons,
            entities,
        };
        vec![
            p("owned-or-controlled-or-acting", r"(?i)owned or controlled by,? or act(?:s|ing)? or purport(?:s|ing)? to act for or on behalf of,?(?: directly or indirectly,)? (?P<x>.+)", Ownership, true, "owned or controlled by, or acting on behalf of", true, true),
            p("owned-and-or-controlled", r"(?i)owned (?:or|and) controlled by (?P<x>.+)", Ownership, true, "owned or controlled by", true, true),
            p("owned-by", r"(?i)\bis owned by (?P<x>.+)", Ownership, true, "owned by", true, true),
            p("subsidiary-of", r"(?i)\bis a subsidiary of (?P<x>.+)", Ownership, true, "subsidiary of", false, true),
            p("parent-company", r"(?i)^(?P<x>.+?) is the parent company of", Ownership, true, "parent company", false, true),
            p("parent-is", r"(?i)['’]s parent is (?P<x>.+)", Ownership, true, "parent", false, true),
            p("subordinate-organizations", r"(?i)subordinate organizations\b.*?\bincluding (?P<x>.+)", Control, false, "subordinate organisation", false, true),
            p("controls", r"(?i)\b(?:controls|directs the activities of) (?P<x>.+)", Control, false, "controls", false, true),
            p("directs", r"(?i)^directs the activities of (?P<x>.+)", Control, false, "directs the activities of", true, false),
            p("managed-by", r"(?i)\bmanaged by (?P<x>.+)", Control, true, "managed by", false, true),
            p("front-company", r"(?i)front company for (?P<x>.+)", ActingOnBehalf, true, "front company for", false, true),
            p("alias-used-by", r"(?i)used as an alias by (?P<x>.+)", ActingOnBehalf, true, "used as an alias by", false, true),
            p("used-by", r"(?i)\bis used by (?P<x>.+?) for ", ActingOnBehalf, true, "used by", false, true),
            p("on-behalf-of", r"(?i)\bon behalf of (?P<x>.+)", ActingOnBehalf, true, "acting on behalf of", true, true),
            p("affiliated-with", r"(?i)\b(?:affiliated with|associated with|close relationship with) (?P<x>.+)", UnknownLink, false, "affiliated or associated with", true, true),
            p("took-over", r"(?i)taken over (?:many of )?the activities of (?P<x>.+)", UnknownLink, false, "took over the activities of", false, true),
            p("renamed", r"(?i)changed name as (?P<x>.+)", UnknownLink, false, "renamed as", false, true),
        ]
    })
}

fn subordinate_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| re(r"(?i)^(?P<s>.*?)\b(?:is|are) subordinate to (?P<x>.+)"))
}

fn a_subordinate_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| re(r"(?i)^(?P<s>.*?), a subordinate(?: entity)? of (?P<x>.+)"))
}

/// Individuals: a role then the organisation.
fn role_of_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        re(r"(?i)(?P<former>\b(?:former|was the|was a|served as the|served as a|served as)\s+)?(?P<role>(?:(?:first |senior )?(?:vice |deputy )?(?:director(?:-general)?|president|chairman|chief representative|representative|head|chief|general manager|official|secretary|member|minister)))\s+(?:of|for|in|at)\s+(?P<x>[^,;]+)")
    })
}

/// Individuals: the organisation then the role ("Tanchon Commercial Bank
/// (TCB) official", "an overseas Foreign Trade Bank representative").
fn x_role_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        re(r"(?P<x>[A-Z(][\w’'()\-]*\s+(?:(?:[A-Z(][\w’'()\-]*|of|and|for|the)\s+)*?)(?P<role>(?i:(?:deputy |chief |vice )*(?:representative|official|facilitator))|(?:[A-Z][a-z]+ ){0,2}Officer)\b")
    })
}

fn vessel_role_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        re(r"(?i)(?P<roles>registered owner(?:,? ship manager,? and commercial manager|,? ship and commercial manager)?|ship manager and commercial manager|ship and commercial manager|ship manager|commercial manager|operator/manager|owner) of (?-i:(?:the |a )?(?:(?:DPRK|DPRK-flagged|[A-Z][\w.\-]*-flagged|[A-Z][a-z]+ Kong-owned|oil products|motor|cargo)\s+)*(?:(?:vessels?|tankers?|ship)\s+)?(?P<v>(?:[A-Z0-9][A-Za-z0-9\-]*)(?: (?:[A-Z0-9][A-Za-z0-9\-]*))*(?: and (?:[A-Z0-9][A-Z0-9\-]*)(?: [A-Z0-9][A-Z0-9\-]*)*)?))")
    })
}

fn owns_vessels_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| re(r"(?i)\bowns vessels? (?-i:(?P<v>[A-Z0-9][A-Z0-9\- ]*[A-Z0-9](?: and [A-Z0-9][A-Z0-9\- ]*[A-Z0-9])?))"))
}

fn vessel_owned_by_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        re(r"(?i)tanker,? (?-i:(?P<v>[A-Z0-9][A-Z0-9\- ]*[A-Z0-9])) owned by (?P<x>[^,.;]+)")
    })
}

fn its_vessel_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| re(r"(?i)through its vessel,? (?:the )?(?-i:(?P<v>[A-Z][A-Za-z0-9]*(?: [A-Z0-9][A-Za-z0-9]*)*))"))
}

fn reference_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| re(r"\b(KP[ei]\.\d{3})\b"))
}

/// Split a comment into sentences at ". " before an upper-case letter,
/// except after common abbreviations.
pub fn sentences(text: &str) -> Vec<String> {
    let text = collapse_whitespace(text).into_owned();
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 2 < bytes.len() {
        if bytes[i] == b'.' && bytes[i + 1] == b' ' && bytes[i + 2].is_ascii_uppercase() {
            let word_start = text[..i].rfind(' ').map_or(0, |p| p + 1);
            let word = &text[word_start..i];
            if !matches!(
                word,
                "Co" | "Corp" | "Ltd" | "No" | "St" | "Mr" | "Inc" | "ext"
            ) {
                out.push(text[start..=i].trim().to_string());
                start = i + 2;
            }
        }
        i += 1;
    }
    if start < text.len() {
        out.push(text[start..].trim().to_string());
    }
    out.retain(|s| !s.is_empty());
    out
}

/// Cut a counterpart phrase at the first delimiter.
fn cut_phrase(s: &str) -> &str {
    let mut end = s.len();
    for d in [
        ",",
        ";",
        " – ",
        " - ",
        " —",
        "(designated",
        "(both designated",
        " which",
        " that ",
        " who ",
        " in ",
        " since ",
        " to ",
        " for the ",
        ". ",
    ] {
        if let Some(p) = s.find(d) {
            end = end.min(p);
        }
    }
    s[..end].trim().trim_end_matches(['.', ',']).trim()
}

/// How a phrase resolved.
#[derive(Debug, Clone, PartialEq)]
enum Resolved {
    One(NodeId, String),
    Many(usize),
    NotFound,
}

/// The look-up tables the extractor resolves names with.
struct Resolver {
    exact: HashMap<String, Vec<NodeId>>,
    core: HashMap<String, Vec<NodeId>>,
    references: HashMap<String, NodeId>,
    vessels: HashMap<String, Vec<NodeId>>,
}

/// The name without legal forms and without a leading KOREA/KOREAN/DPRK.
fn loose_form(normalized: &str) -> Option<String> {
    let core = core_name(normalized).unwrap_or_else(|| normalized.to_string());
    let mut words: Vec<&str> = core.split(' ').filter(|w| *w != "THE").collect();
    while words.len() > 2 && matches!(words[0], "KOREA" | "KOREAN" | "DPRK") {
        words.remove(0);
    }
    (words.len() >= 2).then(|| words.join(" "))
}

impl Resolver {
    fn new(b: &GraphBuilder) -> Resolver {
        let mut r = Resolver {
            exact: HashMap::new(),
            core: HashMap::new(),
            references: HashMap::new(),
            vessels: HashMap::new(),
        };
        for (i, n) in b.nodes.iter().enumerate() {
            r.add(NodeId(i as u32), n);
        }
        r
    }

    fn add(&mut self, id: NodeId, n: &Node) {
        if n.schema == Schema::Vessel {
            for name in &n.names {
                push(self.vessels.entry(normalize_name(name)).or_default(), id);
            }
            return;
        }
        let Some(d) = n.designations.iter().find(|d| d.list == "un") else {
            return;
        };
        self.references.insert(d.reference.to_ascii_uppercase(), id);
        for name in &n.names {
            let mut forms = vec![normalize_name(name)];
            if let Some((base, acronym)) = split_acronym(name) {
                forms.push(normalize_name(base));
                forms.push(acronym.to_string());
            }
            for f in forms {
                if let Some(l) = loose_form(&f) {
                    push(self.core.entry(l).or_default(), id);
                }
                push(self.exact.entry(f).or_default(), id);
            }
        }
    }

    /// Resolve one span of words (steps 2–5 of the module docs).
    fn span(&self, span: &str) -> Resolved {
        self.span_with(span, true)
    }

    /// `fuzzy`: also try one edit (step 5); off inside runs of words, where
    /// it would be slow and would find near-names in fragments.
    fn span_with(&self, span: &str, fuzzy: bool) -> Resolved {
        let norm = normalize_name(span);
        if norm.is_empty() {
            return Resolved::NotFound;
        }
        match self.exact.get(&norm).map(Vec::as_slice) {
            Some([id]) => return Resolved::One(*id, "exact name".into()),
            Some(many) if many.len() > 1 => return Resolved::Many(many.len()),
            _ => {}
        }
        let Some(loose) = loose_form(&norm) else {
            return Resolved::NotFound;
        };
        match self.core.get(&loose).map(Vec::as_slice) {
            Some([id]) => {
                return Resolved::One(*id, "name without legal form or KOREA prefix".into());
            }
            Some(many) if many.len() > 1 => return Resolved::Many(many.len()),
            _ => {}
        }
        if fuzzy && loose.len() >= 12 {
            let near: HashSet<NodeId> = self
                .core
                .iter()
                .filter(|(k, _)| edit_distance_within(k, &loose, 1) <= 1)
                .flat_map(|(_, v)| v.iter().copied())
                .collect();
            if near.len() == 1
                && let Some(id) = near.into_iter().next()
            {
                return Resolved::One(id, "name within one letter (typo)".into());
            }
        }
        Resolved::NotFound
    }

    /// Resolve a counterpart phrase (all six steps), already cut.
    fn phrase(&self, phrase: &str) -> Resolved {
        if let Some(m) = reference_re().captures(phrase).and_then(|c| c.get(1))
            && let Some(id) = self.references.get(&m.as_str().to_ascii_uppercase())
        {
            return Resolved::One(*id, format!("UN reference {}", m.as_str()));
        }
        // A bracketed acronym: the name before it first, then the acronym.
        let (body, acronym) = match split_acronym(phrase) {
            Some((b, a)) => (b, Some(a)),
            None => (phrase, None),
        };
        let body = body.trim();
        match self.span(body) {
            Resolved::NotFound => {}
            found => return found,
        }
        if let Some(a) = acronym
            && let Some([id]) = self.exact.get(a).map(Vec::as_slice)
        {
            return Resolved::One(*id, format!("acronym {a}"));
        }
        // The longest run of words that resolves.
        let words: Vec<&str> = body.split_whitespace().collect();
        for len in (1..words.len()).rev() {
            let mut hits: Vec<(NodeId, String)> = Vec::new();
            for start in 0..=words.len() - len {
                let joined = words[start..start + len].join(" ");
                let text = strip_possessive(&joined);
                if !text.contains(' ') && !is_acronym(text) {
                    continue;
                }
                if let Resolved::One(id, how) = self.span_with(text, false)
                    && !hits.iter().any(|(h, _)| *h == id)
                {
                    hits.push((id, format!("{how}, within the words {text:?}")));
                }
            }
            match hits.len() {
                0 => continue,
                1 => {
                    let (id, how) = hits.remove(0);
                    return Resolved::One(id, how);
                }
                n => return Resolved::Many(n),
            }
        }
        Resolved::NotFound
    }

    fn vessel(&self, name: &str) -> Resolved {
        match self.vessels.get(&normalize_name(name)).map(Vec::as_slice) {
            Some([id]) => Resolved::One(*id, "vessel name".into()),
            Some(many) if many.len() > 1 => Resolved::Many(many.len()),
            _ => Resolved::NotFound,
        }
    }
}

fn push(v: &mut Vec<NodeId>, id: NodeId) {
    if !v.contains(&id) {
        v.push(id);
    }
}

/// A country or a single capitalised word (a city, a country's short name).
fn is_place(phrase: &str) -> bool {
    let p = phrase.trim().trim_start_matches("the ");
    resolute_model::country_from_name(p).is_some() || (!p.contains(' ') && !is_acronym(p))
}

fn is_acronym(word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_alphanumeric());
    w.len() >= 3
        && w.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// "DPRK’s Second Academy" → "Second Academy"; "KOMID’s interests" →
/// "KOMID" (the owner of the possessive when it comes last).
fn strip_possessive(s: &str) -> &str {
    for mark in ["’s ", "'s "] {
        if let Some(p) = s.find(mark) {
            let (before, after) = (&s[..p], &s[p + mark.len()..]);
            // "KOMID's interests": a lower-case rest is not a name.
            return if after.chars().next().is_some_and(char::is_lowercase) {
                before
            } else {
                after
            };
        }
    }
    s.trim_end_matches("’s").trim_end_matches("'s")
}

/// Split "A and B" / "A, B" into parts when the whole does not resolve.
fn parts(phrase: &str) -> Vec<&str> {
    phrase
        .split(" and ")
        .flat_map(|p| p.split(", "))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

struct Run<'a> {
    builder: &'a mut GraphBuilder,
    resolver: Resolver,
    out: Extraction,
    seen: HashSet<(u32, u32, RelationKind)>,
}

impl Run<'_> {
    #[allow(clippy::too_many_arguments)]
    fn place(
        &mut self,
        record: &Entity,
        pattern: &'static str,
        kind: RelationKind,
        role: &str,
        from: NodeId,
        to: NodeId,
        share: Share,
        former: bool,
        counterpart: &str,
        resolved_by: &str,
        quote: &str,
    ) {
        if from == to || !self.seen.insert((from.0, to.0, kind)) {
            return;
        }
        let provenance = self.builder.add_source(RelationSource {
            provenance: Provenance::UnList {
                reference: record.reference.clone(),
                pattern: pattern.to_string(),
                quote: quote.to_string(),
                resolved_by: resolved_by.to_string(),
            },
            role: Some(role.to_string()),
        });
        self.builder.add_relation(Relation {
            from,
            to,
            kind,
            former,
            share,
            start: None,
            end: None,
            provenance,
        });
        self.out.relations.push(ExtractedRelation {
            record: record.reference.clone(),
            pattern,
            kind,
            role: role.to_string(),
            from: self.builder.node(from).key.clone(),
            to: self.builder.node(to).key.clone(),
            former,
            counterpart: counterpart.to_string(),
            resolved_by: resolved_by.to_string(),
            quote: quote.to_string(),
        });
    }

    fn unplaced(
        &mut self,
        record: &Entity,
        pattern: &'static str,
        counterpart: &str,
        reason: String,
        quote: &str,
    ) {
        // A designation and a comment often say the same thing.
        if self.out.unplaced.iter().any(|u| {
            u.record == record.reference && u.pattern == pattern && u.counterpart == counterpart
        }) {
            return;
        }
        self.out.unplaced.push(Unplaced {
            record: record.reference.clone(),
            pattern,
            counterpart: counterpart.to_string(),
            reason,
            quote: quote.to_string(),
        });
    }

    /// Resolve a phrase into parties: the whole, else its parts.
    /// Words without an upper-case letter name no party ("cash transfers
    /// from", "involved"): such parts are dropped, not reported.
    fn resolve_all(&self, phrase: &str) -> Vec<(String, Resolved)> {
        let direct = match split_acronym(phrase) {
            Some((body, _)) => self.resolver.span(body),
            None => self.resolver.span(phrase),
        };
        if matches!(direct, Resolved::One(..)) {
            return vec![(phrase.to_string(), direct)];
        }
        // "… Organization and Guidance Department …": the "and" belongs to
        // the name the words contain, so the phrase is not two names.
        let whole = self.resolver.phrase(phrase);
        if let Resolved::One(id, _) = &whole
            && self
                .builder
                .node(*id)
                .names
                .iter()
                .any(|n| normalize_name(n).contains(" AND "))
        {
            return vec![(phrase.to_string(), whole)];
        }
        let ps: Vec<&str> = parts(phrase)
            .into_iter()
            .filter(|p| p.chars().any(char::is_uppercase))
            .filter(|p| {
                !["was ", "is ", "has ", "had "]
                    .iter()
                    .any(|v| p.starts_with(v))
            })
            .collect();
        if ps.len() <= 1 {
            return ps
                .into_iter()
                .map(|p| (p.to_string(), self.resolver.phrase(p)))
                .collect();
        }
        ps.into_iter()
            .map(|p| (p.to_string(), self.resolver.phrase(p)))
            .collect()
    }

    fn vessel_node(&mut self, name: &str) -> Result<(NodeId, String), String> {
        match self.resolver.vessel(name) {
            Resolved::One(id, how) => Ok((id, how)),
            Resolved::Many(n) => Err(format!("{n} vessel parties have this name")),
            Resolved::NotFound => {
                let key = format!("un-vessel:{}", normalize_name(name));
                let id = self.builder.add_node(Node::new(
                    key,
                    Schema::Vessel,
                    name.trim(),
                    Origin::ListText,
                ));
                let node = self.builder.node(id).clone();
                self.resolver.add(id, &node);
                self.out.new_vessels.push(name.trim().to_string());
                Ok((
                    id,
                    "vessel named by the list, not a list entry (new party)".into(),
                ))
            }
        }
    }

    fn record(&mut self, record: &Entity, me: NodeId) {
        let person = record.schema == Schema::Person;
        let mut texts: Vec<String> = Vec::new();
        if person {
            texts.extend(
                record
                    .designation
                    .iter()
                    .map(|d| collapse_whitespace(d).into_owned()),
            );
        }
        if let Some(c) = &record.comments {
            texts.extend(sentences(c));
        }
        for sentence in texts {
            self.sentence(record, me, person, &sentence);
        }
    }

    fn sentence(&mut self, record: &Entity, me: NodeId, person: bool, s: &str) {
        let mut used: Vec<(usize, usize)> = Vec::new();
        let overlaps =
            |used: &[(usize, usize)], a: usize, b: usize| used.iter().any(|&(x, y)| a < y && x < b);

        // Vessels first: their words ("owner of") must not feed "owned by".
        if !person {
            self.vessels(record, me, s, &mut used);
        }
        // Subordination, with its subject.
        if !person {
            for (re, id) in [
                (a_subordinate_re(), "a-subordinate-of"),
                (subordinate_re(), "subordinate-to"),
            ] {
                if let Some(c) = re.captures(s) {
                    let (Some(m), Some(subject), Some(x)) = (c.get(0), c.name("s"), c.name("x"))
                    else {
                        continue;
                    };
                    if overlaps(&used, m.start(), m.end()) {
                        continue;
                    }
                    used.push((m.start(), m.end()));
                    let subjects =
                        self.subjects(record, me, subject.as_str(), id == "a-subordinate-of");
                    let target = cut_phrase(x.as_str());
                    for (sub_words, sub) in subjects {
                        let Some(sub) = sub else {
                            self.unplaced(
                                record,
                                id,
                                &sub_words,
                                "the subordinate party does not resolve to one party".into(),
                                s,
                            );
                            continue;
                        };
                        for (words, r) in self.resolve_all(target) {
                            match r {
                                Resolved::One(x, how) => self.place(
                                    record,
                                    id,
                                    RelationKind::Control,
                                    "subordinate to",
                                    x,
                                    sub,
                                    Share::UNKNOWN,
                                    false,
                                    &words,
                                    &how,
                                    s,
                                ),
                                other => self.report(record, id, &words, other, s),
                            }
                        }
                    }
                }
            }
        }
        for p in text_patterns() {
            if (person && !p.persons) || (!person && !p.entities) {
                continue;
            }
            for c in p.re.captures_iter(s) {
                let (Some(m), Some(x)) = (c.get(0), c.name("x")) else {
                    continue;
                };
                if overlaps(&used, m.start(), m.end()) {
                    continue;
                }
                used.push((m.start(), m.end()));
                let phrase = if p.id == "parent-company" {
                    x.as_str().trim()
                } else {
                    cut_phrase(x.as_str())
                };
                for (words, r) in self.resolve_all(phrase) {
                    let Resolved::One(other, how) = r else {
                        self.report(record, p.id, &words, r, s);
                        continue;
                    };
                    let (mut kind, mut from, mut to) = if p.counterpart_first {
                        (p.kind, other, me)
                    } else {
                        (p.kind, me, other)
                    };
                    let mut role = p.role.to_string();
                    // A person "directs" or "controls" an organisation as its officer.
                    if person && kind == RelationKind::Control && !p.counterpart_first {
                        kind = RelationKind::Directorship;
                        (from, to) = (other, me);
                        role = "directs the activities of".into();
                    }
                    self.place(
                        record,
                        p.id,
                        kind,
                        &role,
                        from,
                        to,
                        Share::UNKNOWN,
                        false,
                        &words,
                        &how,
                        s,
                    );
                }
            }
        }
        if person {
            self.roles(record, me, s, &mut used);
        }
    }

    /// The parties a subordination sentence is about: the record when the
    /// sentence is about it, else the parties named before the verb.
    fn subjects(
        &self,
        record: &Entity,
        me: NodeId,
        words: &str,
        named: bool,
    ) -> Vec<(String, Option<NodeId>)> {
        let w = words.trim();
        let mine = {
            let n = normalize_name(w);
            let own: Vec<String> = record
                .names
                .iter()
                .map(|x| normalize_name(&x.value))
                .collect();
            n.is_empty()
                || own
                    .iter()
                    .any(|o| n.ends_with(o.as_str()) || n.contains(o.as_str()))
                || n.starts_with("A ")
                || n.starts_with("IT ")
                || n.starts_with("THIS ")
        };
        if mine && !named {
            return vec![(w.to_string(), Some(me))];
        }
        let w = w.split(" – ").next().unwrap_or(w).trim();
        if named {
            // "…, S, a subordinate of X": S is the last name before the comma.
            let words: Vec<&str> = w.split_whitespace().collect();
            for start in 0..words.len() {
                let tail = words[start..].join(" ");
                if let Resolved::One(id, _) = self.resolver.span(&tail) {
                    return vec![(tail, Some(id))];
                }
            }
            return vec![(w.to_string(), None)];
        }
        self.resolve_all(w)
            .into_iter()
            .map(|(words, r)| match r {
                Resolved::One(id, _) => (words, Some(id)),
                _ => (words, None),
            })
            .collect()
    }

    fn report(
        &mut self,
        record: &Entity,
        pattern: &'static str,
        words: &str,
        r: Resolved,
        s: &str,
    ) {
        let reason = match r {
            Resolved::Many(n) => format!("{n} parties match these words"),
            _ => "no party designated by the UN list has this name".into(),
        };
        self.unplaced(record, pattern, words, reason, s);
    }

    fn vessels(&mut self, record: &Entity, me: NodeId, s: &str, used: &mut Vec<(usize, usize)>) {
        for c in vessel_role_re().captures_iter(s) {
            let (Some(m), Some(roles), Some(v)) = (c.get(0), c.name("roles"), c.name("v")) else {
                continue;
            };
            used.push((m.start(), m.end()));
            let roles = roles.as_str().to_ascii_lowercase();
            let mut parts: Vec<(RelationKind, Share, &str)> = Vec::new();
            if roles.contains("owner") {
                let role = if roles.contains("registered") {
                    "registered owner"
                } else {
                    "owner"
                };
                parts.push((RelationKind::Ownership, Share::FULL, role));
            }
            let mut managers: Vec<&str> = Vec::new();
            if roles.contains("ship manager") || roles.contains("ship and commercial") {
                managers.push("ship manager");
            }
            if roles.contains("commercial manager") {
                managers.push("commercial manager");
            }
            if roles.contains("operator/manager") {
                managers.push("operator/manager");
            }
            let management = managers.join(" and ");
            if !managers.is_empty() {
                parts.push((
                    RelationKind::VesselManagement,
                    Share::UNKNOWN,
                    management.as_str(),
                ));
            }
            for name in v.as_str().split(" and ") {
                let name = name.trim();
                match self.vessel_node(name) {
                    Ok((vessel, how)) => {
                        for (kind, share, role) in &parts {
                            self.place(
                                record,
                                "vessel-role",
                                *kind,
                                role,
                                me,
                                vessel,
                                *share,
                                false,
                                name,
                                &how,
                                s,
                            );
                        }
                    }
                    Err(reason) => self.unplaced(record, "vessel-role", name, reason, s),
                }
            }
        }
        for c in owns_vessels_re().captures_iter(s) {
            let (Some(m), Some(v)) = (c.get(0), c.name("v")) else {
                continue;
            };
            used.push((m.start(), m.end()));
            for name in v.as_str().split(" and ") {
                match self.vessel_node(name) {
                    Ok((vessel, how)) => self.place(
                        record,
                        "owns-vessels",
                        RelationKind::Ownership,
                        "owner",
                        me,
                        vessel,
                        Share::FULL,
                        false,
                        name.trim(),
                        &how,
                        s,
                    ),
                    Err(reason) => self.unplaced(record, "owns-vessels", name, reason, s),
                }
            }
        }
        for c in vessel_owned_by_re().captures_iter(s) {
            let (Some(m), Some(v), Some(x)) = (c.get(0), c.name("v"), c.name("x")) else {
                continue;
            };
            used.push((m.start(), m.end()));
            let owner = match self.resolver.phrase(cut_phrase(x.as_str())) {
                Resolved::One(id, _) => id,
                other => {
                    self.report(record, "vessel-owned-by", x.as_str(), other, s);
                    continue;
                }
            };
            match self.vessel_node(v.as_str()) {
                Ok((vessel, how)) => self.place(
                    record,
                    "vessel-owned-by",
                    RelationKind::Ownership,
                    "owner",
                    owner,
                    vessel,
                    Share::FULL,
                    false,
                    v.as_str(),
                    &how,
                    s,
                ),
                Err(reason) => self.unplaced(record, "vessel-owned-by", v.as_str(), reason, s),
            }
        }
        for c in its_vessel_re().captures_iter(s) {
            let (Some(m), Some(v)) = (c.get(0), c.name("v")) else {
                continue;
            };
            used.push((m.start(), m.end()));
            match self.vessel_node(v.as_str()) {
                Ok((vessel, how)) => self.place(
                    record,
                    "its-vessel",
                    RelationKind::Ownership,
                    "its vessel",
                    me,
                    vessel,
                    Share::UNKNOWN,
                    false,
                    v.as_str(),
                    &how,
                    s,
                ),
                Err(reason) => self.unplaced(record, "its-vessel", v.as_str(), reason, s),
            }
        }
    }

    fn roles(&mut self, record: &Entity, me: NodeId, s: &str, used: &mut Vec<(usize, usize)>) {
        let sentence_former = {
            let l = s.to_ascii_lowercase();
            l.starts_with("former") || l.starts_with("served as") || l.contains(" was the ")
        };
        for c in role_of_re().captures_iter(s) {
            let (Some(m), Some(role), Some(x)) = (c.get(0), c.name("role"), c.name("x")) else {
                continue;
            };
            if used.iter().any(|&(a, b)| m.start() < b && a < m.end()) {
                continue;
            }
            let mut phrase = cut_phrase(x.as_str()).to_string();
            // "Representative in Syria": a place, not an organisation.
            let connector = s[role.end()..x.start()].trim().to_ascii_lowercase();
            if matches!(connector.as_str(), "in" | "at") && is_place(&phrase) {
                continue;
            }
            used.push((m.start(), m.end()));
            let former = c.name("former").is_some() || (sentence_former && m.start() < 20);
            // "Minister of Atomic Energy Industry" heads the Ministry of it.
            if role.as_str().to_ascii_lowercase().ends_with("minister") {
                phrase = format!("Ministry of {phrase}");
            }
            for (words, r) in self.resolve_all(&phrase) {
                match r {
                    Resolved::One(org, how) => self.place(
                        record,
                        "role-of",
                        RelationKind::Directorship,
                        &role.as_str().to_lowercase(),
                        org,
                        me,
                        Share::UNKNOWN,
                        former,
                        &words,
                        &how,
                        s,
                    ),
                    other => self.report(record, "role-of", &words, other, s),
                }
            }
        }
        for c in x_role_re().captures_iter(s) {
            let (Some(m), Some(role), Some(x)) = (c.get(0), c.name("role"), c.name("x")) else {
                continue;
            };
            if used.iter().any(|&(a, b)| m.start() < b && a < m.end()) {
                continue;
            }
            used.push((m.start(), m.end()));
            let former = sentence_former || x.as_str().to_ascii_lowercase().contains("former");
            let phrase = x.as_str().trim();
            // "Senior official": one word that is not an acronym names no party.
            if !phrase.contains(' ') && !is_acronym(phrase) {
                continue;
            }
            match self.resolver.phrase(phrase) {
                Resolved::One(org, how) => self.place(
                    record,
                    "x-role",
                    RelationKind::Directorship,
                    &role.as_str().to_lowercase(),
                    org,
                    me,
                    Share::UNKNOWN,
                    former,
                    phrase,
                    &how,
                    s,
                ),
                other => self.report(record, "x-role", phrase, other, s),
            }
        }
    }
}

impl GraphBuilder {
    /// Run the extractor on every DPRK record of a UN list version whose
    /// entries are already parties of this builder (add the list first, and
    /// any list whose vessels the text should resolve to).
    pub fn extract_un_relations(&mut self, un: &ListVersion) -> Extraction {
        let resolver = Resolver::new(self);
        let mut run = Run {
            builder: self,
            resolver,
            out: Extraction::default(),
            seen: HashSet::new(),
        };
        for e in &un.entities {
            if !e.programs.iter().any(|p| p.starts_with("DPRK")) {
                continue;
            }
            let Some(me) = run.builder.find(&e.id) else {
                continue;
            };
            run.out.records += 1;
            run.record(e, me);
        }
        run.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_at_periods_not_abbreviations() {
        let s = sentences("Owned by X Co. Ltd. It is big.  Telephone: +850. Done");
        assert_eq!(
            s,
            [
                // An abbreviation never ends a sentence: better one sentence
                // too long than a company name cut in two.
                "Owned by X Co. Ltd. It is big.",
                "Telephone: +850.",
                "Done"
            ]
        );
    }

    #[test]
    fn phrases_cut_at_delimiters() {
        assert_eq!(
            cut_phrase("Korea Ryonbong General Corporation – DPRK’s defense conglomerate"),
            "Korea Ryonbong General Corporation"
        );
        assert_eq!(
            cut_phrase("the General Bureau of Atomic Energy, which oversees"),
            "the General Bureau of Atomic Energy"
        );
        assert_eq!(cut_phrase("KOMID in dealings with Syria."), "KOMID");
        assert_eq!(
            cut_phrase("Daedong Credit Bank (DCB), a listed entity."),
            "Daedong Credit Bank (DCB)"
        );
    }

    #[test]
    fn possessives() {
        assert_eq!(
            strip_possessive("DPRK’s Second Academy of Natural Sciences"),
            "Second Academy of Natural Sciences"
        );
        assert_eq!(strip_possessive("KOMID’s interests"), "KOMID");
        assert_eq!(
            loose_form("KOREA DAESONG BANK").as_deref(),
            Some("DAESONG BANK")
        );
        assert_eq!(
            loose_form("KOREAN TANGUN TRADING CORPORATION").as_deref(),
            Some("TANGUN TRADING")
        );
    }

    #[test]
    fn vessel_patterns_capture_names() {
        let c = vessel_role_re()
            .captures("Registered owner, ship manager, and commercial manager of Panama-flagged vessel HUA FU, a cargo ship")
            .unwrap();
        assert_eq!(&c["v"], "HUA FU");
        assert_eq!(
            &c["roles"],
            "Registered owner, ship manager, and commercial manager"
        );
        let c = vessel_role_re()
            .captures("Ship manager of DPRK oil products tanker YU SON, which")
            .unwrap();
        assert_eq!(&c["v"], "YU SON");
        let c = vessel_role_re()
            .captures("Registered owner of DPRK tankers SAM JONG 1 and SAM JONG 2. Both")
            .unwrap();
        assert_eq!(&c["v"], "SAM JONG 1 and SAM JONG 2");
        let c = vessel_role_re()
            .captures("is the operator/manager of the vessel Chong Chon Gang.")
            .unwrap();
        assert_eq!(&c["v"], "Chong Chon Gang");
        let c = owns_vessels_re()
            .captures("The company also owns vessels JI SONG 8 and WOORY STAR.")
            .unwrap();
        assert_eq!(&c["v"], "JI SONG 8 and WOORY STAR");
    }
}
