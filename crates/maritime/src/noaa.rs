//! NOAA MarineCadastre AIS CSV (`MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,
//! CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass`): one fix per row,
//! with the vessel's static identity repeated on every row. Columns are found by name, so the
//! older layouts with extra or reordered columns read too.

use std::io::Read;

use compact_str::CompactString;

use crate::report::{IngestReport, ProblemKind};
use crate::store::{FixRecord, StaticRecord};

/// Why a NOAA file could not be read at all (a bad row is only reported).
#[derive(Debug, thiserror::Error)]
pub enum NoaaError {
    #[error("{source_name}: header: {reason}")]
    Header { source_name: String, reason: String },
    #[error("{source_name}: line {line}: {error}")]
    Io {
        source_name: String,
        line: u64,
        error: csv::Error,
    },
}

struct Columns {
    mmsi: usize,
    time: usize,
    lat: usize,
    lon: usize,
    sog: Option<usize>,
    cog: Option<usize>,
    name: Option<usize>,
    imo: Option<usize>,
    call_sign: Option<usize>,
    vessel_type: Option<usize>,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DDTHH:MM:SS` (or with a space) as Unix seconds, UTC.
pub fn parse_time(text: &[u8]) -> Option<i64> {
    let t = text.trim_ascii();
    if t.len() < 19 || t[4] != b'-' || t[7] != b'-' || !(t[10] == b'T' || t[10] == b' ') {
        return None;
    }
    let num = |a: usize, b: usize| -> Option<i64> {
        t[a..b].iter().try_fold(0i64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, s) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

fn text_field(record: &csv::ByteRecord, column: Option<usize>) -> Option<CompactString> {
    let raw = record.get(column?)?.trim_ascii();
    if raw.is_empty() {
        return None;
    }
    Some(CompactString::from_utf8_lossy(raw))
}

fn number<T: std::str::FromStr>(record: &csv::ByteRecord, column: Option<usize>) -> Option<T> {
    let raw = record.get(column?)?.trim_ascii();
    std::str::from_utf8(raw).ok()?.parse().ok()
}

/// Read a MarineCadastre CSV; every good row gives a fix and, when it names the vessel, a
/// static record. Bad rows are reported in `report` and skipped.
pub fn read_csv(
    source_name: &str,
    input: impl Read,
    report: &mut IngestReport,
    mut on_row: impl FnMut(FixRecord, Option<StaticRecord>),
) -> Result<(), NoaaError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let header = reader.byte_headers().map_err(|e| NoaaError::Header {
        source_name: source_name.to_string(),
        reason: e.to_string(),
    })?;
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h.trim_ascii().eq_ignore_ascii_case(name.as_bytes()))
    };
    let need = |name: &str| {
        find(name).ok_or_else(|| NoaaError::Header {
            source_name: source_name.to_string(),
            reason: format!("no {name} column"),
        })
    };
    let cols = Columns {
        mmsi: need("MMSI")?,
        time: need("BaseDateTime")?,
        lat: need("LAT")?,
        lon: need("LON")?,
        sog: find("SOG"),
        cog: find("COG"),
        name: find("VesselName"),
        imo: find("IMO"),
        call_sign: find("CallSign"),
        vessel_type: find("VesselType"),
    };
    let mut record = csv::ByteRecord::new();
    let mut line = 1u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                // A broken row (bad quoting, invalid UTF-8 is fine as bytes) is reported and
                // the reader goes on; an I/O error ends the file.
                if matches!(error.kind(), csv::ErrorKind::Io(_)) {
                    return Err(NoaaError::Io {
                        source_name: source_name.to_string(),
                        line,
                        error,
                    });
                }
                line += 1;
                report.lines += 1;
                report.problem(ProblemKind::BadRow, source_name, line, || error.to_string());
                continue;
            }
        }
        line = record.position().map_or(line + 1, |p| p.line());
        report.lines += 1;
        let Some(mmsi) = number::<u32>(&record, Some(cols.mmsi)) else {
            report.problem(ProblemKind::BadRow, source_name, line, || {
                "MMSI is not a number".into()
            });
            continue;
        };
        let Some(time) = record.get(cols.time).and_then(parse_time) else {
            report.problem(ProblemKind::BadRow, source_name, line, || {
                "BaseDateTime is not a date and time".into()
            });
            continue;
        };
        let (Some(lat), Some(lon)) = (
            number::<f64>(&record, Some(cols.lat)),
            number::<f64>(&record, Some(cols.lon)),
        ) else {
            report.problem(ProblemKind::BadRow, source_name, line, || {
                "LAT or LON is not a number".into()
            });
            continue;
        };
        let fix = FixRecord {
            mmsi,
            time,
            lat,
            lon,
            speed: number(&record, cols.sog),
            course: number(&record, cols.cog),
            line,
        };
        let imo = text_field(&record, cols.imo).and_then(|t| {
            let digits = t.strip_prefix("IMO").unwrap_or(&t);
            digits.trim().parse::<u32>().ok().filter(|n| *n > 0)
        });
        let name = text_field(&record, cols.name);
        let call_sign = text_field(&record, cols.call_sign);
        let identity =
            (imo.is_some() || name.is_some() || call_sign.is_some()).then(|| StaticRecord {
                mmsi,
                time,
                imo,
                name,
                call_sign,
                ship_type: number(&record, cols.vessel_type),
            });
        on_row(fix, identity);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_to_unix_seconds() {
        assert_eq!(parse_time(b"2022-01-03T00:00:09"), Some(1_641_168_009));
        assert_eq!(parse_time(b"1970-01-01 00:00:00"), Some(0));
        assert_eq!(parse_time(b"2024-02-29T23:59:59"), Some(1_709_251_199));
        assert_eq!(parse_time(b"2022-13-03T00:00:09"), None);
        assert_eq!(parse_time(b"yesterday"), None);
    }
}
