//! Detection quality on a generated, labelled corpus.
//!
//! Design decision: the corpus comes from `corpus/generator.rs`, which builds every token
//! format (and its checksum) from the vendors' specifications without touching leakguard's
//! `rules` or `check` code, and writes realistic files (code in several languages, configs,
//! CI files, notebooks, minified bundles, lock files, logs, docs) with planted positives and
//! hard negatives (documentation keys, wrong checksums, placeholders, references, hashes,
//! public keys, certificates, image data). The real binary scans the tree; a finding counts
//! as a true positive when it lands on a labelled positive's line (a PEM block: its `BEGIN`
//! line, or any line the finding spans), and as a false positive otherwise — on a decoy or
//! on unlabelled content alike. The thresholds are the acceptance bar; when a family is
//! missed the fix belongs in `rules/`, not in the generator.

#[path = "../corpus/generator.rs"]
mod generator;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use generator::{Config, Kind, Label};

/// Minimum share of planted positives reported.
const MIN_RECALL: f64 = 0.97;
/// Minimum share of findings that are planted positives.
const MIN_PRECISION: f64 = 0.97;
/// Corpus size and plant counts: small enough for a debug test, dense enough that every
/// family has several samples. The generator deals the core kinds and the long-tail kinds
/// (context, webhook, cli-credential, connection-string, frontend-env) from separate decks in
/// proportion to their number of kinds: 502 positives give the 43 core kinds exactly 400 (the
/// same plants as before the long-tail kinds existed) and the 11 long-tail kinds 102 (at
/// least 18 per family); 492 decoys give the 26 core kinds 400 and the 6 long-tail ones 92
/// (at least 15 per family).
const CORPUS_BYTES: u64 = 4 << 20;
const POSITIVES: usize = 502;
const DECOYS: usize = 492;
const SEED: u64 = 20_240_611;

#[derive(Debug)]
struct Found {
    rule_id: String,
    path: String,
    start_line: usize,
    end_line: usize,
    secret: String,
}

