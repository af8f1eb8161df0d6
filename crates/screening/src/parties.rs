//! Party screening behind a small trait, so that the rules can be tested
//! without a name matcher and the matcher can be swapped.

use std::collections::HashMap;

use chrono::NaiveDate;
use resolute_matching::{MatchIndex, MatchOptions, Query};
use resolute_model::{Entity, Schema, Source, prop};

/// A list entry a party matched, with what the rules need to know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListHit {
    pub entity_id: String,
    pub reference: String,
    pub caption: String,
    pub schema: Schema,
    pub source: Source,
    pub programs: Vec<String>,
    pub listed_on: Option<NaiveDate>,
    pub score: f64,
    /// How it matched: `name`, `imo`, `mmsi`, `bic`.
    pub by: &'static str,
}

impl ListHit {
    /// Under a DPRK asset freeze: UN program DPRK or an OFAC DPRK* program.
    pub fn is_dprk(&self) -> bool {
        self.programs.iter().any(|p| p.starts_with("DPRK"))
    }
}

/// Screens names and identifiers against sanctions lists as of a date.
pub trait PartyScreener: Send + Sync {
    /// Matches of a name (entries designated after `as_of` do not count).
    fn screen_name(
        &self,
        schema: Schema,
        name: &str,
        country: Option<&str>,
        as_of: NaiveDate,
    ) -> Vec<ListHit>;
    /// Exact matches of a vessel's IMO number (digits only).
    fn screen_imo(&self, imo: &str, as_of: NaiveDate) -> Vec<ListHit>;
    /// Exact matches of a BIC (on its first eight characters).
    fn screen_bic(&self, bic: &str, as_of: NaiveDate) -> Vec<ListHit>;
    /// Exact matches of a vessel's MMSI (nine digits); none by default.
    fn screen_mmsi(&self, _mmsi: &str, _as_of: NaiveDate) -> Vec<ListHit> {
        Vec::new()
    }
    /// The flag (ISO alpha-2, upper case) a list entry gives its vessel; none by default.
    fn vessel_flag(&self, _entity_id: &str) -> Option<String> {
        None
    }
}

/// The lists, indexed for names (resolute-matching) and identifiers.
#[derive(Debug)]
pub struct ListScreener {
    index: MatchIndex,
    entities: Vec<Entity>,
    by_id: HashMap<String, usize>,
    by_imo: HashMap<String, Vec<usize>>,
    by_bic8: HashMap<String, Vec<usize>>,
    by_mmsi: HashMap<String, Vec<usize>>,
    options: MatchOptions,
}

fn imo_digits(s: &str) -> Option<String> {
    let d: String = s.chars().filter(char::is_ascii_digit).collect();
    (d.len() == 7).then_some(d)
}

fn mmsi_digits(s: &str) -> Option<String> {
    let d: String = s.chars().filter(char::is_ascii_digit).collect();
    (d.len() == 9).then_some(d)
}

fn bic8(s: &str) -> Option<String> {
    let b: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    (b.len() == 8 || b.len() == 11).then(|| b[..8].to_string())
}

impl ListScreener {
    pub fn new(entities: Vec<Entity>) -> ListScreener {
        let mut by_id = HashMap::new();
        let mut by_imo: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_bic8: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_mmsi: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in entities.iter().enumerate() {
            for v in e.get(prop::MMSI) {
                if let Some(d) = mmsi_digits(v) {
                    by_mmsi.entry(d).or_default().push(i);
                }
            }
            by_id.insert(e.id.clone(), i);
            for v in e.get(prop::IMO_NUMBER) {
                if let Some(d) = imo_digits(v) {
                    by_imo.entry(d).or_default().push(i);
                }
            }
            for v in e.get(prop::SWIFT_BIC) {
                if let Some(b) = bic8(v) {
                    by_bic8.entry(b).or_default().push(i);
                }
            }
        }
        let index = MatchIndex::build(entities.clone());
        ListScreener {
            index,
            entities,
            by_id,
            by_imo,
            by_bic8,
            by_mmsi,
            options: MatchOptions::default(),
        }
    }

    pub fn with_options(mut self, options: MatchOptions) -> ListScreener {
        self.options = options;
        self
    }

    pub fn len(&self) -> usize {
        self.entities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// A list entry by id (as in [`ListHit::entity_id`]).
    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.by_id.get(id).map(|&i| &self.entities[i])
    }

    fn hit(&self, i: usize, score: f64, by: &'static str) -> ListHit {
        let e = &self.entities[i];
        ListHit {
            entity_id: e.id.clone(),
            reference: e.reference.clone(),
            caption: e.caption.clone(),
            schema: e.schema,
            source: e.source,
            programs: e.programs.clone(),
            listed_on: e.listed_on,
            score,
            by,
        }
    }

    fn exact(
        &self,
        map: &HashMap<String, Vec<usize>>,
        key: Option<String>,
        as_of: NaiveDate,
        by: &'static str,
    ) -> Vec<ListHit> {
        let Some(key) = key else { return Vec::new() };
        map.get(&key)
            .map(|ix| {
                ix.iter()
                    .filter(|&&i| self.entities[i].listed_by(as_of))
                    .map(|&i| self.hit(i, 1.0, by))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl PartyScreener for ListScreener {
    fn screen_name(
        &self,
        schema: Schema,
        name: &str,
        country: Option<&str>,
        as_of: NaiveDate,
    ) -> Vec<ListHit> {
        let mut q = Query::name(schema, name);
        if let Some(c) = country {
            q = q.with("country", &c.to_ascii_lowercase());
        }
        let opts = MatchOptions {
            as_of: Some(as_of),
            ..self.options.clone()
        };
        self.index
            .search(&q, &opts)
            .into_iter()
            .filter(|r| r.is_match)
            .filter_map(|r| self.by_id.get(&r.id).map(|&i| self.hit(i, r.score, "name")))
            .collect()
    }

    fn screen_imo(&self, imo: &str, as_of: NaiveDate) -> Vec<ListHit> {
        self.exact(&self.by_imo, imo_digits(imo), as_of, "imo")
    }

    fn screen_bic(&self, bic: &str, as_of: NaiveDate) -> Vec<ListHit> {
        self.exact(&self.by_bic8, bic8(bic), as_of, "bic")
    }

    fn screen_mmsi(&self, mmsi: &str, as_of: NaiveDate) -> Vec<ListHit> {
        self.exact(&self.by_mmsi, mmsi_digits(mmsi), as_of, "mmsi")
    }

    fn vessel_flag(&self, entity_id: &str) -> Option<String> {
        let flag = self.entity(entity_id)?.get(prop::FLAG).first()?;
        Some(flag.to_ascii_uppercase().to_string())
    }
}
