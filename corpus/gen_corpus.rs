//! `gen-corpus`: writes a deterministic, realistic synthetic source tree with planted fake
//! secrets and decoys, plus `labels.jsonl`, for detection-quality tests and benchmarks.
//!
//! ```text
//! cargo run --release --example gen-corpus -- --out DIR --size 1G [--seed 42]
//!     [--positives N --decoys N] [--threads N]
//! ```
//!
//! Design decision: a thin CLI over `generator.rs` (shared with the quality test and the
//! matcher bench through `#[path]`), hand-parsed so the example needs no extra dependency.

#[path = "generator.rs"]
mod generator;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.chars().last()?.to_ascii_uppercase() {
        'K' => (&s[..s.len() - 1], 1u64 << 10),
        'M' => (&s[..s.len() - 1], 1 << 20),
        'G' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    let v: f64 = num.parse().ok()?;
    Some((v * mult as f64) as u64)
}

/// `println!` that ignores a closed stdout (`gen-corpus … | head`).
macro_rules! out {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

const USAGE: &str = "usage: gen-corpus --out DIR --size SIZE[K|M|G] [--seed N] [--positives N --decoys N] [--threads N]";

fn main() -> ExitCode {
    let mut out: Option<PathBuf> = None;
    let mut size: Option<u64> = None;
    let mut seed = 42u64;
    let mut positives: Option<usize> = None;
    let mut decoys: Option<usize> = None;
    let mut threads: Option<usize> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        let r: Result<(), String> = (|| {
            match a.as_str() {
                "--out" | "-o" => out = Some(PathBuf::from(val("--out")?)),
                "--size" | "-s" => size = Some(parse_size(&val("--size")?).ok_or("bad --size")?),
                "--seed" => seed = val("--seed")?.parse().map_err(|_| "bad --seed")?,
                "--positives" => {
                    positives = Some(val("--positives")?.parse().map_err(|_| "bad --positives")?)
                }
                "--decoys" => decoys = Some(val("--decoys")?.parse().map_err(|_| "bad --decoys")?),
                "--threads" => {
                    threads = Some(val("--threads")?.parse().map_err(|_| "bad --threads")?)
                }
                "-h" | "--help" => return Err(String::new()),
                other => return Err(format!("unknown argument {other}")),
            }
            Ok(())
        })();
        if let Err(e) = r {
            if !e.is_empty() {
                eprintln!("gen-corpus: {e}");
            }
            eprintln!("{USAGE}");
            return if e.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) };
        }
    }
    let (Some(out), Some(size)) = (out, size) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let mut cfg = generator::Config::new(size, seed);
    if positives.is_some() || decoys.is_some() {
        let d = generator::Config::dense(size, seed, positives.unwrap_or(60), decoys.unwrap_or(60));
        cfg.positives_per_mib = d.positives_per_mib;
        cfg.decoys_per_mib = d.decoys_per_mib;
    }
    if let Some(t) = threads {
        cfg.threads = t.max(1);
    }
    let started = Instant::now();
    let (labels, summary) = match generator::generate_with(&out, &cfg) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("gen-corpus: writing {}: {e}", out.display());
            return ExitCode::FAILURE;
        }
    };
    let secs = started.elapsed().as_secs_f64();
    out!(
        "wrote {} files, {:.1} MiB ({:.1} MiB in .gitignored dirs) to {} in {:.1}s (seed {seed})",
        summary.files,
        summary.bytes as f64 / 1048576.0,
        summary.ignored_bytes as f64 / 1048576.0,
        out.display(),
        secs
    );
    out!("labels: {}", out.join("labels.jsonl").display());
    out!();
    out!("bytes by format:");
    for (fmt, b) in &summary.bytes_by_fmt {
        out!(
            "  {:<12} {:>8.1} MiB  {:>5.1}%",
            format!("{fmt:?}"),
            *b as f64 / 1048576.0,
            100.0 * *b as f64 / summary.bytes.max(1) as f64
        );
    }
    let mut fam: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for l in &labels {
        *fam.entry((l.kind.as_str(), l.family.as_str())).or_default() += 1;
    }
    let pos = labels.iter().filter(|l| l.kind == generator::Kind::Positive).count();
    out!();
    out!("planted: {pos} positives, {} decoys", labels.len() - pos);
    for ((kind, family), n) in &fam {
        out!("  {kind:<8} {family:<18} {n}");
    }
    ExitCode::SUCCESS
}
