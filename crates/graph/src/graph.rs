//! The graph: parties and relations in compressed sparse rows (CSR).
//!
//! Why CSR with `u32` ids rather than petgraph: exposure propagation walks
//! every out-edge of a party once per status change, and the 1M-party
//! benchmark spends its time there. CSR keeps each party's out-edges (and,
//! in a second array, its in-edges) contiguous, four bytes an index;
//! petgraph's `Graph` chains edges through `next` links (an edge is 16 bytes
//! of links plus its weight), so the same walk chases pointers. The bench
//! (`benches/exposure.rs`) runs the same walk on both and prints both
//! figures.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use crate::model::{
    IdentifierKind, Node, NodeId, Relation, RelationId, RelationKind, RelationSource,
};
use crate::names::{normalize_identifier, normalize_name, split_acronym};
use crate::problem::Problem;

/// Collects parties and relations; [`GraphBuilder::build`] freezes them.
#[derive(Debug, Default)]
pub struct GraphBuilder {
    pub(crate) nodes: Vec<Node>,
    pub(crate) keys: HashMap<String, NodeId>,
    pub(crate) relations: Vec<Relation>,
    pub(crate) sources: Vec<RelationSource>,
    /// Problems met while adding sources (also returned by each import).
    pub problems: Vec<Problem>,
    /// Persons' dates of birth, used only to merge entries across lists.
    pub(crate) birth_dates: HashMap<NodeId, Vec<String>>,
}

impl GraphBuilder {
    pub fn new() -> GraphBuilder {
        GraphBuilder::default()
    }

    /// Add a party, or return the existing one with the same key (then
    /// nothing of `node` is taken: keys are identities).
    pub fn add_node(&mut self, node: Node) -> NodeId {
        if let Some(&id) = self.keys.get(&node.key) {
            return id;
        }
        let id = NodeId(self.nodes.len() as u32);
        self.keys.insert(node.key.clone(), id);
        self.nodes.push(node);
        id
    }

    /// Make `key` another key of the party `id` (a merged list entry).
    pub fn add_key(&mut self, id: NodeId, key: &str) {
        self.keys.entry(key.to_string()).or_insert(id);
        if let Some(n) = self.nodes.get_mut(id.index())
            && n.key != key
            && !n.other_keys.iter().any(|k| k == key)
        {
            n.other_keys.push(key.to_string());
        }
    }

