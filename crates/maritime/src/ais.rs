//! AIS payload decoding: the 6-bit armour and the message types that carry a vessel's
//! position or identity (1–3, 5, 18, 19, 24 parts A and B, 27) plus type 4 (base station
//! position, kept so that message counts agree with pyais). Every other type is read as far as
//! its common header (type, repeat, MMSI), so that it is counted, not lost.
//!
//! Field names and units follow pyais (and gpsd's AIVDM description, which both follow ITU-R
//! M.1371): latitude and longitude in degrees rounded to 6 decimals (pyais's rounding, so the
//! values compare exactly), speed and course in knots and degrees, "not available" values kept
//! as transmitted (speed 102.3, course 360, heading 511, latitude 91, longitude 181). The raw
//! rate of turn is kept as sent; [`ClassAPosition::turn_rate`] converts it as pyais does.

use compact_str::CompactString;
use serde::Serialize;

/// Why a payload could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("empty payload")]
    Empty,
    #[error("payload character {0:?} is not in the AIS 6-bit armour")]
    BadCharacter(char),
    #[error("fill bits {0} out of range 0–5")]
    BadFillBits(u8),
    #[error("message type {msg_type} needs {needed} bits, the payload has {got}")]
    Truncated {
        msg_type: u8,
        needed: usize,
        got: usize,
    },
    #[error("type 24 part number {0} is neither 0 (part A) nor 1 (part B)")]
    UnknownPart24(u8),
}

/// Payload bits kept: enough for every field of the decoded types (type 5 is 424 bits); longer
/// payloads (binary messages 6, 8, 25, 26) are validated in full but only their header is read.
const MAX_BITS: usize = 1024;

/// The payload as a bit string, most significant bit first.
pub struct Bits {
    /// Packed bits, padded with 8 zero bytes so that any 8-byte window read stays in bounds.
    bytes: [u8; MAX_BITS / 8 + 8],
    len: usize,
}

impl std::fmt::Debug for Bits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bits").field("len", &self.len).finish()
    }
}

impl Bits {
    /// Unarmour one or more payload fragments (the last one's fill bits apply).
    pub fn from_payload(parts: &[&[u8]], fill_bits: u8) -> Result<Bits, PayloadError> {
        if fill_bits > 5 {
            return Err(PayloadError::BadFillBits(fill_bits));
        }
        let mut bits = Bits {
            bytes: [0; MAX_BITS / 8 + 8],
            len: 0,
        };
        // Accumulate 6-bit values into a 64-bit word and flush whole bytes.
        let mut acc: u64 = 0;
        let mut acc_bits = 0u32;
        let mut out = 0usize;
        let mut total_chars = 0usize;
        for part in parts {
            for &c in *part {
                let v = armour_value(c)?;
                total_chars += 1;
                acc = (acc << 6) | u64::from(v);
                acc_bits += 6;
                if acc_bits >= 8 {
                    acc_bits -= 8;
                    if out < MAX_BITS / 8 {
                        bits.bytes[out] = (acc >> acc_bits) as u8;
                        out += 1;
                    }
                }
            }
        }
        if total_chars == 0 {
            return Err(PayloadError::Empty);
        }
        if acc_bits > 0 && out < MAX_BITS / 8 {
            bits.bytes[out] = (acc << (8 - acc_bits)) as u8;
        }
        let len = (total_chars * 6).saturating_sub(usize::from(fill_bits));
        bits.len = len.min(MAX_BITS);
        Ok(bits)
    }

    /// Number of payload bits (after fill bits are removed).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// `width` (≤ 57) bits from `start`, unsigned; zero beyond the payload's end.
    #[inline]
    fn uint(&self, start: usize, width: u32) -> u64 {
        let byte = start / 8;
        if byte + 8 > self.bytes.len() {
            return 0;
        }
        let mut window = [0u8; 8];
        window.copy_from_slice(&self.bytes[byte..byte + 8]);
        let word = u64::from_be_bytes(window) << (start % 8);
        word >> (64 - width)
    }

    /// `width` bits from `start` as a two's complement signed integer.
    #[inline]
    fn int(&self, start: usize, width: u32) -> i64 {
        let raw = self.uint(start, width);
        let shift = 64 - width;
        ((raw << shift) as i64) >> shift
    }

    #[inline]
    fn flag(&self, start: usize) -> bool {
        self.uint(start, 1) == 1
    }

