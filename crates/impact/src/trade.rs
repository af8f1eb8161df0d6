//! Trade flows: the UN Comtrade legacy CSV layout and a simple CSV layout.
//!
//! Comtrade records trade from the reporter's side. The DPRK reports nothing,
//! so its trade is read in the mirror: a partner's imports from the DPRK are
//! DPRK exports and a partner's exports to the DPRK are DPRK imports.
//! Comtrade's `Re-Export` and `Re-Import` rows are skipped: a reporter's
//! `Export` already includes its re-exports, so adding them would count goods
//! twice.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// ISO alpha-3 and UN M49 codes and the Comtrade name of the DPRK.
const DPRK_CODES: [&str; 3] = ["PRK", "KP", "408"];

/// Whether goods leave or enter the DPRK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DprkDirection {
    /// DPRK exports: what the DPRK earns.
    Exports,
    /// DPRK imports.
    Imports,
}

impl DprkDirection {
    pub fn as_str(&self) -> &'static str {
        match self {
            DprkDirection::Exports => "exports",
            DprkDirection::Imports => "imports",
        }
    }
}

/// The flow as the reporter records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportedFlow {
    Import,
    Export,
    ReExport,
    ReImport,
}

impl ReportedFlow {
    pub fn parse(raw: &str) -> Option<ReportedFlow> {
        let key: String = raw
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        Some(match key.as_str() {
            "import" | "imports" | "m" | "1" => ReportedFlow::Import,
            "export" | "exports" | "x" | "2" => ReportedFlow::Export,
            "reexport" | "reexports" | "rx" | "3" => ReportedFlow::ReExport,
            "reimport" | "reimports" | "rm" | "4" => ReportedFlow::ReImport,
            _ => return None,
        })
    }
}

/// The commodity of a flow: all commodities, or an HS code (2 to 10 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Commodity {
    Total,
    Hs(String),
}

impl Commodity {
    /// `TOTAL`, `all` or an empty cell mean all commodities; otherwise the HS
    /// digits, dots and spaces removed (`2701.12` → `270112`).
    pub fn parse(raw: &str) -> Result<Commodity, String> {
        let t = raw.trim();
        if t.is_empty()
            || t.eq_ignore_ascii_case("total")
            || t.eq_ignore_ascii_case("all")
            || t.eq_ignore_ascii_case("tot")
        {
            return Ok(Commodity::Total);
        }
        let digits: String = t.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("HS code {t:?} is not digits"));
        }
        if digits.len() < 2 || digits.len() > 10 || digits.len() % 2 == 1 {
            return Err(format!("HS code {t:?} must have 2, 4, 6, 8 or 10 digits"));
        }
        Ok(Commodity::Hs(digits))
    }

    /// The HS chapter (two digits), if the flow has a code.
    pub fn chapter(&self) -> Option<&str> {
        match self {
            Commodity::Total => None,
            Commodity::Hs(code) => code.get(..2),
        }
    }

    pub fn code(&self) -> Option<&str> {
        match self {
            Commodity::Total => None,
            Commodity::Hs(code) => Some(code),
        }
    }
}

impl fmt::Display for Commodity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Commodity::Total => f.write_str("TOTAL"),
            Commodity::Hs(c) => f.write_str(c),
        }
    }
}

/// Where a record came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    pub file: String,
    pub line: u64,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One trade record, as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TradeFlow {
    /// ISO alpha-3 of the reporter when known (`CHN`), `WLD` for an
    /// all-partner aggregate, otherwise the reporter's name.
    pub reporter: String,
    pub reporter_name: String,
    /// ISO alpha-3 of the partner when known, otherwise its name.
    pub partner: String,
    pub flow: ReportedFlow,
    pub year: i32,
    pub commodity: Commodity,
    pub value_usd: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub origin: Origin,
}

fn is_dprk(code: &str) -> bool {
    let t = code.trim();
    DPRK_CODES.iter().any(|c| t.eq_ignore_ascii_case(c))
        || resolute_model::country_from_name(t).is_some_and(|c| c.alpha3 == "PRK")
}

