//! Credential formats: how each vendor's tokens are built, including their checksums, plus the
//! near-misses (documentation keys, corrupted checksums, placeholders) used as decoys.
//!
//! Design decision: everything here is written from the vendors' published descriptions
//! (the providers' public token-format documentation) and real-world samples, not from leakguard's `check` or `rules` modules,
//! so the quality test measures the scanner against an independent implementation. Each
//! checksum scheme is pinned by the test vectors of the spec in the tests at the bottom.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use super::rng::{ALNUM, ALPHA, B62, B64URL, DIGITS, HEX, LOWER_NUM, Rng, UPPER_NUM};
use super::vocab;

/// `n` in base62 (`0-9A-Za-z`), most significant digit first, left-padded to `width`.
pub fn base62(mut n: u64, width: usize) -> String {
    let mut out = vec![b'0'; width];
    let mut i = width;
    while n > 0 && i > 0 {
        i -= 1;
        out[i] = B62[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// `n` in lowercase base36, left-padded to `width`.
pub fn base36(mut n: u64, width: usize) -> String {
    const A: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut digits = Vec::new();
    while n > 0 {
        digits.push(A[(n % 36) as usize]);
        n /= 36;
    }
    while digits.len() < width {
        digits.push(b'0');
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// GitHub/npm checksum: CRC32 of the 30-character payload, base62, 6 characters.
pub fn github_checksum(payload: &str) -> String {
    base62(crc32fast::hash(payload.as_bytes()) as u64, 6)
}

/// A GitHub token with a valid checksum: `prefix_` + 30 random + 6 checksum. `prefix` is
/// `ghp`, `gho`, `ghu`, `ghs` or `ghr`.
pub fn github_token(rng: &Rng, prefix: &str) -> String {
    let payload = rng.string(B62, 30);
    format!("{prefix}_{payload}{}", github_checksum(&payload))
}

/// An npm access token (same construction as GitHub's, lowercase-insensitive regexes).
pub fn npm_token(rng: &Rng) -> String {
    let payload = rng.string(B62, 30);
    format!("npm_{payload}{}", github_checksum(&payload))
}

/// A GitHub fine-grained PAT: `github_pat_` + `11` + 20 upper/digits + `_` + 59 alnum.
pub fn github_fine_grained(rng: &Rng) -> String {
    format!("github_pat_11{}_{}", rng.string(UPPER_NUM, 20), rng.string(ALNUM, 59))
}

/// Replaces the last character of a checksummed token with a different one, which breaks
/// the checksum (the last character is fully determined by the payload).
pub fn corrupt_last(rng: &Rng, token: &str, alphabet: &[u8]) -> String {
    let mut b = token.as_bytes().to_vec();
    let Some(last) = b.last().copied() else { return token.to_string() };
    let mut c = last;
    while c == last {
        c = alphabet[rng.below(alphabet.len())];
    }
    if let Some(l) = b.last_mut() {
        *l = c;
    }
    String::from_utf8(b).unwrap_or_default()
}

/// Replaces one payload character (not the checksum), which breaks the checksum too.
pub fn corrupt_payload(rng: &Rng, token: &str, start: usize, end: usize) -> String {
    let mut b = token.as_bytes().to_vec();
    let i = rng.range(start, end - 1);
    let old = b[i];
    while b[i] == old {
        b[i] = B62[rng.below(62)];
    }
    String::from_utf8(b).unwrap_or_default()
}

/// The routing payload text of a GitLab routable token: sorted `k:v` lines, integers base36.
pub fn gitlab_routing(pairs: &[(char, u64)]) -> String {
    let mut pairs = pairs.to_vec();
    pairs.sort_by_key(|p| p.0);
    pairs.iter().map(|(k, v)| format!("{k}:{}", base36(*v, 1))).collect::<Vec<_>>().join("\n")
}

/// GitLab routable token, current ("v1") framing:
/// `prefix + b64url(random16 ‖ routing ‖ len(routing)) + ".01." + LL + crc7`.
pub fn gitlab_routable_v1(prefix: &str, random16: &[u8], routing: &str) -> String {
    let mut raw = random16.to_vec();
    raw.extend_from_slice(routing.as_bytes());
    raw.push(routing.len() as u8);
    let b64 = URL_SAFE_NO_PAD.encode(&raw);
    let head = format!("{prefix}{b64}.01.{}", base36(b64.len() as u64, 2));
    let crc = crc32fast::hash(head.as_bytes());
    format!("{head}{}", base36(crc as u64, 7))
}

/// GitLab routable token, earlier framing (GitLab ~17.9–17.11):
/// `prefix + b64url(routing ‖ random16 ‖ 0x10) + "." + LL + crc7`.
pub fn gitlab_routable_legacy(prefix: &str, random16: &[u8], routing: &str) -> String {
    let mut raw = routing.as_bytes().to_vec();
    raw.extend_from_slice(random16);
    raw.push(random16.len() as u8);
    let b64 = URL_SAFE_NO_PAD.encode(&raw);
    let head = format!("{prefix}{b64}.{}", base36(b64.len() as u64, 2));
    let crc = crc32fast::hash(head.as_bytes());
    format!("{head}{}", base36(crc as u64, 7))
}

/// A plausible gitlab.com routing payload for a user-owned token.
pub fn gitlab_user_routing(rng: &Rng) -> Vec<(char, u64)> {
    let mut pairs = vec![('o', if rng.chance(0.8) { 1 } else { rng.range(2, 5000) as u64 })];
    if rng.chance(0.7) {
        pairs.push(('c', rng.range(1, 3) as u64));
    }
    pairs.push(('u', rng.range(1000, 25_000_000) as u64));
    pairs
}

/// Legacy GitLab token body: 20 characters from Devise's friendly token alphabet.
pub fn gitlab_legacy_body(rng: &Rng, n: usize) -> String {
    rng.string(B64URL, n)
}

/// Breaks the CRC of a routable token (changes one of its last 7 base36 characters).
pub fn corrupt_base36_tail(rng: &Rng, token: &str) -> String {
    let mut b = token.as_bytes().to_vec();
    let i = b.len() - 1 - rng.below(7);
    let old = b[i];
    while b[i] == old {
        b[i] = LOWER_NUM[rng.below(36)];
    }
    String::from_utf8(b).unwrap_or_default()
}

/// RFC 4648 base32 (no padding).
pub fn base32(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let mut buf: u64 = 0;
    let mut bits = 0;
    for &b in data {
        buf = (buf << 8) | b as u64;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(A[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(A[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// An AWS access key id in the current format: the 16 base32 characters after the prefix
/// encode the 12-digit account id (bits 7..46 of the first 6 bytes, top bit set).
pub fn aws_key_id(rng: &Rng, prefix: &str) -> String {
    let account: u64 = rng.range(100_000_000_000, 999_999_999_999) as u64;
    let z: u64 = (1u64 << 47) | (account << 7) | (rng.below(128) as u64);
    let mut raw = z.to_be_bytes()[2..8].to_vec();
    raw.extend_from_slice(&rng.bytes(4));
    format!("{prefix}{}", base32(&raw))
}

/// An older-format AWS access key id (`AKIAI…`/`AKIAJ…`, before account encoding).
pub fn aws_key_id_old(rng: &Rng) -> String {
    const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    format!("AKIA{}{}", rng.pick(&["I", "J"]), rng.string(B32, 15))
}

/// An AWS secret access key: 40 characters of base64.
pub fn aws_secret(rng: &Rng) -> String {
    STANDARD.encode(rng.bytes(30))
}

/// A Google API key (`AIzaSy` + 33).
pub fn gcp_api_key(rng: &Rng) -> String {
    format!("AIzaSy{}", rng.string(B64URL, 33))
}

/// Slack bot token.
pub fn slack_bot(rng: &Rng) -> String {
    format!(
        "xoxb-{}-{}-{}",
        rng.string(DIGITS, rng.range(11, 12)),
        rng.string(DIGITS, 13),
        rng.string(ALNUM, 24)
    )
}

/// Slack user token.
pub fn slack_user(rng: &Rng) -> String {
    format!(
        "xoxp-{}-{}-{}-{}",
        rng.string(DIGITS, rng.range(11, 12)),
        rng.string(DIGITS, rng.range(11, 12)),
        rng.string(DIGITS, 13),
        rng.string(HEX, 32)
    )
}

/// Slack incoming webhook URL.
pub fn slack_webhook(rng: &Rng) -> String {
    format!(
        "https://hooks.slack.com/services/T{}/B{}/{}",
        rng.string(UPPER_NUM, rng.range(8, 10)),
        rng.string(UPPER_NUM, rng.range(8, 10)),
        rng.string(ALNUM, 24)
    )
}

/// Stripe secret or restricted key; `mode` is `live` or `test`, `kind` `sk` or `rk`.
pub fn stripe_key(rng: &Rng, kind: &str, mode: &str) -> String {
    if rng.chance(0.7) {
        format!("{kind}_{mode}_51{}", rng.string(ALNUM, 97))
    } else {
        format!("{kind}_{mode}_{}", rng.string(ALNUM, 24))
    }
}

/// PyPI API token: `pypi-` + base64url of a macaroon v2 with location `pypi.org`.
pub fn pypi_token(rng: &Rng) -> String {
    fn field(out: &mut Vec<u8>, ty: u8, data: &[u8]) {
        out.push(ty);
        let mut n = data.len();
        loop {
            let b = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(b);
                break;
            }
            out.push(b | 0x80);
        }
        out.extend_from_slice(data);
    }
    let mut m = vec![2u8];
    field(&mut m, 1, b"pypi.org");
    field(&mut m, 2, vocab::uuid(rng).as_bytes());
    m.push(0);
    let project = format!("{}-{}", rng.pick(vocab::ADJS), rng.pick(vocab::NOUNS));
    let caveat = match rng.below(4) {
        0 => r#"{"permissions": "user", "version": 1}"#.to_string(),
        1 => format!(r#"{{"permissions": {{"projects": ["{project}"]}}, "version": 1}}"#),
        2 => format!(r#"[1,["{project}"]]"#),
        _ => format!(r#"[3,"{}"]"#, vocab::uuid(rng)),
    };
    field(&mut m, 2, caveat.as_bytes());
    m.push(0);
    if rng.chance(0.3) {
        let now = 1_690_000_000 + rng.below(60_000_000) as u64;
        field(&mut m, 2, format!("[0,{},{}]", now + 86_400 * 90, now).as_bytes());
        m.push(0);
    }
    m.push(0);
    field(&mut m, 6, &rng.bytes(32));
    format!("pypi-{}", URL_SAFE_NO_PAD.encode(&m))
}

/// OpenAI key: project/service-account with the `T3BlbkFJ` marker, or the legacy form.
pub fn openai_key(rng: &Rng) -> String {
    match rng.below(6) {
        0 => format!("sk-{}T3BlbkFJ{}", rng.string(ALNUM, 20), rng.string(ALNUM, 20)),
        1 => format!("sk-svcacct-{}T3BlbkFJ{}", rng.string(B64URL, 74), rng.string(B64URL, 74)),
        2 => format!("sk-proj-{}T3BlbkFJ{}", rng.string(B64URL, 58), rng.string(B64URL, 58)),
        _ => format!("sk-proj-{}T3BlbkFJ{}", rng.string(B64URL, 74), rng.string(B64URL, 74)),
    }
}

/// Anthropic API key.
pub fn anthropic_key(rng: &Rng) -> String {
    if rng.chance(0.9) {
        format!("sk-ant-api03-{}AA", rng.string(B64URL, 93))
    } else {
        format!("sk-ant-admin01-{}AA", rng.string(B64URL, 93))
    }
}

/// Hugging Face user access token.
pub fn huggingface_token(rng: &Rng) -> String {
    format!("hf_{}", rng.string(ALPHA, 34))
}

/// SendGrid API key.
pub fn sendgrid_key(rng: &Rng) -> String {
    format!("SG.{}.{}", rng.string(B64URL, 22), rng.string(B64URL, 43))
}

/// Twilio API key SID (`SK…`), account SID (`AC…`, an identifier) and auth token (32 hex).
pub fn twilio_api_key_sid(rng: &Rng) -> String {
    format!("SK{}", rng.string(HEX, 32))
}

/// Twilio account SID (not a secret by itself).
pub fn twilio_account_sid(rng: &Rng) -> String {
    format!("AC{}", rng.string(HEX, 32))
}

/// Shopify token.
pub fn shopify_token(rng: &Rng) -> String {
    let p = rng.pick(&["shpat_", "shpat_", "shpca_", "shppa_", "shpss_"]);
    format!("{p}{}", rng.string(HEX, 32))
}

/// DigitalOcean token.
pub fn digitalocean_token(rng: &Rng) -> String {
    let p = rng.pick(&["dop_v1_", "dop_v1_", "doo_v1_", "dor_v1_"]);
    format!("{p}{}", rng.string(HEX, 64))
}

/// Docker Hub personal access token.
pub fn dockerhub_pat(rng: &Rng) -> String {
    format!("dckr_pat_{}", rng.string(B64URL, 27))
}

/// Postman API key.
pub fn postman_key(rng: &Rng) -> String {
    format!("PMAK-{}-{}", rng.string(HEX, 24), rng.string(HEX, 34))
}

/// Grafana service-account token: `glsa_` + 32 + `_` + hex of the little-endian CRC32 of
/// everything before the last underscore (checked against published real-world samples).
pub fn grafana_sa_token(rng: &Rng) -> String {
    let head = format!("glsa_{}", rng.string(ALNUM, 32));
    let crc = crc32fast::hash(head.as_bytes());
    let le: String = crc.to_le_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("{head}_{le}")
}

/// Grafana Cloud access-policy token: `glc_` + base64 of a small JSON document.
pub fn grafana_cloud_token(rng: &Rng) -> String {
    let json = format!(
        r#"{{"o":"{}","n":"{}-{}-{}","k":"{}","m":{{"r":"prod-{}-0"}}}}"#,
        rng.range(100_000, 999_999),
        rng.pick(&["stack", "token", "alloy", "metrics"]),
        rng.range(100_000, 999_999),
        rng.pick(vocab::NOUNS),
        rng.string(ALNUM, 24),
        rng.pick(&["us-east", "eu-west", "ap-southeast", "us-central"])
    );
    format!("glc_{}", STANDARD.encode(json.as_bytes()))
}

/// Discord webhook URL.
pub fn discord_webhook(rng: &Rng) -> String {
    let host = rng.pick(&["discord.com", "discord.com", "discordapp.com"]);
    format!(
        "https://{host}/api/webhooks/{}/{}",
        rng.string(DIGITS, rng.range(18, 19)),
        rng.string(B64URL, 68)
    )
}

/// Telegram bot token.
pub fn telegram_bot_token(rng: &Rng) -> String {
    format!("{}:AA{}", rng.range(100_000_000, 7_999_999_999), rng.string(B64URL, 33))
}

/// Azure storage account connection string; returns (connection string, account key).
pub fn azure_storage(rng: &Rng) -> (String, String) {
    let key = STANDARD.encode(rng.bytes(64));
    let account = format!(
        "{}{}",
        rng.pick(vocab::BRANDS),
        rng.pick(&["prod", "data", "logs", "st", "files"])
    );
    (
        format!(
            "DefaultEndpointsProtocol=https;AccountName={account};AccountKey={key};EndpointSuffix=core.windows.net"
        ),
        key,
    )
}

/// A JSON Web Token with realistic claims; HS256 or RS256 signature bytes.
pub fn jwt(rng: &Rng) -> String {
    let rs = rng.chance(0.5);
    let header = if rs {
        format!(r#"{{"alg":"RS256","typ":"JWT","kid":"{}"}}"#, vocab::hex(rng, 8))
    } else {
        r#"{"alg":"HS256","typ":"JWT"}"#.to_string()
    };
    let iat = 1_600_000_000 + rng.below(150_000_000) as u64;
    let payload = match rng.below(3) {
        0 => format!(
            r#"{{"sub":"{}","name":"{}","email":"{}","iat":{iat},"exp":{}}}"#,
            rng.range(1, 999_999),
            vocab::person(rng),
            vocab::email(rng),
            iat + 3600
        ),
        1 => format!(
            r#"{{"iss":"https://auth.{}","sub":"{}","aud":"{}-api","iat":{iat},"exp":{},"scope":"read:{} write:{}","roles":["{}"]}}"#,
            rng.pick(vocab::DOMAINS),
            vocab::uuid(rng),
            rng.pick(vocab::BRANDS),
            iat + 86_400,
            rng.pick(vocab::NOUNS),
            rng.pick(vocab::NOUNS),
            rng.pick(&["admin", "user", "service", "reader"])
        ),
        _ => format!(
            r#"{{"user_id":{},"username":"{}","session_id":"{}","iat":{iat}}}"#,
            rng.range(1, 99_999),
            rng.pick(vocab::FIRST_NAMES).to_ascii_lowercase(),
            vocab::hex(rng, 16)
        ),
    };
    let sig = rng.bytes(if rs { 256 } else { 32 });
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(sig)
    )
}

/// A password a person chose (hard positive: moderate entropy).
pub fn human_password(rng: &Rng) -> String {
    let words = [
        "Summer", "Winter", "Dragon", "Monkey", "Sunshine", "Falcon", "Tiger", "Coffee", "Rocket",
        "Purple", "Ocean", "Thunder", "Maple", "Silver", "Phoenix", "Galaxy",
    ];
    let syms = ["!", "#", "@", "$", "%", "&", "*", "?"];
    match rng.below(3) {
        0 => format!("{}{}{}", rng.pick(&words), rng.range(1970, 2025), rng.pick(&syms)),
        1 => format!(
            "{}{}{}{}",
            rng.pick(&words),
            rng.pick(&syms),
            rng.pick(&words).to_ascii_lowercase(),
            rng.range(10, 99)
        ),
        _ => {
            let w = rng.pick(&words).replace('o', "0").replace('a', "@").replace('e', "3");
            format!("{w}{}{}", rng.pick(&syms), rng.range(100, 9999))
        }
    }
}

/// A generated password (password manager / `openssl rand` style).
pub fn random_password(rng: &Rng) -> String {
    const SYM: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%&*+-=?@^_";
    match rng.below(4) {
        0 => rng.string(ALNUM, rng.range(16, 32)),
        1 => rng.string(SYM, rng.range(12, 24)),
        2 => STANDARD.encode(rng.bytes(rng.range(12, 24))).trim_end_matches('=').to_string(),
        _ => rng.string(B64URL, rng.range(20, 40)),
    }
}

/// A generated application secret (hex, base64 or Django's format).
pub fn app_secret(rng: &Rng) -> String {
    match rng.below(5) {
        0 => vocab::hex(rng, 32),
        1 => STANDARD.encode(rng.bytes(32)),
        2 => {
            const DJ: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)";
            format!("django-insecure-{}", rng.string(DJ, 50))
        }
        3 => vocab::hex(rng, 64),
        _ => rng.string(ALNUM, 40),
    }
}

/// A generic vendor API key (`api_key = …` for a vendor without a known prefix).
pub fn generic_api_key(rng: &Rng) -> String {
    match rng.below(4) {
        0 => rng.string(HEX, 32),
        1 => rng.string(ALNUM, 32),
        2 => format!("key-{}", rng.string(HEX, 32)),
        _ => rng.string(ALNUM, rng.range(24, 48)),
    }
}

// ---------------------------------------------------------------------------------------
// Long-tail providers (keys without a prefix, recognisable only by the name next to them)
// ---------------------------------------------------------------------------------------

/// A provider whose keys have no distinctive prefix: a fixed alphabet and length, written
/// next to the provider's name. Written from the providers' API documentation (key shapes
/// as shown in their dashboards and docs): `words` are the spellings developers use in
/// identifiers (`OPENWEATHER_API_KEY`, `OWM_API_KEY`), `cred` the credential noun the vendor
/// itself uses (`access_key` for the apilayer family, `api_token` for Pipedrive), `display`
/// the product name (headers, prose), `host` its documentation host.
#[derive(Clone, Copy, Debug)]
pub struct TailProvider {
    pub words: &'static [&'static str],
    pub cred: &'static str,
    pub display: &'static str,
    pub host: &'static str,
    pub alphabet: &'static [u8],
    pub len: usize,
}

const fn tp(
    words: &'static [&'static str],
    cred: &'static str,
    display: &'static str,
    host: &'static str,
    alphabet: &'static [u8],
    len: usize,
) -> TailProvider {
    TailProvider { words, cred, display, host, alphabet, len }
}

/// Long-tail providers and their key shapes.
#[rustfmt::skip]
pub const TAIL_PROVIDERS: &[TailProvider] = &[
    tp(&["amplitude"], "api_key", "Amplitude", "amplitude.com", HEX, 32),
    tp(&["ipstack"], "access_key", "Ipstack", "ipstack.com", HEX, 32),
    tp(&["positionstack"], "access_key", "Positionstack", "positionstack.com", HEX, 32),
    tp(&["weatherstack"], "access_key", "Weatherstack", "weatherstack.com", HEX, 32),
    tp(&["aviationstack"], "access_key", "Aviationstack", "aviationstack.com", HEX, 32),
    tp(&["marketstack"], "access_key", "Marketstack", "marketstack.com", HEX, 32),
    tp(&["mediastack"], "access_key", "Mediastack", "mediastack.com", HEX, 32),
    tp(&["currencylayer"], "access_key", "Currencylayer", "currencylayer.com", HEX, 32),
    tp(&["newsapi", "news_api"], "api_key", "NewsAPI", "newsapi.org", HEX, 32),
    tp(&["openweathermap", "openweather", "owm"], "api_key", "OpenWeatherMap", "openweathermap.org", HEX, 32),
    tp(&["mapquest"], "api_key", "MapQuest", "developer.mapquest.com", ALNUM, 32),
    tp(&["abstractapi", "abstract_api"], "api_key", "AbstractAPI", "abstractapi.com", HEX, 32),
    tp(&["exchangerate_api", "exchangerate"], "api_key", "ExchangeRate", "exchangerate-api.com", HEX, 24),
    tp(&["ipinfo"], "token", "IPinfo", "ipinfo.io", HEX, 14),
    tp(&["ipgeolocation"], "api_key", "IPGeolocation", "ipgeolocation.io", HEX, 32),
    tp(&["ipqualityscore", "ipqs"], "api_key", "IPQualityScore", "ipqualityscore.com", ALNUM, 32),
    tp(&["etherscan"], "api_key", "Etherscan", "docs.etherscan.io", UPPER_NUM, 34),
    tp(&["bscscan"], "api_key", "BscScan", "docs.bscscan.com", UPPER_NUM, 34),
    tp(&["finnhub"], "api_key", "Finnhub", "finnhub.io", LOWER_NUM, 20),
    tp(&["twelvedata", "twelve_data"], "api_key", "TwelveData", "twelvedata.com", HEX, 32),
    tp(&["tiingo"], "api_key", "Tiingo", "tiingo.com", HEX, 40),
    tp(&["spoonacular"], "api_key", "Spoonacular", "spoonacular.com", HEX, 32),
    tp(&["nutritionix"], "app_key", "Nutritionix", "developer.nutritionix.com", HEX, 32),
    tp(&["scraperapi"], "api_key", "ScraperAPI", "scraperapi.com", HEX, 32),
    tp(&["zenrows"], "api_key", "ZenRows", "zenrows.com", HEX, 40),
    tp(&["shodan"], "api_key", "Shodan", "developer.shodan.io", ALNUM, 32),
    tp(&["virustotal"], "api_key", "VirusTotal", "docs.virustotal.com", HEX, 64),
    tp(&["abuseipdb"], "api_key", "AbuseIPDB", "docs.abuseipdb.com", HEX, 80),
    tp(&["securitytrails"], "api_key", "SecurityTrails", "docs.securitytrails.com", ALNUM, 32),
    tp(&["bitly"], "access_token", "Bitly", "dev.bitly.com", HEX, 40),
    tp(&["rebrandly"], "api_key", "Rebrandly", "developers.rebrandly.com", HEX, 32),
    tp(&["lokalise"], "api_token", "Lokalise", "developers.lokalise.com", HEX, 40),
    tp(&["todoist"], "api_token", "Todoist", "developer.todoist.com", HEX, 40),
    tp(&["toggl"], "api_token", "Toggl", "developers.track.toggl.com", HEX, 32),
    tp(&["pipedrive"], "api_token", "Pipedrive", "developers.pipedrive.com", HEX, 40),
    tp(&["jotform"], "api_key", "Jotform", "api.jotform.com", HEX, 32),
    tp(&["zerobounce"], "api_key", "ZeroBounce", "zerobounce.net", HEX, 32),
    tp(&["geoapify"], "api_key", "Geoapify", "apidocs.geoapify.com", HEX, 32),
    tp(&["opencage", "opencagedata"], "api_key", "OpenCage", "opencagedata.com", HEX, 32),
    tp(&["tomtom"], "api_key", "TomTom", "developer.tomtom.com", ALNUM, 32),
    tp(&["weatherbit"], "api_key", "Weatherbit", "weatherbit.io", HEX, 32),
    tp(&["visualcrossing", "visual_crossing"], "api_key", "VisualCrossing", "visualcrossing.com", UPPER_NUM, 25),
    tp(&["flickr"], "api_key", "Flickr", "flickr.com/services/api", HEX, 32),
    tp(&["ticketmaster"], "api_key", "Ticketmaster", "developer.ticketmaster.com", ALNUM, 32),
    tp(&["unsplash"], "access_key", "Unsplash", "unsplash.com/documentation", B64URL, 43),
    tp(&["deepgram"], "api_key", "Deepgram", "developers.deepgram.com", HEX, 40),
];

/// A key of `p`'s shape (random; the alphabet's own letters in uniform mix).
pub fn tail_key(rng: &Rng, p: &TailProvider) -> String {
    rng.string(p.alphabet, p.len)
}

// ---------------------------------------------------------------------------------------
// Incoming webhooks
// ---------------------------------------------------------------------------------------

fn tenant(rng: &Rng) -> String {
    let b = rng.pick(vocab::BRANDS);
    match rng.below(3) {
        0 => b.to_string(),
        1 => format!("{b}corp"),
        _ => format!("{b}{}", rng.pick(&["365", "group", "inc", "hq"])),
    }
}

/// A Microsoft Teams incoming webhook (connector) URL: tenant host, group and tenant ids,
/// the connector's 32-hex id and the creator's object id; sometimes the older
/// `outlook.office.com/webhook/` host, or a Teams Workflows (Power Automate) trigger URL
/// whose `sig` is the secret.
pub fn teams_webhook(rng: &Rng) -> String {
    match rng.below(8) {
        0 => format!(
            "https://outlook.office.com/webhook/{}@{}/IncomingWebhook/{}/{}",
            vocab::uuid(rng),
            vocab::uuid(rng),
            rng.string(HEX, 32),
            vocab::uuid(rng)
        ),
        1 => format!(
            "https://prod-{:02}.{}.logic.azure.com:443/workflows/{}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={}",
            rng.range(1, 99),
            rng.pick(&["westus", "eastus", "westeurope", "northeurope", "uksouth"]),
            rng.string(HEX, 32),
            rng.string(B64URL, 43)
        ),
        _ => format!(
            "https://{}.webhook.office.com/webhookb2/{}@{}/IncomingWebhook/{}/{}",
            tenant(rng),
            vocab::uuid(rng),
            vocab::uuid(rng),
            rng.string(HEX, 32),
            vocab::uuid(rng)
        ),
    }
}

/// A Google Chat incoming webhook: space id (`AAAA` + 7), the API key and the 43-character
/// token (often with its URL-encoded `=` padding).
pub fn google_chat_webhook(rng: &Rng) -> String {
    format!(
        "https://chat.googleapis.com/v1/spaces/AAAA{}/messages?key=AIzaSy{}&token={}{}",
        rng.string(B64URL, 7),
        rng.string(B64URL, 33),
        rng.string(B64URL, 43),
        if rng.chance(0.5) { "%3D" } else { "" }
    )
}

/// A Zapier "Catch Hook" URL: account id and hook id.
pub fn zapier_webhook(rng: &Rng) -> String {
    format!(
        "https://hooks.zapier.com/hooks/catch/{}{}/{}/",
        rng.range(1, 9),
        rng.string(DIGITS, rng.range(5, 7)),
        rng.string(LOWER_NUM, 7)
    )
}

// ---------------------------------------------------------------------------------------
// Passwords as typed on command lines and in connection strings
// ---------------------------------------------------------------------------------------

/// A password for a command line: generated or human, never containing quotes or
/// backslashes (people who use those in scripts do not paste them on command lines).
pub fn cli_password(rng: &Rng) -> String {
    let p = match rng.below(4) {
        0 => human_password(rng),
        1 => random_password(rng),
        _ => rng.string(ALNUM, rng.range(12, 24)),
    };
    p.replace(['\'', '"', '\\', '`'], "x")
}

/// A password inside a URL or connection string: URL-safe (generated passwords usually are).
pub fn conn_password(rng: &Rng) -> String {
    const URLSAFE: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_.~";
    match rng.below(3) {
        0 => rng.string(URLSAFE, rng.range(16, 32)),
        1 => rng.string(B64URL, rng.range(20, 32)),
        _ => rng.string(ALNUM, rng.range(14, 28)),
    }
}

// ---------------------------------------------------------------------------------------
// Decoys
// ---------------------------------------------------------------------------------------

/// Keys printed in vendor documentation (and copied into READMEs and tests everywhere).
pub const DOC_EXAMPLES: &[(&str, &str)] = &[
    ("aws", "AKIAIOSFODNN7EXAMPLE"),
    ("aws", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("github", "ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
    ("stripe", "sk_test_4eC39HqLyjWDarjtT1zdp7dc"),
    ("slack", "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"),
    (
        "jwt",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    ),
];

/// Placeholder values people write where a secret goes.
#[rustfmt::skip]
pub const PLACEHOLDERS: &[&str] = &[
    "<your-token>", "<YOUR_API_KEY>", "<password>", "${TOKEN}", "${API_KEY}", "${DB_PASSWORD}",
    "xxxxxxxxxxxxxxxxxxxx", "changeme", "CHANGEME", "YOUR_API_KEY_HERE", "your-secret-here",
    "{{ .Values.auth.password }}", "{{ secret_key }}", "%(DB_PASSWORD)s", "$DB_PASSWORD",
    "********", "REPLACE_ME", "TODO", "<insert token here>", "dummy", "placeholder", "redacted",
    "sk-...", "password", "secret", "test", "",
];

// ---------------------------------------------------------------------------------------
// DER / PEM
// ---------------------------------------------------------------------------------------

fn der_len(out: &mut Vec<u8>, n: usize) {
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend_from_slice(&[0x81, n as u8]);
    } else {
        out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    }
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    der_len(&mut out, content.len());
    out.extend_from_slice(content);
    out
}

fn der_seq(parts: &[Vec<u8>]) -> Vec<u8> {
    der(0x30, &parts.concat())
}

/// A positive INTEGER of `n` bytes with the top bit set (a modulus-sized number).
fn der_big(rng: &Rng, n: usize) -> Vec<u8> {
    let mut b = rng.bytes(n);
    b[0] |= 0x80;
    b[n - 1] |= 1;
    let mut c = vec![0u8];
    c.extend_from_slice(&b);
    der(0x02, &c)
}

fn der_small(v: u32) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let mut s: &[u8] = &bytes;
    while s.len() > 1 && s[0] == 0 && s[1] & 0x80 == 0 {
        s = &s[1..];
    }
    der(0x02, s)
}

const OID_RSA: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_SHA256_RSA: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
const OID_CN: &[u8] = &[0x06, 0x03, 0x55, 0x04, 0x03];
const OID_O: &[u8] = &[0x06, 0x03, 0x55, 0x04, 0x0a];

fn rsa_pkcs1(rng: &Rng, bits: usize) -> Vec<u8> {
    let n = bits / 8;
    der_seq(&[
        der_small(0),
        der_big(rng, n),
        der_small(65537),
        der_big(rng, n),
        der_big(rng, n / 2),
        der_big(rng, n / 2),
        der_big(rng, n / 2),
        der_big(rng, n / 2),
        der_big(rng, n / 2),
    ])
}

fn ec_point(rng: &Rng) -> Vec<u8> {
    let mut p = vec![0x04];
    p.extend_from_slice(&rng.bytes(64));
    p
}

/// Wraps DER in PEM armour with 64-character lines.
pub fn pem(label: &str, der_bytes: &[u8], width: usize) -> String {
    let b64 = STANDARD.encode(der_bytes);
    let mut s = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(width) {
        s.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----"));
    s
}

/// A private key in PEM form (RSA PKCS#1, PKCS#8 RSA/EC/Ed25519, SEC1 EC or OpenSSH).
/// Structurally valid DER / openssh-key-v1; the numbers are random, not a real key pair.
pub fn private_key_pem(rng: &Rng) -> String {
    match rng.below(7) {
        0 | 1 => {
            let bits = *rng.pick(&[2048, 2048, 2048, 4096, 1024]);
            pem("RSA PRIVATE KEY", &rsa_pkcs1(rng, bits), 64)
        }
        2 => {
            let pkcs1 = rsa_pkcs1(rng, 2048);
            let alg = der_seq(&[OID_RSA.to_vec(), vec![0x05, 0x00]]);
            pem("PRIVATE KEY", &der_seq(&[der_small(0), alg, der(0x04, &pkcs1)]), 64)
        }
        3 => {
            // PKCS#8 Ed25519: 48 bytes.
            let mut d =
                vec![0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70];
            d.extend_from_slice(&[0x04, 0x22, 0x04, 0x20]);
            d.extend_from_slice(&rng.bytes(32));
            pem("PRIVATE KEY", &d, 64)
        }
        4 => {
            let mut bits = vec![0x00];
            bits.extend_from_slice(&ec_point(rng));
            let sec1 = der_seq(&[
                der_small(1),
                der(0x04, &rng.bytes(32)),
                der(0xa0, OID_P256),
                der(0xa1, &der(0x03, &bits)),
            ]);
            pem("EC PRIVATE KEY", &sec1, 64)
        }
        _ => openssh_ed25519(rng),
    }
}

fn ssh_string(out: &mut Vec<u8>, data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(data);
}

fn openssh_ed25519(rng: &Rng) -> String {
    let public = rng.bytes(32);
    let seed = rng.bytes(32);
    let mut pubblob = Vec::new();
    ssh_string(&mut pubblob, b"ssh-ed25519");
    ssh_string(&mut pubblob, &public);
    let mut private = Vec::new();
    let check = rng.bytes(4);
    private.extend_from_slice(&check);
    private.extend_from_slice(&check);
    ssh_string(&mut private, b"ssh-ed25519");
    ssh_string(&mut private, &public);
    let mut both = seed.clone();
    both.extend_from_slice(&public);
    ssh_string(&mut private, &both);
    let comment = format!(
        "{}@{}",
        rng.pick(vocab::FIRST_NAMES).to_ascii_lowercase(),
        rng.pick(vocab::BRANDS)
    );
    ssh_string(&mut private, comment.as_bytes());
    let mut pad = 1u8;
    while private.len() % 8 != 0 {
        private.push(pad);
        pad += 1;
    }
    let mut blob = b"openssh-key-v1\0".to_vec();
    ssh_string(&mut blob, b"none");
    ssh_string(&mut blob, b"none");
    ssh_string(&mut blob, b"");
    blob.extend_from_slice(&1u32.to_be_bytes());
    ssh_string(&mut blob, &pubblob);
    ssh_string(&mut blob, &private);
    pem("OPENSSH PRIVATE KEY", &blob, 70)
}

fn rsa_spki(rng: &Rng) -> Vec<u8> {
    let key = der_seq(&[der_big(rng, 256), der_small(65537)]);
    let mut bits = vec![0x00];
    bits.extend_from_slice(&key);
    der_seq(&[der_seq(&[OID_RSA.to_vec(), vec![0x05, 0x00]]), der(0x03, &bits)])
}

/// A public key in PEM (`BEGIN PUBLIC KEY`): not a secret.
pub fn public_key_pem(rng: &Rng) -> String {
    if rng.chance(0.6) {
        pem("PUBLIC KEY", &rsa_spki(rng), 64)
    } else {
        let mut bits = vec![0x00];
        bits.extend_from_slice(&ec_point(rng));
        let spki = der_seq(&[der_seq(&[OID_EC.to_vec(), OID_P256.to_vec()]), der(0x03, &bits)]);
        pem("PUBLIC KEY", &spki, 64)
    }
}

fn name(cn: &str, o: &str) -> Vec<u8> {
    let rdn = |oid: &[u8], v: &str| der(0x31, &der_seq(&[oid.to_vec(), der(0x0c, v.as_bytes())]));
    der_seq(&[rdn(OID_O, o), rdn(OID_CN, cn)])
}

/// An X.509 certificate in PEM: not a secret.
pub fn certificate_pem(rng: &Rng) -> String {
    let brand = rng.pick(vocab::BRANDS).to_string();
    let host = format!("{}.{}", rng.pick(vocab::NOUNS), rng.pick(vocab::DOMAINS));
    let alg = der_seq(&[OID_SHA256_RSA.to_vec(), vec![0x05, 0x00]]);
    let y = rng.range(19, 24);
    let validity = der_seq(&[
        der(0x17, format!("{y}0101000000Z").as_bytes()),
        der(0x17, format!("{}0101000000Z", y + 2).as_bytes()),
    ]);
    let tbs = der_seq(&[
        der(0xa0, &der_small(2)),
        der(0x02, &rng.bytes(16)),
        alg.clone(),
        name(&format!("{brand} Internal CA"), &brand),
        validity,
        name(&host, &brand),
        rsa_spki(rng),
    ]);
    let mut sig = vec![0x00];
    sig.extend_from_slice(&rng.bytes(256));
    pem("CERTIFICATE", &der_seq(&[tbs, alg, der(0x03, &sig)]), 64)
}

/// An OpenSSH public key line (`authorized_keys` format): not a secret.
pub fn ssh_public_key(rng: &Rng) -> String {
    let mut blob = Vec::new();
    ssh_string(&mut blob, b"ssh-rsa");
    ssh_string(&mut blob, &[0x01, 0x00, 0x01]);
    let mut n = vec![0x00];
    n.extend_from_slice(&rng.bytes(256));
    ssh_string(&mut blob, &n);
    format!(
        "ssh-rsa {} {}@{}",
        STANDARD.encode(&blob),
        rng.pick(vocab::FIRST_NAMES).to_ascii_lowercase(),
        rng.pick(vocab::BRANDS)
    )
}

/// A small PNG as a `data:` URI: not a secret.
pub fn image_data_uri(rng: &Rng) -> String {
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d];
    png.extend_from_slice(b"IHDR");
    png.extend_from_slice(&rng.bytes(rng.range(60, 600)));
    format!("data:image/png;base64,{}", STANDARD.encode(&png))
}

/// An npm `integrity` value (`sha512-` + base64 of 64 bytes).
pub fn integrity(rng: &Rng) -> String {
    format!("sha512-{}", STANDARD.encode(rng.bytes(64)))
}

/// Standard base64 of a string.
pub fn b64_str(s: &str) -> String {
    STANDARD.encode(s.as_bytes())
}

/// Standard base64 of `n` random bytes (for blobs such as fonts and images).
pub fn b64(rng: &Rng, n: usize) -> String {
    STANDARD.encode(rng.bytes(n))
}

#[cfg(test)]
mod tests {
    // Benches are built with cfg(test) but without their #[test] functions.
    #[allow(unused_imports)]
    use super::*;

    #[test]
    fn github_vectors() {
        assert_eq!(github_checksum("M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq"), "11T4V4");
        assert_eq!(github_checksum("HEEjXavM6wKtyhAUwDblMznMEhWyTt"), "4XwY6f");
        assert_eq!(github_checksum("yk8LTIKF7M9SgRPBFzu7nkPQBBLcAa"), "2aAbrx");
        assert_eq!(github_checksum("abcdefghijklmnopqrstuvwxyz0123"), "2LolCm");
        // The GitHub documentation placeholder does not satisfy the checksum.
        assert_ne!(github_checksum("16C7e42F292c6912E7710c838347Ae"), "178B4a");
        assert_eq!(base62(0xFFFF_FFFF, 6), "4gfFC3");
    }

    #[test]
    fn gitlab_routable_vectors() {
        let random: Vec<u8> = (0u8..16).collect();
        let routing = gitlab_routing(&[('u', 12345), ('o', 1), ('c', 1)]);
        assert_eq!(routing, "c:1\no:1\nu:9ix");
        assert_eq!(
            gitlab_routable_v1("glpat-", &random, &routing),
            "glpat-AAECAwQFBgcICQoLDA0OD2M6MQpvOjEKdTo5aXgN.01.141uldyz0"
        );
        assert_eq!(
            gitlab_routable_legacy("glpat-", &random, &routing),
            "glpat-YzoxCm86MQp1OjlpeAABAgMEBQYHCAkKCwwNDg8Q.140nv1i8j"
        );
    }

    #[test]
    fn gitlab_design_doc_vector() {
        // `bzoxd_Rb5_cHeWe1JH56wr2FCBA.0r1pum4t4`: no prefix, routing `o:1`; check the CRC.
        let t = "bzoxd_Rb5_cHeWe1JH56wr2FCBA.0r1pum4t4";
        let (head, crc) = t.split_at(t.len() - 7);
        assert_eq!(base36(crc32fast::hash(head.as_bytes()) as u64, 7), crc);
    }

    #[test]
    fn aws_account_encoding() {
        // Decode per SPECS §3.6 and compare with the published example.
        fn account(id: &str) -> u64 {
            const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
            let mut bits: u128 = 0;
            for c in id[4..].bytes() {
                bits = (bits << 5) | A.iter().position(|&x| x == c).unwrap() as u128;
            }
            let z = (bits >> 32) as u64; // first 48 of 80 bits
            (z & 0x7FFF_FFFF_FF80) >> 7
        }
        assert_eq!(account("ASIAQNZGKIQY56JQ7WML"), 29_608_264_753);
        let rng = Rng::new(7);
        for _ in 0..50 {
            let id = aws_key_id(&rng, "AKIA");
            assert_eq!(id.len(), 20);
            let a = account(&id);
            assert!((100_000_000_000..=999_999_999_999).contains(&a), "{id} {a}");
        }
    }

    #[test]
    fn grafana_samples() {
        // Published real-world samples (revoked demo tokens in public repositories).
        for t in [
            "glsa_59XrtzqaLhSMrlep4eCcGvPsXCaf9xE6_b83d1d4f",
            "glsa_18jsK51ALMvwoM7wnaevzGKSLp6UOsTm_07394f66",
        ] {
            let crc = crc32fast::hash(&t.as_bytes()[..t.len() - 9]);
            let le: String = crc.to_le_bytes().iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(le, &t[t.len() - 8..]);
        }
    }

    #[test]
    fn shapes() {
        let rng = Rng::new(1);
        assert!(pypi_token(&rng).starts_with("pypi-AgEIcHlwaS5vcmc"));
        assert_eq!(github_token(&rng, "ghp").len(), 40);
        assert_eq!(github_fine_grained(&rng).len(), 93);
        assert_eq!(telegram_bot_token(&rng).split(':').nth(1).map(str::len), Some(35));
        let k = anthropic_key(&rng);
        assert!(k.ends_with("AA"));
        let pk = private_key_pem(&rng);
        assert!(pk.starts_with("-----BEGIN ") && pk.ends_with("-----"));
        for p in TAIL_PROVIDERS {
            let k = tail_key(&rng, p);
            assert!(k.len() == p.len && k.bytes().all(|b| p.alphabet.contains(&b)), "{k}");
        }
        for _ in 0..20 {
            let t = teams_webhook(&rng);
            assert!(t.contains("/IncomingWebhook/") || t.contains("&sig="), "{t}");
            let g = google_chat_webhook(&rng);
            let token = g.split("&token=").nth(1).unwrap_or_default().trim_end_matches("%3D");
            assert_eq!(token.len(), 43, "{g}");
            let z = zapier_webhook(&rng);
            assert!(z.starts_with("https://hooks.zapier.com/hooks/catch/") && z.ends_with('/'));
        }
    }
}
