//! The generator of `tests/fixtures/gitleaks/`'s tree: a few files with generated fake
//! credentials that trip several rules of gitleaks' default configuration, next to
//! placeholders, documentation example keys and tokens with a broken checksum that
//! leakguard's own filters drop and gitleaks reports.
//!
//! Deterministic: every value comes from a seeded [`Rng`], so the test regenerates exactly
//! the tree `report.json` was made from (see `tests/fixtures/gitleaks/README.md`). Every
//! value is generated, format-valid and fake; each file says so in its first line.

use std::path::Path;

use base64::Engine as _;

use crate::util::{B62, Rng, github_pat, github_pat_bad_checksum};

const HEADER: &str = "leakguard test fixture: generated fake values, not credentials";
const HEX: &[u8] = b"0123456789abcdef";
const DIGITS: &[u8] = b"0123456789";
const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64url(s: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

/// (relative path, contents) of every file of the tree.
pub fn files() -> Vec<(String, String)> {
    let mut r = Rng::new(20_251_203);
    let mut out = Vec::new();

    // Tokens with a provider prefix.
    let aws_id = format!("AKIA{}", r.string(BASE32, 16));
    let aws_secret = r.string(B64, 40);
    out.push((
        "config/aws.ini".to_string(),
        format!(
            "# {HEADER}\n[default]\naws_access_key_id = {aws_id}\naws_secret_access_key = {aws_secret}\n"
        ),
    ));
    out.push((
        "config/app.env".to_string(),
        format!(
            "# {HEADER}\nGITHUB_TOKEN={}\nGITLAB_TOKEN=glpat-{}\n# rotated last year, checksum no longer matches\nOLD_GITHUB_TOKEN={}\n",
            github_pat(7001),
            r.string(B62, 20),
            github_pat_bad_checksum(7002),
        ),
    ));
    out.push((
        "src/payments.js".to_string(),
        format!(
            "// {HEADER}\nconst stripe = require('stripe')('sk_live_{}');\n// the key from Stripe's API reference\nconst docs = require('stripe')('sk_test_4eC39HqLyjWDarjtT1zdp7dc');\n",
            r.string(B62, 24),
        ),
    ));
    out.push((
        "src/notify.py".to_string(),
        format!(
            "# {HEADER}\nSLACK_BOT = \"xoxb-{}-{}-{}\"\nNPM_TOKEN = \"npm_{}\"\n",
            r.string(DIGITS, 12),
            r.string(DIGITS, 13),
            r.string(B62, 24),
            // Random body: npm's CRC32 checksum does not hold.
            r.string(B62, 36),
        ),
    ));

    // A JSON Web Token, and the jwt.io sample token.
    let header = b64url(r#"{"alg":"HS256","typ":"JWT"}"#);
    let payload =
        b64url(&format!(r#"{{"sub":"fake-user-{}","iat":1700000000}}"#, r.string(DIGITS, 6)));
    let sig = r.string(B62, 43);
    let jwt_io = [
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
        "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ",
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    ]
    .join(".");
    out.push((
        "src/session.ts".to_string(),
        format!(
            "// {HEADER}\nexport const session = '{header}.{payload}.{sig}';\n// from the jwt.io debugger\nexport const sample = '{jwt_io}';\n"
        ),
    ));

    // A PEM private key with a random body.
    let body: Vec<String> = (0..8).map(|_| r.string(B64, 64)).collect();
    out.push((
        "keys/deploy_key.pem".to_string(),
        format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
            body.join("\n")
        ),
    ));

    // Generic assignments: a random value, placeholders and references.
    out.push((
        "settings/service.yml".to_string(),
        format!(
            "# {HEADER}\nservice:\n  api_key: \"{}\"\n  client_secret: \"{}\"\n  webhook_token: \"your_webhook_token_{}\"\n  signing_key: \"example{}\"\n  auth_token: \"{}xxxx{}\"\n",
            r.string(B62, 32),
            r.string(HEX, 40),
            r.string(DIGITS, 6),
            r.string(B62, 20),
            r.string(B62, 12),
            r.string(B62, 12),
        ),
    ));
    out
}

/// Writes the tree under `root`.
pub fn write(root: &Path) {
    for (rel, contents) in files() {
        let p = root.join(&rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, contents).unwrap();
    }
}

/// Writes the tree to `$LEAKGUARD_GITLEAKS_TREE`, for regenerating `report.json` with
/// gitleaks (`tests/fixtures/gitleaks/README.md`).
#[test]
#[ignore = "writes the fixture tree to $LEAKGUARD_GITLEAKS_TREE for regenerating the gitleaks report"]
fn gitleaks_fixture_tree_write() {
    let root = std::env::var_os("LEAKGUARD_GITLEAKS_TREE").expect("set $LEAKGUARD_GITLEAKS_TREE");
    write(Path::new(&root));
}
