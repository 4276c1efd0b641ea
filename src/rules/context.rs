//! The long tail as data: one table line per provider, compiled into context rules.
//!
//! Many providers issue keys with no prefix: 32 hex characters, 40 alphanumerics, a UUID.
//! Such a value is only a secret next to the provider's name, in an assignment, a header, an
//! environment variable, a config key or a command-line flag. Rather than one hand-written
//! regex per provider (hundreds of slightly different grammars, each with its own bugs), a
//! rule file may carry a `providers` table, one inline table per provider:
//!
//! ```toml
//! providers = [
//! { id = 'mailgun_api_key', name = 'Mailgun', names = ['mailgun'], alphabet = 'hex', length = 32 },
//! ]
//! ```
//!
//! Design decision: every line compiles into an ordinary [`RuleSyntax`] with a regex from one
//! shared grammar (see [`grammar`]), keywords derived from the names, an entropy floor and the
//! `context_value` check from the alphabet and length, one allowlist for identifiers that name
//! something other than the key (`_ID`, `_URL`, `_HASH`, `Public`, ...), and generated
//! `examples` and `negative_examples` in every syntax the grammar claims to cover. So the table
//! goes through the same validation, `rules check` and overlap handling as hand-written rules,
//! and adding a provider is one line. Examples are made from a seed derived from the rule id,
//! so they are stable across runs and differ between providers.

use super::syntax::{AllowlistSyntax, ProviderSyntax, RuleSyntax};
use super::{Error, ErrorKind};

/// The value alphabets a table line may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Alphabet {
    Hex,
    HexUpper,
    HexAny,
    Alnum,
    LowerAlnum,
    UpperAlnum,
    Base64Url,
    Base64,
    Digits,
    Uuid,
}

impl Alphabet {
    fn parse(s: &str) -> Option<Alphabet> {
        Some(match s {
            "hex" => Alphabet::Hex,
            "HEX" => Alphabet::HexUpper,
            "hex_any" => Alphabet::HexAny,
            "alnum" => Alphabet::Alnum,
            "lower_alnum" => Alphabet::LowerAlnum,
            "upper_alnum" => Alphabet::UpperAlnum,
            "base64url" => Alphabet::Base64Url,
            "base64" => Alphabet::Base64,
            "digits" => Alphabet::Digits,
            "uuid" => Alphabet::Uuid,
            _ => return None,
        })
    }

    /// The regex character class of one value character.
    fn class(self) -> &'static str {
        match self {
            Alphabet::Hex => "[0-9a-f]",
            Alphabet::HexUpper => "[0-9A-F]",
            Alphabet::HexAny | Alphabet::Uuid => "[0-9a-fA-F]",
            Alphabet::Alnum => "[0-9A-Za-z]",
            Alphabet::LowerAlnum => "[0-9a-z]",
            Alphabet::UpperAlnum => "[0-9A-Z]",
            Alphabet::Base64Url => r"[0-9A-Za-z_\-]",
            Alphabet::Base64 => "[0-9A-Za-z+/]",
            Alphabet::Digits => "[0-9]",
        }
    }

    /// The characters examples are drawn from.
    fn chars(self) -> &'static [u8] {
        const LOWER: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        const UPPER: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        match self {
            Alphabet::Hex | Alphabet::Uuid => b"0123456789abcdef",
            Alphabet::HexUpper => b"0123456789ABCDEF",
            Alphabet::HexAny => b"0123456789abcdefABCDEF",
            Alphabet::Alnum => ALNUM,
            Alphabet::LowerAlnum => LOWER,
            Alphabet::UpperAlnum => UPPER,
            Alphabet::Base64Url => {
                b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-"
            }
            Alphabet::Base64 => b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+/",
            Alphabet::Digits => b"0123456789",
        }
    }

    /// Shannon entropy floor for a value of `len` characters: what random values clear with a
    /// wide margin, capped well below the maximum a value this short can have (a random
    /// 14-character hex token averages about 3.3 bits).
    fn entropy_floor(self, len: usize) -> f64 {
        // One floor for every letter alphabet: catalogues often declare a wider alphabet
        // than the keys use (hex keys listed as `lower_alnum`), and a 3.5 floor would drop
        // a fifth of real 32-hex keys. Words and identifiers are the `context_value` check's
        // job, not entropy's.
        let base: f64 = match self {
            Alphabet::Digits => 2.5,
            _ => 3.0,
        };
        let cap = 0.7 * (len.max(2) as f64).log2();
        (base.min(cap) * 100.0).floor() / 100.0
    }
}

