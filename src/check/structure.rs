//! Structural checks for formats without a checksum: PyPI macaroons, JWTs, AWS key ids,
//! PEM bodies, Azure storage keys, Discord bot tokens, and the shape test for generic secrets.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

use super::Verdict;

fn b64_any(s: &[u8]) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(s)
        .or_else(|_| URL_SAFE.decode(s))
        .or_else(|_| STANDARD.decode(s))
        .or_else(|_| STANDARD_NO_PAD.decode(s))
        .ok()
}

/// `pypi-` + base64url(macaroon v2): version byte 2, then field 1 (location).
pub(super) fn pypi(secret: &[u8]) -> Verdict {
    let Some(body) = secret.strip_prefix(b"pypi-") else {
        return Verdict::Invalid("no pypi- prefix");
    };
    let Some(raw) = b64_any(body) else {
        return Verdict::Invalid("not base64url");
    };
    // version 2, field type 1 (location), varint length, location bytes
    if raw.len() < 40 || raw[0] != 2 || raw[1] != 1 {
        return Verdict::Invalid("not a v2 macaroon");
    }
    let loc_len = raw[2] as usize;
    let Some(loc) = raw.get(3..3 + loc_len) else {
        return Verdict::Invalid("truncated location");
    };
    if !loc.ends_with(b"pypi.org") {
        return Verdict::Invalid("location is not pypi.org");
    }
    // Next field: identifier (type 2).
    match raw.get(3 + loc_len) {
        Some(2) => Verdict::Valid,
        _ => Verdict::Invalid("no identifier field"),
    }
}

/// Three base64url segments; header a JSON object with `alg`; payload a JSON object.
pub(super) fn jwt(secret: &[u8]) -> Verdict {
    let parts: Vec<&[u8]> = secret.split(|&b| b == b'.').collect();
    if parts.len() != 3 {
        return Verdict::Invalid("not three segments");
    }
    let json = |seg: &[u8]| -> Option<serde_json::Map<String, serde_json::Value>> {
        let raw = b64_any(seg)?;
        match serde_json::from_slice::<serde_json::Value>(&raw).ok()? {
            serde_json::Value::Object(m) => Some(m),
            _ => None,
        }
    };
    let Some(header) = json(parts[0]) else {
        return Verdict::Invalid("header is not base64 JSON");
    };
    if !header.contains_key("alg") {
        return Verdict::Invalid("header has no alg");
    }
    if json(parts[1]).is_none() {
        return Verdict::Invalid("payload is not base64 JSON");
    }
    // An unsigned token (alg none, empty signature) is still a credential for some
    // servers; a signed one needs a plausible signature.
    if !parts[2].is_empty() && parts[2].len() < 16 {
        return Verdict::Invalid("signature too short");
    }
    Verdict::Valid
}

const AWS_PREFIXES: &[&[u8]] = &[
    b"AKIA", b"ASIA", b"ABIA", b"ACCA", b"AGPA", b"AIDA", b"AIPA", b"ANPA", b"ANVA", b"APKA",
    b"AROA", b"ASCA",
];

/// Known 4-char prefix (or legacy `A3T?`) + 16 chars of the base32 alphabet.
pub(super) fn aws_access_key_id(secret: &[u8]) -> Verdict {
    if secret.len() != 20 {
        return Verdict::Invalid("not 20 characters");
    }
    let (prefix, rest) = secret.split_at(4);
    let known = AWS_PREFIXES.contains(&prefix)
        || (prefix.starts_with(b"A3T") && prefix[3].is_ascii_alphanumeric());
    if !known {
        return Verdict::Invalid("unknown prefix");
    }
    if rest.iter().all(|&b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)) {
        Verdict::Valid
    } else {
        Verdict::Invalid("not base32")
    }
}

