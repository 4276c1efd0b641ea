//! The one integration-test binary (ripgrep style: `autotests = false`). Every test runs the
//! real `leakguard` binary or the public library API against real files in temp dirs.

mod util;

#[cfg(feature = "git")]
mod git_util;

#[cfg(feature = "git")]
mod git_history;
#[cfg(feature = "git")]
mod git_hooks;
mod quality;
mod reports;
mod rules_cli;
mod scan_cli;
