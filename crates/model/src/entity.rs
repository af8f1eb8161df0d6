//! Sanctioned entities in FollowTheMoney shape, with list metadata.

use std::borrow::Cow;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::date::FuzzyDate;
use crate::properties::Properties;

/// FtM property names used by Resolute.
pub mod prop {
    /// The constants, and `KNOWN` listing them all (so [`key`] cannot miss one).
    macro_rules! names {
        ($($constant:ident = $name:literal,)*) => {
            $(pub const $constant: &str = $name;)*
            const KNOWN: &[&str] = &[$($constant),*];
        };
    }

    names! {
        NAME = "name",
        ALIAS = "alias",
        WEAK_ALIAS = "weakAlias",
        PREVIOUS_NAME = "previousName",
        FIRST_NAME = "firstName",
        MIDDLE_NAME = "middleName",
        LAST_NAME = "lastName",
        TITLE = "title",
        GENDER = "gender",
        BIRTH_DATE = "birthDate",
        BIRTH_PLACE = "birthPlace",
        NATIONALITY = "nationality",
        CITIZENSHIP = "citizenship",
        COUNTRY = "country",
        JURISDICTION = "jurisdiction",
        PASSPORT_NUMBER = "passportNumber",
        ID_NUMBER = "idNumber",
        REGISTRATION_NUMBER = "registrationNumber",
        ADDRESS = "address",
        IMO_NUMBER = "imoNumber",
        MMSI = "mmsi",
        CALL_SIGN = "callSign",
        FLAG = "flag",
        BUILD_DATE = "buildDate",
        TONNAGE = "tonnage",
        TYPE = "type",
        SWIFT_BIC = "swiftBic",
        EMAIL = "email",
        WEBSITE = "website",
        POSITION = "position",
        NOTES = "notes",
        TOPICS = "topics",
        PROGRAM = "program",
        SOURCE_URL = "sourceUrl",
        BIRTH_COUNTRY = "birthCountry",
    }

    /// The map key of a property name: a static string for the names above
    /// (no allocation), an owned copy for any other.
    pub fn key(name: &str) -> super::PropKey {
        match KNOWN.iter().find(|k| **k == name) {
            Some(&known) => super::Cow::Borrowed(known),
            None => super::Cow::Owned(name.to_string()),
        }
    }
}

/// FtM schemata that sanctions lists use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Schema {
    Thing,
    LegalEntity,
    Person,
    Organization,
    Company,
    Vessel,
    Airplane,
}

impl Schema {
    pub const ALL: [Schema; 7] = [
        Schema::Thing,
        Schema::LegalEntity,
        Schema::Person,
        Schema::Organization,
        Schema::Company,
        Schema::Vessel,
        Schema::Airplane,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Schema::Thing => "Thing",
            Schema::LegalEntity => "LegalEntity",
            Schema::Person => "Person",
            Schema::Organization => "Organization",
            Schema::Company => "Company",
            Schema::Vessel => "Vessel",
            Schema::Airplane => "Airplane",
        }
    }

    pub fn parse(s: &str) -> Option<Schema> {
        Schema::ALL
            .into_iter()
            .find(|x| x.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// Whether an entity of schema `self` can be the thing a query of
    /// schema `query` asks for (FtM's "matchable" relation: a `LegalEntity`
    /// query may find a `Person` or a `Company`; a `Person` query never finds a
    /// `Vessel`).
    pub fn can_match(&self, query: Schema) -> bool {
        use Schema::*;
        match query {
            Thing => true,
            LegalEntity => matches!(self, LegalEntity | Person | Organization | Company),
            Organization => matches!(self, LegalEntity | Organization | Company),
            Company => matches!(self, LegalEntity | Organization | Company),
            Person => matches!(self, LegalEntity | Person),
            Vessel => matches!(self, Vessel),
            Airplane => matches!(self, Airplane),
        }
    }
}

impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The list an entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Source {
    #[serde(rename = "un")]
    Un,
    #[serde(rename = "ofac-sdn")]
    OfacSdn,
}

impl Source {
    pub fn as_str(&self) -> &'static str {
        match self {
            Source::Un => "un",
            Source::OfacSdn => "ofac-sdn",
        }
    }

    /// The OpenSanctions dataset name for this source (used by the
    /// yente-compatible API).
    pub fn dataset(&self) -> &'static str {
        match self {
            Source::Un => "un_sc_sanctions",
            Source::OfacSdn => "us_ofac_sdn",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of name a list gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    /// The listed name.
    Primary,
    /// A strong alias ("a.k.a.", UN alias of quality Good).
    Alias,
    /// A weak alias (UN quality Low, OFAC "f.k.a."/weak a.k.a.): too short or
    /// generic to screen on alone.
    Weak,
    /// A former name ("f.k.a.", "formerly").
    Previous,
    /// The name in its original script (UN `NAME_ORIGINAL_SCRIPT`).
    OriginalScript,
}

/// UN alias `QUALITY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum NameQuality {
    Good,
    Low,
    #[default]
    Unspecified,
}

