//! What gets planted (the catalog of positives and decoys) and how a planted item is written
//! in each file format.
//!
//! Design decision: a plant is *semantic* (family, value, the name a developer would give
//! it, and whether it is a literal, a PEM block or a reference to a secret stored
//! elsewhere), and each format renders it the way that format's authors write it: an
//! `os.getenv("X", "…")` fallback in Python, `process.env.X || "…"` in JavaScript, `ENV` in a
//! Dockerfile, a `|` block in YAML, an escaped one-liner in JSON. The same catalog therefore
//! produces many syntactic contexts, and rendering never peeks at any scanner rule.

use super::Fmt;
use super::rng::{ALNUM, B64URL, DIGITS, HEX, Rng, UPPER_NUM as UPPER_NUM_};
use super::tokens as t;
use super::vocab::{self, camel, kebab, pascal, upper};

/// How an item's value appears in source.
#[derive(Clone, Debug)]
pub enum Form {
    /// A string literal holding `value`.
    Lit,
    /// A multi-line PEM block (`value` has real newlines).
    Pem,
    /// A reference to a secret kept elsewhere; rendered per language. `value` is ignored and
    /// the label records the rendered expression.
    Ref(RefKind),
    /// An `Authorization` header value: `scheme value`.
    Header(&'static str),
    /// A vendor-named header (`X-Amplitude-Key: value`); the string is the header name.
    KeyHeader(String),
    /// A command line carrying `value` (a password on `curl -u`, `mysql -p`, …); the string is
    /// the whole command, rendered as a script line, a Dockerfile `RUN`, a CI `script:` step,
    /// a subprocess call or a notebook `!` line.
    Cmd(String),
    /// A line of prose (a comment, a doc sentence); the label records `value`, a part of it.
    Note(String),
}

/// Kinds of secret references (hard negatives that look like assignments of secrets).
#[derive(Clone, Copy, Debug)]
pub enum RefKind {
    /// Environment lookup.
    Env,
    /// A getter call.
    Call,
    /// The incoming request's `Authorization` header.
    RequestHeader,
    /// A settings / config attribute.
    Settings,
}

/// One labelled value.
#[derive(Clone, Debug)]
pub struct Item {
    /// Family label (`github`, `aws`, `placeholder`…).
    pub family: &'static str,
    /// Positive (a secret) or decoy.
    pub positive: bool,
    /// The value (for `Lit`, `Header`, `Pem`).
    pub value: String,
    /// Snake-case name a developer would give it.
    pub name: String,
    /// How it appears.
    pub form: Form,
}

/// A group of items written together (e.g. an AWS key id and its secret), one per line.
#[derive(Clone, Debug)]
pub struct Plant {
    /// The items, in order.
    pub items: Vec<Item>,
    /// Formats this plant may be written in.
    pub fmts: &'static [Fmt],
}

impl Plant {
    fn one(item: Item, fmts: &'static [Fmt]) -> Plant {
        Plant { items: vec![item], fmts }
    }
}

use Fmt::*;

/// Formats where credentials of any kind are found.
const ANY: &[Fmt] = &[
    Python, JavaScript, TypeScript, Go, Rust, Java, Ruby, Shell, Yaml, Json, Toml, Ini, Env,
    Dockerfile, Terraform, Xml, Markdown, Notebook, Log,
];
/// As `ANY` plus minified bundles (keys that end up in front-end code).
const FRONTEND: &[Fmt] = &[
    Python, JavaScript, TypeScript, Go, Rust, Java, Ruby, Shell, Yaml, Json, Toml, Ini, Env,
    Dockerfile, Terraform, Xml, Markdown, Notebook, Log, MinJs, Html,
];
/// Where multi-line keys live.
const PEM_FMTS: &[Fmt] = &[
    PemFile, PemFile, PemFile, Python, JavaScript, TypeScript, Go, Rust, Java, Ruby, Yaml, Json,
    Toml, Env, Shell, Terraform, Markdown, Notebook,
];
/// Where URLs with credentials live.
const URL_FMTS: &[Fmt] = &[
    Python, JavaScript, TypeScript, Go, Rust, Java, Ruby, Shell, Yaml, Json, Toml, Ini, Env,
    Dockerfile, Terraform, Xml, Markdown, Notebook, Log,
];
/// Config-ish formats for hashes, ids and integrity strings.
const DATA_FMTS: &[Fmt] = &[
    Python, JavaScript, TypeScript, Go, Java, Yaml, Json, Toml, Ini, Env, Dockerfile, Terraform,
    Markdown, Log, Shell,
];
/// Image data lives in web files, docs, notebooks and code.
const IMG_FMTS: &[Fmt] = &[Css, Html, Markdown, Json, JavaScript, TypeScript, Python, MinJs];

fn item(family: &'static str, positive: bool, value: String, name: &str, form: Form) -> Item {
    Item { family, positive, value, name: name.to_string(), form }
}

fn lit(family: &'static str, value: String, names: &[&str], rng: &Rng) -> Item {
    item(family, true, value, rng.pick_str(names), Form::Lit)
}

/// A plant of one literal positive ([`lit`]) in any of `fmts`.
fn one(
    family: &'static str,
    value: String,
    names: &[&str],
    rng: &Rng,
    fmts: &'static [Fmt],
) -> Plant {
    Plant::one(lit(family, value, names, rng), fmts)
}

/// Number of positive kinds of the original catalog (vendor-prefixed tokens, keys, URLs and
/// generic credentials): `0..CORE_POSITIVE_KINDS`. The generator deals them from their own
/// deck, so adding kinds after them leaves those plants unchanged for a given seed.
pub const CORE_POSITIVE_KINDS: usize = 43;
/// Number of positive kinds in [`positive`]: the core ones, then the long-tail families
/// (`context`, `webhook`, `cli-credential`, `connection-string`, `frontend-env`).
pub const POSITIVE_KINDS: usize = CORE_POSITIVE_KINDS + 11;

/// Builds positive kind `k` (`0..POSITIVE_KINDS`).
pub fn positive(rng: &Rng, k: usize) -> Plant {
    if k >= CORE_POSITIVE_KINDS {
        return tail_positive(rng, k - CORE_POSITIVE_KINDS);
    }
    match k {
        0 | 1 => {
            let p = *rng.pick(&["ghp", "ghp", "ghp", "gho", "ghu", "ghs"]);
            let v = t::github_token(rng, p);
            let names = [
                "github_token",
                "gh_token",
                "github_pat",
                "github_access_token",
                "token",
                "git_token",
                "gh_api_token",
                "github_api_key",
            ];
            if rng.chance(0.25) {
                Plant::one(
                    item(
                        "github",
                        true,
                        v,
                        "authorization",
                        Form::Header(if rng.chance(0.5) { "token" } else { "Bearer" }),
                    ),
                    ANY,
                )
            } else {
                one("github", v, &names, rng, ANY)
            }
        }
        2 => one(
            "github",
            t::github_fine_grained(rng),
            &["github_token", "gh_pat", "github_pat", "github_fine_grained_token", "token"],
            rng,
            ANY,
        ),
        3 => one(
            "gitlab",
            format!("glpat-{}", t::gitlab_legacy_body(rng, 20)),
            &[
                "gitlab_token",
                "gitlab_pat",
                "gl_token",
                "private_token",
                "gitlab_api_token",
                "token",
            ],
            rng,
            ANY,
        ),
        4 | 5 => {
            let routing = t::gitlab_routing(&t::gitlab_user_routing(rng));
            let random = rng.bytes(16);
            let v = if k == 4 {
                t::gitlab_routable_v1("glpat-", &random, &routing)
            } else {
                t::gitlab_routable_legacy("glpat-", &random, &routing)
            };
            if rng.chance(0.25) {
                Plant::one(item("gitlab", true, v, "private_token", Form::Header("Bearer")), ANY)
            } else {
                one(
                    "gitlab",
                    v,
                    &[
                        "gitlab_token",
                        "gitlab_pat",
                        "gl_token",
                        "private_token",
                        "gitlab_access_token",
                    ],
                    rng,
                    ANY,
                )
            }
        }
        6 => {
            let kind = rng.below(4);
            let v = match kind {
                0 => format!("glrt-{}", t::gitlab_legacy_body(rng, 20)),
                1 => format!("glrt-t{}_{}", rng.range(1, 3), t::gitlab_legacy_body(rng, 20)),
                2 => {
                    let ty = rng.range(1, 3) as u64;
                    let routing = t::gitlab_routing(&[
                        ('c', 1),
                        ('o', 1),
                        ('t', ty),
                        ('u', rng.range(1000, 9_000_000) as u64),
                    ]);
                    t::gitlab_routable_legacy(&format!("glrt-t{ty}_"), &rng.bytes(16), &routing)
                }
                _ => {
                    let ty = rng.range(1, 3) as u64;
                    let routing = t::gitlab_routing(&[
                        ('c', 1),
                        ('o', 1),
                        ('t', ty),
                        ('g', rng.range(1000, 90_000_000) as u64),
                    ]);
                    t::gitlab_routable_v1("glrt-", &rng.bytes(16), &routing)
                }
            };
            one(
                "gitlab",
                v,
                &[
                    "runner_token",
                    "gitlab_runner_token",
                    "ci_runner_token",
                    "registration_token",
                    "token",
                ],
                rng,
                ANY,
            )
        }
        7 => one(
            "gitlab",
            format!("gldt-{}", t::gitlab_legacy_body(rng, 20)),
            &["deploy_token", "gitlab_deploy_token", "registry_password", "ci_deploy_password"],
            rng,
            ANY,
        ),
        8 => one(
            "gitlab",
            format!("glptt-{}", rng.string(HEX, 40)),
            &["trigger_token", "pipeline_trigger_token", "gitlab_trigger_token"],
            rng,
            ANY,
        ),
        9 | 10 => {
            let id =
                if rng.chance(0.85) { t::aws_key_id(rng, "AKIA") } else { t::aws_key_id_old(rng) };
            let secret = t::aws_secret(rng);
            let mut items = vec![item(
                "aws",
                true,
                id,
                rng.pick_str(&["aws_access_key_id", "access_key_id", "aws_access_key"]),
                Form::Lit,
            )];
            if k == 9 || rng.chance(0.5) {
                items.push(item(
                    "aws",
                    true,
                    secret,
                    rng.pick_str(&["aws_secret_access_key", "secret_access_key", "aws_secret_key"]),
                    Form::Lit,
                ));
            }
            Plant { items, fmts: ANY }
        }
        11 => {
            let id = t::aws_key_id(rng, "ASIA");
            one("aws", id, &["aws_access_key_id", "access_key_id"], rng, ANY)
        }
        12 => one(
            "gcp",
            t::gcp_api_key(rng),
            &[
                "google_api_key",
                "api_key",
                "gcp_api_key",
                "firebase_api_key",
                "maps_api_key",
                "youtube_api_key",
            ],
            rng,
            FRONTEND,
        ),
        13 => one(
            "slack",
            t::slack_bot(rng),
            &["slack_bot_token", "slack_token", "bot_token", "slack_api_token"],
            rng,
            ANY,
        ),
        14 => one(
            "slack",
            t::slack_user(rng),
            &["slack_user_token", "slack_token", "slack_oauth_token"],
            rng,
            ANY,
        ),
        15 => one(
            "slack",
            t::slack_webhook(rng),
            &["slack_webhook_url", "slack_webhook", "webhook_url", "slack_hook"],
            rng,
            URL_FMTS,
        ),
        16 => {
            let v = t::stripe_key(rng, if rng.chance(0.8) { "sk" } else { "rk" }, "live");
            one(
                "stripe",
                v,
                &["stripe_secret_key", "stripe_api_key", "stripe_key", "stripe_sk"],
                rng,
                ANY,
            )
        }
        17 => one(
            "stripe",
            t::stripe_key(rng, "sk", "test"),
            &["stripe_secret_key", "stripe_test_key", "stripe_api_key"],
            rng,
            ANY,
        ),
        18 => one(
            "npm",
            t::npm_token(rng),
            &["npm_token", "npm_auth_token", "node_auth_token", "npm_publish_token"],
            rng,
            ANY,
        ),
        19 => one(
            "pypi",
            t::pypi_token(rng),
            &[
                "pypi_token",
                "pypi_api_token",
                "twine_password",
                "pypi_password",
                "uv_publish_token",
            ],
            rng,
            ANY,
        ),
        20 => one(
            "openai",
            t::openai_key(rng),
            &["openai_api_key", "openai_key", "api_key", "llm_api_key"],
            rng,
            FRONTEND,
        ),
        21 => one(
            "anthropic",
            t::anthropic_key(rng),
            &["anthropic_api_key", "claude_api_key", "api_key"],
            rng,
            FRONTEND,
        ),
        22 => one(
            "huggingface",
            t::huggingface_token(rng),
            &["hf_token", "huggingface_token", "hugging_face_hub_token", "hf_api_key"],
            rng,
            ANY,
        ),
        23 => one(
            "sendgrid",
            t::sendgrid_key(rng),
            &["sendgrid_api_key", "sendgrid_key", "email_api_key", "mail_api_key"],
            rng,
            ANY,
        ),
        24 => {
            let mut items = Vec::new();
            if rng.chance(0.6) {
                items.push(item(
                    "twilio",
                    false,
                    t::twilio_account_sid(rng),
                    "twilio_account_sid",
                    Form::Lit,
                ));
                items.push(item(
                    "twilio",
                    true,
                    rng.string(HEX, 32),
                    "twilio_auth_token",
                    Form::Lit,
                ));
            } else {
                items.push(item(
                    "twilio",
                    true,
                    t::twilio_api_key_sid(rng),
                    "twilio_api_key",
                    Form::Lit,
                ));
                items.push(item(
                    "twilio",
                    true,
                    rng.string(ALNUM, 32),
                    "twilio_api_secret",
                    Form::Lit,
                ));
            }
            Plant { items, fmts: ANY }
        }
        25 => one(
            "shopify",
            t::shopify_token(rng),
            &["shopify_access_token", "shopify_token", "shopify_api_secret", "shop_token"],
            rng,
            ANY,
        ),
        26 => one(
            "digitalocean",
            t::digitalocean_token(rng),
            &["digitalocean_token", "do_token", "do_api_token", "digitalocean_access_token"],
            rng,
            ANY,
        ),
        27 => one(
            "dockerhub",
            t::dockerhub_pat(rng),
            &[
                "docker_password",
                "dockerhub_token",
                "docker_hub_pat",
                "registry_token",
                "docker_token",
            ],
            rng,
            ANY,
        ),
        28 => one(
            "postman",
            t::postman_key(rng),
            &["postman_api_key", "postman_key", "x_api_key"],
            rng,
            ANY,
        ),
        29 => {
            let v = if rng.chance(0.7) {
                t::grafana_sa_token(rng)
            } else {
                t::grafana_cloud_token(rng)
            };
            one(
                "grafana",
                v,
                &[
                    "grafana_token",
                    "grafana_api_key",
                    "grafana_service_account_token",
                    "grafana_auth",
                ],
                rng,
                ANY,
            )
        }
        30 => {
            let mut items = vec![item(
                "datadog",
                true,
                rng.string(HEX, 32),
                rng.pick_str(&["dd_api_key", "datadog_api_key"]),
                Form::Lit,
            )];
            if rng.chance(0.5) {
                items.push(item(
                    "datadog",
                    true,
                    rng.string(HEX, 40),
                    rng.pick_str(&["dd_app_key", "datadog_app_key", "dd_application_key"]),
                    Form::Lit,
                ));
            }
            Plant { items, fmts: ANY }
        }
        31 => one(
            "discord",
            t::discord_webhook(rng),
            &["discord_webhook_url", "discord_webhook", "webhook_url", "alert_webhook"],
            rng,
            URL_FMTS,
        ),
        32 => one(
            "telegram",
            t::telegram_bot_token(rng),
            &["telegram_bot_token", "telegram_token", "tg_bot_token", "bot_token"],
            rng,
            ANY,
        ),
        33 => {
            let v = t::jwt(rng);
            if rng.chance(0.5) {
                Plant::one(item("jwt", true, v, "authorization", Form::Header("Bearer")), FRONTEND)
            } else {
                one(
                    "jwt",
                    v,
                    &[
                        "access_token",
                        "jwt",
                        "auth_token",
                        "id_token",
                        "session_token",
                        "bearer_token",
                        "service_token",
                    ],
                    rng,
                    FRONTEND,
                )
            }
        }
        34 | 35 => Plant::one(
            item(
                "private-key",
                true,
                t::private_key_pem(rng),
                rng.pick_str(&[
                    "private_key",
                    "ssh_private_key",
                    "signing_key",
                    "tls_key",
                    "rsa_private_key",
                    "deploy_key",
                    "jwt_private_key",
                ]),
                Form::Pem,
            ),
            PEM_FMTS,
        ),
        36 => one(
            "db-url",
            db_url(rng, true),
            &[
                "database_url",
                "db_url",
                "sqlalchemy_database_uri",
                "postgres_url",
                "mongo_uri",
                "redis_url",
                "connection_string",
                "dsn",
            ],
            rng,
            URL_FMTS,
        ),
        37 => one(
            "db-url",
            db_url(rng, true),
            &[
                "database_url",
                "db_uri",
                "mongodb_uri",
                "broker_url",
                "celery_broker_url",
                "cache_url",
            ],
            rng,
            URL_FMTS,
        ),
        38 | 39 => {
            let v = if rng.chance(0.3) { t::human_password(rng) } else { t::random_password(rng) };
            one(
                "generic-password",
                v,
                &[
                    "password",
                    "db_password",
                    "admin_password",
                    "smtp_password",
                    "mysql_root_password",
                    "postgres_password",
                    "redis_password",
                    "rabbitmq_password",
                    "ldap_bind_password",
                    "keystore_password",
                    "passwd",
                    "db_pass",
                    "mail_password",
                ],
                rng,
                ANY,
            )
        }
        40 => one(
            "generic-secret",
            t::app_secret(rng),
            &[
                "secret_key",
                "jwt_secret",
                "client_secret",
                "app_secret",
                "session_secret",
                "webhook_secret",
                "signing_secret",
                "encryption_key",
                "api_secret",
                "secret_key_base",
                "cookie_secret",
            ],
            rng,
            ANY,
        ),
        42 => {
            // Base64-encoded credentials: Kubernetes `Secret` `data:` values and Docker
            // `config.json` `auth` entries.
            if rng.chance(0.3) {
                let user = rng.pick(vocab::FIRST_NAMES).to_ascii_lowercase();
                let tok = if rng.chance(0.5) {
                    t::dockerhub_pat(rng)
                } else {
                    t::github_token(rng, "ghp")
                };
                Plant::one(
                    item(
                        "base64-encoded",
                        true,
                        t::b64_str(&format!("{user}:{tok}")),
                        "auth",
                        Form::Lit,
                    ),
                    &[Json],
                )
            } else {
                let (tok, name) = match rng.below(5) {
                    0 => (t::github_token(rng, "ghp"), "github_token"),
                    1 => (format!("glpat-{}", t::gitlab_legacy_body(rng, 20)), "gitlab_token"),
                    2 => (t::slack_bot(rng), "slack_bot_token"),
                    3 => (t::npm_token(rng), "npm_token"),
                    _ => (t::stripe_key(rng, "sk", "live"), "stripe_secret_key"),
                };
                Plant::one(item("base64-encoded", true, t::b64_str(&tok), name, Form::Lit), &[Yaml])
            }
        }
        _ => {
            if rng.chance(0.5) {
                let (conn, _key) = t::azure_storage(rng);
                one(
                    "azure",
                    conn,
                    &[
                        "azure_storage_connection_string",
                        "storage_connection_string",
                        "azure_storage_connection",
                        "blob_connection_string",
                    ],
                    rng,
                    ANY,
                )
            } else {
                one(
                    "generic-api-key",
                    t::generic_api_key(rng),
                    &[
                        "api_key",
                        "weather_api_key",
                        "mailgun_api_key",
                        "maps_api_key",
                        "x_api_key",
                        "partner_api_key",
                        "apikey",
                        "service_api_key",
                    ],
                    rng,
                    ANY,
                )
            }
        }
    }
}

/// A database URL; with `secret`, a real-looking password.
pub fn db_url(rng: &Rng, secret: bool) -> String {
    let user = rng.pick(&[
        "app",
        "admin",
        "postgres",
        "root",
        "svc_billing",
        "api",
        "etl",
        "readonly",
        "django",
        "web",
    ]);
    let pass = if secret {
        rng.string(ALNUM, rng.range(14, 28))
    } else {
        rng.pick(&[
            "password",
            "postgres",
            "pass",
            "changeme",
            "secret",
            "${DB_PASSWORD}",
            "<password>",
            "example",
        ])
        .to_string()
    };
    let host = if secret {
        match rng.below(4) {
            0 => format!("{}-db.{}", rng.pick(vocab::BRANDS), rng.pick(vocab::DOMAINS)),
            1 => format!(
                "{}.c{}.us-east-1.rds.amazonaws.com",
                rng.pick(vocab::NOUNS),
                rng.string(b"abcdefghijklmnopqrstuvwxyz0123456789", 12)
            ),
            2 => format!("10.{}.{}.{}", rng.below(255), rng.below(255), rng.range(1, 254)),
            _ => format!("db-{}.internal", rng.pick(vocab::NOUNS)),
        }
    } else {
        rng.pick(&["localhost", "127.0.0.1", "db", "postgres", "host"]).to_string()
    };
    let db = rng.pick(vocab::NOUNS);
    match rng.below(6) {
        0 | 1 => format!(
            "postgres{}://{user}:{pass}@{host}:5432/{db}",
            if rng.chance(0.5) { "ql" } else { "" }
        ),
        2 => format!("mysql://{user}:{pass}@{host}:3306/{db}"),
        3 => format!(
            "mongodb+srv://{user}:{pass}@cluster0.{}.mongodb.net/{db}?retryWrites=true&w=majority",
            rng.string(b"abcdefghijklmnopqrstuvwxyz0123456789", 5)
        ),
        4 => format!("redis://:{pass}@{host}:6379/0"),
        _ => format!("amqp://{user}:{pass}@{host}:5672/%2F"),
    }
}

/// Number of decoy kinds of the original catalog (dealt from their own deck, see
/// [`CORE_POSITIVE_KINDS`]).
pub const CORE_DECOY_KINDS: usize = 26;
/// Number of decoy kinds in [`decoy`]: the core ones, then decoys for the long-tail families.
pub const DECOY_KINDS: usize = CORE_DECOY_KINDS + 6;

/// Builds decoy kind `k` (`0..DECOY_KINDS`).
pub fn decoy(rng: &Rng, k: usize) -> Plant {
    if k >= CORE_DECOY_KINDS {
        return tail_decoy(rng, k - CORE_DECOY_KINDS);
    }
    let secret_names = [
        "password",
        "api_key",
        "token",
        "secret",
        "github_token",
        "access_token",
        "db_password",
        "auth_token",
        "client_secret",
        "secret_key",
        "aws_secret_access_key",
        "stripe_api_key",
        "slack_token",
        "gitlab_token",
        "openai_api_key",
        "private_token",
    ];
    match k {
        0 => Plant::one(
            item("aws", false, "AKIAIOSFODNN7EXAMPLE".into(), "aws_access_key_id", Form::Lit),
            ANY,
        ),
        1 => Plant {
            items: vec![
                item("aws", false, "AKIAIOSFODNN7EXAMPLE".into(), "aws_access_key_id", Form::Lit),
                item(
                    "aws",
                    false,
                    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
                    "aws_secret_access_key",
                    Form::Lit,
                ),
            ],
            fmts: ANY,
        },
        2 => {
            let (fam, v) = *rng.pick(&t::DOC_EXAMPLES[2..]);
            let name = match fam {
                "github" => "github_token",
                "stripe" => "stripe_secret_key",
                "slack" => "slack_webhook_url",
                _ => "token",
            };
            Plant::one(item(fam, false, v.to_string(), name, Form::Lit), ANY)
        }
        3 | 4 => {
            // Wrong checksum: a corrupted copy of a valid token.
            let (fam, v, name) = match rng.below(4) {
                0 | 1 => {
                    let p = *rng.pick(&["ghp", "gho", "ghs"]);
                    let tok = t::github_token(rng, p);
                    let bad = if rng.chance(0.5) {
                        t::corrupt_last(rng, &tok, super::rng::B62)
                    } else {
                        t::corrupt_payload(rng, &tok, 4, 34)
                    };
                    ("github", bad, "github_token")
                }
                2 => {
                    let tok = t::npm_token(rng);
                    ("npm", t::corrupt_last(rng, &tok, super::rng::B62), "npm_token")
                }
                _ => {
                    let routing = t::gitlab_routing(&t::gitlab_user_routing(rng));
                    let tok = if rng.chance(0.5) {
                        t::gitlab_routable_v1("glpat-", &rng.bytes(16), &routing)
                    } else {
                        t::gitlab_routable_legacy("glpat-", &rng.bytes(16), &routing)
                    };
                    ("gitlab", t::corrupt_base36_tail(rng, &tok), "gitlab_token")
                }
            };
            Plant::one(item(fam, false, v, name, Form::Lit), ANY)
        }
        5 => {
            // Vendor-prefixed placeholders.
            let (fam, v, name) = *rng.pick(&[
                ("github", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "github_token"),
                ("github", "ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "gh_token"),
                ("gitlab", "glpat-xxxxxxxxxxxxxxxxxxxx", "gitlab_token"),
                ("gitlab", "glpat-XXXXXXXXXXXXXXXXXXXX", "private_token"),
                ("aws", "AKIAXXXXXXXXXXXXXXXX", "aws_access_key_id"),
                ("stripe", "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx", "stripe_secret_key"),
                ("openai", "sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "openai_api_key"),
                (
                    "slack",
                    "xoxb-xxxxxxxxxxxx-xxxxxxxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx",
                    "slack_bot_token",
                ),
                ("npm", "npm_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "npm_token"),
                ("huggingface", "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "hf_token"),
            ]);
            Plant::one(item(fam, false, v.to_string(), name, Form::Lit), ANY)
        }
        6..=8 => {
            let v = rng.pick(t::PLACEHOLDERS).to_string();
            Plant::one(item("placeholder", false, v, rng.pick_str(&secret_names), Form::Lit), ANY)
        }
        9..=11 => {
            let kind = *rng.pick(&[
                RefKind::Env,
                RefKind::Env,
                RefKind::Call,
                RefKind::RequestHeader,
                RefKind::Settings,
            ]);
            let name = if matches!(kind, RefKind::RequestHeader) {
                rng.pick(&["token", "auth_token", "access_token", "bearer"])
            } else {
                rng.pick(&secret_names)
            };
            Plant::one(
                item("reference", false, String::new(), name, Form::Ref(kind)),
                &[
                    Python, JavaScript, TypeScript, Go, Java, Ruby, Yaml, Json, Toml, Env, Shell,
                    Dockerfile, Terraform,
                ],
            )
        }
        12 | 13 => {
            let (v, name) = match rng.below(10) {
                0 | 6 | 7 => (
                    vocab::hex(rng, 32),
                    *rng.pick(&["sha256", "checksum", "content_hash", "file_hash", "sha256sum"]),
                ),
                1 | 9 => (
                    vocab::hex(rng, 20),
                    *rng.pick(&["commit", "git_sha", "revision", "commit_sha", "head_sha"]),
                ),
                2 => (vocab::hex(rng, 16), *rng.pick(&["etag", "md5", "content_md5", "cache_key"])),
                3 | 8 => (
                    format!("sha256:{}", vocab::hex(rng, 32)),
                    *rng.pick(&["image_digest", "digest", "layer_digest"]),
                ),
                4 => (
                    vocab::hex(rng, 20),
                    *rng.pick(&["token_hash", "password_hash_sha1", "key_fingerprint"]),
                ),
                _ => (
                    vocab::hex(rng, 32),
                    *rng.pick(&["secret_hash", "api_key_sha256", "hashed_token"]),
                ),
            };
            Plant::one(item("hash", false, v, name, Form::Lit), DATA_FMTS)
        }
        14 => {
            let name = *rng.pick(&[
                "id",
                "request_id",
                "tenant_id",
                "trace_id",
                "correlation_id",
                "client_id",
                "subscription_id",
                "user_id",
                "idempotency_key",
                "session_id",
                "app_id",
            ]);
            Plant::one(item("uuid", false, vocab::uuid(rng), name, Form::Lit), DATA_FMTS)
        }
        15 => Plant::one(
            item("integrity", false, t::integrity(rng), "integrity", Form::Lit),
            &[Json, Yaml, Markdown, Html],
        ),
        16 => Plant::one(
            item(
                "public-key",
                false,
                t::public_key_pem(rng),
                rng.pick_str(&[
                    "public_key",
                    "jwt_public_key",
                    "verification_key",
                    "signing_public_key",
                ]),
                Form::Pem,
            ),
            PEM_FMTS,
        ),
        17 => Plant::one(
            item(
                "public-key",
                false,
                t::ssh_public_key(rng),
                rng.pick_str(&["ssh_public_key", "authorized_key", "deploy_public_key"]),
                Form::Lit,
            ),
            &[Yaml, Json, Toml, Terraform, Markdown, Shell, Python, Env],
        ),
        18 => Plant::one(
            item(
                "certificate",
                false,
                t::certificate_pem(rng),
                rng.pick_str(&[
                    "certificate",
                    "ca_cert",
                    "tls_cert",
                    "client_certificate",
                    "root_ca",
                ]),
                Form::Pem,
            ),
            PEM_FMTS,
        ),
        19 => Plant::one(
            item(
                "image-data",
                false,
                t::image_data_uri(rng),
                rng.pick_str(&[
                    "logo",
                    "icon",
                    "placeholder_image",
                    "avatar_fallback",
                    "thumbnail",
                ]),
                Form::Lit,
            ),
            IMG_FMTS,
        ),
        20 => Plant::one(
            item(
                "db-url",
                false,
                db_url(rng, false),
                rng.pick_str(&["database_url", "db_url", "redis_url", "mongo_uri"]),
                Form::Lit,
            ),
            URL_FMTS,
        ),
        21 => {
            // Publishable / client-side identifiers that are not secrets.
            let (fam, v, name) = match rng.below(3) {
                0 => (
                    "stripe",
                    format!("pk_live_51{}", rng.string(ALNUM, 97)),
                    "stripe_publishable_key",
                ),
                1 => (
                    "stripe",
                    format!("pk_test_51{}", rng.string(ALNUM, 97)),
                    "stripe_publishable_key",
                ),
                _ => (
                    "gcp",
                    format!(
                        "{}-{}.apps.googleusercontent.com",
                        rng.range(100_000_000_000, 999_999_999_999),
                        rng.string(b"abcdefghijklmnopqrstuvwxyz0123456789", 32)
                    ),
                    "google_client_id",
                ),
            };
            Plant::one(item(fam, false, v, name, Form::Lit), FRONTEND)
        }
        22 => Plant::one(
            item(
                "jwt",
                false,
                t::DOC_EXAMPLES[5].1.to_string(),
                rng.pick_str(&["token", "example_jwt", "access_token"]),
                Form::Lit,
            ),
            ANY,
        ),
        23 => {
            // Twilio account SID alone (an identifier).
            Plant::one(
                item("twilio", false, t::twilio_account_sid(rng), "twilio_account_sid", Form::Lit),
                ANY,
            )
        }
        24 => {
            // Non-secret values under secret-sounding names.
            let (v, name) = match rng.below(5) {
                0 => (
                    rng.range(8, 64).to_string(),
                    *rng.pick(&[
                        "password_min_length",
                        "token_ttl",
                        "secret_rotation_days",
                        "max_password_age",
                    ]),
                ),
                1 => (
                    "Authorization".to_string(),
                    *rng.pick(&["auth_header", "token_header_name", "api_key_header"]),
                ),
                2 => (
                    format!("/v1/{}/token", rng.pick(vocab::NOUNS)),
                    *rng.pick(&["token_url", "token_endpoint", "auth_path"]),
                ),
                3 => (
                    rng.pick(&["HS256", "RS256", "bcrypt", "argon2id", "sha256"]).to_string(),
                    *rng.pick(&["password_hasher", "jwt_algorithm", "token_algorithm"]),
                ),
                _ => (
                    rng.pick(&["access_token", "refresh_token", "id_token", "api_key"]).to_string(),
                    *rng.pick(&["token_type", "grant_type", "auth_scheme", "key_name"]),
                ),
            };
            Plant::one(item("placeholder", false, v, name, Form::Lit), ANY)
        }
        _ => {
            // A secret-manager reference: names the secret, holds none.
            let v = match rng.below(3) {
                0 => format!(
                    "arn:aws:secretsmanager:us-east-1:{}:secret:{}-{}",
                    rng.range(100_000_000_000, 999_999_999_999),
                    rng.pick(vocab::NOUNS),
                    rng.string(ALNUM, 6)
                ),
                1 => format!(
                    "projects/{}/secrets/{}/versions/latest",
                    rng.pick(vocab::BRANDS),
                    rng.pick(&secret_names)
                ),
                _ => format!(
                    "vault:secret/data/{}/{}#{}",
                    rng.pick(vocab::BRANDS),
                    rng.pick(vocab::NOUNS),
                    rng.pick(&secret_names)
                ),
            };
            Plant::one(item("reference", false, v, rng.pick_str(&secret_names), Form::Lit), ANY)
        }
    }
}

// ---------------------------------------------------------------------------------------
// Long-tail families: provider keys by name, webhooks, command lines, connection strings,
// front-end build variables
// ---------------------------------------------------------------------------------------

/// Formats where a provider key sits under its name.
const CONTEXT_FMTS: &[Fmt] = &[
    Python, JavaScript, TypeScript, Go, Rust, Java, Ruby, Shell, Yaml, Json, Toml, Ini, Env,
    Dockerfile, Terraform, Xml, Markdown, Notebook, Log,
];
/// Formats where a vendor-named header is set.
const HEADER_FMTS: &[Fmt] =
    &[Python, JavaScript, TypeScript, Go, Java, Ruby, Shell, Markdown, Yaml, Json, Notebook];
/// Formats holding command lines: scripts, Dockerfiles, CI steps, docs, code that shells out.
const CMD_FMTS: &[Fmt] = &[
    Shell, Shell, Dockerfile, Yaml, Yaml, Markdown, Python, JavaScript, Go, Ruby, Json, Notebook,
    Log, Terraform,
];
/// Where front-end build variables are set.
const FRONTEND_ENV_FMTS: &[Fmt] =
    &[Env, Env, Env, Env, Dockerfile, Yaml, Shell, Json, JavaScript, TypeScript, Markdown];
/// Where prose about a provider appears.
const NOTE_FMTS: &[Fmt] = &[
    Python, JavaScript, TypeScript, Go, Java, Ruby, Shell, Yaml, Toml, Env, Dockerfile, Terraform,
    Markdown, Ini,
];

/// A provider identifier: one of its spellings and a credential noun
/// (`openweathermap_api_key`, `owm_key`, `ipstack_access_key`, `bitly_access_token`).
fn provider_name(rng: &Rng, p: &t::TailProvider) -> String {
    let w = rng.pick_str(p.words);
    let cred = match rng.below(20) {
        0..=7 => p.cred,
        8..=11 => "api_key",
        12 | 13 => "key",
        14 | 15 => "token",
        16 => "secret",
        17 => "api_token",
        _ => "access_key",
    };
    format!("{w}_{cred}")
}

fn tail_positive(rng: &Rng, k: usize) -> Plant {
    match k {
        0..=2 => {
            let p = rng.pick(t::TAIL_PROVIDERS);
            let v = t::tail_key(rng, p);
            if rng.chance(0.12) {
                let h = format!(
                    "X-{}-{}",
                    p.display,
                    rng.pick_str(&["Key", "Api-Key", "API-Key", "Token"])
                );
                Plant::one(
                    item("context", true, v, &provider_name(rng, p), Form::KeyHeader(h)),
                    HEADER_FMTS,
                )
            } else {
                Plant::one(
                    item("context", true, v, &provider_name(rng, p), Form::Lit),
                    CONTEXT_FMTS,
                )
            }
        }
        3 | 4 => {
            let (v, names): (String, &[&str]) = match rng.below(3) {
                0 => (
                    t::teams_webhook(rng),
                    &[
                        "teams_webhook_url",
                        "teams_webhook",
                        "msteams_webhook_url",
                        "webhook_url",
                        "alerts_webhook_url",
                    ][..],
                ),
                1 => (
                    t::google_chat_webhook(rng),
                    &[
                        "google_chat_webhook_url",
                        "gchat_webhook",
                        "chat_webhook_url",
                        "webhook_url",
                        "notify_webhook",
                    ][..],
                ),
                _ => (
                    t::zapier_webhook(rng),
                    &[
                        "zapier_webhook_url",
                        "zapier_hook_url",
                        "zap_webhook",
                        "webhook_url",
                        "signup_webhook_url",
                    ][..],
                ),
            };
            one("webhook", v, names, rng, URL_FMTS)
        }
        5 | 6 => {
            let pass = t::cli_password(rng);
            let (cmd, name) = credential_command(rng, &pass);
            Plant::one(item("cli-credential", true, pass, name, Form::Cmd(cmd)), CMD_FMTS)
        }
        7 | 8 => {
            let (conn, name) = connection_string(rng, true);
            Plant::one(item("connection-string", true, conn, &name, Form::Lit), URL_FMTS)
        }
        _ => {
            let prefix = *rng.pick(&["REACT_APP_", "VITE_", "NEXT_PUBLIC_", "VUE_APP_", "GATSBY_"]);
            let what = rng.pick_str(&[
                "ADMIN",
                "AUTH",
                "CMS",
                "PAYMENT",
                "SEARCH_ADMIN",
                "FIREBASE_ADMIN",
                "BACKEND",
                "SUPABASE_SERVICE",
                "OPENAI",
                "INTERNAL_API",
                "JWT",
                "ENCRYPTION",
                "SESSION",
                "MAILER",
                "STORAGE",
                "HASURA_ADMIN",
            ]);
            let suffix = rng.pick_str(&[
                "SECRET",
                "API_SECRET",
                "SECRET_KEY",
                "PRIVATE_KEY",
                "CLIENT_SECRET",
                "ADMIN_TOKEN",
                "ACCESS_TOKEN",
                "SIGNING_KEY",
                "PASSWORD",
            ]);
            let v = match rng.below(5) {
                0 => rng.string(HEX, 32),
                1 => rng.string(HEX, 64),
                2 => t::b64(rng, 32),
                3 => rng.string(ALNUM, rng.range(32, 48)),
                _ => t::random_password(rng),
            };
            let name = format!("{prefix}{what}_{suffix}");
            Plant::one(item("frontend-env", true, v, &name, Form::Lit), FRONTEND_ENV_FMTS)
        }
    }
}

fn user(rng: &Rng) -> String {
    match rng.below(4) {
        0 => rng
            .pick_str(&["admin", "root", "deploy", "ci", "jenkins", "backup", "svc_etl"])
            .to_string(),
        1 => rng.pick(vocab::FIRST_NAMES).to_ascii_lowercase(),
        2 => format!("{}-bot", rng.pick(vocab::BRANDS)),
        _ => format!("svc_{}", rng.pick(vocab::NOUNS)),
    }
}

fn server(rng: &Rng) -> String {
    match rng.below(4) {
        0 => format!(
            "{}.{}",
            rng.pick(&["db", "api", "build", "jump", "backup", "nexus", "ci"]),
            rng.pick(&["internal.acme.io", "corp.globex.net", "prod.umbrella.cloud", "hooli.dev"])
        ),
        1 => format!("10.{}.{}.{}", rng.below(255), rng.below(255), rng.range(1, 254)),
        2 => format!(
            "{}-{:02}.{}.lan",
            rng.pick(vocab::NOUNS),
            rng.range(1, 20),
            rng.pick(vocab::BRANDS)
        ),
        _ => format!(
            "{}.{}.io",
            rng.pick(&["registry", "artifacts", "git", "jenkins"]),
            rng.pick(vocab::BRANDS)
        ),
    }
}

/// Quotes `v` for a shell word when needed.
fn shq(rng: &Rng, v: &str) -> String {
    if v.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:@+=,".contains(c)) && rng.chance(0.6) {
        v.to_string()
    } else if v.contains(['$', '!', '`']) || rng.chance(0.5) {
        format!("'{v}'")
    } else {
        format!("\"{v}\"")
    }
}

/// A command line with `pass` on it, and a name for the step (JSON scripts, TOML tasks).
pub fn credential_command(rng: &Rng, pass: &str) -> (String, &'static str) {
    let u = user(rng);
    let h = server(rng);
    let noun = rng.pick(vocab::NOUNS);
    match rng.below(13) {
        0 | 1 => {
            let flag = if rng.chance(0.7) { "-u" } else { "--user" };
            let cred = shq(rng, &format!("{u}:{pass}"));
            let extra = rng.pick_str(&["-fsSL", "-s", "-X POST", "-sf -X PUT", "-k"]);
            (format!("curl {extra} {flag} {cred} https://{h}{}", vocab::api_path(rng)), "upload")
        }
        2 | 3 => {
            let db = noun;
            let p = match rng.below(3) {
                0 => format!("-p{}", shq(rng, pass)),
                1 => format!("--password={}", shq(rng, pass)),
                _ if pass.chars().all(|c| c.is_ascii_alphanumeric()) => format!("-p{pass}"),
                _ => format!("-p'{pass}'"),
            };
            let tool = *rng.pick(&["mysql", "mysql", "mysqldump", "mysqladmin"]);
            let tail = match tool {
                "mysqldump" => format!("{db} > /backups/{db}.sql"),
                "mysqladmin" => "status".to_string(),
                _ => format!("{db} < schema.sql"),
            };
            (format!("{tool} -h {h} -u {u} {p} {tail}"), "db_restore")
        }
        4 | 5 => {
            let target = if rng.chance(0.6) {
                format!("ssh -o StrictHostKeyChecking=no {u}@{h} 'sudo systemctl restart {noun}'")
            } else {
                format!("scp -o StrictHostKeyChecking=no dist/{noun}.tar.gz {u}@{h}:/opt/{noun}/")
            };
            (format!("sshpass -p {} {target}", shq(rng, pass)), "deploy")
        }
        6 | 7 => {
            let reg = rng.pick_str(&["", "ghcr.io", "registry.gitlab.com", "docker.io", "quay.io"]);
            let reg = if reg.is_empty() {
                format!("registry.{}.io", rng.pick(vocab::BRANDS))
            } else {
                reg.to_string()
            };
            let cmd = if rng.chance(0.7) {
                format!("docker login -u {u} -p {} {reg}", shq(rng, pass))
            } else {
                format!("docker login --username {u} --password {} {reg}", shq(rng, pass))
            };
            (cmd, "login")
        }
        8 => (format!("redis-cli -h {h} -p 6379 -a {} FLUSHALL", shq(rng, pass)), "cache_flush"),
        9 => (
            format!(
                "PGPASSWORD={} psql -h {h} -U {u} -d {noun} -f migrations/{}.sql",
                shq(rng, pass),
                rng.range(1, 60)
            ),
            "migrate",
        ),
        10 => (
            format!(
                "wget --user={u} --password={} https://{h}/artifacts/{noun}.tar.gz",
                shq(rng, pass)
            ),
            "fetch_artifacts",
        ),
        11 => (
            format!(
                "mongosh \"mongodb://{h}:27017/{noun}\" --username {u} --password {} --authenticationDatabase admin",
                shq(rng, pass)
            ),
            "mongo_shell",
        ),
        _ => (
            format!(
                "helm repo add {noun} https://charts.{}.io --username {u} --password {}",
                rng.pick(vocab::BRANDS),
                shq(rng, pass)
            ),
            "helm_repo",
        ),
    }
}

/// A database connection string in one of the forms drivers and frameworks use; with
/// `secret`, a real password, else a placeholder or none. Returns the string and a name for it.
pub fn connection_string(rng: &Rng, secret: bool) -> (String, String) {
    let pass = if secret {
        t::conn_password(rng)
    } else {
        rng.pick_str(&[
            "${DB_PASSWORD}",
            "<password>",
            "{your_password}",
            "%DB_PASSWORD%",
            "$(DB_PASSWORD)",
            "${SQL_PASSWORD}",
            "<your-password>",
            "{{ db_password }}",
            "$DB_PASS",
            "****",
        ])
        .to_string()
    };
    let u = rng.pick_str(&[
        "app",
        "svc_api",
        "sa_billing",
        "etl",
        "reporting",
        "webapp",
        "admin",
        "orders_rw",
    ]);
    let db = rng.pick(vocab::NOUNS);
    let rds = || {
        format!(
            "{}-{}.c{}.{}.rds.amazonaws.com",
            rng.pick(vocab::NOUNS),
            rng.pick(&["prod", "db", "primary"]),
            rng.string(b"abcdefghijklmnopqrstuvwxyz0123456789", 12),
            rng.pick(&["us-east-1", "eu-west-1", "us-west-2"])
        )
    };
    let host = if secret {
        match rng.below(4) {
            0 => rds(),
            1 => format!("10.{}.{}.{}", rng.below(255), rng.below(255), rng.range(1, 254)),
            2 => format!("{}-db-{:02}.internal", rng.pick(vocab::NOUNS), rng.range(1, 9)),
            _ => format!("pg-{}.{}.io", rng.pick(vocab::NOUNS), rng.pick(vocab::BRANDS)),
        }
    } else {
        rng.pick_str(&["localhost", "db", "127.0.0.1", "your-server", "<host>"]).to_string()
    };
    let azure = format!(
        "{}-sql-{}.database.windows.net",
        rng.pick(vocab::BRANDS),
        rng.pick(&["prod", "eu", "main"])
    );
    let (conn, names): (String, &[&str]) = match rng.below(9) {
        0 => (
            format!(
                "mongodb+srv://{u}:{pass}@{}.{}.mongodb.net/{db}?retryWrites=true&w=majority&appName={}",
                rng.pick(&["cluster0", "prod-cluster", "main"]),
                rng.string(b"abcdefghijklmnopqrstuvwxyz0123456789", 5),
                rng.pick(vocab::BRANDS)
            ),
            &["mongodb_uri", "mongo_url", "MONGODB_URI", "database_url", "mongo_connection_string"]
                [..],
        ),
        1 => (
            format!(
                "mongodb://{u}:{pass}@{h}-0:27017,{h}-1:27017,{h}-2:27017/{db}?replicaSet=rs0&authSource=admin",
                h = if secret {
                    format!("mongo-{}", rng.pick(vocab::NOUNS))
                } else {
                    "localhost".into()
                }
            ),
            &["mongodb_uri", "mongo_uri", "MONGO_URL"][..],
        ),
        2 => (
            format!(
                "jdbc:{}://{host}:{}/{db}?user={u}&password={pass}{}",
                if rng.chance(0.6) { "postgresql" } else { "mysql" },
                if rng.chance(0.6) { 5432 } else { 3306 },
                rng.pick(&[
                    "",
                    "&ssl=true",
                    "&sslmode=require",
                    "&useSSL=false&serverTimezone=UTC"
                ])
            ),
            &["jdbc_url", "spring_datasource_url", "datasource_url", "JDBC_DATABASE_URL", "db_url"]
                [..],
        ),
        3 => (
            format!(
                "jdbc:sqlserver://{}:1433;databaseName={db};user={u};password={pass};encrypt=true;trustServerCertificate=false;loginTimeout=30;",
                if secret { azure.clone() } else { host.clone() }
            ),
            &["jdbc_url", "spring_datasource_url", "sqlserver_url", "datasource_url"][..],
        ),
        4 => (
            if rng.chance(0.5) {
                format!(
                    "Server=tcp:{},1433;Initial Catalog={db};Persist Security Info=False;User ID={u};Password={pass};MultipleActiveResultSets=False;Encrypt=True;TrustServerCertificate=False;Connection Timeout=30;",
                    if secret { azure.clone() } else { host.clone() }
                )
            } else {
                format!("Server={host};Database={db};User Id={u};Password={pass};")
            },
            &[
                "ConnectionStrings__DefaultConnection",
                "connection_string",
                "sql_connection_string",
                "ConnectionStrings__Database",
                "db_connection",
            ][..],
        ),
        5 => (
            if rng.chance(0.5) {
                format!(
                    "Host={host};Port=5432;Database={db};Username={u};Password={pass};SSL Mode=Require"
                )
            } else {
                format!("Server={host};Port=3306;Database={db};Uid={u};Pwd={pass};")
            },
            &["ConnectionStrings__Default", "connection_string", "db_connection_string"][..],
        ),
        6 => (
            format!(
                "host={host} port=5432 user={u} password={pass} dbname={db} sslmode={}",
                rng.pick(&["require", "verify-full", "disable"])
            ),
            &["database_dsn", "pg_dsn", "postgres_dsn", "dsn", "DATABASE_DSN"][..],
        ),
        7 => (
            if rng.chance(0.6) {
                format!(
                    "rediss://{}:{pass}@{}:6380/0",
                    if rng.chance(0.5) { "default" } else { "" },
                    if secret {
                        format!("{}.redis.cache.windows.net", rng.pick(vocab::BRANDS))
                    } else {
                        host.clone()
                    }
                )
            } else {
                format!(
                    "{}.redis.cache.windows.net:6380,password={pass},ssl=True,abortConnect=False",
                    rng.pick(vocab::BRANDS)
                )
            },
            &["redis_url", "REDIS_TLS_URL", "cache_connection", "redis_connection_string"][..],
        ),
        _ => (
            if rng.chance(0.5) {
                format!(
                    "amqps://{u}:{pass}@b-{}.mq.{}.amazonaws.com:5671/{db}",
                    vocab::uuid(rng),
                    rng.pick(&["us-east-1", "eu-west-1"])
                )
            } else {
                format!(
                    "amqps://{u}:{pass}@{}.rmq{}.cloudamqp.com/{u}",
                    rng.pick(&["rat", "cow", "goose", "kangaroo"]),
                    rng.range(1, 5)
                )
            },
            &["amqp_url", "broker_url", "rabbitmq_url", "CLOUDAMQP_URL", "celery_broker_url"][..],
        ),
    };
    (conn, rng.pick_str(names).to_string())
}

/// Placeholder spellings people leave where a provider key goes.
fn provider_placeholder(rng: &Rng, p: &t::TailProvider) -> String {
    let w = p.words[0];
    let up = upper(w);
    match rng.below(18) {
        0 => format!("your-{}-api-key", kebab(w)),
        1 => format!("YOUR_{up}_API_KEY"),
        2 => "<YOUR_API_KEY>".to_string(),
        3 => format!("<your-{}-key>", kebab(w)),
        4 => "x".repeat(p.len),
        5 => "X".repeat(p.len),
        6 => format!("${{{up}_API_KEY}}"),
        7 => format!("{{{{ {w}_key }}}}"),
        8 => format!("%{up}_API_KEY%"),
        9 => "changeme".to_string(),
        10 => "REPLACE_ME".to_string(),
        11 => format!("{}-api-key-here", kebab(w)),
        12 => "0".repeat(p.len),
        13 => {
            // Sequential documentation-style value of the right length.
            "0123456789abcdef".repeat(8)[..p.len].to_string()
        }
        14 => rng
            .pick_str(&[
                "YourApiKeyToken",
                "YOUR_ACCESS_KEY",
                "demo",
                "{API key}",
                "<api_key>",
                "API_KEY",
            ])
            .to_string(),
        15 => format!("{{{{ .Values.{}.apiKey }}}}", camel(w)),
        16 => format!("$({up}_API_KEY)"),
        _ => "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".to_string(),
    }
}

fn tail_decoy(rng: &Rng, k: usize) -> Plant {
    match k {
        0 => {
            // Placeholders, references and prose under or about a provider's name.
            let p = rng.pick(t::TAIL_PROVIDERS);
            let name = provider_name(rng, p);
            match rng.below(4) {
                0 | 1 => Plant::one(
                    item("context", false, provider_placeholder(rng, p), &name, Form::Lit),
                    CONTEXT_FMTS,
                ),
                2 => {
                    let kind =
                        *rng.pick(&[RefKind::Env, RefKind::Env, RefKind::Call, RefKind::Settings]);
                    Plant::one(
                        item("context", false, String::new(), &name, Form::Ref(kind)),
                        &[
                            Python, JavaScript, TypeScript, Go, Java, Ruby, Yaml, Json, Toml, Env,
                            Shell, Dockerfile, Terraform,
                        ],
                    )
                }
                _ => {
                    let url = match rng.below(3) {
                        0 => format!("https://docs.{}/api-key", p.host.trim_start_matches("docs.")),
                        1 => format!("https://{}/dashboard/api-keys", p.host),
                        _ => format!("https://{}/docs/authentication", p.host),
                    };
                    let text = match rng.below(4) {
                        0 => format!("see {url}"),
                        1 => format!("Get your {} API key at {url}", p.display),
                        2 => format!(
                            "{} key: set {}_{} in the environment ({url})",
                            p.display,
                            upper(p.words[0]),
                            upper(p.cred)
                        ),
                        _ => format!(
                            "Rotate the {} {} from the dashboard: {url}",
                            p.display,
                            p.cred.replace('_', " ")
                        ),
                    };
                    Plant::one(item("context", false, url, &name, Form::Note(text)), NOTE_FMTS)
                }
            }
        }
        1 => {
            // Key-shaped values that are not keys: the same alphabet and length under an
            // unrelated name, and ids, hashes and URLs next to a provider's name.
            let p = rng.pick(t::TAIL_PROVIDERS);
            let w = rng.pick_str(p.words);
            let (v, name) = match rng.below(10) {
                0 | 1 => (
                    t::tail_key(rng, p),
                    rng.pick_str(&[
                        "cache_key",
                        "request_id",
                        "etag",
                        "commit_sha",
                        "build_id",
                        "trace_id",
                        "checksum",
                        "object_version",
                        "nonce",
                    ])
                    .to_string(),
                ),
                2 => (vocab::uuid(rng), format!("{w}_key_id")),
                3 => (
                    if rng.chance(0.5) {
                        rng.string(DIGITS, rng.range(6, 10))
                    } else {
                        vocab::uuid(rng)
                    },
                    format!("{w}_account_id"),
                ),
                4 => (vocab::hex(rng, 32), format!("{w}_key_sha256")),
                5 => (vocab::uuid(rng), format!("{w}_webhook_id")),
                6 => (rng.string(HEX, 32), format!("{w}_project_id")),
                7 => (
                    format!(
                        "https://api.{}/v1",
                        p.host.trim_start_matches("docs.").trim_start_matches("developer.")
                    ),
                    format!("{w}_base_url"),
                ),
                8 => (vocab::hex(rng, 20), format!("{w}_key_fingerprint")),
                _ => (upper(&format!("{w}_{}", p.cred)), format!("{w}_key_env_var")),
            };
            Plant::one(item("context", false, v, &name, Form::Lit), DATA_FMTS)
        }
        2 => {
            // Webhook-looking URLs without their secret parts, and non-secret links.
            let (v, name) = match rng.below(9) {
                0 => ("https://chat.googleapis.com/v1/spaces/SPACE_ID/messages?key=KEY&token=TOKEN".to_string(), "google_chat_webhook_url"),
                1 => (format!("https://chat.googleapis.com/v1/spaces/AAAA{}/messages", rng.string(B64URL, 7)), "chat_api_endpoint"),
                2 => (format!("https://chat.google.com/room/AAAA{}?cls=7", rng.string(B64URL, 7)), "chat_room_link"),
                3 => ("https://xxxxx.webhook.office.com/webhookb2/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx@xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx/IncomingWebhook/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".to_string(), "teams_webhook_url"),
                4 => (
                    format!(
                        "https://teams.microsoft.com/l/channel/19%3a{}%40thread.tacv2/General?groupId={}&tenantId={}",
                        rng.string(HEX, 32),
                        vocab::uuid(rng),
                        vocab::uuid(rng)
                    ),
                    "teams_channel_link",
                ),
                5 => ("https://hooks.zapier.com/hooks/catch/${ZAPIER_ACCOUNT_ID}/${ZAP_HOOK_ID}/".to_string(), "zapier_webhook_url"),
                6 => (
                    rng.pick_str(&[
                        "https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook",
                        "https://developers.google.com/workspace/chat/quickstart/webhooks",
                        "https://help.zapier.com/hc/en-us/articles/8496288690317",
                    ])
                    .to_string(),
                    "webhook_docs",
                ),
                7 => (vocab::uuid(rng), "teams_webhook_id"),
                _ => ("${TEAMS_WEBHOOK_URL}".to_string(), "alerts_webhook_url"),
            };
            Plant::one(item("webhook", false, v, name, Form::Lit), URL_FMTS)
        }
        3 => {
            // Command lines that take the credential from elsewhere, prompt for it or show a
            // documentation placeholder.
            let u = user(rng);
            let h = server(rng);
            let (cmd, v) = match rng.below(11) {
                0 => ("docker login -u \"$DOCKER_USER\" -p \"$DOCKER_PASSWORD\" registry.example.io".to_string(), "$DOCKER_PASSWORD"),
                1 => ("echo \"$CR_PAT\" | docker login ghcr.io -u USERNAME --password-stdin".to_string(), "--password-stdin"),
                2 => (format!("mysql -h {h} -u {u} -p"), "-p"),
                3 => (format!("mysql -h {h} -u {u} -p\"$MYSQL_PASSWORD\" app"), "$MYSQL_PASSWORD"),
                4 => (format!("curl -u \"$API_USER:$API_TOKEN\" https://{h}{}", vocab::api_path(rng)), "$API_TOKEN"),
                5 => (format!("curl -u <username>:<password> https://{h}{}", vocab::api_path(rng)), "<password>"),
                6 => (format!("sshpass -p \"$SSH_PASSWORD\" ssh {u}@{h} uptime"), "$SSH_PASSWORD"),
                7 => (format!("sshpass -f ~/.ssh/{u}.pass ssh {u}@{h}"), "~/.ssh/"),
                8 => ("docker login -u AWS -p \"$(aws ecr get-login-password --region us-east-1)\" 123456789012.dkr.ecr.us-east-1.amazonaws.com".to_string(), "get-login-password"),
                9 => (format!("redis-cli -h {h} -a \"${{REDIS_PASSWORD}}\" ping"), "${REDIS_PASSWORD}"),
                _ => (format!("mysql -u root -p<password> {}", rng.pick(vocab::NOUNS)), "-p<password>"),
            };
            Plant::one(
                item("cli-credential", false, v.to_string(), "run", Form::Cmd(cmd)),
                CMD_FMTS,
            )
        }
        4 => {
            let (conn, name) = if rng.chance(0.7) {
                connection_string(rng, false)
            } else {
                let v = match rng.below(5) {
                    0 => "Server=(localdb)\\mssqllocaldb;Database=app;Trusted_Connection=True;MultipleActiveResultSets=true".to_string(),
                    1 => format!("Server=tcp:{}.database.windows.net,1433;Database=app;Authentication=Active Directory Default;", rng.pick(vocab::BRANDS)),
                    2 => format!("jdbc:postgresql://localhost:5432/{}", rng.pick(vocab::NOUNS)),
                    3 => "jdbc:sqlserver://localhost:1433;databaseName=app;integratedSecurity=true;".to_string(),
                    _ => "host=localhost port=5432 dbname=app user=postgres".to_string(),
                };
                (v, "connection_string".to_string())
            };
            Plant::one(item("connection-string", false, conn, &name, Form::Lit), URL_FMTS)
        }
        _ => {
            // Public front-end build variables: URLs, flags, ids and keys meant for browsers.
            let prefix = *rng.pick(&["REACT_APP_", "VITE_", "NEXT_PUBLIC_"]);
            let (name, v) = match rng.below(9) {
                0 => (
                    "API_URL",
                    format!("https://api.{}.io/v{}", rng.pick(vocab::BRANDS), rng.range(1, 3)),
                ),
                1 => ("FEATURE_FLAG_NEW_CHECKOUT", rng.pick_str(&["true", "false"]).to_string()),
                2 => ("GA_MEASUREMENT_ID", format!("G-{}", rng.string(UPPER_NUM_, 10))),
                3 => (
                    "VERSION",
                    format!("{}.{}.{}", rng.range(0, 4), rng.range(0, 30), rng.range(0, 20)),
                ),
                4 => ("BUILD_SHA", vocab::hex(rng, 20)),
                5 => ("STRIPE_PUBLISHABLE_KEY", format!("pk_live_51{}", rng.string(ALNUM, 97))),
                6 => (
                    "RECAPTCHA_SITE_KEY",
                    format!("6L{}AAAAA{}", rng.string(B64URL, 6), rng.string(B64URL, 27)),
                ),
                7 => ("SENTRY_ENVIRONMENT", rng.pick_str(&["production", "staging"]).to_string()),
                _ => (
                    "AUTH_CLIENT_SECRET",
                    rng.pick_str(&["", "your-client-secret", "${AUTH_CLIENT_SECRET}", "changeme"])
                        .to_string(),
                ),
            };
            let name = format!("{prefix}{name}");
            Plant::one(item("frontend-env", false, v, &name, Form::Lit), FRONTEND_ENV_FMTS)
        }
    }
}

/// Where a plant is written inside its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Module / file top level.
    Top,
    /// Inside a function or block.
    Block,
    /// Inside a class body (Java, Python).
    Class,
}

/// The result of rendering a plant: its lines and, per labelled line, the item index and the
/// value recorded in the label.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Lines without trailing newline (may not contain `\n`).
    pub lines: Vec<String>,
    /// `(line index within lines, item index, label value)`.
    pub labels: Vec<(usize, usize, String)>,
}

/// Name style by format.
fn style_name(rng: &Rng, fmt: Fmt, name: &str, scope: Scope) -> String {
    // Names given in capitals are environment variable names, written as they are everywhere
    // (`REACT_APP_…`, `ConnectionStrings__Default`).
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        return name.to_string();
    }
    match fmt {
        Env | Shell | Dockerfile | Markdown => upper(name),
        Python | Ruby => {
            if scope == Scope::Top && rng.chance(0.6) {
                upper(name)
            } else {
                name.to_string()
            }
        }
        Rust => upper(name),
        Java => {
            if scope == Scope::Class {
                upper(name)
            } else {
                camel(name)
            }
        }
        JavaScript | TypeScript | MinJs | Html => {
            if rng.chance(0.25) {
                upper(name)
            } else {
                camel(name)
            }
        }
        Go => camel(name),
        Json | Xml | Notebook => {
            if rng.chance(0.6) {
                camel(name)
            } else {
                name.to_string()
            }
        }
        Yaml => match rng.below(10) {
            0..=6 => name.to_string(),
            7 | 8 => camel(name),
            _ => upper(name),
        },
        _ => name.to_string(),
    }
}

fn q(v: &str) -> String {
    format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
}

fn sq(v: &str) -> String {
    format!("'{}'", v.replace('\'', "'\\''"))
}

fn shell_quote(v: &str) -> String {
    if v.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:@+=,".contains(c)) && !v.is_empty() {
        v.to_string()
    } else if v.contains(['$', '!', '`', '"', '\\']) {
        sq(v)
    } else {
        q(v)
    }
}