/// The base64 body between the BEGIN and END lines decodes to at least 64 bytes.
pub(super) fn private_key(secret: &[u8]) -> Verdict {
    let text = String::from_utf8_lossy(secret);
    let mut body = String::new();
    let mut in_body = false;
    for line in text.lines() {
        let line = line.trim().trim_matches(|c| c == '"' || c == '\'' || c == ',');
        // JSON-embedded keys use literal "\n" separators.
        for piece in line.split("\\n") {
            let piece = piece.trim();
            if piece.starts_with("-----BEGIN") || piece.starts_with("---- BEGIN") {
                in_body = true;
                continue;
            }
            if piece.starts_with("-----END") || piece.starts_with("---- END") {
                in_body = false;
                continue;
            }
            // Headers such as `Proc-Type: 4,ENCRYPTED` or PuTTY fields.
            if in_body && !piece.contains(':') {
                body.push_str(piece);
            }
        }
    }
    let body: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    if body.len() < 64 {
        return Verdict::Invalid("body too short");
    }
    let clean = body.trim_end_matches('=');
    if !clean.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/') {
        return Verdict::Invalid("body is not base64");
    }
    match STANDARD_NO_PAD.decode(clean) {
        Ok(raw) if raw.len() >= 48 => Verdict::Valid,
        _ => Verdict::Invalid("body does not decode"),
    }
}

/// 88 base64 characters decoding to 64 bytes.
pub(super) fn azure_storage_key(secret: &[u8]) -> Verdict {
    match STANDARD.decode(secret) {
        Ok(raw) if raw.len() == 64 => Verdict::Valid,
        _ => Verdict::Invalid("not base64 of 64 bytes"),
    }
}

/// `<base64(snowflake)>.<timestamp>.<hmac>`; the first segment decodes to 17-20 digits.
pub(super) fn discord_bot_token(secret: &[u8]) -> Verdict {
    let first = secret.split(|&b| b == b'.').next().unwrap_or_default();
    match b64_any(first) {
        Some(raw) if (17..=20).contains(&raw.len()) && raw.iter().all(u8::is_ascii_digit) => {
            Verdict::Valid
        }
        _ => Verdict::Invalid("first segment is not a base64 snowflake"),
    }
}

/// Shape test for values of generic `password = ...` assignments: a secret is a run of
/// mixed characters, not an identifier, a word, a path, a call or an expression.
/// A value found by a context rule (provider name + key word + fixed-alphabet value).
///
/// Random keys of 16 characters and more from a letter+digit alphabet almost always hold
/// both (a 32-character alphanumeric key lacks a digit with probability 0.4%), while the
/// look-alikes next to provider names do not: identifiers and words (`MailgunApiKeyName`),
/// numbers (ids, timestamps), and runs such as `0123456789abcdef`. UUIDs and all-digit
/// alphabets are judged by entropy and the run and repeat tests alone.
pub(super) fn context_value(secret: &[u8]) -> Verdict {
    let s = secret;
    let digits = s.iter().filter(|b| b.is_ascii_digit()).count();
    let is_uuid = s.len() == 36 && s.iter().filter(|&&b| b == b'-').count() == 4;
    if is_uuid {
        return Verdict::NotApplicable;
    }
    // All digits is a `digits` alphabet's shape; otherwise a key of 16+ holds a digit.
    if s.len() >= 16 && digits == 0 {
        return Verdict::Invalid("no digit: a word or identifier, not a random key");
    }
    // Ascending or descending runs (`0123456789abcdef`, `abcdefgh`) of 8 and more.
    let mut run = 1;
    for w in s.windows(2) {
        let step = i16::from(w[1]) - i16::from(w[0]);
        run = if step == 1 || step == -1 { run + 1 } else { 1 };
        if run >= 8 {
            return Verdict::Invalid("a run of consecutive characters");
        }
    }
    // One short unit repeated (`abc123abc123...`).
    for unit in 1..=8usize {
        if s.len() >= unit * 3 && s.chunks(unit).all(|c| c == &s[..c.len()]) {
            return Verdict::Invalid("a repeated pattern");
        }
    }
    Verdict::NotApplicable
}

