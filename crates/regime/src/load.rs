//! Loading and validating the regime files.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::NaiveDate;

use crate::hs::nomenclature;
use crate::model::*;

/// The regime files embedded in the binary, in adoption order.
const EMBEDDED: &[(&str, &str)] = &[
    (
        "regime/dprk/1718.toml",
        include_str!("../../../regime/dprk/1718.toml"),
    ),
    (
        "regime/dprk/1874.toml",
        include_str!("../../../regime/dprk/1874.toml"),
    ),
    (
        "regime/dprk/2087.toml",
        include_str!("../../../regime/dprk/2087.toml"),
    ),
    (
        "regime/dprk/2094.toml",
        include_str!("../../../regime/dprk/2094.toml"),
    ),
    (
        "regime/dprk/2270.toml",
        include_str!("../../../regime/dprk/2270.toml"),
    ),
    (
        "regime/dprk/2321.toml",
        include_str!("../../../regime/dprk/2321.toml"),
    ),
    (
        "regime/dprk/2356.toml",
        include_str!("../../../regime/dprk/2356.toml"),
    ),
    (
        "regime/dprk/2371.toml",
        include_str!("../../../regime/dprk/2371.toml"),
    ),
    (
        "regime/dprk/2375.toml",
        include_str!("../../../regime/dprk/2375.toml"),
    ),
    (
        "regime/dprk/2397.toml",
        include_str!("../../../regime/dprk/2397.toml"),
    ),
];

/// The embedded files as (name, text).
pub fn embedded_files() -> &'static [(&'static str, &'static str)] {
    EMBEDDED
}

#[derive(Debug, thiserror::Error)]
pub enum RegimeError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: {key}: {message}")]
    Invalid {
        file: String,
        key: String,
        message: String,
    },
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: no regime files (*.toml) found")]
    Empty { path: String },
}

fn unverifiable(v: Verification) -> String {
    format!(
        "verified = true needs the Council's own words (verbatim or council_citation), not {}",
        v.as_str()
    )
}

fn invalid(file: &str, key: impl Into<String>, message: impl Into<String>) -> RegimeError {
    RegimeError::Invalid {
        file: file.to_string(),
        key: key.into(),
        message: message.into(),
    }
}

/// The loaded, validated regime.
#[derive(Debug, Clone)]
pub struct Regime {
    pub resolutions: Vec<Resolution>,
    pub measures: Vec<Measure>,
    pub exceptions: Vec<Exception>,
    /// Designation rounds with the number of the resolution whose file holds them.
    pub designations: Vec<(u32, DesignationRound)>,
    /// Where each measure was loaded from (for error messages and `explain`).
    pub measure_files: Vec<String>,
    measure_index: HashMap<String, usize>,
    exception_index: HashMap<String, usize>,
}

impl Regime {
    /// The regime embedded in the binary.
    pub fn embedded() -> Result<Regime, RegimeError> {
        Self::from_sources(
            EMBEDDED
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
        )
    }

