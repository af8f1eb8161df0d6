//! Vessel risk: what a transaction's vessel *did*, from its AIS, in a window before the
//! transaction date — and the resolution paragraph each kind of conduct engages.
//!
//! A transaction's vessel (`vessel` transactions, or the vessel of a goods declaration) is
//! found in a [`VesselStore`] by its declared IMO number and MMSI ([`observe`]). What the AIS
//! shows is then turned into findings by one table, [`CONDUCT_RULES`]:
//!
//! | signal | when | measure cited | effect |
//! |---|---|---|---|
//! | [`Signal::DprkPortCall`] | a port visit at a DPRK port of the World Port Index in the window | `dprk/2270/18/cargo-inspection` | review |
//! | [`Signal::EncounterDprkFlagged`] | an encounter (GFW definition) with a vessel whose MMSI carries the DPRK's MID (445), or that a list entry it matches gives the DPRK flag | `dprk/2375/11/ship-to-ship` (in force at the encounter) | review |
//! | [`Signal::EncounterDesignated`] | an encounter with a vessel the UN list designates (its IMO, MMSI or name) | `dprk/2321/12/designated-vessels` | review |
//! | [`Signal::EncounterListed`] | an encounter with a vessel only a national list (OFAC) names | none: a national listing | review |
//! | [`Signal::SuspectedTransfer`] | any encounter of the two kinds above (once per screening) | `dprk/2397/9/seize-inspect-freeze` | review |
//! | [`Signal::DarkNearDprk`] | an AIS gap during which a DPRK port could have been called at (below) | `dprk/2270/18/cargo-inspection` | review |
//! | [`Signal::DprkFlag`] | the DPRK flag — declared, or an MMSI with MID 445 broadcast in the window — on a goods declaration, a port entry or a ship-to-ship transfer | `dprk/2270/18/cargo-inspection` | review |
//! | [`Signal::IdentityMismatch`] | the declared name, MMSI, IMO or flag differs from what the vessel broadcast in the window | none: a risk indicator | review |
//!
//! Why these paragraphs (each checked against `regime/dprk/*.toml` and the passages in the
//! project's reference texts): 2270 para 18 obliges States to inspect cargo "that has
//! originated in the DPRK … or that is being transported on DPRK flagged … maritime vessels"
//! (verbatim copy, verified) — a call at a DPRK port, or a dark period in which one could
//! have been made, puts DPRK-origin cargo in question; 2321 para 12 makes a designated vessel
//! subject to the asset freeze (verified); the ship-to-ship ban of 2375 (para 11) and the
//! seizure of vessels involved in prohibited activities of 2397 (para 9) are *not* verified
//! against the resolution texts: those findings say so. AIS conduct is evidence, not proof,
//! so every conduct finding is `review`; a vessel the lists designate is prohibited through
//! the asset freeze, as before (its IMO, MMSI and every name it broadcast are screened, see
//! [`identity_queries`]).
//!
//! **Window.** Events that overlap the [`ConductParams::window_days`] days before the
//! transaction date (default [`DEFAULT_WINDOW_DAYS`] = 180, through the end of that date, UTC)
//! count; a call at Nampo 200 days before is outside it.
//!
//! **Dark period near the DPRK.** A gap event (≥ 6 h, `resolute_maritime::params::GapParams`)
//! is one when some DPRK port could have been visited during it: the detour start → port →
//! end at [`ConductParams::dark_transit_speed_knots`] (default 12 kn, a laden bulk carrier's
//! or tanker's service speed) leaves at least [`ConductParams::dark_min_port_hours`] (default
//! 2 h) in port — the feasibility reading of a gap (Peters & Hammond 2011), Resolute's own
//! parameters. Gaps GFW would not trust (near the coast, no coverage) are reported with
//! their class; gaps longer than [`ConductParams::dark_max_hours`] (default 30 days) are
//! holes in the data, not a vessel going dark (a ship absent from the input for years could
//! have reached any port).
//!
//! With no vessel store attached, only [`Signal::DprkFlag`] on the declared flag can apply,
//! and screening does no AIS work at all.

