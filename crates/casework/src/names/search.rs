//! yente's `/search` and entity views over the lists in force.
//!
//! **Search.** A word index over every entity ([`TextIndex`], built on the
//! first search of an engine): the words of its names (yente's `names`
//! field) and of all its values (`text`), each word with the entities that
//! have it. A query ([`parse_query`]) is yente's `query_string` syntax in the
//! part Resolute implements — words (all required, yente's default operator
//! `AND`), `"phrases"`, `prefix*`, `-word` / `NOT`, `OR`, parentheses — and
//! anything else (`field:value`, `/regex/`, `word~`, ranges, boosts) is an
//! error instead of being read as something it is not; with `simple=true`
//! (yente's `simple_query_string`) such characters are plain separators.
//! `fuzzy=true` lets each word match index words within Elasticsearch's
//! `AUTO` edit distance. Every entity that matches is counted (`total` is
//! exact), faceted and ranked — a name match weighs more than a match in
//! other values, rare words more than common ones, and larger entries get
//! yente's `sqrt(0.5 × values)` boost — before `offset` and `limit` cut the
//! page. An empty query lists every entity (browse).
//!
//! **Filters** are yente's: `countries`, `topics`, `datasets` and
//! `filter=field:value` (the index fields yente maps: `schema`, `caption`,
//! `entity_id`, `target`, the type groups `countries`, `identifiers`,
//! `dates`…, `properties.<name>`), combined per field by `filter_op`
//! (`OR` by default); and `include_dataset`, `exclude_dataset`,
//! `exclude_schema`, `changed_since` as on `/match`.
//!
//! **Entities.** Resolute's entries become FtM entities with one adjacent
//! entity each: the `Sanction` that lists them (authority, program, listing
//! date, the list's own reference), nested under `sanctions` as yente nests
//! OpenSanctions' sanctions.

use std::cmp::Ordering as CmpOrdering;
use std::collections::{BTreeMap, HashMap};

use resolute_matching::text::{osa_distance, words};
use resolute_model::{Entity, Source, country_by_code, prop};
use serde_json::{Value, json};

use super::ftm;
use super::{MatchFilters, last_change};
use crate::engine::{DATASETS, Engine, entity_json};
use crate::error::{CaseworkError, Result};

/// Most results one search returns (yente's `MAX_RESULTS`: offset + limit stay below it).
pub const MAX_RESULTS: usize = 9999;

/// Index flags: the word is in a name / in another value.
const IN_NAME: u8 = 1;
const IN_TEXT: u8 = 2;

/// One entity as the search sees it.
#[derive(Debug)]
struct Doc {
    /// Property values in all (yente's `entity_values_count`).
    value_count: usize,
    /// Country codes of every country-typed property.
    countries: Vec<String>,
}

/// The word index of an engine's entities (positions of the `default` index).
#[derive(Debug)]
pub struct TextIndex {
    docs: Vec<Doc>,
    /// Distinct words, sorted (prefix and fuzzy expansion walk it).
    vocab: Vec<String>,
    /// Per word of `vocab`: (entity position, flags), by position.
    postings: Vec<Vec<(u32, u8)>>,
}

/// Values of `e` by property, with the FtM type of each property.
fn typed_values(e: &Entity) -> Vec<(&str, &str, &str)> {
    let model = ftm::model();
    let schema = model.schema(e.schema.as_str());
    e.properties
        .iter()
        .flat_map(|(p, values)| {
            let type_name = schema
                .and_then(|s| s.property(p))
                .map(|x| x.type_name.as_str())
                .unwrap_or("string");
            values
                .iter()
                .map(move |v| (p.as_ref(), type_name, v.as_str()))
        })
        .collect()
}

/// Whether a property's values go to the index field of its type group
/// (yente copies a value to its group unless the type is matchable and the
/// property is not: `weakAlias` is no name for matching).
fn in_group(e: &Entity, property: &str) -> bool {
    let model = ftm::model();
    let Some(p) = model
        .schema(e.schema.as_str())
        .and_then(|s| s.property(property))
    else {
        return false;
    };
    let type_matchable = model
        .property_type(&p.type_name)
        .is_some_and(|t| t.matchable);
    !type_matchable || p.matchable
}

impl TextIndex {
    pub fn build(entities: &[Entity]) -> TextIndex {
        let mut by_word: HashMap<String, Vec<(u32, u8)>> = HashMap::new();
        let mut docs = Vec::with_capacity(entities.len());
        for (pos, e) in entities.iter().enumerate() {
            let pos = pos as u32;
            let values = typed_values(e);
            let mut countries: Vec<String> = Vec::new();
            for (p, type_name, v) in &values {
                let flag = if *type_name == "name" && in_group(e, p) {
                    IN_NAME | IN_TEXT
                } else {
                    IN_TEXT
                };
                for w in words(v) {
                    let list = by_word.entry(w.text).or_default();
                    match list.last_mut() {
                        Some((d, f)) if *d == pos => *f |= flag,
                        _ => list.push((pos, flag)),
                    }
                }
                if *type_name == "country"
                    && let Ok(c) = country_by_code(v)
                    && !countries.contains(&c.ftm_code())
                {
                    countries.push(c.ftm_code());
                }
            }
            docs.push(Doc {
                value_count: values.len(),
                countries,
            });
        }
        let mut words: Vec<(String, Vec<(u32, u8)>)> = by_word.into_iter().collect();
        words.sort_by(|a, b| a.0.cmp(&b.0));
        let (vocab, postings) = words.into_iter().unzip();
        TextIndex {
            docs,
            vocab,
            postings,
        }
    }

