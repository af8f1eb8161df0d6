//! A UN record → an [`Entity`] (FtM property names).
//!
//! - `INDIVIDUAL` → `Person`; `ENTITY` → `Organization`. The list says
//!   "entities and other groups" and mixes companies, banks, government
//!   bodies and armed groups, so the neutral FtM `Organization` is used rather
//!   than claiming `Company`.
//! - `FIRST_NAME`..`FOURTH_NAME` → the primary `name`, in list order. For
//!   DPRK entries `FIRST_NAME` is the family name (Korean order, e.g. KPi.033
//!   `RI` / `WON HO`), so it becomes `lastName` and the rest `firstName`;
//!   elsewhere `FIRST_NAME` → `firstName`, the last further part → `lastName`,
//!   parts in between → `middleName`.
//! - `*_ALIAS` by `QUALITY`: `Good` / `a.k.a.` → `alias`; `Low` → `weakAlias`
//!   (kept as an alias of quality Low); `f.k.a.` → `previousName`.
//! - `NAME_ORIGINAL_SCRIPT` → a `name` of kind original-script with the
//!   ISO 15924 script detected from its characters.
//! - `INDIVIDUAL_DATE_OF_BIRTH` (`EXACT` / `APPROXIMATELY` / `BETWEEN`,
//!   `DATE`, `YEAR`, `FROM_YEAR`/`TO_YEAR`) → `birthDate` with its precision;
//!   alias-level `DATE_OF_BIRTH` / `CITY_OF_BIRTH` / `COUNTRY_OF_BIRTH` too.
//! - `INDIVIDUAL_PLACE_OF_BIRTH` → `birthPlace` text and `birthCountry`.
//! - `INDIVIDUAL_DOCUMENT`: a passport (type mentions passport / passeport /
//!   pasaporte) → `passportNumber`, any other document → `idNumber`; numbers
//!   trimmed with inner whitespace collapsed.
//! - `*_ADDRESS` → `address` text and `country`; `NATIONALITY` → `nationality`
//!   (ISO alpha-2, lower case); `TITLE` → `title`; `DESIGNATION` →
//!   `position` and the entry's designation; `GENDER` → `gender`.
//! - `COMMENTS1` → comments and `notes`. IMO numbers written in an
//!   entity's comments ("IMO number: 5571322", "(IMO) Number: 1790183") are
//!   IMO *company* numbers (the UN list has no vessels) and go to `imoNumber`
//!   of the `Organization`, which is how FtM models a shipping company's IMO
//!   number; the comment itself stays in `notes`. Passport numbers in an
//!   individual's comments and SWIFT/BIC codes in an entity's are taken too.

use chrono::NaiveDate;
use resolute_model::{
    DateQualifier, Entity, EntityName, FuzzyDate, NameKind, NameQuality, PartialDate, Schema,
    Source, collapse_whitespace as clean, prop,
};

use super::comments::{contains_ascii_ci, imo_numbers, passport_numbers, swift_bics};
use super::{Field, Kind, Record};
use crate::RecordIssue;
use crate::countries::add_countries;
use crate::script::detect_script;

/// Where a record's issues go: they name the file, the record's line and,
/// once known, its reference.
struct Issues<'a> {
    file: &'a str,
    line: u64,
    reference: Option<&'a str>,
    out: &'a mut Vec<RecordIssue>,
}

impl Issues<'_> {
    fn push(&mut self, message: String, skipped: bool) {
        self.out.push(RecordIssue {
            file: self.file.to_string(),
            line: Some(self.line),
            reference: self.reference.map(str::to_string),
            message,
            skipped,
        });
    }

    /// A field that was dropped; the record is kept.
    fn field(&mut self, message: String) {
        self.push(message, false);
    }

    /// Add the countries `name` names to `property`, reporting a name that
    /// maps to none.
    fn countries(&mut self, e: &mut Entity, property: &str, name: &str) {
        if !add_countries(e, property, name) {
            self.field(format!("unknown country {name:?} in {property}"));
        }
    }
}