use chrono::{NaiveDate, NaiveTime};
use resolute_maritime::events::{Details, Event, EventKind, VesselRef};
use resolute_maritime::geo::{LatLon, METRES_PER_NM, distance_m};
use resolute_maritime::places::{Flags, Port, PortIndex};
use resolute_maritime::store::DatedIdentity;
use resolute_maritime::{VesselKey, VesselStore};
use resolute_model::{Schema, Source};
use resolute_regime::query::DPRK;
use resolute_regime::{Action, Effect, Regime};
use serde::{Deserialize, Serialize};

use crate::engine::{Finding, ScreenedParty};
use crate::parties::{ListHit, PartyScreener};
use crate::tx::{Transaction, TxKind};

/// Days before the transaction date whose AIS events count.
pub const DEFAULT_WINDOW_DAYS: u32 = 180;

/// The parameters of vessel-conduct screening (documented defaults, every one overridable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConductParams {
    /// Events overlapping this many days before the transaction date count.
    pub window_days: u32,
    /// Speed at which a DPRK port is tested as reachable during a gap, knots.
    pub dark_transit_speed_knots: f64,
    /// Time in port such a call needs at least, hours.
    pub dark_min_port_hours: f64,
    /// Gaps longer than this, hours, are holes in the data (a vessel absent from the input
    /// for months or years), not a vessel going dark.
    pub dark_max_hours: f64,
    /// Events quoted in one finding (the most recent); the summary counts all.
    pub max_events_per_finding: usize,
}

impl Default for ConductParams {
    fn default() -> Self {
        ConductParams {
            window_days: DEFAULT_WINDOW_DAYS,
            dark_transit_speed_knots: 12.0,
            dark_min_port_hours: 2.0,
            dark_max_hours: 30.0 * 24.0,
            max_events_per_finding: 5,
        }
    }
}

/// A kind of vessel conduct that makes a finding (see the module table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    DprkPortCall,
    EncounterDprkFlagged,
    EncounterDesignated,
    EncounterListed,
    SuspectedTransfer,
    DarkNearDprk,
    DprkFlag,
    IdentityMismatch,
}

impl Signal {
    /// The stable id of a finding that cites no measure (`maritime/<signal>`).
    pub fn id(self) -> &'static str {
        match self {
            Signal::DprkPortCall => "maritime/dprk-port-call",
            Signal::EncounterDprkFlagged => "maritime/encounter-dprk-flagged",
            Signal::EncounterDesignated => "maritime/encounter-designated",
            Signal::EncounterListed => "maritime/encounter-listed",
            Signal::SuspectedTransfer => "maritime/suspected-transfer",
            Signal::DarkNearDprk => "maritime/dark-near-dprk",
            Signal::DprkFlag => "maritime/dprk-flag",
            Signal::IdentityMismatch => "maritime/identity-mismatch",
        }
    }
}

/// One row of the conduct table: a signal, the measure it engages and why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConductRule {
    pub signal: Signal,
    /// The regime measure the finding cites; `None`: no resolution paragraph applies (a
    /// national listing, a risk indicator) and the finding says so.
    pub measure: Option<&'static str>,
    pub effect: Effect,
    /// The measure bans the conduct itself, so it must have been in force when the event
    /// began (not only on the transaction date).
    pub conduct_banned: bool,
    /// What the finding adds after the evidence: why the measure applies.
    pub why: &'static str,
}