fn yaml_scalar(v: &str) -> String {
    let plain = !v.is_empty()
        && v.chars().all(|c| c.is_ascii_alphanumeric() || "-_./+=".contains(c))
        && !v.starts_with(['-', '.', '='])
        && !matches!(v, "true" | "false" | "null" | "yes" | "no" | "on" | "off")
        && v.parse::<f64>().is_err();
    if plain { v.to_string() } else { q(v) }
}

/// Comment prefix by format (`None` where comments are not possible).
pub fn comment_prefix(fmt: Fmt) -> Option<&'static str> {
    match fmt {
        Python | Ruby | Shell | Yaml | Toml | Env | Dockerfile | Terraform | Ini => Some("# "),
        JavaScript | TypeScript | Go | Rust | Java => Some("// "),
        _ => None,
    }
}

/// A reference expression per language.
fn reference(rng: &Rng, fmt: Fmt, kind: RefKind, name: &str) -> String {
    let up = upper(name);
    let cm = camel(name);
    let pc = pascal(name);
    match (fmt, kind) {
        (Python | Notebook, RefKind::Env) => {
            if rng.chance(0.5) {
                format!("os.environ[\"{up}\"]")
            } else {
                format!("os.getenv(\"{up}\")")
            }
        }
        (Python | Notebook, RefKind::Call) => format!("get_{name}()"),
        (Python | Notebook, RefKind::RequestHeader) => "request.headers[\"Authorization\"]".into(),
        (Python | Notebook, RefKind::Settings) => format!("settings.{up}"),
        (JavaScript | TypeScript | MinJs | Html, RefKind::Env) => format!("process.env.{up}"),
        (JavaScript | TypeScript | MinJs | Html, RefKind::Call) => format!("await get{pc}()"),
        (JavaScript | TypeScript | MinJs | Html, RefKind::RequestHeader) => {
            "req.headers.authorization".into()
        }
        (JavaScript | TypeScript | MinJs | Html, RefKind::Settings) => format!("config.{cm}"),
        (Go, RefKind::Env) => format!("os.Getenv(\"{up}\")"),
        (Go, RefKind::Call) => format!("get{pc}()"),
        (Go, RefKind::RequestHeader) => "r.Header.Get(\"Authorization\")".into(),
        (Go, RefKind::Settings) => format!("cfg.{pc}"),
        (Java, RefKind::Env) => format!("System.getenv(\"{up}\")"),
        (Java, RefKind::Call) => format!("get{pc}()"),
        (Java, RefKind::RequestHeader) => "request.getHeader(\"Authorization\")".into(),
        (Java, RefKind::Settings) => format!("properties.get{pc}()"),
        (Rust, RefKind::Env) => format!("std::env::var(\"{up}\")?"),
        (Rust, _) => format!("config.{name}.clone()"),
        (Ruby, RefKind::Env) => format!("ENV[\"{up}\"]"),
        (Ruby, RefKind::Call) => format!("fetch_{name}"),
        (Ruby, RefKind::RequestHeader) => "request.headers[\"Authorization\"]".into(),
        (Ruby, RefKind::Settings) => format!("Rails.application.credentials.{name}"),
        (Yaml, _) => match rng.below(4) {
            0 => format!("${{{up}}}"),
            1 => format!("${{{{ secrets.{up} }}}}"),
            2 => format!("{{{{ .Values.{cm} }}}}"),
            _ => format!("{{{{ vault_{name} }}}}"),
        },
        (Terraform, _) => {
            if rng.chance(0.5) {
                format!("var.{name}")
            } else {
                format!("data.aws_ssm_parameter.{name}.value")
            }
        }
        (Shell | Dockerfile | Env | Toml | Json | Ini | Xml | Markdown | Log, _) => {
            match rng.below(3) {
                0 => format!("${{{up}}}"),
                1 => format!("$(cat /run/secrets/{name})"),
                _ => format!("${up}"),
            }
        }
        _ => format!("${{{up}}}"),
    }
}