/// The entity of a record, or `None` (with an issue) when it cannot be
/// identified: it has no reference or no name.
pub(super) fn record(file: &str, rec: &Record, issues: &mut Vec<RecordIssue>) -> Option<Entity> {
    let mut issues = Issues {
        file,
        line: rec.line,
        reference: None,
        out: issues,
    };
    let Some(reference) = rec.top("REFERENCE_NUMBER") else {
        issues.push(without_reference(rec), true);
        return None;
    };
    issues.reference = Some(reference);
    let parts = name_parts(rec);
    if parts.is_empty() {
        issues.push(
            "record without a name (FIRST_NAME..FOURTH_NAME empty)".into(),
            true,
        );
        return None;
    }
    let schema = match rec.kind {
        Kind::Individual => Schema::Person,
        Kind::Entity => Schema::Organization,
    };
    let mut e = Entity::new(Source::Un, reference, schema);
    e.add_name(EntityName {
        value: parts.join(" "),
        kind: NameKind::Primary,
        quality: NameQuality::Unspecified,
        script: None,
    });
    for f in rec.fields.iter().filter(|f| f.name == "UN_LIST_TYPE") {
        e.add_program(&f.text);
    }
    if rec.kind == Kind::Individual {
        add_name_parts(&mut e, &parts);
    }
    for f in &rec.fields {
        map_field(&mut e, rec.kind, f, &mut issues);
    }
    e.add(prop::TOPICS, "sanction");
    Some(e)
}

/// The issue of a record without `REFERENCE_NUMBER` (its `DATAID` helps to find it).
fn without_reference(rec: &Record) -> String {
    let what = match rec.kind {
        Kind::Individual => "INDIVIDUAL",
        Kind::Entity => "ENTITY",
    };
    let dataid = rec
        .top("DATAID")
        .map(|d| format!(" (DATAID {d})"))
        .unwrap_or_default();
    format!("{what} without REFERENCE_NUMBER{dataid}")
}

/// `FIRST_NAME`..`FOURTH_NAME`, whitespace-collapsed, the empty ones left out.
fn name_parts(rec: &Record) -> Vec<String> {
    ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
        .iter()
        .filter_map(|name| rec.top(name))
        .map(|part| clean(part).into_owned())
        .filter(|part| !part.is_empty())
        .collect()
}

/// A person's name parts as `firstName` / `middleName` / `lastName`: DPRK
/// entries write the family name first.
fn add_name_parts(e: &mut Entity, parts: &[String]) {
    if e.programs.iter().any(|p| p == "DPRK") {
        e.add(prop::LAST_NAME, &parts[0]);
        if parts.len() > 1 {
            e.add(prop::FIRST_NAME, parts[1..].join(" "));
        }
        return;
    }
    e.add(prop::FIRST_NAME, &parts[0]);
    if let [_, middle @ .., last] = parts {
        e.add(prop::LAST_NAME, last);
        for part in middle {
            e.add(prop::MIDDLE_NAME, part);
        }
    }
}

/// One field of a record into the entity.
fn map_field(e: &mut Entity, kind: Kind, f: &Field, issues: &mut Issues<'_>) {
    let text = f.text.trim();
    match f.name.as_str() {
        "LISTED_ON" if !text.is_empty() => match parse_day(text) {
            Some(d) => e.listed_on = Some(d),
            None => issues.field(format!("LISTED_ON {text:?} is not a date")),
        },
        "LAST_DAY_UPDATED" => {
            for v in f.values("VALUE") {
                match parse_day(v) {
                    Some(d) if !e.last_updated.contains(&d) => e.last_updated.push(d),
                    Some(_) => {}
                    None => issues.field(format!("LAST_DAY_UPDATED {v:?} is not a date")),
                }
            }
        }
        "GENDER" if !text.is_empty() => gender(e, text, issues),
        "COMMENTS1" if !text.is_empty() => comments(e, kind, text),
        "TITLE" => {
            for v in f.values("VALUE") {
                e.add(prop::TITLE, clean(v));
            }
        }
        "DESIGNATION" => {
            for v in f.values("VALUE") {
                let v = clean(v);
                e.add(prop::POSITION, &v);
                if !e.designation.iter().any(|d| *d == v) {
                    e.designation.push(v.into_owned());
                }
            }
        }
        "NATIONALITY" => {
            for v in f.values("VALUE") {
                issues.countries(e, prop::NATIONALITY, v);
            }
        }
        "NAME_ORIGINAL_SCRIPT" if !text.is_empty() => e.add_name(EntityName {
            value: text.into(),
            kind: NameKind::OriginalScript,
            quality: NameQuality::Unspecified,
            script: non_latin_script(text),
        }),
        "INDIVIDUAL_ALIAS" | "ENTITY_ALIAS" => alias(e, f, issues),
        "INDIVIDUAL_DATE_OF_BIRTH" => {
            if let Some(d) = birth_date(f, issues) {
                e.add_birth_date(d);
            }
        }
        "INDIVIDUAL_PLACE_OF_BIRTH" => place(e, f, &["STREET", "CITY", "STATE_PROVINCE"], issues),
        "INDIVIDUAL_ADDRESS" | "ENTITY_ADDRESS" => {
            place(
                e,
                f,
                &["STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE"],
                issues,
            );
        }
        "INDIVIDUAL_DOCUMENT" => document(e, f),
        _ => {}
    }
}

