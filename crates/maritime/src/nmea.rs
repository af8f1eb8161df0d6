//! NMEA 0183 AIVDM/AIVDO sentences: NMEA 4.0 tag blocks (`\s:source,c:unix time*hh\`),
//! checksums, and multi-part reassembly, feeding [`crate::ais::decode`].
//!
//! Reassembly follows pyais's stream (so that both count the same messages): fragments are
//! joined when they share sequence id, channel, talker, sentence type and fragment count and
//! arrive strictly in order; a new first fragment replaces an unfinished message, a fragment
//! out of order is dropped (the message still waits for the right one), a fragment without its
//! first is an orphan. Unlike pyais, a sentence whose checksum does not match is dropped and
//! reported: its bits cannot be trusted. A tag block whose own checksum does not match is
//! reported as a warning but its time is used, because the sentence it carries has its own
//! checksum (the Kystverket sample writes the checksum of `c:…` alone in front of `g:…,c:…`).

use crate::ais::{self, AisMessage, Bits, PayloadError};
use crate::report::{IngestReport, ProblemKind};

/// One parsed sentence (borrowing from the line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence<'a> {
    /// Two-letter talker (`AI`, `AB`, `BS`, …).
    pub talker: [u8; 2],
    /// `VDO` (own ship) rather than `VDM`.
    pub own_ship: bool,
    pub fragment_count: u8,
    pub fragment_number: u8,
    /// Sequential message id of a multi-part message (`None` when empty).
    pub sequence_id: Option<u8>,
    /// Radio channel (`A`, `B`, `1`, `2`), 0 when empty.
    pub channel: u8,
    pub payload: &'a [u8],
    pub fill_bits: u8,
    /// Receiver time from the tag block's `c:` field, in Unix seconds.
    pub time: Option<i64>,
    /// The tag block's `s:` source station.
    pub station: Option<&'a [u8]>,
    /// `false` when the tag block's checksum did not match.
    pub tag_block_checksum_ok: bool,
}

/// Why a line is not a usable sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SentenceError {
    #[error("not an AIS sentence (expected !xxVDM or !xxVDO)")]
    NotAis,
    #[error("malformed sentence: {0}")]
    Malformed(&'static str),
    #[error("malformed tag block: {0}")]
    MalformedTagBlock(&'static str),
    #[error("checksum {expected:02X} does not match the content's {actual:02X}")]
    BadChecksum { expected: u8, actual: u8 },
}

impl SentenceError {
    pub fn kind(&self) -> ProblemKind {
        match self {
            SentenceError::NotAis => ProblemKind::NotAis,
            SentenceError::Malformed(_) => ProblemKind::MalformedSentence,
            SentenceError::MalformedTagBlock(_) => ProblemKind::MalformedTagBlock,
            SentenceError::BadChecksum { .. } => ProblemKind::BadChecksum,
        }
    }
}

#[inline]
fn xor(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |a, b| a ^ b)
}

#[inline]
fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'A'..=b'F' => Some(c - b'A' + 10),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// Two hex digits at the start of `bytes`.
fn hex_byte(bytes: &[u8]) -> Option<u8> {
    match bytes {
        [h, l, ..] => Some(hex_digit(*h)? << 4 | hex_digit(*l)?),
        _ => None,
    }
}

fn parse_u64(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 19 {
        return None;
    }
    bytes.iter().try_fold(0u64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u64::from(c - b'0'))
    })
}

struct TagBlock<'a> {
    time: Option<i64>,
    station: Option<&'a [u8]>,
    checksum_ok: bool,
}

fn parse_tag_block(block: &[u8]) -> Result<TagBlock<'_>, SentenceError> {
    let star = block
        .iter()
        .rposition(|&c| c == b'*')
        .ok_or(SentenceError::MalformedTagBlock("no checksum"))?;
    let (fields, check) = (&block[..star], &block[star + 1..]);
    let expected = hex_byte(check).ok_or(SentenceError::MalformedTagBlock(
        "checksum is not two hex digits",
    ))?;
    let mut tag = TagBlock {
        time: None,
        station: None,
        checksum_ok: expected == xor(fields),
    };
    for field in fields.split(|&c| c == b',') {
        match field {
            [b'c', b':', value @ ..] => {
                let raw = parse_u64(value)
                    .ok_or(SentenceError::MalformedTagBlock("c: is not a number"))?;
                // Some receivers write milliseconds; 10^11 s is the year 5138.
                let seconds = if raw >= 100_000_000_000 {
                    raw / 1000
                } else {
                    raw
                };
                tag.time = i64::try_from(seconds).ok();
            }
            [b's', b':', value @ ..] => tag.station = Some(value),
            _ => {}
        }
    }
    Ok(tag)
}

