//! Finding secrets inside base64 and percent-encoded text.
//!
//! Design decision: encoded segments are found by one table-driven pass over the blob (runs
//! of the standard base64 alphabet of at least [`MIN_BASE64`] characters; runs of URL characters
//! holding `%XX` escapes), decoded, kept only when the result is mostly printable text (so
//! hashes, UUIDs and binary payloads cost a decode and nothing more), and scanned by the
//! same [`Scanner`](super::Scanner). Findings inside decoded text are reported at the line
//! and column of the *encoded* text in the original blob, tagged `decoded:base64` or
//! `decoded:percent`. Depth (nested encodings) and total decoded bytes per blob are bounded,
//! so adversarial input cannot make decoding super-linear.
//!
//! The limits are sized for real files, and **every limit that is hit is reported** (a
//! [`LimitHit`] in the [`Budget`], which the scanner hands to its caller as a failure): a
//! base64 run is decoded up to [`MAX_BASE64_RUN`] (1 MiB, the largest object the Kubernetes
//! API server stores, so no Secret value is longer); the decoded bytes per blob are bounded by
//! [`DecodeLimits::budget_for`]: `max(16 MiB, 4 × blob size)`. Base64 yields ¾ of its length
//! per level, so two levels of pure base64 decode to at most 1.31× the blob; percent-decoding
//! yields at most 1× per level and may overlap base64 runs. 4× therefore covers any real file
//! with room to spare, while adversarial nesting stays linear in the input. Runs longer than
//! 1 MiB that cannot be text (images, fonts, binaries: the first character of most quanta
//! above `f`) are not decodable text either way and are not reported.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;

/// Shortest base64 run worth decoding (18 decoded bytes; shorter secrets are found as text).
pub const MIN_BASE64: usize = 24;
/// Longest base64 run decoded: 1 MiB, the most the Kubernetes API server stores in one object
/// (so any Secret value), and far above a docker auth or a JWT payload. Longer runs of
/// text-like base64 are reported as a [`LimitHit::RunTooLong`].
pub const MAX_BASE64_RUN: usize = 1 << 20;
/// How far a percent-encoded segment extends either side of a `%` (longer URL-character runs
/// continue as the next segment, so nothing is left undecoded).
const MAX_PERCENT_SPAN: usize = 64 << 10;

/// Limits for decoding.
#[derive(Clone, Copy, Debug)]
pub struct DecodeLimits {
    /// Nested decoding depth (0 disables decoding).
    pub max_depth: usize,
    /// Decoded bytes per blob, at least (see [`DecodeLimits::budget_for`]).
    pub max_bytes: usize,
    /// Decoded bytes per blob per byte of the blob (see [`DecodeLimits::budget_for`]).
    pub bytes_per_input_byte: usize,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits { max_depth: 2, max_bytes: 16 << 20, bytes_per_input_byte: 4 }
    }
}

impl DecodeLimits {
    /// The decode budget of a blob of `len` bytes: `max(max_bytes, bytes_per_input_byte ×
    /// len)`, by default `max(16 MiB, 4 × len)`.
    pub fn budget_for(&self, len: usize) -> usize {
        self.max_bytes.max(len.saturating_mul(self.bytes_per_input_byte))
    }
}

/// A decoding limit that was hit: encoded content that was not decoded. Never quotes content.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitHit {
    /// The per-blob budget ran out.
    #[error(
        "decode budget exhausted after {decoded} bytes (limit {limit}); encoded text from byte \
         {offset} on was not decoded"
    )]
    Budget {
        /// Bytes decoded before.
        decoded: usize,
        /// The budget.
        limit: usize,
        /// Offset in the blob of the first encoded text not decoded.
        offset: usize,
    },
    /// A base64 run that may hold text is longer than [`MAX_BASE64_RUN`].
    #[error(
        "base64 text of {len} bytes at byte {offset} is longer than the decode limit of {max} \
         bytes; it was not decoded"
    )]
    RunTooLong {
        /// Length of the run.
        len: usize,
        /// Its offset in the blob.
        offset: usize,
        /// The limit.
        max: usize,
    },
}

/// The decode budget of one blob, and the first limit hit while decoding it.
#[derive(Debug)]
pub struct Budget {
    left: usize,
    limit: usize,
    /// Set while decoding nested segments: the offset (in the blob) of the outermost segment,
    /// reported instead of offsets inside decoded text.
    pub(crate) origin: Option<usize>,
    /// The first limit hit.
    pub hit: Option<LimitHit>,
}

