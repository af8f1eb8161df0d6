//! The regime data model: what one `regime/dprk/<number>.toml` file holds.
//!
//! The TOML shape is described for editors in `regime/SCHEMA.md`. Every
//! struct denies unknown fields so that a misspelt key is an error rather
//! than a silently ignored rule.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::hs::HsEdition;

/// One resolution file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResolutionFile {
    pub resolution: Resolution,
    #[serde(default)]
    pub measures: Vec<Measure>,
    #[serde(default)]
    pub exceptions: Vec<Exception>,
    #[serde(default)]
    pub designations: Vec<DesignationRound>,
}

/// The resolution itself.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    /// 2371
    pub number: u32,
    pub year: u16,
    /// `S/RES/2371 (2017)`
    pub symbol: String,
    pub adopted: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<u32>,
    pub title: String,
    /// Where the facts of this file come from (URLs or document symbols).
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What a measure does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// The DPRK shall not supply, sell or transfer the goods; States shall prohibit procurement.
    ExportBan,
    /// States shall prevent supply, sale or transfer of the goods to the DPRK.
    SupplyBan,
    /// Supply or export allowed up to an aggregate amount per period.
    QuantityCap,
    AssetFreeze,
    TravelBan,
    WorkAuthorizations,
    JointVentures,
    Vessels,
    FinancialServices,
    LuxuryGoods,
    ArmsEmbargo,
    /// The DPRK selling or transferring fishing rights (2397 para 6 on the
    /// seafood ban of 2371 para 9): a right, not goods with an HS code.
    FishingRights,
    /// Inspection, reporting, committee mandates: part of the regime, not a
    /// rule a single transaction can break.
    Other,
}

impl MeasureKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            MeasureKind::ExportBan => "export_ban",
            MeasureKind::SupplyBan => "supply_ban",
            MeasureKind::QuantityCap => "quantity_cap",
            MeasureKind::AssetFreeze => "asset_freeze",
            MeasureKind::TravelBan => "travel_ban",
            MeasureKind::WorkAuthorizations => "work_authorizations",
            MeasureKind::JointVentures => "joint_ventures",
            MeasureKind::Vessels => "vessels",
            MeasureKind::FinancialServices => "financial_services",
            MeasureKind::LuxuryGoods => "luxury_goods",
            MeasureKind::ArmsEmbargo => "arms_embargo",
            MeasureKind::FishingRights => "fishing_rights",
            MeasureKind::Other => "other",
        }
    }

    /// Kinds that bear on goods and therefore carry HS codes and a direction.
    pub fn is_goods(&self) -> bool {
        matches!(
            self,
            MeasureKind::ExportBan
                | MeasureKind::SupplyBan
                | MeasureKind::QuantityCap
                | MeasureKind::LuxuryGoods
                | MeasureKind::ArmsEmbargo
        )
    }
}

/// Which way goods move for a goods measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Goods of DPRK origin, shipped from the DPRK, or carried under its flag.
    FromDprk,
    /// Goods going to the DPRK.
    ToDprk,
}

/// The outcome a finding carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    Permitted,
    Review,
    Prohibited,
}

impl Effect {
    pub fn as_str(&self) -> &'static str {
        match self {
            Effect::Permitted => "permitted",
            Effect::Review => "review",
            Effect::Prohibited => "prohibited",
        }
    }
}

/// What the encoding of a paragraph rests on, strongest first.
///
/// `verified = true` is allowed only for the first two: the Council's own
/// words. A national or EU act, a press release or a summary can be right,
/// but it is someone else's reading of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    /// The paragraph's operative wording was read verbatim in an official UN
    /// language (the UN document, or a verbatim copy labelled with the paragraph).
    Verbatim,
    /// The wording was not read, but the Security Council (a later resolution)
    /// or its 1718 Committee (Committee page, list or notice) cites the
    /// paragraph by number with its subject.
    CouncilCitation,
    /// A national or EU act implementing the resolution cites the paragraph or
    /// transposes its content.
    ImplementingAct,
    /// Anything else: press releases, fact sheets, news, summaries without the
    /// paragraph number, or no source at all.
    Secondary,
}