    fn word(&self, w: &str) -> Option<usize> {
        self.vocab.binary_search_by(|x| x.as_str().cmp(w)).ok()
    }

    /// Words starting with `prefix`.
    fn with_prefix(&self, prefix: &str) -> std::ops::Range<usize> {
        let start = self.vocab.partition_point(|x| x.as_str() < prefix);
        let end = start + self.vocab[start..].partition_point(|x| x.starts_with(prefix));
        start..end
    }

    /// Words within Elasticsearch's `AUTO` edit distance of `w` (0 for up
    /// to 2 letters, 1 up to 5, else 2).
    fn fuzzy(&self, w: &str) -> Vec<usize> {
        let max = match w.chars().count() {
            0..=2 => 0,
            3..=5 => 1,
            _ => 2,
        };
        if max == 0 {
            return self.word(w).into_iter().collect();
        }
        self.vocab
            .iter()
            .enumerate()
            .filter(|(_, v)| v.len().abs_diff(w.len()) <= max && osa_distance(v, w, max) <= max)
            .map(|(i, _)| i)
            .collect()
    }

    /// Inverse document frequency of word `i`.
    fn idf(&self, df: usize) -> f32 {
        (1.0 + self.docs.len() as f32 / df.max(1) as f32).ln()
    }
}

// ------------------------------------------------------------------ query syntax

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryNode {
    /// A word; `prefix`: `word*`.
    Word {
        text: String,
        prefix: bool,
    },
    /// Words next to each other in one value.
    Phrase(Vec<String>),
    And(Vec<QueryNode>),
    Or(Vec<QueryNode>),
    Not(Box<QueryNode>),
}

#[derive(Debug, Clone, PartialEq)]
enum Lexeme {
    Open,
    Close,
    Phrase(String),
    Word(String),
    And,
    Or,
    Not,
}

/// Characters of Lucene's syntax that Resolute does not implement.
const UNSUPPORTED: &[char] = &[
    ':', '/', '~', '^', '[', ']', '{', '}', '\\', '?', '<', '>', '=',
];

fn syntax(message: impl Into<String>) -> CaseworkError {
    CaseworkError::invalid("q", message)
}

fn lex(q: &str, simple: bool) -> Result<Vec<Lexeme>> {
    let mut out = Vec::new();
    let chars: Vec<char> = q.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        match c {
            '(' => {
                out.push(Lexeme::Open);
                i += 1;
            }
            ')' => {
                out.push(Lexeme::Close);
                i += 1;
            }
            '"' => {
                let end = chars[i + 1..].iter().position(|&x| x == '"');
                match end {
                    Some(n) => {
                        out.push(Lexeme::Phrase(chars[i + 1..i + 1 + n].iter().collect()));
                        i += n + 2;
                    }
                    None if simple => {
                        out.push(Lexeme::Phrase(chars[i + 1..].iter().collect()));
                        i = chars.len();
                    }
                    None => return Err(syntax("a phrase is not closed (missing \")")),
                }
            }
            '-' | '!' => {
                out.push(Lexeme::Not);
                i += 1;
            }
            '+' => {
                out.push(Lexeme::And);
                i += 1;
            }
            '|' if simple => {
                out.push(Lexeme::Or);
                i += 1;
                while chars.get(i) == Some(&'|') {
                    i += 1;
                }
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | '"')
                {
                    i += 1;
                }
                let raw: String = chars[start..i].iter().collect();
                match raw.as_str() {
                    "AND" | "&&" if !simple => out.push(Lexeme::And),
                    "OR" | "||" if !simple => out.push(Lexeme::Or),
                    "NOT" if !simple => out.push(Lexeme::Not),
                    _ => out.extend(word_lexemes(&raw, simple)?),
                }
            }
        }
    }
    Ok(out)
}

/// A raw word: Lucene's reserved characters are errors (strict) or
/// separators (simple); `*` ends a prefix.
fn word_lexemes(raw: &str, simple: bool) -> Result<Vec<Lexeme>> {
    if !simple && let Some(c) = raw.chars().find(|c| UNSUPPORTED.contains(c)) {
        return Err(syntax(format!(
            "{c:?} in {raw:?} is query syntax Resolute does not implement (field:value, /regex/, fuzzy~, ranges, boosts); \
             use words, \"phrases\", prefix*, -exclusions, OR and parentheses, or simple=true"
        )));
    }
    let parts: Vec<&str> = if simple {
        raw.split(|c: char| UNSUPPORTED.contains(&c) || c == '|' || c == '&')
            .filter(|s| !s.is_empty())
            .collect()
    } else {
        vec![raw]
    };
    let mut out = Vec::new();
    for part in parts {
        let stars = part.matches('*').count();
        if stars > 1 || (stars == 1 && !part.ends_with('*')) {
            if simple {
                out.push(Lexeme::Word(part.replace('*', " ")));
                continue;
            }
            return Err(syntax(format!(
                "{part:?}: only a trailing * (prefix) is supported"
            )));
        }
        out.push(Lexeme::Word(part.to_string()));
    }
    Ok(out)
}

/// Parse `q` (see the module docs). An empty query is `None` (every entity).
pub fn parse_query(q: &str, simple: bool) -> Result<Option<QueryNode>> {
    let lexemes = lex(q, simple)?;
    let mut p = Parser {
        lexemes,
        at: 0,
        simple,
    };
    let node = p.or_expr()?;
    if p.at < p.lexemes.len() {
        if simple {
            // A stray `)`: simple_query_string ignores what it cannot read.
            let rest = Parser {
                lexemes: p.lexemes[p.at + 1..].to_vec(),
                at: 0,
                simple,
            }
            .parse_rest()?;
            return Ok(match (node, rest) {
                (Some(a), Some(b)) => Some(QueryNode::And(vec![a, b])),
                (a, b) => a.or(b),
            });
        }
        return Err(syntax("unbalanced parentheses: a ) without its ("));
    }
    Ok(node)
}