    /// Six-bit text of `chars` characters from `start`, read as pyais does: values below 32 map
    /// to 64–95, the text stops at the first `@`, and surrounding spaces are trimmed.
    fn text(&self, start: usize, chars: usize) -> CompactString {
        let mut buf = [0u8; 20];
        let mut n = 0;
        for i in 0..chars.min(buf.len()) {
            let pos = start + i * 6;
            if pos >= self.len {
                break;
            }
            let mut v = self.uint(pos, 6) as u8;
            if v < 32 {
                v += 64;
            }
            if v == b'@' {
                break;
            }
            buf[n] = v;
            n += 1;
        }
        let text = buf[..n].trim_ascii();
        // Every byte is printable ASCII (32–95), so this is valid UTF-8.
        CompactString::from_utf8_lossy(text)
    }
}

/// 6-bit value of each byte of the armour (`0`–`W` → 0–39, `` ` ``–`w` → 40–63), 0xFF
/// for a byte outside it: one table load per character on the hot path.
const ARMOUR: [u8; 256] = {
    let mut table = [0xFF; 256];
    let mut c = 48;
    while c <= 87 {
        table[c] = (c - 48) as u8;
        c += 1;
    }
    let mut c = 96;
    while c <= 119 {
        table[c] = (c - 56) as u8;
        c += 1;
    }
    table
};

/// The 6-bit value of one armoured payload character.
#[inline]
fn armour_value(c: u8) -> Result<u8, PayloadError> {
    match ARMOUR[usize::from(c)] {
        0xFF => Err(PayloadError::BadCharacter(char::from(c))),
        v => Ok(v),
    }
}

/// Degrees from a coordinate in 1/10,000 minute, rounded to 6 decimals as pyais does
/// (`round(v / 600000, 6)`; `5v/3` is never half-way between two integers, so there is no tie).
#[inline]
fn degrees_1_10000_min(v: i64) -> f64 {
    ((v as f64) * 5.0 / 3.0).round() / 1e6
}

/// Degrees from a coordinate in 1/10 minute (type 27), rounded to 6 decimals as pyais does.
#[inline]
fn degrees_1_10_min(v: i64) -> f64 {
    ((v as f64) * 5000.0 / 3.0).round() / 1e6
}

/// Position report, class A (types 1, 2, 3).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassAPosition {
    pub msg_type: u8,
    pub repeat: u8,
    pub mmsi: u32,
    /// Navigational status (0 under way using engine, 1 at anchor, 5 moored, 15 undefined).
    pub status: u8,
    /// Rate of turn as transmitted (ROT_AIS, −128 = not available).
    pub turn: i8,
    /// Speed over ground in knots (102.3 = not available).
    pub speed: f32,
    pub accuracy: bool,
    pub lon: f64,
    pub lat: f64,
    /// Course over ground in degrees (360 = not available).
    pub course: f32,
    /// True heading in degrees (511 = not available).
    pub heading: u16,
    /// UTC second of the fix (60–63: not available or special).
    pub second: u8,
    pub maneuver: u8,
    pub raim: bool,
    pub radio: u32,
}

impl ClassAPosition {
    /// Rate of turn in degrees per minute as pyais reports it (`±127` and `−128` are kept as
    /// markers: turning right/left without indicator, no information).
    pub fn turn_rate(&self) -> f64 {
        let raw = f64::from(self.turn);
        match self.turn {
            0 => 0.0,
            127 | -127 | -128 => raw,
            _ => ((raw / 4.733).powi(2)).round_ties_even().copysign(raw),
        }
    }
}

/// Base station report (type 4): a shore station's position and UTC time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaseStation {
    pub msg_type: u8,
    pub repeat: u8,
    pub mmsi: u32,
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub accuracy: bool,
    pub lon: f64,
    pub lat: f64,
    pub epfd: u8,
    pub raim: bool,
    pub radio: u32,
}

/// Static and voyage related data (type 5, usually two sentences).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaticVoyage {
    pub msg_type: u8,
    pub repeat: u8,
    pub mmsi: u32,
    pub ais_version: u8,
    /// IMO number (0 = not available).
    pub imo: u32,
    pub callsign: CompactString,
    pub shipname: CompactString,
    pub ship_type: u8,
    pub to_bow: u16,
    pub to_stern: u16,
    pub to_port: u8,
    pub to_starboard: u8,
    pub epfd: u8,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    /// Draught in metres.
    pub draught: f32,
    pub destination: CompactString,
    pub dte: bool,
}