    pub fn find(&self, key: &str) -> Option<NodeId> {
        self.keys.get(key).copied()
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    pub fn node_mut(&mut self, id: NodeId) -> &mut Node {
        &mut self.nodes[id.index()]
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub fn relations(&self) -> &[Relation] {
        &self.relations
    }

    /// Store a relation's source once; relations refer to it by index.
    pub fn add_source(&mut self, source: RelationSource) -> u32 {
        self.sources.push(source);
        (self.sources.len() - 1) as u32
    }

    pub fn add_relation(&mut self, relation: Relation) -> RelationId {
        self.relations.push(relation);
        RelationId((self.relations.len() - 1) as u32)
    }

    pub fn reserve(&mut self, nodes: usize, relations: usize) {
        self.nodes.reserve(nodes);
        self.keys.reserve(nodes);
        self.relations.reserve(relations);
    }

    /// Freeze into a [`Graph`]: CSR adjacency in both directions and the
    /// name and identifier indexes.
    pub fn build(self) -> Graph {
        let n = self.nodes.len();
        let (out_start, out_list) = csr(n, &self.relations, |r| r.from);
        let (in_start, in_list) = csr(n, &self.relations, |r| r.to);
        let mut names: HashMap<String, Vec<NodeId>> = HashMap::with_capacity(n);
        let mut identifiers: HashMap<String, Vec<NodeId>> = HashMap::new();
        for (i, node) in self.nodes.iter().enumerate() {
            let id = NodeId(i as u32);
            for name in &node.names {
                let mut forms = vec![normalize_name(name)];
                if let Some((base, acronym)) = split_acronym(name) {
                    forms.push(normalize_name(base));
                    forms.push(acronym.to_string());
                }
                for form in forms {
                    if !form.is_empty() {
                        push_unique(names.entry(form).or_default(), id);
                    }
                }
            }
            for (kind, value) in &node.identifiers {
                if *kind == IdentifierKind::Address {
                    continue;
                }
                let v = normalize_identifier(value);
                if v.len() >= 5 {
                    push_unique(identifiers.entry(v).or_default(), id);
                }
            }
        }
        Graph {
            nodes: self.nodes,
            keys: self.keys,
            relations: self.relations,
            sources: self.sources,
            out_start,
            out_list,
            in_start,
            in_list,
            names,
            identifiers,
            problems: self.problems,
            cache: Mutex::new(HashMap::new()),
        }
    }
}

fn push_unique(v: &mut Vec<NodeId>, id: NodeId) {
    if v.last() != Some(&id) {
        v.push(id);
    }
}

/// Counting sort of relation indices by `key` (the `from` or `to` node).
fn csr(
    n: usize,
    relations: &[Relation],
    key: impl Fn(&Relation) -> NodeId,
) -> (Vec<u32>, Vec<u32>) {
    let mut start = vec![0u32; n + 1];
    for r in relations {
        start[key(r).index() + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut list = vec![0u32; relations.len()];
    for (i, r) in relations.iter().enumerate() {
        let slot = &mut fill[key(r).index()];
        list[*slot as usize] = i as u32;
        *slot += 1;
    }
    (start, list)
}

/// The frozen graph. Cheap to share (`Arc<Graph>`); exposure results per
/// rule and date are computed once and cached inside.
#[derive(Debug)]
pub struct Graph {
    nodes: Vec<Node>,
    keys: HashMap<String, NodeId>,
    relations: Vec<Relation>,
    sources: Vec<RelationSource>,
    out_start: Vec<u32>,
    out_list: Vec<u32>,
    in_start: Vec<u32>,
    in_list: Vec<u32>,
    names: HashMap<String, Vec<NodeId>>,
    identifiers: HashMap<String, Vec<NodeId>>,
    problems: Vec<Problem>,
    pub(crate) cache: Mutex<HashMap<(String, NaiveDate), Arc<crate::exposure::Propagation>>>,
}

impl Graph {
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn relation_count(&self) -> usize {
        self.relations.len()
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    pub fn nodes(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (NodeId(i as u32), n))
    }

    pub fn relation(&self, id: RelationId) -> &Relation {
        &self.relations[id.0 as usize]
    }

    pub fn relations(&self) -> &[Relation] {
        &self.relations
    }

    /// Where a relation comes from (its words, statement or line).
    pub fn source(&self, relation: &Relation) -> &RelationSource {
        &self.sources[relation.provenance as usize]
    }

    /// Problems met while the graph was built from its sources.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Relations leaving `id` (it owns, controls, is principal of …).
    pub fn out_relations(&self, id: NodeId) -> impl Iterator<Item = (RelationId, &Relation)> {
        let (s, e) = (self.out_start[id.index()], self.out_start[id.index() + 1]);
        self.out_list[s as usize..e as usize]
            .iter()
            .map(|&r| (RelationId(r), &self.relations[r as usize]))
    }

    /// Relations arriving at `id` (its owners, controllers, principals …).
    pub fn in_relations(&self, id: NodeId) -> impl Iterator<Item = (RelationId, &Relation)> {
        let (s, e) = (self.in_start[id.index()], self.in_start[id.index() + 1]);
        self.in_list[s as usize..e as usize]
            .iter()
            .map(|&r| (RelationId(r), &self.relations[r as usize]))
    }

    /// Raw CSR rows for hot loops: relation indices leaving `id`.
    pub(crate) fn out_ids(&self, id: usize) -> &[u32] {
        &self.out_list[self.out_start[id] as usize..self.out_start[id + 1] as usize]
    }

    pub(crate) fn in_ids(&self, id: usize) -> &[u32] {
        &self.in_list[self.in_start[id] as usize..self.in_start[id + 1] as usize]
    }

    pub(crate) fn relation_at(&self, index: u32) -> &Relation {
        &self.relations[index as usize]
    }

    /// The party with this key (`un-kpe.047`, `ofac-sdn-15603`,
    /// `bods:tecido.json#01B68D7633`, `analyst:acme`).
    pub fn find(&self, key: &str) -> Option<NodeId> {
        self.keys.get(key).copied()
    }

    /// The party a list designates by this reference (`un`, `KPe.047`).
    pub fn find_designated(&self, list: &str, reference: &str) -> Option<NodeId> {
        let source = match list {
            "un" => resolute_model::Source::Un,
            "ofac-sdn" | "ofac" => resolute_model::Source::OfacSdn,
            _ => return None,
        };
        self.find(&resolute_model::Entity::make_id(source, reference))
    }

    /// Parties whose name (normalised: case, punctuation, a leading "the"),
    /// bracketed acronym or identifier (letters and digits: registration
    /// number, IMO, BIC, phone, e-mail) equals `query`. For an unlisted
    /// party (a BODS or analyst party) as much as for a list entry.
    pub fn lookup(&self, query: &str) -> Vec<NodeId> {
        let mut out = Vec::new();
        if let Some(ids) = self.names.get(&normalize_name(query)) {
            out.extend_from_slice(ids);
        }
        let ident = normalize_identifier(query);
        if ident.len() >= 5
            && let Some(ids) = self.identifiers.get(&ident)
        {
            out.extend_from_slice(ids);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Count of relations by kind.
    pub fn count_by_kind(&self) -> Vec<(RelationKind, usize)> {
        RelationKind::ALL
            .into_iter()
            .map(|k| (k, self.relations.iter().filter(|r| r.kind == k).count()))
            .filter(|(_, c)| *c > 0)
            .collect()
    }
}