/// Renders `plant` for `fmt` at `indent`, in `scope`. For formats with their own structure
/// (JSON, notebooks, minified JS, logs, CSS, HTML, PEM files) the caller uses the dedicated
/// helpers below instead; this covers line-oriented source and config formats.
pub fn render(rng: &Rng, plant: &Plant, fmt: Fmt, indent: &str, scope: Scope) -> Rendered {
    let mut out = Rendered::default();
    if let Some(c) = comment_prefix(fmt) {
        if rng.chance(0.15) {
            let note = *rng.pick(&[
                "TODO: move to the secret store",
                "FIXME: do not commit",
                "temporary, remove before release",
                "credentials for the staging environment",
                "used by the integration tests",
                "copied from the team wiki",
                "local development only",
                "rotate quarterly",
            ]);
            out.lines.push(format!("{indent}{c}{note}"));
        }
    }
    for (idx, it) in plant.items.iter().enumerate() {
        render_item(rng, it, idx, fmt, indent, scope, &mut out);
    }
    out
}

fn render_item(
    rng: &Rng,
    it: &Item,
    idx: usize,
    fmt: Fmt,
    indent: &str,
    scope: Scope,
    out: &mut Rendered,
) {
    let name = style_name(rng, fmt, &it.name, scope);
    match &it.form {
        Form::Pem => render_pem(rng, it, idx, fmt, indent, scope, &name, out),
        Form::Ref(kind) => {
            let expr = reference(rng, fmt, *kind, &it.name);
            let line = assign_expr(rng, fmt, indent, scope, &name, &expr);
            out.labels.push((out.lines.len(), idx, expr));
            out.lines.push(line);
        }
        Form::Header(scheme) => {
            let hv = format!("{scheme} {}", it.value);
            let line = header_line(rng, fmt, indent, scope, &hv);
            out.labels.push((out.lines.len(), idx, it.value.clone()));
            out.lines.push(line);
        }
        Form::Lit => {
            let line = assign_lit(rng, fmt, indent, scope, &name, &it.name, &it.value);
            out.labels.push((out.lines.len(), idx, it.value.clone()));
            out.lines.push(line);
        }
        Form::KeyHeader(h) => {
            let line = key_header_line(rng, fmt, indent, scope, h, &it.value);
            out.labels.push((out.lines.len(), idx, it.value.clone()));
            out.lines.push(line);
        }
        Form::Cmd(cmd) => {
            let lines = command_lines(rng, fmt, indent, scope, &it.name, cmd);
            out.labels.push((out.lines.len() + lines.len() - 1, idx, it.value.clone()));
            out.lines.extend(lines);
        }
        Form::Note(text) => {
            let line = match (fmt, comment_prefix(fmt)) {
                (Markdown, _) => format!("# {text}"),
                (_, Some(c)) => format!("{indent}{c}{text}"),
                (Json, None) => format!("{indent}\"_comment\": {},", q(text)),
                (Xml, None) => format!("{indent}<!-- {text} -->"),
                _ => format!("{indent}{text}"),
            };
            out.labels.push((out.lines.len(), idx, it.value.clone()));
            out.lines.push(line);
        }
    }
}

