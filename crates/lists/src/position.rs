//! Byte offsets to line:column, for error messages.

use serde::Serialize;

/// A 1-based line and column (column counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineCol {
    pub line: u64,
    pub column: u64,
}

impl LineCol {
    /// The position of byte `offset` in `bytes` (clamped to the end).
    pub fn at(bytes: &[u8], offset: usize) -> LineCol {
        let offset = offset.min(bytes.len());
        let before = &bytes[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        // Count characters, not bytes: UTF-8 continuation bytes do not start one.
        let column = before[line_start..]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count() as u64
            + 1;
        LineCol { line, column }
    }
}

impl std::fmt::Display for LineCol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Counts lines incrementally while a parser moves forward through a buffer,
/// so that a line number for every record costs O(file) in total.
#[derive(Debug)]
pub(crate) struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of `offset`; offsets must not go backwards (if they
    /// do, the count restarts from the beginning).
    pub fn line_at(&mut self, offset: usize) -> u64 {
        let offset = offset.min(self.bytes.len());
        if offset < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        self.line += count_newlines(&self.bytes[self.offset..offset]);
        self.offset = offset;
        self.line
    }
}

/// The number of `\n` in `bytes`.
fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let s = "ab\ncdé\nf".as_bytes();
        assert_eq!(LineCol::at(s, 0), LineCol { line: 1, column: 1 });
        assert_eq!(LineCol::at(s, 3), LineCol { line: 2, column: 1 });
        // after "cdé" (é is two bytes): column 4
        assert_eq!(LineCol::at(s, 7), LineCol { line: 2, column: 4 });
        assert_eq!(LineCol::at(s, 100).line, 3);
        let mut c = LineCounter::new(s);
        assert_eq!(c.line_at(4), 2);
        assert_eq!(c.line_at(9), 3);
        assert_eq!(c.line_at(1), 1);
    }
}
