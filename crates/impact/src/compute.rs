//! The value of DPRK trade the measures cover, and what each resolution cut.
//!
//! Rules (they decide the figures, so they are stated here once):
//! - The base year's flows stand in for a year of trade without sanctions.
//! - **Total**: if the input has all-commodity (TOTAL) rows for the
//!   direction, the total is their sum; otherwise it is the sum of the
//!   commodity rows. Coverage is computed on commodity rows only.
//! - A flow is **covered** at a date if a measure in force covers its HS code.
//!   A flow whose code is broader than a measure's scope (chapter 03 against
//!   heading 0302) is reported as partial coverage and not counted.
//! - A flow under a **ban** is prohibited outright. Under a **cap**, flows in
//!   the cap's scope share the cap in proportion to their value: each keeps
//!   `min(1, annual cap / value in scope)` of its value.
//! - What a resolution **newly cuts** is, for each flow it prohibits outright
//!   that was not prohibited outright the day before, the value the flow
//!   still had that day: all of it if it was free, the cap's share if it was
//!   capped (so 2371's coal ban cuts what 2321's coal cap allowed). A flow
//!   counts once: while it stays prohibited, later bans cut nothing more.
//! - What a resolution's caps take is reported apart (`cap_reduction_usd`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::measures::{Coverage, ImpactKind, MeasureView};
use crate::trade::{Commodity, DprkDirection, TradeFlow};

/// A value below this (in US$) is treated as zero when comparing states.
const EPSILON_USD: f64 = 0.5;

/// What to compute.
#[derive(Debug, Clone)]
pub struct ImpactOptions {
    /// Base year of the flows.
    pub year: i32,
    /// Date at which coverage is evaluated; also the end of the timeline.
    pub at: NaiveDate,
    /// Restrict the per-resolution, per-chapter and per-partner tables to
    /// the measures of one resolution.
    pub resolution: Option<u32>,
}

/// The state of one flow on one day.
#[derive(Debug, Clone, Copy, PartialEq)]
enum FlowState {
    Free,
    /// Prohibited outright by this measure (index).
    Banned(usize),
    /// Under this cap measure (index); value still allowed.
    Capped(usize, f64),
    /// Covered by a conditional measure only.
    Conditional(usize),
}

impl FlowState {
    fn allowed(&self, value: f64) -> f64 {
        match self {
            FlowState::Free | FlowState::Conditional(_) => value,
            FlowState::Banned(_) => 0.0,
            FlowState::Capped(_, allowed) => *allowed,
        }
    }
}

/// One measure's figures.
#[derive(Debug, Clone, Serialize)]
pub struct MeasureImpact {
    pub id: String,
    pub paragraph: String,
    pub title: String,
    pub kind: ImpactKind,
    pub hs: Vec<String>,
    pub effective: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends: Option<NaiveDate>,
    pub verified: bool,
    pub in_force_at_date: bool,
    /// Base-year value of the flows in the measure's scope.
    pub scope_usd: f64,
    /// Value in scope at the date if in force, else 0.
    pub covered_usd: f64,
    /// For caps in force: the annual cap at the date and the value it allows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap_annual_usd: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap_allowed_usd: Option<f64>,
    /// What this measure newly prohibited outright (see the module rules).
    pub newly_cut_usd: f64,
    /// What this cap took, net, over its life up to the date.
    pub cap_reduction_usd: f64,
}

