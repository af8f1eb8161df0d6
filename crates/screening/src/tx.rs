//! The transaction JSON contract (one object per line) and its validation.
//!
//! Field names are fixed: scripts rely on them. Unknown fields are ignored so
//! that callers may carry their own references along.
//!
//! Every line has `id`, `kind` and `date` (`YYYY-MM-DD`); `parties`
//! (`role`, `name`, `country`, `bic`) and `exception_claims` (exception ids,
//! `resolute regime exceptions` lists them) are optional. By kind:
//!
//! - `goods`: `hs_code` (required, validated in the HS edition in force on the
//!   date), `origin`, `from`, `to`, `quantity` + `unit`, `value_usd`,
//!   `contract_date` (for wind-downs), `vessel` (its flag counts as "from the DPRK").
//! - `payment`: `parties` (a DPRK country or a BIC with `KP` in positions 5–6 is the nexus).
//! - `work_authorization`: `action` (`new`, `renewal`, `maintain`), `worker`
//!   (`name`, `nationality`, `birthDate`), `contract_date`.
//! - `joint_venture`: `action` (`open`, `expand`, `maintain`), `parties`.
//! - `vessel`: `action` (`charter`, `port_entry`, `register`, `sale`,
//!   `ship_to_ship`), `vessel` (`name`, `imo`, `flag`), `to`. An `imo` that is
//!   null, empty or blank is an unknown IMO number: the vessel is still screened
//!   by name.
//! - `fishing_rights`: a sale, licence or other transfer of fishing rights. No
//!   `action`. `from` is the country selling or transferring the rights, `origin`
//!   the country whose waters they are for, `to` the country of the buyer. From
//!   the DPRK (`from` or `origin` `KP`) the seafood ban of 2371 para 9 (as 2397
//!   para 6 clarified it) prohibits it; a DPRK party in another role makes it a
//!   review, since the ban also covers indirect transfers.
//!
//! Validation runs in named stages ([`Transaction::from_raw`]); the first
//! problem rejects the line with a [`TxError`] that names the field.

use chrono::NaiveDate;
use resolute_model::country_by_code;
use resolute_regime::{Action, HsEdition, Regime, hs};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawTransaction {
    pub id: Option<serde_json::Value>,
    pub kind: Option<String>,
    pub date: Option<String>,
    #[serde(default)]
    pub parties: Vec<RawParty>,
    #[serde(default)]
    pub exception_claims: Vec<String>,
    pub hs_code: Option<String>,
    pub description: Option<String>,
    pub origin: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub quantity: Option<f64>,
    pub unit: Option<String>,
    pub value_usd: Option<f64>,
    pub contract_date: Option<String>,
    pub vessel: Option<RawVessel>,
    pub action: Option<String>,
    pub worker: Option<RawWorker>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawParty {
    pub role: Option<String>,
    pub name: Option<String>,
    pub country: Option<String>,
    pub bic: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawVessel {
    pub name: Option<String>,
    pub imo: Option<serde_json::Value>,
    pub flag: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawWorker {
    pub name: Option<String>,
    pub nationality: Option<String>,
    #[serde(rename = "birthDate")]
    pub birth_date: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxKind {
    Goods,
    Payment,
    WorkAuthorization,
    JointVenture,
    Vessel,
    FishingRights,
}

impl TxKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            TxKind::Goods => "goods",
            TxKind::Payment => "payment",
            TxKind::WorkAuthorization => "work_authorization",
            TxKind::JointVenture => "joint_venture",
            TxKind::Vessel => "vessel",
            TxKind::FishingRights => "fishing_rights",
        }
    }

    const ALL: [TxKind; 6] = [
        TxKind::Goods,
        TxKind::Payment,
        TxKind::WorkAuthorization,
        TxKind::JointVenture,
        TxKind::Vessel,
        TxKind::FishingRights,
    ];

    /// The actions a transaction of this kind must give one of (none: no action).
    fn actions(&self) -> &'static [Action] {
        match self {
            TxKind::WorkAuthorization => &[Action::New, Action::Renewal, Action::Maintain],
            TxKind::JointVenture => &[Action::Open, Action::Expand, Action::Maintain],
            TxKind::Vessel => &[
                Action::Charter,
                Action::PortEntry,
                Action::Register,
                Action::Sale,
                Action::ShipToShip,
            ],
            TxKind::Goods | TxKind::Payment | TxKind::FishingRights => &[],
        }
    }
}

/// Why a line is not a valid transaction; every variant names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    #[error("{field}: missing{}", .why.map(|w| format!(" ({w})")).unwrap_or_default())]
    Missing {
        field: &'static str,
        why: Option<&'static str>,
    },
    #[error("{field}: {problem}")]
    Invalid { field: String, problem: String },
    #[error(
        "exception_claims[{index}]: unknown exception id {id:?}{}",
        closest_label(closest)
    )]
    UnknownException {
        index: usize,
        id: String,
        /// The valid ids closest to it, best first.
        closest: Vec<String>,
    },
}