/// Vessel conduct → findings: the one place this mapping lives.
pub const CONDUCT_RULES: &[ConductRule] = &[
    ConductRule {
        signal: Signal::DprkPortCall,
        measure: Some("dprk/2270/18/cargo-inspection"),
        effect: Effect::Review,
        conduct_banned: false,
        why: "Cargo loaded there may have originated in the DPRK: States shall inspect cargo that has originated in the DPRK.",
    },
    ConductRule {
        signal: Signal::EncounterDprkFlagged,
        measure: Some("dprk/2375/11/ship-to-ship"),
        effect: Effect::Review,
        conduct_banned: true,
        why: "A meeting at sea with a DPRK-flagged vessel may have been a ship-to-ship transfer, which States shall prohibit.",
    },
    ConductRule {
        signal: Signal::EncounterDesignated,
        measure: Some("dprk/2321/12/designated-vessels"),
        effect: Effect::Review,
        conduct_banned: false,
        why: "A vessel designated by the Committee is subject to the asset freeze: a transfer with it at sea would be dealing with a frozen economic resource.",
    },
    ConductRule {
        signal: Signal::EncounterListed,
        measure: None,
        effect: Effect::Review,
        conduct_banned: false,
        why: "The other vessel is on a national list only (no UN designation): no resolution paragraph applies; the listing binds that list's persons.",
    },
    ConductRule {
        signal: Signal::SuspectedTransfer,
        measure: Some("dprk/2397/9/seize-inspect-freeze"),
        effect: Effect::Review,
        conduct_banned: true,
        why: "A vessel involved in prohibited activities in a State's ports or territorial waters shall be seized, inspected and frozen.",
    },
    ConductRule {
        signal: Signal::DarkNearDprk,
        measure: Some("dprk/2270/18/cargo-inspection"),
        effect: Effect::Review,
        conduct_banned: false,
        why: "The silence could hide a call at a DPRK port, so cargo aboard may have originated in the DPRK: States shall inspect such cargo.",
    },
    ConductRule {
        signal: Signal::DprkFlag,
        measure: Some("dprk/2270/18/cargo-inspection"),
        effect: Effect::Review,
        conduct_banned: false,
        why: "States shall inspect cargo that is being transported on DPRK-flagged vessels.",
    },
    ConductRule {
        signal: Signal::IdentityMismatch,
        measure: None,
        effect: Effect::Review,
        conduct_banned: false,
        why: "A risk indicator, not a resolution paragraph: the Panel of Experts documents renamed, re-flagged and identity-laundered vessels; compare the ship's documents.",
    },
];

/// The rule of a signal.
pub fn rule(signal: Signal) -> Option<&'static ConductRule> {
    CONDUCT_RULES.iter().find(|r| r.signal == signal)
}

/// What the AIS says about one transaction's vessel.
#[derive(Debug, Clone)]
pub struct VesselObservation {
    /// The declared identifiers that found tracks.
    pub keys: Vec<VesselKey>,
    /// [start, end] of the window, Unix seconds.
    pub window: (i64, i64),
    /// Every identity the vessel broadcast up to the end of the window, oldest first.
    pub identities: Vec<DatedIdentity>,
    /// The vessel's events overlapping the window, in start order, facing this vessel.
    pub events: Vec<Event>,
    /// MMSIs with the DPRK's MID (445) the vessel broadcast in the window: (MMSI, first, last).
    pub dprk_mmsis: Vec<(u32, i64, i64)>,
}

impl VesselObservation {
    /// The vessel broadcast a DPRK MMSI in the window.
    pub fn dprk_flag(&self) -> bool {
        !self.dprk_mmsis.is_empty()
    }
}

/// The window before `date`: from midnight `window_days` days before to the end of `date`, UTC.
pub fn window(date: NaiveDate, window_days: u32) -> (i64, i64) {
    let midnight = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc().timestamp();
    let end = midnight(date) + 86_400 - 1;
    (midnight(date) - i64::from(window_days) * 86_400, end)
}

/// Digits of a declared MMSI (nine), for the `vessel.mmsi` field; the error says what is
/// wrong with it.
pub fn parse_mmsi(value: &Option<serde_json::Value>) -> Result<Option<String>, String> {
    let text = match value {
        None | Some(serde_json::Value::Null) => return Ok(None),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => return Ok(None),
        Some(serde_json::Value::String(s)) => s.trim().to_string(),
        Some(other) => return Err(format!("{other} is not an MMSI")),
    };
    if text.len() == 9 && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Some(text))
    } else {
        Err(format!("{text:?} is not a 9-digit MMSI"))
    }
}

fn declared_keys(tx: &Transaction) -> Vec<VesselKey> {
    let Some(v) = &tx.vessel else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    if let Some(imo) = v.imo.as_deref().and_then(|i| i.parse().ok()) {
        keys.push(VesselKey::Imo(imo));
    }
    if let Some(mmsi) = v.mmsi.as_deref().and_then(|m| m.parse().ok()) {
        keys.push(VesselKey::Mmsi(mmsi));
    }
    keys
}