/// One resolution's figures.
#[derive(Debug, Clone, Serialize)]
pub struct ResolutionImpact {
    pub resolution: u32,
    pub first_effective: NaiveDate,
    pub newly_cut_usd: f64,
    pub cap_reduction_usd: f64,
    /// Value of base-year flows that the resolution's measures in force at the date cover.
    pub covered_at_date_usd: f64,
    /// Share of the direction's total that it newly cut.
    pub newly_cut_share: f64,
    pub measures: Vec<MeasureImpact>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChapterImpact {
    pub chapter: String,
    /// HS 2017 chapter description (the base years in use predate HS 2022).
    pub description: String,
    pub value_usd: f64,
    pub covered_usd: f64,
    pub prohibited_usd: f64,
    pub cap_allowed_usd: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartnerImpact {
    /// ISO alpha-3 (`CHN`), `WLD` for an all-partner aggregate, or the name.
    pub partner: String,
    pub name: String,
    /// From the partner's all-commodity rows if any, else its commodity rows.
    pub total_usd: f64,
    pub covered_usd: f64,
    pub prohibited_usd: f64,
    pub share_covered: f64,
}

/// A flow only part of whose value a measure may cover.
#[derive(Debug, Clone, Serialize)]
pub struct PartialCoverage {
    pub origin: String,
    pub hs_code: String,
    pub value_usd: f64,
    pub measure: String,
}

/// The state of the base-year flows on a day on which a measure changed.
#[derive(Debug, Clone, Serialize)]
pub struct TimelinePoint {
    pub date: NaiveDate,
    /// Value removed (banned or above a cap), attributed to the resolution that removed it.
    pub removed_by_resolution: BTreeMap<u32, f64>,
    /// Value still allowed under caps.
    pub cap_allowed_usd: f64,
}

/// The figures for one direction (DPRK exports or imports).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectionImpact {
    pub direction: DprkDirection,
    pub total_usd: f64,
    /// `all-commodity rows` or `commodity rows`.
    pub total_basis: &'static str,
    /// Sum of commodity-level rows.
    pub commodity_rows_usd: f64,
    pub covered_usd: f64,
    pub prohibited_usd: f64,
    pub cap_allowed_usd: f64,
    pub share_covered: f64,
    pub share_prohibited: f64,
    pub newly_cut_usd: f64,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub by_resolution: Vec<ResolutionImpact>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub by_chapter: Vec<ChapterImpact>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub by_partner: Vec<PartnerImpact>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub timeline: Vec<TimelinePoint>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub partial_coverage: Vec<PartialCoverage>,
}

/// The whole report. DPRK exports (the revenue) are at the top level;
/// imports sit under `imports`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImpactReport {
    pub year: i32,
    pub at: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<u32>,
    #[serde(flatten)]
    pub exports: DirectionImpact,
    pub imports: DirectionImpact,
    /// Flows of the base year that involve the DPRK, after filtering.
    pub flows_used: usize,
}

// Sums fold from +0.0: `Iterator::sum` of no floats gives -0.0, which would print as such.
fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

/// Compute the impact of `measures` on the DPRK flows of `opts.year`.
pub fn compute_impact(
    flows: &[TradeFlow],
    measures: &[MeasureView],
    opts: &ImpactOptions,
) -> ImpactReport {
    let year_flows: Vec<&TradeFlow> = flows
        .iter()
        .filter(|f| f.year == opts.year && f.dprk_direction().is_some())
        .collect();
    let exports = compute_direction(&year_flows, measures, opts, DprkDirection::Exports);
    let imports = compute_direction(&year_flows, measures, opts, DprkDirection::Imports);
    ImpactReport {
        year: opts.year,
        at: opts.at,
        resolution: opts.resolution,
        exports,
        imports,
        flows_used: year_flows.len(),
    }
}

struct Engine<'a> {
    flows: Vec<&'a TradeFlow>,
    measures: Vec<&'a MeasureView>,
}

impl Engine<'_> {
    fn covers(&self, m: usize, f: usize) -> bool {
        self.flows[f]
            .commodity
            .code()
            .is_some_and(|c| self.measures[m].coverage(c) == Coverage::Full)
    }

    /// The state of every flow on `date`.
    fn states(&self, date: NaiveDate) -> Vec<FlowState> {
        let in_force: Vec<usize> = (0..self.measures.len())
            .filter(|&m| self.measures[m].in_force(date))
            .collect();
        let mut states: Vec<FlowState> = (0..self.flows.len())
            .map(|f| {
                let covering: Vec<usize> = in_force
                    .iter()
                    .copied()
                    .filter(|&m| self.covers(m, f))
                    .collect();
                // The newest ban is the one that holds the flow; ties by id for stable output.
                let newest = |kind: ImpactKind| {
                    covering
                        .iter()
                        .copied()
                        .filter(|&m| self.measures[m].kind == kind)
                        .max_by(|&a, &b| {
                            let (ma, mb) = (self.measures[a], self.measures[b]);
                            ma.effective
                                .cmp(&mb.effective)
                                .then_with(|| mb.id.cmp(&ma.id))
                        })
                };
                if let Some(m) = newest(ImpactKind::Ban) {
                    FlowState::Banned(m)
                } else if let Some(m) = newest(ImpactKind::Cap) {
                    FlowState::Capped(m, self.flows[f].value_usd)
                } else if let Some(m) = newest(ImpactKind::Conditional) {
                    FlowState::Conditional(m)
                } else {
                    FlowState::Free
                }
            })
            .collect();
        // Share each cap among the flows it holds.
        let mut in_scope: BTreeMap<usize, (f64, f64, bool)> = BTreeMap::new();
        for (f, s) in states.iter().enumerate() {
            if let FlowState::Capped(m, _) = s {
                let e = in_scope.entry(*m).or_insert((0.0, 0.0, true));
                e.0 += self.flows[f].value_usd;
                match tonnes(self.flows[f]) {
                    Some(t) => e.1 += t,
                    None => e.2 = false,
                }
            }
        }
        let factor: BTreeMap<usize, f64> = in_scope
            .iter()
            .map(|(&m, &(value, tonnes_total, all_have_tonnes))| {
                let window = self.measures[m].cap_window(date);
                let by_value = window
                    .and_then(|w| w.annual_value_usd())
                    .map(|cap| share(cap, value).min(1.0));
                let by_tonnes = window
                    .and_then(|w| w.annual_tonnes())
                    .filter(|_| all_have_tonnes && tonnes_total > 0.0)
                    .map(|cap| (cap / tonnes_total).min(1.0));
                // "whichever is lower"; a cap with no usable limit allows everything.
                let f = match (by_value, by_tonnes) {
                    (Some(a), Some(b)) => a.min(b),
                    (Some(a), None) | (None, Some(a)) => a,
                    (None, None) => 1.0,
                };
                (m, f)
            })
            .collect();
        for (f, s) in states.iter_mut().enumerate() {
            if let FlowState::Capped(m, allowed) = s {
                *allowed = self.flows[f].value_usd * factor.get(m).copied().unwrap_or(1.0);
            }
        }
        states
    }
}

