//! Deterministic generator of a realistic synthetic source tree with planted, labelled fake
//! secrets (positives) and hard negatives (decoys).
//!
//! The tree looks like a monorepo of many projects (Python, Node/TypeScript, Go, Rust, Java
//! services, infrastructure, data science and documentation repos), each with its own
//! layout, manifests, lock files, CI files, Dockerfiles, `.env` files, docs, notebooks, data
//! files, logs, binary assets and `.gitignore`d build directories. Planted items are written
//! in the idioms of the file they land in, and every one is recorded as a [`Label`] with the
//! 1-based line where it starts (for PEM blocks: the `BEGIN` line).
//!
//! Design decisions:
//! * **Independent of the scanner.** Token formats and checksums are implemented here from
//!   the published specifications (`tokens.rs`); nothing is taken from leakguard's rules or
//!   checks, so recall and precision measured on this corpus are honest.
//! * **Deterministic.** Everything derives from the seed through a local PRNG; the plan
//!   (which plant goes to which file) is made sequentially and each file is then rendered
//!   from its own forked generator, so rendering can run on several threads and the output
//!   is still byte-identical for a seed.
//! * **Streaming.** Files are rendered and written one at a time; memory stays flat for a
//!   1 GB tree.
//!
//! Used by three targets (the `gen-corpus` example, the quality test and the matcher bench),
//! each of which uses a subset of the API.
#![allow(dead_code)]

#[path = "code.rs"]
pub mod code;
#[path = "formats.rs"]
pub mod formats;
#[path = "plants.rs"]
pub mod plants;
#[path = "rng.rs"]
pub mod rng;
#[path = "tokens.rs"]
pub mod tokens;
#[path = "vocab.rs"]
pub mod vocab;

use std::collections::{HashMap, HashSet};
use std::io::{self, Write as _};
use std::path::Path;

use plants::{Form, Plant, Scope};
use rng::Rng;

/// File formats the generator writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fmt {
    /// `.py`
    Python,
    /// `.js`, `.jsx`, `.mjs`
    JavaScript,
    /// `.ts`, `.tsx`
    TypeScript,
    /// `.go`
    Go,
    /// `.rs`
    Rust,
    /// `.java`
    Java,
    /// `.rb`
    Ruby,
    /// `.sh`, `Makefile`
    Shell,
    /// `.yml`, `.yaml`
    Yaml,
    /// `.json`
    Json,
    /// `.toml`
    Toml,
    /// `.ini`, `.cfg`, `.properties`, `.npmrc`, `.pypirc`, AWS `credentials`
    Ini,
    /// `.env`
    Env,
    /// `Dockerfile`
    Dockerfile,
    /// `.tf`
    Terraform,
    /// `.xml`
    Xml,
    /// `.md`
    Markdown,
    /// `.ipynb`
    Notebook,
    /// `.min.js` bundles
    MinJs,
    /// `.html`
    Html,
    /// `.css`
    Css,
    /// `.csv`
    Csv,
    /// `.log`
    Log,
    /// `package-lock.json`
    LockNpm,
    /// `yarn.lock`
    LockYarn,
    /// `Cargo.lock`, `poetry.lock`, `go.sum`, `requirements.txt`
    LockOther,
    /// `.pem`, `.key`, `.crt`, `id_rsa`
    PemFile,
    /// Images, fonts, archives, compiled files.
    Binary,
    /// LICENSE, CHANGELOG.
    Text,
}

/// Whether a label is a secret or a hard negative.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A (fake but format-valid) secret a scanner should report.
    Positive,
    /// Looks like a secret but is not one; a scanner should stay silent.
    Decoy,
}

impl Kind {
    /// `"positive"` or `"decoy"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Positive => "positive",
            Kind::Decoy => "decoy",
        }
    }
}

/// One planted item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Path relative to the output directory, `/`-separated.
    pub path: String,
    /// 1-based line where the item starts (PEM: the `BEGIN` line).
    pub line: usize,
    /// Family (`github`, `gitlab`, `aws`, …, or a decoy category such as `placeholder`).
    pub family: String,
    /// Positive or decoy.
    pub kind: Kind,
    /// The planted value (for references: the expression as written).
    pub value: String,
}

impl Label {
    /// The JSON object written to `labels.jsonl`.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "path": self.path,
            "line": self.line,
            "family": self.family,
            "kind": self.kind.as_str(),
            "value": self.value,
        })
        .to_string()
    }
}

/// Generation parameters.
#[derive(Clone, Debug)]
pub struct Config {
    /// Approximate total size of the tree in bytes.
    pub target_bytes: u64,
    /// Seed; the same seed gives the same tree.
    pub seed: u64,
    /// Planted positives per MiB (realistic: well under 1).
    pub positives_per_mib: f64,
    /// Planted decoys per MiB.
    pub decoys_per_mib: f64,
    /// Rendering threads (the output does not depend on it).
    pub threads: usize,
}

impl Config {
    /// Realistic density: about 400 positives and 400 decoys per GiB, at least 60 of each.
    pub fn new(target_bytes: u64, seed: u64) -> Config {
        Config {
            target_bytes,
            seed,
            positives_per_mib: 0.4,
            decoys_per_mib: 0.4,
            threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4),
        }
    }

    /// A dense corpus for tests: `positives` and `decoys` in total, spread over all families.
    pub fn dense(target_bytes: u64, seed: u64, positives: usize, decoys: usize) -> Config {
        let mib = (target_bytes as f64 / 1048576.0).max(0.001);
        Config {
            positives_per_mib: positives as f64 / mib,
            decoys_per_mib: decoys as f64 / mib,
            ..Config::new(target_bytes, seed)
        }
    }
}

/// One generated file.
#[derive(Clone, Debug)]
pub struct GeneratedFile {
    /// Path relative to the output directory.
    pub path: String,
    /// Content.
    pub bytes: Vec<u8>,
    /// Under a `.gitignore`d directory (scanners that honour ignore files skip it).
    pub ignored: bool,
}

/// What a generation produced.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Number of files.
    pub files: usize,
    /// Total bytes.
    pub bytes: u64,
    /// Bytes in ignored directories.
    pub ignored_bytes: u64,
    /// Bytes per format.
    pub bytes_by_fmt: Vec<(Fmt, u64)>,
}

// ---------------------------------------------------------------------------------------
// Doc: the buffer a file generator writes into
// ---------------------------------------------------------------------------------------

