//! A party's neighbourhood as FollowTheMoney-shaped JSON: the parties as
//! FtM entities, the relations as FtM relation entities. Ownership →
//! `Ownership` (`owner`, `asset`, `percentage`), directorship →
//! `Directorship` (`director`, `organization`, `role`), every other kind →
//! `UnknownLink` (`subject`, `object`, `role`: "control", "ship manager",
//! "acting on behalf of", "Linked To"…). Dates are `startDate` / `endDate`.
//! Each object also carries a `resolute` member with what FtM has no
//! property for (the relation kind, the share range, the provenance, the
//! designations), so a client needs nothing else to draw and explain it.

use std::collections::{HashMap, HashSet, VecDeque};

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::graph::Graph;
use crate::model::{IdentifierKind, Node, NodeId, Relation, RelationId, RelationKind};

/// The parties and relations within `depth` relations of a party.
#[derive(Debug, Clone, Serialize)]
pub struct Neighbourhood {
    pub center: String,
    pub depth: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<NaiveDate>,
    pub entities: Vec<Value>,
    pub relations: Vec<Value>,
    /// More parties than the limit were within reach.
    pub truncated: bool,
}

/// Parties returned at most, so a hub (a ministry, a shipping company with
/// dozens of vessels) cannot blow up a response.
pub const MAX_PARTIES: usize = 400;

/// Breadth-first over relations in both directions. With `as_of`, only
/// relations that hold on that date.
pub fn neighbourhood(
    graph: &Graph,
    center: NodeId,
    depth: usize,
    as_of: Option<NaiveDate>,
) -> Neighbourhood {
    let mut seen: HashMap<NodeId, usize> = HashMap::new();
    let mut rels: HashSet<RelationId> = HashSet::new();
    let mut queue = VecDeque::from([(center, 0usize)]);
    seen.insert(center, 0);
    let mut truncated = false;
    while let Some((at, d)) = queue.pop_front() {
        if d >= depth {
            continue;
        }
        let edges: Vec<(RelationId, &Relation)> = graph
            .out_relations(at)
            .chain(graph.in_relations(at))
            .collect();
        for (rid, r) in edges {
            if as_of.is_some_and(|date| !r.holds_on(date)) {
                continue;
            }
            let other = if r.from == at { r.to } else { r.from };
            if !seen.contains_key(&other) {
                if seen.len() >= MAX_PARTIES {
                    truncated = true;
                    continue;
                }
                seen.insert(other, d + 1);
                queue.push_back((other, d + 1));
            }
            rels.insert(rid);
        }
    }
    let mut nodes: Vec<(NodeId, usize)> = seen.into_iter().collect();
    nodes.sort_by_key(|(id, d)| (*d, *id));
    let mut rels: Vec<RelationId> = rels.into_iter().collect();
    rels.sort();
    Neighbourhood {
        center: graph.node(center).key.clone(),
        depth,
        as_of,
        entities: nodes
            .iter()
            .map(|(id, _)| entity_json(graph.node(*id)))
            .collect(),
        relations: rels
            .into_iter()
            .map(|rid| relation_json(graph, rid))
            .collect(),
        truncated,
    }
}

/// A party as an FtM entity.
pub fn entity_json(node: &Node) -> Value {
    let mut props: Map<String, Value> = Map::new();
    let mut put = |k: &str, v: Vec<String>| {
        if !v.is_empty() {
            props.insert(k.to_string(), json!(v));
        }
    };
    put("name", node.names.clone());
    put("country", node.countries.clone());
    for (kind, prop) in [
        (IdentifierKind::Address, "address"),
        (IdentifierKind::Phone, "phone"),
        (IdentifierKind::Email, "email"),
        (IdentifierKind::RegistrationNumber, "registrationNumber"),
        (IdentifierKind::Imo, "imoNumber"),
        (IdentifierKind::Bic, "swiftBic"),
    ] {
        put(
            prop,
            node.identifiers_of(kind).map(str::to_string).collect(),
        );
    }
    if node.is_designated() {
        put("topics", vec!["sanction".to_string()]);
        let mut programs: Vec<String> = node
            .designations
            .iter()
            .flat_map(|d| d.programs.clone())
            .collect();
        programs.dedup();
        put("program", programs);
    }
    let datasets: Vec<String> = if node.designations.is_empty() {
        vec![format!("{:?}", node.origin).to_lowercase()]
    } else {
        node.designations.iter().map(|d| d.list.clone()).collect()
    };
    json!({
        "id": node.key,
        "schema": node.schema.as_str(),
        "caption": node.caption,
        "properties": props,
        "datasets": datasets,
        "referents": node.other_keys,
        "resolute": {
            "origin": node.origin,
            "designations": node.designations,
            "merged_by": node.merged_by,
        },
    })
}

/// A relation as an FtM relation entity.
pub fn relation_json(graph: &Graph, id: RelationId) -> Value {
    let r = graph.relation(id);
    let source = graph.source(r);
    let (from, to) = (&graph.node(r.from).key, &graph.node(r.to).key);
    let mut props: Map<String, Value> = Map::new();
    let schema = match r.kind {
        RelationKind::Ownership => {
            props.insert("owner".into(), json!([from]));
            props.insert("asset".into(), json!([to]));
            if !r.share.is_unknown() {
                props.insert(
                    "percentage".into(),
                    json!([r.share.to_string().trim_end_matches(" %")]),
                );
            }
            "Ownership"
        }
        RelationKind::Directorship => {
            props.insert("organization".into(), json!([from]));
            props.insert("director".into(), json!([to]));
            "Directorship"
        }
        _ => {
            props.insert("subject".into(), json!([from]));
            props.insert("object".into(), json!([to]));
            "UnknownLink"
        }
    };
    let role = source
        .role
        .clone()
        .unwrap_or_else(|| r.kind.as_str().replace('_', " "));
    props.insert("role".into(), json!([role]));
    if let Some(s) = r.start {
        props.insert("startDate".into(), json!([s.to_string()]));
    }
    if let Some(e) = r.end {
        props.insert("endDate".into(), json!([e.to_string()]));
    }
    let share = (r.kind == RelationKind::Ownership)
        .then(|| json!({"min": r.share.min_percent(), "max": r.share.max_percent()}));
    json!({
        "id": format!("rel-{}", id.0),
        "schema": schema,
        "properties": props,
        "resolute": {
            "kind": r.kind,
            "share": share,
            "former": r.former,
            "provenance": source.provenance,
        },
    })
}
