//! `resolute impact` (revenue covered by the measures) and `resolute reports`
//! (national implementation reports).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use resolute_casework::reports;
use resolute_impact::compute::{DirectionImpact, ImpactOptions};
use resolute_impact::reporting::{self, NewReport, ResolutionStatus};
use resolute_impact::trade::{DprkDirection, TradeData};
use resolute_regime::Regime;
use resolute_store::{Store, StoreOptions};

/// Append a line to the output buffer (writing to a String cannot fail).
macro_rules! out {
    ($buf:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($buf, $($arg)*);
    }};
}

/// Write the output; a closed pipe (`| head`) is not an error.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("invalid date {s:?}: expected YYYY-MM-DD"))
}

#[derive(Debug, Args)]
pub struct ImpactArgs {
    /// Trade files: UN Comtrade legacy CSV or `reporter,partner,flow,year,hs_code,value_usd,quantity,unit`.
    #[arg(long = "trade", required = true, num_args = 1..)]
    pub trade: Vec<PathBuf>,
    /// Evaluate the measures in force on this date (default: today).
    #[arg(long, value_parser = parse_date)]
    pub at: Option<NaiveDate>,
    /// Show only this resolution's measures.
    #[arg(long)]
    pub resolution: Option<u32>,
    /// Base year of the flows (default: the latest year with at least half as
    /// many reporters as the best-covered year; later years are often incomplete).
    #[arg(long)]
    pub year: Option<i32>,
    /// Load the regime from this directory of resolution TOML files instead of the embedded one.
    #[arg(long)]
    pub regime_dir: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Write the chart of value removed by resolution over time to this SVG file.
    #[arg(long)]
    pub svg: Option<PathBuf>,
    /// Rows to show in the chapter and partner tables.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
}

fn default_year(data: &TradeData) -> Option<i32> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut reporters: BTreeMap<i32, BTreeSet<&str>> = BTreeMap::new();
    for f in data.flows.iter().filter(|f| f.dprk_direction().is_some()) {
        reporters.entry(f.year).or_default().insert(f.counterpart());
    }
    let best = reporters.values().map(BTreeSet::len).max()?;
    reporters
        .iter()
        .rev()
        .find(|(_, r)| r.len() * 2 >= best)
        .map(|(y, _)| *y)
}

