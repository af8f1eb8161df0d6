//! AIS positions and static reports, kept so that a vessel's track survives a restart and is
//! shared by every process on the data directory (`resolute ais ingest` beside a server).
//!
//! Two tables (migration 4): `ais_fix` (MMSI, time in Unix seconds UTC, latitude, longitude,
//! speed and course when broadcast) keyed on `(mmsi, time, lat, lon)`, and `ais_static`
//! (MMSI, time, IMO, name, call sign, ship type) unique on all of its columns (absent values compared as empty). Both carry the
//! `audit_seq` of the ingestion that stored them. The store does not decode AIS (that is
//! `resolute-maritime`); it keeps the records it is given, ignores the ones it already holds
//! and records each batch in one `ais.ingest` audit record.
//!
//! *Tamper evidence*: these tables are not in the per-row digests of [`crate::rows`] (millions
//! of rows would make every `verify` a full scan). Instead the audit payload carries
//! `rows_sha256`, the SHA-256 of the rows the batch added in key order (MMSI, time, position; statics by MMSI and time), one line each
//! (`mmsi|time|lat|lon|speed|course` then `mmsi|time|imo|name|call_sign|ship_type`, floats as
//! their shortest round-trip decimal, absent values empty); [`Store::ais_batch_digest`]
//! recomputes it from the rows holding that `audit_seq`.

use rusqlite::{Connection, params};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{AuditReceipt, Result, Store, StoreError, WriteCtx};

/// One position as stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AisFixRow {
    pub mmsi: u32,
    /// Unix seconds, UTC.
    pub time: i64,
    pub lat: f64,
    pub lon: f64,
    /// Knots; `None` when not broadcast.
    pub speed: Option<f32>,
    /// Degrees; `None` when not broadcast.
    pub course: Option<f32>,
}

/// One static report as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AisStaticRow {
    pub mmsi: u32,
    pub time: i64,
    pub imo: Option<u32>,
    pub name: Option<String>,
    pub call_sign: Option<String>,
    pub ship_type: Option<u8>,
}

/// What a batch added (rows already held are not counted).
#[derive(Debug, Clone)]
pub struct AisStored {
    pub positions: u64,
    pub static_reports: u64,
    /// The ingestion's audit record.
    pub audit: AuditReceipt,
}

