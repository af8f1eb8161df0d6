//! Exposure: which parties are owned or controlled by designated parties on
//! a date, under a jurisdiction's [`Rule`], with the paths that make it.
//!
//! # Semantics
//!
//! One least fixpoint per rule and date, in two passes over the relations
//! that hold on the date ([`crate::model::Relation::holds_on`]):
//!
//! 1. **Proven.** The roots are the parties with a designation of one of the
//!    rule's lists in force on the date (listed on or before it, not yet
//!    removed). A party becomes proven when the ownership held in it by
//!    proven parties — the *lower* bounds of the shares — meets the threshold:
//!    summed over all of them (`aggregation = "all"`: OFAC, EU, UN) or per
//!    designated person, counting the stakes of the parties that person
//!    already owns (`"per_controller"`: UK; persons joined by a
//!    [`RelationKind::JointArrangement`] count as one). An exposed
//!    intermediate passes its stake on *in full*; a party that is not
//!    exposed passes nothing. That is OFAC FAQ 401: example 3 (50 % of A,
//!    A holds 40 % of B, plus 10 % directly: B is blocked, 40 % + 10 %, not
//!    50 % × 40 % + 10 % = 30 %) and example 4 (25 % of A and of B, each
//!    holding 50 % of C: C is not blocked).
//! 2. **Indicative.** Starting from the proven parties, a party is reached
//!    when the *upper* bounds of the stakes held by reached parties meet the
//!    threshold (an unknown share counts as up to 100 %), when the rule says
//!    a stake below the threshold is indicative, or over a relation kind
//!    whose effect the rule sets to `indicative` (control, acting on behalf,
//!    directorship in both directions, vessel management). Unknown links
//!    never propagate.
//!
//! **Cycles.** Because it is the *least* fixpoint, a stake only counts once
//! its holder is exposed by a chain that starts at a designation: a ring of
//! companies owning each other never exposes itself, however large the
//! stakes, and a circular stake held by an exposed party counts like any
//! other. Each party records the order in which it became exposed; its
//! witnesses are the relations from parties exposed *before* it, so the
//! proving paths are acyclic and finite, and the propagation visits each
//! relation at most once per pass (plus, for `per_controller`, once more per
//! designated person found to be owned by another).
//!
//! Integrated ownership (Brioschi et al. 1989: products along paths, summed)
//! is reported per path as `product_percent` for information; it does not
//! decide, because OFAC example 3 shows it is not the rule.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::graph::Graph;
use crate::model::{
    Designation, NodeId, Relation, RelationId, RelationKind, Share, fmt_percent,
    millionths_to_percent,
};
use crate::rules::{Aggregation, Effect, Rule};

const NONE: u32 = u32::MAX;

/// How a party stands under a rule on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not exposed.
    None,
    /// A documented control path that does not prove ownership at the
    /// threshold: control wording, unknown or partial shares, agency.
    Indicative,
    /// Owned at the threshold by designated parties, by percentages.
    Proven,
    /// Itself designated by one of the rule's lists on the date.
    Designated,
}

/// The result of propagating one rule on one date over the whole graph.
#[derive(Debug)]
pub struct Propagation {
    rule: Rule,
    as_of: NaiveDate,
    designated: Vec<bool>,
    /// Order in which a party became proven (roots first); `NONE` if never.
    proven_rank: Vec<u32>,
    /// Order in which a party became at least indicative; `NONE` if never.
    reach_rank: Vec<u32>,
    /// `per_controller` only: the designated person (group) whose stakes
    /// make the party proven / reached; for a root, the group that owns it.
    controller: Vec<u32>,
    reach_controller: Vec<u32>,
    /// `per_controller` only: joint-arrangement group of each root.
    group: Vec<u32>,
}

impl Propagation {
    pub fn rule(&self) -> &Rule {
        &self.rule
    }

    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    pub fn status(&self, id: NodeId) -> Status {
        let i = id.index();
        if self.designated[i] {
            Status::Designated
        } else if self.proven_rank[i] != NONE {
            Status::Proven
        } else if self.reach_rank[i] != NONE {
            Status::Indicative
        } else {
            Status::None
        }
    }

