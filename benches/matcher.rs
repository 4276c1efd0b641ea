//! Matcher and scan-pipeline throughput (bytes/s) on a generated, realistic corpus sample as
//! the rule count grows.
//!
//! Design decision: the haystack is a few MiB of the same synthetic monorepo the quality test
//! and `benches/e2e.sh` use (`corpus/generator.rs`, fixed seed, realistic plant density),
//! scanned file by file as the scanner does (per-blob overhead included; `.gitignore`d and
//! binary files left out, as a default scan skips them). Rule subsets are taken with a
//! stride across all built-in rule files, so a 10-rule set is a cross-section of vendors
//! rather than the first file's rules. Regexes are compiled before measuring (the matcher
//! otherwise compiles lazily), so the figures are steady-state throughput.

#[path = "../corpus/generator.rs"]
mod generator;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use leakguard::matcher::Matcher;
use leakguard::rules::{RuleSet, RuleSetBuilder, builtin_files};
use leakguard::scan::{ScanOptions, Scanner};
use leakguard::source::Provenance;

const SAMPLE_BYTES: u64 = 6 << 20;
const SEED: u64 = 42;

/// The scannable files of a generated tree: (path, bytes).
fn corpus() -> Vec<(String, Vec<u8>)> {
    let (files, _labels) =
        generator::generate_in_memory(&generator::Config::new(SAMPLE_BYTES, SEED));
    files
        .into_iter()
        .filter(|f| !f.ignored && !f.bytes[..f.bytes.len().min(8192)].contains(&0))
        .map(|f| (f.path, f.bytes))
        .collect()
}

/// Every built-in `[[rules]]` table, in file order, without rules that need a companion
/// rule (a subset might not contain it).
fn builtin_rule_tables() -> Vec<toml::Value> {
    let mut out = Vec::new();
    for (_name, text) in builtin_files() {
        let doc: toml::Value = toml::from_str(text).unwrap();
        if let Some(rules) = doc.get("rules").and_then(|r| r.as_array()) {
            out.extend(rules.iter().filter(|r| r.get("required").is_none()).cloned());
        }
    }
    out
}

/// `n` rules spread evenly over all built-in rule files. Loaded as a user configuration, so
/// the few built-in rules that need a repetition past RE2's 1,000 are left out.
fn subset(all: &[toml::Value], n: usize) -> RuleSet {
    let step = all.len() as f64 / n as f64;
    let mut picked: Vec<toml::Value> =
        (0..n).map(|i| all[(i as f64 * step) as usize].clone()).collect();
    loop {
        let mut table = toml::map::Map::new();
        table.insert("rules".into(), toml::Value::Array(picked.clone()));
        let text = toml::to_string(&toml::Value::Table(table)).unwrap();
        match RuleSetBuilder::new().config_text("subset.toml", &text).build() {
            Ok(set) => return set,
            Err(e) => {
                let bad = e.rule.as_deref().map(str::to_string).expect("a rule error");
                picked.retain(|r| r.get("id").and_then(|v| v.as_str()) != Some(bad.as_str()));
            }
        }
    }
}

fn bench(c: &mut Criterion) {
    let files = corpus();
    let total: u64 = files.iter().map(|f| f.1.len() as u64).sum();
    eprintln!("corpus sample: {} files, {:.1} MiB", files.len(), total as f64 / 1048576.0);

    let all = builtin_rule_tables();
    let builtin = RuleSet::builtin().unwrap();
    let mut sets: Vec<(String, RuleSet)> = [10usize, 50, 100]
        .iter()
        .filter(|&&n| n < builtin.len())
        .map(|&n| (n.to_string(), subset(&all, n)))
        .collect();
    sets.push((format!("all-{}", builtin.len()), builtin.clone()));

    let mut g = c.benchmark_group("matcher_find_all");
    g.throughput(Throughput::Bytes(total));
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    for (label, set) in &sets {
        let m = Matcher::new(set).unwrap();
        m.compile_all().unwrap();
        let mut scratch = m.new_scratch();
        let mut out = Vec::new();
        g.bench_with_input(BenchmarkId::from_parameter(label), &files, |b, files| {
            b.iter(|| {
                let mut n = 0usize;
                for (_, bytes) in files {
                    out.clear();
                    m.find_all(bytes, &mut scratch, &mut out);
                    n += out.len();
                }
                n
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("scanner_scan_bytes");
    g.throughput(Throughput::Bytes(total));
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    let scanner = Scanner::new(Arc::new(builtin), ScanOptions::default()).unwrap();
    scanner.compile_all().unwrap();
    let provs: Vec<Provenance> = files
        .iter()
        .map(|(p, _)| Provenance::File { path: PathBuf::from(p), display: p.clone() })
        .collect();
    let mut scratch = scanner.new_scratch();
    let mut out = Vec::new();
    g.bench_function(BenchmarkId::from_parameter("builtin"), |b| {
        b.iter(|| {
            out.clear();
            for ((_, bytes), prov) in files.iter().zip(&provs) {
                let _ = scanner.scan_bytes(bytes, prov, &mut scratch, &mut out);
            }
            out.len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