struct Parser {
    lexemes: Vec<Lexeme>,
    at: usize,
    simple: bool,
}

impl Parser {
    fn parse_rest(mut self) -> Result<Option<QueryNode>> {
        let node = self.or_expr()?;
        Ok(node)
    }

    fn peek(&self) -> Option<&Lexeme> {
        self.lexemes.get(self.at)
    }

    fn or_expr(&mut self) -> Result<Option<QueryNode>> {
        let mut parts = Vec::new();
        if let Some(n) = self.and_expr()? {
            parts.push(n);
        }
        while self.peek() == Some(&Lexeme::Or) {
            self.at += 1;
            match self.and_expr()? {
                Some(n) => parts.push(n),
                None if self.simple => {}
                None => return Err(syntax("OR needs a term on both sides")),
            }
        }
        Ok(match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(QueryNode::Or(parts)),
        })
    }

    fn and_expr(&mut self) -> Result<Option<QueryNode>> {
        let mut parts = Vec::new();
        loop {
            match self.peek() {
                None | Some(Lexeme::Or) | Some(Lexeme::Close) => break,
                Some(Lexeme::And) => {
                    self.at += 1;
                    continue;
                }
                _ => {}
            }
            if let Some(n) = self.unary()? {
                parts.push(n);
            }
        }
        Ok(match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(QueryNode::And(parts)),
        })
    }

    fn unary(&mut self) -> Result<Option<QueryNode>> {
        if self.peek() == Some(&Lexeme::Not) {
            self.at += 1;
            return match self.unary()? {
                Some(n) => Ok(Some(QueryNode::Not(Box::new(n)))),
                None if self.simple => Ok(None),
                None => Err(syntax("NOT (or -) needs a term after it")),
            };
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Option<QueryNode>> {
        let Some(lexeme) = self.peek().cloned() else {
            return Ok(None);
        };
        self.at += 1;
        match lexeme {
            Lexeme::Open => {
                let inner = self.or_expr()?;
                if self.peek() == Some(&Lexeme::Close) {
                    self.at += 1;
                } else if !self.simple {
                    return Err(syntax("unbalanced parentheses: a ( without its )"));
                }
                Ok(inner)
            }
            Lexeme::Phrase(text) => {
                let ws: Vec<String> = words(&text).into_iter().map(|w| w.text).collect();
                Ok(match ws.len() {
                    0 => None,
                    1 => Some(QueryNode::Word {
                        text: ws[0].clone(),
                        prefix: false,
                    }),
                    _ => Some(QueryNode::Phrase(ws)),
                })
            }
            Lexeme::Word(raw) => {
                let prefix = raw.ends_with('*');
                let ws: Vec<String> = words(raw.trim_end_matches('*'))
                    .into_iter()
                    .map(|w| w.text)
                    .collect();
                let n = ws.len();
                let mut nodes: Vec<QueryNode> = ws
                    .into_iter()
                    .enumerate()
                    .map(|(i, text)| QueryNode::Word {
                        text,
                        prefix: prefix && i + 1 == n,
                    })
                    .collect();
                Ok(match nodes.len() {
                    0 => None,
                    1 => nodes.pop(),
                    _ => Some(QueryNode::And(nodes)),
                })
            }
            Lexeme::Close if self.simple => Ok(None),
            Lexeme::Close => Err(syntax("unbalanced parentheses: a ) without its (")),
            Lexeme::And | Lexeme::Or | Lexeme::Not => Ok(None),
        }
    }
}

// ------------------------------------------------------------------ evaluation

/// Matching entities with their scores, by position.
type Hits = Vec<(u32, f32)>;

fn intersect(a: &Hits, b: &Hits) -> Hits {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            CmpOrdering::Less => i += 1,
            CmpOrdering::Greater => j += 1,
            CmpOrdering::Equal => {
                out.push((a[i].0, a[i].1 + b[j].1));
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn union(a: &Hits, b: &Hits) -> Hits {
    let (mut i, mut j, mut out) = (0, 0, Vec::with_capacity(a.len() + b.len()));
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x.0 == y.0 => {
                out.push((x.0, x.1 + y.1));
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x.0 < y.0 => {
                out.push(*x);
                i += 1;
            }
            (Some(x), None) => {
                out.push(*x);
                i += 1;
            }
            (_, Some(y)) => {
                out.push(*y);
                j += 1;
            }
            (None, None) => break,
        }
    }
    out
}

fn minus(a: &Hits, b: &Hits) -> Hits {
    let mut j = 0;
    a.iter()
        .filter(|(d, _)| {
            while j < b.len() && b[j].0 < *d {
                j += 1;
            }
            !(j < b.len() && b[j].0 == *d)
        })
        .copied()
        .collect()
}

struct Eval<'a> {
    index: &'a TextIndex,
    entities: &'a [Entity],
    fuzzy: bool,
}

impl Eval<'_> {
    /// Entities with any of the words `ids`, scored once (a name match
    /// weighs 4: yente's `names^3` plus `text`).
    fn words_hits(&self, ids: &[usize]) -> Hits {
        let mut best: BTreeMap<u32, f32> = BTreeMap::new();
        for &i in ids {
            let list = &self.index.postings[i];
            let idf = self.index.idf(list.len());
            for &(d, flags) in list {
                let s = idf * if flags & IN_NAME != 0 { 4.0 } else { 1.0 };
                let slot = best.entry(d).or_insert(0.0);
                *slot = slot.max(s);
            }
        }
        best.into_iter().collect()
    }

    fn all(&self) -> Hits {
        (0..self.index.docs.len() as u32)
            .map(|d| (d, 0.0))
            .collect()
    }

    fn eval(&self, node: &QueryNode) -> Hits {
        match node {
            QueryNode::Word { text, prefix: true } => {
                let range = self.index.with_prefix(text);
                self.words_hits(&range.collect::<Vec<_>>())
            }
            QueryNode::Word {
                text,
                prefix: false,
            } => {
                let ids: Vec<usize> = if self.fuzzy {
                    self.index.fuzzy(text)
                } else {
                    self.index.word(text).into_iter().collect()
                };
                self.words_hits(&ids)
            }
            QueryNode::Phrase(ws) => {
                let mut hits: Option<Hits> = None;
                for w in ws {
                    let h = self.words_hits(&self.index.word(w).into_iter().collect::<Vec<_>>());
                    hits = Some(match hits {
                        None => h,
                        Some(prev) => intersect(&prev, &h),
                    });
                }
                let mut hits = hits.unwrap_or_default();
                hits.retain(|(d, _)| self.has_phrase(*d, ws));
                hits
            }
            QueryNode::And(parts) => {
                let (nots, wanted): (Vec<&QueryNode>, Vec<&QueryNode>) =
                    parts.iter().partition(|p| matches!(p, QueryNode::Not(_)));
                let mut hits: Option<Hits> = None;
                for p in wanted {
                    let h = self.eval(p);
                    hits = Some(match hits {
                        None => h,
                        Some(prev) => intersect(&prev, &h),
                    });
                }
                let mut hits = hits.unwrap_or_else(|| self.all());
                for n in nots {
                    if let QueryNode::Not(inner) = n {
                        hits = minus(&hits, &self.eval(inner));
                    }
                }
                hits
            }
            QueryNode::Or(parts) => parts
                .iter()
                .fold(Vec::new(), |acc, p| union(&acc, &self.eval(p))),
            // A query of exclusions only: everything else.
            QueryNode::Not(inner) => minus(&self.all(), &self.eval(inner)),
        }
    }

    /// Whether one value of the entity has the words `ws` next to each other.
    fn has_phrase(&self, doc: u32, ws: &[String]) -> bool {
        let Some(e) = self.entities.get(doc as usize) else {
            return false;
        };
        e.properties.iter().any(|(_, values)| {
            values.iter().any(|v| {
                let vw: Vec<String> = words(v).into_iter().map(|w| w.text).collect();
                vw.windows(ws.len()).any(|win| win == ws)
            })
        })
    }
}