/// Look the transaction's vessel up in `store` by its declared IMO number and MMSI; `None`
/// when it declares neither or the store has no track for them.
pub fn observe(
    store: &VesselStore,
    tx: &Transaction,
    params: &ConductParams,
) -> Option<VesselObservation> {
    let keys: Vec<VesselKey> = declared_keys(tx)
        .into_iter()
        .filter(|k| !store.tracks_of(*k).is_empty())
        .collect();
    if keys.is_empty() {
        return None;
    }
    let (from, to) = window(tx.date, params.window_days);
    let mut identities: Vec<DatedIdentity> = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    let mut tracks: Vec<u32> = Vec::new();
    for key in &keys {
        tracks.extend_from_slice(store.tracks_of(*key));
        if let Some(history) = store.vessel(*key) {
            identities.extend(history.identities.into_iter().filter(|i| i.from <= to));
        }
        events.extend(store.events(*key, from, to));
    }
    tracks.sort_unstable();
    tracks.dedup();
    identities.sort_by_key(|i| (i.from, i.track));
    identities.dedup();
    events.sort_by_key(|e| (e.start, e.vessel.track));
    events.dedup_by(|a, b| {
        a.kind == b.kind
            && a.start == b.start
            && a.end == b.end
            && a.vessel.track == b.vessel.track
            && a.other.as_ref().map(|o| o.track) == b.other.as_ref().map(|o| o.track)
    });
    let mut dprk_mmsis = Vec::new();
    if let Ok(flags) = Flags::bundled() {
        for t in tracks.iter().filter_map(|&t| store.track(t)) {
            let (start, end) = (t.start().max(from), t.end().min(to));
            if start <= end && flags.of_mmsi(t.mmsi).is_some_and(|f| f.is_dprk()) {
                dprk_mmsis.push((t.mmsi, start, end));
            }
        }
    }
    Some(VesselObservation {
        keys,
        window: (from, to),
        identities,
        events,
        dprk_mmsis,
    })
}

/// Where a vessel identifier to screen comes from.
pub const AIS_ROLE: &str = "vessel (AIS)";

/// The vessel identifiers to screen against the lists beyond the declared IMO number and
/// name (which the engine screens): the declared MMSI, and every IMO number, MMSI and name
/// the vessel broadcast up to the end of the window (its former names included) that differs
/// from what was declared. Each comes with its role (`vessel`, or [`AIS_ROLE`]).
pub fn identity_queries(
    tx: &Transaction,
    ais: Option<&VesselObservation>,
) -> Vec<(&'static str, ScreenedParty)> {
    let Some(v) = &tx.vessel else {
        return Vec::new();
    };
    let party = |by: &'static str, value: String, country: Option<String>| ScreenedParty {
        schema: Some(Schema::Vessel),
        by,
        value,
        country,
    };
    let mut out = Vec::new();
    if let Some(mmsi) = &v.mmsi {
        out.push(("vessel", party("mmsi", mmsi.clone(), None)));
    }
    let Some(ais) = ais else {
        return out;
    };
    let declared_name = v.name.as_deref().map(name_key);
    let mut seen: Vec<(&'static str, String)> = Vec::new();
    for d in &ais.identities {
        let id = &d.identity;
        let mut add = |by: &'static str, value: String, declared: bool, country: Option<String>| {
            if !declared && !seen.iter().any(|(b, x)| *b == by && *x == value) {
                seen.push((by, value.clone()));
                out.push((AIS_ROLE, party(by, value, country)));
            }
        };
        if let Some(imo) = id.imo {
            let text = format!("{imo:07}");
            add(
                "imo",
                text.clone(),
                v.imo.as_deref() == Some(text.as_str()),
                None,
            );
        }
        let mmsi = id.mmsi.to_string();
        add(
            "mmsi",
            mmsi.clone(),
            v.mmsi.as_deref() == Some(mmsi.as_str()),
            None,
        );
        if let Some(name) = &id.name {
            let flag = id
                .flag
                .as_ref()
                .and_then(|f| f.country.as_ref())
                .map(|c| c.to_string());
            add(
                "name",
                name.to_string(),
                declared_name.as_deref() == Some(name_key(name).as_str()),
                flag,
            );
        }
    }
    out
}

/// Upper-case letters and digits only, for comparing vessel names.
fn name_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Everything the conduct findings are made from.
#[derive(Clone, Copy)]
pub struct ConductInput<'a> {
    pub regime: &'a Regime,
    pub parties: Option<&'a dyn PartyScreener>,
    pub tx: &'a Transaction,
    pub ais: Option<&'a VesselObservation>,
    pub params: &'a ConductParams,
}

impl std::fmt::Debug for ConductInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConductInput")
            .field("tx", &self.tx.id)
            .field("parties", &self.parties.is_some())
            .field("ais", &self.ais.is_some())
            .finish()
    }
}

