//! `resolute regime …`: the DPRK regime as dated, cited rules.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use resolute_model::country_by_code;
use resolute_regime::query::limits_label;
use resolute_regime::{
    Applicability, Exception, GoodsContext, HsEdition, Measure, Regime, Verification, hs,
};
use serde_json::json;

#[derive(Debug, Args)]
pub struct RegimeSource {
    /// Load the regime from this directory (`regime/` or `regime/dprk/`) instead of the embedded copy.
    #[arg(long, global = true, value_name = "DIR")]
    pub regime_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum RegimeCmd {
    /// Every measure in force on a date.
    At {
        /// ISO date (YYYY-MM-DD).
        date: String,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        src: RegimeSource,
    },
    /// What came into force, changed or ended after DATE1 up to DATE2.
    Diff {
        date1: String,
        date2: String,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        src: RegimeSource,
    },
    /// The measures that bear on a good on a date, and why they apply or not.
    Explain {
        /// HS code (2–10 digits, dots allowed), validated in the edition in force on the date.
        #[arg(long)]
        hs: String,
        #[arg(long)]
        date: String,
        /// Country shipped from (ISO alpha-2).
        #[arg(long)]
        from: String,
        /// Country of destination (ISO alpha-2).
        #[arg(long)]
        to: String,
        /// Country of origin (ISO alpha-2); defaults to --from.
        #[arg(long)]
        origin: Option<String>,
        /// Flag of the carrying vessel (ISO alpha-2).
        #[arg(long)]
        flag: Option<String>,
        /// Declared value in USD (for value thresholds).
        #[arg(long)]
        value_usd: Option<f64>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        src: RegimeSource,
    },
    /// Validate the regime files and report which measures are verified against the text.
    Check {
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        src: RegimeSource,
    },
    /// The exceptions a transaction can claim (`exception_claims`): id, resolution,
    /// paragraph and what the claimant must show.
    Exceptions {
        /// Only those in force on this date and listed by a measure in force then.
        #[arg(long, value_name = "DATE")]
        at: Option<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        src: RegimeSource,
    },
    /// Show one measure (or exception) in full.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        src: RegimeSource,
    },
}

pub fn load_regime(dir: Option<&Path>) -> anyhow::Result<Regime> {
    Ok(match dir {
        Some(d) => Regime::from_dir(d)?,
        None => Regime::embedded().context("the embedded regime failed to load")?,
    })
}

pub fn parse_date(what: &str, s: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .with_context(|| format!("{what}: {s:?} is not an ISO date (YYYY-MM-DD)"))
}

fn country(what: &str, s: &str) -> anyhow::Result<String> {
    if s.trim().len() != 2 {
        bail!("{what}: {s:?} is not an ISO 3166-1 alpha-2 code");
    }
    Ok(country_by_code(s)
        .with_context(|| what.to_string())?
        .alpha2
        .clone())
}

pub fn run(c: RegimeCmd) -> anyhow::Result<ExitCode> {
    match c {
        RegimeCmd::At { date, json, src } => at(
            &load_regime(src.regime_dir.as_deref())?,
            parse_date("DATE", &date)?,
            json,
        ),
        RegimeCmd::Diff {
            date1,
            date2,
            json,
            src,
        } => {
            let (a, b) = (parse_date("DATE1", &date1)?, parse_date("DATE2", &date2)?);
            if b < a {
                bail!("DATE2 ({b}) is before DATE1 ({a})");
            }
            diff(&load_regime(src.regime_dir.as_deref())?, a, b, json)
        }
        RegimeCmd::Explain {
            hs,
            date,
            from,
            to,
            origin,
            flag,
            value_usd,
            json,
            src,
        } => {
            let regime = load_regime(src.regime_dir.as_deref())?;
            let date = parse_date("--date", &date)?;
            let from = country("--from", &from)?;
            let to = country("--to", &to)?;
            let origin = match origin {
                Some(o) => country("--origin", &o)?,
                None => from.clone(),
            };
            let flag = flag.map(|f| country("--flag", &f)).transpose()?;
            explain(
                &regime,
                &hs,
                date,
                &origin,
                &from,
                &to,
                flag.as_deref(),
                value_usd,
                json,
            )
        }
        RegimeCmd::Check { json, src } => check(&load_regime(src.regime_dir.as_deref())?, json),
        RegimeCmd::Exceptions { at, json, src } => {
            let at = at.map(|d| parse_date("--at", &d)).transpose()?;
            exceptions(&load_regime(src.regime_dir.as_deref())?, at, json)
        }
        RegimeCmd::Show { id, json, src } => {
            show(&load_regime(src.regime_dir.as_deref())?, &id, json)
        }
    }
}