// ------------------------------------------------------------------ filters, facets, sorting

/// How several values of one filter field combine (yente's `filter_op`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FilterOp {
    #[default]
    Or,
    And,
}

/// yente's facets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facet {
    Datasets,
    Schema,
    Countries,
    Identifiers,
    Topics,
    Genders,
}

impl Facet {
    pub const DEFAULT: [Facet; 3] = [Facet::Countries, Facet::Topics, Facet::Datasets];

    pub fn parse(s: &str) -> Option<Facet> {
        Some(match s {
            "datasets" => Facet::Datasets,
            "schema" => Facet::Schema,
            "countries" => Facet::Countries,
            "identifiers" => Facet::Identifiers,
            "topics" => Facet::Topics,
            "genders" => Facet::Genders,
            _ => return None,
        })
    }

    pub fn field(self) -> &'static str {
        match self {
            Facet::Datasets => "datasets",
            Facet::Schema => "schema",
            Facet::Countries => "countries",
            Facet::Identifiers => "identifiers",
            Facet::Topics => "topics",
            Facet::Genders => "genders",
        }
    }
}

/// One sort key: a field and whether it goes down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub field: String,
    pub descending: bool,
}

impl SortKey {
    /// yente's `field:order` (an order other than `asc`/`desc` is `asc`).
    pub fn parse(s: &str) -> SortKey {
        let (field, order) = match s.rsplit_once(':') {
            Some((f, o)) => (f, o),
            None => (s, "asc"),
        };
        SortKey {
            field: field.trim().to_string(),
            descending: order.trim() == "desc",
        }
    }
}

/// A `/search` request (yente's parameters, checked by the caller for types and ranges).
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub dataset: String,
    /// Empty: every entity.
    pub q: String,
    /// FtM schema (default `Thing`).
    pub schema: String,
    /// `include_dataset`, `exclude_dataset`, `exclude_schema`, `changed_since`.
    pub scope: MatchFilters,
    /// Field filters (`countries`, `topics`, `datasets`, `filter=field:value`, `target`).
    pub filters: Vec<(String, String)>,
    pub filter_op: FilterOp,
    pub facets: Vec<Facet>,
    pub sort: Vec<SortKey>,
    pub limit: usize,
    pub offset: usize,
    pub fuzzy: bool,
    pub simple: bool,
}

/// A page of results with the exact total and the facets.
#[derive(Debug, Clone)]
pub struct SearchPage {
    pub total: usize,
    pub limit: usize,
    pub offset: usize,
    /// Entities in yente's `EntityResponse` shape.
    pub results: Vec<Value>,
    /// yente's `{field: {label, values: [{name, label, count}]}}`.
    pub facets: Value,
}