/// Standard class B position report (type 18).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassBPosition {
    pub msg_type: u8,
    pub repeat: u8,
    pub mmsi: u32,
    pub speed: f32,
    pub accuracy: bool,
    pub lon: f64,
    pub lat: f64,
    pub course: f32,
    pub heading: u16,
    pub second: u8,
    pub cs: bool,
    pub display: bool,
    pub dsc: bool,
    pub band: bool,
    pub msg22: bool,
    pub assigned: bool,
    pub raim: bool,
    pub radio: u32,
}

/// Extended class B position report (type 19): position plus name and dimensions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassBExtended {
    pub msg_type: u8,
    pub repeat: u8,
    pub mmsi: u32,
    pub speed: f32,
    pub accuracy: bool,
    pub lon: f64,
    pub lat: f64,
    pub course: f32,
    pub heading: u16,
    pub second: u8,
    pub shipname: CompactString,
    pub ship_type: u8,
    pub to_bow: u16,
    pub to_stern: u16,
    pub to_port: u8,
    pub to_starboard: u8,
    pub epfd: u8,
    pub raim: bool,
    pub dte: bool,
    pub assigned: bool,
}

/// Static data report part A (type 24, part 0): the name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaticPartA {
    pub msg_type: u8,
    pub repeat: u8,
    pub mmsi: u32,
    pub partno: u8,
    pub shipname: CompactString,
}

/// Static data report part B (type 24, part 1): type, vendor, call sign, and either the
/// dimensions or, for an auxiliary craft (MMSI 98XXXYYYY), its mother ship's MMSI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaticPartB {
    pub msg_type: u8,
    pub repeat: u8,
    pub mmsi: u32,
    pub partno: u8,
    pub ship_type: u8,
    pub vendorid: CompactString,
    pub model: u8,
    pub serial: u32,
    pub callsign: CompactString,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_bow: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_stern: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_port: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_starboard: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mothership_mmsi: Option<u32>,
}

/// Long-range position report (type 27, satellite reception): coarse position and speed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LongRange {
    pub msg_type: u8,
    pub repeat: u8,
    pub mmsi: u32,
    pub accuracy: bool,
    pub raim: bool,
    pub status: u8,
    pub lon: f64,
    pub lat: f64,
    /// Knots (63 = not available).
    pub speed: f32,
    /// Degrees (511 = not available).
    pub course: f32,
    pub gnss: bool,
}

/// A message type Resolute does not decode beyond its header (binary, safety, channel
/// management, …).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OtherMessage {
    pub msg_type: u8,
    pub repeat: u8,
    pub mmsi: u32,
}

/// One decoded AIS message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AisMessage {
    ClassA(ClassAPosition),
    BaseStation(BaseStation),
    StaticVoyage(StaticVoyage),
    ClassB(ClassBPosition),
    ClassBExtended(ClassBExtended),
    StaticPartA(StaticPartA),
    StaticPartB(StaticPartB),
    LongRange(LongRange),
    Other(OtherMessage),
}

impl AisMessage {
    pub fn msg_type(&self) -> u8 {
        match self {
            AisMessage::ClassA(m) => m.msg_type,
            AisMessage::BaseStation(m) => m.msg_type,
            AisMessage::StaticVoyage(m) => m.msg_type,
            AisMessage::ClassB(m) => m.msg_type,
            AisMessage::ClassBExtended(m) => m.msg_type,
            AisMessage::StaticPartA(m) => m.msg_type,
            AisMessage::StaticPartB(m) => m.msg_type,
            AisMessage::LongRange(m) => m.msg_type,
            AisMessage::Other(m) => m.msg_type,
        }
    }

    pub fn mmsi(&self) -> u32 {
        match self {
            AisMessage::ClassA(m) => m.mmsi,
            AisMessage::BaseStation(m) => m.mmsi,
            AisMessage::StaticVoyage(m) => m.mmsi,
            AisMessage::ClassB(m) => m.mmsi,
            AisMessage::ClassBExtended(m) => m.mmsi,
            AisMessage::StaticPartA(m) => m.mmsi,
            AisMessage::StaticPartB(m) => m.mmsi,
            AisMessage::LongRange(m) => m.mmsi,
            AisMessage::Other(m) => m.mmsi,
        }
    }
}