fn verified_tag(v: bool) -> &'static str {
    if v { "verified" } else { "UNVERIFIED" }
}

fn goods_label(m: &Measure) -> String {
    if m.goods.is_empty() {
        return String::new();
    }
    let codes: Vec<String> = m.goods.iter().map(|g| g.hs.clone()).collect();
    format!(" [HS {}]", codes.join(", "))
}

fn measure_line(m: &Measure) -> String {
    let mut s = format!(
        "  {:<46} {:<19} para {:<10} {} → {}  {:<10} {}{}",
        m.id,
        m.kind.as_str(),
        m.paragraph_label(),
        m.effective,
        m.ends.map(|d| d.to_string()).unwrap_or_else(|| "…".into()),
        verified_tag(m.verified),
        m.title,
        goods_label(m)
    );
    if let Some(s2) = &m.superseded_by {
        s.push_str(&format!(" (superseded by {s2})"));
    }
    s
}

fn at(regime: &Regime, date: NaiveDate, json: bool) -> anyhow::Result<ExitCode> {
    let measures = regime.in_force(date);
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(
                &json!({ "date": date, "count": measures.len(), "measures": measures })
            )?
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!("{} measures in force on {date}", measures.len())?;
    let mut last = 0;
    for m in measures {
        if m.resolution != last {
            last = m.resolution;
            if let Some(r) = regime.resolution(m.resolution) {
                outln!("{} — adopted {} — {}", r.symbol, r.adopted, r.title)?;
            }
        }
        outln!("{}", measure_line(m))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn diff(regime: &Regime, a: NaiveDate, b: NaiveDate, json: bool) -> anyhow::Result<ExitCode> {
    let d = regime.diff(a, b);
    if json {
        let designations: Vec<_> = d
            .designations
            .iter()
            .map(|c| json!({ "resolution": c.resolution, "label": c.label(), "round": c.round }))
            .collect();
        outln!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "from": a, "to": b,
                "came_into_force": d.came_into_force,
                "ended": d.ended,
                "changed": d.changed.iter().map(|c| json!({"date": c.date, "measure": c.measure.id, "what": c.what})).collect::<Vec<_>>(),
                "designations": designations,
            }))?
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!("Regime changes after {a} up to {b}")?;
    outln!("Came into force ({}):", d.came_into_force.len())?;
    for m in &d.came_into_force {
        outln!("{}", measure_line(m))?;
    }
    outln!("Ended ({}):", d.ended.len())?;
    for m in &d.ended {
        outln!("{}", measure_line(m))?;
    }
    outln!("Changed ({}):", d.changed.len())?;
    for c in &d.changed {
        outln!("  {}  {:<46} {}", c.date, c.measure.id, c.what)?;
    }
    outln!("Designations ({}):", d.designations.len())?;
    for c in &d.designations {
        outln!(
            "  {}  {} — {} individuals, {} entities ({})",
            c.round.listed_on,
            c.label(),
            c.round.individuals,
            c.round.entities,
            c.round.references
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

#[allow(clippy::too_many_arguments)]
fn explain(
    regime: &Regime,
    raw_hs: &str,
    date: NaiveDate,
    origin: &str,
    from: &str,
    to: &str,
    flag: Option<&str>,
    value_usd: Option<f64>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let edition = HsEdition::for_date(date);
    let code = hs::nomenclature(edition)
        .validate(raw_hs)
        .with_context(|| "--hs".to_string())?;
    let ctx = GoodsContext {
        hs: &code.code,
        date,
        origin: Some(origin),
        from: Some(from),
        to: Some(to),
        flag,
        value_usd,
    };
    let ex = regime.explain_goods(&ctx);
    let strictest = ex
        .iter()
        .filter(|e| e.applicability == Applicability::Applies)
        .map(|e| e.measure.effect)
        .max();
    if json {
        let items: Vec<_> = ex
            .iter()
            .map(|e| {
                json!({
                    "applies": e.applicability == Applicability::Applies,
                    "reason": e.applicability.reason(),
                    "applicability": e.applicability,
                    "matched_hs": e.matched_hs,
                    "measure": e.measure,
                })
            })
            .collect();
        outln!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "hs": code, "date": date, "origin": origin, "from": from, "to": to, "flag": flag,
                "strictest_effect": strictest.map(|e| e.as_str()),
                "measures": items,
            }))?
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "HS {} ({}, {}): {}",
        code.code,
        edition,
        section_label(&code.section),
        code.description
    )?;
    outln!(
        "{date}: origin {origin}, from {from}, to {to}{}",
        flag.map(|f| format!(", vessel flag {f}"))
            .unwrap_or_default()
    )?;
    if ex.is_empty() {
        outln!("No measure of the regime covers this HS code.")?;
        return Ok(ExitCode::SUCCESS);
    }
    for e in &ex {
        let m = e.measure;
        let applies = e.applicability == Applicability::Applies;
        outln!(
            "{} {} — resolution {} para {} ({}, {}) — {}",
            if applies { "APPLIES " } else { "does not" },
            m.id,
            m.resolution,
            m.paragraph_label(),
            m.kind.as_str(),
            verified_tag(m.verified),
            m.title
        )?;
        outln!(
            "    covers HS {} ({}: {})",
            e.matched_hs.hs,
            e.matched_hs.edition,
            e.matched_hs.description.as_deref().unwrap_or("")
        )?;
        if !applies {
            outln!("    why not: {}", e.applicability.reason())?;
            continue;
        }
        outln!("    effect: {}; {}", m.effect.as_str(), m.summary)?;
        if let Some(cap) = &m.cap {
            for p in &cap.periods {
                let span = match (p.end, p.repeat_months) {
                    (Some(end), _) => format!("{} to {end}", p.start),
                    (None, Some(n)) => format!("every {n} months from {}", p.start),
                    _ => p.start.to_string(),
                };
                outln!(
                    "    cap: {} ({span}); within the cap: {}",
                    limits_label(&p.limits),
                    cap.within_cap.as_str()
                )?;
            }
        }
        if let Some(w) = &m.wind_down {
            outln!(
                "    wind-down: contracts before {}, until {} ({} days) [{}]",
                w.contracts_before,
                w.until(),
                w.days,
                verified_tag(w.verified)
            )?;
        }
        for x in &m.exceptions {
            if let Some(x) = regime.exception(x) {
                outln!(
                    "    exception {} — {} — requires: {}",
                    x.id,
                    x.title,
                    x.requires.join("; ")
                )?;
            }
        }
        if let Some(n) = &m.goods_note {
            outln!("    HS mapping: {n}")?;
        }
        outln!("    source: {}", m.source)?;
    }
    if let Some(s) = strictest {
        outln!(
            "Strictest applicable effect (before exceptions, wind-downs and caps): {}",
            s.as_str()
        )?;
    } else {
        outln!("No measure applies: permitted under the regime (parties are not screened here).")?;
    }
    Ok(ExitCode::SUCCESS)
}