/// A label draft recorded while rendering one file.
#[derive(Clone, Debug)]
pub struct Draft {
    line: usize,
    family: &'static str,
    positive: bool,
    value: String,
}

/// A file being written: text, line count, the plants due in it and the labels recorded.
pub struct Doc {
    buf: String,
    lines: usize,
    target: usize,
    /// Plants with the byte offset at which they become due, sorted by offset.
    pending: Vec<(usize, Plant)>,
    next: usize,
    drafts: Vec<Draft>,
    /// Generator for rendering plants (separate from the content generator).
    rng: Rng,
}

impl Doc {
    fn new(target: usize, mut pending: Vec<(usize, Plant)>, rng: Rng) -> Doc {
        pending.sort_by_key(|p| p.0);
        Doc {
            buf: String::with_capacity(target + 4096),
            lines: 0,
            target,
            pending,
            next: 0,
            drafts: Vec::new(),
            rng,
        }
    }

    /// Appends a line (which may itself contain newlines).
    pub fn line(&mut self, s: &str) {
        self.buf.push_str(s);
        self.buf.push('\n');
        self.lines += 1 + memchr_count(s.as_bytes());
    }

    /// The 1-based number of the next line to be written.
    pub fn next_line(&self) -> usize {
        self.lines + 1
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The target size.
    pub fn target(&self) -> usize {
        self.target
    }

    /// Whether the target size is reached.
    pub fn full(&self) -> bool {
        self.buf.len() >= self.target
    }

    /// Whether plants remain to be written.
    pub fn has_pending(&self) -> bool {
        self.next < self.pending.len()
    }

    /// Records a label at a 1-based line.
    pub fn mark(&mut self, line: usize, family: &'static str, positive: bool, value: String) {
        self.drafts.push(Draft { line, family, positive, value });
    }

    /// Removes and returns the plants not yet written (for formats that place them
    /// themselves).
    pub fn take_plants(&mut self) -> Vec<Plant> {
        let rest = self.pending.split_off(self.next);
        rest.into_iter().map(|p| p.1).collect()
    }

    /// A statement boundary: writes every plant that is due at the current size.
    pub fn slot(&mut self, fmt: Fmt, indent: &str, scope: Scope) {
        while self.next < self.pending.len() && self.pending[self.next].0 <= self.buf.len() {
            self.write_next(fmt, indent, scope);
        }
    }

    /// Writes every remaining plant here.
    pub fn flush(&mut self, fmt: Fmt, indent: &str, scope: Scope) {
        while self.next < self.pending.len() {
            self.write_next(fmt, indent, scope);
        }
    }

    fn write_next(&mut self, fmt: Fmt, indent: &str, scope: Scope) {
        let plant = self.pending[self.next].1.clone();
        self.next += 1;
        let mut r = plants::render(&self.rng, &plant, fmt, indent, scope);
        if fmt == Fmt::Markdown && !plant.items.iter().any(|i| matches!(i.form, Form::Pem)) {
            let fence = format!("```{}", self.rng.pick(&["bash", "sh", "env", "shell"]));
            r.lines.insert(0, fence);
            r.lines.push("```".into());
            for l in &mut r.labels {
                l.0 += 1;
            }
        }
        let base = self.next_line();
        for (li, idx, value) in r.labels {
            let it = &plant.items[idx];
            self.drafts.push(Draft {
                line: base + li,
                family: it.family,
                positive: it.positive,
                value,
            });
        }
        for l in &r.lines {
            self.line(l);
        }
    }
}

fn memchr_count(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

// ---------------------------------------------------------------------------------------
// Layout: projects and files
// ---------------------------------------------------------------------------------------

/// Which plants a file accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Accept {
    Any,
    Nothing,
    DecoysOnly,
    /// Only these families (special files such as `.npmrc`).
    Families(&'static [&'static str]),
}

#[derive(Clone, Debug)]
struct FileSpec {
    path: String,
    fmt: Fmt,
    kind: &'static str,
    size: usize,
    ignored: bool,
    accept: Accept,
    plants: Vec<Plant>,
}

struct Project {
    root: String,
    files: Vec<FileSpec>,
    used: HashSet<String>,
    spent: u64,
}

impl Project {
    #[allow(clippy::too_many_arguments)] // one call per fixed file; a struct would not read better
    fn add(
        &mut self,
        rng: &Rng,
        path: String,
        fmt: Fmt,
        kind: &'static str,
        size: usize,
        ignored: bool,
        accept: Accept,
    ) {
        let mut p = format!("{}/{}", self.root, path);
        while self.used.contains(&p) {
            // Disambiguate like humans do: a numeric or descriptive suffix before the extension.
            let (stem, ext) = match p.rfind('.') {
                Some(i) if i > p.rfind('/').unwrap_or(0) + 1 => {
                    (p[..i].to_string(), p[i..].to_string())
                }
                _ => (p.clone(), String::new()),
            };
            p = format!(
                "{stem}_{}{ext}",
                rng.pick(&["v2", "old", "new", "2", "3", "impl", "util", "base", "test", "legacy"])
            );
        }
        self.used.insert(p.clone());
        self.spent += size as u64;
        self.files.push(FileSpec { path: p, fmt, kind, size, ignored, accept, plants: Vec::new() });
    }
}

/// A recipe: (byte share, format, kind, median size, sigma, path builder id, ignored).
type Recipe = (u32, Fmt, &'static str, usize, f64, &'static str, bool);

fn sub(rng: &Rng) -> &'static str {
    rng.pick_str(&[
        "api", "models", "services", "utils", "core", "db", "handlers", "tasks", "schemas", "auth",
        "billing", "users", "events", "storage", "config", "clients", "workers", "common",
        "internal", "reports",
    ])
}