    /// How many parties have each status (designated, proven, indicative).
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for i in 0..self.designated.len() {
            match self.status(NodeId(i as u32)) {
                Status::Designated => c.0 += 1,
                Status::Proven => c.1 += 1,
                Status::Indicative => c.2 += 1,
                Status::None => {}
            }
        }
        c
    }

    /// Parties that are exposed (proven or indicative) without being
    /// designated themselves.
    pub fn exposed(&self) -> impl Iterator<Item = (NodeId, Status)> + '_ {
        (0..self.designated.len()).filter_map(|i| {
            let id = NodeId(i as u32);
            let s = self.status(id);
            matches!(s, Status::Proven | Status::Indicative).then_some((id, s))
        })
    }
}

/// Run a rule on a date over the whole graph.
pub fn propagate(graph: &Graph, rule: &Rule, as_of: NaiveDate) -> Propagation {
    let n = graph.node_count();
    let mut designated = vec![false; n];
    let mut roots = Vec::new();
    for (id, node) in graph.nodes() {
        if node
            .designations
            .iter()
            .any(|d| rule.designations.contains(&d.list) && d.in_force_on(as_of))
        {
            designated[id.index()] = true;
            roots.push(id.0);
        }
    }
    let mut p = Propagation {
        rule: rule.clone(),
        as_of,
        designated,
        proven_rank: vec![NONE; n],
        reach_rank: vec![NONE; n],
        controller: Vec::new(),
        reach_controller: Vec::new(),
        group: Vec::new(),
    };
    match rule.aggregation {
        Aggregation::All => {
            prove_all(graph, &mut p, &roots);
            reach(graph, &mut p);
        }
        Aggregation::PerController => {
            p.group = joint_groups(graph, &p.designated, as_of);
            p.controller = vec![NONE; n];
            prove_per_controller(graph, &mut p, &roots);
            p.reach_controller = p.controller.clone();
            reach(graph, &mut p);
        }
    }
    p
}

/// Pass 1, stakes summed over all proven holders.
fn prove_all(graph: &Graph, p: &mut Propagation, roots: &[u32]) {
    let as_of = p.as_of;
    let mut stake = vec![0u64; p.designated.len()];
    let mut queue: Vec<u32> = Vec::with_capacity(roots.len());
    let mut next = 0u32;
    for &r in roots {
        p.proven_rank[r as usize] = next;
        next += 1;
        queue.push(r);
    }
    let mut head = 0;
    while let Some(&holder) = queue.get(head) {
        head += 1;
        for &rid in graph.out_ids(holder as usize) {
            let r = graph.relation_at(rid);
            if r.kind != RelationKind::Ownership || !r.holds_on(as_of) {
                continue;
            }
            let m = r.to.index();
            if p.proven_rank[m] != NONE {
                continue;
            }
            stake[m] += u64::from(r.share.min);
            if p.rule.meets(stake[m]) {
                p.proven_rank[m] = next;
                next += 1;
                queue.push(m as u32);
            }
        }
    }
}

/// Union-find over roots joined by a joint arrangement holding on the date.
fn joint_groups(graph: &Graph, designated: &[bool], as_of: NaiveDate) -> Vec<u32> {
    let mut parent: Vec<u32> = (0..designated.len() as u32).collect();
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    for r in graph.relations() {
        if r.kind == RelationKind::JointArrangement
            && r.holds_on(as_of)
            && designated[r.from.index()]
            && designated[r.to.index()]
        {
            let (a, b) = (find(&mut parent, r.from.0), find(&mut parent, r.to.0));
            if a != b {
                parent[a.max(b) as usize] = a.min(b);
            }
        }
    }
    (0..designated.len() as u32)
        .map(|x| find(&mut parent, x))
        .collect()
}