/// Words in the identifier that name something other than the secret itself: the key's id,
/// a hash of it, where it is used, how it is formatted, or that it is public or an example.
/// Matched as a `_`/`-`/`.`-separated word or a camelCase word anywhere in the identifier.
const NOT_THE_SECRET: &str = "id|ids|uid|guid|uuid|hash|hashed|sha1|sha256|sha512|md5|checksum|\
digest|fingerprint|url|uri|endpoint|host|hostname|domain|path|file|filename|dir|name|region|zone|\
version|type|prefix|header|format|length|len|size|count|env|var|field|param|label|description|\
desc|expiry|expires|timeout|example|sample|dummy|fake|mock|placeholder|public|publishable|pub";
const NOT_THE_SECRET_CAMEL: &str = "Id|Ids|Uid|Guid|Uuid|Hash|Url|Uri|Endpoint|Host|Domain|Path|\
File|Name|Region|Version|Type|Prefix|Header|Format|Length|Size|Count|Env|Field|Param|Label|\
Expiry|Timeout|Example|Sample|Dummy|Fake|Mock|Placeholder|Public|Publishable";

/// The credential words one of which follows the provider name inside the identifier.
const CRED_WORDS: &str = "key|token|secret|pass|pwd|auth|cred|access|api|sid|bearer|signature";

/// The shared context grammar around a value regex `value`, for provider-name regex `name`.
///
/// `<name>[<ident>{0,24}<credential word><ident>{0,16}]` (an identifier, env var, header or
/// flag name that contains the provider's name, usually followed by a credential word;
/// blanks may separate the two, as in `Mailgun API key: ...`; the bare name alone covers
/// maps such as `{"mailgun": "<key>"}`), then closing quotes or a bracket, an optional type
/// (`: string`, `: &str`, Go's `string`), then one operator: `=`, `:`, `:=`, `=>`, `?=`, `(`, `,`, `>` (XML),
/// ` value=` (.NET `appSettings`) or plain blanks (CLI flags, `Header value`), then an
/// optional opening quote and `Bearer `/`Token `, then the value, which must end there.
/// Everything stays on one line.
fn grammar(name: &str, value: &str, end_class: &str) -> String {
    format!(
        r#"{name}(?:[0-9A-Za-z_.\- \t]{{0,24}}?(?i:{CRED_WORDS})[0-9A-Za-z_.\-]{{0,16}})?[\x22'`\]]{{0,2}}(?:[ \t]{{0,2}}:?[ \t]{{1,2}}(?:string|String|str|&str|&'static str|\[\]byte)\b)?[ \t]{{0,4}}(?::=|=>|\?=|=|:|\(|,|>|-[ \t]|\|\||\?\?|[ \t]or[ \t]|[ \t](?i:value)[ \t]{{0,2}}=|[ \t])[ \t]{{0,4}}[\x22'`]?(?:(?i:bearer|token)[ \t]{{1,2}})?({value})(?:[^{end_class}]|$)"#
    )
}

/// The identifier allowlist (regexTarget `match`: the match starts at the provider name).
fn not_the_secret() -> String {
    format!(
        r"^[0-9A-Za-z_.\- \t]{{0,64}}?(?:[_.\- \t](?i:{NOT_THE_SECRET})|[a-z0-9](?:{NOT_THE_SECRET_CAMEL}))(?:[^A-Za-z]|$)"
    )
}

/// A small deterministic generator (SplitMix64) for examples, seeded from the rule id.
struct Rng(u64);

impl Rng {
    fn new(seed: &str) -> Rng {
        // FNV-1a of the seed string.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in seed.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn string(&mut self, chars: &[u8], len: usize) -> String {
        (0..len).map(|_| char::from(chars[self.below(chars.len())])).collect()
    }
}

/// One parsed table line.
struct Provider {
    id: String,
    name: String,
    /// Names split into their words (`abstract_api` → `["abstract", "api"]`).
    names: Vec<Vec<String>>,
    alphabet: Alphabet,
    min: usize,
    max: usize,
    prefix: String,
    kind: String,
}

/// Expands a `providers` table into rules. Errors name the file, the provider id and the field.
/// Without `examples` the rules carry none (a scan of trusted built-in tables needs none).
pub(super) fn expand(
    origin: &str,
    table: Vec<ProviderSyntax>,
    examples: bool,
) -> Result<Vec<RuleSyntax>, Error> {
    table.into_iter().map(|p| rule(origin, p, examples)).collect()
}

