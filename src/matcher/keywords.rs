//! Stage one of the matcher: every occurrence of every rule keyword, ASCII case-insensitively.
//!
//! Design decision: a hashed trigram table, not an automaton, on the hot path. With ~550
//! case-insensitive keywords there is no SIMD searcher in `aho-corasick` that applies (Teddy
//! takes at most 64 case-sensitive patterns), so the crate falls back to walking its DFA a
//! byte at a time. Every step of that walk is a load that depends on the previous one, so it
//! runs at the latency of an L1 load per byte (~290 MB/s per core here; it was 47% of a
//! whole directory scan's CPU). This filter does independent work per position instead, so
//! the CPU overlaps positions (~650 MB/s per core on the same text, eight positions per
//! step with one branch):
//!
//! * fold the four bytes at `i` with `| 0x20` (ASCII case folding that also aliases a few
//!   punctuation pairs, which verification sorts out);
//! * hash the first three folded bytes to one 64-bit word of a 32 KiB table (fits in L1);
//! * test the bit the fourth byte selects in that word.
//!
//! Each keyword is anchored at its rarest four bytes: the gram absent from (or least
//! frequent in) `common_grams.txt`, the 8,192 most frequent 4-grams of ~100 MB of public
//! code (`corpus/common_grams.rs`), so "buildkite" is looked for at "dkit", not at every
//! "buil" of "build". That gram sets the bit of its fourth byte in the word of its first
//! three. A three-byte keyword sets its whole word, a two-byte one the words of all its
//! folded three-byte extensions. A set bit is necessary for a keyword to occur, so nothing is
//! missed; candidates (hash collisions, real anchors) are verified against the few entries
//! of that word with a masked compare and a case-insensitive comparison of the whole
//! keyword. The hash multiplier is the one of 32 fixed candidates that lets the fewest
//! common grams through, so "tion" or "the " do not collide into a keyword's word. On
//! generated code about 0.8% of positions are candidates, against 0.12% that start a keyword.
//!
//! A single-byte keyword would set every word, so a keyword set with one falls back to the
//! `aho-corasick` automaton (overlapping, case-insensitive), which is also the oracle the
//! tests compare this filter against.

use std::collections::{HashMap, HashSet};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// log2 of the number of 64-bit words in the table (4096 words: 32 KiB, one L1 cache). A
/// 64 KiB table halves collisions at ~2,800 keywords, but the probe loop then misses L1: the
/// criterion bench measured it 50% slower on small rule sets, for no end-to-end gain.
const WORD_BITS: u32 = 12;
const WORDS: usize = 1 << WORD_BITS;

/// The keyword finder, chosen when the matcher is built.
#[derive(Debug)]
pub(crate) enum Keywords {
    /// The trigram filter (every keyword has at least two bytes).
    Grams(GramFilter),
    /// The automaton, for keyword sets the filter cannot take.
    Automaton(AhoCorasick),
}

impl Keywords {
    /// Builds a finder over lowercased `keywords` (none empty); pattern `i` is `keywords[i]`.
    pub(crate) fn new(keywords: &[String]) -> Result<Keywords, aho_corasick::BuildError> {
        if keywords.iter().all(|k| k.len() >= 2) {
            Ok(Keywords::Grams(GramFilter::new(keywords)))
        } else {
            automaton(keywords).map(Keywords::Automaton)
        }
    }

    /// Calls `f(pattern, start)` for every occurrence of every keyword in `hay` (overlapping
    /// ones included), in no particular order.
    #[inline]
    pub(crate) fn for_each(&self, hay: &[u8], f: impl FnMut(usize, usize)) {
        match self {
            Keywords::Grams(g) => g.for_each(hay, f),
            Keywords::Automaton(ac) => {
                let mut f = f;
                for m in ac.find_overlapping_iter(hay) {
                    f(m.pattern().as_usize(), m.start());
                }
            }
        }
    }
}