fn closest_label(closest: &[String]) -> String {
    if closest.is_empty() {
        String::new()
    } else {
        format!("; closest: {}", closest.join(", "))
    }
}

fn missing(field: &'static str) -> TxError {
    TxError::Missing { field, why: None }
}

fn invalid(field: impl Into<String>, problem: impl std::fmt::Display) -> TxError {
    TxError::Invalid {
        field: field.into(),
        problem: problem.to_string(),
    }
}

/// Units a quantity may be declared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantityUnit {
    Kg,
    T,
    Bbl,
    Item,
    Other,
}

#[derive(Debug, Clone)]
pub struct Party {
    pub role: String,
    pub name: Option<String>,
    /// ISO alpha-2, upper case.
    pub country: Option<String>,
    /// Upper case, no spaces.
    pub bic: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Vessel {
    pub name: Option<String>,
    /// Digits only.
    pub imo: Option<String>,
    pub flag: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Worker {
    pub name: Option<String>,
    pub nationality: Option<String>,
    pub birth_date: Option<String>,
}

/// A validated transaction.
#[derive(Debug, Clone)]
pub struct Transaction {
    pub id: String,
    pub kind: TxKind,
    pub date: NaiveDate,
    pub parties: Vec<Party>,
    /// Exception ids claimed (each validated to exist in the regime).
    pub exception_claims: Vec<String>,
    /// Normalized HS digits, validated in the edition in force on `date`.
    pub hs: Option<String>,
    pub hs_description: Option<String>,
    pub description: Option<String>,
    pub origin: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub quantity: Option<f64>,
    pub unit: Option<QuantityUnit>,
    pub value_usd: Option<f64>,
    pub contract_date: Option<NaiveDate>,
    pub vessel: Option<Vessel>,
    pub action: Option<Action>,
    pub worker: Option<Worker>,
}

/// The `id` of a line as the output should echo it (string or number as given).
pub fn id_text(v: &Option<serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn country(field: &str, v: &Option<String>) -> Result<Option<String>, TxError> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(code) if code.len() != 2 => Err(invalid(
            field,
            format!("{code:?} is not an ISO 3166-1 alpha-2 code"),
        )),
        Some(code) => country_by_code(code)
            .map(|c| Some(c.alpha2.clone()))
            .map_err(|e| invalid(field, e)),
    }
}

fn parse_date(field: &str, v: &str) -> Result<NaiveDate, TxError> {
    resolute_regime::parse_date(v).map_err(|e| invalid(field, e))
}

fn parse_kind(kind: Option<&str>) -> Result<TxKind, TxError> {
    let kind = kind.map(str::trim).ok_or(missing("kind"))?;
    TxKind::ALL
        .into_iter()
        .find(|k| k.as_str() == kind)
        .ok_or_else(|| {
            let names: Vec<&str> = TxKind::ALL.iter().map(TxKind::as_str).collect();
            invalid(
                "kind",
                format!("{kind:?} is not one of {}", names.join(", ")),
            )
        })
}

fn parse_parties(raw: Vec<RawParty>) -> Result<Vec<Party>, TxError> {
    let mut parties = Vec::with_capacity(raw.len());
    for (i, p) in raw.into_iter().enumerate() {
        let bic = p
            .bic
            .as_deref()
            .map(|b| {
                b.chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    .to_ascii_uppercase()
            })
            .filter(|b| !b.is_empty());
        if let Some(b) = &bic
            && !(b.len() == 8 || b.len() == 11)
        {
            return Err(invalid(
                format!("parties[{i}].bic"),
                format!("{b:?} is not an 8- or 11-character BIC"),
            ));
        }
        parties.push(Party {
            role: p.role.unwrap_or_else(|| "party".into()),
            name: p.name.filter(|n| !n.trim().is_empty()),
            country: country(&format!("parties[{i}].country"), &p.country)?,
            bic,
        });
    }
    Ok(parties)
}

/// Every claimed id must exist; an unknown one is answered with the closest ids.
fn check_exception_claims(claims: &[String], regime: &Regime) -> Result<(), TxError> {
    match claims
        .iter()
        .enumerate()
        .find(|(_, c)| regime.exception(c).is_none())
    {
        None => Ok(()),
        Some((index, id)) => Err(TxError::UnknownException {
            index,
            id: id.clone(),
            closest: regime
                .closest_exception_ids(id, 3)
                .into_iter()
                .map(String::from)
                .collect(),
        }),
    }
}

/// The HS code, validated in the edition in force on `date` (required for goods).
fn parse_hs(
    code: Option<&str>,
    kind: TxKind,
    date: NaiveDate,
) -> Result<(Option<String>, Option<String>), TxError> {
    match code {
        Some(code) if !code.trim().is_empty() => {
            let v = hs::nomenclature(HsEdition::for_date(date))
                .validate(code)
                .map_err(|e| invalid("hs_code", e))?;
            Ok((Some(v.code), Some(v.description)))
        }
        _ if kind == TxKind::Goods => Err(TxError::Missing {
            field: "hs_code",
            why: Some("required for goods"),
        }),
        _ => Ok((None, None)),
    }
}

fn parse_unit(unit: &str) -> QuantityUnit {
    match unit.trim().to_ascii_lowercase().as_str() {
        "kg" => QuantityUnit::Kg,
        "t" | "mt" | "tonne" | "tonnes" => QuantityUnit::T,
        "bbl" | "barrel" | "barrels" => QuantityUnit::Bbl,
        "item" | "items" | "unit" | "units" | "pcs" => QuantityUnit::Item,
        _ => QuantityUnit::Other,
    }
}

/// Quantity and unit (a quantity needs a unit) and the declared value.
fn parse_amounts(
    quantity: Option<f64>,
    unit: Option<&str>,
    value_usd: Option<f64>,
) -> Result<Option<QuantityUnit>, TxError> {
    let unit = unit.map(parse_unit);
    if let Some(q) = quantity
        && !(q.is_finite() && q >= 0.0)
    {
        return Err(invalid(
            "quantity",
            format!("{q} must be a non-negative number"),
        ));
    }
    if quantity.is_some() && unit.is_none() {
        return Err(invalid("unit", "required with quantity"));
    }
    if let Some(v) = value_usd
        && !(v.is_finite() && v >= 0.0)
    {
        return Err(invalid(
            "value_usd",
            format!("{v} must be a non-negative number"),
        ));
    }
    Ok(unit)
}

/// An IMO number as 7 digits; null, empty or blank is an unknown number.
fn parse_imo(imo: Option<&Value>) -> Result<Option<String>, TxError> {
    match imo {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(Value::String(s)) => {
            let digits: String = s.chars().filter(char::is_ascii_digit).collect();
            if digits.len() != 7 {
                return Err(invalid(
                    "vessel.imo",
                    format!("{s:?} is not a 7-digit IMO number"),
                ));
            }
            Ok(Some(digits))
        }
        Some(other) => Err(invalid(
            "vessel.imo",
            format!("{other} is not an IMO number"),
        )),
    }
}

fn parse_vessel(v: RawVessel) -> Result<Vessel, TxError> {
    Ok(Vessel {
        name: v.name.filter(|n| !n.trim().is_empty()),
        imo: parse_imo(v.imo.as_ref())?,
        flag: country("vessel.flag", &v.flag)?,
    })
}

/// The action, required for (and limited to) the kinds that have actions.
fn parse_action(action: Option<&str>, kind: TxKind) -> Result<Option<Action>, TxError> {
    let action = action
        .map(|a| {
            Action::parse(a)
                .ok_or_else(|| invalid("action", format!("{a:?} is not a known action")))
        })
        .transpose()?;
    let allowed = kind.actions();
    match action {
        None if !allowed.is_empty() => Err(missing("action")),
        Some(a) if !allowed.contains(&a) => Err(invalid(
            "action",
            format!("{a:?} does not apply to this kind of transaction"),
        )),
        _ => Ok(action),
    }
}

fn parse_worker(worker: Option<RawWorker>, kind: TxKind) -> Result<Option<Worker>, TxError> {
    match worker {
        None if kind == TxKind::WorkAuthorization => Err(missing("worker")),
        None => Ok(None),
        Some(w) => Ok(Some(Worker {
            name: w.name,
            nationality: country("worker.nationality", &w.nationality)?,
            birth_date: w.birth_date,
        })),
    }
}

impl Transaction {
    /// Validate a raw line, stage by stage; the first problem names its field.
    pub fn from_raw(raw: RawTransaction, regime: &Regime) -> Result<Transaction, TxError> {
        let id = id_text(&raw.id);
        if id.is_empty() {
            return Err(missing("id"));
        }
        let kind = parse_kind(raw.kind.as_deref())?;
        let date = parse_date("date", raw.date.as_deref().ok_or(missing("date"))?)?;
        let parties = parse_parties(raw.parties)?;
        check_exception_claims(&raw.exception_claims, regime)?;
        let (hs, hs_description) = parse_hs(raw.hs_code.as_deref(), kind, date)?;
        let unit = parse_amounts(raw.quantity, raw.unit.as_deref(), raw.value_usd)?;
        let contract_date = raw
            .contract_date
            .as_deref()
            .map(|d| parse_date("contract_date", d))
            .transpose()?;
        let vessel = raw.vessel.map(parse_vessel).transpose()?;
        let action = parse_action(raw.action.as_deref(), kind)?;
        let worker = parse_worker(raw.worker, kind)?;
        Ok(Transaction {
            id,
            kind,
            date,
            parties,
            exception_claims: raw.exception_claims,
            hs,
            hs_description,
            description: raw.description,
            origin: country("origin", &raw.origin)?,
            from: country("from", &raw.from)?,
            to: country("to", &raw.to)?,
            quantity: raw.quantity,
            unit,
            value_usd: raw.value_usd,
            contract_date,
            vessel,
            action,
            worker,
        })
    }
}