/// One piece of evidence for a signal: the event (if any) and what it shows, in words.
struct Evidence {
    event: Option<Event>,
    /// When the conduct began (for measures that ban the conduct itself).
    at: i64,
    text: String,
}

/// Add the findings of the vessel's conduct (see the module table).
pub fn conduct_findings(input: &ConductInput<'_>, findings: &mut Vec<Finding>) {
    let tx = input.tx;
    let Some(vessel) = &tx.vessel else { return };
    let mut by_signal: Vec<(Signal, Vec<Evidence>)> = Vec::new();
    let mut push =
        |signal: Signal, evidence: Evidence| match by_signal.iter_mut().find(|(s, _)| *s == signal)
        {
            Some((_, list)) => list.push(evidence),
            None => by_signal.push((signal, vec![evidence])),
        };

    let carries_cargo = tx.kind == TxKind::Goods
        || matches!(
            tx.action,
            Some(Action::PortEntry) | Some(Action::ShipToShip)
        );
    if carries_cargo && vessel.flag.as_deref() == Some(DPRK) {
        push(
            Signal::DprkFlag,
            Evidence {
                event: None,
                at: window(tx.date, 0).0,
                text: format!(
                    "Vessel {} declared under the DPRK flag.",
                    declared_label(tx)
                ),
            },
        );
    }
    if let Some(ais) = input.ais {
        if carries_cargo && vessel.flag.as_deref() != Some(DPRK) {
            for &(mmsi, first, last) in &ais.dprk_mmsis {
                push(
                    Signal::DprkFlag,
                    Evidence {
                        event: None,
                        at: first,
                        text: format!(
                            "AIS: the vessel broadcast MMSI {mmsi} (MID 445: the DPRK flag) from {} to {}.",
                            when(first),
                            when(last)
                        ),
                    },
                );
            }
        }
        for e in &ais.events {
            for (signal, text) in event_signals(input, e) {
                push(
                    signal,
                    Evidence {
                        event: Some(e.clone()),
                        at: e.start,
                        text,
                    },
                );
            }
        }
        for text in identity_mismatches(tx, ais) {
            push(
                Signal::IdentityMismatch,
                Evidence {
                    event: None,
                    at: ais.window.0,
                    text,
                },
            );
        }
        // Any encounter that may have been a prohibited transfer engages the seizure rule once.
        let transfer: Option<Evidence> = by_signal
            .iter()
            .filter(|(s, _)| {
                matches!(
                    s,
                    Signal::EncounterDprkFlagged | Signal::EncounterDesignated
                )
            })
            .flat_map(|(_, list)| list.iter())
            .max_by_key(|e| e.at)
            .map(|e| Evidence {
                event: e.event.clone(),
                at: e.at,
                text: e.text.clone(),
            });
        if let Some(e) = transfer {
            by_signal.push((Signal::SuspectedTransfer, vec![e]));
        }
    }
    for (signal, evidence) in by_signal {
        if let Some(rule) = rule(signal) {
            findings.extend(finding_of(input, rule, evidence));
        }
    }
}

