//! Word lists for identifiers, prose, data rows and log lines.
//!
//! Design decision: identifiers are built from ordinary programming vocabulary in which the
//! security words (`token`, `key`, `secret`, `password`, `auth`, `credential`, `session`) are
//! present at roughly the rate they have in application code, so a keyword prefilter sees
//! the same kind of noise it sees in real repositories: many keyword hits, few secrets.

use super::rng::Rng;

/// Nouns for variable, field and type names. Security words appear once each, as in code.
#[rustfmt::skip]
pub const NOUNS: &[&str] = &[
    "user", "account", "order", "invoice", "payment", "customer", "product", "item", "cart",
    "session", "request", "response", "config", "settings", "cache", "queue", "job", "task",
    "event", "message", "report", "metric", "file", "image", "document", "project", "team", "org",
    "repo", "branch", "commit", "build", "deploy", "release", "service", "client", "server",
    "handler", "router", "model", "view", "schema", "record", "entry", "node", "edge", "graph",
    "tree", "index", "query", "filter", "result", "error", "status", "state", "context", "token",
    "key", "secret", "password", "auth", "credential", "permission", "role", "scope", "policy",
    "address", "email", "phone", "profile", "avatar", "comment", "post", "thread", "channel",
    "notification", "subscription", "plan", "price", "discount", "coupon", "shipment", "warehouse",
    "stock", "vendor", "supplier", "contract", "ticket", "issue", "label", "tag", "category",
    "page", "section", "widget", "layout", "theme", "color", "font", "icon", "menu", "button",
    "form", "field", "value", "option", "choice", "batch", "chunk", "buffer", "stream", "socket",
    "connection", "pool", "worker", "thread", "lock", "timer", "timeout", "retry", "attempt",
    "limit", "quota", "usage", "bucket", "object", "blob", "path", "url", "host", "port", "region",
    "zone", "cluster", "pod", "container", "volume", "snapshot", "backup", "migration", "table",
    "column", "row", "cursor", "offset", "count", "total", "size", "length", "width", "height",
    "weight", "score", "rank", "rating", "review", "feedback", "survey", "answer", "question",
    "lesson", "course", "student", "teacher", "grade", "device", "sensor", "reading", "sample",
    "feature", "flag", "experiment", "variant", "cohort", "segment", "campaign", "lead", "deal",
    "pipeline", "stage", "step", "workflow", "trigger", "action", "hook", "plugin", "module",
    "package", "dependency", "version", "manifest", "header", "body", "payload", "signature",
    "nonce", "salt", "hash", "digest", "checksum", "cipher", "certificate",
];

/// Verbs for function and method names.
#[rustfmt::skip]
pub const VERBS: &[&str] = &[
    "get", "set", "create", "update", "delete", "fetch", "load", "save", "parse", "validate",
    "build", "render", "handle", "process", "send", "receive", "compute", "resolve", "apply",
    "check", "refresh", "encode", "decode", "format", "normalize", "merge", "split", "find", "list",
    "count", "sync", "import", "export", "upload", "download", "register", "notify", "publish",
    "subscribe", "schedule", "cancel", "retry", "init", "reset", "clear", "flush", "open", "close",
    "read", "write", "serialize", "deserialize", "convert", "map", "filter", "sort", "group",
    "aggregate", "emit", "dispatch", "attach", "detach", "enable", "disable", "verify", "authorize",
    "authenticate", "rotate", "revoke", "issue", "sign", "hash", "extract", "transform", "migrate",
    "archive", "restore", "prepare", "collect", "track",
];

/// Adjectives and qualifiers.
#[rustfmt::skip]
pub const ADJS: &[&str] = &[
    "new", "old", "current", "default", "active", "pending", "max", "min", "total", "raw", "last",
    "first", "next", "prev", "local", "remote", "global", "base", "full", "partial", "valid",
    "invalid", "cached", "primary", "secondary", "temp", "final", "initial", "internal", "external",
    "public", "private", "shared", "custom", "user", "system", "main", "parent", "child", "source",
    "target", "input", "output", "start", "end", "expected", "actual", "selected", "visible",
    "hidden", "enabled", "async", "batch", "daily", "weekly",
];

