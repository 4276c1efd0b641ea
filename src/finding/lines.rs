//! Byte offsets to 1-based lines and character columns.
//!
//! Design decision: lines are counted lazily and incrementally. Matches arrive sorted by
//! offset within a rule, so [`LineCounter`] walks forward from its last position with
//! `memchr`, and only restarts when asked about an earlier offset: a file with many findings
//! costs one pass, a file with none costs nothing.

/// Incremental offset → (line, line start) resolver over one haystack.
#[derive(Debug)]
pub struct LineCounter<'a> {
    hay: &'a [u8],
    /// Offset up to which newlines have been counted.
    pos: usize,
    /// 1-based line number at `pos`.
    line: usize,
    /// Start offset of that line.
    line_start: usize,
}

impl<'a> LineCounter<'a> {
    /// A counter at the start of `hay`.
    pub fn new(hay: &'a [u8]) -> Self {
        LineCounter { hay, pos: 0, line: 1, line_start: 0 }
    }

    /// (1-based line, offset of that line's start) for `offset`.
    pub fn locate(&mut self, offset: usize) -> (usize, usize) {
        if offset < self.pos {
            *self = LineCounter::new(self.hay);
        }
        let offset = offset.min(self.hay.len());
        for nl in memchr::memchr_iter(b'\n', &self.hay[self.pos..offset]) {
            self.line += 1;
            self.line_start = self.pos + nl + 1;
        }
        self.pos = offset;
        (self.line, self.line_start)
    }

    /// 1-based (line, column) of `offset`, the column counted in characters as a lossy UTF-8
    /// decoder shows them (each maximal invalid sequence is one U+FFFD).
    pub fn line_col(&mut self, offset: usize) -> (usize, usize) {
        let (line, start) = self.locate(offset);
        (line, char_count(&self.hay[start..offset.min(self.hay.len())]) + 1)
    }

    /// The full line(s) spanning `start..end`, without the trailing newline.
    pub fn lines_of(&self, start: usize, end: usize) -> &'a [u8] {
        let s = memchr::memrchr(b'\n', &self.hay[..start.min(self.hay.len())]).map_or(0, |p| p + 1);
        let end = end.min(self.hay.len());
        let e = memchr::memchr(b'\n', &self.hay[end..]).map_or(self.hay.len(), |p| end + p);
        &self.hay[s..e.max(s)]
    }
}

fn char_count(bytes: &[u8]) -> usize {
    if bytes.is_ascii() {
        return bytes.len();
    }
    bstr::ByteSlice::chars(bytes).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let hay = "ab\ncdé f\n\nxyz".as_bytes();
        let mut lc = LineCounter::new(hay);
        assert_eq!(lc.line_col(0), (1, 1));
        assert_eq!(lc.line_col(4), (2, 2));
        let f = hay.iter().position(|&b| b == b'f').unwrap();
        assert_eq!(lc.line_col(f), (2, 5));
        assert_eq!(lc.line_col(hay.len() - 1), (4, 3));
        assert_eq!(lc.line_col(1), (1, 2));
        assert_eq!(lc.lines_of(4, 5), "cdé f".as_bytes());
        assert_eq!(lc.lines_of(0, 4), "ab\ncdé f".as_bytes());
        // A truncated sequence is one replacement character; a stray continuation byte too.
        let mut lc = LineCounter::new(b"\xe2\x82 \x82k");
        assert_eq!(lc.line_col(4), (1, 4));
    }
}