fn gender(e: &mut Entity, text: &str, issues: &mut Issues<'_>) {
    if text.eq_ignore_ascii_case("male") {
        e.add(prop::GENDER, "male");
    } else if text.eq_ignore_ascii_case("female") {
        e.add(prop::GENDER, "female");
    } else if !text.eq_ignore_ascii_case("unknown") {
        issues.field(format!("unknown GENDER {:?}", text.to_ascii_lowercase()));
    }
}

/// `COMMENTS1`: kept as comments and `notes`, with the identifiers written in it.
fn comments(e: &mut Entity, kind: Kind, text: &str) {
    e.comments = Some(text.to_string());
    e.add(prop::NOTES, text);
    match kind {
        // "New AKA: Jang Hyon U ... diplomatic passport number 836110034" (UNSCR 2371 amendments).
        Kind::Individual => {
            for number in passport_numbers(text) {
                e.add(prop::PASSPORT_NUMBER, number);
            }
        }
        Kind::Entity => {
            for imo in imo_numbers(text) {
                e.add(prop::IMO_NUMBER, imo);
            }
            for bic in swift_bics(text) {
                e.add(prop::SWIFT_BIC, bic);
            }
        }
    }
}

/// A place of birth or an address: the `parts` and the `COUNTRY` joined as
/// text (`birthPlace` / `address`), the country also as its code
/// (`birthCountry` / `country`).
fn place(e: &mut Entity, f: &Field, parts: &[&str], issues: &mut Issues<'_>) {
    let (text_property, country_property) = if f.name == "INDIVIDUAL_PLACE_OF_BIRTH" {
        (prop::BIRTH_PLACE, prop::BIRTH_COUNTRY)
    } else {
        (prop::ADDRESS, prop::COUNTRY)
    };
    let country = f.child("COUNTRY");
    let texts = parts.iter().map(|p| f.child(p)).chain([country]);
    e.add(text_property, join_parts(texts));
    if !country.is_empty() {
        issues.countries(e, country_property, country);
    }
}

/// `INDIVIDUAL_DOCUMENT`: a passport number, or another identity number.
fn document(e: &mut Entity, f: &Field) {
    let number = clean(f.child("NUMBER"));
    if number.is_empty() {
        return;
    }
    let is_passport = [f.child("TYPE_OF_DOCUMENT"), f.child("TYPE_OF_DOCUMENT2")]
        .iter()
        .any(|kind| {
            ["passport", "passeport", "pasaporte"]
                .iter()
                .any(|word| contains_ascii_ci(kind, word))
        });
    let property = if is_passport {
        prop::PASSPORT_NUMBER
    } else {
        prop::ID_NUMBER
    };
    e.add(property, number);
}

/// An `INDIVIDUAL_ALIAS` / `ENTITY_ALIAS`: the name with its strength, and
/// the alias's birth date and place.
fn alias(e: &mut Entity, f: &Field, issues: &mut Issues<'_>) {
    let name = clean(unquote(f.child("ALIAS_NAME")));
    if !name.is_empty() {
        let (kind, quality) = alias_quality(f.child("QUALITY"), issues);
        e.add_name(EntityName {
            script: non_latin_script(&name),
            value: name.into_owned(),
            kind,
            quality,
        });
    }
    let dob = f.child("DATE_OF_BIRTH");
    if !dob.is_empty() {
        match parse_date(dob) {
            Ok(d) => e.add_birth_date(FuzzyDate::exact(d)),
            Err(_) => issues.field(format!("alias DATE_OF_BIRTH {dob:?} is not a date")),
        }
    }
    let country = f.child("COUNTRY_OF_BIRTH");
    e.add(
        prop::BIRTH_PLACE,
        join_parts([f.child("CITY_OF_BIRTH"), country]),
    );
    if !country.is_empty() {
        issues.countries(e, prop::BIRTH_COUNTRY, country);
    }
}

