//! Resolving the rule set from flags, environment and files in the scan root.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
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
    let rules = b.build().with_context(|| format!("loading rules from {source}"))?;
    for w in rules.warnings() {
        tracing::warn!("{w}");
    }
    Ok(LoadedRules { rules: Arc::new(rules), source })
}
