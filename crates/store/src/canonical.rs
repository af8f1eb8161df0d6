//! Canonical JSON for hashing: object keys sorted by their UTF-8 bytes, no
//! whitespace, serde_json's escaping of strings and numbers.
//!
//! Written out explicitly (not `serde_json::to_string`) so the bytes do not
//! depend on whether some crate in the build enables serde_json's
//! `preserve_order` feature.

use serde_json::Value;
use sha2::{Digest, Sha256};

pub fn canonical_json(value: &Value) -> String {
    let mut out = Vec::with_capacity(256);
    write_value(value, &mut out);
    // Only whole UTF-8 strings and ASCII punctuation were written.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn write_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        // Scalars: serde_json's own rendering is already canonical.
        Value::Number(n) => write_scalar(n, out),
        Value::String(s) => write_scalar(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            // A no-op with serde_json's default (sorted) map; needed under `preserve_order`.
            if !entries.is_sorted_by(|a, b| a.0 <= b.0) {
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            }
            out.push(b'{');
            for (i, (key, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(key, out);
                out.push(b':');
                write_value(v, out);
            }
            out.push(b'}');
        }
    }
}

/// A string or number as serde_json writes it (writing to a `Vec` cannot fail).
fn write_scalar<T: serde::Serialize + ?Sized>(v: &T, out: &mut Vec<u8>) {
    let _ = serde_json::to_writer(&mut *out, v);
}

/// Canonical JSON of a string value (quoted, escaped).
pub(crate) fn json_string(s: &str, out: &mut Vec<u8>) {
    write_scalar(s, out);
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_sorted_at_every_level() {
        let v = json!({"b": 1, "a": {"z": [3, {"y": null, "x": "é\n"}], "c": true}});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"c":true,"z":[3,{"x":"é\n","y":null}]},"b":1}"#
        );
    }

    #[test]
    fn scalars_as_serde_json_writes_them() {
        let v = json!({"n": [0, -1, 1.5, 1e300, u64::MAX, i64::MIN], "s": "q\"\\\u{1}\u{7f}é😀", "t": true, "f": false, "z": null, "": []});
        let c = canonical_json(&v);
        assert_eq!(
            c,
            format!(
                r#"{{"":[],"f":false,"n":{},"s":{},"t":true,"z":null}}"#,
                v["n"], v["s"]
            )
        );
        assert_eq!(serde_json::from_str::<Value>(&c).ok(), Some(v));
    }
}