impl TradeFlow {
    /// DPRK exports or imports this record stands for, or `None` when the
    /// DPRK is neither side or the flow is a re-export/re-import.
    pub fn dprk_direction(&self) -> Option<DprkDirection> {
        let partner_is_dprk = is_dprk(&self.partner);
        let reporter_is_dprk = is_dprk(&self.reporter);
        match (reporter_is_dprk, partner_is_dprk, self.flow) {
            (false, true, ReportedFlow::Import) => Some(DprkDirection::Exports),
            (false, true, ReportedFlow::Export) => Some(DprkDirection::Imports),
            (true, false, ReportedFlow::Export) => Some(DprkDirection::Exports),
            (true, false, ReportedFlow::Import) => Some(DprkDirection::Imports),
            _ => None,
        }
    }

    /// The DPRK's counterpart: the reporter for mirror data, the partner for
    /// DPRK-reported data.
    pub fn counterpart(&self) -> &str {
        if is_dprk(&self.reporter) {
            &self.partner
        } else {
            &self.reporter
        }
    }
}

/// A record that could not be read. The rest of the file is still read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{origin}: field {field}: {message}")]
pub struct RowError {
    pub origin: Origin,
    pub field: String,
    pub message: String,
}

/// A file that could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum TradeError {
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path}: {error}")]
    Csv { path: PathBuf, error: csv::Error },
    #[error(
        "{path}: unknown layout: expected the UN Comtrade legacy columns (Year, Trade Flow, Reporter, Partner, Commodity Code, Trade Value (US$)) or reporter,partner,flow,year,hs_code,value_usd,quantity,unit; missing {missing}"
    )]
    UnknownLayout { path: PathBuf, missing: String },
}

/// The flows read from one or more files, and the records skipped.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TradeData {
    pub flows: Vec<TradeFlow>,
    pub skipped: Vec<RowError>,
}

impl TradeData {
    pub fn extend(&mut self, other: TradeData) {
        self.flows.extend(other.flows);
        self.skipped.extend(other.skipped);
    }

    /// Years present in the flows that involve the DPRK, ascending.
    pub fn years(&self) -> Vec<i32> {
        let mut y: Vec<i32> = self
            .flows
            .iter()
            .filter(|f| f.dprk_direction().is_some())
            .map(|f| f.year)
            .collect();
        y.sort_unstable();
        y.dedup();
        y
    }
}

/// Which columns hold which field.
#[derive(Debug)]
struct Layout {
    reporter_iso: Option<usize>,
    reporter: usize,
    partner_iso: Option<usize>,
    partner: usize,
    flow: usize,
    year: usize,
    commodity: usize,
    value: usize,
    quantity: Option<usize>,
    unit: Option<usize>,
    /// Comtrade's net weight, used when no quantity is given.
    netweight_kg: Option<usize>,
}

fn find(headers: &[String], names: &[&str]) -> Option<usize> {
    headers
        .iter()
        .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
}

fn detect_layout(headers: &[String], path: &Path) -> Result<Layout, TradeError> {
    let comtrade = find(headers, &["Trade Value (US$)"]).is_some();
    let mut missing = Vec::new();
    let mut need = |names: &[&str]| {
        let found = find(headers, names);
        if found.is_none() {
            missing.push(names[0].to_string());
        }
        found.unwrap_or(0)
    };
    let layout = if comtrade {
        Layout {
            reporter: need(&["Reporter"]),
            partner: need(&["Partner"]),
            flow: need(&["Trade Flow"]),
            year: need(&["Year"]),
            commodity: need(&["Commodity Code"]),
            value: need(&["Trade Value (US$)"]),
            reporter_iso: find(headers, &["Reporter ISO"]),
            partner_iso: find(headers, &["Partner ISO"]),
            quantity: find(headers, &["Qty"]),
            unit: find(headers, &["Qty Unit"]),
            netweight_kg: find(headers, &["Netweight (kg)"]),
        }
    } else {
        Layout {
            reporter: need(&["reporter"]),
            partner: need(&["partner"]),
            flow: need(&["flow"]),
            year: need(&["year"]),
            commodity: need(&["hs_code"]),
            value: need(&["value_usd"]),
            reporter_iso: None,
            partner_iso: None,
            quantity: find(headers, &["quantity"]),
            unit: find(headers, &["unit"]),
            netweight_kg: None,
        }
    };
    if missing.is_empty() {
        Ok(layout)
    } else {
        Err(TradeError::UnknownLayout {
            path: path.to_path_buf(),
            missing: missing.join(", "),
        })
    }
}

