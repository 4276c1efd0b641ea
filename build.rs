//! Embeds every `rules/*.toml` file into the binary, sorted by name, so that the built-in
//! rule set needs no files at run time and a new provider file needs no code change.
//! `rules/gitleaks-ids.toml` is not a rule file: it is the leakguard → gitleaks rule id
//! table (`leakguard::rules::gitleaks_ids`), embedded on its own.

use std::fmt::Write as _;
use std::path::PathBuf;

/// The id table in `rules/`, which is not a rule file.
const GITLEAKS_IDS: &str = "gitleaks-ids.toml";

fn main() {
    let dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets this")).join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("rules/ directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter(|p| p.file_name().is_none_or(|n| n != std::ffi::OsStr::new(GITLEAKS_IDS)))
        .collect();
    files.sort();
    let mut out = String::from(
        "/// Built-in rule files: (file name, TOML text).\npub(super) static FILES: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().and_then(|n| n.to_str()).expect("utf-8 file name");
        writeln!(
            out,
            "    ({:?}, include_str!({:?})),",
            format!("rules/{name}"),
            f.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let ids = dir.join(GITLEAKS_IDS);
    println!("cargo:rerun-if-changed={}", ids.display());
    writeln!(
        out,
        "/// The leakguard → gitleaks rule id table.\npub(super) static GITLEAKS_IDS: &str = include_str!({:?});",
        ids.display().to_string()
    )
    .unwrap();
    let dest =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets this")).join("builtin_rules.rs");
    std::fs::write(dest, out).expect("write generated file");
}