/// Index fields a `filter=` or sort may name, with how they compare.
fn field_values(e: &Entity, doc: &Doc, field: &str) -> Option<(Vec<String>, bool)> {
    // (values, is_text): text fields match on words, the others on the whole value.
    let lower = |v: &[String]| v.iter().map(|x| x.as_str().to_lowercase()).collect();
    Some(match field {
        "schema" => (vec![e.schema.as_str().to_string()], false),
        "caption" => (vec![e.caption.to_lowercase()], false),
        "entity_id" | "id" => (vec![e.id.to_lowercase()], false),
        "datasets" => (e.datasets.clone(), false),
        "referents" => (Vec::new(), false),
        "target" => (vec![is_target(e).to_string()], false),
        "first_seen" => (first_seen(e).into_iter().collect(), false),
        "last_change" => (
            last_change(e)
                .map(|d| format!("{d}T00:00:00"))
                .into_iter()
                .collect(),
            false,
        ),
        "last_seen" => (Vec::new(), false),
        "countries" => (doc.countries.clone(), false),
        "topics" => (lower(e.get(prop::TOPICS)), false),
        "text" => (all_words(e, |_, _| true), true),
        "names" => (all_words(e, |p, t| t == "name" && in_group(e, p)), true),
        "addresses" => (all_words(e, |_, t| t == "address"), true),
        f if f.starts_with("properties.") => {
            let p = &f["properties.".len()..];
            let type_name = ftm::model()
                .schema(e.schema.as_str())
                .and_then(|s| s.property(p))
                .map(|x| x.type_name.clone())?;
            let text = ftm::model().property_type(&type_name).is_none_or(|t| {
                t.group.is_none() || matches!(type_name.as_str(), "name" | "address")
            });
            if text {
                let vals = e
                    .get(p)
                    .iter()
                    .flat_map(|v| words(v))
                    .map(|w| w.text)
                    .collect();
                (vals, true)
            } else {
                (lower(e.get(p)), false)
            }
        }
        group => {
            let (type_name, _) = ftm::model().type_of_group(group)?;
            let vals = typed_values(e)
                .into_iter()
                .filter(|(p, t, _)| *t == type_name && in_group(e, p))
                .map(|(_, t, v)| {
                    if t == "country" {
                        country_by_code(v)
                            .map(|c| c.ftm_code())
                            .unwrap_or_else(|_| v.to_lowercase())
                    } else {
                        v.to_lowercase()
                    }
                })
                .collect();
            (vals, false)
        }
    })
}

fn all_words(e: &Entity, pick: impl Fn(&str, &str) -> bool) -> Vec<String> {
    typed_values(e)
        .into_iter()
        .filter(|(p, t, _)| pick(p, t))
        .flat_map(|(_, _, v)| words(v))
        .map(|w| w.text)
        .collect()
}

/// FtM's `target`: the entity has a risk topic.
pub fn is_target(e: &Entity) -> bool {
    e.get(prop::TOPICS)
        .iter()
        .any(|t| ftm::model().is_risk_topic(t))
}

fn first_seen(e: &Entity) -> Option<String> {
    e.listed_on.map(|d| format!("{d}T00:00:00"))
}

/// Whether one filter value holds (yente's `term` query on the field).
fn filter_holds(e: &Entity, doc: &Doc, field: &str, value: &str) -> bool {
    let Some((values, text)) = field_values(e, doc, field) else {
        // A field yente's index does not have: Elasticsearch finds nothing.
        return false;
    };
    if text {
        let wanted: Vec<String> = words(value).into_iter().map(|w| w.text).collect();
        return !wanted.is_empty() && wanted.iter().all(|w| values.contains(w));
    }
    let v = value.trim().to_lowercase();
    let is_date = matches!(field, "first_seen" | "last_seen" | "last_change");
    values.iter().any(|x| {
        let x = x.to_lowercase();
        x == v || (is_date && x.starts_with(&format!("{v}T")))
    })
}

/// Sort value of a field (`None`: missing, sorted last).
fn sort_value(e: &Entity, doc: &Doc, field: &str, descending: bool) -> Result<Option<String>> {
    let sortable = matches!(
        field,
        "caption"
            | "entity_id"
            | "id"
            | "schema"
            | "datasets"
            | "target"
            | "first_seen"
            | "last_seen"
            | "last_change"
            | "countries"
            | "topics"
            | "identifiers"
            | "dates"
            | "genders"
    ) || field.starts_with("properties.");
    if !sortable {
        return Err(CaseworkError::invalid(
            "sort",
            format!("cannot sort on {field:?} (a text field or no field of the index)"),
        ));
    }
    let (mut values, text) = field_values(e, doc, field).unwrap_or_default();
    if text {
        return Err(CaseworkError::invalid(
            "sort",
            format!("cannot sort on {field:?}: it is a text field"),
        ));
    }
    values.sort();
    // Elasticsearch sorts a multi-valued field by its smallest value going
    // up and by its largest going down.
    Ok(if descending {
        values.pop()
    } else {
        values.into_iter().next()
    })
}