pub(super) fn generic_secret(secret: &[u8]) -> Verdict {
    let s = secret;
    if s.len() < 8 {
        return Verdict::Invalid("too short");
    }
    if s.len() > 200 {
        return Verdict::Invalid("too long for a password");
    }
    if s.iter().any(|&b| b.is_ascii_whitespace()) {
        return Verdict::Invalid("contains whitespace (prose)");
    }
    let text = String::from_utf8_lossy(s);
    let lower = text.to_ascii_lowercase();
    // Code, not a value: calls, member access chains, templates, paths, URLs without creds.
    if text.contains("()")
        || text.ends_with(')')
        || text.starts_with('/')
        || text.starts_with("./")
        || text.starts_with("..")
        || lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("file:")
        || text.contains("::")
        || text.contains("->")
    {
        return Verdict::Invalid("looks like code or a path");
    }
    if lower.ends_with(".txt")
        || lower.ends_with(".json")
        || lower.ends_with(".pem")
        || lower.ends_with(".key")
        || lower.ends_with(".yaml")
        || lower.ends_with(".yml")
    {
        return Verdict::Invalid("a file name");
    }
    let dotted = text.split('.').count() >= 3
        && text
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        && !text.bytes().any(|b| b.is_ascii_digit());
    if dotted {
        return Verdict::Invalid("member access chain");
    }
    let lowers = s.iter().filter(|b| b.is_ascii_lowercase()).count();
    let uppers = s.iter().filter(|b| b.is_ascii_uppercase()).count();
    let digits = s.iter().filter(|b| b.is_ascii_digit()).count();
    let others = s.len() - lowers - uppers - digits;
    let classes = [lowers, uppers, digits, others].iter().filter(|&&n| n > 0).count();
    if classes < 2 {
        return Verdict::Invalid("a single character class");
    }
    // snake_case / camelCase identifiers: letters and underscores only, word-like.
    let identifier = s.iter().all(|&b| b.is_ascii_alphabetic() || b == b'_' || b == b'-')
        && (s.contains(&b'_') || s.contains(&b'-') || is_camel_words(s));
    if identifier {
        return Verdict::Invalid("an identifier");
    }
    // snake_case identifiers with digits, e.g. `_bindgen_ty_24`, `field_name_2`.
    if s.contains(&b'_')
        && s.iter().all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !s[0].is_ascii_digit()
    {
        return Verdict::Invalid("a snake_case identifier");
    }
    // ALL_CAPS constants with digits, e.g. SECRET_KEY_V2.
    if s.iter().all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && s.contains(&b'_')
    {
        return Verdict::Invalid("a constant name");
    }
    Verdict::Valid
}

