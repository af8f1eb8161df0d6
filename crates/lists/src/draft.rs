//! An entity while a parser maps a record into it.
//!
//! [`Entity::add`] looks its property up in the entity's [`Properties`] and
//! inserts in the middle of its values (and a UN record sets about thirty
//! values in a dozen properties). A [`Draft`] keeps the values in a fixed
//! array of buffers indexed by [`Prop`], reused from record to record, and
//! builds the properties once, in name order, when the record is done.
//! Its `add*` methods follow the rules
//! of the [`Entity`] methods of the same names exactly (trimmed, empty and
//! duplicate values dropped, names whitespace-collapsed and deduplicated, the
//! first primary name as caption); a test below checks them against those.

use std::ops::{Deref, DerefMut};

use resolute_model::{
    CompactString, Entity, EntityName, FuzzyDate, NameKind, NameQuality, PropKey, Properties, prop,
};

/// The FtM properties a list record can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prop {
    Address,
    Alias,
    BirthCountry,
    BirthDate,
    BirthPlace,
    Country,
    FirstName,
    Gender,
    IdNumber,
    ImoNumber,
    LastName,
    MiddleName,
    Name,
    Nationality,
    Notes,
    PassportNumber,
    Position,
    PreviousName,
    Program,
    SwiftBic,
    Title,
    Topics,
    WeakAlias,
}

const COUNT: usize = 23;

impl Prop {
    /// The FtM property name.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Prop::Address => prop::ADDRESS,
            Prop::Alias => prop::ALIAS,
            Prop::BirthCountry => prop::BIRTH_COUNTRY,
            Prop::BirthDate => prop::BIRTH_DATE,
            Prop::BirthPlace => prop::BIRTH_PLACE,
            Prop::Country => prop::COUNTRY,
            Prop::FirstName => prop::FIRST_NAME,
            Prop::Gender => prop::GENDER,
            Prop::IdNumber => prop::ID_NUMBER,
            Prop::ImoNumber => prop::IMO_NUMBER,
            Prop::LastName => prop::LAST_NAME,
            Prop::MiddleName => prop::MIDDLE_NAME,
            Prop::Name => prop::NAME,
            Prop::Nationality => prop::NATIONALITY,
            Prop::Notes => prop::NOTES,
            Prop::PassportNumber => prop::PASSPORT_NUMBER,
            Prop::Position => prop::POSITION,
            Prop::PreviousName => prop::PREVIOUS_NAME,
            Prop::Program => prop::PROGRAM,
            Prop::SwiftBic => prop::SWIFT_BIC,
            Prop::Title => prop::TITLE,
            Prop::Topics => prop::TOPICS,
            Prop::WeakAlias => prop::WEAK_ALIAS,
        }
    }

    /// The property a name is mirrored to, as [`EntityName::property`]
    /// names it (a test checks they agree), without looking the name up.
    fn of_name(name: &EntityName) -> Prop {
        match (name.kind, name.quality) {
            (NameKind::Primary, _) | (NameKind::OriginalScript, _) => Prop::Name,
            (NameKind::Weak, _) | (NameKind::Alias, NameQuality::Low) => Prop::WeakAlias,
            (NameKind::Alias, _) => Prop::Alias,
            (NameKind::Previous, _) => Prop::PreviousName,
        }
    }

    const ALL: [Prop; COUNT] = [
        Prop::Address,
        Prop::Alias,
        Prop::BirthCountry,
        Prop::BirthDate,
        Prop::BirthPlace,
        Prop::Country,
        Prop::FirstName,
        Prop::Gender,
        Prop::IdNumber,
        Prop::ImoNumber,
        Prop::LastName,
        Prop::MiddleName,
        Prop::Name,
        Prop::Nationality,
        Prop::Notes,
        Prop::PassportNumber,
        Prop::Position,
        Prop::PreviousName,
        Prop::Program,
        Prop::SwiftBic,
        Prop::Title,
        Prop::Topics,
        Prop::WeakAlias,
    ];
}

