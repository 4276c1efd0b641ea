//! Offline verdicts on a candidate secret: checksums, structure, entropy and placeholders.
//!
//! Design decision: every check is a pure function of the candidate's bytes, so it runs in
//! the scan's hot path without I/O and its verdicts are reproducible. A format that carries
//! a checksum is trusted only when the checksum holds ([`Verdict::Valid`] raises confidence
//! to high, [`Verdict::Invalid`] drops the match): that is how the noise of look-alike strings
//! disappears without any network call. Checks are named in rule files (`check = "github"`),
//! and [`Check::from_name`] is the single registry of names.

mod checksum;
mod placeholder;
mod structure;

pub use placeholder::is_placeholder;

/// The outcome of an offline check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The format's checksum or structure holds.
    Valid,
    /// The check does not apply to this shape (e.g. a legacy token without checksum).
    NotApplicable,
    /// The candidate fails the check; the reason is for diagnostics.
    Invalid(&'static str),
}

/// A named offline validator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Check {
    /// GitHub `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_`: CRC32 in base62, last 6 characters.
    Github,
    /// npm `npm_`: same construction as GitHub.
    Npm,
    /// GitLab tokens: routable framings checked (CRC32/base36, length, payload); legacy pass.
    Gitlab,
    /// PyPI `pypi-` macaroon v2 structure.
    Pypi,
    /// JSON Web Token structure.
    Jwt,
    /// AWS access key id prefix and base32 alphabet.
    AwsAccessKeyId,
    /// Grafana service account token `glsa_…_<crc32 hex>`.
    GrafanaServiceAccount,
    /// PEM / OpenSSH private key body decodes.
    PrivateKey,
    /// Azure storage account key: base64 of 64 bytes.
    AzureStorageKey,
    /// Discord bot token: first segment is a base64 snowflake id.
    DiscordBotToken,
    /// Generic assignments: looks like a random secret, not code or prose.
    GenericSecret,
    /// Context rules (the provider table): a fixed-alphabet value that mixes letters and
    /// digits, as random keys do, rather than a word, a number or a repeated pattern.
    ContextValue,
}

impl Check {
    /// Every check, for listing.
    pub const ALL: &'static [Check] = &[
        Check::Github,
        Check::Npm,
        Check::Gitlab,
        Check::Pypi,
        Check::Jwt,
        Check::AwsAccessKeyId,
        Check::GrafanaServiceAccount,
        Check::PrivateKey,
        Check::AzureStorageKey,
        Check::DiscordBotToken,
        Check::GenericSecret,
        Check::ContextValue,
    ];

    /// Looks a check up by the name used in rule files.
    pub fn from_name(name: &str) -> Option<Check> {
        Check::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// The name used in rule files.
    pub fn name(self) -> &'static str {
        match self {
            Check::Github => "github",
            Check::Npm => "npm",
            Check::Gitlab => "gitlab",
            Check::Pypi => "pypi",
            Check::Jwt => "jwt",
            Check::AwsAccessKeyId => "aws_access_key_id",
            Check::GrafanaServiceAccount => "grafana_service_account",
            Check::PrivateKey => "private_key",
            Check::AzureStorageKey => "azure_storage_key",
            Check::DiscordBotToken => "discord_bot_token",
            Check::GenericSecret => "generic_secret",
            Check::ContextValue => "context_value",
        }
    }

    /// Whether a passing verdict is cryptographic evidence (checksum), which makes the
    /// finding high confidence.
    pub fn is_checksum(self) -> bool {
        matches!(self, Check::Github | Check::Npm | Check::Gitlab | Check::GrafanaServiceAccount)
    }

    /// Runs the check on a candidate secret.
    pub fn run(self, secret: &[u8]) -> Verdict {
        match self {
            Check::Github | Check::Npm => checksum::github_style(secret),
            Check::Gitlab => checksum::gitlab(secret),
            Check::GrafanaServiceAccount => checksum::grafana_service_account(secret),
            Check::Pypi => structure::pypi(secret),
            Check::Jwt => structure::jwt(secret),
            Check::AwsAccessKeyId => structure::aws_access_key_id(secret),
            Check::PrivateKey => structure::private_key(secret),
            Check::AzureStorageKey => structure::azure_storage_key(secret),
            Check::DiscordBotToken => structure::discord_bot_token(secret),
            Check::GenericSecret => structure::generic_secret(secret),
            Check::ContextValue => structure::context_value(secret),
        }
    }
}

/// The checksum a secret carries by its shape alone, whatever rule found it: a value that
/// *is* a GitHub, npm, Grafana service-account or routable GitLab token must pass that
/// token's checksum even when a generic or config-file rule (`_authToken = ...`) matched it.
pub fn implied(secret: &[u8]) -> Option<Check> {
    let body36 =
        |p: usize| secret.len() == p + 36 && secret[p..].iter().all(u8::is_ascii_alphanumeric);
    match secret.get(..4)? {
        b"ghp_" | b"gho_" | b"ghu_" | b"ghs_" | b"ghr_" if body36(4) => Some(Check::Github),
        b"npm_" if body36(4) => Some(Check::Npm),
        b"glsa" if secret.starts_with(b"glsa_") && secret.len() == 46 => {
            Some(Check::GrafanaServiceAccount)
        }
        b"glpa" | b"glrt" | b"gldt" | b"glft" | b"glcb"
            if secret.len() >= 37 && secret[secret.len() - 10] == b'.' =>
        {
            Some(Check::Gitlab)
        }
        _ => None,
    }
}

/// Shannon entropy in bits per byte.
///
/// ```
/// assert_eq!(leakguard::check::entropy(b"aaaa"), 0.0);
/// assert!((leakguard::check::entropy(b"ab") - 1.0).abs() < 1e-9);
/// ```
pub fn entropy(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in data {
        counts[b as usize] += 1;
    }
    let n = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

pub use checksum::{base62_crc32, gitlab_routable_decode};
