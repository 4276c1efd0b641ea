//! leakguard: a high-throughput secret scanner.
//!
//! The library finds leaked credentials in bytes, files, directory trees and (with other
//! modules) git history, and reports them in GitLab, SARIF, JSON Lines and text formats.
//!
//! Data flows one way (see `docs/ARCHITECTURE.md`):
//!
//! ```text
//! source (walk, read) ─► scan (driver, Scanner) ─► matcher (keywords + regex windows)
//!                                    │                      │
//!                                    ├─► check (checksums, entropy, placeholders)
//!                                    └─► finding (owned, fingerprinted) ─► report (gitlab, sarif, json, text)
//! ```
//!
//! `rules` (the rule model) and `check` depend on nothing else in the crate; `matcher`
//! depends only on `rules`; `source` knows nothing about rules; `scan` ties them together.
//!
//! ```
//! use leakguard::scan::Scanner;
//! use leakguard::source::Provenance;
//!
//! let scanner = Scanner::builtin().unwrap();
//! let mut scratch = scanner.new_scratch();
//! let mut findings = Vec::new();
//! let undecoded = scanner.scan_bytes(b"GITHUB_TOKEN=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", &Provenance::Stdin, &mut scratch, &mut findings);
//! assert_eq!((findings.len(), undecoded), (1, None));
//! ```
#![deny(missing_docs)]

pub mod check;
pub mod finding;
pub mod matcher;
pub mod report;
#[cfg(feature = "revoke")]
pub mod revoke;
pub mod rules;
pub mod scan;
pub mod source;
pub mod state;
#[cfg(feature = "validate")]
pub mod validate;