/// A facet's label and its values' labels (yente's `result_facets`).
fn facet_labels(facet: Facet, key: &str) -> (String, String) {
    let model = ftm::model();
    match facet {
        Facet::Datasets => (
            "Data sources".into(),
            DATASETS
                .iter()
                .find(|d| d.0 == key)
                .map(|d| d.1.to_string())
                .unwrap_or_else(|| key.to_string()),
        ),
        Facet::Schema => (
            "Entity types".into(),
            model
                .schema(key)
                .map(|s| s.plural.clone())
                .unwrap_or_else(|| key.to_string()),
        ),
        other => {
            let group = other.field();
            let plural = model
                .type_of_group(group)
                .map(|(_, t)| t.plural.clone())
                .unwrap_or_else(|| group.to_string());
            let label = match other {
                Facet::Countries => country_by_code(key)
                    .map(|c| c.name.clone())
                    .unwrap_or_else(|_| key.to_string()),
                Facet::Topics => model.topic_label(key).unwrap_or(key).to_string(),
                Facet::Genders => {
                    let mut c = key.chars();
                    c.next()
                        .map(|f| f.to_uppercase().chain(c).collect())
                        .unwrap_or_default()
                }
                _ => key.to_string(),
            };
            (plural, label)
        }
    }
}

/// The engine's search index (built on first use).
pub fn text_index(engine: &Engine) -> &TextIndex {
    engine
        .text_index
        .get_or_init(|| TextIndex::build(engine.default_entities()))
}

/// Run a search (see the module docs).
pub fn search(engine: &Engine, req: &SearchRequest) -> Result<SearchPage> {
    let model = ftm::model();
    let schema = model
        .schema(&req.schema)
        .ok_or_else(|| CaseworkError::invalid("schema", "Invalid schema"))?;
    let scope_schemata = model.scope_schemata(&schema.name);
    let query = parse_query(&req.q, req.simple)?;
    let resolved = req.scope.resolve(engine, &req.dataset)?;
    let leaves = &resolved.leaves;
    let index = text_index(engine);
    let entities = engine.default_entities();
    let eval = Eval {
        index,
        entities,
        fuzzy: req.fuzzy,
    };
    let mut hits = match &query {
        Some(node) => eval.eval(node),
        None => eval.all(),
    };
    // Filters grouped by field, combined by `filter_op`.
    let mut by_field: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (f, v) in &req.filters {
        by_field.entry(f.as_str()).or_default().push(v.as_str());
    }
    hits.retain(|(d, _)| {
        let (Some(e), Some(doc)) = (entities.get(*d as usize), index.docs.get(*d as usize)) else {
            return false;
        };
        e.datasets.iter().any(|ds| leaves.contains(&ds.as_str()))
            && scope_schemata.contains(e.schema.as_str())
            && resolved.predicate.allows(e)
            && by_field.iter().all(|(field, values)| match req.filter_op {
                FilterOp::Or => values.iter().any(|v| filter_holds(e, doc, field, v)),
                FilterOp::And => values.iter().all(|v| filter_holds(e, doc, field, v)),
            })
    });
    let total = hits.len();
    // Facets over everything found.
    let mut facets = serde_json::Map::new();
    for facet in &req.facets {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for (d, _) in &hits {
            let (Some(e), Some(doc)) = (entities.get(*d as usize), index.docs.get(*d as usize))
            else {
                continue;
            };
            let (mut values, _) = field_values(e, doc, facet.field()).unwrap_or_default();
            values.sort();
            values.dedup();
            for v in values {
                *counts.entry(v).or_default() += 1;
            }
        }
        let mut counted: Vec<(String, usize)> = counts.into_iter().collect();
        counted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        counted.truncate(1000);
        let mut label = facet.field().to_string();
        let values: Vec<Value> = counted
            .into_iter()
            .map(|(name, count)| {
                let (facet_label, value_label) = facet_labels(*facet, &name);
                label = facet_label;
                json!({"name": name, "label": value_label, "count": count})
            })
            .collect();
        if values.is_empty() {
            label = facet_labels(*facet, "").0;
        }
        facets.insert(
            facet.field().into(),
            json!({"label": label, "values": values}),
        );
    }
    // yente's boost for large entries, then the requested order, then score and id.
    let mut ranked: Vec<(u32, f32, Vec<Option<String>>)> = Vec::with_capacity(hits.len());
    for (d, s) in hits {
        let (Some(e), Some(doc)) = (entities.get(d as usize), index.docs.get(d as usize)) else {
            continue;
        };
        let score = s + (0.5 * doc.value_count as f32).sqrt();
        let mut keys = Vec::with_capacity(req.sort.len());
        for k in &req.sort {
            if k.field == "_score" {
                keys.push(None);
            } else {
                keys.push(sort_value(e, doc, &k.field, k.descending)?);
            }
        }
        ranked.push((d, score, keys));
    }
    ranked.sort_by(|a, b| {
        for (i, k) in req.sort.iter().enumerate() {
            let ord = if k.field == "_score" {
                a.1.total_cmp(&b.1)
            } else {
                match (&a.2[i], &b.2[i]) {
                    (Some(x), Some(y)) => x.cmp(y),
                    // Missing values last, whatever the order.
                    (Some(_), None) => return CmpOrdering::Less,
                    (None, Some(_)) => return CmpOrdering::Greater,
                    (None, None) => CmpOrdering::Equal,
                }
            };
            let ord = if k.descending { ord.reverse() } else { ord };
            if ord != CmpOrdering::Equal {
                return ord;
            }
        }
        b.1.total_cmp(&a.1).then_with(|| {
            let id = |d: u32| {
                entities
                    .get(d as usize)
                    .map(|e| e.id.as_str())
                    .unwrap_or("")
            };
            id(a.0).cmp(id(b.0))
        })
    });
    let (limit, offset) = limit_window(req.limit, req.offset);
    let results = ranked
        .iter()
        .skip(offset)
        .take(limit)
        .filter_map(|(d, _, _)| entities.get(*d as usize).map(entity_json))
        .collect();
    Ok(SearchPage {
        total,
        limit,
        offset,
        results,
        facets: Value::Object(facets),
    })
}