fn parse(origin: &str, syn: &ProviderSyntax) -> Result<Provider, Error> {
    let id = syn.id.trim();
    let err = |field: &'static str, kind: ErrorKind| {
        Error::new(origin, (!id.is_empty()).then_some(id), Some(field), kind)
    };
    let bad = |field: &'static str, msg: String| err(field, ErrorKind::Value(msg));
    if id.is_empty() {
        return Err(err("providers.id", ErrorKind::Missing));
    }
    if syn.name.trim().is_empty() {
        return Err(err("providers.name", ErrorKind::Missing));
    }
    if syn.names.is_empty() {
        return Err(err("providers.names", ErrorKind::Missing));
    }
    let mut names = Vec::new();
    for n in &syn.names {
        let ok = !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        let words: Vec<String> =
            n.split('_').filter(|w| !w.is_empty()).map(str::to_string).collect();
        let letters: usize = words.iter().map(String::len).sum();
        if !ok || letters < 4 || words.len() > 3 {
            return Err(bad(
                "providers.names",
                "each name is 4 or more of [a-z0-9], in at most 3 words joined by `_`".into(),
            ));
        }
        names.push(words);
    }
    let alphabet = Alphabet::parse(&syn.alphabet).ok_or_else(|| {
        bad(
            "providers.alphabet",
            "not one of hex, HEX, hex_any, alnum, lower_alnum, upper_alnum, base64url, base64, \
             digits, uuid"
                .into(),
        )
    })?;
    let (min, max) = match (&syn.length, alphabet) {
        (_, Alphabet::Uuid) => (36, 36),
        (None, _) => return Err(err("providers.length", ErrorKind::Missing)),
        (Some(toml::Value::Integer(n)), _) => (*n as usize, *n as usize),
        (Some(toml::Value::String(s)), _) => {
            let parsed = s.split_once('-').and_then(|(a, b)| {
                Some((a.trim().parse::<usize>().ok()?, b.trim().parse::<usize>().ok()?))
            });
            parsed.ok_or_else(|| {
                bad("providers.length", "an integer or a range such as '20-40'".into())
            })?
        }
        (Some(_), _) => {
            return Err(bad("providers.length", "an integer or a range such as '20-40'".into()));
        }
    };
    if min < 8 || max > 256 || min > max || max - min > 32 {
        return Err(bad(
            "providers.length",
            format!("{min}-{max}: lengths are 8 to 256, a range at most 32 wide"),
        ));
    }
    let prefix = syn.prefix.clone().unwrap_or_default();
    if !prefix.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b)) {
        return Err(bad("providers.prefix", "letters, digits, `_`, `-` and `.` only".into()));
    }
    Ok(Provider {
        id: id.to_string(),
        name: syn.name.trim().to_string(),
        names,
        alphabet,
        min,
        max,
        prefix,
        kind: syn.kind.clone().unwrap_or_else(|| "API key".into()),
    })
}

/// The provider name where an identifier word starts: after a non-word character or `_`
/// (`MY_MAILGUN_KEY`, `x-mailgun-key`), or as a camelCase word (`myMailgunKey`), so that
/// `ipapi` does not match inside `zipapi`. Words of a name may be joined by `_`, `-`, `.`, a
/// space or nothing.
fn name_regex(names: &[Vec<String>]) -> String {
    let joined = |words: &[String]| words.join(r"[_.\- ]?");
    let start = names.iter().map(|w| joined(w)).collect::<Vec<_>>().join("|");
    let camel: Vec<String> = names
        .iter()
        .filter_map(|w| {
            let first = w[0].chars().next().filter(char::is_ascii_lowercase)?;
            let rest = joined(w);
            Some(format!("{}(?i:{})", first.to_ascii_uppercase(), &rest[1..]))
        })
        .collect();
    if camel.is_empty() {
        format!(r"(?:\b|_)(?i:{start})")
    } else {
        format!(r"(?:(?:\b|_)(?i:{start})|[a-z0-9](?:{}))", camel.join("|"))
    }
}

/// Regex-escapes a literal made of `[A-Za-z0-9_.-]`.
fn escape(s: &str) -> String {
    s.chars().map(|c| if c == '.' || c == '-' { format!("\\{c}") } else { c.to_string() }).collect()
}