/// A vendor-named header carrying `v`.
fn key_header_line(rng: &Rng, fmt: Fmt, indent: &str, scope: Scope, h: &str, v: &str) -> String {
    match fmt {
        Python | Notebook => {
            format!("{indent}headers = {{\"{h}\": \"{v}\", \"Accept\": \"application/json\"}}")
        }
        Ruby => format!("{indent}request[\"{h}\"] = \"{v}\""),
        JavaScript | TypeScript => {
            if rng.chance(0.5) {
                format!("{indent}const headers = {{ \"{h}\": \"{v}\" }};")
            } else {
                format!(
                    "{indent}const res = await fetch(url, {{ headers: {{ \"{h}\": \"{v}\" }} }});"
                )
            }
        }
        Go => format!("{indent}req.Header.Set(\"{h}\", \"{v}\")"),
        Rust => format!("{indent}let req = client.get(url).header(\"{h}\", \"{v}\");"),
        Java => {
            if scope == Scope::Class {
                format!(
                    "{indent}private static final String {} = \"{v}\";",
                    upper(&h.replace('-', "_"))
                )
            } else {
                format!("{indent}conn.setRequestProperty(\"{h}\", \"{v}\");")
            }
        }
        Shell | Markdown => format!(
            "{indent}curl -sS -H \"{h}: {v}\" https://api.{}{}",
            rng.pick(vocab::DOMAINS),
            vocab::api_path(rng)
        ),
        Yaml => format!("{indent}{h}: \"{v}\""),
        Terraform => format!("{indent}headers = {{ \"{h}\" = \"{v}\" }}"),
        Xml => format!("{indent}<header name=\"{h}\" value=\"{v}\"/>"),
        _ => format!("{indent}{h}: {v}"),
    }
}