/// Common English words for comments and documentation prose.
#[rustfmt::skip]
pub const WORDS: &[&str] = &[
    "the", "the", "the", "a", "a", "an", "of", "of", "to", "to", "in", "in", "and", "and", "is",
    "is", "for", "for", "that", "this", "with", "with", "on", "be", "by", "as", "are", "it", "from",
    "or", "can", "will", "not", "when", "if", "we", "you", "use", "used", "using", "which", "each",
    "all", "any", "one", "two", "more", "only", "also", "after", "before", "should", "must", "may",
    "need", "make", "sure", "run", "running", "call", "called", "return", "returns", "value",
    "values", "data", "list", "file", "files", "request", "response", "user", "users", "service",
    "server", "client", "error", "errors", "default", "option", "options", "configure",
    "configuration", "set", "setting", "new", "existing", "support", "supports", "handle",
    "handles", "case", "cases", "test", "tests", "check", "result", "results", "time", "timeout",
    "retry", "first", "next", "last", "number", "name", "names", "type", "types", "field", "fields",
    "object", "objects", "method", "function", "example", "instead", "because", "otherwise",
    "however", "then", "than", "there", "here", "into", "over", "under", "between", "without",
    "within", "per", "via", "same", "different", "current", "previous", "latest", "version",
    "release", "build", "deploy", "environment", "production", "staging", "local", "development",
    "database", "query", "queries", "cache", "key", "keys", "access", "login", "account", "permission", "permissions", "role", "session",
    "header", "headers", "endpoint", "api", "path", "url", "host", "port", "connection", "network",
    "message", "event", "events", "queue", "worker", "job", "jobs", "task", "tasks", "step",
    "steps", "page", "component", "state", "update", "updates", "change", "changes", "fix", "bug",
    "issue", "issues", "feature", "features", "flag", "performance", "memory", "size", "limit",
    "large", "small", "fast", "slow", "simple", "complex", "important", "note", "warning", "see",
    "below", "above", "following", "section", "docs", "guide", "install", "setup", "command",
    "line", "output", "input", "format", "json", "yaml", "config", "directory", "module", "package",
    "dependency", "dependencies", "script", "scripts", "workflow", "pipeline", "stage", "cluster",
    "node", "nodes", "container", "image", "volume", "storage", "upload", "download", "record",
    "records", "table", "column", "row", "index", "schema", "migration", "backup", "restore",
    "monitor", "metrics", "logs", "logging", "trace", "alert", "alerts", "notification", "email",
    "report", "reports", "dashboard", "team", "owner", "review", "approve", "merge", "branch",
    "commit", "history", "rollback", "safe", "unsafe", "valid", "invalid", "missing", "empty",
    "null", "true", "false", "enabled", "disabled", "optional", "required", "automatically",
    "manually", "currently", "usually", "always", "never", "once", "again", "still", "already",
    "yet", "just", "even", "both",
];

/// Given names for fixtures, CSV rows and authors.
#[rustfmt::skip]
pub const FIRST_NAMES: &[&str] = &[
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Carlos", "Karen", "Wei", "Aisha", "Mohammed", "Priya", "Hiroshi", "Yuki", "Olga", "Lars",
    "Ingrid", "Mateo", "Sofia", "Lucas", "Emma", "Noah", "Olivia", "Liam", "Ava", "Ethan", "Mia",
    "Arjun", "Fatima", "Chen", "Anna", "Pierre", "Camille", "Giulia", "Marco",
];

/// Family names.
#[rustfmt::skip]
pub const LAST_NAMES: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin",
    "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Young", "King", "Wright",
    "Nguyen", "Kim", "Patel", "Singh", "Wang", "Zhang", "Li", "Tanaka", "Suzuki", "Muller",
    "Schmidt", "Rossi", "Dubois", "Novak", "Kowalski", "Ivanov", "Larsen", "Silva",
];

/// Cities for data rows.
#[rustfmt::skip]
pub const CITIES: &[&str] = &[
    "London", "Paris", "Berlin", "Madrid", "Rome", "Amsterdam", "Dublin", "Lisbon", "Prague",
    "Vienna", "Warsaw", "Stockholm", "Oslo", "Helsinki", "Tokyo", "Osaka", "Seoul", "Beijing",
    "Shanghai", "Singapore", "Sydney", "Melbourne", "Toronto", "Vancouver", "Chicago", "Boston",
    "Seattle", "Austin", "Denver", "Atlanta", "Miami", "Mumbai", "Bangalore", "Cairo", "Lagos",
    "Nairobi", "Sao Paulo", "Buenos Aires", "Mexico City", "Bogota",
];

/// Country codes.
pub const COUNTRIES: &[&str] = &[
    "US", "GB", "DE", "FR", "ES", "IT", "NL", "IE", "PT", "CZ", "AT", "PL", "SE", "NO", "FI", "JP",
    "KR", "CN", "SG", "AU", "CA", "IN", "EG", "NG", "KE", "BR", "AR", "MX", "CO",
];