fn rule(origin: &str, syn: ProviderSyntax, with_examples: bool) -> Result<RuleSyntax, Error> {
    let p = parse(origin, &syn)?;
    let name_re = name_regex(&p.names);
    let class = p.alphabet.class();
    let reps =
        if p.min == p.max { format!("{{{}}}", p.min) } else { format!("{{{},{}}}", p.min, p.max) };
    let (value, end_class) = match p.alphabet {
        Alphabet::Uuid => (
            format!("{class}{{8}}-{class}{{4}}-{class}{{4}}-{class}{{4}}-{class}{{12}}"),
            r"0-9A-Za-z_\-",
        ),
        Alphabet::Base64 => (format!("{class}{reps}={{0,2}}"), r"0-9A-Za-z_\-+/="),
        _ => (format!("{class}{reps}"), r"0-9A-Za-z_\-"),
    };
    let value = format!("{}{value}", escape(&p.prefix));
    let regex = grammar(&name_re, &value, end_class);
    let (examples, negative_examples) =
        if with_examples { examples(&p) } else { (Vec::new(), Vec::new()) };
    Ok(RuleSyntax {
        id: p.id.clone(),
        description: Some(description(&p.name, &p.kind)),
        regex: Some(regex),
        secret_group: Some(1),
        entropy: Some(p.alphabet.entropy_floor(p.min)),
        keywords: keywords(&p.names),
        tags: std::iter::once("context".to_string()).chain(syn.tags).collect(),
        allowlists: vec![AllowlistSyntax {
            description: Some("the identifier names the key's id, hash, location or format".into()),
            regex_target: Some("match".into()),
            regexes: vec![not_the_secret()],
            ..Default::default()
        }],
        examples,
        negative_examples,
        check: Some("context_value".into()),
        confidence: Some(syn.confidence.unwrap_or_else(|| "medium".into())),
        severity: Some(syn.severity.unwrap_or_else(|| "High".into())),
        revocation_type: syn.revocation_type,
        verify: syn.verify,
        ..Default::default()
    })
}

/// `Abstract API` + `API key` reads "Abstract API key".
fn description(name: &str, kind: &str) -> String {
    match (name.strip_suffix(" API"), kind.strip_prefix("API ")) {
        (Some(_), Some(rest)) => format!("{name} {rest}"),
        _ => format!("{name} {kind}"),
    }
}