impl Budget {
    /// A budget of `limit` decoded bytes.
    pub fn new(limit: usize) -> Budget {
        Budget { left: limit, limit, origin: None, hit: None }
    }

    /// Bytes left.
    pub fn left(&self) -> usize {
        self.left
    }

    fn record(&mut self, hit: LimitHit) {
        if self.hit.is_none() {
            self.hit = Some(hit);
        }
    }

    /// Takes `need` bytes, or records the exhaustion at `offset` and empties the budget.
    fn take(&mut self, need: usize, offset: usize) -> bool {
        if need <= self.left {
            self.left -= need;
            return true;
        }
        let offset = self.origin.unwrap_or(offset);
        self.record(LimitHit::Budget {
            decoded: self.limit - self.left,
            limit: self.limit,
            offset,
        });
        self.left = 0;
        false
    }
}

/// How a segment was encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Standard or URL-safe base64.
    Base64,
    /// Percent-encoding.
    Percent,
}

impl Encoding {
    /// The tag added to findings.
    pub fn tag(self) -> &'static str {
        match self {
            Encoding::Base64 => "decoded:base64",
            Encoding::Percent => "decoded:percent",
        }
    }
}

/// One decoded segment: where it was in the input and what it decodes to.
#[derive(Debug)]
pub struct Segment {
    /// Byte range of the encoded text in the input.
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// Encoding.
    pub encoding: Encoding,
    /// Decoded bytes.
    pub decoded: Vec<u8>,
}

const B64: u8 = 1;
const URL: u8 = 2;

const fn classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let alnum = b.is_ascii_alphanumeric();
        // Standard alphabet only: with `-` and `_` every snake_case identifier would be a
        // candidate run (measured: it doubled decoding cost on source code). URL-safe
        // tokens such as JWTs have rules of their own.
        if alnum || b == b'+' || b == b'/' {
            t[i] |= B64;
        }
        if alnum
            || matches!(
                b,
                b'%' | b'-'
                    | b'_'
                    | b'.'
                    | b'~'
                    | b'+'
                    | b'='
                    | b'&'
                    | b'/'
                    | b':'
                    | b'@'
                    | b'!'
                    | b'*'
            )
        {
            t[i] |= URL;
        }
        i += 1;
    }
    t
}

static CLASS: [u8; 256] = classes();

/// Finds decodable segments in `data`, within `budget` (which records any limit hit).
pub fn segments(data: &[u8], budget: &mut Budget) -> Vec<Segment> {
    let mut out = Vec::new();
    let n = data.len();
    let is_b64 = |b: u8| CLASS[b as usize] & B64 != 0;
    // `pos`: no run may start before it (everything earlier was handled).
    let mut pos = 0;
    let mut base = 0;
    let mut cur = block_mask(data, 0);
    while base < n && budget.left > 0 {
        let next = block_mask(data, base + 64);
        let mut starts = runs_of_24(cur, next);
        if pos > base {
            starts &= u64::MAX.checked_shl((pos - base) as u32).unwrap_or(0);
        }
        if starts == 0 {
            base += 64;
            cur = next;
            continue;
        }
        let mut start = base + starts.trailing_zeros() as usize;
        while start > pos && is_b64(data[start - 1]) {
            start -= 1;
        }
        let mut run_end = start + MIN_BASE64;
        while run_end < n && is_b64(data[run_end]) {
            run_end += 1;
        }
        let run = &data[start..run_end];
        if run.len() > MAX_BASE64_RUN {
            if may_be_text(run) {
                let offset = budget.origin.unwrap_or(start);
                budget.record(LimitHit::RunTooLong { len: run.len(), offset, max: MAX_BASE64_RUN });
            }
        } else if may_be_text(run) && budget.take(run.len() / 4 * 3 + 2, start) {
            let mut end = run_end;
            // Include `=` padding.
            while end < n && end - run_end < 2 && data[end] == b'=' {
                end += 1;
            }
            if let Some(decoded) = decode_base64(run) {
                out.push(Segment { start, end, encoding: Encoding::Base64, decoded });
            }
        }
        pos = run_end;
        base = run_end;
        cur = block_mask(data, base);
    }
    // Percent-encoding: only around `%` bytes, so text without `%` costs one memchr pass.
    let mut from = 0;
    while let Some(p) = memchr::memchr(b'%', &data[from..]).map(|p| from + p) {
        if budget.left == 0 {
            break;
        }
        let mut s = p;
        while s > 0 && CLASS[data[s - 1] as usize] & URL != 0 && p - s < MAX_PERCENT_SPAN {
            s -= 1;
        }
        let mut e = p;
        while e < n && CLASS[data[e] as usize] & URL != 0 && e - p < MAX_PERCENT_SPAN {
            e += 1;
        }
        from = e.max(p + 1);
        let seg = &data[s..e];
        if let Some(decoded) = decode_percent(seg) {
            if !budget.take(decoded.len(), s) {
                break;
            }
            out.push(Segment { start: s, end: e, encoding: Encoding::Percent, decoded });
        }
    }
    out
}