/// The kind and quality of an alias from its `QUALITY`.
fn alias_quality(quality: &str, issues: &mut Issues<'_>) -> (NameKind, NameQuality) {
    let is = |q: &str| quality.eq_ignore_ascii_case(q);
    if is("good") || is("a.k.a.") {
        (NameKind::Alias, NameQuality::Good)
    } else if is("low") {
        (NameKind::Alias, NameQuality::Low)
    } else if is("f.k.a.") {
        (NameKind::Previous, NameQuality::Unspecified)
    } else {
        if !quality.is_empty() {
            issues.field(format!(
                "unknown alias QUALITY {:?}; taken as an alias",
                quality.to_ascii_lowercase()
            ));
        }
        (NameKind::Alias, NameQuality::Unspecified)
    }
}

/// A name's script for [`EntityName::script`], which is kept only when it is
/// not Latin.
fn non_latin_script<S: From<&'static str>>(name: &str) -> Option<S> {
    detect_script(name).filter(|s| *s != "Latn").map(S::from)
}

/// `"KOMID"` → `KOMID`: the list quotes some acronyms; the quotes are not
/// part of the name.
fn unquote(s: &str) -> &str {
    let t = s.trim();
    t.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .filter(|x| !x.contains('"'))
        .unwrap_or(t)
}

/// `INDIVIDUAL_DATE_OF_BIRTH`: a range (`FROM_YEAR`/`TO_YEAR`), or a `DATE`
/// or `YEAR` qualified by `TYPE_OF_DATE`.
fn birth_date(f: &Field, issues: &mut Issues<'_>) -> Option<FuzzyDate> {
    let mut parse = |what: &str| -> Option<PartialDate> {
        let v = f.child(what);
        if v.is_empty() {
            return None;
        }
        parse_date(v)
            .map_err(|_| issues.field(format!("date of birth {what} {v:?} is not a date")))
            .ok()
    };
    if !f.child("FROM_YEAR").is_empty() || !f.child("TO_YEAR").is_empty() {
        return match (parse("FROM_YEAR"), parse("TO_YEAR")) {
            (Some(a), Some(b)) => Some(FuzzyDate::between(a.min(b), a.max(b))),
            (Some(a), None) | (None, Some(a)) => Some(FuzzyDate::exact(a)),
            (None, None) => None,
        };
    }
    let value = if !f.child("DATE").is_empty() {
        parse("DATE")?
    } else {
        parse("YEAR")?
    };
    let kind = f.child("TYPE_OF_DATE");
    let qualifier = if kind.eq_ignore_ascii_case("APPROXIMATELY") {
        DateQualifier::Approximately
    } else {
        // BETWEEN without FROM/TO: only one date given.
        let known = ["", "EXACT", "BETWEEN"];
        if !known.iter().any(|k| kind.eq_ignore_ascii_case(k)) {
            issues.field(format!(
                "unknown TYPE_OF_DATE {:?}; taken as exact",
                kind.to_ascii_uppercase()
            ));
        }
        DateQualifier::Exact
    };
    Some(FuzzyDate {
        qualifier,
        from: value,
        to: None,
    })
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    parse_date(s).ok().and_then(|d| d.as_naive())
}

/// An `xs:date` as the lists write it: `1964-07-17`, `1964`, or with a
/// time-zone suffix (`2015-03-27-04:00`, `2015-03-27Z`) that a date of birth
/// or listing date does not need.
fn parse_date(s: &str) -> Result<PartialDate, resolute_model::DateError> {
    let t = s.trim();
    let b = t.as_bytes();
    if b.len() > 10 && matches!(b[10], b'-' | b'+' | b'Z') && b[4] == b'-' && b[7] == b'-' {
        return t[..10].parse();
    }
    t.parse()
}

/// Address parts, each whitespace-collapsed, joined with ", " (empty parts left out).
fn join_parts<'p>(parts: impl IntoIterator<Item = &'p str>) -> String {
    parts
        .into_iter()
        .map(clean)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}
