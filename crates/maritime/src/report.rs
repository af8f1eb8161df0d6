//! The typed report of what an ingestion could not use: counts per kind and the first examples
//! of each kind with their file, line and reason. Bad input never stops a batch; it lands here.

use std::collections::BTreeMap;

use serde::Serialize;

/// Every kind of bad or unusable input, from the NMEA sentence down to the stored fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// A line that is not an AIS sentence (another NMEA sentence, a comment, noise).
    NotAis,
    /// A sentence without the fields `!xxVDM,count,number,seq,channel,payload,fill*hh`.
    MalformedSentence,
    /// The sentence's checksum does not match its content: the sentence is dropped.
    BadChecksum,
    /// A tag block (`\…*hh\`) that cannot be read.
    MalformedTagBlock,
    /// The tag block's own checksum does not match; the sentence has its own valid checksum
    /// and is used, with its tag-block time (counted as a warning).
    TagBlockChecksum,
    /// A sentence with an empty payload.
    EmptyPayload,
    /// A payload character outside the 6-bit armour, or fill bits out of range.
    BadPayload,
    /// A payload shorter than its message type needs.
    TruncatedPayload,
    /// A fragment of a multi-part message whose first fragment was not seen.
    OrphanFragment,
    /// A fragment that arrived out of order: dropped, the message waits for the right one.
    OutOfOrderFragment,
    /// A multi-part message that never completed (a new first fragment replaced it, or the
    /// input ended): its fragments are reported on their lines.
    IncompleteMultipart,
    /// A decoded message that carries no time (no tag block, no time column), so its fix
    /// cannot be placed on a track.
    NoTimestamp,
    /// Latitude beyond ±90° or longitude beyond ±180° (AIS sends 91/181 for "not available").
    ImpossibleCoordinates,
    /// A fix older than the previous fix of the same MMSI in the input: kept, and the track is
    /// sorted by time.
    TimeOutOfOrder,
    /// The same MMSI, time and position as a fix already stored: dropped.
    DuplicateFix,
    /// An MMSI that is not a 9-digit ship station identity (e.g. 0, or a base station).
    InvalidMmsi,
    /// A CSV row that cannot be read (missing column, unparsable number or time).
    BadRow,
}

/// One reported problem with where it was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub kind: ProblemKind,
    /// The file or stream name given to the reader.
    pub source: String,
    /// 1-based line number (for a multi-part message, its first line).
    pub line: u64,
    pub detail: String,
}

/// How many example problems of each kind a report keeps (all are counted).
pub const EXAMPLES_PER_KIND: usize = 20;

/// Counts of what was read and of every problem kind, with examples.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IngestReport {
    /// Non-empty input lines (NMEA) or rows (CSV) read.
    pub lines: u64,
    /// Complete AIS messages decoded (a multi-part message counts once).
    pub messages: u64,
    /// Decoded messages per AIS message type.
    pub messages_by_type: BTreeMap<u8, u64>,
    /// Fixes stored on tracks.
    pub positions: u64,
    /// Static reports (name, call sign, IMO) applied to identities.
    pub static_reports: u64,
    pub problems: BTreeMap<ProblemKind, u64>,
    pub examples: Vec<Problem>,
}

impl IngestReport {
    /// Count a problem and keep it as an example if fewer than [`EXAMPLES_PER_KIND`] of its
    /// kind are kept.
    /// The detail is only written for kept examples (bad input can come by the million).
    pub fn problem(
        &mut self,
        kind: ProblemKind,
        source: &str,
        line: u64,
        detail: impl FnOnce() -> String,
    ) {
        let count = self.problems.entry(kind).or_insert(0);
        *count += 1;
        if *count as usize <= EXAMPLES_PER_KIND {
            self.examples.push(Problem {
                kind,
                source: source.to_string(),
                line,
                detail: detail(),
            });
        }
    }

    /// How many problems of one kind were counted.
    pub fn count(&self, kind: ProblemKind) -> u64 {
        self.problems.get(&kind).copied().unwrap_or(0)
    }

    /// Add another report's counts and examples to this one (reports of several files).
    pub fn merge(&mut self, other: IngestReport) {
        self.lines += other.lines;
        self.messages += other.messages;
        self.positions += other.positions;
        self.static_reports += other.static_reports;
        for (t, n) in other.messages_by_type {
            *self.messages_by_type.entry(t).or_insert(0) += n;
        }
        for (k, n) in other.problems {
            *self.problems.entry(k).or_insert(0) += n;
        }
        for p in other.examples {
            let kept = self.examples.iter().filter(|e| e.kind == p.kind).count();
            if kept < EXAMPLES_PER_KIND {
                self.examples.push(p);
            }
        }
    }
}