/// Parse one line (without its line ending) into a sentence; checks both checksums.
pub fn parse_sentence(line: &[u8]) -> Result<Sentence<'_>, SentenceError> {
    let line = line.trim_ascii();
    let (tag, rest) = if let Some(after) = line.strip_prefix(b"\\") {
        let end = after
            .iter()
            .position(|&c| c == b'\\')
            .ok_or(SentenceError::MalformedTagBlock("no closing backslash"))?;
        (Some(parse_tag_block(&after[..end])?), &after[end + 1..])
    } else {
        (None, line)
    };
    if rest.len() < 7 || !(rest[0] == b'!' || rest[0] == b'$') {
        return Err(SentenceError::NotAis);
    }
    let kind = &rest[3..6];
    let own_ship = match kind {
        b"VDM" => false,
        b"VDO" => true,
        _ => return Err(SentenceError::NotAis),
    };
    let star = rest
        .iter()
        .rposition(|&c| c == b'*')
        .ok_or(SentenceError::Malformed("no checksum"))?;
    let expected = hex_byte(&rest[star + 1..])
        .ok_or(SentenceError::Malformed("checksum is not two hex digits"))?;
    let body = &rest[1..star];
    let actual = xor(body);
    if actual != expected {
        return Err(SentenceError::BadChecksum { expected, actual });
    }
    let mut fields = body.split(|&c| c == b',');
    let _tag = fields.next();
    let mut next = |what: &'static str| fields.next().ok_or(SentenceError::Malformed(what));
    let count = next("no fragment count")?;
    let number = next("no fragment number")?;
    let seq = next("no sequence id")?;
    let channel = next("no channel")?;
    let payload = next("no payload")?;
    let fill = next("no fill bits")?;
    let digit = |f: &[u8], what| match f {
        [d @ b'0'..=b'9'] => Ok(d - b'0'),
        _ => Err(SentenceError::Malformed(what)),
    };
    let fragment_count = digit(count, "fragment count is not one digit")?;
    let fragment_number = digit(number, "fragment number is not one digit")?;
    if fragment_count == 0 || fragment_number == 0 || fragment_number > fragment_count {
        return Err(SentenceError::Malformed(
            "fragment number outside 1..=count",
        ));
    }
    let sequence_id = match seq {
        [] => None,
        [d @ b'0'..=b'9'] => Some(d - b'0'),
        _ => return Err(SentenceError::Malformed("sequence id is not one digit")),
    };
    let channel = match channel {
        [] => 0,
        [c] => *c,
        _ => return Err(SentenceError::Malformed("channel is not one character")),
    };
    let fill_bits = digit(fill, "fill bits is not one digit")?;
    Ok(Sentence {
        talker: [rest[1], rest[2]],
        own_ship,
        fragment_count,
        fragment_number,
        sequence_id,
        channel,
        payload,
        fill_bits,
        time: tag.as_ref().and_then(|t| t.time),
        station: tag.as_ref().and_then(|t| t.station),
        tag_block_checksum_ok: tag.is_none_or(|t| t.checksum_ok),
    })
}

/// A message decoded from one or more lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// First and last line of the message (equal for a single sentence).
    pub first_line: u64,
    pub last_line: u64,
    /// Receiver time (Unix seconds) from the tag block, if any.
    pub time: Option<i64>,
    pub own_ship: bool,
    pub message: AisMessage,
}

/// Slot key of a multi-part message: sequence id, channel, talker, VDO, fragment count.
type SlotKey = (Option<u8>, u8, [u8; 2], bool, u8);

#[derive(Debug)]
struct Pending {
    key: SlotKey,
    lines: Vec<u64>,
    payload: Vec<u8>,
    time: Option<i64>,
}

/// Pending multi-part messages beyond this number are reported incomplete, oldest first, so
/// that a stream of orphans cannot grow memory.
const MAX_PENDING: usize = 64;

/// Streaming NMEA reader: feed lines, get decoded messages, read the report at the end.
#[derive(Debug)]
pub struct NmeaReader {
    source: String,
    pending: Vec<Pending>,
    /// Finished slots kept for reuse, so that reassembly does not allocate per message.
    spare: Vec<Pending>,
    report: IngestReport,
}