/// A command line as each format runs it; the last line holds the command.
fn command_lines(
    rng: &Rng,
    fmt: Fmt,
    indent: &str,
    scope: Scope,
    name: &str,
    cmd: &str,
) -> Vec<String> {
    let one = |s: String| vec![s];
    match fmt {
        Shell | Markdown | Text => {
            if fmt == Markdown && rng.chance(0.3) {
                one(format!("$ {cmd}"))
            } else {
                one(format!("{indent}{cmd}"))
            }
        }
        Dockerfile => {
            if rng.chance(0.5) {
                one(format!("RUN {cmd}"))
            } else {
                vec!["RUN set -eux; \\".to_string(), format!("    {cmd}")]
            }
        }
        Yaml => {
            let scalar = if cmd.contains(": ")
                || cmd.contains(" #")
                || cmd.starts_with(['"', '\'', '*', '&', '!', '{', '['])
            {
                format!("'{}'", cmd.replace('\'', "''"))
            } else {
                cmd.to_string()
            };
            match rng.below(3) {
                0 => vec![format!("{indent}script:"), format!("{indent}  - {scalar}")],
                1 => one(format!("{indent}run: {scalar}")),
                _ => one(format!("{indent}command: [\"/bin/sh\", \"-c\", {}]", q(cmd))),
            }
        }
        Python | Notebook => {
            if fmt == Notebook && rng.chance(0.6) {
                one(format!("!{cmd}"))
            } else if rng.chance(0.5) {
                one(format!("{indent}subprocess.run({}, shell=True, check=True)", q(cmd)))
            } else {
                one(format!("{indent}os.system({})", q(cmd)))
            }
        }
        JavaScript | TypeScript => {
            one(format!("{indent}execSync({}, {{ stdio: \"inherit\" }});", q(cmd)))
        }
        Go => one(format!(
            "{indent}out, err := exec.Command(\"sh\", \"-c\", {}).CombinedOutput()",
            q(cmd)
        )),
        Ruby => one(format!("{indent}system({})", q(cmd))),
        Java => {
            let call =
                format!("Runtime.getRuntime().exec(new String[] {{\"sh\", \"-c\", {}}});", q(cmd));
            if scope == Scope::Class {
                one(format!("{indent}private static final String {} = {};", upper(name), q(cmd)))
            } else {
                one(format!("{indent}Process p = {call}"))
            }
        }
        Rust => one(format!(
            "{indent}let status = Command::new(\"sh\").arg(\"-c\").arg({}).status()?;",
            q(cmd)
        )),
        Terraform => one(format!("{indent}command = {}", q(cmd))),
        Toml => one(format!("{indent}{name} = {}", q(cmd))),
        Log => one(format!("{} + {cmd}", vocab::timestamp(rng))),
        _ => one(format!("{indent}{cmd}")),
    }
}