/// Builds a path for a recipe's path id inside a project of package `pkg`.
fn path_for(rng: &Rng, id: &str, pkg: &str) -> String {
    let m = vocab::snake(rng);
    let mk = vocab::kebab(&m);
    let pc = vocab::pascal(&m);
    match id {
        "py" => format!("src/{pkg}/{}/{m}.py", sub(rng)),
        "py_test" => format!("tests/{}/test_{m}.py", sub(rng)),
        "js" => format!("src/{}/{}.js", sub(rng), vocab::camel(&m)),
        "jsx" => format!("src/components/{}/{pc}.jsx", sub(rng)),
        "ts" => format!("src/{}/{}.ts", sub(rng), vocab::camel(&m)),
        "tsx" => format!("src/components/{}/{pc}.tsx", sub(rng)),
        "js_test" => format!("src/{}/__tests__/{}.test.ts", sub(rng), vocab::camel(&m)),
        "go" => format!("internal/{}/{m}.go", sub(rng)),
        "go_cmd" => format!("cmd/{mk}/main.go"),
        "rs" => format!("src/{}/{m}.rs", sub(rng)),
        "rs_test" => format!("tests/{m}.rs"),
        "java" => format!("src/main/java/com/{pkg}/{}/{pc}.java", sub(rng)),
        "java_test" => format!("src/test/java/com/{pkg}/{}/{pc}Test.java", sub(rng)),
        "rb" => format!("app/{}/{m}.rb", rng.pick(&["models", "controllers", "services", "jobs"])),
        "sh" => format!("scripts/{mk}.sh"),
        "make" => "Makefile".into(),
        "k8s" => format!("deploy/k8s/{mk}.yaml"),
        "helm" => {
            format!("charts/{pkg}/values{}.yaml", rng.pick(&["", "-prod", "-staging", "-dev"]))
        }
        "compose" => format!("docker-compose{}.yml", rng.pick(&["", ".override", ".prod", ".dev"])),
        "actions" => format!(".github/workflows/{mk}.yml"),
        "gitlab-ci" => ".gitlab-ci.yml".into(),
        "openapi" => format!("docs/api/{mk}.yaml"),
        "yaml_cfg" => format!(
            "config/{}.yaml",
            rng.pick(&[
                "default",
                "production",
                "staging",
                "development",
                "test",
                "local",
                "settings",
                "app"
            ])
        ),
        "ansible" => {
            format!("ansible/group_vars/{}.yml", rng.pick(&["all", "prod", "staging", "web", "db"]))
        }
        "json_cfg" => format!(
            "config/{}.json",
            rng.pick(&[
                "default",
                "production",
                "appsettings",
                "settings",
                "local",
                "custom-environment-variables"
            ])
        ),
        "fixture" => format!("tests/fixtures/{m}.json"),
        "launch" => ".vscode/launch.json".into(),
        "package" => "package.json".into(),
        "toml_cfg" => format!("config/{m}.toml"),
        "cargo" => "Cargo.toml".into(),
        "pyproject" => "pyproject.toml".into(),
        "properties" => format!(
            "src/main/resources/application{}.properties",
            rng.pick(&["", "-prod", "-dev", "-test"])
        ),
        "setup_cfg" => rng.pick(&["setup.cfg", "tox.ini", ".flake8", "config/app.ini"]).to_string(),
        "npmrc" => ".npmrc".into(),
        "pypirc" => ".pypirc".into(),
        "credentials" => {
            rng.pick(&[".aws/credentials", "deploy/aws/credentials", "ci/credentials"]).to_string()
        }
        "env" => rng
            .pick(&[
                ".env",
                ".env.development",
                ".env.production",
                ".env.staging",
                "docker/.env",
                "config/.env.test",
            ])
            .to_string(),
        "env_example" => rng.pick(&[".env.example", ".env.sample", ".env.template"]).to_string(),
        "env_local" => ".env.local".into(),
        "docker" => rng
            .pick(&["Dockerfile", "Dockerfile", "docker/Dockerfile.dev", "ci/Dockerfile.ci"])
            .to_string(),
        "tf" => format!(
            "terraform/{}/{mk}.tf",
            rng.pick(&["modules/network", "modules/db", "envs/prod", "envs/staging", "main"])
        ),
        "xml" => format!("src/main/resources/{mk}.xml"),
        "md" => format!(
            "docs/{}/{mk}.md",
            rng.pick(&["guides", "architecture", "runbooks", "adr", "api", "general"])
        ),
        "readme" => "README.md".into(),
        "nb" => format!("notebooks/{}-{mk}.ipynb", rng.range(1, 40)),
        "minjs" => format!(
            "public/vendor/{}.{}.min.js",
            vocab::kebab(rng.pick_str(vocab::NOUNS)),
            vocab::hex(rng, 4)
        ),
        "minjs_static" => format!(
            "static/js/{}.{}.chunk.js",
            rng.pick(&["main", "vendor", "runtime", "app"]),
            vocab::hex(rng, 4)
        ),
        "html" => format!("templates/{mk}.html"),
        "css" => format!("src/styles/{mk}.css"),
        "csv" => format!("data/{}/{m}.csv", rng.pick(&["raw", "processed", "external", "samples"])),
        "log" => format!("tests/fixtures/logs/{mk}-{}.log", vocab::date(rng)),
        "npm_lock" => "package-lock.json".into(),
        "yarn_lock" => "yarn.lock".into(),
        "cargo_lock" => "Cargo.lock".into(),
        "poetry_lock" => "poetry.lock".into(),
        "go_sum" => "go.sum".into(),
        "requirements" => format!("requirements{}.txt", rng.pick(&["", "-dev", "-test"])),
        "license" => "LICENSE".into(),
        "changelog" => "CHANGELOG.md".into(),
        "png" => format!(
            "{}/{mk}.png",
            rng.pick(&["docs/images", "public/img", "assets/icons", "static/img"])
        ),
        "font" => format!(
            "public/fonts/{}-{}.woff2",
            rng.pick(&["inter", "roboto", "source-sans"]),
            rng.pick(&["regular", "bold", "italic"])
        ),
        // Ignored build output.
        "ign_node" => format!(
            "node_modules/{}/{}",
            rng.pick(vocab::NPM_PACKAGES),
            rng.pick(&[
                "index.js",
                "dist/index.min.js",
                "lib/main.js",
                "README.md",
                "package.json"
            ])
        ),
        "ign_dist" => {
            format!("dist/{}.{}.js", rng.pick(&["main", "vendor", "app"]), vocab::hex(rng, 4))
        }
        "ign_venv" => format!(
            ".venv/lib/python3.11/site-packages/{}/{m}.py",
            rng.pick(vocab::PY_PACKAGES).replace('-', "_")
        ),
        "ign_pyc" => format!("src/{pkg}/__pycache__/{m}.cpython-311.pyc"),
        "ign_target" => format!(
            "target/{}/deps/lib{m}-{}.rlib",
            rng.pick(&["debug", "release"]),
            vocab::hex(rng, 8)
        ),
        "ign_class" => format!("target/classes/com/{pkg}/{pc}.class"),
        "ign_build" => format!("build/{}/{mk}.log", rng.pick(&["reports", "tmp", "test-results"])),
        "ign_coverage" => format!("coverage/lcov-report/{mk}.html"),
        _ => format!("misc/{m}.txt"),
    }
}

