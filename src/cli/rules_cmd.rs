//! `leakguard rules list` and `leakguard rules check`.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Subcommand;
use leakguard::matcher::WINDOW_CAP;
use leakguard::rules::{Rule, RuleSet, RuleSetBuilder};
use leakguard::scan::{ScanOptions, Scanner};
use leakguard::source::Provenance;

use super::RuleArgs;
use super::config::load_rules;

#[derive(Subcommand, Debug)]
pub(crate) enum RulesCommand {
    /// List rules: id, description, keywords, check.
    List {
        #[command(flatten)]
        rules: RuleArgs,
        /// Print JSON Lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Compile every rule and check that its examples match and its negative examples don't.
    /// Without FILE, checks the built-in rules (which must have at least 2 of each).
    Check {
        /// Rule files (gitleaks format with optional `examples`/`negative_examples`).
        files: Vec<PathBuf>,
    },
}

pub(crate) fn run(cmd: RulesCommand) -> Result<i32> {
    match cmd {
        RulesCommand::List { rules, json } => list(&rules, json),
        RulesCommand::Check { files } => check(&files),
    }
}

fn list(args: &RuleArgs, json: bool) -> Result<i32> {
    let loaded = load_rules(args, None)?;
    let mut out = String::new();
    for r in loaded.rules.rules() {
        if json {
            out.push_str(&serde_json::json!({
                "id": r.id, "description": r.description, "keywords": r.keywords,
                "check": r.check, "confidence": r.confidence.as_str(), "severity": r.severity.as_str(),
                "origin": r.origin,
            }).to_string());
            out.push('\n');
        } else {
            out.push_str(&format!(
                "{:<48} {:<60} [{}]{}\n",
                r.id,
                truncate(&r.description, 60),
                r.keywords.join(", "),
                r.check.as_deref().map(|c| format!(" check={c}")).unwrap_or_default()
            ));
        }
    }
    if !json {
        out.push_str(&format!("{} rules ({})\n", loaded.rules.len(), loaded.source));
    }
    print!("{out}");
    Ok(0)
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// One problem found by `rules check`.
struct Problem {
    rule: String,
    field: String,
    message: String,
}

fn check(files: &[PathBuf]) -> Result<i32> {
    let mut sets: Vec<(String, RuleSet, bool)> = Vec::new();
    if files.is_empty() {
        let set = RuleSetBuilder::new().strict(true).build().context("loading built-in rules")?;
        sets.push(("built-in rules".into(), set, true));
    }
    for f in files {
        let set = RuleSetBuilder::new().config_file(f).build()?;
        sets.push((f.display().to_string(), set, false));
    }
    let mut failed = 0;
    let mut total = 0;
    for (name, set, builtin) in sets {
        let set = Arc::new(set);
        let scanner = Scanner::new(set.clone(), ScanOptions::default())?;
        scanner.compile_all()?;
        // Examples are judged per rule: another rule claiming the same secret more
        // specifically does not make this rule's example fail.
        let per_rule =
            scanner.with_options(ScanOptions { report_overlaps: true, ..Default::default() });
        let mut problems = Vec::new();
        for rule in set.rules() {
            check_rule(&scanner, &per_rule, rule, builtin, &mut problems);
            warn_window_cap(&name, rule);
        }
        total += set.len();
        for p in &problems {
            eprintln!("{name}: rule \"{}\": field \"{}\": {}", p.rule, p.field, p.message);
        }
        failed += problems.len();
        println!("{name}: {} rules, {} problem(s)", set.len(), problems.len());
    }
    if failed > 0 {
        eprintln!("leakguard: rules check failed: {failed} problem(s) in {total} rules");
        return Ok(1);
    }
    Ok(0)
}

/// `scanner` judges negative examples (nothing of this rule may be reported), `per_rule`
/// examples (this rule must match, whichever rule would win the report).
fn check_rule(
    scanner: &Scanner,
    per_rule: &Scanner,
    rule: &Rule,
    builtin: bool,
    problems: &mut Vec<Problem>,
) {
    let mut problem = |field: String, message: String| {
        problems.push(Problem { rule: rule.id.clone(), field, message });
    };
    if builtin {
        if rule.examples.len() < 2 {
            problem("examples".into(), format!("has {}, needs at least 2", rule.examples.len()));
        }
        if rule.negative_examples.len() < 2 {
            problem(
                "negative_examples".into(),
                format!("has {}, needs at least 2", rule.negative_examples.len()),
            );
        }
        if rule.keywords.is_empty() && rule.regex.is_some() {
            problem("keywords".into(), "built-in rules need keywords for the prefilter".into());
        }
    }
    let prov =
        Provenance::File { path: PathBuf::from("example.txt"), display: "example.txt".into() };
    let mut scratch = scanner.new_scratch();
    let mut per_rule_scratch = per_rule.new_scratch();
    for (i, ex) in rule.examples.iter().enumerate() {
        let mut out = Vec::new();
        per_rule.scan_bytes(ex.as_bytes(), &prov, &mut per_rule_scratch, &mut out);
        if !out.iter().any(|f| f.rule_id == rule.id) {
            let others: Vec<_> = out.iter().map(|f| f.rule_id.as_str()).collect();
            problem(
                format!("examples[{i}]"),
                format!(
                    "no finding{} in {:?}",
                    if others.is_empty() {
                        String::new()
                    } else {
                        format!(" (found instead: {})", others.join(", "))
                    },
                    short(ex)
                ),
            );
        }
    }
    for (i, ex) in rule.negative_examples.iter().enumerate() {
        let mut out = Vec::new();
        scanner.scan_bytes(ex.as_bytes(), &prov, &mut scratch, &mut out);
        if let Some(f) = out.iter().find(|f| f.rule_id == rule.id) {
            problem(
                format!("negative_examples[{i}]"),
                format!("unexpected finding {:?}", short(&f.secret)),
            );
        }
    }
}

/// Warns (stderr; the exit code is unaffected) when a rule's regex can match more bytes than
/// the matcher's confirmation window reaches: matches longer than the cap may be missed.
fn warn_window_cap(name: &str, rule: &Rule) {
    // A rule without keywords runs over the whole input: no window.
    let (Some(pattern), false) = (&rule.regex, rule.keywords.is_empty()) else { return };
    let shape = leakguard::rules::regex::shape(pattern, &rule.keywords);
    let longest = match shape.maximum_len {
        Some(n) if n <= WINDOW_CAP => return,
        Some(n) => format!("up to {n} bytes"),
        None => "without bound".to_string(),
    };
    eprintln!(
        "{name}: rule \"{}\": warning: its regex can match {longest}; only matches up to {} \
         bytes (the confirmation window cap) are guaranteed to be found",
        rule.id, WINDOW_CAP
    );
}

fn short(s: &str) -> String {
    if s.len() <= 120 {
        s.to_string()
    } else {
        format!("{}…", &s[..s.char_indices().nth(120).map_or(s.len(), |(i, _)| i)])
    }
}
