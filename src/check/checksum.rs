//! Checksums carried inside token formats: GitHub/npm (CRC32 in base62), GitLab routable
//! tokens (CRC32 in base36 plus a length field and a decodable payload, two framings) and
//! Grafana service account tokens (CRC32 in hex).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::Verdict;

const B62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// CRC32 (IEEE) of `payload` in base62, most significant digit first, padded to 6 chars.
///
/// ```
/// assert_eq!(leakguard::check::base62_crc32(b"abcdefghijklmnopqrstuvwxyz0123"), "2LolCm");
/// ```
pub fn base62_crc32(payload: &[u8]) -> String {
    let mut c = crc32fast::hash(payload);
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = B62[(c % 62) as usize];
        c /= 62;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `<prefix>_` + 30 base62 + 6-char base62 CRC32 of the 30.
pub(super) fn github_style(secret: &[u8]) -> Verdict {
    let Some(us) = secret.iter().rposition(|&b| b == b'_') else {
        return Verdict::Invalid("no underscore");
    };
    let body = &secret[us + 1..];
    if body.len() != 36 || !body.iter().all(u8::is_ascii_alphanumeric) {
        return Verdict::Invalid("body is not 36 base62 characters");
    }
    let (payload, sum) = body.split_at(30);
    if base62_crc32(payload).as_bytes() == sum {
        Verdict::Valid
    } else {
        Verdict::Invalid("checksum mismatch")
    }
}

fn base36(mut n: u64, width: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    while n > 0 {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// What a GitLab routable token's payload decodes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutablePayload {
    /// `"01"` for the current framing, `None` for the earlier one.
    pub version: Option<String>,
    /// `(key, value)` routing pairs (`o` organization, `c` cell, `u` user, ...).
    pub routing: Vec<(String, String)>,
}

/// Decodes and verifies a GitLab routable token (either framing, any prefix).
///
/// Returns `None` when the token is not routable-shaped, `Some(Err)` when it is shaped like
/// one but fails a check, `Some(Ok)` when CRC, length field and payload all hold.
///
/// ```
/// let t = "glpat-AAECAwQFBgcICQoLDA0OD2M6MQpvOjEKdTo5aXgN.01.141uldyz0";
/// let p = leakguard::check::gitlab_routable_decode(t.as_bytes()).unwrap().unwrap();
/// assert_eq!(p.version.as_deref(), Some("01"));
/// ```
pub fn gitlab_routable_decode(token: &[u8]) -> Option<Result<RoutablePayload, &'static str>> {
    let s = std::str::from_utf8(token).ok()?;
    if s.len() < 37 || s.len() > 340 {
        return None;
    }
    let (head, crc_text) = s.split_at(s.len() - 7);
    if !crc_text.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()) {
        return None;
    }
    // head = prefix + B64 + ["." "01"] + "." + LL
    let (before_ll, ll) = head.split_at(head.len().checked_sub(2)?);
    let before_dot = before_ll.strip_suffix('.')?;
    let (b64_and_prefix, version) = match before_dot.strip_suffix(".01") {
        Some(rest) => (rest, Some("01".to_string())),
        None => (before_dot, None),
    };
    let ll = u64::from_str_radix(ll, 36).ok()? as usize;
    if !(27..=300).contains(&ll) || ll > b64_and_prefix.len() {
        return Some(Err("length field out of range"));
    }
    let crc = crc32fast::hash(head.as_bytes());
    if base36(u64::from(crc), 7) != crc_text {
        return Some(Err("checksum mismatch"));
    }
    let b64 = &b64_and_prefix[b64_and_prefix.len() - ll..];
    let Ok(raw) = URL_SAFE_NO_PAD.decode(b64) else {
        return Some(Err("payload is not base64url"));
    };
    let Some((&last, rest)) = raw.split_last() else {
        return Some(Err("empty payload"));
    };
    let routing_bytes = match version {
        // v1: random16 || routing || u8(len(routing))
        Some(_) => {
            let n = last as usize;
            if rest.len() != 16 + n {
                return Some(Err("routing length byte does not fit"));
            }
            &rest[16..]
        }
        // earlier framing: routing || random16 || u8(16)
        None => {
            if last != 16 || rest.len() < 16 {
                return Some(Err("random length byte is not 16"));
            }
            &rest[..rest.len() - 16]
        }
    };
    let Ok(text) = std::str::from_utf8(routing_bytes) else {
        return Some(Err("routing payload is not text"));
    };
    let mut routing = Vec::new();
    for line in text.split('\n').filter(|l| !l.is_empty()) {
        let Some((k, v)) = line.split_once(':') else {
            return Some(Err("routing line without ':'"));
        };
        routing.push((k.to_string(), v.to_string()));
    }
    if routing.is_empty() {
        return Some(Err("no routing information"));
    }
    Some(Ok(RoutablePayload { version, routing }))
}