/// Byte-share recipes per project archetype.
fn recipes(arch: &str) -> Vec<Recipe> {
    use Fmt::*;
    let mut r: Vec<Recipe> = match arch {
        "python" => vec![
            (34, Python, "", 5_000, 0.9, "py", false),
            (10, Python, "test", 3_500, 0.8, "py_test", false),
            (4, Yaml, "cfg", 1_500, 0.7, "yaml_cfg", false),
            (2, Yaml, "k8s", 2_500, 0.6, "k8s", false),
            (3, Json, "fixture", 20_000, 1.2, "fixture", false),
            (6, Notebook, "", 60_000, 1.0, "nb", false),
            (8, Csv, "", 150_000, 1.2, "csv", false),
            (5, Markdown, "", 4_000, 0.9, "md", false),
            (3, Log, "", 200_000, 1.2, "log", false),
            (2, Shell, "", 1_500, 0.7, "sh", false),
            (2, Toml, "", 800, 0.5, "toml_cfg", false),
            (1, Ini, "", 600, 0.5, "setup_cfg", false),
            (2, Html, "", 4_000, 0.8, "html", false),
            (1, Binary, "png", 30_000, 1.3, "png", false),
            (5, Python, "", 6_000, 1.0, "ign_venv", true),
            (1, Binary, "pyc", 8_000, 0.8, "ign_pyc", true),
        ],
        "node" => vec![
            (14, TypeScript, "", 4_500, 0.9, "ts", false),
            (10, TypeScript, "react", 5_000, 0.8, "tsx", false),
            (8, JavaScript, "", 4_000, 0.9, "js", false),
            (4, JavaScript, "react", 4_500, 0.8, "jsx", false),
            (6, TypeScript, "test", 3_000, 0.8, "js_test", false),
            (8, MinJs, "", 250_000, 1.0, "minjs", false),
            (3, MinJs, "", 150_000, 1.0, "minjs_static", false),
            (4, Json, "cfg", 1_500, 0.8, "json_cfg", false),
            (3, Json, "fixture", 15_000, 1.2, "fixture", false),
            (4, Css, "", 6_000, 0.9, "css", false),
            (3, Html, "", 4_000, 0.8, "html", false),
            (4, Markdown, "", 4_000, 0.9, "md", false),
            (2, Yaml, "k8s", 2_500, 0.6, "k8s", false),
            (2, Binary, "png", 40_000, 1.3, "png", false),
            (1, Binary, "woff2", 60_000, 0.5, "font", false),
            (8, JavaScript, "", 5_000, 1.2, "ign_node", true),
            (3, MinJs, "", 300_000, 0.8, "ign_dist", true),
            (1, Html, "", 8_000, 0.6, "ign_coverage", true),
        ],
        "go" => vec![
            (40, Go, "", 6_000, 0.9, "go", false),
            (3, Go, "", 2_500, 0.6, "go_cmd", false),
            (5, Yaml, "k8s", 2_500, 0.6, "k8s", false),
            (4, Yaml, "cfg", 1_500, 0.7, "yaml_cfg", false),
            (3, Yaml, "openapi", 25_000, 0.8, "openapi", false),
            (5, Markdown, "", 4_000, 0.9, "md", false),
            (3, Shell, "", 1_500, 0.7, "sh", false),
            (4, Log, "", 200_000, 1.2, "log", false),
            (3, Json, "fixture", 15_000, 1.2, "fixture", false),
            (2, Terraform, "", 3_000, 0.8, "tf", false),
            (3, Log, "", 100_000, 1.0, "ign_build", true),
        ],
        "rust" => vec![
            (45, Rust, "", 7_000, 1.0, "rs", false),
            (6, Rust, "", 5_000, 0.8, "rs_test", false),
            (4, Markdown, "", 4_000, 0.9, "md", false),
            (2, Toml, "", 800, 0.5, "toml_cfg", false),
            (2, Yaml, "actions", 2_000, 0.6, "actions", false),
            (3, Json, "fixture", 15_000, 1.2, "fixture", false),
            (3, Log, "", 100_000, 1.0, "log", false),
            (6, Binary, "rlib", 200_000, 1.0, "ign_target", true),
        ],
        "java" => vec![
            (40, Java, "", 7_000, 0.9, "java", false),
            (10, Java, "", 5_000, 0.8, "java_test", false),
            (4, Ini, "properties", 1_500, 0.7, "properties", false),
            (3, Yaml, "cfg", 1_500, 0.7, "yaml_cfg", false),
            (3, Xml, "", 4_000, 0.8, "xml", false),
            (4, Markdown, "", 4_000, 0.9, "md", false),
            (4, Log, "", 200_000, 1.2, "log", false),
            (2, Yaml, "k8s", 2_500, 0.6, "k8s", false),
            (4, Binary, "class", 6_000, 0.8, "ign_class", true),
        ],
        "ruby" => vec![
            (40, Ruby, "", 4_000, 0.9, "rb", false),
            (5, Yaml, "cfg", 1_500, 0.7, "yaml_cfg", false),
            (5, Markdown, "", 4_000, 0.9, "md", false),
            (4, Html, "", 4_000, 0.8, "html", false),
            (3, Css, "", 6_000, 0.9, "css", false),
            (3, Log, "", 150_000, 1.0, "log", false),
        ],
        "infra" => vec![
            (20, Terraform, "", 3_000, 0.8, "tf", false),
            (20, Yaml, "k8s", 3_000, 0.7, "k8s", false),
            (10, Yaml, "helm", 4_000, 0.8, "helm", false),
            (6, Yaml, "ansible", 2_000, 0.7, "ansible", false),
            (10, Shell, "", 2_000, 0.8, "sh", false),
            (6, Yaml, "actions", 2_500, 0.6, "actions", false),
            (8, Markdown, "", 5_000, 0.9, "md", false),
            (6, Log, "", 150_000, 1.0, "log", false),
            (4, Json, "cfg", 2_000, 0.8, "json_cfg", false),
        ],
        "data" => vec![
            (20, Notebook, "", 80_000, 1.0, "nb", false),
            (15, Python, "", 5_000, 0.9, "py", false),
            (25, Csv, "", 300_000, 1.2, "csv", false),
            (6, Json, "fixture", 40_000, 1.2, "fixture", false),
            (5, Markdown, "", 4_000, 0.9, "md", false),
            (5, Log, "", 200_000, 1.2, "log", false),
            (3, Binary, "png", 60_000, 1.0, "png", false),
        ],
        _ => vec![
            (50, Markdown, "", 6_000, 1.0, "md", false),
            (8, Yaml, "openapi", 30_000, 0.8, "openapi", false),
            (8, Binary, "png", 60_000, 1.0, "png", false),
            (6, Html, "", 6_000, 0.8, "html", false),
            (4, Css, "", 8_000, 0.8, "css", false),
            (4, JavaScript, "", 3_000, 0.8, "js", false),
        ],
    };
    r.retain(|x| x.0 > 0);
    r
}