/// One name of an entity, with its strength.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityName {
    pub value: String,
    pub kind: NameKind,
    #[serde(default)]
    pub quality: NameQuality,
    /// ISO 15924 script code when it is not Latin (`Hang`, `Arab`, `Cyrl`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub script: Option<String>,
}

impl EntityName {
    /// The FtM property the name is mirrored to: `name`, `alias`, `weakAlias`
    /// (a low-quality alias too) or `previousName`.
    pub fn property(&self) -> &'static str {
        match (self.kind, self.quality) {
            (NameKind::Primary, _) | (NameKind::OriginalScript, _) => prop::NAME,
            (NameKind::Weak, _) | (NameKind::Alias, NameQuality::Low) => prop::WEAK_ALIAS,
            (NameKind::Alias, _) => prop::ALIAS,
            (NameKind::Previous, _) => prop::PREVIOUS_NAME,
        }
    }

    /// The name with its value whitespace-collapsed ([`collapse_whitespace`];
    /// the string is kept when it is already clean).
    pub fn collapsed(self) -> EntityName {
        match collapse_whitespace(&self.value) {
            Cow::Borrowed(_) => self,
            Cow::Owned(value) => EntityName { value, ..self },
        }
    }

    /// Weak names count less in matching.
    pub fn is_weak(&self) -> bool {
        self.kind == NameKind::Weak || self.quality == NameQuality::Low
    }
}

/// A key of [`Entity::properties`]: the FtM property name. `Borrowed` for
/// the names in [`prop`] (see [`prop::key`]), `Owned` for any other; it
/// compares, sorts, looks up (`properties.get("name")`) and serializes as
/// the plain string.
pub type PropKey = Cow<'static, str>;

/// A sanctioned entity as a list gives it, in FtM shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Stable id across list versions: `<source>-<ref>` in lower case.
    pub id: String,
    pub schema: Schema,
    /// Display name (the primary name).
    pub caption: String,
    /// FtM properties, each multi-valued, sorted by name. Keys are static
    /// for the property names Resolute knows ([`prop`]), so a parsed list
    /// allocates none.
    pub properties: Properties,
    /// OpenSanctions-style dataset names.
    pub datasets: Vec<String>,
    pub source: Source,
    /// The list's own reference: UN `REFERENCE_NUMBER` (`KPe.047`), OFAC `ent_num`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Sanctions programs: UN `UN_LIST_TYPE` (`DPRK`), OFAC programs (`DPRK3`).
    pub programs: Vec<String>,
    pub listed_on: Option<NaiveDate>,
    #[serde(default)]
    pub last_updated: Vec<NaiveDate>,
    #[serde(default)]
    pub designation: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comments: Option<String>,
    /// Every name with its kind, quality and script.
    #[serde(default)]
    pub names: Vec<EntityName>,
    /// Dates of birth with their precision.
    #[serde(default)]
    pub birth_dates: Vec<FuzzyDate>,
}

/// `s` trimmed, with inner whitespace runs collapsed to one space (what
/// splitting on whitespace and joining with " " gives). Most values are
/// already clean and are returned as they are.
pub fn collapse_whitespace(s: &str) -> Cow<'_, str> {
    if is_collapsed(s) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

