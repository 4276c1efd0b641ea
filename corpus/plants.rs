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
use super::rng::{ALNUM, HEX, Rng};
use super::tokens as t;
use super::vocab::{self, camel, pascal, upper};

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

/// Number of positive kinds in [`positive`].
pub const POSITIVE_KINDS: usize = 43;

/// Builds positive kind `k` (`0..POSITIVE_KINDS`).
pub fn positive(rng: &Rng, k: usize) -> Plant {
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

/// Number of decoy kinds in [`decoy`].
pub const DECOY_KINDS: usize = 26;

/// Builds decoy kind `k` (`0..DECOY_KINDS`).
pub fn decoy(rng: &Rng, k: usize) -> Plant {
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
