//! The built-in rule files, embedded by `build.rs` from `rules/*.toml`.

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));