fn tonnes(f: &TradeFlow) -> Option<f64> {
    let q = f.quantity?;
    match f.unit.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("kg") | Some("weight in kilograms") => Some(q / 1000.0),
        Some("t") | Some("tonnes") | Some("tons") | Some("metric tons") => Some(q),
        _ => None,
    }
}

/// A direction's base-year rows: the all-commodity totals apart from the
/// commodity rows that measures can cover.
struct DirectionRows<'a> {
    totals: Vec<&'a TradeFlow>,
    detail: Vec<&'a TradeFlow>,
    total_usd: f64,
    total_basis: &'static str,
    commodity_rows_usd: f64,
}

fn sum_usd<'a>(flows: impl IntoIterator<Item = &'a &'a TradeFlow>) -> f64 {
    flows
        .into_iter()
        .map(|f| f.value_usd)
        .fold(0.0, |acc, v| acc + v)
}

impl<'a> DirectionRows<'a> {
    fn split(year_flows: &[&'a TradeFlow], direction: DprkDirection) -> DirectionRows<'a> {
        let (totals, detail): (Vec<&TradeFlow>, Vec<&TradeFlow>) = year_flows
            .iter()
            .copied()
            .filter(|f| f.dprk_direction() == Some(direction))
            .partition(|f| f.commodity == Commodity::Total);
        let commodity_rows_usd = sum_usd(&detail);
        let (total_usd, total_basis) = if totals.is_empty() {
            (commodity_rows_usd, "commodity rows")
        } else {
            (sum_usd(&totals), "all-commodity rows")
        };
        DirectionRows {
            totals,
            detail,
            total_usd,
            total_basis,
            commodity_rows_usd,
        }
    }
}

/// The flows' states walked over every day on which a measure changed, up to the date.
struct TimelineWalk {
    /// Each flow's state on the date.
    at_states: Vec<FlowState>,
    /// Per measure: what it newly prohibited outright.
    newly_cut: Vec<f64>,
    /// Per measure (caps): what it took, net.
    cap_reduction: Vec<f64>,
    timeline: Vec<TimelinePoint>,
}

// Flows, states and attributions are parallel vectors indexed by flow.
#[allow(clippy::needless_range_loop)]
fn walk_timeline(engine: &Engine<'_>, at: NaiveDate) -> TimelineWalk {
    let n_flows = engine.flows.len();
    let n_measures = engine.measures.len();
    let mut days: BTreeSet<NaiveDate> = engine
        .measures
        .iter()
        .flat_map(|m| m.change_days())
        .filter(|d| *d <= at)
        .collect();
    days.insert(at);
    let mut prev: Vec<FlowState> = vec![FlowState::Free; n_flows];
    // Value removed from each flow, by resolution.
    let mut removed: Vec<BTreeMap<u32, f64>> = vec![BTreeMap::new(); n_flows];
    let mut newly_cut = vec![0.0; n_measures];
    let mut cap_reduction = vec![0.0; n_measures];
    let mut timeline = Vec::new();
    let mut current = prev.clone();
    for &day in &days {
        current = engine.states(day);
        for f in 0..n_flows {
            let value = engine.flows[f].value_usd;
            let before = prev[f].allowed(value);
            match (prev[f], current[f]) {
                (FlowState::Banned(_), FlowState::Banned(_)) => {}
                (_, FlowState::Banned(m)) => {
                    newly_cut[m] += before;
                    *removed[f].entry(engine.measures[m].resolution).or_default() += before;
                }
                (FlowState::Banned(_), now) => {
                    // A ban lapsed without a successor: start afresh.
                    removed[f].clear();
                    if let FlowState::Capped(m, allowed) = now {
                        cap_reduction[m] += value - allowed;
                        removed[f].insert(engine.measures[m].resolution, value - allowed);
                    }
                }
                (_, FlowState::Capped(m, allowed)) => {
                    let delta = before - allowed;
                    if delta.abs() > EPSILON_USD {
                        cap_reduction[m] += delta;
                        *removed[f].entry(engine.measures[m].resolution).or_default() += delta;
                    }
                }
                (FlowState::Capped(..), _) => removed[f].clear(),
                _ => {}
            }
        }
        let mut point = TimelinePoint {
            date: day,
            removed_by_resolution: BTreeMap::new(),
            cap_allowed_usd: 0.0,
        };
        for f in 0..n_flows {
            for (&r, &v) in &removed[f] {
                *point.removed_by_resolution.entry(r).or_default() += v;
            }
            if let FlowState::Capped(_, allowed) = current[f] {
                point.cap_allowed_usd += allowed;
            }
        }
        point
            .removed_by_resolution
            .retain(|_, v| v.abs() > EPSILON_USD);
        timeline.push(point);
        prev = current.clone();
    }
    TimelineWalk {
        at_states: current,
        newly_cut,
        cap_reduction,
        timeline,
    }
}

/// Which measures the tables are about (`--resolution`), and which flows they cover at the date.
struct Selection<'e, 'a> {
    engine: &'e Engine<'a>,
    opts: &'e ImpactOptions,
}

impl Selection<'_, '_> {
    fn measure(&self, m: usize) -> bool {
        self.opts
            .resolution
            .is_none_or(|r| self.engine.measures[m].resolution == r)
    }

    fn covers_flow(&self, f: usize) -> bool {
        (0..self.engine.measures.len()).any(|m| {
            self.measure(m)
                && self.engine.measures[m].in_force(self.opts.at)
                && self.engine.covers(m, f)
        })
    }
}

/// Covered, prohibited and cap-allowed totals, and the per-chapter table.
struct ChapterTable {
    covered_usd: f64,
    prohibited_usd: f64,
    cap_allowed_usd: f64,
    by_chapter: Vec<ChapterImpact>,
}

fn chapter_table(sel: &Selection<'_, '_>, at_states: &[FlowState]) -> ChapterTable {
    let (engine, opts) = (sel.engine, sel.opts);
    let mut table = ChapterTable {
        covered_usd: 0.0,
        prohibited_usd: 0.0,
        cap_allowed_usd: 0.0,
        by_chapter: Vec::new(),
    };
    let mut chapters: BTreeMap<String, ChapterImpact> = BTreeMap::new();
    for (f, flow) in engine.flows.iter().enumerate() {
        let Some(chapter) = flow.commodity.chapter() else {
            continue;
        };
        let entry = chapters
            .entry(chapter.to_string())
            .or_insert_with(|| ChapterImpact {
                chapter: chapter.to_string(),
                description: resolute_regime::nomenclature(resolute_regime::HsEdition::for_date(
                    NaiveDate::from_ymd_opt(opts.year, 7, 1).unwrap_or(opts.at),
                ))
                .get(chapter)
                .map(|e| e.description.clone())
                .unwrap_or_default(),
                value_usd: 0.0,
                covered_usd: 0.0,
                prohibited_usd: 0.0,
                cap_allowed_usd: 0.0,
            });
        entry.value_usd += flow.value_usd;
        if !sel.covers_flow(f) {
            continue;
        }
        table.covered_usd += flow.value_usd;
        entry.covered_usd += flow.value_usd;
        match at_states[f] {
            FlowState::Banned(_) => {
                table.prohibited_usd += flow.value_usd;
                entry.prohibited_usd += flow.value_usd;
            }
            FlowState::Capped(_, allowed) => {
                table.cap_allowed_usd += allowed;
                entry.cap_allowed_usd += allowed;
            }
            _ => {}
        }
    }
    table.by_chapter = chapters
        .into_values()
        .filter(|c| opts.resolution.is_none() || c.covered_usd > 0.0)
        .collect();
    table.by_chapter.sort_by(|a, b| {
        b.covered_usd
            .total_cmp(&a.covered_usd)
            .then(b.value_usd.total_cmp(&a.value_usd))
    });
    table
}

/// Partners: totals from their all-commodity rows, coverage from commodity rows.
fn partner_table(
    sel: &Selection<'_, '_>,
    totals: &[&TradeFlow],
    at_states: &[FlowState],
) -> Vec<PartnerImpact> {
    let mut partners: BTreeMap<String, PartnerImpact> = BTreeMap::new();
    let mut partner_has_total: BTreeSet<String> = BTreeSet::new();
    for flow in totals {
        partner_has_total.insert(flow.counterpart().to_string());
        partner_entry(&mut partners, flow).total_usd += flow.value_usd;
    }
    for (f, flow) in sel.engine.flows.iter().enumerate() {
        let has_total = partner_has_total.contains(flow.counterpart());
        let entry = partner_entry(&mut partners, flow);
        if !has_total {
            entry.total_usd += flow.value_usd;
        }
        if sel.covers_flow(f) {
            entry.covered_usd += flow.value_usd;
            if matches!(at_states[f], FlowState::Banned(_)) {
                entry.prohibited_usd += flow.value_usd;
            }
        }
    }
    let mut by_partner: Vec<PartnerImpact> = partners
        .into_values()
        .map(|mut p| {
            p.share_covered = share(p.covered_usd, p.total_usd);
            p
        })
        .filter(|p| sel.opts.resolution.is_none() || p.covered_usd > 0.0)
        .collect();
    by_partner.sort_by(|a, b| {
        b.covered_usd
            .total_cmp(&a.covered_usd)
            .then(b.total_usd.total_cmp(&a.total_usd))
            .then(a.partner.cmp(&b.partner))
    });
    by_partner
}

/// Per measure and per resolution (resolutions in order of number).
fn resolution_table(
    sel: &Selection<'_, '_>,
    walk: &TimelineWalk,
    total_usd: f64,
) -> Vec<ResolutionImpact> {
    let (engine, opts) = (sel.engine, sel.opts);
    let n_flows = engine.flows.len();
    let n_measures = engine.measures.len();
    let mut resolutions: BTreeMap<u32, ResolutionImpact> = BTreeMap::new();
    for m in 0..n_measures {
        let mv = engine.measures[m];
        if !sel.measure(m) || mv.effective > opts.at {
            continue;
        }
        let in_force = mv.in_force(opts.at);
        let scope_usd: f64 = (0..n_flows)
            .filter(|&f| engine.covers(m, f))
            .map(|f| engine.flows[f].value_usd)
            .fold(0.0, |acc, v| acc + v);
        let (cap_annual_usd, cap_allowed) = if mv.kind == ImpactKind::Cap && in_force {
            let allowed: f64 = walk
                .at_states
                .iter()
                .filter_map(|s| match *s {
                    FlowState::Capped(cm, a) if cm == m => Some(a),
                    _ => None,
                })
                .fold(0.0, |acc, v| acc + v);
            (
                mv.cap_window(opts.at).and_then(|w| w.annual_value_usd()),
                Some(allowed),
            )
        } else {
            (None, None)
        };
        let impact = MeasureImpact {
            id: mv.id.clone(),
            paragraph: mv.paragraph.clone(),
            title: mv.title.clone(),
            kind: mv.kind,
            hs: mv.hs_prefixes.clone(),
            effective: mv.effective,
            ends: mv.ends,
            verified: mv.verified,
            in_force_at_date: in_force,
            scope_usd,
            covered_usd: if in_force { scope_usd } else { 0.0 },
            cap_annual_usd,
            cap_allowed_usd: cap_allowed,
            newly_cut_usd: walk.newly_cut[m],
            cap_reduction_usd: walk.cap_reduction[m],
        };
        let entry = resolutions
            .entry(mv.resolution)
            .or_insert_with(|| ResolutionImpact {
                resolution: mv.resolution,
                first_effective: mv.effective,
                newly_cut_usd: 0.0,
                cap_reduction_usd: 0.0,
                covered_at_date_usd: 0.0,
                newly_cut_share: 0.0,
                measures: Vec::new(),
            });
        entry.first_effective = entry.first_effective.min(mv.effective);
        entry.newly_cut_usd += impact.newly_cut_usd;
        entry.cap_reduction_usd += impact.cap_reduction_usd;
        entry.measures.push(impact);
    }
    for (r, entry) in resolutions.iter_mut() {
        // Count each flow once even if several measures of the resolution cover it.
        entry.covered_at_date_usd = (0..n_flows)
            .filter(|&f| {
                (0..n_measures).any(|m| {
                    engine.measures[m].resolution == *r
                        && engine.measures[m].in_force(opts.at)
                        && engine.covers(m, f)
                })
            })
            .map(|f| engine.flows[f].value_usd)
            .fold(0.0, |acc, v| acc + v);
        entry.newly_cut_share = share(entry.newly_cut_usd, total_usd);
        entry
            .measures
            .sort_by(|a, b| a.effective.cmp(&b.effective).then(a.id.cmp(&b.id)));
    }
    resolutions.into_values().collect()
}

/// Flows a selected measure in force covers only in part (a broader code than its scope).
fn partial_coverage(sel: &Selection<'_, '_>) -> Vec<PartialCoverage> {
    let engine = sel.engine;
    let mut out = Vec::new();
    for (f, flow) in engine.flows.iter().enumerate() {
        let Some(code) = flow.commodity.code() else {
            continue;
        };
        if sel.covers_flow(f) {
            continue;
        }
        if let Some(m) = (0..engine.measures.len()).find(|&m| {
            sel.measure(m)
                && engine.measures[m].in_force(sel.opts.at)
                && engine.measures[m].coverage(code) == Coverage::Partial
        }) {
            out.push(PartialCoverage {
                origin: flow.origin.to_string(),
                hs_code: code.to_string(),
                value_usd: flow.value_usd,
                measure: engine.measures[m].id.clone(),
            });
        }
    }
    out
}

/// One direction's figures, in stages: split the rows, walk the timeline,
/// then the chapter, partner and resolution tables.
fn compute_direction(
    year_flows: &[&TradeFlow],
    all_measures: &[MeasureView],
    opts: &ImpactOptions,
    direction: DprkDirection,
) -> DirectionImpact {
    let rows = DirectionRows::split(year_flows, direction);
    let engine = Engine {
        flows: rows.detail.clone(),
        measures: all_measures
            .iter()
            .filter(|m| m.direction == direction)
            .collect(),
    };
    let walk = walk_timeline(&engine, opts.at);
    let sel = Selection {
        engine: &engine,
        opts,
    };
    let chapters = chapter_table(&sel, &walk.at_states);
    let by_partner = partner_table(&sel, &rows.totals, &walk.at_states);
    let by_resolution = resolution_table(&sel, &walk, rows.total_usd);
    let newly_cut_usd = by_resolution
        .iter()
        .map(|r| r.newly_cut_usd)
        .fold(0.0, |acc, v| acc + v);
    DirectionImpact {
        direction,
        total_usd: rows.total_usd,
        total_basis: rows.total_basis,
        commodity_rows_usd: rows.commodity_rows_usd,
        covered_usd: chapters.covered_usd,
        prohibited_usd: chapters.prohibited_usd,
        cap_allowed_usd: chapters.cap_allowed_usd,
        share_covered: share(chapters.covered_usd, rows.total_usd),
        share_prohibited: share(chapters.prohibited_usd, rows.total_usd),
        newly_cut_usd,
        by_resolution,
        by_chapter: chapters.by_chapter,
        by_partner,
        timeline: walk.timeline,
        partial_coverage: partial_coverage(&sel),
    }
}

fn partner_entry<'m>(
    partners: &'m mut BTreeMap<String, PartnerImpact>,
    flow: &TradeFlow,
) -> &'m mut PartnerImpact {
    let key = flow.counterpart().to_string();
    partners.entry(key.clone()).or_insert_with(|| {
        let name = if key == "WLD" {
            "all partners (aggregate)".to_string()
        } else if flow.counterpart() == flow.reporter {
            flow.reporter_name.clone()
        } else {
            resolute_model::country_by_code(&key)
                .map(|c| c.name.clone())
                .unwrap_or_else(|_| key.clone())
        };
        PartnerImpact {
            partner: key,
            name,
            total_usd: 0.0,
            covered_usd: 0.0,
            prohibited_usd: 0.0,
            share_covered: 0.0,
        }
    })
}