fn parse_number(raw: &str) -> Option<f64> {
    let t = raw.trim().replace(',', "");
    if t.is_empty() {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Read one trade file in either layout. Bad records are returned in
/// `skipped` with file and line; the rest is read.
pub fn read_trade_file(path: &Path) -> Result<TradeData, TradeError> {
    let file = std::fs::File::open(path).map_err(|source| TradeError::Io {
        path: path.to_path_buf(),
        error: source,
    })?;
    read_trade(file, &path.display().to_string(), path)
}

/// Read trade records from any reader; `name` is used in messages.
pub fn read_trade<R: std::io::Read>(
    reader: R,
    name: &str,
    path: &Path,
) -> Result<TradeData, TradeError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|source| TradeError::Csv {
            path: path.to_path_buf(),
            error: source,
        })?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let layout = detect_layout(&headers, path)?;
    let mut data = TradeData::default();
    for result in rdr.records() {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                data.skipped.push(RowError {
                    origin: Origin {
                        file: name.to_string(),
                        line,
                    },
                    field: "record".into(),
                    message: e.to_string(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let origin = Origin {
            file: name.to_string(),
            line,
        };
        match parse_record(&record, &layout, &headers, origin.clone()) {
            Ok(flow) => data.flows.push(flow),
            Err((field, message)) => data.skipped.push(RowError {
                origin,
                field,
                message,
            }),
        }
    }
    Ok(data)
}

fn parse_record(
    record: &csv::StringRecord,
    layout: &Layout,
    headers: &[String],
    origin: Origin,
) -> Result<TradeFlow, (String, String)> {
    let get = |i: usize| record.get(i).unwrap_or("").trim();
    let field = |i: usize| {
        headers
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("column {}", i + 1))
    };
    let reporter_name = get(layout.reporter).to_string();
    let reporter_iso = layout.reporter_iso.map(get).unwrap_or("");
    let reporter = if !reporter_iso.is_empty() {
        reporter_iso.to_ascii_uppercase()
    } else {
        reporter_name.clone()
    };
    if reporter.is_empty() {
        return Err((field(layout.reporter), "empty reporter".into()));
    }
    let partner_name = get(layout.partner);
    let partner_iso = layout.partner_iso.map(get).unwrap_or("");
    let partner = if !partner_iso.is_empty() {
        partner_iso.to_ascii_uppercase()
    } else {
        partner_name.to_string()
    };
    if partner.is_empty() {
        return Err((field(layout.partner), "empty partner".into()));
    }
    let flow_raw = get(layout.flow);
    let flow = ReportedFlow::parse(flow_raw).ok_or_else(|| {
        (
            field(layout.flow),
            format!("unknown flow {flow_raw:?} (expected Import, Export, Re-Export, Re-Import)"),
        )
    })?;
    let year_raw = get(layout.year);
    let year: i32 = year_raw
        .parse()
        .ok()
        .filter(|y| (1900..=2100).contains(y))
        .ok_or_else(|| {
            (
                field(layout.year),
                format!("year {year_raw:?} is not a year between 1900 and 2100"),
            )
        })?;
    let commodity =
        Commodity::parse(get(layout.commodity)).map_err(|m| (field(layout.commodity), m))?;
    let value_raw = get(layout.value);
    let value_usd = parse_number(value_raw)
        .filter(|v| *v >= 0.0)
        .ok_or_else(|| {
            (
                field(layout.value),
                format!("trade value {value_raw:?} is not a non-negative number"),
            )
        })?;
    let mut quantity = layout
        .quantity
        .and_then(|i| parse_number(get(i)))
        .filter(|q| *q > 0.0);
    let mut unit = layout
        .unit
        .map(get)
        .filter(|u| !u.is_empty() && !u.eq_ignore_ascii_case("No Quantity"))
        .map(str::to_string);
    if quantity.is_none() || unit.is_none() {
        if let Some(kg) = layout
            .netweight_kg
            .and_then(|i| parse_number(get(i)))
            .filter(|q| *q > 0.0)
        {
            quantity = Some(kg);
            unit = Some("kg".into());
        } else if quantity.is_some() && unit.is_none() {
            quantity = None;
        }
    }
    Ok(TradeFlow {
        reporter,
        reporter_name,
        partner,
        flow,
        year,
        commodity,
        value_usd,
        quantity,
        unit,
        origin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(s: &str) -> TradeData {
        read_trade(s.as_bytes(), "test.csv", Path::new("test.csv")).expect("layout")
    }

    #[test]
    fn simple_layout_and_mirror_direction() {
        let d = read_str(
            "reporter,partner,flow,year,hs_code,value_usd,quantity,unit\n\
             CHN,PRK,Import,2016,2701,100,5,t\n\
             CHN,PRK,Export,2016,TOTAL,50,,\n\
             PRK,CHN,Export,2016,03,7,,\n\
             CHN,USA,Import,2016,2701,9,,\n\
             CHN,PRK,Re-Export,2016,TOTAL,1,,\n",
        );
        assert!(d.skipped.is_empty(), "{:?}", d.skipped);
        let dirs: Vec<_> = d.flows.iter().map(TradeFlow::dprk_direction).collect();
        assert_eq!(
            dirs,
            vec![
                Some(DprkDirection::Exports),
                Some(DprkDirection::Imports),
                Some(DprkDirection::Exports),
                None,
                None
            ]
        );
        assert_eq!(d.flows[0].commodity, Commodity::Hs("2701".into()));
        assert_eq!(d.flows[0].quantity, Some(5.0));
        assert_eq!(d.flows[2].counterpart(), "CHN");
    }

    #[test]
    fn bad_rows_are_reported_with_line_and_field_and_the_rest_is_read() {
        let d = read_str(
            "reporter,partner,flow,year,hs_code,value_usd,quantity,unit\n\
             CHN,PRK,Import,2016,2701,100,,\n\
             CHN,PRK,Sideways,2016,2701,100,,\n\
             CHN,PRK,Import,20x6,2701,100,,\n\
             CHN,PRK,Import,2016,27A1,100,,\n\
             CHN,PRK,Import,2016,270,100,,\n\
             CHN,PRK,Import,2016,2701,-3,,\n\
             CHN,PRK,Import,2016,2701,12,,\n",
        );
        assert_eq!(d.flows.len(), 2);
        let msgs: Vec<String> = d.skipped.iter().map(ToString::to_string).collect();
        assert_eq!(d.skipped.len(), 5, "{msgs:?}");
        assert!(
            msgs[0].starts_with("test.csv:3: field flow: unknown flow \"Sideways\""),
            "{}",
            msgs[0]
        );
        assert!(msgs[1].starts_with("test.csv:4: field year"), "{}", msgs[1]);
        assert!(
            msgs[2].contains("field hs_code") && msgs[2].contains("not digits"),
            "{}",
            msgs[2]
        );
        assert!(msgs[3].contains("2, 4, 6, 8 or 10 digits"), "{}", msgs[3]);
        assert!(
            msgs[4].starts_with("test.csv:7: field value_usd"),
            "{}",
            msgs[4]
        );
    }

    #[test]
    fn unknown_layout_names_missing_columns() {
        let e = read_trade("a,b,c\n1,2,3\n".as_bytes(), "x.csv", Path::new("x.csv"))
            .expect_err("must fail");
        let msg = e.to_string();
        assert!(
            msg.contains("unknown layout") && msg.contains("reporter"),
            "{msg}"
        );
    }
}