/// The overlapping, ASCII case-insensitive automaton over `keywords`.
pub(crate) fn automaton(keywords: &[String]) -> Result<AhoCorasick, aho_corasick::BuildError> {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::DFA))
        .build(keywords)
        .or_else(|_| {
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(keywords)
        })
}

/// The hashed trigram filter plus the word-indexed entries that verify its candidates.
pub(crate) struct GramFilter {
    /// See the module docs.
    table: Box<[u64; WORDS]>,
    /// Odd multiplier of the hash, chosen when built (see [`GramFilter::new`]).
    mult: u32,
    /// `slots[w]..slots[w + 1]` are the entries in word `w`.
    slots: Box<[u32]>,
    entries: Box<[Entry]>,
    /// Lowercased keywords by pattern index.
    keywords: Vec<Box<[u8]>>,
}

/// One keyword's anchor gram: where a keyword is looked for.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// The folded gram (little-endian bytes), compared under `mask`.
    gram: u32,
    /// `0xFFFF_FFFF` for four-byte anchors, `0x00FF_FFFF` for keywords shorter than four.
    mask: u32,
    /// Offset of the anchor in the keyword: the keyword starts `offset` bytes before it.
    offset: u32,
    pattern: u32,
}

impl std::fmt::Debug for GramFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set: u32 = self.table.iter().map(|w| w.count_ones()).sum();
        f.debug_struct("GramFilter")
            .field("keywords", &self.keywords.len())
            .field("bits_set", &set)
            .field("mult", &format_args!("{:#x}", self.mult))
            .finish()
    }
}

/// Folds bytes the way the filter does (`| 0x20`): ASCII letters to lower case.
const FOLD32: u32 = 0x2020_2020;
const FOLD64: u64 = 0x2020_2020_2020_2020;

/// Folded little-endian gram of up to four bytes (missing bytes fold from zero).
#[inline(always)]
fn gram(k: &[u8]) -> u32 {
    let mut b = [0u8; 4];
    let n = k.len().min(4);
    b[..n].copy_from_slice(&k[..n]);
    u32::from_le_bytes(b) | FOLD32
}

/// Rough frequency (per mille) of a byte in source code, case-folded. Breaks ties between
/// anchors that are all absent from the common-gram list.
fn frequency(b: u8) -> f64 {
    match b.to_ascii_lowercase() {
        b'e' => 95.0,
        b't' => 70.0,
        b'a' => 65.0,
        b'o' | b'i' | b'n' | b's' | b'r' => 60.0,
        b'l' => 40.0,
        b'c' => 35.0,
        b'd' => 30.0,
        b'u' => 28.0,
        b'p' | b'm' | b'h' => 25.0,
        b'.' | b'"' | b'f' => 20.0,
        b'g' => 18.0,
        b'b' | b'_' | b'-' | b'=' | b'0' | b'1' => 15.0,
        b'y' | b'w' => 12.0,
        b'v' | b'/' | b':' | b'\'' | b'2' => 10.0,
        b'k' => 8.0,
        b'x' | b'3'..=b'9' => 6.0,
        b'j' => 3.0,
        b'q' | b'z' => 2.0,
        b' ' => 150.0,
        b'\n' | b'\t' => 30.0,
        _ => 3.0,
    }
}

/// The common-gram list (`common_grams.txt`): folded gram → rank, 0 the most frequent.
fn common_grams() -> &'static HashMap<u32, u32> {
    static GRAMS: std::sync::OnceLock<HashMap<u32, u32>> = std::sync::OnceLock::new();
    GRAMS.get_or_init(|| {
        include_str!("common_grams.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(str::split_ascii_whitespace)
            .filter_map(|h| u32::from_str_radix(h, 16).ok())
            .enumerate()
            .map(|(rank, g)| (g.swap_bytes(), rank as u32))
            .collect()
    })
}

