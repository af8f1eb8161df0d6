//! The transaction JSON contract (one object per line) and its validation.
//!
//! Field names are fixed: scripts rely on them. Unknown fields are ignored so
//! that callers may carry their own references along.

use chrono::NaiveDate;
use resolute_model::country_by_code;
use resolute_regime::{Action, HsEdition, Regime, hs};
use serde::Deserialize;

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
    pub mmsi: Option<serde_json::Value>,
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
    /// Nine digits.
    pub mmsi: Option<String>,
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

fn country(field: &str, v: &Option<String>) -> Result<Option<String>, String> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(code) => {
            if code.len() != 2 {
                return Err(format!(
                    "{field}: {code:?} is not an ISO 3166-1 alpha-2 code"
                ));
            }
            country_by_code(code)
                .map(|c| Some(c.alpha2.clone()))
                .map_err(|e| format!("{field}: {e}"))
        }
    }
}

fn parse_date(field: &str, v: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{field}: {v:?} is not an ISO date (YYYY-MM-DD)"))
}

impl Transaction {
    /// Validate a raw line; every problem names the field.
    pub fn from_raw(raw: RawTransaction, regime: &Regime) -> Result<Transaction, String> {
        let id = id_text(&raw.id);
        if id.is_empty() {
            return Err("id: missing".into());
        }
        let kind = match raw.kind.as_deref().map(str::trim) {
            Some("goods") => TxKind::Goods,
            Some("payment") => TxKind::Payment,
            Some("work_authorization") => TxKind::WorkAuthorization,
            Some("joint_venture") => TxKind::JointVenture,
            Some("vessel") => TxKind::Vessel,
            Some(other) => {
                return Err(format!(
                    "kind: {other:?} is not one of goods, payment, work_authorization, joint_venture, vessel"
                ));
            }
            None => return Err("kind: missing".into()),
        };
        let date = parse_date("date", raw.date.as_deref().ok_or("date: missing")?)?;
        let mut parties = Vec::with_capacity(raw.parties.len());
        for (i, p) in raw.parties.into_iter().enumerate() {
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
                return Err(format!(
                    "parties[{i}].bic: {b:?} is not an 8- or 11-character BIC"
                ));
            }
            parties.push(Party {
                role: p.role.unwrap_or_else(|| "party".into()),
                name: p.name.filter(|n| !n.trim().is_empty()),
                country: country(&format!("parties[{i}].country"), &p.country)?,
                bic,
            });
        }
        for (i, c) in raw.exception_claims.iter().enumerate() {
            if regime.exception(c).is_none() {
                return Err(format!("exception_claims[{i}]: unknown exception id {c:?}"));
            }
        }
        let (hs, hs_description) = match raw.hs_code.as_deref() {
            Some(code) if !code.trim().is_empty() => {
                let edition = HsEdition::for_date(date);
                let v = hs::nomenclature(edition)
                    .validate(code)
                    .map_err(|e| format!("hs_code: {e}"))?;
                (Some(v.code), Some(v.description))
            }
            _ => (None, None),
        };
        if kind == TxKind::Goods && hs.is_none() {
            return Err("hs_code: missing (required for goods)".into());
        }
        let unit = raw
            .unit
            .as_deref()
            .map(|u| match u.trim().to_ascii_lowercase().as_str() {
                "kg" => QuantityUnit::Kg,
                "t" | "mt" | "tonne" | "tonnes" => QuantityUnit::T,
                "bbl" | "barrel" | "barrels" => QuantityUnit::Bbl,
                "item" | "items" | "unit" | "units" | "pcs" => QuantityUnit::Item,
                _ => QuantityUnit::Other,
            });
        if let Some(q) = raw.quantity
            && !(q.is_finite() && q >= 0.0)
        {
            return Err(format!("quantity: {q} must be a non-negative number"));
        }
        if raw.quantity.is_some() && unit.is_none() {
            return Err("unit: required with quantity".into());
        }
        if let Some(v) = raw.value_usd
            && !(v.is_finite() && v >= 0.0)
        {
            return Err(format!("value_usd: {v} must be a non-negative number"));
        }
        let contract_date = raw
            .contract_date
            .as_deref()
            .map(|d| parse_date("contract_date", d))
            .transpose()?;
        let vessel = match raw.vessel {
            None => None,
            Some(v) => {
                let imo = match &v.imo {
                    None | Some(serde_json::Value::Null) => None,
                    Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                    Some(serde_json::Value::String(s)) => {
                        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
                        if digits.len() != 7 {
                            return Err(format!("vessel.imo: {s:?} is not a 7-digit IMO number"));
                        }
                        Some(digits)
                    }
                    Some(other) => return Err(format!("vessel.imo: {other} is not an IMO number")),
                };
                Some(Vessel {
                    name: v.name.filter(|n| !n.trim().is_empty()),
                    imo,
                    mmsi: crate::vessels::parse_mmsi(&v.mmsi)?,
                    flag: country("vessel.flag", &v.flag)?,
                })
            }
        };
        let action = match raw.action.as_deref() {
            None => None,
            Some(a) => Some(
                Action::parse(a).ok_or_else(|| format!("action: {a:?} is not a known action"))?,
            ),
        };
        let allowed: &[Action] = match kind {
            TxKind::WorkAuthorization => &[Action::New, Action::Renewal, Action::Maintain],
            TxKind::JointVenture => &[Action::Open, Action::Expand, Action::Maintain],
            TxKind::Vessel => &[
                Action::Charter,
                Action::PortEntry,
                Action::Register,
                Action::Sale,
                Action::ShipToShip,
            ],
            _ => &[],
        };
        match action {
            None if !allowed.is_empty() => return Err("action: missing".into()),
            Some(a) if !allowed.contains(&a) => {
                return Err(format!(
                    "action: {a:?} does not apply to this kind of transaction"
                ));
            }
            _ => {}
        }
        let worker = match raw.worker {
            None if kind == TxKind::WorkAuthorization => return Err("worker: missing".into()),
            None => None,
            Some(w) => Some(Worker {
                name: w.name,
                nationality: country("worker.nationality", &w.nationality)?,
                birth_date: w.birth_date,
            }),
        };
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
