//! The one integration-test binary (ripgrep style: `autotests = false`). Every test runs the
//! real `leakguard` binary or the public library API against real files in temp dirs.

mod util;

mod compat;
#[cfg(feature = "git")]
mod dropin;
mod fuzz;
#[cfg(feature = "git")]
mod git_util;
mod gitleaks_compat;
mod gitleaks_tree;
mod hostile;
mod long_matches;
mod paths;

#[cfg(feature = "git")]
mod git_history;
#[cfg(feature = "git")]
mod git_hooks;
mod hostile_archive;
mod hostile_config;
#[cfg(feature = "git")]
mod hostile_git;
mod hostile_io;
mod quality;
mod reports;
#[cfg(feature = "revoke")]
mod revoke;
mod rules_cli;
mod sarif;
mod scan_cli;
#[cfg(all(feature = "validate", feature = "git"))]
mod validate;