/// Whether [`collapse_whitespace`] would return `s` as it is: words
/// without whitespace, separated by single spaces.
fn is_collapsed(s: &str) -> bool {
    s.is_empty()
        || s.split(' ')
            .all(|word| !word.is_empty() && !word.contains(char::is_whitespace))
}

impl Entity {
    pub fn new(source: Source, reference: &str, schema: Schema) -> Self {
        let reference = reference.trim().to_string();
        Entity {
            id: Self::make_id(source, &reference),
            schema,
            caption: String::new(),
            properties: Properties::new(),
            datasets: vec![source.dataset().to_string()],
            source,
            reference,
            programs: Vec::new(),
            listed_on: None,
            last_updated: Vec::new(),
            designation: Vec::new(),
            comments: None,
            names: Vec::new(),
            birth_dates: Vec::new(),
        }
    }

    pub fn make_id(source: Source, reference: &str) -> String {
        let (source, reference) = (source.as_str(), reference.trim());
        let mut id = String::with_capacity(source.len() + 1 + reference.len());
        id.push_str(source);
        id.push('-');
        let start = id.len();
        id.push_str(reference);
        id[start..].make_ascii_lowercase();
        id
    }

    /// Add a property value, trimmed; empty and duplicate values are dropped.
    pub fn add(&mut self, prop: &str, value: impl AsRef<str>) {
        let v = value.as_ref().trim();
        if v.is_empty() {
            return;
        }
        if !self.get(prop).iter().any(|x| x == v) {
            self.properties.add_value(prop, v.to_string());
        }
    }

    pub fn get(&self, prop: &str) -> &[String] {
        self.properties.get(prop).unwrap_or(&[])
    }

    pub fn first(&self, prop: &str) -> Option<&str> {
        self.get(prop).first().map(String::as_str)
    }

    /// Add a name, keeping its strength, and mirror it to the FtM property
    /// (`name`, `alias`, `weakAlias`, `previousName`). The first primary name
    /// becomes the caption.
    pub fn add_name(&mut self, name: EntityName) {
        let name = name.collapsed();
        if name.value.is_empty() || self.names.iter().any(|n| n.value == name.value) {
            return;
        }
        if name.kind == NameKind::Primary && self.caption.is_empty() {
            self.caption = name.value.to_string();
        }
        self.add(name.property(), &name.value);
        self.names.push(name);
    }

    pub fn add_birth_date(&mut self, date: FuzzyDate) {
        for v in date.ftm_values() {
            self.add(prop::BIRTH_DATE, v);
        }
        if !self.birth_dates.contains(&date) {
            self.birth_dates.push(date);
        }
    }

    pub fn add_program(&mut self, program: &str) {
        let p = program.trim();
        if !p.is_empty() && !self.programs.iter().any(|x| x == p) {
            self.programs.push(p.to_string());
            self.add(prop::PROGRAM, p);
        }
    }

    /// Whether the entry was designated on or before `date` (by its
    /// `listed_on`; an entry with no listing date counts as designated).
    pub fn listed_by(&self, date: NaiveDate) -> bool {
        self.listed_on.is_none_or(|d| d <= date)
    }

    /// Whether any program starts with `prefix` (`DPRK` matches `DPRK3`).
    pub fn in_program(&self, prefix: &str) -> bool {
        self.programs.iter().any(|p| p.starts_with(prefix))
    }

    /// FtM JSON of the entity (the serde form already is FtM-compatible:
    /// `id`, `schema`, `caption`, `properties`, `datasets`, plus Resolute's
    /// list metadata).
    pub fn to_ftm_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_strength_and_mirror_ftm() {
        let mut e = Entity::new(Source::Un, " KPe.047 ", Schema::Organization);
        e.add_name(EntityName {
            value: "FOREIGN TRADE BANK ".into(),
            kind: NameKind::Primary,
            quality: NameQuality::Unspecified,
            script: None,
        });
        e.add_name(EntityName {
            value: "FTB".into(),
            kind: NameKind::Alias,
            quality: NameQuality::Low,
            script: None,
        });
        e.add_name(EntityName {
            value: "Mooyokbank".into(),
            kind: NameKind::Alias,
            quality: NameQuality::Good,
            script: None,
        });
        assert_eq!(e.id, "un-kpe.047");
        assert_eq!(e.reference, "KPe.047");
        assert_eq!(e.caption, "FOREIGN TRADE BANK");
        assert_eq!(e.get(prop::WEAK_ALIAS), ["FTB"]);
        assert_eq!(e.get(prop::ALIAS), ["Mooyokbank"]);
        assert!(e.names[1].is_weak());
        let json = e.to_ftm_json();
        assert_eq!(json["schema"], "Organization");
        assert_eq!(json["ref"], "KPe.047");
        assert_eq!(json["properties"]["name"][0], "FOREIGN TRADE BANK");
    }