/// The designated persons (groups) a party's stakes count for under
/// `per_controller`: its own group if it is a root, then the group that
/// owns it, and so on up (bounded: a malformed ring of roots owning each
/// other stops at a repeat).
fn chain(p: &Propagation, controller: &[u32], holder: u32) -> Vec<u32> {
    let mut out = Vec::with_capacity(2);
    let mut x = if p.designated[holder as usize] {
        p.group[holder as usize]
    } else {
        controller[holder as usize]
    };
    while x != NONE && !out.contains(&x) && out.len() < 64 {
        out.push(x);
        x = controller[x as usize];
    }
    out
}

/// Pass 1, stakes summed per designated person. Each holder's stakes are
/// added to the groups of its chain as known when it is queued; when a
/// designated person turns out to be owned by another, the stakes of
/// everyone in its group are added once more, to the owner's chain only.
fn prove_per_controller(graph: &Graph, p: &mut Propagation, roots: &[u32]) {
    let as_of = p.as_of;
    let mut next = 0u32;
    let mut work: std::collections::VecDeque<(u32, Vec<u32>)> = std::collections::VecDeque::new();
    let mut roots_of_group: HashMap<u32, Vec<u32>> = HashMap::new();
    for &r in roots {
        p.proven_rank[r as usize] = next;
        next += 1;
        roots_of_group
            .entry(p.group[r as usize])
            .or_default()
            .push(r);
    }
    for &r in roots {
        work.push_back((r, chain(p, &p.controller, r)));
    }
    let mut members: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut sub_groups: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut stake: HashMap<(u32, u32), u64> = HashMap::new();
    while let Some((holder, groups)) = work.pop_front() {
        for &rid in graph.out_ids(holder as usize) {
            let r = graph.relation_at(rid);
            if r.kind != RelationKind::Ownership || !r.holds_on(as_of) {
                continue;
            }
            let m = r.to.0;
            let root = p.designated[m as usize];
            let own_group = if root { p.group[m as usize] } else { NONE };
            if (!root && p.proven_rank[m as usize] != NONE)
                || (root && p.controller[own_group as usize] != NONE)
            {
                continue;
            }
            for &g in &groups {
                if g == own_group {
                    continue;
                }
                let s = stake.entry((m, g)).or_insert(0);
                *s += u64::from(r.share.min);
                if !p.rule.meets(*s) {
                    continue;
                }
                if root {
                    p.controller[own_group as usize] = g;
                    sub_groups.entry(g).or_default().push(own_group);
                    // Everyone whose chain runs through `own_group` now also
                    // counts for `g` and the groups above it.
                    let added = chain(p, &p.controller, g);
                    let mut stack = vec![own_group];
                    while let Some(x) = stack.pop() {
                        for &h in roots_of_group.get(&x).into_iter().flatten() {
                            work.push_back((h, added.clone()));
                        }
                        for &h in members.get(&x).into_iter().flatten() {
                            work.push_back((h, added.clone()));
                        }
                        stack.extend(sub_groups.get(&x).into_iter().flatten().copied());
                    }
                } else {
                    p.proven_rank[m as usize] = next;
                    next += 1;
                    p.controller[m as usize] = g;
                    members.entry(g).or_default().push(m);
                    work.push_back((m, chain(p, &p.controller, m)));
                }
                break;
            }
        }
    }
}