impl std::fmt::Display for Prop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Whitespace collapse as [`Entity::add_name`] does it (the model's function).
pub(crate) use resolute_model::collapse_whitespace as clean;

/// `str::trim`, without decoding when both ends are printable ASCII (most values).
pub(crate) fn trim(s: &str) -> &str {
    let printable = |c: Option<&u8>| c.is_some_and(|&c| c > b' ' && c < 0x7F);
    if printable(s.as_bytes().first()) && printable(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

/// `Vec::push`, making room for just one value on the first: most
/// properties of a list entry have one value, where a first push would make
/// room for four (a parsed list then takes a quarter less memory, and less
/// time to write it).
pub(crate) fn push<T>(values: &mut Vec<T>, value: T) {
    if values.capacity() == 0 {
        values.reserve_exact(1);
    }
    values.push(value);
}

/// An entity being mapped; its properties are kept aside until [`Draft::finish`].
#[derive(Debug)]
pub(crate) struct Draft<'b> {
    entity: Entity,
    props: &'b mut Buffers,
}

/// A draft's values by property. Lent by a parser to one record's draft
/// after the other, they are allocated once per file, not a dozen times
/// per record.
pub(crate) type Buffers = [Vec<CompactString>; COUNT];

impl Deref for Draft<'_> {
    type Target = Entity;
    fn deref(&self) -> &Entity {
        &self.entity
    }
}

impl DerefMut for Draft<'_> {
    fn deref_mut(&mut self) -> &mut Entity {
        &mut self.entity
    }
}

impl<'b> Draft<'b> {
    /// A draft keeping its values in `props` (emptied first: a draft
    /// dropped unfinished leaves its values there).
    pub(crate) fn new(entity: Entity, props: &'b mut Buffers) -> Self {
        props.iter_mut().for_each(Vec::clear);
        Draft { entity, props }
    }

    /// As [`Entity::add`].
    pub(crate) fn add(&mut self, p: Prop, value: impl AsRef<str>) {
        let v = trim(value.as_ref());
        if v.is_empty() {
            return;
        }
        let vals = &mut self.props[p as usize];
        if !vals.iter().any(|x| x == v) {
            push(vals, CompactString::from(v));
        }
    }

    /// [`Draft::add`] of an owned value (kept as it is when already trimmed).
    pub(crate) fn add_owned(&mut self, p: Prop, value: CompactString) {
        if value.trim().len() != value.len() {
            return self.add(p, value);
        }
        if value.is_empty() {
            return;
        }
        let vals = &mut self.props[p as usize];
        if !vals.contains(&value) {
            push(vals, value);
        }
    }

    /// The values of a property so far.
    #[cfg(test)]
    pub(crate) fn get(&self, p: Prop) -> &[CompactString] {
        &self.props[p as usize]
    }

    /// As [`Entity::add_name`].
    pub(crate) fn add_name(&mut self, name: EntityName) {
        self.add_collapsed_name(name.collapsed());
    }

    /// [`Draft::add_name`] of a name whose value the caller has already
    /// whitespace-collapsed with [`clean`] (it is not collapsed again).
    pub(crate) fn add_collapsed_name(&mut self, name: EntityName) {
        debug_assert_eq!(clean(&name.value), name.value.as_str());
        if name.value.is_empty() || self.entity.names.iter().any(|n| n.value == name.value) {
            return;
        }
        if name.kind == NameKind::Primary && self.entity.caption.is_empty() {
            self.entity.caption = name.value.to_string();
        }
        self.add(Prop::of_name(&name), &name.value);
        self.entity.names.push(name);
    }

    /// As [`Entity::add_birth_date`].
    pub(crate) fn add_birth_date(&mut self, date: FuzzyDate) {
        for v in date.ftm_values() {
            self.add_owned(Prop::BirthDate, v);
        }
        if !self.entity.birth_dates.contains(&date) {
            push(&mut self.entity.birth_dates, date);
        }
    }

    /// As [`Entity::add_program`].
    pub(crate) fn add_program(&mut self, program: &str) {
        let p = program.trim();
        if !p.is_empty() && !self.entity.programs.iter().any(|x| x == p) {
            push(&mut self.entity.programs, p.to_string());
            self.add(Prop::Program, p);
        }
    }

