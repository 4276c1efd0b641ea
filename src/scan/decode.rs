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

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;

/// Shortest base64 run worth decoding (18 decoded bytes; shorter secrets are found as text).
pub const MIN_BASE64: usize = 24;
/// Longest run decoded (a Kubernetes secret value, a docker auth, a JWT payload).
const MAX_SEGMENT: usize = 64 << 10;

/// Limits for decoding.
#[derive(Clone, Copy, Debug)]
pub struct DecodeLimits {
    /// Nested decoding depth (0 disables decoding).
    pub max_depth: usize,
    /// Total decoded bytes per blob.
    pub max_bytes: usize,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits { max_depth: 2, max_bytes: 16 << 20 }
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

/// Finds decodable segments in `data`, up to `budget` decoded bytes.
pub fn segments(data: &[u8], budget: &mut usize) -> Vec<Segment> {
    let mut out = Vec::new();
    let n = data.len();
    let is_b64 = |b: u8| CLASS[b as usize] & B64 != 0;
    // `pos`: no run may start before it (everything earlier was handled).
    let mut pos = 0;
    let mut base = 0;
    let mut cur = block_mask(data, 0);
    while base < n && *budget > 0 {
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
        if run_end - start <= MAX_SEGMENT {
            let mut end = run_end;
            // Include `=` padding.
            while end < n && end - run_end < 2 && data[end] == b'=' {
                end += 1;
            }
            if let Some(decoded) = decode_base64(&data[start..run_end]) {
                *budget = budget.saturating_sub(decoded.len());
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
        if *budget == 0 {
            break;
        }
        let mut s = p;
        while s > 0 && CLASS[data[s - 1] as usize] & URL != 0 && p - s < MAX_SEGMENT {
            s -= 1;
        }
        let mut e = p;
        while e < n && CLASS[data[e] as usize] & URL != 0 && e - p < MAX_SEGMENT {
            e += 1;
        }
        from = e.max(p + 1);
        let seg = &data[s..e];
        if let Some(decoded) = decode_percent(seg) {
            *budget = budget.saturating_sub(decoded.len());
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

/// Decodes a base64 run when it decodes to mostly printable text.
fn decode_base64(run: &[u8]) -> Option<Vec<u8>> {
    // Base64 of ASCII text starts every 4-character quantum with a value below 32
    // (`A`-`Z`, `a`-`f`): identifiers and hashes fail this before any decoding.
    let quanta = run.len() / 4;
    let low = run
        .iter()
        .step_by(4)
        .filter(|&&b| b.is_ascii_uppercase() || (b'a'..=b'f').contains(&b))
        .count();
    if low * 10 < quanta * 9 {
        return None;
    }
    // Runs of one character class only (hex digests, lowercase words) are not base64 text.
    let (mut lower, mut upper) = (false, false);
    for &b in run {
        lower |= b.is_ascii_lowercase();
        upper |= b.is_ascii_uppercase();
    }
    if !(lower && upper) {
        return None;
    }
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
        let mut budget = 1 << 20;
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
            let mut budget = 1 << 20;
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
        let mut budget = 10;
        let segs = segments(text.as_bytes(), &mut budget);
        assert_eq!(segs.len(), 1);
        assert_eq!(budget, 0);
    }
}