/// `name = <expr>` (a code expression, not a literal).
fn assign_expr(rng: &Rng, fmt: Fmt, indent: &str, scope: Scope, name: &str, expr: &str) -> String {
    match fmt {
        Python | Notebook => {
            if scope == Scope::Class && rng.chance(0.5) {
                format!("{indent}self.{name} = {expr}")
            } else {
                format!("{indent}{name} = {expr}")
            }
        }
        Ruby => format!("{indent}{name} = {expr}"),
        JavaScript | TypeScript => format!("{indent}const {name} = {expr};"),
        Go => format!("{indent}{name} := {expr}"),
        Rust => format!("{indent}let {} = {expr};", name.to_ascii_lowercase()),
        Java => {
            if scope == Scope::Class {
                format!("{indent}private final String {name} = {expr};")
            } else {
                format!("{indent}String {name} = {expr};")
            }
        }
        Yaml => format!(
            "{indent}{name}: {}",
            if expr.starts_with(['{', '$']) { q(expr) } else { expr.to_string() }
        ),
        Toml => format!("{indent}{name} = {}", q(expr)),
        Env => format!("{name}={expr}"),
        Shell => format!("{indent}export {name}=\"{expr}\""),
        Dockerfile => format!("ENV {name}={expr}"),
        Terraform => format!("{indent}{name} = {expr}"),
        Json => format!("{indent}{}: {},", q(name), q(expr)),
        _ => format!("{indent}{name} = {expr}"),
    }
}