fn build_project(rng: &Rng, idx: usize, budget: u64, arch: Option<&'static str>) -> Project {
    let drawn = *rng.weighted(&[
        (22, "python"),
        (24, "node"),
        (14, "go"),
        (8, "rust"),
        (12, "java"),
        (4, "ruby"),
        (8, "infra"),
        (5, "data"),
        (3, "docs"),
    ]);
    let arch = arch.unwrap_or(drawn);
    // Fixed files (lock files, READMEs) scale down in small trees.
    let fix = |n: usize| n.min((budget / 8).max(300) as usize);
    let name = format!(
        "{}-{}",
        rng.pick(vocab::NOUNS),
        rng.pick(&[
            "api", "service", "web", "worker", "platform", "app", "sdk", "cli", "infra",
            "pipeline", "portal", "gateway"
        ])
    );
    let pkg = name.replace('-', "_");
    let root = format!(
        "{}/{}",
        rng.pick(&["services", "packages", "apps", "libs", "tools", "infra", "projects"]),
        if idx > 0 { format!("{name}-{idx}") } else { name.clone() }
    );
    let mut p = Project { root, files: Vec::new(), used: HashSet::new(), spent: 0 };
    use Fmt::*;
    // Fixed files per archetype.
    p.add(rng, "README.md".into(), Markdown, "", fix(rng.range(1_500, 12_000)), false, Accept::Any);
    p.add(rng, "LICENSE".into(), Text, "license", 1_100, false, Accept::Nothing);
    if rng.chance(0.5) {
        p.add(
            rng,
            "CHANGELOG.md".into(),
            Text,
            "changelog",
            fix(rng.range(1_000, 20_000)),
            false,
            Accept::Nothing,
        );
    }
    // .gitignore is written verbatim (see `render_file`); its size is tiny.
    p.files.push(FileSpec {
        path: format!("{}/.gitignore", p.root),
        fmt: Text,
        kind: "gitignore",
        size: 100,
        ignored: false,
        accept: Accept::Nothing,
        plants: vec![],
    });
    p.used.insert(format!("{}/.gitignore", p.root));
    if rng.chance(0.6) {
        p.add(
            rng,
            path_for(rng, "docker", &pkg),
            Dockerfile,
            "",
            fix(rng.range(400, 1_500)),
            false,
            Accept::Any,
        );
    }
    if rng.chance(0.55) {
        p.add(
            rng,
            path_for(rng, "env", &pkg),
            Env,
            "",
            fix(rng.range(300, 1_500)),
            false,
            Accept::Any,
        );
    }
    if rng.chance(0.5) {
        p.add(
            rng,
            path_for(rng, "env_example", &pkg),
            Env,
            "",
            fix(rng.range(300, 1_200)),
            false,
            Accept::DecoysOnly,
        );
    }
    p.add(rng, ".env.local".into(), Env, "", fix(rng.range(200, 800)), true, Accept::Nothing);
    if rng.chance(0.5) {
        let ci = if rng.chance(0.6) { "actions" } else { "gitlab-ci" };
        p.add(
            rng,
            path_for(rng, ci, &pkg),
            Yaml,
            ci,
            fix(rng.range(1_000, 5_000)),
            false,
            Accept::Any,
        );
    }
    if rng.chance(0.3) {
        p.add(
            rng,
            "docker-compose.yml".into(),
            Yaml,
            "compose",
            fix(rng.range(800, 4_000)),
            false,
            Accept::Any,
        );
    }
    if rng.chance(0.15) {
        p.add(rng, ".vscode/launch.json".into(), Json, "launch", 800, false, Accept::Any);
    }
    match arch {
        "python" | "data" => {
            p.add(
                rng,
                "pyproject.toml".into(),
                Toml,
                "pyproject",
                fix(rng.range(800, 3_000)),
                false,
                Accept::Any,
            );
            p.add(
                rng,
                path_for(rng, "requirements", &pkg),
                LockOther,
                "requirements",
                fix(rng.range(300, 6_000)),
                false,
                Accept::Nothing,
            );
            if rng.chance(0.5) {
                p.add(
                    rng,
                    "poetry.lock".into(),
                    LockOther,
                    "poetry",
                    fix(rng.range(40_000, 400_000)),
                    false,
                    Accept::Nothing,
                );
            }
            if rng.chance(0.15) {
                p.add(
                    rng,
                    ".pypirc".into(),
                    Ini,
                    "pypirc",
                    300,
                    false,
                    Accept::Families(&["pypi"]),
                );
            }
        }
        "node" | "docs" => {
            p.add(
                rng,
                "package.json".into(),
                Json,
                "package",
                fix(rng.range(800, 3_000)),
                false,
                Accept::Any,
            );
            if rng.chance(0.7) {
                p.add(
                    rng,
                    "package-lock.json".into(),
                    LockNpm,
                    "",
                    fix(rng.range(100_000, 900_000)),
                    false,
                    Accept::Families(&["integrity"]),
                );
            } else {
                p.add(
                    rng,
                    "yarn.lock".into(),
                    LockYarn,
                    "",
                    fix(rng.range(80_000, 600_000)),
                    false,
                    Accept::Families(&["integrity"]),
                );
            }
            if rng.chance(0.25) {
                p.add(rng, ".npmrc".into(), Ini, "npmrc", 200, false, Accept::Families(&["npm"]));
            }
        }
        "go" => {
            p.add(
                rng,
                "go.sum".into(),
                LockOther,
                "gosum",
                fix(rng.range(5_000, 60_000)),
                false,
                Accept::Nothing,
            );
            p.add(
                rng,
                "Makefile".into(),
                Shell,
                "make",
                fix(rng.range(500, 3_000)),
                false,
                Accept::Nothing,
            );
        }
        "rust" => {
            p.add(
                rng,
                "Cargo.toml".into(),
                Toml,
                "cargo",
                fix(rng.range(600, 2_500)),
                false,
                Accept::Any,
            );
            p.add(
                rng,
                "Cargo.lock".into(),
                LockOther,
                "cargo",
                fix(rng.range(20_000, 200_000)),
                false,
                Accept::Nothing,
            );
        }
        "java" => {
            p.add(
                rng,
                "pom.xml".into(),
                Xml,
                "",
                fix(rng.range(3_000, 12_000)),
                false,
                Accept::Any,
            );
        }
        "infra" if rng.chance(0.3) => {
            p.add(
                rng,
                path_for(rng, "credentials", &pkg),
                Ini,
                "credentials",
                300,
                false,
                Accept::Families(&["aws"]),
            );
        }
        _ => {}
    }
    let rs = recipes(arch);
    let share_sum: f64 = rs.iter().map(|r| r.0 as f64).sum();
    // Choose recipes with probability share / median so bytes follow the shares.
    let weights: Vec<(u32, usize)> = rs
        .iter()
        .enumerate()
        .map(|(i, r)| (((r.0 as f64 / share_sum) / r.3 as f64 * 1e9) as u32 + 1, i))
        .collect();
    let cap = (budget / 3).max(4_000) as usize;
    while p.spent < budget {
        let i = *rng.weighted(&weights);
        let (_, fmt, kind, median, sigma, pid, ignored) = rs[i];
        let size = (rng.lognormal(median as f64, sigma) as usize).clamp(200, cap.min(8 << 20));
        let path = path_for(rng, pid, &pkg);
        let accept = if ignored { Accept::Nothing } else { Accept::Any };
        p.add(rng, path, fmt, kind, size, ignored, accept);
    }
    p
}

