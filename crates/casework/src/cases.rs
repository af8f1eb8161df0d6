//! Which screening outcome opens a review case.
//!
//! - A name query opens a case on its best match that is not cleared by a
//!   suppression (results come best first).
//! - A transaction opens a case on its best party match that is not cleared,
//!   or on the transaction itself when it needs review without one (a
//!   conditional measure, a cap near its limit…). A prohibited transaction
//!   without a party match opens none: the rule decided, nobody needs to.
//!
//! A case is keyed like a suppression (the query or party as screened, and
//! the entry), so closing it as a false positive clears exactly that pair.

use resolute_matching::MatchResult;
use resolute_model::Schema;
use resolute_regime::Effect;
use resolute_screening::Decision;
use resolute_store::NewCase;
use serde_json::{Value, json};

use crate::engine::Engine;
use crate::suppress::{party_properties, party_query_key, query_key};

/// The case a name query opens on `best`, its best uncleared match.
pub fn name_case(
    engine: &Engine,
    screening_id: &str,
    key: &str,
    query_json: &Value,
    query_name: &str,
    best: &MatchResult,
) -> NewCase {
    NewCase {
        kind: "name".into(),
        screening_id: screening_id.into(),
        query_key: key.into(),
        query: query_json.clone(),
        entity_id: Some(best.id.clone()),
        entity_ref: Some(best.reference.clone()),
        entity_caption: Some(best.caption.clone()),
        entity_fingerprint: engine.fingerprint(&best.id).map(str::to_string),
        score: Some(best.score),
        decision: None,
        summary: format!(
            "{:?} matched {} {} ({:.2}): {}",
            query_name,
            best.reference,
            best.caption,
            best.score,
            best.explanation.method.replace('_', " ")
        ),
    }
}

/// The case a screened transaction opens, if any (see the module docs).
pub fn transaction_case(
    engine: &Engine,
    screening_id: &str,
    input: &Value,
    d: &Decision,
) -> Option<NewCase> {
    let best = d
        .matches
        .iter()
        .filter(|m| !m.suppressed)
        .max_by(|a, b| a.score.total_cmp(&b.score));
    if d.decision != Effect::Review && best.is_none() {
        return None;
    }
    let entity = best.and_then(|m| engine.entity(&m.entity_id));
    let (key, query) = match best {
        Some(m) => {
            let schema = m.party.schema.unwrap_or(Schema::Thing);
            (
                party_query_key(&m.party),
                json!({"schema": schema.as_str(), "properties": party_properties(&m.party), "role": m.role, "transaction": input}),
            )
        }
        None => (
            query_key(
                Schema::Thing,
                &[("transaction".to_string(), vec![d.id.clone()])]
                    .into_iter()
                    .collect(),
            ),
            json!({"transaction": input}),
        ),
    };
    let rules: Vec<&str> = d.findings.iter().map(|f| f.rule.as_str()).collect();
    let mut summary = format!("transaction {}: {}", d.id, d.decision.as_str());
    if !rules.is_empty() {
        summary.push_str(&format!(" ({})", rules.join(", ")));
    }
    if let Some(m) = best {
        summary.push_str(&format!(
            "; {} {:?} matched {} {}",
            m.role, m.party.value, m.reference, m.name
        ));
    }
    Some(NewCase {
        kind: "transaction".into(),
        screening_id: screening_id.to_string(),
        query_key: key,
        query,
        entity_id: entity.map(|e| e.id.clone()),
        entity_ref: best.map(|m| m.reference.clone()),
        entity_caption: entity.map(|e| e.caption.clone()),
        entity_fingerprint: entity
            .and_then(|e| engine.fingerprint(&e.id))
            .map(str::to_string),
        score: best.map(|m| m.score),
        decision: Some(d.decision.as_str().into()),
        summary,
    })
}