impl Verification {
    pub const ALL: [Verification; 4] = [
        Verification::Verbatim,
        Verification::CouncilCitation,
        Verification::ImplementingAct,
        Verification::Secondary,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Verification::Verbatim => "verbatim",
            Verification::CouncilCitation => "council_citation",
            Verification::ImplementingAct => "implementing_act",
            Verification::Secondary => "secondary",
        }
    }

    /// Whether this kind of source may back `verified = true`.
    pub fn supports_verified(&self) -> bool {
        matches!(self, Verification::Verbatim | Verification::CouncilCitation)
    }
}

/// Goods covered, as an HS prefix in a stated edition.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GoodsRef {
    pub hs: String,
    pub edition: HsEdition,
    /// Filled in from the nomenclature at load time when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Only declarations with a value above this count (luxury thresholds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value_usd: Option<f64>,
}

/// Actions of non-goods transactions a measure covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    // work authorizations
    New,
    Renewal,
    Maintain,
    // joint ventures
    Open,
    Expand,
    // vessels
    Charter,
    PortEntry,
    Register,
    Sale,
    ShipToShip,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        Some(match s.trim() {
            "new" => Action::New,
            "renewal" => Action::Renewal,
            "maintain" => Action::Maintain,
            "open" => Action::Open,
            "expand" => Action::Expand,
            "charter" => Action::Charter,
            "port_entry" => Action::PortEntry,
            "register" => Action::Register,
            "sale" => Action::Sale,
            "ship_to_ship" => Action::ShipToShip,
            _ => return None,
        })
    }
}

/// What makes a vessel measure bite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VesselCondition {
    /// The vessel flies the DPRK flag.
    DprkFlag,
    /// The vessel is designated (matched on a list by IMO number or name).
    Designated,
    /// The counterparty or destination is the DPRK.
    ToDprk,
}

/// A period over which amounts are drawn down against a cap.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CapPeriod {
    pub start: NaiveDate,
    /// Last day of a one-off period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
    /// The period repeats every so many months from `start` ("and twelve-month periods thereafter").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_months: Option<u32>,
    /// Every limit must hold ("whichever is lower" / "or").
    pub limits: Vec<CapLimit>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CapLimit {
    pub amount: f64,
    pub unit: CapUnit,
}

/// Units a cap is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CapUnit {
    /// Barrels.
    Bbl,
    /// Metric tonnes.
    T,
    /// US dollars of value.
    Usd,
}