fn usd_m(v: f64) -> String {
    let m = v / 1e6;
    let whole = m.trunc() as i64;
    let frac = ((m - whole as f64) * 10.0).round() as i64;
    let (whole, frac) = if frac >= 10 {
        (whole + 1, 0)
    } else {
        (whole, frac)
    };
    let digits = whole.abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!(
        "US$ {}{grouped}.{}m",
        if whole < 0 || v < 0.0 { "-" } else { "" },
        frac.abs()
    )
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

pub fn run_impact(a: ImpactArgs) -> anyhow::Result<ExitCode> {
    let mut data = TradeData::default();
    for path in &a.trade {
        // The error names the file already.
        let file = resolute_impact::read_trade_file(path)?;
        data.extend(file);
    }
    for e in data.skipped.iter().take(20) {
        eprintln!("warning: skipped {e}");
    }
    if data.skipped.len() > 20 {
        eprintln!(
            "warning: … and {} more skipped rows",
            data.skipped.len() - 20
        );
    }
    let year = match a.year.or_else(|| default_year(&data)) {
        Some(y) => y,
        None => {
            anyhow::bail!("no DPRK trade flows in the input (a partner or reporter must be PRK)")
        }
    };
    let at = a.at.unwrap_or_else(today);
    let regime = match &a.regime_dir {
        Some(dir) => resolute_regime::Regime::from_dir(dir)
            .with_context(|| format!("loading the regime from {}", dir.display()))?,
        None => resolute_regime::Regime::embedded().context("loading the embedded regime")?,
    };
    if let Some(r) = a.resolution
        && regime.resolution(r).is_none()
    {
        anyhow::bail!("resolution {r} is not in the regime");
    }
    let horizon = at.checked_add_days(chrono::Days::new(366)).unwrap_or(at);
    let measures = resolute_impact::regime_measures(&regime, horizon);
    let report = resolute_impact::compute_impact(
        &data.flows,
        &measures,
        &ImpactOptions {
            year,
            at,
            resolution: a.resolution,
        },
    );

    if let Some(out) = &a.svg {
        let svg = resolute_impact::chart::impact_svg(&report)?;
        std::fs::write(out, svg).with_context(|| format!("writing {}", out.display()))?;
    }
    let mut buf = String::new();
    if a.json {
        let mut value = serde_json::to_value(&report)?;
        if let Some(obj) = value.as_object_mut() {
            obj.insert("skipped_rows".into(), serde_json::to_value(&data.skipped)?);
        }
        out!(buf, "{}", serde_json::to_string_pretty(&value)?);
        emit(&buf)?;
        return Ok(ExitCode::SUCCESS);
    }
    out!(
        buf,
        "DPRK trade in {year} (base year) against the measures in force on {at}"
    );
    if let Some(r) = a.resolution {
        out!(buf, "(measures of resolution {r} only)");
    }
    print_direction(&mut buf, &report.exports, a.top);
    out!(buf, "");
    print_direction(&mut buf, &report.imports, a.top);
    if let Some(out) = &a.svg {
        out!(buf, "\nchart written to {}", out.display());
    }
    emit(&buf)?;
    Ok(ExitCode::SUCCESS)
}

fn print_direction(buf: &mut String, d: &DirectionImpact, top: usize) {
    let name = match d.direction {
        DprkDirection::Exports => "Exports (partners' imports from the DPRK)",
        DprkDirection::Imports => "Imports (partners' exports to the DPRK)",
    };
    out!(
        buf,
        "{name}: total {} (from {}), commodity rows {}",
        usd_m(d.total_usd),
        d.total_basis,
        usd_m(d.commodity_rows_usd)
    );
    out!(
        buf,
        "  covered {} ({} of total); prohibited {} ({}); still allowed under caps {}",
        usd_m(d.covered_usd),
        pct(d.share_covered),
        usd_m(d.prohibited_usd),
        pct(d.share_prohibited),
        usd_m(d.cap_allowed_usd)
    );
    if d.by_resolution
        .iter()
        .all(|r| r.measures.iter().all(|m| m.scope_usd == 0.0))
    {
        out!(
            buf,
            "  no measure covers the commodity rows of this direction (all-commodity rows carry no HS code)"
        );
        return;
    }
    out!(
        buf,
        "  By resolution (newly cut = prohibited outright that was not the day before; counted once):"
    );
    for r in d
        .by_resolution
        .iter()
        .filter(|r| r.measures.iter().any(|m| m.scope_usd > 0.0))
    {
        out!(
            buf,
            "    UNSCR {}  from {}  newly cut {} ({} of total)  caps took {}  covered now {}",
            r.resolution,
            r.first_effective,
            usd_m(r.newly_cut_usd),
            pct(r.newly_cut_share),
            usd_m(r.cap_reduction_usd),
            usd_m(r.covered_at_date_usd)
        );
        for m in r.measures.iter().filter(|m| m.scope_usd > 0.0) {
            out!(
                buf,
                "      {:<44} para {:<6} {:<11} HS {:<16} {} in scope; newly cut {}{}{}",
                m.id,
                m.paragraph,
                m.kind.as_str(),
                m.hs.join(","),
                usd_m(m.scope_usd),
                usd_m(m.newly_cut_usd),
                m.cap_allowed_usd
                    .map(|v| format!("; cap allows {}", usd_m(v)))
                    .unwrap_or_default(),
                if m.in_force_at_date {
                    ""
                } else {
                    " (not in force)"
                }
            );
        }
    }
    out!(buf, "  By HS chapter:");
    for c in d.by_chapter.iter().take(top) {
        let description: String = c.description.chars().take(40).collect();
        out!(
            buf,
            "    {:<3} {:<40} value {}  covered {}  prohibited {}",
            c.chapter,
            description,
            usd_m(c.value_usd),
            usd_m(c.covered_usd),
            usd_m(c.prohibited_usd)
        );
    }
    out!(buf, "  By partner (top {top}):");
    for p in d.by_partner.iter().take(top) {
        out!(
            buf,
            "    {:<4} {:<28} total {}  covered {} ({})",
            p.partner,
            p.name,
            usd_m(p.total_usd),
            usd_m(p.covered_usd),
            pct(p.share_covered)
        );
    }
    for p in &d.partial_coverage {
        out!(
            buf,
            "  note: {} HS {} ({}) is broader than {}: not counted",
            p.origin,
            p.hs_code,
            usd_m(p.value_usd),
            p.measure
        );
    }
}

#[derive(Debug, Args)]
pub struct DataDirArg {
    /// The data directory (its SQLite store records the reports).
    #[arg(long, env = "RESOLUTE_DATA_DIR", default_value = "resolute-data")]
    pub data_dir: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum ReportsCmd {
    /// Record a national implementation report.
    Add {
        /// Member state: ISO alpha-2/alpha-3 code or name.
        #[arg(long)]
        state: String,
        /// Resolution(s) the report covers (repeat or separate with commas).
        #[arg(long = "resolution", required = true, value_delimiter = ',')]
        resolutions: Vec<u32>,
        /// Date submitted (YYYY-MM-DD).
        #[arg(long)]
        submitted: String,
        /// UN document symbol.
        #[arg(long, default_value = "")]
        symbol: String,
        #[arg(long, default_value = "")]
        notes: String,
        #[command(flatten)]
        dir: DataDirArg,
        #[arg(long)]
        json: bool,
    },
    /// List recorded reports.
    List {
        #[arg(long)]
        resolution: Option<u32>,
        /// Only this state (code or name).
        #[arg(long)]
        state: Option<String>,
        #[command(flatten)]
        dir: DataDirArg,
        #[arg(long)]
        json: bool,
    },
    /// Who reported, who is late or overdue: "N of 193".
    Status {
        /// One resolution (default: every resolution with a reporting request).
        #[arg(long)]
        resolution: Option<u32>,
        /// Count reports submitted up to this date (default: today).
        #[arg(long, value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        /// List every member state with its status.
        #[arg(long)]
        states: bool,
        #[command(flatten)]
        dir: DataDirArg,
        #[arg(long)]
        json: bool,
    },
    /// Import reports from a CSV (state,resolutions,submitted,symbol,notes).
    Import {
        file: PathBuf,
        #[command(flatten)]
        dir: DataDirArg,
        #[arg(long)]
        json: bool,
    },
    /// Export the reports as CSV (to stdout or --out).
    Export {
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        dir: DataDirArg,
    },
    /// The reporting requests of the resolutions, with deadlines and what is verified.
    Requests {
        #[arg(long)]
        resolution: Option<u32>,
        #[arg(long)]
        json: bool,
    },
}

/// The store of `dir`, with the `reports.csv` of an older build imported once.
fn open_store(dir: &Path, regime: &Regime) -> anyhow::Result<Store> {
    let store = Store::open(dir, StoreOptions::default())
        .with_context(|| format!("opening the store in {}", dir.display()))?;
    // A legacy file that cannot be read does not block the commands (as in
    // `serve`): it stays in place and the next run tries again.
    match reports::import_legacy(&store, regime, dir, today()) {
        Ok(Some(done)) if !done.already_imported => {
            for e in &done.rejected {
                eprintln!("warning: not imported: {e}");
            }
            eprintln!(
                "imported {} report(s) from {} into the store ({} already recorded, {} rejected); the file is left in place",
                done.added,
                done.file,
                done.already_present,
                done.rejected.len()
            );
        }
        Ok(_) => {}
        Err(e) => eprintln!(
            "warning: {} not imported: {e}",
            dir.join(reports::LEGACY_REPORTS_FILE).display()
        ),
    }
    Ok(store)
}

/// The audit actor of CLI writes.
fn cli_actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

fn print_status(buf: &mut String, s: &ResolutionStatus, states: bool) {
    out!(buf, "{}", s.summary);
    out!(
        buf,
        "  adopted {}; deadline {} ({}{}); paragraph {}",
        s.adopted,
        s.deadline
            .map(|d| d.to_string())
            .unwrap_or_else(|| "none".into()),
        s.deadline_rule,
        if s.deadline_verified {
            ""
        } else {
            ", UNVERIFIED"
        },
        match (&s.paragraph, s.paragraph_verified) {
            (Some(p), true) => p.clone(),
            (Some(p), false) => format!("{p} (UNVERIFIED)"),
            (None, _) => "UNVERIFIED".into(),
        }
    );
    if states {
        for st in &s.states {
            out!(
                buf,
                "  {:<4} {:<40} {:<12} {}{}",
                st.state,
                st.name,
                st.status.as_str(),
                st.first_submitted
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                if st.symbols.is_empty() {
                    String::new()
                } else {
                    format!(" {}", st.symbols.join(" "))
                }
            );
        }
    }
}

pub fn run_reports(c: ReportsCmd) -> anyhow::Result<ExitCode> {
    let regime = Regime::embedded().context("loading the embedded regime")?;
    let mut buf = String::new();
    match c {
        ReportsCmd::Add {
            state,
            resolutions,
            submitted,
            symbol,
            notes,
            dir,
            json,
        } => {
            let store = open_store(&dir.data_dir, &regime)?;
            let report = reports::add(
                &store,
                &regime,
                &NewReport {
                    state,
                    resolutions,
                    submitted,
                    symbol,
                    notes,
                },
                &cli_actor(),
                today(),
            )?;
            store.close();
            if json {
                out!(buf, "{}", serde_json::to_string_pretty(&report)?);
            } else {
                let res = report
                    .resolutions
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                out!(
                    buf,
                    "recorded: {} on {} submitted {} {} ({})",
                    report.state,
                    res,
                    report.submitted,
                    report.symbol,
                    dir.data_dir.display()
                );
            }
        }
        ReportsCmd::List {
            resolution,
            state,
            dir,
            json,
        } => {
            let state = state
                .map(|s| resolute_impact::members::member(&s).map(|m| m.iso3.clone()))
                .transpose()?;
            let store = open_store(&dir.data_dir, &regime)?;
            let rows: Vec<_> = reports::list(&store, resolution)?
                .into_iter()
                .filter(|r| state.as_ref().is_none_or(|s| &r.state == s))
                .collect();
            if json {
                out!(buf, "{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in &rows {
                    let res = r
                        .resolutions
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(";");
                    out!(
                        buf,
                        "{}  {:<4} {:<16} {:<24} {}",
                        r.submitted,
                        r.state,
                        res,
                        r.symbol,
                        r.notes
                    );
                }
                out!(buf, "{} report(s)", rows.len());
            }
        }
        ReportsCmd::Status {
            resolution,
            as_of,
            states,
            dir,
            json,
        } => {
            let store = open_store(&dir.data_dir, &regime)?;
            let as_of = as_of.unwrap_or_else(today);
            let statuses = match resolution {
                Some(r) => vec![reports::status(&store, &regime, r, as_of)?],
                None => reports::status_all(&store, &regime, as_of)?,
            };
            if json {
                if resolution.is_some() {
                    out!(buf, "{}", serde_json::to_string_pretty(&statuses[0])?);
                } else {
                    out!(buf, "{}", serde_json::to_string_pretty(&statuses)?);
                }
            } else {
                for s in &statuses {
                    print_status(&mut buf, s, states);
                }
            }
        }
        ReportsCmd::Import { file, dir, json } => {
            let store = open_store(&dir.data_dir, &regime)?;
            let summary = reports::import_csv(&store, &regime, &file, &cli_actor(), today())?;
            store.close();
            if json {
                out!(buf, "{}", serde_json::to_string_pretty(&summary)?);
            } else if summary.already_imported {
                out!(
                    buf,
                    "{} (sha256 {}) was imported before: nothing done ({})",
                    summary.file,
                    summary.sha256,
                    dir.data_dir.display()
                );
            } else {
                for e in &summary.rejected {
                    eprintln!("error: skipped {e}");
                }
                out!(
                    buf,
                    "imported {} report(s), {} already recorded, {} row(s) rejected ({})",
                    summary.added,
                    summary.already_present,
                    summary.rejected.len(),
                    dir.data_dir.display()
                );
            }
            if !summary.rejected.is_empty() && !summary.already_imported {
                emit(&buf)?;
                return Ok(ExitCode::from(1));
            }
        }
        ReportsCmd::Export { out, dir } => {
            let store = open_store(&dir.data_dir, &regime)?;
            match out {
                Some(path) => {
                    let f = std::fs::File::create(&path)
                        .with_context(|| format!("creating {}", path.display()))?;
                    reports::export_csv(&store, f)
                        .with_context(|| format!("writing {}", path.display()))?;
                }
                None => {
                    let mut bytes = Vec::new();
                    reports::export_csv(&store, &mut bytes)?;
                    buf.push_str(&String::from_utf8_lossy(&bytes));
                }
            }
        }
        ReportsCmd::Requests { resolution, json } => {
            let rows: Vec<_> = reporting::reporting_requests(&regime)
                .into_iter()
                .filter(|r| resolution.is_none_or(|n| r.resolution == n))
                .collect();
            if json {
                out!(buf, "{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in rows {
                    out!(
                        buf,
                        "{} ({})  {:<36} para {:<12} {:<18} {}{}",
                        r.resolution,
                        r.adopted,
                        r.request,
                        match (&r.paragraph, r.paragraph_verified) {
                            (Some(p), true) => p.clone(),
                            (Some(p), false) => format!("{p}?"),
                            (None, _) => "UNVERIFIED".into(),
                        },
                        r.addressed_to,
                        r.deadline.describe(),
                        match (r.due, r.deadline_verified) {
                            (Some(d), true) => format!(" (due {d})"),
                            (Some(d), false) => format!(" (due {d}, UNVERIFIED)"),
                            (None, true) => String::new(),
                            (None, false) => " (UNVERIFIED)".into(),
                        }
                    );
                }
            }
        }
    }
    emit(&buf)?;
    Ok(ExitCode::SUCCESS)
}