/// yente's `limit_window`: offset + limit stay within [`MAX_RESULTS`].
pub fn limit_window(limit: usize, offset: usize) -> (usize, usize) {
    let offset = offset.min(MAX_RESULTS);
    let limit = limit.min(MAX_RESULTS - offset);
    (limit, offset)
}

// ------------------------------------------------------------------ reconciliation helpers

/// The entities of `dataset` (all its lists).
fn dataset_entities<'e>(engine: &'e Engine, dataset: &str) -> Result<Vec<&'e Entity>> {
    let resolved = MatchFilters::default().resolve(engine, dataset)?;
    Ok(engine
        .default_entities()
        .iter()
        .filter(|e| {
            e.datasets
                .iter()
                .any(|d| resolved.leaves.contains(&d.as_str()))
        })
        .collect())
}

/// yente's `get_matchable_schemata`: the matchable schemata the dataset's
/// entities have, with every schema they extend.
pub fn dataset_schemata(engine: &Engine, dataset: &str) -> Result<Vec<&'static ftm::Schema>> {
    let model = ftm::model();
    let mut names: BTreeMap<String, ()> = BTreeMap::new();
    for e in dataset_entities(engine, dataset)? {
        if let Some(s) = model.schema(e.schema.as_str())
            && s.matchable
        {
            for a in &s.ancestors {
                names.insert(a.clone(), ());
            }
        }
    }
    Ok(names.keys().filter_map(|n| model.schema(n)).collect())
}

/// yente's `prefix_query` (a `match_phrase_prefix` on names, slop 2): the
/// entities with a name holding the prefix's words in order, the last one
/// as a prefix; shorter names first. An empty prefix suggests nothing.
pub fn suggest_entities<'e>(
    engine: &'e Engine,
    dataset: &str,
    prefix: &str,
    limit: usize,
) -> Result<Vec<&'e Entity>> {
    let wanted: Vec<String> = words(prefix).into_iter().map(|w| w.text).collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let in_name = |e: &Entity| -> Option<usize> {
        typed_values(e)
            .into_iter()
            .filter(|(p, t, _)| *t == "name" && in_group(e, p))
            .filter_map(|(_, _, v)| {
                let vw: Vec<String> = words(v).into_iter().map(|w| w.text).collect();
                phrase_prefix_at(&vw, &wanted).then_some(vw.len())
            })
            .min()
    };
    let mut found: Vec<(usize, &Entity)> = dataset_entities(engine, dataset)?
        .into_iter()
        .filter_map(|e| in_name(e).map(|len| (len, e)))
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
    Ok(found.into_iter().take(limit).map(|(_, e)| e).collect())
}

/// Whether `name` has `wanted` in order, at most two words skipped in all,
/// the last wanted word as a prefix.
fn phrase_prefix_at(name: &[String], wanted: &[String]) -> bool {
    let Some((last, init)) = wanted.split_last() else {
        return false;
    };
    (0..name.len()).any(|start| {
        let mut at = start;
        let mut skipped = 0;
        for (i, w) in init.iter().chain([last]).enumerate() {
            let is_last = i == init.len();
            loop {
                let Some(n) = name.get(at) else {
                    return false;
                };
                let hit = if is_last {
                    n.starts_with(w.as_str())
                } else {
                    n == w
                };
                if hit {
                    at += 1;
                    break;
                }
                // The first word anchors the match; later ones may skip a little.
                if i == 0 || skipped == 2 {
                    return false;
                }
                skipped += 1;
                at += 1;
            }
        }
        true
    })
}

// ------------------------------------------------------------------ entities and adjacency

/// Suffix of the id of the `Sanction` adjacent to each entry.
const SANCTION_SUFFIX: &str = "-sanction";

/// The `Sanction` entity that lists `e`: who listed it (the UN Security
/// Council or OFAC), under which program, when, and the list's own reference.
pub fn sanction_json(e: &Entity) -> Value {
    let mut props = serde_json::Map::new();
    let mut put = |k: &str, v: Vec<String>| {
        if !v.is_empty() {
            props.insert(k.into(), json!(v));
        }
    };
    put("entity", vec![e.id.clone()]);
    match e.source {
        Source::Un => {
            put("authority", vec!["United Nations Security Council".into()]);
            put("unscId", vec![e.reference.clone()]);
        }
        Source::OfacSdn => {
            put("authority", vec!["Office of Foreign Assets Control".into()]);
            put("authorityId", vec![e.reference.clone()]);
            put("country", vec!["us".into()]);
        }
    }
    put("program", e.programs.clone());
    put(
        "listingDate",
        e.listed_on.iter().map(|d| d.to_string()).collect(),
    );
    put(
        "startDate",
        e.listed_on.iter().map(|d| d.to_string()).collect(),
    );
    put(
        "modifiedAt",
        last_change(e).iter().map(|d| d.to_string()).collect(),
    );
    json!({
        "id": format!("{}{SANCTION_SUFFIX}", e.id),
        "caption": e.programs.first().cloned().unwrap_or_else(|| "Sanction".into()),
        "schema": "Sanction",
        "properties": props,
        "datasets": e.datasets,
        "referents": [],
        "target": false,
        "first_seen": first_seen(e),
        "last_seen": Value::Null,
        "last_change": last_change(e).map(|d| format!("{d}T00:00:00")),
    })
}