fn section_label(section: &str) -> String {
    match hs::section_name(section) {
        Some(n) => format!("section {section}: {n}"),
        None => format!("section {section}"),
    }
}

fn check(regime: &Regime, json: bool) -> anyhow::Result<ExitCode> {
    let verified: Vec<&Measure> = regime.measures.iter().filter(|m| m.verified).collect();
    let unverified: Vec<&Measure> = regime.measures.iter().filter(|m| !m.verified).collect();
    // (measures, of which verified) per kind of source.
    let by_kind: Vec<(Verification, usize, usize)> = Verification::ALL
        .iter()
        .map(|&k| {
            let of_kind = regime.measures.iter().filter(|m| m.verification == k);
            let (all, ver) = of_kind.fold((0, 0), |(a, v), m| (a + 1, v + usize::from(m.verified)));
            (k, all, ver)
        })
        .collect();
    if json {
        let ids = |v: &[&Measure]| {
            v.iter()
                .map(|m| {
                    json!({"id": m.id, "resolution": m.resolution, "paragraphs": m.paragraphs,
                        "source": m.source, "verification": m.verification,
                        "verification_note": m.verification_note})
                })
                .collect::<Vec<_>>()
        };
        let kinds: serde_json::Map<String, serde_json::Value> = by_kind
            .iter()
            .map(|(k, all, ver)| {
                (
                    k.as_str().to_string(),
                    json!({"measures": all, "verified": ver}),
                )
            })
            .collect();
        outln!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "resolutions": regime.resolutions.len(),
                "measures": regime.measures.len(),
                "exceptions": regime.exceptions.len(),
                "designation_rounds": regime.designations.len(),
                "by_verification": kinds,
                "verified": ids(&verified),
                "unverified": ids(&unverified),
            }))?
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "OK: {} resolutions, {} measures, {} exceptions, {} designation rounds; every HS code exists in its edition, dates ordered, references resolved.",
        regime.resolutions.len(),
        regime.measures.len(),
        regime.exceptions.len(),
        regime.designations.len()
    )?;
    outln!(
        "{} of {} measures verified against the Council's own words. By kind of source:",
        verified.len(),
        regime.measures.len()
    )?;
    for (k, all, ver) in &by_kind {
        outln!("  {:<17} {all:>3} measures, {ver:>3} verified", k.as_str())?;
    }
    let line = |m: &Measure| {
        outln!(
            "  {:<46} para {:<10} {:<17} {}",
            m.id,
            m.paragraph_label(),
            m.verification.as_str(),
            m.verification_note.as_deref().unwrap_or("")
        )
    };
    outln!("Verified ({}):", verified.len())?;
    for m in &verified {
        line(m)?;
    }
    outln!("Not verified ({}):", unverified.len())?;
    for m in &unverified {
        line(m)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn exceptions(regime: &Regime, at: Option<NaiveDate>, json: bool) -> anyhow::Result<ExitCode> {
    let list: Vec<&Exception> = match at {
        Some(date) => regime.exceptions_at(date),
        None => regime.exceptions.iter().collect(),
    };
    // The measures each exception can lift (in force on the date, if one is given).
    let lifts = |x: &Exception| -> Vec<String> {
        regime
            .measures_accepting(&x.id)
            .filter(|m| at.is_none_or(|d| m.in_force(d)))
            .map(|m| m.id.clone())
            .collect()
    };
    if json {
        let items: Vec<_> = list
            .iter()
            .map(|x| {
                json!({
                    "id": x.id, "resolution": x.resolution, "paragraphs": x.paragraphs,
                    "title": x.title, "requires": x.requires, "condition": x.condition,
                    "contract_before": x.contract_before, "effective": x.effective,
                    "measures": lifts(x), "verified": x.verified, "verification": x.verification,
                })
            })
            .collect();
        outln!(
            "{}",
            serde_json::to_string_pretty(
                &json!({"at": at, "count": items.len(), "exceptions": items})
            )?
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    match at {
        Some(d) => outln!("{} exceptions can be claimed on {d}", list.len())?,
        None => outln!("{} exceptions", list.len())?,
    }
    for x in list {
        outln!(
            "{}  — resolution {} para {}, from {} [{}, {}]",
            x.id,
            x.resolution,
            x.paragraph_label(),
            x.effective.map(|d| d.to_string()).unwrap_or_default(),
            verified_tag(x.verified),
            x.verification.as_str()
        )?;
        outln!("    {}", x.title)?;
        for r in &x.requires {
            outln!("    must show: {r}")?;
        }
        outln!("    lifts: {}", lifts(x).join(", "))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn show(regime: &Regime, id: &str, json: bool) -> anyhow::Result<ExitCode> {
    let value = if let Some(m) = regime.measure(id) {
        serde_json::to_value(m)?
    } else if let Some(x) = regime.exception(id) {
        serde_json::to_value(x)?
    } else {
        let ids = regime
            .measures
            .iter()
            .map(|m| m.id.as_str())
            .chain(regime.exceptions.iter().map(|x| x.id.as_str()));
        let closest = resolute_regime::suggest::closest(id, ids, 3);
        bail!(
            "no measure or exception {id:?}; closest: {} (`resolute regime at DATE` and `resolute regime exceptions` list the ids)",
            closest.join(", ")
        );
    };
    if json {
        outln!("{}", serde_json::to_string_pretty(&value)?)?;
    } else {
        let text = toml::to_string_pretty(&value).unwrap_or_else(|_| value.to_string());
        outln!("{text}")?;
    }
    Ok(ExitCode::SUCCESS)
}
