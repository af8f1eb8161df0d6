//! Every country name that occurs in the five UN files and the SDN file maps
//! to an ISO 3166-1 alpha-2 code, except the documented non-countries
//! (`resolute_lists::countries::NOT_COUNTRIES`).
//!
//! The strings are collected here independently of the parsers: the text of
//! every UN element that holds a country (`COUNTRY`, `NATIONALITY/VALUE`,
//! `COUNTRY_OF_BIRTH`, `ISSUING_COUNTRY`, `COUNTRY_OF_ISSUE`) and, in the SDN
//! file, the `Vess_flag` column and the `nationality` / `citizen` remarks.

mod common;

use std::collections::BTreeSet;

use quick_xml::Reader;
use quick_xml::events::Event;
use resolute_lists::countries::{NOT_COUNTRIES, country_codes, is_known_non_country};

fn un_country_strings(bytes: &[u8]) -> BTreeSet<String> {
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().trim_text(true);
    let mut path: Vec<Vec<u8>> = Vec::new();
    let mut out = BTreeSet::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => path.push(e.name().as_ref().to_vec()),
            Ok(Event::End(_)) => {
                path.pop();
            }
            Ok(Event::Text(t)) => {
                let here = path.last().map(Vec::as_slice).unwrap_or_default();
                let parent = path
                    .len()
                    .checked_sub(2)
                    .and_then(|i| path.get(i))
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let countryish = matches!(
                    here,
                    b"COUNTRY" | b"COUNTRY_OF_BIRTH" | b"ISSUING_COUNTRY" | b"COUNTRY_OF_ISSUE"
                ) || (here == b"VALUE" && parent == b"NATIONALITY");
                if countryish && let Ok(s) = t.unescape() {
                    out.insert(s.trim().to_string());
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => panic!("{e}"),
            _ => {}
        }
    }
    out
}

fn sdn_country_strings(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    for r in rdr.records().flatten().filter(|r| r.len() == 12) {
        let flag = r[9].trim();
        if flag != "-0-" {
            out.insert(flag.to_string());
        }
        for seg in r[11].trim_end_matches('.').split(';') {
            let seg = seg.trim();
            let seg = seg.strip_prefix("alt. ").unwrap_or(seg);
            if let Some(c) = seg
                .strip_prefix("nationality ")
                .or_else(|| seg.strip_prefix("citizen "))
            {
                out.insert(c.trim().to_string());
            }
        }
    }
    out
}

#[test]
fn every_country_string_maps() {
    let mut all = BTreeSet::new();
    for p in common::un_paths() {
        all.extend(un_country_strings(&std::fs::read(&p).expect("read")));
    }
    let un_count = all.len();
    all.extend(sdn_country_strings(
        &std::fs::read_to_string(common::sdn_path()).expect("read"),
    ));
    assert!(
        un_count > 100 && all.len() > un_count,
        "collected {un_count} UN and {} in all",
        all.len()
    );
    let unmapped: Vec<&String> = all
        .iter()
        .filter(|s| !s.is_empty() && country_codes(s).is_empty() && !is_known_non_country(s))
        .collect();
    assert!(
        unmapped.is_empty(),
        "unmapped country strings: {unmapped:#?}"
    );
    // The documented exceptions really occur (the list is not stale).
    for n in NOT_COUNTRIES {
        assert!(all.contains(*n), "{n:?} no longer occurs");
    }
}

#[test]
fn dprk_spellings() {
    for s in [
        "Democratic People's Republic of Korea",
        "Korea, North",
        "DPRK",
        "North Korea",
    ] {
        assert_eq!(country_codes(s), ["kp"], "{s}");
    }
}