/// Pass 2: the indicative closure of the proven set.
fn reach(graph: &Graph, p: &mut Propagation) {
    let as_of = p.as_of;
    let n = p.designated.len();
    let per_controller = p.rule.aggregation == Aggregation::PerController;
    let mut proven: Vec<u32> = (0..n as u32)
        .filter(|&i| p.proven_rank[i as usize] != NONE)
        .collect();
    proven.sort_unstable_by_key(|&i| p.proven_rank[i as usize]);
    let mut next = 0u32;
    for &i in &proven {
        p.reach_rank[i as usize] = next;
        next += 1;
    }
    let mut queue = proven;
    let mut stake_all = if per_controller {
        Vec::new()
    } else {
        vec![0u64; n]
    };
    let mut stake_group: HashMap<(u32, u32), u64> = HashMap::new();
    let below = p.rule.below_threshold == Effect::Indicative;
    let effects = p.rule.effects;
    let mut head = 0;
    while let Some(&holder) = queue.get(head) {
        head += 1;
        let groups = if per_controller {
            chain(p, &p.reach_controller, holder)
        } else {
            Vec::new()
        };
        let first_group = groups.first().copied().unwrap_or(NONE);
        let mut reached: Vec<(u32, u32)> = Vec::new();
        for &rid in graph.out_ids(holder as usize) {
            let r = graph.relation_at(rid);
            if !r.holds_on(as_of) {
                continue;
            }
            let m = r.to.0;
            if p.reach_rank[m as usize] != NONE || m == holder {
                continue;
            }
            if r.kind == RelationKind::Ownership {
                let max = u64::from(r.share.max);
                if per_controller {
                    for &g in &groups {
                        let s = stake_group.entry((m, g)).or_insert(0);
                        *s += max;
                        if p.rule.meets(*s) {
                            reached.push((m, g));
                            break;
                        }
                    }
                    if below && max > 0 {
                        reached.push((m, first_group));
                    }
                } else {
                    stake_all[m as usize] += max;
                    if p.rule.meets(stake_all[m as usize]) || (below && max > 0) {
                        reached.push((m, NONE));
                    }
                }
            } else if effects.of(r.kind) == Effect::Indicative {
                reached.push((m, first_group));
            }
        }
        // A directorship also exposes the organisation of an exposed director.
        if effects.directorship == Effect::Indicative {
            for &rid in graph.in_ids(holder as usize) {
                let r = graph.relation_at(rid);
                if r.kind == RelationKind::Directorship && r.holds_on(as_of) {
                    reached.push((r.from.0, first_group));
                }
            }
        }
        for (m, g) in reached {
            if p.reach_rank[m as usize] == NONE && !p.designated[m as usize] {
                p.reach_rank[m as usize] = next;
                next += 1;
                if per_controller {
                    p.reach_controller[m as usize] = g;
                }
                queue.push(m);
            }
        }
    }
}

/// A party as an exposure result shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartyView {
    /// The party's graph key (`un-kpe.047`, `analyst:acme`).
    pub id: String,
    pub caption: String,
    pub schema: String,
    /// Its designations by the rule's lists (only those in force on the date).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub designations: Vec<Designation>,
}

/// One relation on a path, with its source and dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// `rel-<index>` in this graph.
    pub relation: String,
    pub kind: RelationKind,
    pub from: String,
    pub from_caption: String,
    pub to: String,
    pub to_caption: String,
    /// For ownership: the share as given (`60 %`, `25–50 %`, `share unknown`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub share: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub start: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub end: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub role: Option<String>,
    /// Whether exposure flows against the relation's direction (an exposed
    /// director exposing the organisation).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub reversed: bool,
    pub provenance: crate::model::Provenance,
}

/// A path from a designated party to the party in question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Path {
    /// True when every step is a percentage that counts toward the
    /// threshold through proven parties.
    pub proven: bool,
    /// The designated party the path starts at.
    pub root: PartyView,
    pub steps: Vec<Step>,
    /// The product of the shares along the path (integrated ownership, for
    /// information), when every step is an ownership with a known share.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub product_percent: Option<f64>,
    /// The path in words, for a finding.
    pub text: String,
}

/// The answer for one party, one rule, one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exposure {
    pub entity: PartyView,
    pub rule: String,
    pub rule_title: String,
    pub as_of: NaiveDate,
    pub status: Status,
    /// `≥ 50 %` / `> 50 %`.
    pub threshold: String,
    /// For proven exposure: the stake that counts (summed over the proven
    /// holders, or held by the one controlling person for the UK rule).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stake_percent: Option<f64>,
    pub paths: Vec<Path>,
    /// More paths exist than the limit returned.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub paths_truncated: bool,
    /// One sentence an analyst can read: the first path, or why none.
    pub summary: String,
}