/// An `Authorization` header carrying `hv` (`"Bearer <token>"`).
fn header_line(rng: &Rng, fmt: Fmt, indent: &str, scope: Scope, hv: &str) -> String {
    match fmt {
        Python | Notebook => {
            if rng.chance(0.5) {
                format!(
                    "{indent}headers = {{\"Authorization\": \"{hv}\", \"Accept\": \"application/json\"}}"
                )
            } else {
                format!("{indent}session.headers.update({{\"Authorization\": \"{hv}\"}})")
            }
        }
        Ruby => format!("{indent}request[\"Authorization\"] = \"{hv}\""),
        JavaScript | TypeScript => {
            if rng.chance(0.5) {
                format!(
                    "{indent}const headers = {{ Authorization: \"{hv}\", \"Content-Type\": \"application/json\" }};"
                )
            } else {
                format!("{indent}axios.defaults.headers.common[\"Authorization\"] = \"{hv}\";")
            }
        }
        Go => format!("{indent}req.Header.Set(\"Authorization\", \"{hv}\")"),
        Rust => {
            if scope == Scope::Top {
                format!("{indent}const AUTH_HEADER: &str = \"{hv}\";")
            } else {
                format!("{indent}let req = client.get(url).header(\"Authorization\", \"{hv}\");")
            }
        }
        Java => {
            if scope == Scope::Class {
                format!("{indent}private static final String AUTH_HEADER = \"{hv}\";")
            } else {
                format!("{indent}conn.setRequestProperty(\"Authorization\", \"{hv}\");")
            }
        }
        Shell | Markdown => format!(
            "{indent}curl -sS -H \"Authorization: {hv}\" https://{}{}",
            rng.pick(&[
                "api.github.com",
                "gitlab.com/api/v4",
                "api.example.com",
                "internal.acme.io"
            ]),
            vocab::api_path(rng)
        ),
        Yaml => format!("{indent}Authorization: \"{hv}\""),
        Toml | Ini => format!("{indent}authorization = \"{hv}\""),
        Env => format!("AUTH_HEADER=\"{hv}\""),
        Dockerfile => format!("ENV AUTH_HEADER=\"{hv}\""),
        Terraform => format!("{indent}headers = {{ Authorization = \"{hv}\" }}"),
        Xml => format!("{indent}<header name=\"Authorization\" value=\"{hv}\"/>"),
        Log => format!("{indent}Authorization: {hv}"),
        _ => format!("{indent}Authorization: {hv}"),
    }
}