/// Bit `j` set when `data[at + j]` is a standard base64 character (0 past the end). Written
/// as a fixed-size loop of comparisons so the compiler vectorizes it.
fn block_mask(data: &[u8], at: usize) -> u64 {
    let mut block = [0u8; 64];
    if at < data.len() {
        let take = (data.len() - at).min(64);
        block[..take].copy_from_slice(&data[at..at + take]);
    }
    // 0/1 per byte: plain comparisons over a fixed-size array, which LLVM vectorizes.
    let mut flags = [0u8; 64];
    for (f, &b) in flags.iter_mut().zip(block.iter()) {
        let lower = b | 0x20;
        let alpha = lower.wrapping_sub(b'a') < 26;
        let digit = b.wrapping_sub(b'0') < 10;
        *f = u8::from(alpha | digit | (b == b'+') | (b == b'/'));
    }
    // Gather 8 flag bytes into 8 bits with one multiply per word.
    let mut m = 0u64;
    for (k, chunk) in flags.chunks_exact(8).enumerate() {
        let word = u64::from_le_bytes([
            chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7],
        ]);
        let bits = (word.wrapping_mul(0x0102_0408_1020_4080) >> 56) as u8;
        m |= u64::from(bits) << (8 * k);
    }
    m
}

/// Bit `j` (0..64) set when bits `j..j+24` of the 128-bit window `cur | next << 64` are all
/// set: a run of at least 24 base64 characters covers positions `j..j+24`.
fn runs_of_24(cur: u64, next: u64) -> u64 {
    let w = u128::from(cur) | (u128::from(next) << 64);
    let x2 = w & (w >> 1);
    let x4 = x2 & (x2 >> 2);
    let x8 = x4 & (x4 >> 4);
    let x16 = x8 & (x8 >> 8);
    (x16 & (x8 >> 16)) as u64
}

/// Cheap tests (no decoding) that rule out runs which cannot be base64 of text.
fn may_be_text(run: &[u8]) -> bool {
    // Base64 of ASCII text starts every 4-character quantum with a value below 32
    // (`A`-`Z`, `a`-`f`): identifiers and hashes fail this before any decoding.
    let quanta = run.len() / 4;
    let low = run
        .iter()
        .step_by(4)
        .filter(|&&b| b.is_ascii_uppercase() || (b'a'..=b'f').contains(&b))
        .count();
    if low * 10 < quanta * 9 {
        return false;
    }
    // Runs of one character class only (hex digests, lowercase words) are not base64 text.
    let (mut lower, mut upper) = (false, false);
    for &b in run {
        lower |= b.is_ascii_lowercase();
        upper |= b.is_ascii_uppercase();
    }
    lower && upper
}

/// Decodes a base64 run (that passed [`may_be_text`]) when it decodes to mostly printable
/// text.
fn decode_base64(run: &[u8]) -> Option<Vec<u8>> {
    let engine = &STANDARD_NO_PAD;
    // Drop a trailing partial quantum rather than failing (text next to the run).
    let usable = run.len() - run.len() % 4 + if run.len() % 4 >= 2 { run.len() % 4 } else { 0 };
    let decoded = engine.decode(&run[..usable]).ok()?;
    mostly_text(&decoded).then_some(decoded)
}