/// The offset of the four bytes of `k` least likely in text: absent from the common-gram
/// list if possible (else the least common listed), then the rarest bytes.
fn rarest_offset(k: &[u8]) -> usize {
    let common = common_grams();
    let listed = common.len() as u32;
    let score = |o: usize| {
        let w = &k[o..o + 4];
        let commonness = common.get(&gram(w)).map_or(0, |&rank| listed - rank);
        (commonness, w.iter().map(|&b| frequency(b).ln()).sum::<f64>())
    };
    (0..=k.len() - 4)
        .map(|o| (score(o), o))
        .min_by(|(a, _), (b, _)| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)))
        .map_or(0, |(_, o)| o)
}

impl GramFilter {
    /// Builds the filter with each of a fixed series of hash multipliers and keeps the one
    /// that lets the fewest common non-keyword grams through (weighted 1/rank, a Zipf
    /// estimate of their frequency): collisions with "tion" or "the " would otherwise cost
    /// a verification at every occurrence.
    fn new(keywords: &[String]) -> GramFilter {
        let mut anchors = Vec::new();
        for (i, k) in keywords.iter().enumerate() {
            let k = k.as_bytes();
            match k.len() {
                0 | 1 => {}
                2 => {
                    // Every folded third byte, so a candidate position finds exactly one entry.
                    for c in (0..=255u8).filter(|c| c & 0x20 != 0) {
                        anchors.push(Entry {
                            gram: gram(&[k[0], k[1], c]) & 0x00FF_FFFF,
                            mask: 0x00FF_FFFF,
                            offset: 0,
                            pattern: i as u32,
                        });
                    }
                }
                3 => anchors.push(Entry {
                    gram: gram(k) & 0x00FF_FFFF,
                    mask: 0x00FF_FFFF,
                    offset: 0,
                    pattern: i as u32,
                }),
                _ => {
                    let o = rarest_offset(k);
                    anchors.push(Entry {
                        gram: gram(&k[o..o + 4]),
                        mask: u32::MAX,
                        offset: o as u32,
                        pattern: i as u32,
                    });
                }
            }
        }
        let common = common_grams();
        let (long, short): (HashSet<u32>, HashSet<u32>) = (
            anchors.iter().filter(|e| e.mask == u32::MAX).map(|e| e.gram).collect(),
            anchors.iter().filter(|e| e.mask != u32::MAX).map(|e| e.gram).collect(),
        );
        // Rank order, so the float sums (and the multiplier picked) are the same every run.
        let mut noise: Vec<(u32, u32)> = common
            .iter()
            .filter(|&(g, _)| !long.contains(g) && !short.contains(&(g & 0x00FF_FFFF)))
            .map(|(&g, &rank)| (rank, g))
            .collect();
        noise.sort_unstable();
        let noise: Vec<(u32, f64)> =
            noise.into_iter().map(|(rank, g)| (g, 1.0 / f64::from(rank + 1))).collect();
        let mut seed = 0x243F_6A88_85A3_08D3u64;
        let mut best: Option<(f64, Box<[u64; WORDS]>, u32)> = None;
        for _ in 0..32 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mult = (seed >> 32) as u32 | 1;
            let mut table = Box::new([0u64; WORDS]);
            for e in &anchors {
                let (w, bit) = locate(mult, e.gram);
                table[w] |= if e.mask == u32::MAX { 1u64.wrapping_shl(bit) } else { u64::MAX };
            }
            let cost: f64 =
                noise.iter().filter(|&&(g, _)| probe(&table, mult, g) & 1 != 0).map(|n| n.1).sum();
            if best.as_ref().is_none_or(|b| cost < b.0) {
                best = Some((cost, table, mult));
            }
        }
        let (_, table, mult) = best.unwrap_or_else(|| (0.0, Box::new([u64::MAX; WORDS]), 1));
        anchors.sort_by_key(|e| locate(mult, e.gram).0);
        let mut slots = vec![0u32; WORDS + 1];
        for e in &anchors {
            slots[locate(mult, e.gram).0 + 1] += 1;
        }
        for w in 1..slots.len() {
            slots[w] += slots[w - 1];
        }
        GramFilter {
            table,
            mult,
            slots: slots.into_boxed_slice(),
            entries: anchors.into_boxed_slice(),
            keywords: keywords.iter().map(|k| k.as_bytes().into()).collect(),
        }
    }

    fn for_each(&self, hay: &[u8], mut f: impl FnMut(usize, usize)) {
        let (table, mult) = (&*self.table, self.mult);
        let mut i = 0;
        // Eight positions per step from two overlapping loads, one branch per step.
        while let Some(c) = hay.get(i..).and_then(|r| r.first_chunk::<12>()) {
            let lo = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) | FOLD64;
            let hi =
                u64::from_le_bytes([c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11]]) | FOLD64;
            let x = |k: usize| {
                if k < 4 { (lo >> (8 * k)) as u32 } else { (hi >> (8 * (k - 4))) as u32 }
            };
            let mut hits = 0u32;
            for k in 0..8 {
                hits |= ((probe(table, mult, x(k)) & 1) as u32) << k;
            }
            while hits != 0 {
                let k = hits.trailing_zeros() as usize;
                hits &= hits - 1;
                self.verify(hay, i + k, gram(&hay[i + k..]), &mut f);
            }
            i += 8;
        }
        for i in i..hay.len() {
            let x = gram(&hay[i..]);
            // The last three positions lack a fourth byte to filter on: verify them all
            // (only keywords shorter than four bytes can start there).
            if i + 4 > hay.len() || probe(table, mult, x) & 1 != 0 {
                self.verify(hay, i, x, &mut f);
            }
        }
    }

    /// Reports the keywords anchored at `i` that really occur; `x` is the folded gram there.
    #[cold]
    #[inline(never)]
    fn verify(&self, hay: &[u8], i: usize, x: u32, f: &mut impl FnMut(usize, usize)) {
        let w = locate(self.mult, x).0;
        let (from, to) = (self.slots[w] as usize, self.slots[w + 1] as usize);
        for e in &self.entries[from..to] {
            if x & e.mask != e.gram {
                continue;
            }
            let Some(start) = i.checked_sub(e.offset as usize) else { continue };
            let kw = &self.keywords[e.pattern as usize];
            if hay.get(start..start + kw.len()).is_some_and(|h| h.eq_ignore_ascii_case(kw)) {
                f(e.pattern as usize, start);
            }
        }
    }
}