    /// The entity, with its properties (the buffers are left empty).
    pub(crate) fn finish(self) -> Entity {
        let Draft { mut entity, props } = self;
        if entity.properties.is_empty() {
            // `Prop::ALL` is in name order: each property goes after the
            // others, into vectors sized once.
            let set = props.iter().filter(|vals| !vals.is_empty());
            let (count, values) = set.fold((0, 0), |(n, v), vals| (n + 1, v + vals.len()));
            let mut properties = Properties::with_capacity(count, values);
            for (p, vals) in Prop::ALL
                .iter()
                .zip(props.iter_mut())
                .filter(|(_, vals)| !vals.is_empty())
            {
                properties.push(PropKey::Borrowed(p.name()), vals.drain(..));
            }
            entity.properties = properties;
        } else {
            // Keys may already be in the map (set before the draft was made).
            for (p, vals) in Prop::ALL.iter().zip(props.iter_mut()) {
                for v in vals.drain(..) {
                    entity.add(p.name(), v);
                }
            }
        }
        entity
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use resolute_model::{DateQualifier, NameQuality, PartialDate, Schema, Source};

    use super::*;

    fn name(value: &str, kind: NameKind, quality: NameQuality) -> EntityName {
        EntityName {
            value: value.into(),
            kind,
            quality,
            script: None,
        }
    }

    /// The same calls on an `Entity` and on a `Draft` give the same entity.
    #[test]
    fn draft_follows_the_entity_rules() {
        let mut e = Entity::new(Source::Un, " KPe.047 ", Schema::Organization);
        let mut buffers = Buffers::default();
        buffers[Prop::Notes as usize].push("left by an unfinished draft".into());
        let mut d = Draft::new(
            Entity::new(Source::Un, " KPe.047 ", Schema::Organization),
            &mut buffers,
        );
        let names = [
            name(
                "  FOREIGN  TRADE\tBANK ",
                NameKind::Primary,
                NameQuality::Unspecified,
            ),
            name("FOREIGN TRADE BANK", NameKind::Alias, NameQuality::Good),
            name(
                "Second Primary",
                NameKind::Primary,
                NameQuality::Unspecified,
            ),
            name("FTB", NameKind::Alias, NameQuality::Low),
            name("Mooyokbank", NameKind::Alias, NameQuality::Good),
            name(
                "Old\u{a0}Name",
                NameKind::Previous,
                NameQuality::Unspecified,
            ),
            name(
                "조선무역은행",
                NameKind::OriginalScript,
                NameQuality::Unspecified,
            ),
            name("weak one", NameKind::Weak, NameQuality::Unspecified),
            name("   ", NameKind::Alias, NameQuality::Good),
        ];
        for n in names {
            e.add_name(n.clone());
            d.add_name(n);
        }
        for (p, v) in [
            (Prop::Country, " kp "),
            (Prop::Country, "kp"),
            (Prop::Country, ""),
            (Prop::Address, "Pyongyang, kp"),
            (Prop::BirthCountry, "kp"),
            (Prop::Topics, "sanction"),
        ] {
            e.add(p.name(), v);
            d.add(p, v);
        }
        for (p, v) in [
            (Prop::Address, " Pyongyang, kp "),
            (Prop::Address, "Pyongyang, kp"),
            (Prop::Address, ""),
            (Prop::Notes, "x"),
        ] {
            e.add(p.name(), v);
            d.add_owned(p, v.into());
        }
        for program in ["DPRK", " DPRK ", "", "DPRK3"] {
            e.add_program(program);
            d.add_program(program);
        }
        let y = |n| PartialDate::year(n);
        for date in [
            FuzzyDate::between(y(1960), y(1962)),
            FuzzyDate::between(y(1960), y(1960)),
            FuzzyDate {
                qualifier: DateQualifier::Approximately,
                from: y(1961),
                to: None,
            },
            FuzzyDate::exact(y(1960)),
        ] {
            e.add_birth_date(date.clone());
            d.add_birth_date(date);
        }
        assert_eq!(d.get(Prop::Country), ["kp"]);
        assert_eq!(d.finish(), e);
        assert!(buffers.iter().all(Vec::is_empty));
    }

    #[test]
    fn every_name_kind_has_its_prop() {
        for kind in [
            NameKind::Primary,
            NameKind::Alias,
            NameKind::Weak,
            NameKind::Previous,
            NameKind::OriginalScript,
        ] {
            for quality in [
                NameQuality::Unspecified,
                NameQuality::Good,
                NameQuality::Low,
            ] {
                let n = name("X", kind, quality);
                assert_eq!(Prop::of_name(&n).name(), n.property());
            }
        }
    }

    #[test]
    fn prop_names_are_sorted_and_distinct() {
        let names: Vec<&str> = Prop::ALL.iter().map(|p| p.name()).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        assert!(Prop::ALL.iter().enumerate().all(|(i, p)| *p as usize == i));
    }

    #[test]
    fn clean_collapses_whitespace() {
        assert_eq!(clean("RI WON HO"), "RI WON HO");
        assert!(matches!(clean("RI WON HO"), Cow::Borrowed(_)));
        assert_eq!(clean(" RI  WON\tHO "), "RI WON HO");
        assert_eq!(clean("A\u{b}B"), "A B");
        assert_eq!(clean("A\u{7f}B"), "A\u{7f}B");
        assert_eq!(clean(" "), "");
        assert_eq!(clean("A "), "A");
        assert_eq!(trim(" A\u{a0}"), "A");
        assert_eq!(trim("A B"), "A B");
        assert_eq!(clean("A\u{a0}B"), "A B");
        assert_eq!(clean("김 정은"), "김 정은");
        assert!(matches!(clean("김 정은"), Cow::Borrowed(_)));
        assert_eq!(clean("김\u{3000}정은 "), "김 정은");
        assert_eq!(clean(""), "");
    }
}