/// The finding of one rule over its evidence, `None` when its measure is not in force.
fn finding_of(
    input: &ConductInput<'_>,
    rule: &ConductRule,
    mut evidence: Vec<Evidence>,
) -> Option<Finding> {
    let measure = rule.measure.map(|id| (id, input.regime.measure(id)));
    if let Some((_, Some(m))) = measure {
        if !m.in_force(input.tx.date) {
            return None;
        }
        if rule.conduct_banned {
            evidence.retain(|e| {
                chrono::DateTime::from_timestamp(e.at, 0)
                    .is_some_and(|t| m.in_force(t.date_naive()))
            });
        }
    }
    if evidence.is_empty() {
        return None;
    }
    let total = evidence.len();
    // The most recent first: they weigh most for a transaction dated after them.
    evidence.sort_by_key(|e| std::cmp::Reverse(e.at));
    evidence.truncate(input.params.max_events_per_finding.max(1));
    let mut text: Vec<String> = evidence.iter().map(|e| e.text.clone()).collect();
    if total > evidence.len() {
        text.push(format!(
            "{} more of this kind in the window.",
            total - evidence.len()
        ));
    }
    let vessel_events: Vec<Event> = evidence.into_iter().filter_map(|e| e.event).collect();
    let evidence_text = text.join(" ");
    Some(match measure {
        Some((_, Some(m))) => {
            let unverified = if m.verified {
                ""
            } else {
                " Unverified: this paragraph was not checked against the resolution text (see the measure's source)."
            };
            Finding {
                rule: m.id.clone(),
                resolution: Some(m.resolution),
                paragraph: m.paragraph_label(),
                effect: rule.effect,
                summary: format!(
                    "{evidence_text} {} (resolution {} para {}: {}).{unverified}",
                    rule.why.trim_end_matches('.'),
                    m.resolution,
                    m.paragraph_label(),
                    m.title
                ),
                verified: m.verified,
                vessel_events,
                entity: None,
            }
        }
        Some((id, None)) => Finding {
            rule: rule.signal.id().to_string(),
            resolution: None,
            paragraph: String::new(),
            effect: rule.effect,
            summary: format!(
                "{evidence_text} {} (measure {id} is not in the regime data loaded, so no paragraph is cited).",
                rule.why
            ),
            verified: false,
            vessel_events,
            entity: None,
        },
        None => Finding {
            rule: rule.signal.id().to_string(),
            resolution: None,
            paragraph: String::new(),
            effect: rule.effect,
            summary: format!("{evidence_text} {}", rule.why),
            verified: false,
            vessel_events,
            entity: None,
        },
    })
}