/// The word of a folded gram (from its first three bytes) and the bit its fourth byte selects
/// (mixed with hash bits, so all 64 bits are used although folding fixes bit 5).
#[inline(always)]
fn locate(mult: u32, x: u32) -> (usize, u32) {
    let h = (x << 8).wrapping_mul(mult);
    ((h >> (32 - WORD_BITS)) as usize, ((x >> 24) ^ (h >> 15)) & 63)
}

/// The table word of `x` shifted so bit 0 is `x`'s bit: odd means "candidate".
#[inline(always)]
fn probe(table: &[u64; WORDS], mult: u32, x: u32) -> u64 {
    let (w, bit) = locate(mult, x);
    table[w] >> bit
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sorted (pattern, start) pairs from a finder.
    fn occurrences(k: &Keywords, hay: &[u8]) -> Vec<(usize, usize)> {
        let mut v = Vec::new();
        k.for_each(hay, |p, s| v.push((p, s)));
        v.sort_unstable();
        v
    }

    fn oracle(keywords: &[String], hay: &[u8]) -> Vec<(usize, usize)> {
        occurrences(&Keywords::Automaton(automaton(keywords).unwrap()), hay)
    }

    /// xorshift: deterministic haystacks without a dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    fn kws(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_every_occurrence_like_the_automaton() {
        let keywords = kws(&[
            "://",
            "q~",
            "token",
            "tok",
            "secret",
            "client_secret",
            "sec",
            "ghp_",
            "AKIA",
            "-----begin",
            "xoxb-",
            "pwd",
            "ab",
            "abc",
            "abcd",
            "@[",
            "`{",
        ]);
        let keywords: Vec<String> = keywords.iter().map(|k| k.to_ascii_lowercase()).collect();
        let g = Keywords::new(&keywords).unwrap();
        assert!(matches!(g, Keywords::Grams(_)));
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let alphabet = b"aAbBcCdDkKtToOeEnNsSrR_-:/@[`{~qQ \n\x00\xff";
        for round in 0..2000 {
            let len = rng.below(80);
            let mut hay = Vec::with_capacity(len + 20);
            while hay.len() < len {
                if rng.below(4) == 0 {
                    let k = keywords[rng.below(keywords.len())].as_bytes();
                    // Random case, so folding is exercised.
                    hay.extend(
                        k.iter()
                            .map(|&b| if rng.below(2) == 0 { b.to_ascii_uppercase() } else { b }),
                    );
                } else {
                    hay.push(alphabet[rng.below(alphabet.len())]);
                }
            }
            assert_eq!(
                occurrences(&g, &hay),
                oracle(&keywords, &hay),
                "round {round}: {:?}",
                String::from_utf8_lossy(&hay)
            );
        }
    }

    #[test]
    fn builtin_keywords_in_text_match_the_automaton() {
        let set = crate::rules::RuleSet::builtin().unwrap();
        let mut keywords: Vec<String> =
            set.rules().iter().flat_map(|r| r.keywords.clone()).collect();
        keywords.sort();
        keywords.dedup();
        let g = Keywords::new(&keywords).unwrap();
        assert!(matches!(g, Keywords::Grams(_)), "built-in keywords must take the fast path");
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let words: Vec<&[u8]> =
            include_str!("mod.rs").split_ascii_whitespace().map(str::as_bytes).collect();
        let mut hay = Vec::new();
        while hay.len() < 1 << 20 {
            if rng.below(8) == 0 {
                let k = keywords[rng.below(keywords.len())].as_bytes();
                let cut = rng.below(k.len()) + 1; // whole keywords and prefixes of them
                hay.extend(
                    k[..cut]
                        .iter()
                        .map(|&b| if rng.below(3) == 0 { b.to_ascii_uppercase() } else { b }),
                );
            } else {
                hay.extend_from_slice(words[rng.below(words.len())]);
            }
            hay.push(b" \n_=:\"'/"[rng.below(8)]);
        }
        let got = occurrences(&g, &hay);
        assert!(got.len() > 1000, "{} occurrences", got.len());
        assert_eq!(got, oracle(&keywords, &hay));
    }

    #[test]
    fn keywords_at_the_very_end_and_in_tiny_inputs() {
        let keywords = kws(&["://", "ab", "abcd"]);
        let g = Keywords::new(&keywords).unwrap();
        for hay in [&b""[..], b"a", b"ab", b"AB", b":/", b"://", b"x://", b"abcd", b"xabc", b"xxab"]
        {
            assert_eq!(
                occurrences(&g, hay),
                oracle(&keywords, hay),
                "{:?}",
                String::from_utf8_lossy(hay)
            );
        }
    }

    #[test]
    fn punctuation_aliased_by_folding_is_not_reported() {
        // `@` (0x40) and `` ` `` (0x60) fold to the same byte; only the real one matches.
        let keywords = kws(&["@[x]"]);
        let g = Keywords::new(&keywords).unwrap();
        assert_eq!(occurrences(&g, b"`{x} @[X]"), vec![(0, 5)]);
    }

    #[test]
    fn single_byte_keywords_use_the_automaton() {
        let keywords = kws(&["=", "token"]);
        let g = Keywords::new(&keywords).unwrap();
        assert!(matches!(g, Keywords::Automaton(_)));
        assert_eq!(occurrences(&g, b"TOKEN=1"), vec![(0, 5), (1, 0)]);
    }
}