    #[test]
    fn property_keys_are_static_for_known_names() {
        assert!(matches!(
            prop::key(prop::BIRTH_COUNTRY),
            Cow::Borrowed("birthCountry")
        ));
        assert!(matches!(prop::key("vesselType"), Cow::Owned(ref k) if k == "vesselType"));
        let mut e = Entity::new(Source::OfacSdn, "9345", Schema::Vessel);
        e.add("vesselType", " Cargo ");
        e.add(prop::FLAG, "kp");
        assert!(matches!(
            e.properties.keys().next(),
            Some(Cow::Borrowed("flag"))
        ));
        assert_eq!(e.get("vesselType"), ["Cargo"]);
        let json = e.to_ftm_json();
        assert_eq!(
            json["properties"],
            serde_json::json!({"flag": ["kp"], "vesselType": ["Cargo"]})
        );
        let back: Entity = serde_json::from_value(json).expect("round trip");
        assert_eq!(back, e);
    }

    /// The check for a clean value agrees with the definition
    /// (`split_whitespace` joined with single spaces) on every mix of
    /// spaces, tabs, controls, DEL, non-ASCII letters and whitespace, at
    /// every length up to 32 bytes.
    #[test]
    fn collapse_whitespace_is_split_and_join() {
        let pieces = [
            "A", "b", " ", "  ", "\t", "\u{b}", "\u{7f}", "\u{a0}", "\u{3000}", "김", "é", "\n",
            "Z9",
        ];
        let mut seed = 7u64;
        for _ in 0..60_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let mut s = String::new();
            let mut r = seed;
            while s.len() < (seed >> 59) as usize + 1 {
                s.push_str(pieces[(r % pieces.len() as u64) as usize]);
                r /= pieces.len() as u64;
                if r == 0 {
                    r = seed >> 7;
                }
            }
            let expected = s.split_whitespace().collect::<Vec<_>>().join(" ");
            let got = collapse_whitespace(&s);
            assert_eq!(got, expected, "{s:?}");
            if matches!(got, Cow::Borrowed(_)) {
                assert_eq!(s, expected);
            }
        }
        for clean in [
            "KIM JONG UN",
            "FOREIGN TRADE BANK OF THE DPRK",
            "a b c d e f g h i j",
            "12345678 12345678",
            "ABCDEFGH\u{7f}",
            "김 정은",
        ] {
            assert!(
                matches!(collapse_whitespace(clean), Cow::Borrowed(_)),
                "{clean}"
            );
        }
        for messy in [
            "KIM JONG  UN",
            "12345678  2345678",
            "1234567  12345678",
            "1234567 \t12345678",
            "김\u{3000}정은",
            " A",
            "A ",
        ] {
            assert!(
                matches!(collapse_whitespace(messy), Cow::Owned(_)),
                "{messy}"
            );
        }
    }

    #[test]
    fn schema_matchability() {
        assert!(Schema::Person.can_match(Schema::LegalEntity));
        assert!(Schema::Company.can_match(Schema::Organization));
        assert!(!Schema::Vessel.can_match(Schema::Person));
        assert!(!Schema::Person.can_match(Schema::Company));
    }

    #[test]
    fn listed_by_date() {
        let mut e = Entity::new(Source::Un, "KPe.047", Schema::Organization);
        e.listed_on = NaiveDate::from_ymd_opt(2017, 8, 5);
        assert!(!e.listed_by(NaiveDate::from_ymd_opt(2017, 8, 4).unwrap()));
        assert!(e.listed_by(NaiveDate::from_ymd_opt(2017, 8, 5).unwrap()));
    }
}
