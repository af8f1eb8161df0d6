//! One search in named stages: [`QueryAnalysis::new`] (query names and
//! qualifiers), [`candidate_names`] (key support from the postings, rarest
//! keys first, with bounds to stop early), [`identifier_entities`],
//! [`best_names`] (exact scoring, best name per entity), [`qualify`]
//! (qualifiers, cutoff, order, limit) and [`report`] (explanations, only for
//! what is reported).

use crate::index::{self, Inner};
use crate::limits::{Budget, SearchError, SearchOutcome, Work};
use crate::names::{self, Method, NameComparison, NameForm, NameType, name_variants, round3};
use crate::qualifiers::{self, QueryQuals};
use crate::{Explanation, MatchOptions, MatchResult, QualifierEffect, Query};

/// How many list names, at most, are scored exactly per query.
const MAX_SCORED_NAMES: usize = 24;
/// Candidates need this share of the best candidate's key support.
const MIN_SUPPORT_SHARE: f32 = 0.4;
/// Weak aliases (UN quality Low, OFAC weak a.k.a.) count less.
const WEAK_ALIAS_FACTOR: f64 = 0.85;

/// The query, analysed once.
pub(crate) struct QueryAnalysis<'q> {
    query: &'q Query,
    ty: NameType,
    forms: Vec<NameForm>,
    quals: QueryQuals,
    /// Index keys of all forms, distinct, with their strength.
    keys: Vec<(u64, f32)>,
}

impl<'q> QueryAnalysis<'q> {
    fn new(query: &'q Query, budget: &Budget<'_>, work: &mut Work) -> Result<Self, SearchError> {
        let ty = NameType::of(query.schema);
        let mut forms: Vec<NameForm> = Vec::new();
        for n in query.all_names() {
            budget.check()?;
            for v in name_variants(&n) {
                let f = NameForm::new(&v, ty);
                if !f.tokens.is_empty() {
                    work.tokens += f.tokens.len();
                    forms.push(f);
                }
            }
        }
        work.names = forms.len();
        let mut keys = Vec::new();
        for f in &forms {
            index::name_keys(f, &mut keys, index::Side::Query);
        }
        keys.sort_by_key(|k| k.0);
        keys.dedup_by_key(|k| k.0);
        work.keys = keys.len();
        Ok(QueryAnalysis {
            query,
            ty,
            quals: QueryQuals::of(query),
            forms,
            keys,
        })
    }

    /// The rules of the pair: the query's schema, or the list entry's when
    /// the query's says nothing.
    fn pair_type(&self, entity_type: NameType) -> NameType {
        if self.ty == NameType::Any {
            entity_type
        } else {
            self.ty
        }
    }
}

/// Run one search.
pub(crate) fn run(
    inner: &Inner,
    q: &Query,
    opts: &MatchOptions,
    budget: &Budget<'_>,
) -> Result<SearchOutcome, SearchError> {
    let mut work = Work::default();
    let query = QueryAnalysis::new(q, budget, &mut work)?;
    budget.check()?;
    let ranked = candidate_names(inner, &query, opts, budget, &mut work)?;
    let id_entities = identifier_entities(inner, &query, opts);
    let best = best_names(inner, &query, &ranked, &id_entities, budget, &mut work)?;
    let scored = qualify(inner, &query, best, opts);
    let results = report(inner, &query, scored, opts, &mut work);
    Ok(SearchOutcome { results, work })
}

