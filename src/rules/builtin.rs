//! The built-in rule files, embedded by `build.rs` from `rules/*.toml`, and the gitleaks id
//! table `rules/gitleaks-ids.toml`.

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));