/// Short product/company words used in project and host names.
#[rustfmt::skip]
pub const BRANDS: &[&str] = &[
    "acme", "globex", "initech", "umbrella", "hooli", "vandelay", "stark", "wayne", "tyrell",
    "cyberdyne", "soylent", "wonka", "aperture", "massive", "oscorp", "nakatomi", "zorg", "bluth",
    "pied", "dunder", "gringotts", "monarch", "sirius", "octan", "veridian", "nimbus",
];

/// Domains for hosts, emails and URLs (reserved or generic names).
pub const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "internal.acme.io",
    "corp.globex.net",
    "svc.cluster.local",
    "api.hooli.dev",
    "staging.initech.io",
    "prod.umbrella.cloud",
    "test.local",
    "mail.acme.io",
];

/// Generic third-party URL hosts that appear in comments, docs and dependencies.
#[rustfmt::skip]
pub const URL_HOSTS: &[&str] = &[
    "github.com", "gitlab.com", "docs.python.org", "developer.mozilla.org", "pkg.go.dev", "docs.rs",
    "stackoverflow.com", "en.wikipedia.org", "registry.npmjs.org", "pypi.org", "crates.io",
    "kubernetes.io", "docs.docker.com", "www.postgresql.org", "redis.io", "cloud.google.com",
    "docs.aws.amazon.com", "learn.microsoft.com", "www.rfc-editor.org", "json-schema.org",
    "www.w3.org", "fonts.googleapis.com", "cdn.jsdelivr.net",
];

/// npm-like package names.
#[rustfmt::skip]
pub const NPM_PACKAGES: &[&str] = &[
    "react", "react-dom", "lodash", "axios", "express", "typescript", "webpack", "babel-loader",
    "@babel/core", "@babel/preset-env", "eslint", "prettier", "jest", "vitest", "next", "vue",
    "moment", "dayjs", "date-fns", "uuid", "chalk", "commander", "yargs", "debug", "ms", "qs",
    "body-parser", "cors", "dotenv", "jsonwebtoken", "bcryptjs", "passport", "mongoose", "pg",
    "mysql2", "redis", "ioredis", "socket.io", "ws", "graphql", "apollo-server", "zod", "yup",
    "classnames", "styled-components", "@emotion/react", "tailwindcss", "postcss", "autoprefixer",
    "sass", "rollup", "esbuild", "vite", "@types/node", "@types/react", "tslib", "rxjs", "immer",
    "redux", "@reduxjs/toolkit", "react-router-dom", "formik", "semver", "glob", "minimatch",
    "rimraf", "mkdirp", "fs-extra", "cross-env", "nodemon", "supertest", "sinon", "chai", "mocha",
    "nock", "husky", "lint-staged", "core-js", "regenerator-runtime", "source-map", "acorn",
    "picomatch", "braces", "micromatch", "inherits", "safe-buffer", "readable-stream",
    "string_decoder", "once", "wrappy",
];

/// Python package names.
#[rustfmt::skip]
pub const PY_PACKAGES: &[&str] = &[
    "requests", "flask", "django", "fastapi", "uvicorn", "pydantic", "sqlalchemy", "alembic",
    "psycopg2-binary", "redis", "celery", "boto3", "botocore", "numpy", "pandas", "scipy",
    "scikit-learn", "matplotlib", "seaborn", "jupyter", "pytest", "pytest-cov", "black", "isort",
    "mypy", "ruff", "click", "typer", "rich", "httpx", "aiohttp", "jinja2", "pyyaml",
    "python-dotenv", "cryptography", "pyjwt", "passlib", "gunicorn", "structlog", "tenacity",
    "attrs", "marshmallow", "orjson", "tqdm", "torch", "transformers", "openai", "anthropic",
];

/// Rust crate names.
#[rustfmt::skip]
pub const CRATES: &[&str] = &[
    "serde", "serde_json", "tokio", "anyhow", "thiserror", "clap", "tracing", "reqwest", "hyper",
    "axum", "tower", "futures", "bytes", "regex", "once_cell", "rand", "chrono", "uuid", "sqlx",
    "diesel", "rayon", "crossbeam", "parking_lot", "itertools", "log", "env_logger", "base64",
    "sha2", "hex", "url", "http", "mime", "toml", "semver", "tempfile",
];