/// Plans the whole tree: projects, files, and the plants assigned to each file.
fn plan(cfg: &Config) -> Vec<FileSpec> {
    let rng = Rng::new(cfg.seed);
    let layout_rng = rng.fork(1);
    let plant_rng = rng.fork(2);
    let target = cfg.target_bytes.max(64 * 1024);
    let n_projects = ((target / (12 << 20)) as usize).clamp(9, 400);
    // Every archetype appears at least once (first nine projects), then by weight.
    let mut archs = vec!["python", "node", "go", "rust", "java", "ruby", "infra", "data", "docs"];
    layout_rng.shuffle(&mut archs);
    let weights: Vec<f64> = (0..n_projects).map(|_| layout_rng.lognormal(1.0, 0.7)).collect();
    let wsum: f64 = weights.iter().sum();
    let mut files: Vec<FileSpec> = Vec::new();
    for (i, w) in weights.iter().enumerate() {
        // Projects overshoot their budget by about one file; aim a little low.
        let budget = (0.92 * target as f64 * w / wsum) as u64;
        let arch = archs.get(i).copied();
        let p = build_project(&layout_rng, i, budget.max(20_000), arch);
        files.extend(p.files);
    }
    // Root files of the monorepo. The root .gitignore keeps labels.jsonl out of scans.
    files.push(FileSpec {
        path: ".gitignore".into(),
        fmt: Fmt::Text,
        kind: "root-gitignore",
        size: 64,
        ignored: false,
        accept: Accept::Nothing,
        plants: vec![],
    });
    files.push(FileSpec {
        path: "README.md".into(),
        fmt: Fmt::Markdown,
        kind: "",
        size: 3_000,
        ignored: false,
        accept: Accept::Any,
        plants: vec![],
    });

    // Plants: positives and decoys dealt from shuffled decks of kinds (even coverage).
    let mib = target as f64 / 1048576.0;
    let n_pos = ((cfg.positives_per_mib * mib).round() as usize).max(60);
    let n_dec = ((cfg.decoys_per_mib * mib).round() as usize).max(60);
    let mut by_fmt: HashMap<Fmt, Vec<usize>> = HashMap::new();
    for (i, f) in files.iter().enumerate() {
        if !f.ignored && f.accept != Accept::Nothing {
            by_fmt.entry(f.fmt).or_default().push(i);
        }
    }
    let mut pem_count = 0usize;
    let mut deal = |rng: &Rng,
                    n: usize,
                    kinds: std::ops::Range<usize>,
                    positive: bool,
                    files: &mut Vec<FileSpec>| {
        let mut deck: Vec<usize> = Vec::new();
        for _ in 0..n {
            if deck.is_empty() {
                deck = kinds.clone().collect();
                rng.shuffle(&mut deck);
            }
            let k = deck.pop().unwrap_or(0);
            let plant = if positive { plants::positive(rng, k) } else { plants::decoy(rng, k) };
            place(rng, plant, files, &mut by_fmt, &mut pem_count);
        }
    };
    // Two decks: the core kinds (with the generator's original stream, so their plants do
    // not change when kinds are added) and the long-tail kinds (a stream of their own), each
    // getting its share of the plants by number of kinds.
    let share =
        |n: usize, core: usize, all: usize| (n as f64 * core as f64 / all as f64).round() as usize;
    let core_pos = share(n_pos, plants::CORE_POSITIVE_KINDS, plants::POSITIVE_KINDS);
    let core_dec = share(n_dec, plants::CORE_DECOY_KINDS, plants::DECOY_KINDS);
    deal(&plant_rng, core_pos, 0..plants::CORE_POSITIVE_KINDS, true, &mut files);
    deal(&plant_rng, core_dec, 0..plants::CORE_DECOY_KINDS, false, &mut files);
    let tail_rng = rng.fork(3);
    deal(
        &tail_rng,
        n_pos - core_pos,
        plants::CORE_POSITIVE_KINDS..plants::POSITIVE_KINDS,
        true,
        &mut files,
    );
    deal(
        &tail_rng,
        n_dec - core_dec,
        plants::CORE_DECOY_KINDS..plants::DECOY_KINDS,
        false,
        &mut files,
    );
    files
}

/// Relative likelihood, per file, that a committed secret is in a file of this format.
fn leak_weight(f: Fmt) -> u32 {
    use Fmt::*;
    match f {
        Env | Ini | Toml | Dockerfile | Terraform => 12,
        Yaml | Json | Xml | Shell | Notebook => 5,
        Python | JavaScript | TypeScript | Go | Rust | Java | Ruby | Markdown | Log => 2,
        _ => 1,
    }
}