    /// Load every `*.toml` of a directory (the `dprk/` subdirectory is used if
    /// the directory itself has none).
    pub fn from_dir(dir: &Path) -> Result<Regime, RegimeError> {
        let mut dir = dir.to_path_buf();
        if !has_toml(&dir)? && dir.join("dprk").is_dir() {
            dir = dir.join("dprk");
        }
        let rd = std::fs::read_dir(&dir).map_err(|source| RegimeError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let mut paths: Vec<_> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        if paths.is_empty() {
            return Err(RegimeError::Empty {
                path: dir.display().to_string(),
            });
        }
        let mut sources = Vec::new();
        for p in paths {
            let text = std::fs::read_to_string(&p).map_err(|source| RegimeError::Io {
                path: p.display().to_string(),
                source,
            })?;
            sources.push((p.display().to_string(), text));
        }
        Self::from_sources(sources)
    }

    /// Parse and validate (file name, TOML text) pairs.
    pub fn from_sources(sources: Vec<(String, String)>) -> Result<Regime, RegimeError> {
        let mut files = Vec::new();
        for (name, text) in sources {
            let parsed: ResolutionFile = toml::from_str(&text).map_err(|e| RegimeError::Parse {
                file: name.clone(),
                message: e.to_string(),
            })?;
            files.push((name, parsed));
        }
        build(files)
    }

    pub fn measure(&self, id: &str) -> Option<&Measure> {
        self.measure_index.get(id).map(|&i| &self.measures[i])
    }

    pub fn measure_idx(&self, id: &str) -> Option<usize> {
        self.measure_index.get(id).copied()
    }

    pub fn exception(&self, id: &str) -> Option<&Exception> {
        self.exception_index.get(id).map(|&i| &self.exceptions[i])
    }

    pub fn resolution(&self, number: u32) -> Option<&Resolution> {
        self.resolutions.iter().find(|r| r.number == number)
    }

    /// The measures that list exception `id` (a claim can only lift these).
    pub fn measures_accepting<'r>(&'r self, id: &'r str) -> impl Iterator<Item = &'r Measure> {
        self.measures
            .iter()
            .filter(move |m| m.exceptions.iter().any(|x| x == id))
    }

    /// Exceptions a transaction dated `date` can usefully claim: in force on
    /// that date and listed by at least one measure in force then.
    pub fn exceptions_at(&self, date: NaiveDate) -> Vec<&Exception> {
        self.exceptions
            .iter()
            .filter(|x| {
                x.in_force(date) && self.measures_accepting(&x.id).any(|m| m.in_force(date))
            })
            .collect()
    }

    /// The exception ids closest to a mistyped one, best first (at most `n`).
    pub fn closest_exception_ids(&self, wanted: &str, n: usize) -> Vec<&str> {
        crate::suggest::closest(wanted, self.exceptions.iter().map(|x| x.id.as_str()), n)
    }
}

fn has_toml(dir: &Path) -> Result<bool, RegimeError> {
    let rd = std::fs::read_dir(dir).map_err(|source| RegimeError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    Ok(rd
        .filter_map(Result::ok)
        .any(|e| e.path().extension().is_some_and(|x| x == "toml")))
}

fn build(mut files: Vec<(String, ResolutionFile)>) -> Result<Regime, RegimeError> {
    files.sort_by_key(|(_, f)| (f.resolution.adopted, f.resolution.number));
    let mut seen_resolutions = HashSet::new();
    let mut measure_index = HashMap::new();
    let mut exception_index = HashMap::new();
    let mut measure_files = Vec::new();
    let mut resolutions = Vec::new();
    let mut measures = Vec::new();
    let mut exceptions = Vec::new();
    let mut designations = Vec::new();

    for (file, rf) in files {
        let r = &rf.resolution;
        if !seen_resolutions.insert(r.number) {
            return Err(invalid(
                &file,
                "resolution.number",
                format!("resolution {} is defined in more than one file", r.number),
            ));
        }
        if let Some(stem) = Path::new(&file).file_stem().and_then(|s| s.to_str())
            && stem.chars().all(|c| c.is_ascii_digit())
            && stem != r.number.to_string()
        {
            return Err(invalid(
                &file,
                "resolution.number",
                format!("{} does not match the file name {stem}", r.number),
            ));
        }
        let expected_symbol = format!("S/RES/{} ({})", r.number, r.year);
        if r.symbol != expected_symbol {
            return Err(invalid(
                &file,
                "resolution.symbol",
                format!("{:?} should be {expected_symbol:?}", r.symbol),
            ));
        }
        if r.sources.is_empty() {
            return Err(invalid(
                &file,
                "resolution.sources",
                "at least one source is required",
            ));
        }
        for (i, m) in rf.measures.into_iter().enumerate() {
            let m = check_measure(&file, i, r, m)?;
            if measure_index.insert(m.id.clone(), measures.len()).is_some() {
                return Err(invalid(
                    &file,
                    format!("measures[{i}].id"),
                    format!("duplicate measure id {:?}", m.id),
                ));
            }
            measures.push(m);
            measure_files.push(file.clone());
        }
        for (i, e) in rf.exceptions.into_iter().enumerate() {
            let key = format!("exceptions[{i}]");
            if e.resolution != r.number {
                return Err(invalid(
                    &file,
                    format!("{key}.resolution"),
                    format!("{} in the file of resolution {}", e.resolution, r.number),
                ));
            }
            if !e.id.starts_with(&format!("dprk/{}/", r.number)) {
                return Err(invalid(
                    &file,
                    format!("{key}.id"),
                    format!("{:?} must start with dprk/{}/", e.id, r.number),
                ));
            }
            if e.requires.is_empty() {
                return Err(invalid(
                    &file,
                    format!("{key}.requires"),
                    "say what must be checked",
                ));
            }
            if e.verified && !e.verification.supports_verified() {
                return Err(invalid(
                    &file,
                    format!("exception {:?}.verification", e.id),
                    unverifiable(e.verification),
                ));
            }
            let mut e = e;
            match e.effective {
                None => e.effective = Some(r.adopted),
                Some(d) if d < r.adopted => {
                    return Err(invalid(
                        &file,
                        format!("{key}.effective"),
                        format!(
                            "{d} is before the adoption of resolution {} on {}",
                            r.number, r.adopted
                        ),
                    ));
                }
                Some(_) => {}
            }
            if e.condition == Some(ExceptionCondition::ContractBefore)
                && e.contract_before.is_none()
            {
                return Err(invalid(
                    &file,
                    format!("{key}.contract_before"),
                    "required by condition contract_before",
                ));
            }
            if exception_index
                .insert(e.id.clone(), exceptions.len())
                .is_some()
            {
                return Err(invalid(
                    &file,
                    format!("{key}.id"),
                    format!("duplicate exception id {:?}", e.id),
                ));
            }
            exceptions.push(e);
        }
        for (i, d) in rf.designations.into_iter().enumerate() {
            if d.by == DesignatedBy::Resolution && d.listed_on != r.adopted {
                return Err(invalid(
                    &file,
                    format!("designations[{i}].listed_on"),
                    format!(
                        "{} is not the adoption date {} of resolution {}",
                        d.listed_on, r.adopted, r.number
                    ),
                ));
            }
            if d.listed_on < r.adopted {
                return Err(invalid(
                    &file,
                    format!("designations[{i}].listed_on"),
                    "before the resolution was adopted",
                ));
            }
            designations.push((r.number, d));
        }
        resolutions.push(rf.resolution);
    }

    // Cross-file references.
    for i in 0..measures.len() {
        let file = measure_files[i].clone();
        for (j, x) in measures[i].exceptions.iter().enumerate() {
            if !exception_index.contains_key(x) {
                return Err(invalid(
                    &file,
                    format!("measure {:?}.exceptions[{j}]", measures[i].id),
                    format!("unknown exception {x:?}"),
                ));
            }
        }
        if let Some(next_id) = measures[i].superseded_by.clone() {
            let Some(&n) = measure_index.get(&next_id) else {
                return Err(invalid(
                    &file,
                    format!("measure {:?}.superseded_by", measures[i].id),
                    format!("unknown measure {next_id:?}"),
                ));
            };
            let next_effective = measures[n].effective;
            if next_effective <= measures[i].effective {
                return Err(invalid(
                    &file,
                    format!("measure {:?}.superseded_by", measures[i].id),
                    format!("{next_id:?} takes effect on {next_effective}, not after this measure"),
                ));
            }
            let last_day = next_effective.pred_opt().unwrap_or(next_effective);
            match measures[i].ends {
                None => measures[i].ends = Some(last_day),
                Some(e) if e > last_day => {
                    return Err(invalid(
                        &file,
                        format!("measure {:?}.ends", measures[i].id),
                        format!("{e} is after {next_id:?} takes effect ({next_effective})"),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    designations.sort_by_key(|(_, d)| d.listed_on);
    Ok(Regime {
        resolutions,
        measures,
        exceptions,
        designations,
        measure_files,
        measure_index,
        exception_index,
    })
}

fn check_measure(
    file: &str,
    i: usize,
    r: &Resolution,
    mut m: Measure,
) -> Result<Measure, RegimeError> {
    let k = |field: &str| format!("measures[{i}].{field}");
    if m.resolution != r.number {
        return Err(invalid(
            file,
            k("resolution"),
            format!("{} in the file of resolution {}", m.resolution, r.number),
        ));
    }
    let prefix = format!("dprk/{}/", r.number);
    if !m.id.starts_with(&prefix) || m.id.split('/').count() < 4 {
        return Err(invalid(
            file,
            k("id"),
            format!("{:?} must look like {prefix}<paragraph>/<slug>", m.id),
        ));
    }
    if m.paragraphs.is_empty() || m.paragraphs.iter().any(|p| p.trim().is_empty()) {
        return Err(invalid(
            file,
            k("paragraphs"),
            "at least one non-empty paragraph is required",
        ));
    }
    if m.effective < r.adopted {
        return Err(invalid(
            file,
            k("effective"),
            format!(
                "{} is before the adoption of resolution {} on {}",
                m.effective, r.number, r.adopted
            ),
        ));
    }
    if let Some(end) = m.ends
        && end < m.effective
    {
        return Err(invalid(
            file,
            k("ends"),
            format!("{end} is before the measure takes effect ({})", m.effective),
        ));
    }
    if m.source.trim().is_empty() {
        return Err(invalid(file, k("source"), "a source is required"));
    }
    // Goods.
    if m.kind.is_goods() {
        let default_dir = match m.kind {
            MeasureKind::ExportBan => Some(Direction::FromDprk),
            MeasureKind::SupplyBan | MeasureKind::LuxuryGoods => Some(Direction::ToDprk),
            _ => None,
        };
        match (m.direction, default_dir) {
            (None, Some(d)) => m.direction = Some(d),
            (None, None) => {
                return Err(invalid(
                    file,
                    k("direction"),
                    format!("required for kind {}", m.kind.as_str()),
                ));
            }
            (Some(d), Some(dd)) if d != dd => {
                return Err(invalid(
                    file,
                    k("direction"),
                    format!("kind {} implies {:?}", m.kind.as_str(), dd),
                ));
            }
            _ => {}
        }
        if m.goods.is_empty() {
            return Err(invalid(
                file,
                k("goods"),
                format!("kind {} needs at least one HS code", m.kind.as_str()),
            ));
        }
    } else if !m.goods.is_empty() {
        return Err(invalid(
            file,
            k("goods"),
            format!("kind {} does not take goods", m.kind.as_str()),
        ));
    }
    for (j, g) in m.goods.iter_mut().enumerate() {
        let hs = nomenclature(g.edition);
        let code = hs
            .validate(&g.hs)
            .map_err(|e| invalid(file, k(&format!("goods[{j}].hs")), e.to_string()))?;
        if code.code.len() > 6 {
            return Err(invalid(
                file,
                k(&format!("goods[{j}].hs")),
                "use an HS prefix of 2, 4 or 6 digits",
            ));
        }
        g.hs = code.code;
        if g.description.is_none() {
            g.description = Some(code.description);
        }
    }
    // Caps.
    match (&m.cap, m.kind) {
        (None, MeasureKind::QuantityCap) => {
            return Err(invalid(
                file,
                k("cap"),
                "a quantity_cap measure needs a cap",
            ));
        }
        (Some(_), kind) if kind != MeasureKind::QuantityCap => {
            return Err(invalid(
                file,
                k("cap"),
                format!("kind {} does not take a cap", kind.as_str()),
            ));
        }
        (Some(cap), _) => {
            if cap.periods.is_empty() {
                return Err(invalid(file, k("cap.periods"), "at least one period"));
            }
            for (j, p) in cap.periods.iter().enumerate() {
                if p.limits.is_empty()
                    || p.limits
                        .iter()
                        .any(|l| !(l.amount > 0.0 && l.amount.is_finite()))
                {
                    return Err(invalid(
                        file,
                        k(&format!("cap.periods[{j}].limits")),
                        "at least one positive limit",
                    ));
                }
                if p.start < m.effective {
                    return Err(invalid(
                        file,
                        k(&format!("cap.periods[{j}].start")),
                        "before the measure takes effect",
                    ));
                }
                match (p.end, p.repeat_months) {
                    (Some(end), None) if end < p.start => {
                        return Err(invalid(
                            file,
                            k(&format!("cap.periods[{j}].end")),
                            "before start",
                        ));
                    }
                    (Some(_), Some(_)) | (None, None) => {
                        return Err(invalid(
                            file,
                            k(&format!("cap.periods[{j}]")),
                            "give either end (one-off period) or repeat_months",
                        ));
                    }
                    (None, Some(0)) => {
                        return Err(invalid(
                            file,
                            k(&format!("cap.periods[{j}].repeat_months")),
                            "must be positive",
                        ));
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    // Actions.
    let needs_actions = matches!(
        m.kind,
        MeasureKind::WorkAuthorizations | MeasureKind::JointVentures | MeasureKind::Vessels
    );
    if needs_actions && m.actions.is_empty() {
        return Err(invalid(
            file,
            k("actions"),
            format!("kind {} needs the actions it covers", m.kind.as_str()),
        ));
    }
    let allowed: &[Action] = match m.kind {
        MeasureKind::WorkAuthorizations => &[Action::New, Action::Renewal, Action::Maintain],
        MeasureKind::JointVentures => &[Action::Open, Action::Expand, Action::Maintain],
        MeasureKind::Vessels => &[
            Action::Charter,
            Action::PortEntry,
            Action::Register,
            Action::Sale,
            Action::ShipToShip,
        ],
        _ => &[],
    };
    if let Some(a) = m.actions.iter().find(|a| !allowed.contains(a)) {
        return Err(invalid(
            file,
            k("actions"),
            format!("{a:?} is not an action of kind {}", m.kind.as_str()),
        ));
    }
    if m.kind == MeasureKind::Vessels && m.vessel_condition.is_none() {
        return Err(invalid(
            file,
            k("vessel_condition"),
            "required for kind vessels",
        ));
    }
    if m.verified && !m.verification.supports_verified() {
        return Err(invalid(
            file,
            format!("measure {:?}.verification", m.id),
            unverifiable(m.verification),
        ));
    }
    if let Some(w) = &m.wind_down {
        if w.verified && !w.verification.supports_verified() {
            return Err(invalid(
                file,
                format!("measure {:?}.wind_down.verification", m.id),
                unverifiable(w.verification),
            ));
        }
        if w.days == 0 {
            return Err(invalid(file, k("wind_down.days"), "must be positive"));
        }
        if w.from < r.adopted || w.contracts_before > w.until() {
            return Err(invalid(
                file,
                k("wind_down"),
                "dates out of order (from ≥ adoption, contracts_before ≤ from + days)",
            ));
        }
    }
    Ok(m)
}

/// A date that is not `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not an ISO date (YYYY-MM-DD)")]
pub struct DateError {
    pub input: String,
}

/// Parse an ISO date with a clear error (for CLI and transaction inputs).
pub fn parse_date(s: &str) -> Result<NaiveDate, DateError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| DateError {
        input: s.to_string(),
    })
}