/// Minimum payload length in bits of each decoded type (ITU-R M.1371 lengths; type 24 part A
/// is 160 bits, type 5 may omit its last spare bit).
fn required_bits(msg_type: u8, part: u8) -> usize {
    match msg_type {
        1..=4 | 18 => 168,
        5 => 423,
        19 => 312,
        24 if part == 0 => 160,
        24 => 168,
        27 => 96,
        _ => 38,
    }
}

/// Decode one complete payload (fragments already joined).
pub fn decode(bits: &Bits) -> Result<AisMessage, PayloadError> {
    let got = bits.len();
    if got < 6 {
        return Err(PayloadError::Truncated {
            msg_type: bits.uint(0, 6) as u8,
            needed: 38,
            got,
        });
    }
    let msg_type = bits.uint(0, 6) as u8;
    let part = if msg_type == 24 {
        bits.uint(38, 2) as u8
    } else {
        0
    };
    let needed = required_bits(msg_type, part);
    if got < needed {
        return Err(PayloadError::Truncated {
            msg_type,
            needed,
            got,
        });
    }
    let repeat = bits.uint(6, 2) as u8;
    let mmsi = bits.uint(8, 30) as u32;
    let b = bits;
    Ok(match msg_type {
        1..=3 => AisMessage::ClassA(ClassAPosition {
            msg_type,
            repeat,
            mmsi,
            status: b.uint(38, 4) as u8,
            turn: b.int(42, 8) as i8,
            speed: b.uint(50, 10) as f32 / 10.0,
            accuracy: b.flag(60),
            lon: degrees_1_10000_min(b.int(61, 28)),
            lat: degrees_1_10000_min(b.int(89, 27)),
            course: b.uint(116, 12) as f32 / 10.0,
            heading: b.uint(128, 9) as u16,
            second: b.uint(137, 6) as u8,
            maneuver: b.uint(143, 2) as u8,
            raim: b.flag(148),
            radio: b.uint(149, 19) as u32,
        }),
        4 => AisMessage::BaseStation(BaseStation {
            msg_type,
            repeat,
            mmsi,
            year: b.uint(38, 14) as u16,
            month: b.uint(52, 4) as u8,
            day: b.uint(56, 5) as u8,
            hour: b.uint(61, 5) as u8,
            minute: b.uint(66, 6) as u8,
            second: b.uint(72, 6) as u8,
            accuracy: b.flag(78),
            lon: degrees_1_10000_min(b.int(79, 28)),
            lat: degrees_1_10000_min(b.int(107, 27)),
            epfd: b.uint(134, 4) as u8,
            raim: b.flag(148),
            radio: b.uint(149, 19) as u32,
        }),
        5 => AisMessage::StaticVoyage(StaticVoyage {
            msg_type,
            repeat,
            mmsi,
            ais_version: b.uint(38, 2) as u8,
            imo: b.uint(40, 30) as u32,
            callsign: b.text(70, 7),
            shipname: b.text(112, 20),
            ship_type: b.uint(232, 8) as u8,
            to_bow: b.uint(240, 9) as u16,
            to_stern: b.uint(249, 9) as u16,
            to_port: b.uint(258, 6) as u8,
            to_starboard: b.uint(264, 6) as u8,
            epfd: b.uint(270, 4) as u8,
            month: b.uint(274, 4) as u8,
            day: b.uint(278, 5) as u8,
            hour: b.uint(283, 5) as u8,
            minute: b.uint(288, 6) as u8,
            draught: b.uint(294, 8) as f32 / 10.0,
            destination: b.text(302, 20),
            dte: b.flag(422),
        }),
        18 => AisMessage::ClassB(ClassBPosition {
            msg_type,
            repeat,
            mmsi,
            speed: b.uint(46, 10) as f32 / 10.0,
            accuracy: b.flag(56),
            lon: degrees_1_10000_min(b.int(57, 28)),
            lat: degrees_1_10000_min(b.int(85, 27)),
            course: b.uint(112, 12) as f32 / 10.0,
            heading: b.uint(124, 9) as u16,
            second: b.uint(133, 6) as u8,
            cs: b.flag(141),
            display: b.flag(142),
            dsc: b.flag(143),
            band: b.flag(144),
            msg22: b.flag(145),
            assigned: b.flag(146),
            raim: b.flag(147),
            radio: b.uint(148, 20) as u32,
        }),
        19 => AisMessage::ClassBExtended(ClassBExtended {
            msg_type,
            repeat,
            mmsi,
            speed: b.uint(46, 10) as f32 / 10.0,
            accuracy: b.flag(56),
            lon: degrees_1_10000_min(b.int(57, 28)),
            lat: degrees_1_10000_min(b.int(85, 27)),
            course: b.uint(112, 12) as f32 / 10.0,
            heading: b.uint(124, 9) as u16,
            second: b.uint(133, 6) as u8,
            shipname: b.text(143, 20),
            ship_type: b.uint(263, 8) as u8,
            to_bow: b.uint(271, 9) as u16,
            to_stern: b.uint(280, 9) as u16,
            to_port: b.uint(289, 6) as u8,
            to_starboard: b.uint(295, 6) as u8,
            epfd: b.uint(301, 4) as u8,
            raim: b.flag(305),
            dte: b.flag(306),
            assigned: b.flag(307),
        }),
        24 => match part {
            0 => AisMessage::StaticPartA(StaticPartA {
                msg_type,
                repeat,
                mmsi,
                partno: 0,
                shipname: b.text(40, 20),
            }),
            1 => {
                let auxiliary = mmsi / 10_000_000 == 98;
                let dims = |start, width| (!auxiliary).then(|| b.uint(start, width));
                AisMessage::StaticPartB(StaticPartB {
                    msg_type,
                    repeat,
                    mmsi,
                    partno: 1,
                    ship_type: b.uint(40, 8) as u8,
                    vendorid: b.text(48, 3),
                    model: b.uint(66, 4) as u8,
                    serial: b.uint(70, 20) as u32,
                    callsign: b.text(90, 7),
                    to_bow: dims(132, 9).map(|v| v as u16),
                    to_stern: dims(141, 9).map(|v| v as u16),
                    to_port: dims(150, 6).map(|v| v as u8),
                    to_starboard: dims(156, 6).map(|v| v as u8),
                    mothership_mmsi: auxiliary.then(|| b.uint(132, 30) as u32),
                })
            }
            other => return Err(PayloadError::UnknownPart24(other)),
        },
        27 => AisMessage::LongRange(LongRange {
            msg_type,
            repeat,
            mmsi,
            accuracy: b.flag(38),
            raim: b.flag(39),
            status: b.uint(40, 4) as u8,
            lon: degrees_1_10_min(b.int(44, 18)),
            lat: degrees_1_10_min(b.int(62, 17)),
            speed: b.uint(79, 6) as f32,
            course: b.uint(85, 9) as f32,
            gnss: b.flag(94),
        }),
        _ => AisMessage::Other(OtherMessage {
            msg_type,
            repeat,
            mmsi,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_str(payload: &str, fill: u8) -> AisMessage {
        let bits = Bits::from_payload(&[payload.as_bytes()], fill).expect("armour");
        decode(&bits).expect("decode")
    }

    #[test]
    fn class_a_position_from_gpsd_example() {
        // "!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C"; values as pyais 3.3.1 decodes them.
        let AisMessage::ClassA(m) = decode_str("15M67FC000G?ufbE`FepT@3n00Sa", 0) else {
            panic!("not class A");
        };
        assert_eq!(m.mmsi, 366053209);
        assert_eq!((m.lat, m.lon), (37.802118, -122.341618));
        assert_eq!(m.heading, 1);
    }

    #[test]
    fn bad_character_and_empty_payload_are_errors() {
        assert_eq!(
            Bits::from_payload(&[b"15M6!"], 0).err(),
            Some(PayloadError::BadCharacter('!'))
        );
        assert_eq!(
            Bits::from_payload(&[b""], 0).err(),
            Some(PayloadError::Empty)
        );
        let bits = Bits::from_payload(&[b"15M67FC000G"], 0).expect("armour");
        assert!(matches!(
            decode(&bits),
            Err(PayloadError::Truncated { msg_type: 1, .. })
        ));
    }

    #[test]
    fn turn_rate_rounds_half_to_even_like_python() {
        let mut m = ClassAPosition {
            msg_type: 1,
            repeat: 0,
            mmsi: 1,
            status: 0,
            turn: 0,
            speed: 0.0,
            accuracy: false,
            lon: 0.0,
            lat: 0.0,
            course: 0.0,
            heading: 0,
            second: 0,
            maneuver: 0,
            raim: false,
            radio: 0,
        };
        for (raw, expected) in [
            (0, 0.0),
            (-128, -128.0),
            (127, 127.0),
            (10, 4.0),
            (-20, -18.0),
        ] {
            m.turn = raw;
            assert_eq!(m.turn_rate(), expected, "raw {raw}");
        }
    }
}