/// Prefilter keywords: every spelling the name regex accepts (`box_api` → `boxapi`,
/// `box_api`, `box-api`, `box.api`, `box api`), so each match holds one and the prefilter
/// does not fire on the first word alone.
fn keywords(names: &[Vec<String>]) -> Vec<String> {
    let mut out = Vec::new();
    for words in names {
        let mut spellings = vec![words[0].clone()];
        for w in &words[1..] {
            spellings = spellings
                .iter()
                .flat_map(|s| ["", "_", "-", ".", " "].map(|sep| format!("{s}{sep}{w}")))
                .collect();
        }
        for s in spellings {
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// A value that the rule must accept: right alphabet and length, and passing the check and
/// entropy floor (random draws that do not are redrawn).
fn value(p: &Provider, rng: &mut Rng, len: usize) -> String {
    let floor = p.alphabet.entropy_floor(p.min);
    let mut last = String::new();
    for _ in 0..64 {
        let v = match p.alphabet {
            Alphabet::Uuid => {
                let h = rng.string(p.alphabet.chars(), 32);
                format!("{}-{}-4{}-a{}-{}", &h[..8], &h[8..12], &h[13..16], &h[17..20], &h[20..])
            }
            _ => rng.string(p.alphabet.chars(), len),
        };
        let ok = crate::check::entropy(v.as_bytes()) > floor
            && !matches!(
                crate::check::Check::ContextValue.run(v.as_bytes()),
                crate::check::Verdict::Invalid(_)
            )
            && !crate::check::is_placeholder(v.as_bytes());
        last = v;
        if ok {
            break;
        }
    }
    format!("{}{last}", p.prefix)
}

/// The identifier suffix for this kind of credential (`API key` → `api_key`).
fn suffix_words(kind: &str) -> Vec<&'static str> {
    let k = kind.to_ascii_lowercase();
    if k.contains("token") {
        vec!["token"]
    } else if k.contains("secret") {
        vec!["secret"]
    } else if k.contains("password") {
        vec!["password"]
    } else if k.contains("app") {
        vec!["app", "key"]
    } else {
        vec!["api", "key"]
    }
}

fn upper_snake(words: &[&str]) -> String {
    words.iter().map(|w| w.to_ascii_uppercase()).collect::<Vec<_>>().join("_")
}

fn title(w: &str) -> String {
    let mut c = w.chars();
    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
}

fn camel(words: &[&str]) -> String {
    let mut out = words[0].to_string();
    for w in &words[1..] {
        out.push_str(&title(w));
    }
    out
}

/// Generated examples in each syntax the grammar covers, and decoys the rule must not report.
fn examples(p: &Provider) -> (Vec<String>, Vec<String>) {
    let mut rng = Rng::new(&p.id);
    let mut words: Vec<&str> = p.names[0].iter().map(String::as_str).collect();
    let suffix = suffix_words(&p.kind);
    // `abstract_api` + `api_key` reads ABSTRACT_API_KEY, not ABSTRACT_API_API_KEY.
    let skip = usize::from(words.last() == suffix.first());
    words.extend(&suffix[skip..]);
    let (upper, cam) = (upper_snake(&words), camel(&words));
    let snake = words.join("_");
    let header = words.iter().map(|w| title(w)).collect::<Vec<_>>().join("-");
    let flag = words.join("-");
    let spaced = p.names[0].iter().map(|w| title(w)).collect::<Vec<_>>().join(" ");
    let mid = (p.min + p.max) / 2;
    let mut v = || value(p, &mut rng, mid);
    let examples = vec![
        format!("{upper}={}", v()),
        format!("  \"{cam}\": \"{}\",", v()),
        format!("{snake}: '{}'", v()),
        format!("curl -H \"X-{header}: {}\" https://api.{}.io/v1/status", v(), p.names[0][0]),
        format!("{cam} := \"{}\"", v()),
        format!("mytool deploy --{flag} {} --verbose", v()),
        format!("<add key=\"{}\" value=\"{}\" />", header.replace('-', ""), v()),
        format!("{} {}: {}", spaced, p.kind, v()),
    ];
    let real = v();
    let short = match p.alphabet {
        Alphabet::Uuid => real[..real.len() - 1].to_string(),
        _ => format!("{}{}", p.prefix, &real[p.prefix.len()..][..p.min - 1]),
    };
    let filler = if p.alphabet == Alphabet::Digits { "0" } else { "x" };
    let negative_examples = vec![
        format!("{upper}={short}"),
        format!("{upper}={}{}", p.prefix, filler.repeat(mid)),
        format!("{upper}=${{{upper}}}"),
        format!("{upper}_ID={real}"),
        format!("  \"{cam}Hash\": \"{real}\","),
        format!("session_cache_key = \"{real}\""),
        format!(
            "See https://docs.{}.com/{snake}/{real} to rotate your {} key.",
            p.names[0][0], p.name
        ),
    ];
    (examples, negative_examples)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(names: &[&str], alphabet: &str, length: Option<toml::Value>) -> ProviderSyntax {
        ProviderSyntax {
            id: "acme_api_key".into(),
            name: "Acme".into(),
            names: names.iter().map(|s| s.to_string()).collect(),
            alphabet: alphabet.into(),
            length,
            ..Default::default()
        }
    }

    #[test]
    fn keywords_cover_every_spelling_of_a_two_word_name() {
        let k = keywords(&[vec!["box".into(), "api".into()], vec!["boxcloud".into()]]);
        assert_eq!(k, ["boxapi", "box_api", "box-api", "box.api", "box api", "boxcloud"]);
    }

    #[test]
    fn lines_that_cannot_be_compiled_name_the_field() {
        let cases = [
            (provider(&["box"], "hex", Some(toml::Value::Integer(32))), "providers.names"),
            (provider(&["Acme"], "hex", Some(toml::Value::Integer(32))), "providers.names"),
            (provider(&["acme"], "hexx", Some(toml::Value::Integer(32))), "providers.alphabet"),
            (provider(&["acme"], "hex", None), "providers.length"),
            (
                provider(&["acme"], "hex", Some(toml::Value::String("40-20".into()))),
                "providers.length",
            ),
            (provider(&["acme"], "hex", Some(toml::Value::Integer(4))), "providers.length"),
        ];
        for (syn, field) in cases {
            let e = expand("t.toml", vec![syn], true).unwrap_err();
            assert_eq!(e.field, Some(field), "{e}");
            assert!(e.to_string().contains("acme_api_key"), "{e}");
        }
    }

    #[test]
    fn uuid_lines_need_no_length_and_examples_are_stable() {
        let a = expand("t.toml", vec![provider(&["acme"], "uuid", None)], true).unwrap();
        let b = expand("t.toml", vec![provider(&["acme"], "uuid", None)], true).unwrap();
        assert_eq!(a[0].examples, b[0].examples);
        assert!(a[0].examples[0].starts_with("ACME_API_KEY="), "{:?}", a[0].examples);
    }
}