fn accepts(f: &FileSpec, plant: &Plant) -> bool {
    match f.accept {
        Accept::Any => true,
        Accept::Nothing => false,
        Accept::DecoysOnly => plant.items.iter().all(|i| !i.positive),
        Accept::Families(fams) => plant.items.iter().all(|i| fams.contains(&i.family)),
    }
}

/// `group/project` of a random project file.
fn random_project_root(rng: &Rng, files: &[FileSpec]) -> String {
    loop {
        let p = &files[rng.below(files.len())].path;
        let parts: Vec<&str> = p.split('/').collect();
        if parts.len() >= 3 {
            return format!("{}/{}", parts[0], parts[1]);
        }
    }
}

fn place(
    rng: &Rng,
    plant: Plant,
    files: &mut Vec<FileSpec>,
    by_fmt: &mut HashMap<Fmt, Vec<usize>>,
    pem_count: &mut usize,
) {
    let family = plant.items[0].family;
    // Special files first, sometimes (an `.npmrc` for npm tokens, …).
    if rng.chance(0.4) {
        let special: Vec<usize> = files
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                matches!(f.accept, Accept::Families(fams) if fams.contains(&family))
                    && accepts(f, &plant)
            })
            .map(|(i, _)| i)
            .collect();
        if !special.is_empty() {
            let i = special[rng.below(special.len())];
            files[i].plants.push(plant);
            return;
        }
    }
    let multi = plant.items.len() > 1;
    // Choose a format with probability (files of that format) x (how often secrets are
    // committed in such files), then a file of that format; configuration files are the
    // usual place, code and docs less so, per file.
    let fmts: Vec<(u32, Fmt)> = plant
        .fmts
        .iter()
        .copied()
        .filter(|f| !(multi && matches!(f, Fmt::MinJs | Fmt::Html | Fmt::Css)))
        .filter_map(|f| {
            if f == Fmt::PemFile {
                return Some((
                    ((by_fmt.values().map(Vec::len).sum::<usize>() / 400) as u32).max(1),
                    f,
                ));
            }
            let n = by_fmt.get(&f)?.len() as u32;
            Some((n * leak_weight(f), f))
        })
        .collect();
    for _ in 0..60 {
        if fmts.is_empty() {
            break;
        }
        let fmt = *rng.weighted(&fmts);
        if fmt == Fmt::PemFile {
            // A new key/certificate file in a realistic location.
            *pem_count += 1;
            let it = &plant.items[0];
            let name = match (it.family, rng.below(4)) {
                ("private-key", 0) => "id_rsa".to_string(),
                ("private-key", 1) => format!(
                    "{}.key",
                    rng.pick(&["server", "tls", "client", "jwt-signing", "deploy"])
                ),
                ("private-key", _) => format!("{}-private.pem", rng.pick(vocab::NOUNS)),
                ("certificate", _) => {
                    format!("{}.crt", rng.pick(&["server", "ca", "client", "root-ca"]))
                }
                _ => format!("{}.pub.pem", rng.pick(&["jwt", "signing", "server"])),
            };
            // Attach it to a random existing project directory.
            let proj = random_project_root(rng, files);
            let dir = rng.pick(&[
                "config/certs",
                "deploy/keys",
                "tests/fixtures/keys",
                "secrets",
                "ssl",
                ".ssh",
                "docker/certs",
            ]);
            let path = format!("{proj}/{dir}/{pem_count}-{name}");
            files.push(FileSpec {
                path,
                fmt: Fmt::PemFile,
                kind: "",
                size: 0,
                ignored: false,
                accept: Accept::Any,
                plants: vec![plant],
            });
            return;
        }
        let Some(cands) = by_fmt.get(&fmt) else { continue };
        let i = cands[rng.below(cands.len())];
        // A small file holds few plants (a 500-byte .env does not hold ten keys).
        let cap = (files[i].size / 400).max(1);
        if accepts(&files[i], &plant) && files[i].plants.len() < cap {
            files[i].plants.push(plant);
            return;
        }
    }
    // No compatible file (tiny trees): a new .env file at the root of a project.
    let proj = random_project_root(rng, files);
    let path = format!("{proj}/config/.env.{}", files.len());
    files.push(FileSpec {
        path,
        fmt: Fmt::Env,
        kind: "",
        size: 400,
        ignored: false,
        accept: Accept::Any,
        plants: vec![plant],
    });
}

// ---------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------