fn decode_percent(seg: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(seg.len());
    let mut escapes = 0;
    let mut i = 0;
    while i < seg.len() {
        if seg[i] == b'%' && i + 2 < seg.len() {
            if let (Some(h), Some(l)) = (hex(seg[i + 1]), hex(seg[i + 2])) {
                out.push(h << 4 | l);
                escapes += 1;
                i += 3;
                continue;
            }
        }
        out.push(seg[i]);
        i += 1;
    }
    (escapes >= 2 && out.len() >= 8 && mostly_text(&out)).then_some(out)
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// At least 90% printable ASCII or whitespace, and at least 8 bytes.
fn mostly_text(b: &[u8]) -> bool {
    if b.len() < 8 {
        return false;
    }
    let printable = b
        .iter()
        .filter(|&&c| (0x20..0x7f).contains(&c) || c == b'\n' || c == b'\r' || c == b'\t')
        .count();
    printable * 10 >= b.len() * 9
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    #[test]
    fn finds_base64_and_percent_segments() {
        let secret = "password=hX9mQ2vLz7pK4wR8";
        let enc = STANDARD.encode(secret);
        let text = format!(
            "data:\n  config: {enc}\nurl: https://x.io/?q=user%3Aa%40b%2Fc%3Ddef\nhash: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
        );
        let mut budget = Budget::new(1 << 20);
        let segs = segments(text.as_bytes(), &mut budget);
        assert_eq!(segs.len(), 2, "{segs:?}");
        assert_eq!(segs[0].decoded, secret.as_bytes());
        assert_eq!(&text.as_bytes()[segs[0].start..segs[0].end], enc.as_bytes());
        assert_eq!(segs[1].encoding, Encoding::Percent);
        assert!(String::from_utf8_lossy(&segs[1].decoded).contains("user:a@b/c=def"));
    }

    #[test]
    fn run_detection_across_block_boundaries() {
        for offset in [0usize, 1, 40, 63, 64, 100] {
            let enc = STANDARD.encode("user=admin password=hX9mQ2vLz7pK4wR8 end");
            let text = format!(
                "{}\"{enc}\" and some words_here_too",
                "x ".repeat(offset / 2) + if offset % 2 == 1 { "y" } else { "" }
            );
            let mut budget = Budget::new(1 << 20);
            let segs = segments(text.as_bytes(), &mut budget);
            assert_eq!(segs.len(), 1, "offset {offset}");
            assert_eq!(
                &text.as_bytes()[segs[0].start..segs[0].end],
                enc.as_bytes(),
                "offset {offset}"
            );
        }
        assert_eq!(runs_of_24((1u64 << 24) - 1, 0), 1);
        assert_eq!(runs_of_24((1u64 << 23) - 1, 0), 0);
        assert_eq!(runs_of_24(u64::MAX << 50, 0x3ff), 1 << 50);
    }

    #[test]
    fn budget_bounds_work() {
        let enc = STANDARD.encode("some longer printable text that decodes fine");
        let text = format!("{enc} {enc} {enc}");
        let mut budget = Budget::new(100);
        let segs = segments(text.as_bytes(), &mut budget);
        // Each run costs its decoded size (¾ of the run, rounded up) before it is decoded.
        let cost = enc.trim_end_matches('=').len() / 4 * 3 + 2;
        assert_eq!(segs.len(), 2, "each run costs {cost} bytes of budget");
        assert_eq!(budget.left(), 0);
        let third = 2 * (enc.len() + 1);
        let hit = LimitHit::Budget { decoded: 2 * cost, limit: 100, offset: third };
        assert_eq!(budget.hit, Some(hit));
    }

    #[test]
    fn long_runs_are_decoded_up_to_the_limit_and_reported_past_it() {
        let secret = "password=hX9mQ2vLz7pK4wR8\n".repeat(20_000); // ~500 KiB of text
        let enc = STANDARD.encode(&secret);
        assert!(enc.len() > 64 << 10 && enc.len() < MAX_BASE64_RUN);
        let mut budget = Budget::new(DecodeLimits::default().budget_for(enc.len()));
        let segs = segments(enc.as_bytes(), &mut budget);
        assert_eq!((segs.len(), budget.hit.clone()), (1, None));
        let long = STANDARD.encode(secret.repeat(3));
        let mut budget = Budget::new(1 << 30);
        assert!(segments(long.as_bytes(), &mut budget).is_empty());
        assert_eq!(
            budget.hit,
            Some(LimitHit::RunTooLong { len: long.len(), offset: 0, max: MAX_BASE64_RUN })
        );
        // Long runs that cannot be text are not decodable either way: nothing to report.
        let noise: String = (0..(2 << 20)).map(|i| ['z', 'Y', '9', '+'][i % 4]).collect();
        let mut budget = Budget::new(1 << 30);
        assert!(segments(noise.as_bytes(), &mut budget).is_empty());
        assert_eq!(budget.hit, None);
    }
}
