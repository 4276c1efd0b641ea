//! Resolving the rule set from flags, environment and files in the scan root.
//!
//! Design decision: what the user names (`--config`, `LEAKGUARD_CONFIG`, `GITLEAKS_CONFIG`,
//! `GITLEAKS_CONFIG_TOML`) is trusted and read as given. What the scanned repository supplies
//! (`.gitleaks.toml`, `.gitlab/secret-detection-ruleset.toml` and its passthroughs, the
//! `[extend]` paths they name) is untrusted: it is confined to the scan root
//! (`leakguard::rules::confine`). A configuration that yields no rules is an error, never a
//! scan that checks nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use leakguard::rules::gitlab_ruleset::GitlabRuleset;
use leakguard::rules::{RuleSet, RuleSetBuilder};

use super::RuleArgs;

/// Where the rules came from, for messages.
pub(crate) struct LoadedRules {
    pub rules: Arc<RuleSet>,
    pub source: String,
}

/// Loads the rule set: `--config`, then env, then `.gitleaks.toml` in `root`, then built-ins.
pub(crate) fn load_rules(args: &RuleArgs, root: Option<&Path>) -> Result<LoadedRules> {
    load_rules_full(args, root, false)
}

/// [`load_rules`]; `full` loads the built-in rules with their checks and generated examples
/// (`rules list`), see [`RuleSetBuilder::full`].
pub(crate) fn load_rules_full(
    args: &RuleArgs,
    root: Option<&Path>,
    full: bool,
) -> Result<LoadedRules> {
    let mut b = RuleSetBuilder::new();
    b.full(full);
    b.gitlab_pat_prefix(args.gitlab_pat_prefix.clone());
    let env_path = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    let source = if let Some(p) = &args.config {
        b.config_file(p);
        p.display().to_string()
    } else if let Some(p) = env_path("LEAKGUARD_CONFIG").or_else(|| env_path("GITLEAKS_CONFIG")) {
        b.config_file(&p);
        p.display().to_string()
    } else if let Some(text) =
        std::env::var("GITLEAKS_CONFIG_TOML").ok().filter(|t| !t.trim().is_empty())
    {
        b.config_text("$GITLEAKS_CONFIG_TOML", &text);
        "$GITLEAKS_CONFIG_TOML".into()
    } else if let (Some(r), Some(p)) = (root, repo_file(root, ".gitleaks.toml")) {
        b.config_file(&p).confine_to(r);
        p.display().to_string()
    } else {
        "built-in rules".into()
    };
    // GitLab's ruleset file: passthroughs replace or extend the rules (unless --config or
    // the environment chose a file explicitly), then disable/override entries apply.
    let gitlab = root.map(GitlabRuleset::load_in).transpose()?.flatten();
    let mut source = source;
    if let (Some(g), Some(r), "built-in rules") = (&gitlab, root, source.as_str()) {
        if let Some(text) = g.passthrough_config(r)? {
            b.config_text(GitlabRuleset::PATH, &text).confine_to(r);
            source = format!("{} passthrough", GitlabRuleset::PATH);
        }
    }
    let mut rules = b.build().with_context(|| format!("loading rules from {source}"))?;
    if let Some(g) = &gitlab {
        for w in g.apply(&mut rules)? {
            eprintln!("leakguard: warning: {w}");
        }
    }
    for w in rules.warnings() {
        tracing::warn!("{w}");
    }
    Ok(LoadedRules { rules: Arc::new(rules), source })
}

/// `<root>/<name>` if the repository has an entry by that name (a file, or a symlink even if
/// it dangles or points out of the root, so that the confinement check refuses it loudly
/// instead of the scanner silently falling back to defaults).
pub(crate) fn repo_file(root: Option<&Path>, name: &str) -> Option<PathBuf> {
    let p = root?.join(name);
    let meta = std::fs::symlink_metadata(&p).ok()?;
    (!meta.is_dir()).then_some(p)
}

/// The default ignore file `name` in the scan root, confined to it: a symlink that points out
/// of the root, or anything but a regular file, is refused. Returns the checked canonical
/// path, which is what gets read (not the link, which could be swapped after the check).
pub(crate) fn confined_repo_file(root: &Path, name: &str) -> Result<Option<PathBuf>> {
    let Some(p) = repo_file(Some(root), name) else { return Ok(None) };
    let confined = leakguard::rules::confine::ConfinedRoot::new(root)
        .with_context(|| format!("{}: cannot resolve the scan root", root.display()))?;
    match confined.check(&p) {
        Ok(canonical) => Ok(Some(canonical)),
        Err(e) => bail!("{}: refused: {e}", p.display()),
    }
}