fn is_camel_words(s: &[u8]) -> bool {
    // camelCase / PascalCase made of word-like humps, each at least 2 letters.
    let mut humps = 0;
    let mut len = 0;
    for (i, &b) in s.iter().enumerate() {
        if b.is_ascii_uppercase() && i > 0 {
            if len < 2 {
                return false;
            }
            humps += 1;
            len = 0;
        }
        len += 1;
    }
    humps >= 1 && len >= 2 && s.iter().filter(|b| b.is_ascii_uppercase()).count() * 3 <= s.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_value_keeps_random_keys_and_drops_words_runs_and_repeats() {
        for ok in [
            &b"3f9c2a7d81b64e0f9a5c7d2e1b8f4a60"[..],
            b"kQ7mZ2xP9vR4tW1yB8nC3dF6gH0jL5sA",
            b"48213377409912",
            b"0b2c5a4e-5d3f-4f7e-9d61-6e1f3c8a9b7d",
        ] {
            assert_eq!(
                context_value(ok),
                Verdict::NotApplicable,
                "{}",
                String::from_utf8_lossy(ok)
            );
        }
        for bad in [
            &b"MailgunApiKeyForProductionUse"[..],
            b"0123456789abcdef0f3e2a7c9b1d4e5f",
            b"ab12ab12ab12ab12ab12ab12ab12ab12",
            b"00000000000000000000000000000000",
        ] {
            assert!(
                matches!(context_value(bad), Verdict::Invalid(_)),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn pypi_head() {
        // 02 01 08 "pypi.org" 02 ... : version, location, identifier field.
        let mut raw = vec![2u8, 1, 8];
        raw.extend_from_slice(b"pypi.org");
        raw.extend_from_slice(&[2, 36]);
        raw.extend_from_slice(b"0b2c5a4e-5d3f-4f7e-9d61-6e1f3c8a9b7d");
        raw.extend_from_slice(&[0, 0, 6, 32]);
        raw.extend_from_slice(&[9u8; 32]);
        let tok = format!("pypi-{}", URL_SAFE_NO_PAD.encode(&raw));
        assert!(tok.starts_with("pypi-AgEIcHlwaS5vcmc"));
        assert_eq!(pypi(tok.as_bytes()), Verdict::Valid);
        assert!(matches!(
            pypi(b"pypi-AgEIcHlwaS5vcmcAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            Verdict::Invalid(_)
        ));
    }

    #[test]
    fn jwt_structure() {
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let p = URL_SAFE_NO_PAD.encode(br#"{"sub":"1234567890","iat":1516239022}"#);
        let tok = format!("{h}.{p}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");
        assert_eq!(jwt(tok.as_bytes()), Verdict::Valid);
        assert!(matches!(jwt(b"eyJhbGciOi.notjson.sig"), Verdict::Invalid(_)));
        assert!(matches!(jwt(b"a.b"), Verdict::Invalid(_)));
    }

    #[test]
    fn aws_ids() {
        assert_eq!(aws_access_key_id(b"ASIAQNZGKIQY56JQ7WML"), Verdict::Valid);
        assert!(matches!(aws_access_key_id(b"AKIA0000000000000000"), Verdict::Invalid(_)));
        assert!(matches!(aws_access_key_id(b"AXXAQNZGKIQY56JQ7WML"), Verdict::Invalid(_)));
    }

    #[test]
    fn pem_bodies() {
        let body = STANDARD.encode([0x5au8; 600]);
        let key = format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n{}\n-----END RSA PRIVATE KEY-----",
            &body[..64],
            &body[64..]
        );
        assert_eq!(private_key(key.as_bytes()), Verdict::Valid);
        assert!(matches!(
            private_key(b"-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----"),
            Verdict::Invalid(_)
        ));
        let json =
            format!("\"-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n\"", body);
        assert_eq!(private_key(json.as_bytes()), Verdict::Valid);
    }

    #[test]
    fn generic_shapes() {
        for good in [
            "hX9#mQ2v!Lz7",
            "s3cr3tP4ssw0rdZ",
            "c29tZXRoaW5nLXJhbmRvbQ",
            "a8f5f167f44f4964e6c998dee827110c",
        ] {
            assert_eq!(generic_secret(good.as_bytes()), Verdict::Valid, "{good}");
        }
        for bad in [
            "get_password()",
            "self.config.password",
            "passwordField",
            "DB_PASSWORD",
            "/etc/secret.txt",
            "https://example.org/x",
            "secret.json",
            "hello world",
            "abcdefgh",
            "12345678",
        ] {
            assert!(matches!(generic_secret(bad.as_bytes()), Verdict::Invalid(_)), "{bad}");
        }
    }

    #[test]
    fn discord() {
        let id = STANDARD_NO_PAD.encode(b"123456789012345678");
        let tok = format!("{id}.GhJ2kq.abcdefghijklmnopqrstuvwxyz0123456789AB");
        assert_eq!(discord_bot_token(tok.as_bytes()), Verdict::Valid);
        assert!(matches!(discord_bot_token(b"bm90IGFuIGlk.GhJ2kq.abc"), Verdict::Invalid(_)));
    }
}