#[derive(Default)]
struct Scratch {
    /// Support per list name (zero when not found).
    acc: Vec<f32>,
    /// Names found so far (their `acc` is reset after the search).
    touched: Vec<u32>,
    /// Once no new name can be among those scored: the found names that
    /// still can.
    live: Vec<u32>,
    /// `live` as a bitset over names (a few hundred KB, cache-resident where
    /// `acc` is not): long postings are walked against it.
    live_mark: Vec<u64>,
    supports: Vec<f32>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

fn is_live(mark: &[u64], ni: u32) -> bool {
    mark[(ni / 64) as usize] & (1u64 << (ni % 64)) != 0
}

fn set_live(mark: &mut [u64], ni: u32, on: bool) {
    let word = &mut mark[(ni / 64) as usize];
    if on {
        *word |= 1u64 << (ni % 64);
    } else {
        *word &= !(1u64 << (ni % 64));
    }
}

/// Stage 1: the list names with the most key support (IDF-weighted), at
/// most [`MAX_SCORED_NAMES`], with their support.
fn candidate_names(
    inner: &Inner,
    query: &QueryAnalysis<'_>,
    opts: &MatchOptions,
    budget: &Budget<'_>,
    work: &mut Work,
) -> Result<Vec<(u32, f32)>, SearchError> {
    let q = query.query;
    // Rarest keys first; a very common key (`kim`, `trading`) is only
    // followed when nothing rarer was found.
    let mut lists: Vec<(&[u32], f32)> = query
        .keys
        .iter()
        .map(|(k, strength)| (inner.postings.get(*k), *strength))
        .collect();
    lists.sort_by_key(|l| l.0.len());
    let n_names = inner.names.len().max(1) as f32;
    let common_limit = (inner.names.len() / 20).max(600);
    let weights: Vec<f32> = lists
        .iter()
        .map(|(p, strength)| {
            if p.is_empty() {
                0.0
            } else {
                strength * (1.0 + n_names / p.len() as f32).ln()
            }
        })
        .collect();
    // What a name not found yet can still gather from the keys left.
    let mut remaining: Vec<f64> = vec![0.0; lists.len() + 1];
    for i in (0..lists.len()).rev() {
        remaining[i] = remaining[i + 1] + f64::from(weights[i]);
    }
    let name_ok = |ni: u32| -> bool {
        inner.name_schema[ni as usize].can_match(q.schema)
            && opts.as_of.is_none_or(|d| {
                inner.entities[inner.name_entity[ni as usize] as usize].listed_by(d)
            })
    };
    let check_budget = !budget.is_unbounded();
    let ranked = SCRATCH.with(|cell| -> Result<Vec<(u32, f32)>, SearchError> {
        let mut scratch = cell.borrow_mut();
        let Scratch {
            acc,
            touched,
            live,
            live_mark,
            supports,
        } = &mut *scratch;
        if acc.len() < inner.names.len() {
            acc.resize(inner.names.len(), 0.0);
        }
        if live_mark.len() < inner.names.len() / 64 + 1 {
            live_mark.resize(inner.names.len() / 64 + 1, 0);
        }
        // Best support so far among names that pass the filter.
        let mut top = 0.0f32;
        // Once the keys left cannot lift a new name to the support share
        // of the best, only names already found are updated: the others
        // would be dropped below anyway.
        let mut closed = false;
        let mut was_closed = false;
        let mut stopped = Ok(());
        for (i, (p, _)) in lists.iter().enumerate() {
            if check_budget && i % 64 == 63 {
                stopped = budget.check();
                if stopped.is_err() {
                    break;
                }
            }
            if p.is_empty() || (p.len() > common_limit && !touched.is_empty()) {
                continue;
            }
            let w = weights[i];
            let reachable = (remaining[i] * (1.0 + 1e-3)) as f32;
            if !closed && reachable < top * MIN_SUPPORT_SHARE {
                closed = true;
            }
            // Before a long list: when MAX_SCORED_NAMES names found already
            // have more support than a new name could still gather, new
            // names could not be among the names scored.
            if !closed && p.len() > 64 && touched.len() >= MAX_SCORED_NAMES {
                let ahead = touched
                    .iter()
                    .filter(|&&ni| acc[ni as usize] > reachable && name_ok(ni))
                    .take(MAX_SCORED_NAMES)
                    .count();
                closed = ahead >= MAX_SCORED_NAMES;
            }
            if closed && !was_closed {
                was_closed = true;
                live.clear();
                live.extend(touched.iter().copied().filter(|&ni| name_ok(ni)));
                for &ni in live.iter() {
                    set_live(live_mark, ni, true);
                }
            }
            if closed {
                // A found name that cannot reach the support of the
                // MAX_SCORED_NAMES-th best even with every key left is
                // not followed any further (it would not be scored).
                if live.len() > 2 * MAX_SCORED_NAMES && p.len() > live.len() {
                    supports.clear();
                    supports.extend(live.iter().map(|&ni| acc[ni as usize]));
                    let (_, kth, _) = supports
                        .select_nth_unstable_by(MAX_SCORED_NAMES - 1, |a, b| b.total_cmp(a));
                    let kth = *kth;
                    live.retain(|&ni| {
                        let keep = acc[ni as usize] + reachable >= kth;
                        if !keep {
                            set_live(live_mark, ni, false);
                        }
                        keep
                    });
                }
                // Few names left and a long list: look each one up.
                if live.len() * (p.len().ilog2() as usize + 2) < p.len() {
                    work.postings += live.len();
                    for &ni in live.iter() {
                        if p.binary_search(&ni).is_ok() {
                            acc[ni as usize] += w;
                        }
                    }
                } else {
                    work.postings += p.len();
                    for &ni in p.iter() {
                        if is_live(live_mark, ni) {
                            acc[ni as usize] += w;
                        }
                    }
                }
                continue;
            }
            work.postings += p.len();
            for &ni in p.iter() {
                let slot = &mut acc[ni as usize];
                if *slot == 0.0 {
                    touched.push(ni);
                }
                *slot += w;
                if *slot > top && name_ok(ni) {
                    top = *slot;
                }
            }
        }
        let mut ranked: Vec<(u32, f32)>;
        if was_closed {
            ranked = live.iter().map(|&ni| (ni, acc[ni as usize])).collect();
            for &ni in live.iter() {
                set_live(live_mark, ni, false);
            }
        } else {
            ranked = Vec::with_capacity(touched.len());
            for &ni in touched.iter() {
                if name_ok(ni) {
                    ranked.push((ni, acc[ni as usize]));
                }
            }
        }
        // Reset the scratch even when the budget ran out.
        for &ni in touched.iter() {
            acc[ni as usize] = 0.0;
        }
        touched.clear();
        stopped.map(|()| ranked)
    })?;
    let mut ranked = ranked;
    // Names supported by a small part of the best support only share a
    // common word; they cannot reach the cutoff.
    let top = ranked.iter().map(|r| r.1).fold(0.0f32, f32::max);
    ranked.retain(|r| r.1 >= top * MIN_SUPPORT_SHARE);
    let by_support = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if ranked.len() > MAX_SCORED_NAMES {
        ranked.select_nth_unstable_by(MAX_SCORED_NAMES, by_support);
        ranked.truncate(MAX_SCORED_NAMES);
    }
    Ok(ranked)
}

/// Entities found by an identifier are candidates whatever their names.
fn identifier_entities(inner: &Inner, query: &QueryAnalysis<'_>, opts: &MatchOptions) -> Vec<u32> {
    let q = query.query;
    let mut out: Vec<u32> = query
        .quals
        .ids
        .iter()
        .filter_map(|k| inner.ids.get(k))
        .flatten()
        .copied()
        .filter(|&ei| {
            let e = &inner.entities[ei as usize];
            e.schema.can_match(q.schema) && opts.as_of.is_none_or(|d| e.listed_by(d))
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// An entity's best name: score (after the weak-alias factor), comparison,
/// query form and list name.
struct BestName {
    entity: u32,
    score: f64,
    cmp: NameComparison,
    form: usize,
    name: usize,
}

/// Stage 2: score every candidate name against every query form exactly;
/// keep the best name per entity. The budget is checked between candidates.
fn best_names(
    inner: &Inner,
    query: &QueryAnalysis<'_>,
    ranked: &[(u32, f32)],
    id_entities: &[u32],
    budget: &Budget<'_>,
    work: &mut Work,
) -> Result<Vec<BestName>, SearchError> {
    // Best name per entity (a few dozen entities: a vector beats a hash map).
    let mut best: Vec<BestName> = Vec::new();
    let consider = |ni: usize, best: &mut Vec<BestName>, work: &mut Work| {
        let n = &inner.names[ni];
        let ty = query.pair_type(NameType::of(inner.name_schema[ni]));
        work.names_scored += 1;
        for (fi, f) in query.forms.iter().enumerate() {
            let c = names::compare(f, &n.form, ty, false);
            work.token_pairs += c.work;
            let s = if n.weak {
                c.score * WEAK_ALIAS_FACTOR
            } else {
                c.score
            };
            // Ties go to the earlier name (the primary name comes first).
            match best.iter_mut().find(|b| b.entity == n.entity) {
                None => best.push(BestName {
                    entity: n.entity,
                    score: s,
                    cmp: c,
                    form: fi,
                    name: ni,
                }),
                Some(b) => {
                    if s > b.score || (s == b.score && (fi, ni) < (b.form, b.name)) {
                        *b = BestName {
                            entity: n.entity,
                            score: s,
                            cmp: c,
                            form: fi,
                            name: ni,
                        };
                    }
                }
            }
        }
    };
    // The candidates' analysed names lie all over the heap: touching
    // their tokens in one pass lets the memory loads overlap instead of
    // waiting for each one during scoring.
    let touch: u64 = ranked
        .iter()
        .flat_map(|(ni, _)| inner.names[*ni as usize].form.tokens.iter())
        .fold(0, |x, t| {
            x ^ t.text_hash ^ u64::from(t.text.as_bytes().last().copied().unwrap_or(0))
        });
    std::hint::black_box(touch);
    let check_budget = !budget.is_unbounded();
    for (ni, _) in ranked {
        if check_budget {
            budget.check()?;
        }
        consider(*ni as usize, &mut best, work);
    }
    for ei in id_entities {
        if !best.iter().any(|b| b.entity == *ei) {
            // Names are stored entity by entity.
            let first = inner.name_entity.partition_point(|e| e < ei);
            let end = inner.name_entity.partition_point(|e| e <= ei);
            for ni in first..end {
                if check_budget {
                    budget.check()?;
                }
                consider(ni, &mut best, work);
            }
        }
    }
    Ok(best)
}

/// A scored entity, before its result record is built.
struct Scored {
    ei: u32,
    form: usize,
    name: usize,
    score: f64,
    /// Name score after the weak-alias factor, and before it.
    name_score: f64,
    cmp_score: f64,
    method: Method,
}

/// Stage 3: qualifiers (an equal identifier decides on its own), cutoff,
/// order (score, then entity id), limit.
fn qualify(
    inner: &Inner,
    query: &QueryAnalysis<'_>,
    best: Vec<BestName>,
    opts: &MatchOptions,
) -> Vec<Scored> {
    let quals = &query.quals;
    let mut scored: Vec<Scored> = Vec::new();
    for b in best {
        let name_score = b.score;
        let mut score = name_score;
        let mut method = b.cmp.method;
        if name_score > 0.0 || !quals.ids.is_empty() {
            let (delta, id_hit) = qualifiers::apply(quals, &inner.quals[b.entity as usize], None);
            if id_hit.is_some() {
                // An equal passport, IMO or BIC is strong evidence on its own.
                score = crate::identifier_score(name_score).max(score);
                method = Method::Identifier;
            } else if name_score > 0.0 {
                score += delta;
            }
        }
        let score = round3(score.clamp(0.0, 1.0));
        if score < opts.cutoff || score <= 0.0 {
            continue;
        }
        scored.push(Scored {
            ei: b.entity,
            form: b.form,
            name: b.name,
            score,
            name_score,
            cmp_score: b.cmp.score,
            method,
        });
    }
    let entity_id = |s: &Scored| inner.entities[s.ei as usize].id.as_str();
    scored.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| entity_id(a).cmp(entity_id(b)))
    });
    scored.truncate(opts.limit);
    scored
}

/// Stage 4: result records with their explanations (token alignment,
/// readings, qualifier effects), only for what is reported.
fn report(
    inner: &Inner,
    query: &QueryAnalysis<'_>,
    scored: Vec<Scored>,
    opts: &MatchOptions,
    work: &mut Work,
) -> Vec<MatchResult> {
    let quals = &query.quals;
    scored
        .into_iter()
        .map(|s| {
            let e = &inner.entities[s.ei as usize];
            let n = &inner.names[s.name];
            // The effects behind the score, now with their wording.
            let mut effects = Vec::new();
            if n.weak {
                effects.push(QualifierEffect {
                    feature: "weak_alias".into(),
                    effect: round3(s.name_score - s.cmp_score),
                    detail: "matched a low-quality alias".into(),
                });
            }
            if s.name_score > 0.0 || !quals.ids.is_empty() {
                let (_, id_hit) =
                    qualifiers::apply(quals, &inner.quals[s.ei as usize], Some(&mut effects));
                if id_hit.is_some() {
                    let raised = crate::identifier_score(s.name_score);
                    if let Some(x) = effects.iter_mut().find(|x| x.feature == "identifier") {
                        x.effect = round3(raised - s.name_score.max(0.0));
                    }
                }
            }
            let ty = query.pair_type(NameType::of(e.schema));
            let explained = names::compare(&query.forms[s.form], &n.form, ty, true);
            work.token_pairs += explained.work;
            MatchResult {
                id: e.id.clone(),
                reference: e.reference.clone(),
                caption: e.caption.clone(),
                schema: e.schema,
                score: s.score,
                is_match: s.score >= opts.threshold,
                explanation: Explanation {
                    query_name: query.forms[s.form].original.clone(),
                    matched_name: n.form.original.clone(),
                    name_kind: Some(crate::kind_str(n.kind, n.weak).to_string()),
                    method: s.method.as_str().to_string(),
                    name_score: round3(s.cmp_score),
                    alignment: explained.alignment,
                    notes: explained.notes,
                    qualifiers: effects,
                    score: s.score,
                },
            }
        })
        .collect()
}