fn file_seed(seed: u64, idx: usize) -> u64 {
    let mut x = seed ^ (idx as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 29;
    x.wrapping_mul(0xBF58_476D_1CE4_E5B9)
}

fn render_file(spec: &FileSpec, seed: u64, idx: usize) -> (Vec<u8>, Vec<Label>) {
    use Fmt::*;
    let rng = Rng::new(file_seed(seed, idx));
    let plant_rng = rng.fork(7);
    if spec.fmt == Binary {
        let ext = spec.path.rsplit('.').next().unwrap_or("bin");
        return (formats::binary(&rng, ext, spec.size), Vec::new());
    }
    if spec.kind == "gitignore" || spec.kind == "root-gitignore" {
        let text = if spec.kind == "root-gitignore" {
            "# generated corpus metadata, not part of the tree\n/labels.jsonl\n".to_string()
        } else {
            "# build output\n__pycache__/\n*.pyc\n.venv/\nbuild/\ndist/\nnode_modules/\ncoverage/\ntarget/\n.env.local\n".to_string()
        };
        return (text.into_bytes(), Vec::new());
    }
    // One file in twelve is about authentication and uses the security vocabulary freely.
    vocab::set_auth_topic(rng.chance(0.08));
    let pending: Vec<(usize, Plant)> =
        spec.plants.iter().map(|p| (rng.below(spec.size.max(1)), p.clone())).collect();
    let mut doc = Doc::new(spec.size, pending, plant_rng);
    match spec.fmt {
        Python => {
            if spec.kind == "test" {
                code::python_test(&mut doc, &rng)
            } else {
                code::python(&mut doc, &rng)
            }
        }
        JavaScript | TypeScript => {
            let ts = spec.fmt == TypeScript;
            if spec.kind == "test" {
                code::js_test(&mut doc, &rng, ts)
            } else {
                code::javascript(&mut doc, &rng, ts, spec.kind == "react")
            }
        }
        Go => code::go(&mut doc, &rng),
        Rust => code::rust(&mut doc, &rng),
        Java => code::java(&mut doc, &rng),
        Ruby => code::ruby(&mut doc, &rng),
        Shell => {
            if spec.kind == "make" {
                code::makefile(&mut doc, &rng)
            } else {
                code::shell(&mut doc, &rng)
            }
        }
        Yaml => formats::yaml(&mut doc, &rng, spec.kind),
        Json => formats::json(&mut doc, &rng, spec.kind),
        Toml => formats::toml(&mut doc, &rng, spec.kind),
        Ini => formats::ini(&mut doc, &rng, spec.kind),
        Env => formats::env(&mut doc, &rng),
        Dockerfile => formats::dockerfile(&mut doc, &rng),
        Terraform => formats::terraform(&mut doc, &rng),
        Xml => formats::xml(&mut doc, &rng),
        Markdown => formats::markdown(&mut doc, &rng),
        Notebook => formats::notebook(&mut doc, &rng),
        MinJs => formats::minjs(&mut doc, &rng),
        Html => formats::html(&mut doc, &rng),
        Css => formats::css(&mut doc, &rng),
        Csv => formats::csv(&mut doc, &rng),
        Log => formats::log(&mut doc, &rng),
        LockNpm => formats::package_lock(&mut doc, &rng),
        LockYarn => formats::yarn_lock(&mut doc, &rng),
        LockOther => match spec.kind {
            "cargo" => formats::cargo_lock(&mut doc, &rng),
            "poetry" => formats::poetry_lock(&mut doc, &rng),
            "gosum" => formats::go_sum(&mut doc, &rng),
            _ => formats::requirements(&mut doc, &rng),
        },
        PemFile => formats::pem_file(&mut doc, &rng),
        Text => formats::text(&mut doc, &rng, spec.kind),
        Binary => {}
    }
    // Any plant a generator did not place (should not happen) goes at the end as a comment-free
    // top-level line in the file's own syntax.
    if doc.has_pending() {
        doc.flush(spec.fmt, "", Scope::Top);
    }
    let labels = doc
        .drafts
        .iter()
        .map(|d| Label {
            path: spec.path.clone(),
            line: d.line,
            family: d.family.to_string(),
            kind: if d.positive { Kind::Positive } else { Kind::Decoy },
            value: d.value.clone(),
        })
        .collect();
    (doc.buf.into_bytes(), labels)
}

/// Renders every file of the plan, calling `sink` in plan order (deterministic), using
/// `cfg.threads` threads.
/// Receives each rendered file with its labels.
type FileSink<'a> = dyn FnMut(&FileSpec, Vec<u8>, Vec<Label>) -> io::Result<()> + 'a;

fn render_all(cfg: &Config, specs: &[FileSpec], sink: &mut FileSink<'_>) -> io::Result<()> {
    let threads = cfg.threads.max(1);
    let batch = 64 * threads;
    let mut start = 0;
    while start < specs.len() {
        let end = (start + batch).min(specs.len());
        let chunk = &specs[start..end];
        let mut results: Vec<Option<(Vec<u8>, Vec<Label>)>> =
            (0..chunk.len()).map(|_| None).collect();
        if threads == 1 {
            for (i, s) in chunk.iter().enumerate() {
                results[i] = Some(render_file(s, cfg.seed, start + i));
            }
        } else {
            let per = chunk.len().div_ceil(threads);
            std::thread::scope(|sc| {
                for (t, slots) in results.chunks_mut(per).enumerate() {
                    let base = t * per;
                    let seed = cfg.seed;
                    sc.spawn(move || {
                        for (j, slot) in slots.iter_mut().enumerate() {
                            *slot = Some(render_file(&chunk[base + j], seed, start + base + j));
                        }
                    });
                }
            });
        }
        for (s, r) in chunk.iter().zip(results) {
            if let Some((bytes, labels)) = r {
                sink(s, bytes, labels)?;
            }
        }
        start = end;
    }
    Ok(())
}

/// Generates the tree in memory (for benchmarks and tests that do not need files).
pub fn generate_in_memory(cfg: &Config) -> (Vec<GeneratedFile>, Vec<Label>) {
    let specs = plan(cfg);
    let mut files = Vec::with_capacity(specs.len());
    let mut labels = Vec::new();
    let _ = render_all(cfg, &specs, &mut |s, bytes, l| {
        files.push(GeneratedFile { path: s.path.clone(), bytes, ignored: s.ignored });
        labels.extend(l);
        Ok(())
    });
    (files, labels)
}

/// Writes the tree under `out_dir` and `out_dir/labels.jsonl`; returns the labels and a
/// summary.
pub fn generate_with(out_dir: &Path, cfg: &Config) -> io::Result<(Vec<Label>, Summary)> {
    let specs = plan(cfg);
    std::fs::create_dir_all(out_dir)?;
    let mut labels = Vec::new();
    let mut summary = Summary::default();
    let mut by_fmt: HashMap<Fmt, u64> = HashMap::new();
    let mut made_dirs: HashSet<std::path::PathBuf> = HashSet::new();
    render_all(cfg, &specs, &mut |s, bytes, l| {
        let path = out_dir.join(&s.path);
        if let Some(parent) = path.parent() {
            if !made_dirs.contains(parent) {
                std::fs::create_dir_all(parent)?;
                made_dirs.insert(parent.to_path_buf());
            }
        }
        std::fs::write(&path, &bytes)?;
        summary.files += 1;
        summary.bytes += bytes.len() as u64;
        if s.ignored {
            summary.ignored_bytes += bytes.len() as u64;
        }
        *by_fmt.entry(s.fmt).or_default() += bytes.len() as u64;
        labels.extend(l);
        Ok(())
    })?;
    let mut f = io::BufWriter::new(std::fs::File::create(out_dir.join("labels.jsonl"))?);
    for l in &labels {
        writeln!(f, "{}", l.to_json())?;
    }
    f.flush()?;
    let mut v: Vec<(Fmt, u64)> = by_fmt.into_iter().collect();
    v.sort_by_key(|b| std::cmp::Reverse(b.1));
    summary.bytes_by_fmt = v;
    Ok((labels, summary))
}

/// Writes a tree of about `target_bytes` with realistic plant density under `out_dir`, plus
/// `out_dir/labels.jsonl` (one JSON object per planted item).
pub fn generate(out_dir: &Path, target_bytes: u64, seed: u64) -> io::Result<Vec<Label>> {
    generate_with(out_dir, &Config::new(target_bytes, seed)).map(|(l, _)| l)
}
