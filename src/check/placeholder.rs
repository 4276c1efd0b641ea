//! Placeholder and documentation-example filter, applied to every candidate secret.
//!
//! Design decision: this is a small, fixed list of *shapes* that real credentials never have
//! (template markers, env lookups, masked values, repeated or sequential characters) plus
//! the handful of keys vendors print in their docs. It runs before any rule-specific check,
//! so a rule author never has to repeat it, and it is conservative: a random 30-character
//! token contains none of these by chance with any practical probability.

/// Substrings (lowercase) that mark a value as a placeholder.
const MARKERS: &[&str] = &[
    "example",
    "sample",
    "placeholder",
    "changeme",
    "change_me",
    "dummy",
    "redacted",
    "your_",
    "your-",
    "yourapikey",
    "xxxx",
    "****",
    "<",
    ">",
    "${",
    "{{",
    "%(",
    "$(",
    "os.environ",
    "process.env",
    "getenv",
    "env(",
    "env[",
    "secrets.",
    // References to a secret manager, not the secret.
    "vault:",
    "secret/data/",
    "secretsmanager",
    "ssm:",
    "keyvault",
    "{{resolve:",
    "/secrets/",
    "/versions/latest",
];

/// Substrings of documentation examples that appear inside otherwise valid-looking tokens
/// (the jwt.io sample token and its `{"sub":"1234567890"` payload).
const DOC_SUBSTRINGS: &[&str] =
    &["SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", "eyJzdWIiOiIxMjM0NTY3ODkw"];

/// Keys printed in vendor documentation, exactly.
const DOC_KEYS: &[&str] = &[
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "xoxb-not-a-real-token-this-will-not-work",
    "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",
];

/// Whether `secret` is a placeholder, a reference to a secret stored elsewhere, or a
/// documented example key.
///
/// ```
/// use leakguard::check::is_placeholder;
/// assert!(is_placeholder(b"${GITHUB_TOKEN}"));
/// assert!(is_placeholder(b"AKIAIOSFODNN7EXAMPLE"));
/// assert!(!is_placeholder(b"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"));
/// ```
pub fn is_placeholder(secret: &[u8]) -> bool {
    if DOC_KEYS.iter().any(|k| k.as_bytes() == secret) {
        return true;
    }
    if DOC_SUBSTRINGS.iter().any(|k| memchr::memmem::find(secret, k.as_bytes()).is_some()) {
        return true;
    }
    // Only the first 256 bytes decide (multi-KiB PEM bodies are not templated mid-way).
    let head = &secret[..secret.len().min(256)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    if MARKERS.iter().any(|m| memchr::memmem::find(&lower, m.as_bytes()).is_some()) {
        return true;
    }
    if lower.first() == Some(&b'$')
        && lower.get(1).is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
    {
        return true;
    }
    // A Windows / .NET environment reference: `%DB_PASSWORD%`, `%PROVIDER_KEY%`.
    if let [b'%', name @ .., b'%'] = head {
        if !name.is_empty()
            && name.first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
            && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            return true;
        }
    }
    // A run marks a placeholder only when it dominates the value (`ghp_0000…`, `aaaaaaaa`):
    // encoded binary structures (OpenSSH keys, some bearer tokens) contain long runs of `A`.
    let run = longest_run(head);
    (run >= 6 && run * 4 >= head.len()) || has_sequence(head, 8)
}

/// Length of the longest run of one repeated alphanumeric byte (`aaaaaa`, `000000`).
fn longest_run(s: &[u8]) -> usize {
    let (mut run, mut best) = (1, if s.is_empty() { 0 } else { 1 });
    for w in s.windows(2) {
        if w[0] == w[1] && w[0].is_ascii_alphanumeric() {
            run += 1;
            best = best.max(run);
        } else {
            run = 1;
        }
    }
    best
}

/// An ascending or descending run of `n` consecutive letters or digits (`abcdefgh`, `87654321`).
fn has_sequence(s: &[u8], n: usize) -> bool {
    let (mut up, mut down) = (1, 1);
    for w in s.windows(2) {
        let (a, b) = (w[0], w[1]);
        let same_kind = (a.is_ascii_lowercase() && b.is_ascii_lowercase())
            || (a.is_ascii_uppercase() && b.is_ascii_uppercase())
            || (a.is_ascii_digit() && b.is_ascii_digit());
        up = if same_kind && b == a.wrapping_add(1) { up + 1 } else { 1 };
        down = if same_kind && a == b.wrapping_add(1) { down + 1 } else { 1 };
        if up >= n || down >= n {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        for p in [
            "<your-token>",
            "ghp_000000000000000000000000000000Ab12Cd",
            "${API_KEY}",
            "{{ .Values.token }}",
            "xxxxxxxxxxxxxxxx",
            "changeme",
            "os.environ['TOKEN']",
            "process.env.TOKEN",
            "$SECRET_VALUE",
            "aaaaaaaaaaaa",
            "abcdefghijkl",
            "1234567890",
            "my-sample-key-1",
            "REDACTED",
            "********",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        for real in [
            "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",
            "glpat-AAECAwQFBgcICQoLDA0OD2M6MQpvOjEKdTo5aXgN.01.141uldyz0",
            "hX9#mQ2v!Lz7",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8kM3p2Lw",
            "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQAAACDE9CSR0Pif",
        ] {
            assert!(!is_placeholder(real.as_bytes()), "{real}");
        }
    }
}