impl AisFixRow {
    /// `-0.0` as `0.0` (SQLite keeps no sign on zero) and speed or course that is not a
    /// number as absent, so that a row reads back as it was written.
    fn normalised(&self) -> AisFixRow {
        AisFixRow {
            lat: self.lat + 0.0,
            lon: self.lon + 0.0,
            speed: self.speed.filter(|v| v.is_finite()),
            course: self.course.filter(|v| v.is_finite()),
            ..*self
        }
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn fix_line(f: &AisFixRow) -> String {
    format!(
        "{}|{}|{}|{}|{}|{}\n",
        f.mmsi,
        f.time,
        f.lat,
        f.lon,
        opt(f.speed),
        opt(f.course)
    )
}

fn static_line(s: &AisStaticRow) -> String {
    format!(
        "{}|{}|{}|{}|{}|{}\n",
        s.mmsi,
        s.time,
        opt(s.imo),
        s.name.as_deref().unwrap_or_default(),
        s.call_sign.as_deref().unwrap_or_default(),
        opt(s.ship_type)
    )
}

impl WriteCtx<'_> {
    /// Store a batch of AIS records and its `ais.ingest` audit record (`payload`, to which
    /// `stored_positions`, `stored_static_reports` and `rows_sha256` are added) in the
    /// current transaction. `payload` must be a JSON object.
    pub fn store_ais(
        &mut self,
        fixes: &[AisFixRow],
        statics: &[AisStaticRow],
        mut payload: Value,
        actor: &str,
    ) -> Result<AisStored> {
        let Some(fields) = payload.as_object_mut() else {
            return Err(StoreError::Invalid(
                "ais.ingest audit payload: not a JSON object".into(),
            ));
        };
        // The rows name the record appended below; the write lock is held, so it is the next.
        let seq = self.head.seq + 1;
        // In key order, the order `ais_batch_digest` reads them back in.
        let mut fixes: Vec<AisFixRow> = fixes.iter().map(AisFixRow::normalised).collect();
        fixes.sort_by(|a, b| {
            (a.mmsi, a.time)
                .cmp(&(b.mmsi, b.time))
                .then(a.lat.total_cmp(&b.lat))
                .then(a.lon.total_cmp(&b.lon))
        });
        let mut statics = statics.to_vec();
        statics.sort_by_key(|s| (s.mmsi, s.time));
        let mut digest = Sha256::new();
        let mut positions = 0u64;
        {
            let mut insert = self.conn.prepare_cached(
                "INSERT OR IGNORE INTO ais_fix(mmsi, time, lat, lon, speed, course, audit_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for f in &fixes {
                if !(f.lat.is_finite() && f.lon.is_finite()) {
                    return Err(StoreError::Invalid(format!(
                        "ais_fix of MMSI {} at {}: position {},{} is not a number",
                        f.mmsi, f.time, f.lat, f.lon
                    )));
                }
                let row = params![f.mmsi, f.time, f.lat, f.lon, f.speed, f.course, seq];
                if insert.execute(row)? > 0 {
                    digest.update(fix_line(f).as_bytes());
                    positions += 1;
                }
            }
        }
        let mut static_reports = 0u64;
        {
            let mut insert = self.conn.prepare_cached(
                "INSERT OR IGNORE INTO ais_static(mmsi, time, imo, name, call_sign, ship_type, audit_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for s in &statics {
                if insert.execute(params![
                    s.mmsi,
                    s.time,
                    s.imo,
                    s.name,
                    s.call_sign,
                    s.ship_type,
                    seq
                ])? > 0
                {
                    digest.update(static_line(s).as_bytes());
                    static_reports += 1;
                }
            }
        }
        fields.insert("stored_positions".into(), positions.into());
        fields.insert("stored_static_reports".into(), static_reports.into());
        fields.insert("rows_sha256".into(), hex::encode(digest.finalize()).into());
        let audit = self.append_audit("ais.ingest", actor, &payload)?;
        if audit.seq != seq {
            return Err(StoreError::Invalid(format!(
                "ais.ingest: rows were stored for audit record {seq} but the record is {}",
                audit.seq
            )));
        }
        Ok(AisStored {
            positions,
            static_reports,
            audit,
        })
    }
}

fn read_fixes(conn: &Connection, seq: Option<i64>) -> Result<Vec<AisFixRow>> {
    let mut stmt = conn.prepare(
        "SELECT mmsi, time, lat, lon, speed, course FROM ais_fix
         WHERE ?1 IS NULL OR audit_seq = ?1 ORDER BY mmsi, time, lat, lon",
    )?;
    let rows = stmt.query_map([seq], |r| {
        Ok(AisFixRow {
            mmsi: r.get(0)?,
            time: r.get(1)?,
            lat: r.get(2)?,
            lon: r.get(3)?,
            speed: r.get::<_, Option<f64>>(4)?.map(|v| v as f32),
            course: r.get::<_, Option<f64>>(5)?.map(|v| v as f32),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn read_statics(conn: &Connection, seq: Option<i64>) -> Result<Vec<AisStaticRow>> {
    let mut stmt = conn.prepare(
        "SELECT mmsi, time, imo, name, call_sign, ship_type FROM ais_static
         WHERE ?1 IS NULL OR audit_seq = ?1 ORDER BY mmsi, time, rowid",
    )?;
    let rows = stmt.query_map([seq], |r| {
        Ok(AisStaticRow {
            mmsi: r.get(0)?,
            time: r.get(1)?,
            imo: r.get(2)?,
            name: r.get(3)?,
            call_sign: r.get(4)?,
            ship_type: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// [`WriteCtx::store_ais`] in its own transaction, waiting for the commit.
    pub fn store_ais(
        &self,
        fixes: Vec<AisFixRow>,
        statics: Vec<AisStaticRow>,
        payload: Value,
        actor: &str,
    ) -> Result<AisStored> {
        let actor = actor.to_string();
        self.write(move |ctx| ctx.store_ais(&fixes, &statics, payload, &actor))
    }

    /// Every stored position and static report, by MMSI and time.
    pub fn ais_records(&self) -> Result<(Vec<AisFixRow>, Vec<AisStaticRow>)> {
        self.read(|c| Ok((read_fixes(c, None)?, read_statics(c, None)?)))
    }

    /// The `rows_sha256` of the ingestion recorded as audit record `seq`, recomputed from the
    /// rows that hold it (compare it with the record's payload).
    pub fn ais_batch_digest(&self, seq: i64) -> Result<String> {
        let (fixes, statics) =
            self.read(|c| Ok((read_fixes(c, Some(seq))?, read_statics(c, Some(seq))?)))?;
        let mut digest = Sha256::new();
        for f in &fixes {
            digest.update(fix_line(f).as_bytes());
        }
        for s in &statics {
            digest.update(static_line(s).as_bytes());
        }
        Ok(hex::encode(digest.finalize()))
    }
}