impl CapUnit {
    pub fn as_str(&self) -> &'static str {
        match self {
            CapUnit::Bbl => "bbl",
            CapUnit::T => "t",
            CapUnit::Usd => "USD",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Cap {
    pub periods: Vec<CapPeriod>,
    /// What a transaction within the cap gets (the preconditions to check).
    pub within_cap: Effect,
    /// What must be checked for a transaction within the cap.
    #[serde(default)]
    pub requires: Vec<String>,
}

/// Contracts concluded before a date may be completed within a number of days.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WindDown {
    /// Contracts concluded before this date qualify (usually the adoption date).
    pub contracts_before: NaiveDate,
    /// Days from `from` within which the transaction must happen.
    pub days: u32,
    /// Day the count starts (usually the adoption date).
    pub from: NaiveDate,
    /// Applies to these actions rather than to goods with a contract date
    /// (joint ventures to be closed within 120 days).
    #[serde(default)]
    pub actions: Vec<Action>,
    #[serde(default)]
    pub requires: Vec<String>,
    pub source: String,
    pub verified: bool,
    /// What the wind-down's wording rests on.
    pub verification: Verification,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl WindDown {
    /// Last day of the wind-down.
    pub fn until(&self) -> NaiveDate {
        self.from
            .checked_add_days(chrono::Days::new(u64::from(self.days)))
            .unwrap_or(self.from)
    }
}

/// A measure: one rule of the regime, as of its paragraph.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Measure {
    /// Stable id: `dprk/<resolution>/<paragraph>/<slug>`.
    pub id: String,
    pub resolution: u32,
    /// Operative paragraphs, as the resolution numbers them (`8`, `8(d)`, `annex IV`).
    pub paragraphs: Vec<String>,
    pub kind: MeasureKind,
    pub title: String,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goods: Vec<GoodsRef>,
    /// Where the HS mapping comes from (most resolutions name goods, not codes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goods_note: Option<String>,
    /// What applying the measure gives (default prohibited; review where the
    /// rule needs a judgement the data cannot make, e.g. "luxury").
    #[serde(default = "default_effect")]
    pub effect: Effect,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Action>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vessel_condition: Option<VesselCondition>,
    pub effective: NaiveDate,
    /// Last day in force, when the text sets one or it is replaced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wind_down: Option<WindDown>,
    /// Ids of exceptions a transaction may claim against this measure.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<Cap>,
    pub source: String,
    /// True only when the paragraph number and content were checked against
    /// the Council's own words: its text ([`Verification::Verbatim`]) or its
    /// citation of the paragraph ([`Verification::CouncilCitation`]).
    pub verified: bool,
    /// The kind of source the measure rests on (validated against `verified`).
    pub verification: Verification,
    /// What was and was not checked, with the passages quoted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_note: Option<String>,
}

fn default_effect() -> Effect {
    Effect::Prohibited
}

impl Measure {
    /// In force on `date` (from `effective` to `ends` inclusive).
    pub fn in_force(&self, date: NaiveDate) -> bool {
        date >= self.effective && self.ends.is_none_or(|e| date <= e)
    }

    /// `8`, or `8, 9` for several paragraphs.
    pub fn paragraph_label(&self) -> String {
        self.paragraphs.join(", ")
    }
}

/// Machine-checkable preconditions of an exception (beyond what a human must check).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionCondition {
    /// The goods must not be of DPRK origin (Rajin transit).
    OriginOutsideDprk,
    /// A contract date before the given date is required.
    ContractBefore,
}

/// An exception a transaction may claim.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    pub id: String,
    pub resolution: u32,
    pub paragraphs: Vec<String>,
    pub title: String,
    /// What must be checked before the transaction may go ahead.
    pub requires: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<ExceptionCondition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_before: Option<NaiveDate>,
    /// First day a transaction may claim it; filled with the adoption date of
    /// its resolution when the file does not give one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<NaiveDate>,
    pub source: String,
    pub verified: bool,
    /// The kind of source the exception rests on (validated against `verified`).
    pub verification: Verification,
    /// What was and was not checked, with the passages quoted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_note: Option<String>,
}

impl Exception {
    /// Claimable on `date` (from `effective`; always set once loaded).
    pub fn in_force(&self, date: NaiveDate) -> bool {
        self.effective.is_none_or(|e| date >= e)
    }

    /// `8`, or `8, 9` for several paragraphs.
    pub fn paragraph_label(&self) -> String {
        self.paragraphs.join(", ")
    }
}

/// A round of designations: the entries listed on one date, and the
/// resolution (or Committee decision) that listed them.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DesignationRound {
    pub listed_on: NaiveDate,
    /// `resolution` (annexes of this resolution) or `committee` (a 1718 Committee decision).
    pub by: DesignatedBy,
    /// Where the listing is set out (`annex I`, `annex II`).
    pub annexes: Vec<String>,
    /// Reference numbers as in the UN list (`KPe.047–050`).
    pub references: String,
    pub individuals: u32,
    pub entities: u32,
    pub source: String,
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DesignatedBy {
    Resolution,
    Committee,
}