/// `name = "value"` in one of the idioms of the format.
fn assign_lit(
    rng: &Rng,
    fmt: Fmt,
    indent: &str,
    scope: Scope,
    name: &str,
    snake: &str,
    v: &str,
) -> String {
    let up = upper(snake);
    let vendor = snake.split('_').next().unwrap_or("api");
    match fmt {
        Python | Notebook => match (scope, rng.below(6)) {
            (Scope::Class, 0..=2) => format!("{indent}{} = {}", snake, q(v)),
            (Scope::Class, _) => format!("{indent}self.{snake} = {}", q(v)),
            (_, 0..=2) => format!("{indent}{name} = {}", q(v)),
            (_, 3) => format!("{indent}{name} = os.getenv(\"{up}\", {})", q(v)),
            (_, 4) => format!("{indent}client = {}Client({snake}={})", pascal(vendor), q(v)),
            _ => format!("{indent}config[\"{snake}\"] = {}", sq(v)),
        },
        Ruby => match rng.below(3) {
            0 => format!("{indent}{name} = {}", q(v)),
            1 => format!("{indent}config.{snake} = {}", sq(v)),
            _ => format!("{indent}{name} = ENV.fetch(\"{up}\", {})", q(v)),
        },
        JavaScript | TypeScript => {
            let ty = if fmt == TypeScript { ": string" } else { "" };
            match rng.below(5) {
                0 | 1 => format!(
                    "{indent}const {name}{ty} = {};",
                    if rng.chance(0.5) { q(v) } else { sq(v) }
                ),
                2 => format!("{indent}const {name} = process.env.{up} || {};", sq(v)),
                3 => format!(
                    "{indent}const client = new {}Client({{ {}: {} }});",
                    pascal(vendor),
                    camel(snake),
                    q(v)
                ),
                _ => format!("{indent}export const {up} = {};", q(v)),
            }
        }
        Go => match (scope, rng.below(3)) {
            (Scope::Top, _) => format!(
                "{indent}{} {name} = {}",
                if rng.chance(0.5) { "const" } else { "var" },
                q(v)
            ),
            (_, 0) => format!("{indent}{name} := {}", q(v)),
            (_, 1) => format!("{indent}client := {}.NewClient({})", vendor, q(v)),
            _ => format!("{indent}cfg.{} = {}", pascal(snake), q(v)),
        },
        Rust => match scope {
            Scope::Top => format!("{indent}const {up}: &str = {};", q(v)),
            _ => {
                if rng.chance(0.5) {
                    format!("{indent}let {snake} = {};", q(v))
                } else {
                    format!(
                        "{indent}let {snake} = std::env::var(\"{up}\").unwrap_or_else(|_| {}.to_string());",
                        q(v)
                    )
                }
            }
        },
        Java => match scope {
            Scope::Class => format!("{indent}private static final String {name} = {};", q(v)),
            _ => match rng.below(3) {
                0 => format!("{indent}String {name} = {};", q(v)),
                1 => {
                    format!("{indent}props.setProperty(\"{}\", {});", snake.replace('_', "."), q(v))
                }
                _ => format!(
                    "{indent}String {name} = System.getenv().getOrDefault(\"{up}\", {});",
                    q(v)
                ),
            },
        },
        Yaml => format!("{indent}{name}: {}", yaml_scalar(v)),
        Toml => format!("{indent}{name} = {}", q(v)),
        Ini => {
            if rng.chance(0.5) {
                format!("{name} = {v}")
            } else {
                format!("{}={v}", snake.replace('_', "."))
            }
        }
        Env => {
            let val = if rng.chance(0.6) { v.to_string() } else { shell_quote(v) };
            let val = if val.contains(['$', ' ', '#', '!']) && !val.starts_with(['\'', '"']) {
                sq(&val)
            } else {
                val
            };
            format!("{name}={val}")
        }
        Shell => match rng.below(3) {
            0 => format!("{indent}export {name}={}", shell_quote(v)),
            1 => format!("{indent}{name}={}", shell_quote(v)),
            _ => format!(
                "{indent}docker run -e {name}={} {}/{}:latest",
                shell_quote(v),
                rng.pick(vocab::BRANDS),
                rng.pick(vocab::NOUNS)
            ),
        },
        Dockerfile => match rng.below(3) {
            0 => format!("ENV {name}={}", shell_quote(v)),
            1 => format!("ARG {name}={}", shell_quote(v)),
            _ => format!("ENV {name} {v}"),
        },
        Terraform => format!("{indent}{snake} = {}", q(v)),
        Xml => {
            if rng.chance(0.5) {
                format!("{indent}<{name}>{v}</{name}>")
            } else {
                format!("{indent}<add key=\"{}\" value=\"{v}\" />", pascal(snake))
            }
        }
        Markdown => {
            if rng.chance(0.5) {
                format!("export {name}={}", shell_quote(v))
            } else {
                format!("{name}={v}")
            }
        }
        Log => log_line_with(rng, snake, v),
        _ => format!("{indent}{name} = {}", q(v)),
    }
}

/// A log line that leaks `name=value`.
pub fn log_line_with(rng: &Rng, snake: &str, v: &str) -> String {
    let ts = vocab::timestamp(rng);
    match rng.below(4) {
        0 => format!("{ts} DEBUG [config] loaded {snake}={v}"),
        1 => format!("{ts} INFO  [{}] using {snake} '{v}'", rng.pick(vocab::NOUNS)),
        2 => format!(
            "{ts} WARN  deprecated setting {}={v} (set it through the environment instead)",
            upper(snake)
        ),
        _ => format!(
            "{{\"ts\":\"{ts}\",\"level\":\"debug\",\"msg\":\"env\",\"{}\":\"{v}\"}}",
            upper(snake)
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn render_pem(
    rng: &Rng,
    it: &Item,
    idx: usize,
    fmt: Fmt,
    indent: &str,
    scope: Scope,
    name: &str,
    out: &mut Rendered,
) {
    let pem_lines: Vec<&str> = it.value.lines().collect();
    let n = pem_lines.len();
    let label_at = |out: &Rendered, off: usize| out.lines.len() + off;
    let mut lines: Vec<String> = Vec::new();
    let mut begin = 0usize;
    match fmt {
        Python | Notebook | Ruby => {
            let lhs = if fmt == Ruby {
                name.to_string()
            } else if scope == Scope::Class {
                format!("self.{}", it.name)
            } else {
                name.to_string()
            };
            lines.push(format!("{indent}{lhs} = \"\"\"{}", pem_lines[0]));
            for l in &pem_lines[1..] {
                lines.push((*l).to_string());
            }
            if let Some(last) = lines.last_mut() {
                last.push_str("\"\"\"");
            }
        }
        JavaScript | TypeScript => {
            lines.push(format!("{indent}const {name} = `{}", pem_lines[0]));
            for l in &pem_lines[1..] {
                lines.push((*l).to_string());
            }
            if let Some(last) = lines.last_mut() {
                last.push_str("`;");
            }
        }
        Go => {
            let kw = if scope == Scope::Top { "var " } else { "" };
            let op = if scope == Scope::Top { "=" } else { ":=" };
            lines.push(format!("{indent}{kw}{name} {op} `{}", pem_lines[0]));
            for l in &pem_lines[1..] {
                lines.push((*l).to_string());
            }
            if let Some(last) = lines.last_mut() {
                last.push('`');
            }
        }
        Rust => {
            let head = if scope == Scope::Top {
                format!("const {}: &str = ", upper(&it.name))
            } else {
                format!("let {} = ", it.name)
            };
            lines.push(format!("{indent}{head}r#\"{}", pem_lines[0]));
            for l in &pem_lines[1..] {
                lines.push((*l).to_string());
            }
            if let Some(last) = lines.last_mut() {
                last.push_str("\"#;");
            }
        }
        Java => {
            let decl = if scope == Scope::Class {
                format!("private static final String {}", upper(&it.name))
            } else {
                format!("String {name}")
            };
            if rng.chance(0.5) {
                lines.push(format!("{indent}{decl} = \"\"\""));
                begin = 1;
                for l in &pem_lines {
                    lines.push(format!("{indent}    {l}"));
                }
                lines.push(format!("{indent}    \"\"\";"));
            } else {
                lines.push(format!("{indent}{decl} ="));
                begin = 1;
                for (i, l) in pem_lines.iter().enumerate() {
                    let end = if i + 1 == n { ";" } else { " +" };
                    lines.push(format!("{indent}    \"{l}\\n\"{end}"));
                }
            }
        }
        Yaml => {
            lines.push(format!("{indent}{name}: |"));
            begin = 1;
            for l in &pem_lines {
                lines.push(format!("{indent}  {l}"));
            }
        }
        Toml => {
            lines.push(format!("{indent}{name} = \"\"\""));
            begin = 1;
            for l in &pem_lines {
                lines.push((*l).to_string());
            }
            lines.push("\"\"\"".to_string());
        }
        Env => {
            if rng.chance(0.5) {
                lines.push(format!("{}=\"{}", upper(&it.name), pem_lines[0]));
                for l in &pem_lines[1..] {
                    lines.push((*l).to_string());
                }
                if let Some(last) = lines.last_mut() {
                    last.push('"');
                }
            } else {
                lines.push(format!("{}=\"{}\"", upper(&it.name), pem_lines.join("\\n")));
            }
        }
        Shell => {
            lines.push(format!(
                "{indent}cat > \"$HOME/.ssh/{}\" <<'EOF'",
                rng.pick(&["id_rsa", "deploy_key", "id_ed25519", "key.pem"])
            ));
            begin = 1;
            for l in &pem_lines {
                lines.push((*l).to_string());
            }
            lines.push("EOF".to_string());
        }
        Terraform => {
            lines.push(format!("{indent}{} = <<-EOT", it.name));
            begin = 1;
            for l in &pem_lines {
                lines.push(format!("{indent}  {l}"));
            }
            lines.push(format!("{indent}EOT"));
        }
        Markdown => {
            lines.push("```".to_string());
            begin = 1;
            for l in &pem_lines {
                lines.push((*l).to_string());
            }
            lines.push("```".to_string());
        }
        _ => {
            lines.push(format!("{indent}{name} = \"{}\"", pem_lines.join("\\n")));
        }
    }
    out.labels.push((label_at(out, begin), idx, it.value.clone()));
    out.lines.extend(lines);
}

/// JSON `(key, string value, item index)` pairs for a plant (values unescaped).
pub fn json_pairs(rng: &Rng, plant: &Plant) -> Vec<(String, String, usize, String)> {
    plant
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let key = style_name(rng, Json, &it.name, Scope::Block);
            match &it.form {
                Form::Ref(k) => {
                    let e = reference(rng, Json, *k, &it.name);
                    (key, e.clone(), i, e)
                }
                Form::Header(s) => {
                    ("Authorization".to_string(), format!("{s} {}", it.value), i, it.value.clone())
                }
                Form::KeyHeader(h) => (h.clone(), it.value.clone(), i, it.value.clone()),
                Form::Cmd(c) => (key, c.clone(), i, it.value.clone()),
                Form::Note(t) => ("_comment".to_string(), t.clone(), i, it.value.clone()),
                _ => (key, it.value.clone(), i, it.value.clone()),
            }
        })
        .collect()
}

/// An inline (single-line) JavaScript fragment for minified bundles, per item.
pub fn minjs_fragment(rng: &Rng, it: &Item) -> (String, String) {
    let key = camel(&it.name);
    match &it.form {
        Form::Ref(k) => {
            let e = reference(rng, MinJs, *k, &it.name);
            (format!("{key}:{e}"), e)
        }
        Form::Header(s) => {
            (format!("headers:{{Authorization:\"{s} {}\"}}", it.value), it.value.clone())
        }
        Form::Pem => (format!("{key}:\"{}\"", it.value.replace('\n', "\\n")), it.value.clone()),
        Form::KeyHeader(h) => (format!("headers:{{\"{h}\":\"{}\"}}", it.value), it.value.clone()),
        Form::Cmd(c) => (format!("{key}:{}", q(c)), it.value.clone()),
        Form::Note(t) => (format!("/* {t} */{key}:null"), it.value.clone()),
        Form::Lit => match rng.below(3) {
            0 => (format!("{key}:\"{}\"", it.value), it.value.clone()),
            1 => (
                format!("var {}=\"{}\"", rng.string(b"abcdefghijklmnopqrstuvwxyz", 1), it.value),
                it.value.clone(),
            ),
            _ => (format!("{}:\"{}\"", key, it.value), it.value.clone()),
        },
    }
}

/// An HTML line for an item (image data in `<img>`, others in an inline script).
pub fn html_line(rng: &Rng, it: &Item, indent: &str) -> (String, String) {
    if it.family == "image-data" {
        return (
            format!("{indent}<img alt=\"{}\" src=\"{}\">", it.name, it.value),
            it.value.clone(),
        );
    }
    if it.family == "integrity" {
        return (
            format!(
                "{indent}<script src=\"https://cdn.jsdelivr.net/npm/{}@{}.{}.{}/dist/index.min.js\" integrity=\"{}\" crossorigin=\"anonymous\"></script>",
                rng.pick(vocab::NPM_PACKAGES),
                rng.range(1, 9),
                rng.range(0, 20),
                rng.range(0, 9),
                it.value
            ),
            it.value.clone(),
        );
    }
    let (frag, v) = minjs_fragment(rng, it);
    (format!("{indent}<script>window.__CONFIG__ = {{{frag}}};</script>"), v)
}