/// Go module paths.
#[rustfmt::skip]
pub const GO_MODULES: &[&str] = &[
    "github.com/gin-gonic/gin", "github.com/stretchr/testify", "github.com/spf13/cobra",
    "github.com/spf13/viper", "go.uber.org/zap", "github.com/sirupsen/logrus",
    "github.com/google/uuid", "github.com/jackc/pgx/v5", "github.com/redis/go-redis/v9",
    "github.com/prometheus/client_golang", "google.golang.org/grpc", "google.golang.org/protobuf",
    "github.com/golang-jwt/jwt/v5", "golang.org/x/sync", "golang.org/x/crypto", "golang.org/x/net",
    "github.com/aws/aws-sdk-go-v2", "github.com/gorilla/mux", "github.com/go-chi/chi/v5",
    "gopkg.in/yaml.v3",
];

/// Nouns that make a name sound like a credential.
#[rustfmt::skip]
pub const SECURITY: &[&str] = &[
    "token", "key", "secret", "password", "auth", "credential", "signature", "nonce", "salt",
    "hash", "cipher", "certificate", "session", "digest", "checksum", "permission",
];

/// A noun that does not sound like a credential (for keys of literal values in data files:
/// a fixture field called `session_token` holding a random string would be an unlabelled
/// maybe-secret, which the corpus avoids).
pub fn plain_noun(rng: &Rng) -> &'static str {
    loop {
        let n = *rng.pick(NOUNS);
        if !SECURITY.contains(&n) {
            return n;
        }
    }
}

thread_local! {
    /// Whether the file being written is about authentication (its identifiers use the
    /// security vocabulary freely); otherwise such words are rare, as in most modules.
    static AUTH_TOPIC: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// Sets the topic of the file being generated on this thread (see [`noun`]).
pub fn set_auth_topic(on: bool) {
    AUTH_TOPIC.with(|t| t.set(on));
}

/// Whether the current file is about authentication.
pub fn auth_topic() -> bool {
    AUTH_TOPIC.with(|t| t.get())
}

/// A noun for an identifier: any noun in authentication-related files, mostly plain ones
/// elsewhere.
pub fn noun(rng: &Rng) -> &'static str {
    if auth_topic() || rng.chance(0.05) { rng.pick_str(NOUNS) } else { plain_noun(rng) }
}

/// Like [`snake`], without credential-sounding words.
pub fn snake_plain(rng: &Rng) -> String {
    match rng.below(10) {
        0..=3 => plain_noun(rng).to_string(),
        4..=7 => format!("{}_{}", rng.pick(ADJS), plain_noun(rng)),
        _ => format!("{}_{}", plain_noun(rng), plain_noun(rng)),
    }
}

/// Lowercase snake identifier of one to three words.
pub fn snake(rng: &Rng) -> String {
    match rng.below(10) {
        0..=3 => noun(rng).to_string(),
        4..=7 => format!("{}_{}", rng.pick(ADJS), noun(rng)),
        _ => format!("{}_{}", noun(rng), noun(rng)),
    }
}

/// A function name in snake case (`verb_noun`).
pub fn func_snake(rng: &Rng) -> String {
    if rng.chance(0.7) {
        format!("{}_{}", rng.pick(VERBS), noun(rng))
    } else {
        format!("{}_{}_{}", rng.pick(VERBS), rng.pick(ADJS), noun(rng))
    }
}

/// A type name in PascalCase.
pub fn type_name(rng: &Rng) -> String {
    let suffixes = [
        "",
        "",
        "Service",
        "Manager",
        "Handler",
        "Client",
        "Repository",
        "Config",
        "Controller",
        "Builder",
        "Factory",
        "Provider",
        "Store",
        "Adapter",
        "Dto",
        "Error",
    ];
    let base = if rng.chance(0.5) {
        pascal(rng.pick_str(NOUNS))
    } else {
        format!("{}{}", pascal(rng.pick_str(ADJS)), pascal(rng.pick_str(NOUNS)))
    };
    format!("{base}{}", rng.pick(&suffixes))
}