/// The signals an event gives, each with its evidence in words.
fn event_signals(input: &ConductInput<'_>, e: &Event) -> Vec<(Signal, String)> {
    let tx_end = window(input.tx.date, 0).1;
    let ago = |t: i64| {
        let days = (tx_end - t).max(0) / 86_400;
        format!("{days} days before the transaction date")
    };
    match (e.kind, &e.details) {
        (EventKind::PortVisit, Details::PortVisit { distance_m, .. }) => {
            let Some(port) = e.port.as_ref().filter(|p| p.dprk) else {
                return Vec::new();
            };
            vec![(
                Signal::DprkPortCall,
                format!(
                    "AIS: {} called at {}, a DPRK port, from {} to {} (closest {:.1} km from the port's position, {}), {}.",
                    vessel_label(&e.vessel),
                    port_label(port),
                    when(e.start),
                    when(e.end),
                    distance_m / 1000.0,
                    position_label(e.position),
                    ago(e.end)
                ),
            )]
        }
        (
            EventKind::Encounter,
            Details::Encounter {
                median_distance_m, ..
            },
        ) => {
            let Some(other) = &e.other else {
                return Vec::new();
            };
            let met = format!(
                "AIS: {} met {} from {} to {} ({:.1} h, median {:.0} m apart, at {}), {}.",
                vessel_label(&e.vessel),
                vessel_label(other),
                when(e.start),
                when(e.end),
                (e.end - e.start) as f64 / 3600.0,
                median_distance_m,
                position_label(e.position),
                ago(e.end)
            );
            let mut out = Vec::new();
            let hits = other_vessel_hits(input, other);
            let listed_kp = input.parties.and_then(|p| {
                hits.iter()
                    .find(|h| p.vessel_flag(&h.entity_id).as_deref() == Some(DPRK))
            });
            if other.dprk_flag {
                out.push((
                    Signal::EncounterDprkFlagged,
                    format!(
                        "{met} The other vessel's MMSI {} carries the DPRK's MID 445.",
                        other.mmsi
                    ),
                ));
            } else if let Some(h) = listed_kp {
                out.push((
                    Signal::EncounterDprkFlagged,
                    format!(
                        "{met} The other vessel is {} {}, DPRK-flagged by the {} list.",
                        h.reference,
                        h.caption,
                        h.source.as_str()
                    ),
                ));
            }
            if let Some(h) = hits.iter().find(|h| h.source == Source::Un && h.is_dprk()) {
                out.push((
                    Signal::EncounterDesignated,
                    format!(
                        "{met} The other vessel is {} {} on the UN list (matched by {}).",
                        h.reference, h.caption, h.by
                    ),
                ));
            } else if let Some(h) = hits.first() {
                out.push((
                    Signal::EncounterListed,
                    format!(
                        "{met} The other vessel is {} {} ({} list, programs {}; matched by {}).",
                        h.reference,
                        h.caption,
                        h.source.as_str(),
                        h.programs.join(", "),
                        h.by
                    ),
                ));
            }
            out
        }
        (EventKind::Gap, Details::Gap { class, hours, .. }) => {
            let (Some(a), Some(b)) = (e.position, e.end_position) else {
                return Vec::new();
            };
            if *hours > input.params.dark_max_hours {
                return Vec::new();
            }
            match reachable_dprk_port(a, b, *hours, input.params) {
                Some((port, detour_m, spare_h)) => vec![(
                    Signal::DarkNearDprk,
                    format!(
                        "AIS: {} was silent for {:.1} h from {} at {} to {} at {} ({} gap), {}; {} could have been called at: {:.0} km by way of it, {:.1} h to spare at {} kn after {} h in port.",
                        vessel_label(&e.vessel),
                        hours,
                        when(e.start),
                        position_label(Some(a)),
                        when(e.end),
                        position_label(Some(b)),
                        serde_json::to_value(class)
                            .ok()
                            .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
                            .unwrap_or_default(),
                        ago(e.end),
                        port_label(port),
                        detour_m / 1000.0,
                        spare_h,
                        input.params.dark_transit_speed_knots,
                        input.params.dark_min_port_hours
                    ),
                )],
                None => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// The list entries the other vessel of an encounter matches: IMO and MMSI exactly, its
/// broadcast name by the name matcher (vessel entries only).
fn other_vessel_hits(input: &ConductInput<'_>, other: &VesselRef) -> Vec<ListHit> {
    let Some(screener) = input.parties else {
        return Vec::new();
    };
    let date = input.tx.date;
    let mut hits = Vec::new();
    if let Some(imo) = other.imo {
        hits.extend(screener.screen_imo(&format!("{imo:07}"), date));
    }
    hits.extend(screener.screen_mmsi(&other.mmsi.to_string(), date));
    if let Some(name) = &other.name {
        hits.extend(
            screener
                .screen_name(Schema::Vessel, name, None, date)
                .into_iter()
                .filter(|h| h.schema == Schema::Vessel),
        );
    }
    hits
}

/// The DPRK port that could have been called at during a gap from `a` to `b` of `hours`,
/// with the detour's length and the hours to spare (the most spare first).
fn reachable_dprk_port(
    a: LatLon,
    b: LatLon,
    hours: f64,
    params: &ConductParams,
) -> Option<(&'static Port, f64, f64)> {
    let ports = PortIndex::bundled().ok()?;
    let speed_m_per_h = params.dark_transit_speed_knots * METRES_PER_NM;
    if speed_m_per_h <= 0.0 {
        return None;
    }
    ports
        .ports()
        .iter()
        .filter(|p| p.dprk)
        .map(|p| {
            let detour = distance_m(a, p.position) + distance_m(p.position, b);
            let spare = hours - detour / speed_m_per_h - params.dark_min_port_hours;
            (p, detour, spare)
        })
        .filter(|(_, _, spare)| *spare >= 0.0)
        .max_by(|x, y| x.2.total_cmp(&y.2))
}

/// Declared identity against what the vessel broadcast in the window.
fn identity_mismatches(tx: &Transaction, ais: &VesselObservation) -> Vec<String> {
    let Some(v) = &tx.vessel else {
        return Vec::new();
    };
    let (from, to) = ais.window;
    let in_window: Vec<&DatedIdentity> = ais
        .identities
        .iter()
        .filter(|d| d.to >= from && d.from <= to)
        .collect();
    if in_window.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let spans = |values: Vec<(String, i64, i64)>| {
        let mut merged: Vec<(String, i64, i64)> = Vec::new();
        for (v, a, b) in values {
            match merged.iter_mut().find(|(x, _, _)| *x == v) {
                Some(m) => {
                    m.1 = m.1.min(a);
                    m.2 = m.2.max(b);
                }
                None => merged.push((v, a, b)),
            }
        }
        merged
            .iter()
            .map(|(v, a, b)| format!("{v} ({} to {})", when(*a), when(*b)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut check = |field: &str,
                     declared: Option<&str>,
                     broadcast: Vec<(String, i64, i64)>,
                     same: &dyn Fn(&str, &str) -> bool| {
        let Some(declared) = declared else { return };
        if broadcast.is_empty() || broadcast.iter().any(|(b, _, _)| same(declared, b)) {
            return;
        }
        out.push(format!(
            "AIS: the transaction declares {field} {declared}; in the window the vessel broadcast {field} {}.",
            spans(broadcast)
        ));
    };
    let names = in_window
        .iter()
        .filter_map(|d| Some((d.identity.name.as_ref()?.to_string(), d.from, d.to)))
        .collect();
    check("name", v.name.as_deref(), names, &|a, b| {
        name_key(a) == name_key(b)
    });
    let imos = in_window
        .iter()
        .filter_map(|d| Some((format!("{:07}", d.identity.imo?), d.from, d.to)))
        .collect();
    check("IMO", v.imo.as_deref(), imos, &|a, b| a == b);
    let mmsis = in_window
        .iter()
        .map(|d| (d.identity.mmsi.to_string(), d.from, d.to))
        .collect();
    check("MMSI", v.mmsi.as_deref(), mmsis, &|a, b| a == b);
    let flags = in_window
        .iter()
        .filter_map(|d| {
            let f = d.identity.flag.as_ref()?;
            Some((
                f.country
                    .as_deref()
                    .unwrap_or(f.allocated_to.as_str())
                    .to_string(),
                d.from,
                d.to,
            ))
        })
        .collect();
    check("flag", v.flag.as_deref(), flags, &|a, b| {
        a.eq_ignore_ascii_case(b)
    });
    out
}

fn when(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%d %H:%MZ").to_string())
        .unwrap_or_else(|| t.to_string())
}

fn position_label(p: Option<LatLon>) -> String {
    match p {
        Some(p) => format!(
            "{:.4}°{} {:.4}°{}",
            p.lat.abs(),
            if p.lat < 0.0 { 'S' } else { 'N' },
            p.lon.abs(),
            if p.lon < 0.0 { 'W' } else { 'E' }
        ),
        None => "no position".into(),
    }
}

fn port_label(p: &Port) -> String {
    if p.unlocode.is_empty() {
        format!("{} (WPI {})", p.name, p.wpi)
    } else {
        format!("{} ({}, WPI {})", p.name, p.unlocode, p.wpi)
    }
}

fn vessel_label(v: &VesselRef) -> String {
    let name = v.name.as_deref().unwrap_or("(no name broadcast)");
    let imo = v.imo.map(|i| format!("IMO {i:07}, ")).unwrap_or_default();
    let flag = v
        .flag
        .as_deref()
        .map(|f| format!(", flag {f} by MID"))
        .unwrap_or_default();
    format!("{name} ({imo}MMSI {}{flag})", v.mmsi)
}

fn declared_label(tx: &Transaction) -> String {
    let Some(v) = &tx.vessel else {
        return "(none declared)".into();
    };
    let name = v.name.clone().unwrap_or_else(|| "(unnamed)".into());
    let imo = v
        .imo
        .as_ref()
        .map(|i| format!(" IMO {i}"))
        .unwrap_or_default();
    let mmsi = v
        .mmsi
        .as_ref()
        .map(|m| format!(" MMSI {m}"))
        .unwrap_or_default();
    format!("{name}{imo}{mmsi}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_runs_to_the_end_of_the_transaction_date() {
        let date = NaiveDate::from_ymd_opt(2017, 10, 4).expect("date");
        let (from, to) = window(date, 180);
        assert_eq!(to - from + 1, 181 * 86_400);
        assert_eq!(when(to), "2017-10-04 23:59Z");
        assert_eq!(when(from), "2017-04-07 00:00Z");
    }

    #[test]
    fn mmsis_are_nine_digits() {
        assert_eq!(
            parse_mmsi(&Some(serde_json::json!(445_123_456))),
            Ok(Some("445123456".into()))
        );
        assert_eq!(parse_mmsi(&Some(serde_json::json!(" "))), Ok(None));
        assert!(parse_mmsi(&Some(serde_json::json!("4451234"))).is_err());
    }

    #[test]
    fn every_signal_has_one_rule() {
        for s in [
            Signal::DprkPortCall,
            Signal::EncounterDprkFlagged,
            Signal::EncounterDesignated,
            Signal::EncounterListed,
            Signal::SuspectedTransfer,
            Signal::DarkNearDprk,
            Signal::DprkFlag,
            Signal::IdentityMismatch,
        ] {
            assert_eq!(CONDUCT_RULES.iter().filter(|r| r.signal == s).count(), 1);
        }
    }
}