/// What `/entities/{id}` names: a list entry, or the sanction adjacent to one.
#[derive(Debug, Clone, Copy)]
pub enum EntityRef<'e> {
    Entry(&'e Entity),
    Sanction(&'e Entity),
}

pub fn find_entity<'e>(engine: &'e Engine, id: &str) -> Option<EntityRef<'e>> {
    if let Some(e) = engine.entity(id) {
        return Some(EntityRef::Entry(e));
    }
    let base = id.strip_suffix(SANCTION_SUFFIX)?;
    engine.entity(base).map(EntityRef::Sanction)
}

impl EntityRef<'_> {
    fn schema(&self) -> &'static str {
        match self {
            EntityRef::Entry(e) => e.schema.as_str(),
            EntityRef::Sanction(_) => "Sanction",
        }
    }

    /// The entity alone (`nested=false`).
    pub fn json(&self) -> Value {
        match self {
            EntityRef::Entry(e) => entity_json(e),
            EntityRef::Sanction(e) => sanction_json(e),
        }
    }

    /// Adjacent entities by property (yente's `get_nested_entity`, one edge away).
    fn adjacent(&self) -> Vec<(&'static str, Value)> {
        match self {
            EntityRef::Entry(e) => vec![("sanctions", sanction_json(e))],
            EntityRef::Sanction(e) => vec![("entity", entity_json(e))],
        }
    }

    /// The entity with its adjacent entities nested in its properties.
    pub fn nested_json(&self) -> Value {
        let mut v = self.json();
        for (prop, adj) in self.adjacent() {
            if let Some(props) = v.get_mut("properties").and_then(Value::as_object_mut) {
                props.insert(prop.into(), json!([adj]));
            }
        }
        v
    }

    /// yente's `/entities/{id}/adjacent`: a page per property with adjacent entities.
    pub fn adjacent_json(&self, limit: usize, offset: usize) -> Value {
        let mut adjacent = serde_json::Map::new();
        for (prop, adj) in self.adjacent() {
            adjacent.insert(prop.into(), page(vec![adj], limit, offset));
        }
        json!({"entity": self.json(), "adjacent": adjacent})
    }

    /// yente's `/entities/{id}/adjacent/{property}`; `None` when the schema
    /// has no such entity property.
    pub fn adjacent_by_property(
        &self,
        property: &str,
        limit: usize,
        offset: usize,
    ) -> Option<Value> {
        let p = ftm::model().schema(self.schema())?.property(property)?;
        if p.type_name != "entity" {
            return None;
        }
        let found: Vec<Value> = self
            .adjacent()
            .into_iter()
            .filter(|(name, _)| *name == p.name)
            .map(|(_, v)| v)
            .collect();
        Some(page(found, limit, offset))
    }
}

fn page(all: Vec<Value>, limit: usize, offset: usize) -> Value {
    let total = all.len();
    let results: Vec<Value> = all.into_iter().skip(offset).take(limit).collect();
    json!({"results": results, "total": {"value": total, "relation": "eq"}, "limit": limit, "offset": offset})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(t: &str) -> QueryNode {
        QueryNode::Word {
            text: t.into(),
            prefix: false,
        }
    }

    #[test]
    fn query_syntax_subset() {
        assert_eq!(parse_query("", false).expect("empty"), None);
        assert_eq!(
            parse_query("Foreign Trade Bank", false).expect("words"),
            Some(QueryNode::And(vec![w("foreign"), w("trade"), w("bank")]))
        );
        assert_eq!(
            parse_query("\"trade bank\" -myanma", false).expect("phrase"),
            Some(QueryNode::And(vec![
                QueryNode::Phrase(vec!["trade".into(), "bank".into()]),
                QueryNode::Not(Box::new(w("myanma"))),
            ]))
        );
        assert_eq!(
            parse_query("kim OR pak", false).expect("or"),
            Some(QueryNode::Or(vec![w("kim"), w("pak")]))
        );
        assert_eq!(
            parse_query("korea*", false).expect("prefix"),
            Some(QueryNode::Word {
                text: "korea".into(),
                prefix: true
            })
        );
        // A name with its acronym in parentheses is a group, not an error.
        assert!(parse_query("FOREIGN TRADE BANK (FTB)", false).is_ok());
        // yente's test_search_invalid_query: a slash is regex syntax.
        assert!(parse_query("invalid/query", false).is_err());
        assert_eq!(
            parse_query("invalid/query", true).expect("simple"),
            Some(QueryNode::And(vec![w("invalid"), w("query")]))
        );
        assert!(parse_query("name:kim", false).is_err());
        assert!(parse_query("(kim", false).is_err());
        assert!(parse_query("\"kim", false).is_err());
        assert!(parse_query("(kim", true).is_ok());
    }

    #[test]
    fn phrase_prefixes() {
        let n = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        assert!(phrase_prefix_at(
            &n("foreign trade bank"),
            &n("foreign tra")
        ));
        assert!(phrase_prefix_at(
            &n("korea kwangson banking corporation"),
            &n("kwangson bank")
        ));
        assert!(phrase_prefix_at(&n("kim jong un"), &n("kim un")));
        assert!(!phrase_prefix_at(&n("kim jong un"), &n("un kim")));
        assert!(!phrase_prefix_at(&n("banana"), &n("man")));
    }

    #[test]
    fn windows_and_sort_keys() {
        assert_eq!(limit_window(10, 0), (10, 0));
        assert_eq!(limit_window(500, 9800), (199, 9800));
        assert_eq!(limit_window(5, 20_000), (0, 9999));
        assert_eq!(
            SortKey::parse("first_seen:desc"),
            SortKey {
                field: "first_seen".into(),
                descending: true
            }
        );
        assert!(!SortKey::parse("caption:sideways").descending);
    }
}