/// `foo_bar` → `FooBar`.
pub fn pascal(s: &str) -> String {
    s.split(['_', '-', ' ', '.'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// `foo_bar` → `fooBar`.
pub fn camel(s: &str) -> String {
    let p = pascal(s);
    let mut c = p.chars();
    match c.next() {
        Some(f) => f.to_ascii_lowercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// `foo_bar` → `FOO_BAR`.
pub fn upper(s: &str) -> String {
    s.replace(['-', '.'], "_").to_ascii_uppercase()
}

/// `foo_bar` → `foo-bar`.
pub fn kebab(s: &str) -> String {
    s.replace('_', "-")
}

/// A sentence of `n` prose words, capitalised, with a full stop.
pub fn sentence(rng: &Rng, n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        // Security words are rare in prose (calibrated against real docs and comments: Python's
        // stdlib and crates.io sources have ~5-30 `secret`/`password` per MB); nouns come mostly
        // from the plain list.
        let w = if rng.chance(0.0006) {
            rng.pick_str(&[
                "token",
                "password",
                "secret",
                "credentials",
                "auth",
                "tokens",
                "secrets",
            ])
        } else if rng.chance(0.08) {
            plain_noun(rng)
        } else {
            rng.pick(WORDS)
        };
        s.push_str(w);
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str() + ".",
        None => String::new(),
    }
}

/// A short comment phrase (no trailing full stop), like developers write.
pub fn phrase(rng: &Rng) -> String {
    let templates: &[&str] = &[
        "TODO: {v} the {n} before {v2} it",
        "{V} the {n} if it is not {a}",
        "{V} {a} {n} from the {n2}",
        "NOTE: {n} may be {a} here",
        "FIXME: this does not {v} {n} correctly",
        "{V} and {v2} the {n}",
        "Make sure the {n} is {a}",
        "Fall back to the {a} {n}",
        "Keep the {n} in sync with {n2}",
        "See https://{h}/{n}/{n2} for details",
        "We {v} the {n} once per {n2}",
        "{V} {n} (idempotent)",
        "Returns the {a} {n} for this {n2}",
        "HACK: {v} {n} until upstream fixes it",
        "Skip the {n} when the {n2} is {a}",
    ];
    let t = *rng.pick(templates);
    let mut out = String::with_capacity(t.len() + 32);
    let mut rest = t;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('}') else { break };
        let key = &rest[i + 1..i + j];
        let word = match key {
            "v" | "v2" => rng.pick(VERBS).to_string(),
            "V" => pascal(rng.pick_str(VERBS)),
            "n" | "n2" => noun(rng).to_string(),
            "a" => rng.pick(ADJS).to_string(),
            "h" => rng.pick(URL_HOSTS).to_string(),
            _ => String::new(),
        };
        out.push_str(&word);
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out
}

/// A person's full name.
pub fn person(rng: &Rng) -> String {
    format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES))
}

/// An email address.
pub fn email(rng: &Rng) -> String {
    format!(
        "{}.{}@{}",
        rng.pick(FIRST_NAMES).to_ascii_lowercase(),
        rng.pick(LAST_NAMES).to_ascii_lowercase(),
        rng.pick(DOMAINS)
    )
}

/// An ISO date `2019..2025`.
pub fn date(rng: &Rng) -> String {
    format!("{}-{:02}-{:02}", rng.range(2019, 2025), rng.range(1, 12), rng.range(1, 28))
}

/// An ISO timestamp.
pub fn timestamp(rng: &Rng) -> String {
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}Z",
        date(rng),
        rng.below(24),
        rng.below(60),
        rng.below(60),
        rng.below(1000)
    )
}

/// A UUID v4 string.
pub fn uuid(rng: &Rng) -> String {
    let b = rng.bytes(16);
    let h = |r: std::ops::Range<usize>| b[r].iter().map(|x| format!("{x:02x}")).collect::<String>();
    let v = format!("{:x}", (b[6] & 0x0f) | 0x40);
    let var = format!("{:x}", (b[8] & 0x3f) | 0x80);
    format!(
        "{}-{}-{}{}-{}{}-{}",
        h(0..4),
        h(4..6),
        v,
        &h(6..8)[2..],
        var,
        &h(8..10)[2..],
        h(10..16)
    )
}

/// A hex string of `n` bytes.
pub fn hex(rng: &Rng, n: usize) -> String {
    rng.bytes(n).iter().map(|x| format!("{x:02x}")).collect()
}

/// An HTTP API path.
pub fn api_path(rng: &Rng) -> String {
    let n = rng.pick(NOUNS);
    match rng.below(4) {
        0 => format!("/api/v{}/{}s", rng.range(1, 3), n),
        1 => format!("/api/v{}/{}s/{}", rng.range(1, 3), n, rng.range(1, 99999)),
        2 => format!("/{}s/{}/{}", n, rng.range(1, 9999), rng.pick(NOUNS)),
        _ => format!("/internal/{}/{}", n, rng.pick(VERBS)),
    }
}

/// A documentation-ish URL.
pub fn url(rng: &Rng) -> String {
    format!("https://{}/{}/{}", rng.pick(URL_HOSTS), rng.pick(NOUNS), kebab(&snake(rng)))
}