fn scan(dir: &Path) -> Vec<Found> {
    let out = assert_cmd::Command::cargo_bin("leakguard")
        .unwrap()
        .arg("scan")
        .arg(dir)
        .args(["--format", "json", "--no-fail", "-q", "--exclude", "labels.jsonl"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "leakguard scan failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let root = dir.to_string_lossy().replace('\\', "/");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        // The stream ends with a `{"type":"summary",…}` record, which is not a finding.
        .filter(|v| v.get("rule_id").is_some())
        .map(|v| {
            let path = v["path"].as_str().unwrap_or_default().replace('\\', "/");
            let path = path
                .strip_prefix(&root)
                .map(|p| p.trim_start_matches('/').to_string())
                .unwrap_or(path);
            let start_line = v["start_line"].as_u64().unwrap_or(0) as usize;
            Found {
                rule_id: v["rule_id"].as_str().unwrap_or_default().to_string(),
                path,
                start_line,
                end_line: (v["end_line"].as_u64().unwrap_or(0) as usize).max(start_line),
                secret: v["secret"].as_str().unwrap_or_default().to_string(),
            }
        })
        .collect()
}

/// Per-family counts.
#[derive(Default)]
struct Row {
    positives: usize,
    found: usize,
    decoys: usize,
    fps: usize,
}

struct Evaluation {
    rows: BTreeMap<String, Row>,
    findings: usize,
    true_findings: usize,
    /// (family or "(unlabelled)", rule, path:line, secret prefix)
    false_positives: Vec<(String, String, String, String)>,
    /// Missed positives.
    misses: Vec<Label>,
}

impl Evaluation {
    fn recall(&self) -> f64 {
        let p: usize = self.rows.values().map(|r| r.positives).sum();
        let f: usize = self.rows.values().map(|r| r.found).sum();
        f as f64 / p.max(1) as f64
    }

    fn precision(&self) -> f64 {
        self.true_findings as f64 / self.findings.max(1) as f64
    }

    fn table(&self) -> String {
        let mut s = String::from(
            "| family | positives | found | recall | decoys | FPs |\n|---|---:|---:|---:|---:|---:|\n",
        );
        for (fam, r) in &self.rows {
            let rec = if r.positives > 0 {
                format!("{:.2}", r.found as f64 / r.positives as f64)
            } else {
                "-".into()
            };
            s.push_str(&format!(
                "| {fam} | {} | {} | {rec} | {} | {} |\n",
                r.positives, r.found, r.decoys, r.fps
            ));
        }
        s.push_str(&format!(
            "\nrecall {:.3} (min {MIN_RECALL}), precision {:.3} (min {MIN_PRECISION}), {} findings\n",
            self.recall(),
            self.precision(),
            self.findings
        ));
        s
    }

    fn details(&self, n: usize) -> String {
        let mut s = String::new();
        if !self.misses.is_empty() {
            s.push_str(&format!("missed positives ({}):\n", self.misses.len()));
            for m in self.misses.iter().take(n) {
                let v: String =
                    m.value.lines().next().unwrap_or_default().chars().take(70).collect();
                s.push_str(&format!("  {:<16} {}:{}  {v}\n", m.family, m.path, m.line));
            }
        }
        if !self.false_positives.is_empty() {
            s.push_str(&format!("false positives ({}):\n", self.false_positives.len()));
            for (fam, rule, at, secret) in self.false_positives.iter().take(n) {
                s.push_str(&format!("  {fam:<16} {rule:<36} {at}  {secret}\n"));
            }
        }
        s
    }
}

fn evaluate(labels: &[Label], findings: &[Found]) -> Evaluation {
    let mut at: HashMap<(&str, usize), Vec<usize>> = HashMap::new();
    for (i, l) in labels.iter().enumerate() {
        at.entry((l.path.as_str(), l.line)).or_default().push(i);
    }
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    for l in labels {
        let r = rows.entry(l.family.clone()).or_default();
        match l.kind {
            Kind::Positive => r.positives += 1,
            Kind::Decoy => r.decoys += 1,
        }
    }
    let mut hit = vec![false; labels.len()];
    let mut true_findings = 0;
    let mut false_positives = Vec::new();
    for f in findings {
        // The finding's first line, else any line it spans (multi-line matches).
        let on: Vec<usize> = (f.start_line..=f.end_line.min(f.start_line + 200))
            .find_map(|ln| at.get(&(f.path.as_str(), ln)).cloned())
            .unwrap_or_default();
        let positives: Vec<usize> =
            on.iter().copied().filter(|&i| labels[i].kind == Kind::Positive).collect();
        if positives.is_empty() {
            let fam = on.first().map(|&i| labels[i].family.clone());
            if let Some(fam) = &fam {
                rows.entry(fam.clone()).or_default().fps += 1;
            } else {
                rows.entry("(unlabelled)".into()).or_default().fps += 1;
            }
            false_positives.push((
                fam.map(|f| format!("{f} (decoy)")).unwrap_or_else(|| "(unlabelled)".into()),
                f.rule_id.clone(),
                format!("{}:{}", f.path, f.start_line),
                f.secret.chars().take(60).collect(),
            ));
        } else {
            true_findings += 1;
            for i in positives {
                hit[i] = true;
            }
        }
    }
    for (i, l) in labels.iter().enumerate() {
        if hit[i] {
            if let Some(r) = rows.get_mut(&l.family) {
                r.found += 1;
            }
        }
    }
    let misses = labels
        .iter()
        .enumerate()
        .filter(|(i, l)| l.kind == Kind::Positive && !hit[*i])
        .map(|(_, l)| l.clone())
        .collect();
    Evaluation { rows, findings: findings.len(), true_findings, false_positives, misses }
}

#[test]
fn recall_and_precision_on_generated_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config::dense(CORPUS_BYTES, SEED, POSITIVES, DECOYS);
    let (labels, summary) = generator::generate_with(dir.path(), &cfg).unwrap();
    let positives = labels.iter().filter(|l| l.kind == Kind::Positive).count();
    assert!(positives >= 300 && labels.len() - positives >= 300, "corpus too sparse");
    let findings = scan(dir.path());
    let eval = evaluate(&labels, &findings);
    let report = format!(
        "corpus: {} files, {:.1} MiB, {} positives, {} decoys (seed {SEED})\n\n{}\n{}",
        summary.files,
        summary.bytes as f64 / 1048576.0,
        positives,
        labels.len() - positives,
        eval.table(),
        eval.details(40)
    );
    println!("{report}");
    assert!(
        eval.recall() >= MIN_RECALL && eval.precision() >= MIN_PRECISION,
        "detection quality below the bar:\n{report}"
    );
}

/// The generator's own contract: every label points at a line that holds its value, and
/// the same seed gives the same corpus.
#[test]
fn corpus_labels_point_at_their_values() {
    let cfg = Config::dense(1 << 20, 7, 150, 150);
    let (files, labels) = generator::generate_in_memory(&cfg);
    let (files2, labels2) = generator::generate_in_memory(&cfg);
    assert_eq!(labels, labels2, "generation is not deterministic");
    assert_eq!(files.len(), files2.len());
    assert!(files.iter().zip(&files2).all(|(a, b)| a.path == b.path && a.bytes == b.bytes));
    let by_path: HashMap<&str, &[u8]> =
        files.iter().map(|f| (f.path.as_str(), f.bytes.as_slice())).collect();
    let families: std::collections::BTreeSet<&str> =
        labels.iter().filter(|l| l.kind == Kind::Positive).map(|l| l.family.as_str()).collect();
    assert!(families.len() >= 25, "too few families: {families:?}");
    for l in &labels {
        let text = String::from_utf8_lossy(by_path[l.path.as_str()]);
        let line = text.lines().nth(l.line - 1).unwrap_or_default();
        let escaped = serde_json::to_string(&l.value).unwrap();
        let escaped = &escaped[1..escaped.len() - 1];
        let ok = if l.value.contains('\n') {
            let first = l.value.lines().next().unwrap_or_default();
            line.contains(first) || line.contains(escaped)
        } else {
            line.contains(&l.value) || line.contains(escaped)
        };
        assert!(
            ok,
            "label {}:{} ({}) does not point at {:?}: {line:?}",
            l.path, l.line, l.family, l.value
        );
    }
}