impl NmeaReader {
    /// `source` names the file or stream in every reported problem.
    pub fn new(source: impl Into<String>) -> NmeaReader {
        NmeaReader {
            source: source.into(),
            pending: Vec::new(),
            spare: Vec::new(),
            report: IngestReport::default(),
        }
    }

    /// The report so far (problems of lines already read).
    pub fn report(&self) -> &IngestReport {
        &self.report
    }

    /// Read one line (1-based `line_no`); returns the message it completes, if any.
    pub fn push_line(&mut self, line_no: u64, line: &[u8]) -> Option<Decoded> {
        if line.trim_ascii().is_empty() {
            return None;
        }
        self.report.lines += 1;
        let sentence = match parse_sentence(line) {
            Ok(s) => s,
            Err(e) => {
                self.report
                    .problem(e.kind(), &self.source, line_no, || e.to_string());
                return None;
            }
        };
        if !sentence.tag_block_checksum_ok {
            self.report
                .problem(ProblemKind::TagBlockChecksum, &self.source, line_no, || {
                    "tag block checksum does not match; its time is used".into()
                });
        }
        if sentence.fragment_count == 1 {
            let bits = Bits::from_payload(&[sentence.payload], sentence.fill_bits);
            return self.finish_message(line_no, line_no, sentence.time, sentence.own_ship, bits);
        }
        self.push_fragment(line_no, &sentence)
    }

    fn push_fragment(&mut self, line_no: u64, s: &Sentence<'_>) -> Option<Decoded> {
        let key: SlotKey = (
            s.sequence_id,
            s.channel,
            s.talker,
            s.own_ship,
            s.fragment_count,
        );
        let slot = self.pending.iter().position(|p| p.key == key);
        if s.fragment_number == 1 {
            if let Some(i) = slot {
                let old = self.pending.remove(i);
                self.report_incomplete(&old, "a new first fragment replaced it");
            }
            if self.pending.len() >= MAX_PENDING {
                let old = self.pending.remove(0);
                self.report_incomplete(&old, "too many unfinished multi-part messages");
            }
            let mut slot = self.spare.pop().unwrap_or_else(|| Pending {
                key,
                lines: Vec::new(),
                payload: Vec::new(),
                time: None,
            });
            slot.key = key;
            slot.lines.clear();
            slot.lines.push(line_no);
            slot.payload.clear();
            slot.payload.extend_from_slice(s.payload);
            slot.time = s.time;
            self.pending.push(slot);
            return None;
        }
        let Some(i) = slot else {
            self.report
                .problem(ProblemKind::OrphanFragment, &self.source, line_no, || {
                    format!(
                        "fragment {} of {} without its first",
                        s.fragment_number, s.fragment_count
                    )
                });
            return None;
        };
        let pending = &mut self.pending[i];
        if usize::from(s.fragment_number) != pending.lines.len() + 1 {
            let expected = pending.lines.len() + 1;
            self.report.problem(
                ProblemKind::OutOfOrderFragment,
                &self.source,
                line_no,
                || {
                    format!(
                        "fragment {} arrived while {expected} was expected",
                        s.fragment_number
                    )
                },
            );
            return None;
        }
        pending.lines.push(line_no);
        pending.payload.extend_from_slice(s.payload);
        pending.time = pending.time.or(s.time);
        if s.fragment_number < s.fragment_count {
            return None;
        }
        let done = self.pending.swap_remove(i);
        let bits = Bits::from_payload(&[&done.payload], s.fill_bits);
        let first = done.lines.first().copied().unwrap_or(line_no);
        let time = done.time;
        self.spare.push(done);
        self.finish_message(first, line_no, time, s.own_ship, bits)
    }

    fn finish_message(
        &mut self,
        first_line: u64,
        last_line: u64,
        time: Option<i64>,
        own_ship: bool,
        bits: Result<Bits, PayloadError>,
    ) -> Option<Decoded> {
        match bits.and_then(|b| ais::decode(&b)) {
            Ok(message) => {
                self.report.messages += 1;
                *self
                    .report
                    .messages_by_type
                    .entry(message.msg_type())
                    .or_insert(0) += 1;
                Some(Decoded {
                    first_line,
                    last_line,
                    time,
                    own_ship,
                    message,
                })
            }
            Err(e) => {
                let kind = match e {
                    PayloadError::Empty => ProblemKind::EmptyPayload,
                    PayloadError::Truncated { .. } | PayloadError::UnknownPart24(_) => {
                        ProblemKind::TruncatedPayload
                    }
                    PayloadError::BadCharacter(_) | PayloadError::BadFillBits(_) => {
                        ProblemKind::BadPayload
                    }
                };
                self.report
                    .problem(kind, &self.source, first_line, || e.to_string());
                None
            }
        }
    }