/// Limits on the paths returned for one party.
#[derive(Debug, Clone, Copy)]
pub struct PathLimits {
    pub max_paths: usize,
    pub max_depth: usize,
    /// Witness relations followed at most for one party (bounds the work on
    /// a dense graph; the paths found first are the shortest in rank).
    pub max_steps: usize,
}

impl Default for PathLimits {
    fn default() -> PathLimits {
        PathLimits {
            max_paths: 16,
            max_depth: 64,
            max_steps: 4096,
        }
    }
}

impl Propagation {
    /// The exposure of one party with its proving paths.
    pub fn exposure(&self, graph: &Graph, id: NodeId) -> Exposure {
        self.exposure_with(graph, id, PathLimits::default())
    }

    pub fn exposure_with(&self, graph: &Graph, id: NodeId, limits: PathLimits) -> Exposure {
        let status = self.status(id);
        let mut paths = Vec::new();
        let mut truncated = false;
        if matches!(status, Status::Proven | Status::Indicative) {
            let mut steps = Vec::new();
            let mut budget = limits.max_steps;
            self.walk(
                graph,
                id,
                &mut steps,
                &mut paths,
                &mut truncated,
                limits,
                &mut budget,
            );
        }
        let stake_percent = (status == Status::Proven).then(|| self.proven_stake(graph, id));
        let entity = self.party(graph, id);
        let summary = match status {
            Status::Designated => format!(
                "{} is itself designated ({})",
                entity.caption,
                entity
                    .designations
                    .iter()
                    .map(designation_text)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            Status::None => format!(
                "{} is not owned or controlled by a party designated under {} on {}",
                entity.caption, self.rule.id, self.as_of
            ),
            _ => paths
                .first()
                .map(|p: &Path| p.text.clone())
                .unwrap_or_default(),
        };
        Exposure {
            entity,
            rule: self.rule.id.clone(),
            rule_title: self.rule.title.clone(),
            as_of: self.as_of,
            status,
            threshold: self.rule.threshold_text(),
            stake_percent: stake_percent.map(millionths_to_percent_u64),
            paths,
            paths_truncated: truncated,
            summary,
        }
    }

    fn party(&self, graph: &Graph, id: NodeId) -> PartyView {
        let node = graph.node(id);
        PartyView {
            id: node.key.clone(),
            caption: node.caption.clone(),
            schema: node.schema.as_str().to_string(),
            designations: node
                .designations
                .iter()
                .filter(|d| self.rule.designations.contains(&d.list) && d.in_force_on(self.as_of))
                .cloned()
                .collect(),
        }
    }

    fn in_controller_chain(&self, controller: &[u32], holder: u32, group: u32) -> bool {
        group == NONE || chain(self, controller, holder).contains(&group)
    }

    /// The relations that justify `id`'s status: from parties exposed
    /// before it. `(relation, holder, reversed)`.
    fn witnesses(&self, graph: &Graph, id: NodeId) -> Vec<(u32, u32, bool)> {
        let i = id.index();
        let mut out = Vec::new();
        let as_of = self.as_of;
        if self.proven_rank[i] != NONE && !self.designated[i] {
            let rank = self.proven_rank[i];
            let group = self.controller.get(i).copied().unwrap_or(NONE);
            for &rid in graph.in_ids(i) {
                let r = graph.relation_at(rid);
                let h = r.from.0;
                if r.kind == RelationKind::Ownership
                    && r.holds_on(as_of)
                    && r.share.min > 0
                    && self.proven_rank[h as usize] < rank
                    && self.in_controller_chain(&self.controller, h, group)
                {
                    out.push((rid, h, false));
                }
            }
            return out;
        }
        let rank = self.reach_rank[i];
        if rank == NONE || self.designated[i] {
            return out;
        }
        let effects = self.rule.effects;
        for &rid in graph.in_ids(i) {
            let r = graph.relation_at(rid);
            let h = r.from.0;
            if !r.holds_on(as_of) || self.reach_rank[h as usize] >= rank {
                continue;
            }
            let counts = match r.kind {
                RelationKind::Ownership => r.share.max > 0,
                k => effects.of(k) == Effect::Indicative,
            };
            if counts {
                out.push((rid, h, false));
            }
        }
        if effects.directorship == Effect::Indicative {
            for &rid in graph.out_ids(i) {
                let r = graph.relation_at(rid);
                let h = r.to.0;
                if r.kind == RelationKind::Directorship
                    && r.holds_on(as_of)
                    && self.reach_rank[h as usize] < rank
                {
                    out.push((rid, h, true));
                }
            }
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn walk(
        &self,
        graph: &Graph,
        at: NodeId,
        steps: &mut Vec<(u32, bool)>,
        paths: &mut Vec<Path>,
        truncated: &mut bool,
        limits: PathLimits,
        budget: &mut usize,
    ) {
        if paths.len() >= limits.max_paths || *budget == 0 {
            *truncated = true;
            return;
        }
        if self.designated[at.index()] {
            paths.push(self.make_path(graph, at, steps));
            return;
        }
        if steps.len() >= limits.max_depth {
            *truncated = true;
            return;
        }
        // Holders exposed earliest first: they are nearest to a root.
        let mut witnesses = self.witnesses(graph, at);
        witnesses
            .sort_by_key(|&(_, h, _)| (self.proven_rank[h as usize], self.reach_rank[h as usize]));
        for (rid, holder, reversed) in witnesses {
            if *budget == 0 {
                *truncated = true;
                return;
            }
            *budget -= 1;
            steps.push((rid, reversed));
            self.walk(
                graph,
                NodeId(holder),
                steps,
                paths,
                truncated,
                limits,
                budget,
            );
            steps.pop();
        }
    }

    fn proven_stake(&self, graph: &Graph, id: NodeId) -> u64 {
        let i = id.index();
        let group = self.controller.get(i).copied().unwrap_or(NONE);
        graph
            .in_ids(i)
            .iter()
            .map(|&rid| graph.relation_at(rid))
            .filter(|r| {
                r.kind == RelationKind::Ownership
                    && r.holds_on(self.as_of)
                    && self.proven_rank[r.from.index()] != NONE
                    && self.in_controller_chain(&self.controller, r.from.0, group)
            })
            .map(|r| u64::from(r.share.min))
            .sum()
    }

    /// `steps` run from the party back to the root; the path reads root first.
    fn make_path(&self, graph: &Graph, root: NodeId, steps: &[(u32, bool)]) -> Path {
        let root_view = self.party(graph, root);
        let mut views = Vec::with_capacity(steps.len());
        let mut product: Option<f64> = Some(1.0);
        let mut proven = true;
        for &(rid, reversed) in steps.iter().rev() {
            let r = graph.relation(RelationId(rid));
            let step = step_view(graph, RelationId(rid), r, reversed);
            product = match (product, r.kind) {
                (Some(p), RelationKind::Ownership) if r.share.is_exact() => {
                    Some(p * r.share.min_percent() / 100.0)
                }
                _ => None,
            };
            let holder = if reversed { r.to } else { r.from };
            let held = if reversed { r.from } else { r.to };
            proven &= r.kind == RelationKind::Ownership
                && self.proven_rank[holder.index()] != NONE
                && self.proven_rank[held.index()] != NONE;
            views.push(step);
        }
        let text = path_text(&root_view, &views);
        Path {
            proven,
            root: root_view,
            steps: views,
            product_percent: product.map(|p| (p * 1_000_000.0).round() / 10_000.0),
            text,
        }
    }
}

fn millionths_to_percent_u64(v: u64) -> f64 {
    millionths_to_percent(v.min(u64::from(u32::MAX)) as u32)
}

pub(crate) fn step_view(graph: &Graph, id: RelationId, r: &Relation, reversed: bool) -> Step {
    let source = graph.source(r);
    let (from, to) = (graph.node(r.from), graph.node(r.to));
    Step {
        relation: format!("rel-{}", id.0),
        kind: r.kind,
        from: from.key.clone(),
        from_caption: from.caption.clone(),
        to: to.key.clone(),
        to_caption: to.caption.clone(),
        share: (r.kind == RelationKind::Ownership).then(|| r.share.to_string()),
        start: r.start,
        end: r.end,
        role: source.role.clone(),
        reversed,
        provenance: source.provenance.clone(),
    }
}

fn designation_text(d: &Designation) -> String {
    match d.listed_on {
        Some(date) => format!("{} {}, listed {date}", d.list, d.reference),
        None => format!("{} {}", d.list, d.reference),
    }
}

fn verb(step: &Step) -> String {
    match (step.kind, step.reversed) {
        (RelationKind::Ownership, _) => format!(
            "owns {} of",
            step.share
                .clone()
                .unwrap_or_else(|| Share::UNKNOWN.to_string())
        ),
        (RelationKind::Control, _) => "controls".into(),
        (RelationKind::ActingOnBehalf, _) => "has acting on its behalf".into(),
        (RelationKind::Directorship, false) => "has as director or officer".into(),
        (RelationKind::Directorship, true) => "is director or officer of".into(),
        (RelationKind::VesselManagement, _) => "manages or operates".into(),
        (RelationKind::UnknownLink, _) => "is linked to".into(),
        (RelationKind::JointArrangement, _) => "acts jointly with".into(),
    }
}

fn source_text(p: &crate::model::Provenance) -> String {
    use crate::model::Provenance::*;
    match p {
        UnList { reference, .. } => format!("UN list {reference}"),
        OfacLinkedTo { ent_num, .. } => format!("OFAC SDN {ent_num}"),
        Bods {
            file, statement_id, ..
        } => format!("BODS {file} {statement_id}"),
        Analyst { file, line, .. } => format!("{file}:{line}"),
        Generated { label } => label.clone(),
    }
}

fn path_text(root: &PartyView, steps: &[Step]) -> String {
    let mut s = root.caption.clone();
    if let Some(d) = root.designations.first() {
        s.push_str(&format!(" ({})", designation_text(d)));
    }
    for (i, step) in steps.iter().enumerate() {
        let (holder_is_from, held) = if step.reversed {
            (false, &step.from_caption)
        } else {
            (true, &step.to_caption)
        };
        let _ = holder_is_from;
        if i > 0 {
            s.push_str(", which");
        }
        s.push(' ');
        s.push_str(&verb(step));
        s.push(' ');
        s.push_str(held);
        let mut dates = String::new();
        if let Some(start) = step.start {
            dates.push_str(&format!("from {start}"));
        }
        if let Some(end) = step.end {
            if !dates.is_empty() {
                dates.push(' ');
            }
            dates.push_str(&format!("until {end}"));
        }
        if dates.is_empty() {
            s.push_str(&format!(" [{}]", source_text(&step.provenance)));
        } else {
            s.push_str(&format!(" [{dates}; {}]", source_text(&step.provenance)));
        }
    }
    s
}

impl Graph {
    /// The propagation of `rule` on `as_of`, computed once and cached.
    pub fn propagation(&self, rule: &Rule, as_of: NaiveDate) -> Arc<Propagation> {
        let key = (rule.id.clone(), as_of);
        if let Ok(cache) = self.cache.lock()
            && let Some(p) = cache.get(&key)
            && p.rule == *rule
        {
            return Arc::clone(p);
        }
        let p = Arc::new(propagate(self, rule, as_of));
        if let Ok(mut cache) = self.cache.lock() {
            // Dates asked of one graph are few; keep the cache small anyway.
            if cache.len() >= 64 {
                cache.clear();
            }
            cache.insert(key, Arc::clone(&p));
        }
        p
    }

    /// The exposure of one party under `rule` on `as_of`, with its paths.
    pub fn exposure(&self, id: NodeId, as_of: NaiveDate, rule: &Rule) -> Exposure {
        self.propagation(rule, as_of).exposure(self, id)
    }
}

/// Percent text for an aggregate in millionths (used by reports).
pub fn percent_text(v: u64) -> String {
    format!("{} %", fmt_percent(millionths_to_percent_u64(v)))
}

/// One upstream party's integrated ownership of a party.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpstreamOwner {
    pub owner: PartyView,
    /// Sum over the paths of the product of the shares (lower bounds);
    /// a control step counts as 100 % (the controller is attributed what
    /// the body it controls holds).
    pub percent: f64,
    /// Some path passes through a control relation.
    pub through_control: bool,
    pub paths: Vec<Vec<Step>>,
}

/// Integrated ownership (Brioschi et al. 1989) of `id` by every party
/// upstream of it, over simple paths of ownership and control relations
/// that hold on `as_of` (all relations when `None`), at most `max_depth`
/// long. A cycle is walked once, not summed as the (I − A)⁻¹ series would
/// (Vitali et al. 2011 show that series overstates ownership in cycles).
/// Information for ranking and for checking declared indirect interests;
/// exposure is decided by [`propagate`].
pub fn upstream_owners(
    graph: &Graph,
    id: NodeId,
    as_of: Option<NaiveDate>,
    max_depth: usize,
) -> Vec<UpstreamOwner> {
    let mut acc: HashMap<NodeId, UpstreamOwner> = HashMap::new();
    let mut path: Vec<(RelationId, NodeId)> = Vec::new();
    #[allow(clippy::too_many_arguments)]
    fn walk(
        graph: &Graph,
        at: NodeId,
        factor: f64,
        control: bool,
        as_of: Option<NaiveDate>,
        max_depth: usize,
        path: &mut Vec<(RelationId, NodeId)>,
        acc: &mut HashMap<NodeId, UpstreamOwner>,
    ) {
        if path.len() >= max_depth {
            return;
        }
        for (rid, r) in graph.in_relations(at) {
            if !matches!(r.kind, RelationKind::Ownership | RelationKind::Control)
                || r.former
                || as_of.is_some_and(|d| !r.holds_on(d))
                || path.iter().any(|(_, n)| *n == r.from)
                || r.from == at
            {
                continue;
            }
            let (f, c) = match r.kind {
                RelationKind::Ownership => (factor * r.share.min_percent() / 100.0, control),
                _ => (factor, true),
            };
            path.push((rid, r.from));
            let steps: Vec<Step> = path
                .iter()
                .rev()
                .map(|(rid, _)| step_view(graph, *rid, graph.relation(*rid), false))
                .collect();
            let node = graph.node(r.from);
            let entry = acc.entry(r.from).or_insert_with(|| UpstreamOwner {
                owner: PartyView {
                    id: node.key.clone(),
                    caption: node.caption.clone(),
                    schema: node.schema.as_str().to_string(),
                    designations: node.designations.clone(),
                },
                percent: 0.0,
                through_control: false,
                paths: Vec::new(),
            });
            entry.percent += f * 100.0;
            entry.through_control |= c;
            entry.paths.push(steps);
            walk(graph, r.from, f, c, as_of, max_depth, path, acc);
            path.pop();
        }
    }
    walk(graph, id, 1.0, false, as_of, max_depth, &mut path, &mut acc);
    let mut out: Vec<UpstreamOwner> = acc.into_values().collect();
    for o in &mut out {
        o.percent = (o.percent * 10_000.0).round() / 10_000.0;
    }
    out.sort_by(|a, b| {
        b.percent
            .total_cmp(&a.percent)
            .then_with(|| a.owner.id.cmp(&b.owner.id))
    });
    out
}