pub(super) fn gitlab(secret: &[u8]) -> Verdict {
    match gitlab_routable_decode(secret) {
        Some(Ok(_)) => Verdict::Valid,
        Some(Err(why)) => Verdict::Invalid(why),
        None => {
            // Routable-looking tail (`.xxxxxxxxx`) that did not even parse is invalid;
            // anything else is a legacy token without a checksum.
            let s = secret;
            let dotted = s.len() > 10 && s[s.len() - 10] == b'.';
            if dotted {
                Verdict::Invalid("malformed routable token")
            } else {
                Verdict::NotApplicable
            }
        }
    }
}

/// `glsa_` + 32 alphanumerics + `_` + 8 lowercase hex digits of CRC32 over everything before
/// the last underscore.
pub(super) fn grafana_service_account(secret: &[u8]) -> Verdict {
    let Some(us) = secret.iter().rposition(|&b| b == b'_') else {
        return Verdict::Invalid("no checksum segment");
    };
    let (head, sum) = (&secret[..us], &secret[us + 1..]);
    if sum.len() != 8 {
        return Verdict::Invalid("checksum segment is not 8 hex digits");
    }
    let want = format!("{:08x}", crc32fast::hash(head));
    if want.as_bytes() == sum { Verdict::Valid } else { Verdict::Invalid("checksum mismatch") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_vectors_from_specs() {
        for t in [
            "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",
            "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",
            "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",
            "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",
            "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",
        ] {
            assert_eq!(github_style(t.as_bytes()), Verdict::Valid, "{t}");
        }
        // The GitHub documentation placeholder fails its checksum.
        assert!(matches!(
            github_style(b"ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
            Verdict::Invalid(_)
        ));
        assert_eq!(base62_crc32(&[0xff; 0]), "000000");
    }

    #[test]
    fn gitlab_routable_vectors_from_specs() {
        let v1 =
            gitlab_routable_decode(b"glpat-AAECAwQFBgcICQoLDA0OD2M6MQpvOjEKdTo5aXgN.01.141uldyz0")
                .unwrap()
                .unwrap();
        assert_eq!(v1.version.as_deref(), Some("01"));
        assert_eq!(
            v1.routing,
            vec![("c".into(), "1".into()), ("o".into(), "1".into()), ("u".into(), "9ix".into())]
        );
        let legacy =
            gitlab_routable_decode(b"glpat-YzoxCm86MQp1OjlpeAABAgMEBQYHCAkKCwwNDg8Q.140nv1i8j")
                .unwrap()
                .unwrap();
        assert_eq!(legacy.version, None);
        assert_eq!(legacy.routing[0], ("c".into(), "1".into()));
        let design =
            gitlab_routable_decode(b"bzoxd_Rb5_cHeWe1JH56wr2FCBA.0r1pum4t4").unwrap().unwrap();
        assert_eq!(design.routing, vec![("o".into(), "1".into())]);
        // One flipped checksum character.
        assert_eq!(
            gitlab(b"glpat-AAECAwQFBgcICQoLDA0OD2M6MQpvOjEKdTo5aXgN.01.141uldyz1"),
            Verdict::Invalid("checksum mismatch")
        );
        // Legacy 20-char PATs carry no checksum.
        assert_eq!(gitlab(b"glpat-Xy9_kQ2mZr7LwP4vN8sT"), Verdict::NotApplicable);
    }

    #[test]
    fn gitlab_design_doc_maximal_example() {
        // 330-char example from the design document: prefix of 20 '+' and ten routing lines.
        let routing: String = (0..10).map(|_| "x:3w5e11264sgsf\n").collect::<String>();
        let routing = routing.trim_end_matches('\n');
        let mut raw = routing.as_bytes().to_vec();
        raw.extend_from_slice(&[7u8; 16]);
        raw.push(16);
        let b64 = URL_SAFE_NO_PAD.encode(&raw);
        let head = format!("{}{}.{}", "+".repeat(20), b64, base36(b64.len() as u64, 2));
        let token = format!("{head}{}", base36(u64::from(crc32fast::hash(head.as_bytes())), 7));
        let p = gitlab_routable_decode(token.as_bytes()).unwrap().unwrap();
        assert_eq!(p.routing.len(), 10);
    }

    #[test]
    fn grafana_checksum() {
        let head = "glsa_Q7mB2xK9pL4wR8tN3vZ6cF1hJ5sD0gYe";
        let tok = format!("{head}_{:08x}", crc32fast::hash(head.as_bytes()));
        assert_eq!(grafana_service_account(tok.as_bytes()), Verdict::Valid);
        let bad = format!("{head}_00000000");
        assert!(matches!(grafana_service_account(bad.as_bytes()), Verdict::Invalid(_)));
    }
}