    fn report_incomplete(&mut self, pending: &Pending, why: &str) {
        let (_, _, _, _, count) = pending.key;
        for &line in &pending.lines {
            self.report
                .problem(ProblemKind::IncompleteMultipart, &self.source, line, || {
                    format!(
                        "{} of {count} fragments received; {why}",
                        pending.lines.len()
                    )
                });
        }
    }

    /// End of input: unfinished multi-part messages are reported; returns the report.
    pub fn finish(mut self) -> IngestReport {
        for pending in std::mem::take(&mut self.pending) {
            self.report_incomplete(&pending, "the input ended");
        }
        self.report
    }
}

/// Decode every line of an NMEA text; returns the messages and the report.
pub fn decode_text(source: &str, text: &[u8]) -> (Vec<Decoded>, IngestReport) {
    let mut reader = NmeaReader::new(source);
    let mut out = Vec::new();
    for (i, line) in text.split(|&c| c == b'\n').enumerate() {
        if let Some(d) = reader.push_line(i as u64 + 1, line) {
            out.push(d);
        }
    }
    (out, reader.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_block_time_and_checksum() {
        let s =
            parse_sentence(b"\\c:1565218798*53\\!BSVDM,1,1,,A,13mb9U0P00PRk8fT5nw>4?wj2006,0*5D")
                .expect("sentence");
        assert_eq!(s.time, Some(1_565_218_798));
        assert!(s.tag_block_checksum_ok);
        assert_eq!(s.talker, *b"BS");
        // The Kystverket sample keeps `*53` (the checksum of `c:…` alone) after adding `g:…`.
        let s = parse_sentence(b"\\g:2-2-9999,c:1565218798*53\\!BSVDM,2,2,3,A,00000000000,2*3E")
            .expect("sentence");
        assert!(!s.tag_block_checksum_ok);
        assert_eq!(s.time, Some(1_565_218_798));
    }

    #[test]
    fn bad_checksum_is_rejected_with_both_values() {
        let e = parse_sentence(b"!BSVDM,1,1,,A,13mb9U0P00PRk8fT5nw>4?wj2006,0*5E").unwrap_err();
        assert_eq!(
            e,
            SentenceError::BadChecksum {
                expected: 0x5E,
                actual: 0x5D
            }
        );
    }

    #[test]
    fn out_of_order_and_truncated_multipart_are_reported_and_the_rest_decodes() {
        // Real fragments of a type 5 message (Kystverket sample, lines 13-14), re-sent as AIVDM.
        let text = b"!AIVDM,2,2,3,A,00000000000,2*27\n\
!AIVDM,2,1,3,A,53nPnh800000ha@J2218UH60U@4hT6000000000t2PD33t?P008000000000,0*6B\n\
!AIVDM,2,1,3,A,53nPnh800000ha@J2218UH60U@4hT6000000000t2PD33t?P008000000000,0*6B\n\
!AIVDM,2,2,3,A,00000000000,2*27\n\
!AIVDM,1,1,,A,13mb9U0P00PRk8fT5nw>4?wj2006,0*44\n\
!AIVDM,2,1,4,A,53nPnh800000ha@J2218UH60U@4hT6000000000t2PD33t?P008000000000,0*6C\n";
        let (messages, report) = decode_text("test", text);
        assert_eq!(messages.len(), 2);
        assert_eq!((messages[0].first_line, messages[0].last_line), (3, 4));
        assert_eq!(messages[0].message.msg_type(), 5);
        assert_eq!(report.count(ProblemKind::OrphanFragment), 1);
        // Line 2's message was replaced by line 3's, and line 6's never completed.
        assert_eq!(report.count(ProblemKind::IncompleteMultipart), 2);
        let lines: Vec<u64> = report.examples.iter().map(|p| p.line).collect();
        assert_eq!(lines, [1, 2, 6]);
    }
}
