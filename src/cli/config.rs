//! Resolving the rule set from flags, environment and files in the scan root.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
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
    let mut b = RuleSetBuilder::new();
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
    } else if let Some(p) = root.map(|r| r.join(".gitleaks.toml")).filter(|p| p.is_file()) {
        b.config_file(&p);
        p.display().to_string()
    } else {
        "built-in rules".into()
    };
    // GitLab's ruleset file: passthroughs replace or extend the rules (unless --config or
    // the environment chose a file explicitly), then disable/override entries apply.
    let gitlab = root.map(|r| r.join(GitlabRuleset::PATH)).filter(|p| p.is_file());
    let gitlab = gitlab.map(|p| GitlabRuleset::load(&p)).transpose()?;
    let mut source = source;
    if let (Some(g), Some(r), "built-in rules") = (&gitlab, root, source.as_str()) {
        if let Some(text) = g.passthrough_config(r)? {
            b.config_text(GitlabRuleset::PATH, &text);
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
