//! Source-code generators: Python, JavaScript/TypeScript (plain and React), Go, Rust, Java,
//! Ruby and shell scripts.
//!
//! Design decision: code is assembled from per-language statement *templates* filled with
//! vocabulary identifiers, wrapped in the language's function/class/module skeleton, rather
//! than copied from real projects (licensing, and real code contains real secrets). The
//! templates include the everyday security vocabulary of application code — reading a
//! `token` from a header, hashing a `password`, looking a `secret` up in settings — so
//! keyword prefilters see realistic hit rates. Plants are written at statement boundaries
//! through [`Doc::slot`], which knows the scope (top level, block, class body) so the
//! planted line is syntactically at home.

use super::Doc;
use super::Fmt;
use super::plants::Scope;
use super::rng::Rng;
use super::vocab::{self, camel, pascal, upper};

/// Identifier case of a language.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    Snake,
    Camel,
}

/// Fills `{x}` placeholders. The same placeholder in one template gets the same value.
fn fill(rng: &Rng, tmpl: &str, case: Case) -> String {
    let mut out = String::with_capacity(tmpl.len() + 48);
    let mut memo: Vec<(&str, String)> = Vec::new();
    let mut rest = tmpl;
    while let Some(i) = rest.find('{') {
        // `{{` and `}}` are literal braces.
        if rest[i + 1..].starts_with('{') {
            out.push_str(&rest[..i + 1]);
            rest = &rest[i + 2..];
            continue;
        }
        let Some(j) = rest[i..].find('}') else { break };
        let key = &rest[i + 1..i + j];
        if key.is_empty() || key.len() > 3 || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
            out.push_str(&rest[..i + 1]);
            rest = &rest[i + 1..];
            continue;
        }
        out.push_str(&rest[..i]);
        let val = if let Some((_, v)) = memo.iter().find(|(k, _)| *k == key) {
            v.clone()
        } else {
            let v = gen_placeholder(rng, key, case);
            memo.push((key, v.clone()));
            v
        };
        out.push_str(&val);
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out.replace("}}", "}")
}

/// Fills a template with snake-case identifiers (for notebook cells).
pub fn fill_snake(rng: &Rng, tmpl: &str) -> String {
    fill(rng, tmpl, Case::Snake)
}

fn ident(rng: &Rng, case: Case, s: String) -> String {
    match case {
        Case::Snake => s,
        Case::Camel => {
            let _ = rng;
            camel(&s)
        }
    }
}

fn gen_placeholder(rng: &Rng, key: &str, case: Case) -> String {
    match key.trim_end_matches(|c: char| c.is_ascii_digit()) {
        "v" => {
            let s = vocab::snake(rng);
            ident(rng, case, s)
        }
        "a" => {
            let s = vocab::noun(rng).to_string();
            ident(rng, case, s)
        }
        "f" => {
            let s = vocab::func_snake(rng);
            ident(rng, case, s)
        }
        "F" => pascal(&vocab::func_snake(rng)),
        "T" => vocab::type_name(rng),
        "k" => vocab::snake_plain(rng),
        "K" => upper(&vocab::snake_plain(rng)),
        "s" => vocab::phrase(rng).replace('"', ""),
        "c" => vocab::phrase(rng),
        "n" => match rng.below(4) {
            0 => rng.range(0, 10).to_string(),
            1 => rng.range(10, 100).to_string(),
            2 => (rng.range(1, 64) * 16).to_string(),
            _ => rng.range(100, 10_000).to_string(),
        },
        "u" => vocab::url(rng),
        "p" => vocab::api_path(rng),
        "h" => format!("{}.{}", rng.pick(vocab::NOUNS), rng.pick(vocab::DOMAINS)),
        "N" => vocab::noun(rng).to_string(),
        "V" => rng.pick(vocab::VERBS).to_string(),
        "e" => vocab::email(rng),
        "d" => vocab::date(rng),
        "x" => vocab::hex(rng, 4),
        _ => key.to_string(),
    }
}

/// Words that make a statement template "about credentials".
#[rustfmt::skip]
const AUTH_WORDS: &[&str] = &[
    "token", "password", "secret", "api_key", "apiKey", "Authorization", "jwt", "bcrypt", "hmac",
    "csrf", "session", "Bearer", "Password", "TOKEN", "API_KEY", "passwordHash", "claims", "argon2",
    "SIGNING",
];

/// Picks a statement template; outside authentication-related files, templates about
/// credentials are rare (most modules never touch a token).
fn pick_stmt(rng: &Rng, table: &'static [(u32, &'static str)]) -> &'static str {
    loop {
        let t = *rng.weighted(table);
        if vocab::auth_topic() || !AUTH_WORDS.iter().any(|w| t.contains(w)) || rng.chance(0.01) {
            return t;
        }
    }
}

/// Writes a filled template as lines at `indent` (template indentation is 4 spaces; `tab`
/// converts it to tabs for Go).
fn emit(doc: &mut Doc, rng: &Rng, tmpl: &str, case: Case, indent: &str, tab: bool) {
    let text = fill(rng, tmpl, case);
    for l in text.split('\n') {
        if tab {
            let trimmed = l.trim_start_matches(' ');
            let depth = (l.len() - trimmed.len()) / 4;
            doc.line(&format!("{indent}{}{trimmed}", "\t".repeat(depth)));
        } else {
            doc.line(&format!("{indent}{l}"));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Python
// ---------------------------------------------------------------------------------------

const PY_STMTS: &[(u32, &str)] = &[
    (6, "{v} = {f}({v2})"),
    (4, "{v} = self.{a}.get(\"{k}\", {n})"),
    (4, "if {v} is None:\n    raise ValueError(\"{s}\")"),
    (4, "for {v} in {v2}:\n    {v3}.append({v}.{a})"),
    (5, "logger.info(\"{s}: %s\", {v})"),
    (3, "logger.debug(\"%s %s\", {v}, {v2})"),
    (3, "{v} = [{v2}.{a} for {v2} in {v3} if {v2}.{a2}]"),
    (2, "with open({v}, \"r\", encoding=\"utf-8\") as fh:\n    {v2} = json.load(fh)"),
    (
        3,
        "try:\n    {v} = {f}({v2})\nexcept {T}Error as exc:\n    logger.warning(\"{s}: %s\", exc)\n    {v} = None",
    ),
    (2, "{v} = requests.get(f\"{u}/{{{v2}}}\", timeout={n})\n{v}.raise_for_status()"),
    (4, "# {c}"),
    (3, "{v} = {{\"{k}\": {v2}, \"{k2}\": {n}}}"),
    (3, "if not {v}.{a}:\n    return False"),
    (2, "{v} = datetime.utcnow() - timedelta(days={n})"),
    (3, "self.{a} = {v}"),
    (2, "{v} += {n}"),
    (2, "{v} = {v2}.filter({a}={v3}).order_by(\"-{k}\")[:{n}]"),
    (2, "{v}.update({{\"{k}\": {v2}.{a}}})"),
    (2, "return {{\"{k}\": {v}, \"{k2}\": len({v2})}}"),
    (1, "elapsed = time.monotonic() - start\nmetrics.histogram(\"{k}.duration\", elapsed)"),
    // Everyday security vocabulary (no literal secrets).
    (2, "token = request.headers.get(\"Authorization\", \"\").removeprefix(\"Bearer \")"),
    (
        1,
        "if not user.check_password(password):\n    raise AuthenticationFailed(\"invalid credentials\")",
    ),
    (1, "access_token = self._oauth.refresh_token(refresh_token)"),
    (1, "password_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt())"),
    (1, "session[\"user_id\"] = user.id"),
    (1, "csrf_token = generate_csrf_token(session)"),
    (2, "key = f\"{N}:{{{v}}}\"\ncache.set(key, {v2}, timeout={n})"),
    (2, "for key, value in {v}.items():\n    {v2}[key.lower()] = value"),
    (1, "if token_expired(token):\n    token = self.refresh_token()"),
    (1, "claims = jwt.decode(token, public_key, algorithms=[\"RS256\"], audience=\"{k}\")"),
    (1, "secret = self._vault.read(\"secret/data/{k}\")[\"data\"]"),
    (1, "api_key = self.settings.api_key"),
    (1, "headers = {{\"Authorization\": f\"Bearer {{token}}\", \"X-Request-Id\": request_id}}"),
    (1, "signature = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()"),
];

fn py_function(doc: &mut Doc, rng: &Rng, indent: &str, method: bool) {
    let name = vocab::func_snake(rng);
    let mut params: Vec<String> = if method { vec!["self".into()] } else { vec![] };
    for _ in 0..rng.below(4) {
        params.push(vocab::snake(rng));
    }
    let ret =
        rng.pick(&["", "", " -> None", " -> bool", " -> dict", " -> list", " -> str", " -> int"]);
    let is_async = rng.chance(0.12);
    if rng.chance(0.2) {
        doc.line(&format!(
            "{indent}@{}",
            rng.pick(&[
                "property",
                "staticmethod",
                "lru_cache(maxsize=128)",
                "retry(times=3)",
                "login_required",
                "transaction.atomic"
            ])
        ));
    }
    doc.line(&format!(
        "{indent}{}def {name}({}){ret}:",
        if is_async { "async " } else { "" },
        params.join(", ")
    ));
    let body = format!("{indent}    ");
    if rng.chance(0.5) {
        doc.line(&format!("{body}\"\"\"{}\"\"\"", vocab::sentence(rng, rng.range(4, 12))));
    }
    for _ in 0..rng.range(2, 9) {
        let t = pick_stmt(rng, PY_STMTS);
        emit(doc, rng, t, Case::Snake, &body, false);
        doc.slot(Fmt::Python, &body, Scope::Block);
    }
    emit(doc, rng, "return {v}", Case::Snake, &body, false);
    doc.line("");
}

/// A Python module.
pub fn python(doc: &mut Doc, rng: &Rng) {
    if rng.chance(0.6) {
        doc.line(&format!("\"\"\"{}\"\"\"", vocab::sentence(rng, rng.range(5, 14))));
        doc.line("");
    }
    let mut imports = vec![
        "import json",
        "import logging",
        "import os",
        "from datetime import datetime, timedelta",
        "from typing import Any, Optional",
        "import requests",
        "import time",
        "import hashlib",
        "import hmac",
    ];
    rng.shuffle(&mut imports);
    for i in &imports[..rng.range(2, imports.len())] {
        doc.line(i);
    }
    doc.line(&format!("from .{} import {}", vocab::snake(rng), vocab::type_name(rng)));
    doc.line("");
    doc.line("logger = logging.getLogger(__name__)");
    doc.line("");
    for _ in 0..rng.below(4) {
        emit(doc, rng, "{K} = {n}", Case::Snake, "", false);
    }
    doc.slot(Fmt::Python, "", Scope::Top);
    doc.line("");
    while !doc.full() {
        if rng.chance(0.45) {
            let t = vocab::type_name(rng);
            doc.line(&format!(
                "class {t}({}):",
                rng.pick(&["object", "BaseModel", "Exception", "models.Model", "ABC", "Base"])
            ));
            doc.line(&format!("    \"\"\"{}\"\"\"", vocab::sentence(rng, rng.range(4, 10))));
            doc.line("");
            for _ in 0..rng.range(1, 3) {
                emit(doc, rng, "{v}: {T} = {n}", Case::Snake, "    ", false);
            }
            doc.slot(Fmt::Python, "    ", Scope::Class);
            doc.line("");
            for _ in 0..rng.range(1, 5) {
                py_function(doc, rng, "    ", true);
                if doc.full() {
                    break;
                }
            }
        } else {
            py_function(doc, rng, "", false);
        }
        doc.slot(Fmt::Python, "", Scope::Top);
        doc.line("");
    }
    doc.flush(Fmt::Python, "", Scope::Top);
    if rng.chance(0.2) {
        doc.line("");
        doc.line("if __name__ == \"__main__\":");
        doc.line(&format!("    {}()", vocab::func_snake(rng)));
    }
}

/// A Python test module (pytest).
pub fn python_test(doc: &mut Doc, rng: &Rng) {
    doc.line("import pytest");
    doc.line("");
    doc.line(&format!("from app.{} import {}", vocab::snake(rng), vocab::type_name(rng)));
    doc.line("");
    while !doc.full() {
        if rng.chance(0.3) {
            doc.line("@pytest.fixture");
            emit(
                doc,
                rng,
                "def {v}():\n    return {T}({k}=\"{N}\", {k2}={n})",
                Case::Snake,
                "",
                false,
            );
        } else {
            doc.line(&format!("def test_{}():", vocab::func_snake(rng)));
            for _ in 0..rng.range(2, 6) {
                let t = *rng.pick(&[
                    "{v} = {f}({v2})",
                    "assert {v}.{a} == {n}",
                    "assert {v} is not None",
                    "with pytest.raises({T}Error):\n    {f}({v})",
                    "{v}.{k} = \"{N}\"",
                    "assert response.status_code == {n}",
                ]);
                emit(doc, rng, t, Case::Snake, "    ", false);
                doc.slot(Fmt::Python, "    ", Scope::Block);
            }
        }
        doc.line("");
        doc.line("");
    }
    doc.flush(Fmt::Python, "", Scope::Top);
}

// ---------------------------------------------------------------------------------------
// JavaScript / TypeScript
// ---------------------------------------------------------------------------------------

const JS_STMTS: &[(u32, &str)] = &[
    (6, "const {v} = {f}({v2});"),
    (4, "const {v} = await {v2}.{f}({v3});"),
    (4, "if (!{v}) {{\n    throw new Error(\"{s}\");\n}}"),
    (3, "for (const {v} of {v2}) {{\n    {v3}.push({v}.{a});\n}}"),
    (4, "console.log(\"{s}\", {v});"),
    (3, "logger.debug(`{s}: ${{{v}}}`);"),
    (3, "const {v} = {v2}.filter(({v3}) => {v3}.{a}).map(({v3}) => {v3}.{a2});"),
    (3, "const {{ {a}, {a2} }} = {v};"),
    (3, "const {v} = {{ ...{v2}, {a}: {n} }};"),
    (
        3,
        "const res = await fetch(`{u}/${{{v}}}`, {{ method: \"POST\", body: JSON.stringify({v2}) }});",
    ),
    (4, "// {c}"),
    (2, "{v}.{a} = {v2} ?? {n};"),
    (2, "return {v}.length > {n} ? {v}.slice(0, {n}) : {v};"),
    (2, "setTimeout(() => {f}({v}), {n});"),
    (2, "try {{\n    await {f}({v});\n}} catch (err) {{\n    console.error(\"{s}\", err);\n}}"),
    (2, "let {v} = {n};"),
    (2, "{v} += {v2}.{a};"),
    (2, "export const {v} = ({v2}) => {v2}.{a};"),
    (1, "const token = req.headers.authorization?.split(\" \")[1];"),
    (1, "if (!token) return res.status(401).json({{ error: \"missing token\" }});"),
    (1, "const decoded = jwt.verify(token, publicKey, {{ algorithms: [\"RS256\"] }});"),
    (1, "const hash = await bcrypt.hash(password, {n});"),
    (1, "const ok = await bcrypt.compare(password, user.passwordHash);"),
    (1, "localStorage.setItem(\"accessToken\", data.accessToken);"),
    (1, "const apiKey = config.get(\"apiKey\");"),
    (2, "Object.keys({v}).forEach((key) => {{\n    {v2}[key] = {v}[key];\n}});"),
    (1, "headers.set(\"Authorization\", `Bearer ${{token}}`);"),
    (1, "const secret = process.env.SESSION_SECRET;"),
];

fn js_function(doc: &mut Doc, rng: &Rng, ts: bool, indent: &str) {
    let name = camel(&vocab::func_snake(rng));
    let n = rng.below(4);
    let params: Vec<String> = (0..n)
        .map(|_| {
            let p = camel(&vocab::snake(rng));
            if ts {
                format!(
                    "{p}: {}",
                    rng.pick(&[
                        "string",
                        "number",
                        "boolean",
                        "Record<string, unknown>",
                        "string[]"
                    ])
                )
            } else {
                p
            }
        })
        .collect();
    let ret = if ts {
        format!(
            ": {}",
            rng.pick(&["void", "Promise<void>", "boolean", "string", "number", "unknown"])
        )
    } else {
        String::new()
    };
    if rng.chance(0.3) {
        doc.line(&format!(
            "{indent}/**\n{indent} * {}\n{indent} */",
            vocab::sentence(rng, rng.range(4, 12))
        ));
    }
    let head = match rng.below(3) {
        0 => format!("{indent}export async function {name}({}){ret} {{", params.join(", ")),
        1 => format!("{indent}function {name}({}){ret} {{", params.join(", ")),
        _ => format!("{indent}export const {name} = async ({}){ret} => {{", params.join(", ")),
    };
    let arrow = head.contains("=>");
    doc.line(&head);
    let body = format!("{indent}    ");
    for _ in 0..rng.range(2, 9) {
        let t = pick_stmt(rng, JS_STMTS);
        emit(doc, rng, t, Case::Camel, &body, false);
        doc.slot(if ts { Fmt::TypeScript } else { Fmt::JavaScript }, &body, Scope::Block);
    }
    emit(doc, rng, "return {v};", Case::Camel, &body, false);
    doc.line(&format!("{indent}}}{}", if arrow { ";" } else { "" }));
    doc.line("");
}

/// A JavaScript or TypeScript module; `react` makes it a component file.
pub fn javascript(doc: &mut Doc, rng: &Rng, ts: bool, react: bool) {
    let fmt = if ts { Fmt::TypeScript } else { Fmt::JavaScript };
    if react {
        doc.line("import React, { useEffect, useState } from \"react\";");
    }
    for _ in 0..rng.range(1, 5) {
        let p = rng.pick(vocab::NPM_PACKAGES);
        if rng.chance(0.7) {
            doc.line(&format!("import {} from \"{p}\";", camel(&p.replace(['@', '/', '.'], "_"))));
        } else {
            doc.line(&format!(
                "const {} = require(\"{p}\");",
                camel(&p.replace(['@', '/', '.'], "_"))
            ));
        }
    }
    doc.line(&format!(
        "import {{ {} }} from \"../{}\";",
        camel(&vocab::func_snake(rng)),
        vocab::snake(rng)
    ));
    doc.line("");
    doc.slot(fmt, "", Scope::Top);
    if ts {
        for _ in 0..rng.range(1, 3) {
            doc.line(&format!("export interface {} {{", vocab::type_name(rng)));
            for _ in 0..rng.range(2, 7) {
                doc.line(&format!(
                    "    {}{}: {};",
                    camel(&vocab::snake(rng)),
                    if rng.chance(0.2) { "?" } else { "" },
                    rng.pick(&[
                        "string",
                        "number",
                        "boolean",
                        "Date",
                        "string[]",
                        "Record<string, string>"
                    ])
                ));
            }
            doc.line("}");
            doc.line("");
        }
    }
    while !doc.full() {
        if react && rng.chance(0.4) {
            let comp = vocab::type_name(rng);
            doc.line(&format!(
                "export function {comp}({{ {}, {} }}{}) {{",
                camel(&vocab::snake(rng)),
                camel(rng.pick_str(vocab::NOUNS)),
                if ts { ": Props" } else { "" }
            ));
            emit(doc, rng, "const [{v}, set{F}] = useState(null);", Case::Camel, "    ", false);
            emit(
                doc,
                rng,
                "useEffect(() => {{\n    {f}().then(set{F});\n}}, []);",
                Case::Camel,
                "    ",
                false,
            );
            doc.slot(fmt, "    ", Scope::Block);
            doc.line("    return (");
            doc.line(&format!("        <div className=\"{}\">", vocab::kebab(&vocab::snake(rng))));
            for _ in 0..rng.range(1, 5) {
                emit(
                    doc,
                    rng,
                    "<{T} {a}={{{v}}} onClick={{() => {f}({v2})}} />",
                    Case::Camel,
                    "            ",
                    false,
                );
            }
            doc.line(&format!("            <p>{}</p>", vocab::sentence(rng, rng.range(3, 9))));
            doc.line("        </div>");
            doc.line("    );");
            doc.line("}");
            doc.line("");
        } else if rng.chance(0.2) {
            doc.line(&format!("export class {} {{", vocab::type_name(rng)));
            doc.line("    constructor(options) {");
            emit(
                doc,
                rng,
                "this.{a} = options.{a} ?? {n};\nthis.{a2} = options.{a2};",
                Case::Camel,
                "        ",
                false,
            );
            doc.line("    }");
            doc.line("");
            for _ in 0..rng.range(1, 4) {
                doc.line(&format!(
                    "    async {}({}) {{",
                    camel(&vocab::func_snake(rng)),
                    camel(&vocab::snake(rng))
                ));
                for _ in 0..rng.range(2, 6) {
                    let t = pick_stmt(rng, JS_STMTS);
                    emit(doc, rng, t, Case::Camel, "        ", false);
                    doc.slot(fmt, "        ", Scope::Block);
                }
                doc.line("    }");
            }
            doc.line("}");
            doc.line("");
        } else {
            js_function(doc, rng, ts, "");
        }
        doc.slot(fmt, "", Scope::Top);
    }
    doc.flush(fmt, "", Scope::Top);
    if rng.chance(0.3) {
        doc.line(&format!("export default {};", camel(&vocab::func_snake(rng))));
    }
}

/// A Jest/Vitest test file.
pub fn js_test(doc: &mut Doc, rng: &Rng, ts: bool) {
    let fmt = if ts { Fmt::TypeScript } else { Fmt::JavaScript };
    doc.line(&format!(
        "import {{ {} }} from \"../src/{}\";",
        camel(&vocab::func_snake(rng)),
        vocab::snake(rng)
    ));
    doc.line("");
    while !doc.full() {
        doc.line(&format!("describe(\"{}\", () => {{", vocab::type_name(rng)));
        for _ in 0..rng.range(1, 5) {
            doc.line(&format!(
                "    it(\"{}\", async () => {{",
                vocab::phrase(rng).replace('"', "")
            ));
            for _ in 0..rng.range(1, 5) {
                let t = *rng.pick(&[
                    "const {v} = await {f}({v2});",
                    "expect({v}.{a}).toBe({n});",
                    "expect({v}).toEqual({{ {a}: \"{N}\" }});",
                    "expect(() => {f}({v})).toThrow();",
                    "const {v} = {{ {a}: {n}, {a2}: \"{N}\" }};",
                ]);
                emit(doc, rng, t, Case::Camel, "        ", false);
                doc.slot(fmt, "        ", Scope::Block);
            }
            doc.line("    });");
        }
        doc.line("});");
        doc.line("");
    }
    doc.flush(fmt, "", Scope::Top);
}

// ---------------------------------------------------------------------------------------
// Go
// ---------------------------------------------------------------------------------------

const GO_STMTS: &[(u32, &str)] = &[
    (6, "{v} := {f}({v2})"),
    (
        5,
        "{v}, err := {v2}.{F}(ctx, {v3})\nif err != nil {{\n    return nil, fmt.Errorf(\"{s}: %w\", err)\n}}",
    ),
    (3, "for _, {v} := range {v2} {{\n    {v3} = append({v3}, {v}.{F})\n}}"),
    (4, "log.Printf(\"{s}: %v\", {v})"),
    (3, "if {v} == nil {{\n    return nil, errors.New(\"{s}\")\n}}"),
    (3, "// {c}"),
    (2, "{v} := make(map[string]{T}, {n})"),
    (2, "ctx, cancel := context.WithTimeout(ctx, {n}*time.Second)\ndefer cancel()"),
    (2, "{v}.{F} = {v2}"),
    (2, "{v} := &{T}{{{F}: {v2}, {F2}: {n}}}"),
    (
        2,
        "resp, err := http.Get(\"{u}\")\nif err != nil {{\n    return nil, err\n}}\ndefer resp.Body.Close()",
    ),
    (
        2,
        "if err := json.NewDecoder(r.Body).Decode(&{v}); err != nil {{\n    http.Error(w, \"{s}\", http.StatusBadRequest)\n    return\n}}",
    ),
    (1, "token := strings.TrimPrefix(r.Header.Get(\"Authorization\"), \"Bearer \")"),
    (1, "claims, err := jwt.Parse(token, keyFunc)"),
    (1, "hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)"),
    (1, "secret := os.Getenv(\"WEBHOOK_SECRET\")"),
    (1, "mac := hmac.New(sha256.New, []byte(secret))"),
    (1, "for key, value := range {v} {{\n    {v2}[strings.ToLower(key)] = value\n}}"),
];

/// A Go source file.
pub fn go(doc: &mut Doc, rng: &Rng) {
    doc.line(&format!("package {}", rng.pick(vocab::NOUNS)));
    doc.line("");
    doc.line("import (");
    for i in
        ["context", "encoding/json", "errors", "fmt", "log", "net/http", "os", "strings", "time"]
    {
        if rng.chance(0.6) {
            doc.line(&format!("\t\"{i}\""));
        }
    }
    doc.line("");
    doc.line(&format!("\t\"{}\"", rng.pick(vocab::GO_MODULES)));
    doc.line(")");
    doc.line("");
    doc.slot(Fmt::Go, "", Scope::Top);
    while !doc.full() {
        if rng.chance(0.3) {
            let t = vocab::type_name(rng);
            doc.line(&format!("// {t} {}", vocab::phrase(rng)));
            doc.line(&format!("type {t} struct {{"));
            for _ in 0..rng.range(2, 7) {
                let f = vocab::snake(rng);
                doc.line(&format!(
                    "\t{} {} `json:\"{f}\"`",
                    pascal(&f),
                    rng.pick(&[
                        "string",
                        "int",
                        "int64",
                        "bool",
                        "time.Time",
                        "[]string",
                        "*Config",
                        "map[string]string"
                    ])
                ));
            }
            doc.line("}");
            doc.line("");
        }
        let name = pascal(&vocab::func_snake(rng));
        if rng.chance(0.5) {
            doc.line(&format!(
                "func (s *{}) {name}(ctx context.Context, {} string) (*{}, error) {{",
                vocab::type_name(rng),
                camel(&vocab::snake(rng)),
                vocab::type_name(rng)
            ));
        } else {
            doc.line(&format!("func {name}(w http.ResponseWriter, r *http.Request) {{"));
        }
        for _ in 0..rng.range(2, 8) {
            let t = pick_stmt(rng, GO_STMTS);
            emit(doc, rng, t, Case::Camel, "\t", true);
            doc.slot(Fmt::Go, "\t", Scope::Block);
        }
        doc.line("\treturn nil, nil");
        doc.line("}");
        doc.line("");
        doc.slot(Fmt::Go, "", Scope::Top);
    }
    doc.flush(Fmt::Go, "", Scope::Top);
}

// ---------------------------------------------------------------------------------------
// Rust
// ---------------------------------------------------------------------------------------

const RS_STMTS: &[(u32, &str)] = &[
    (6, "let {v} = {f}(&{v2})?;"),
    (4, "let {v} = self.{a}.get(\"{k}\").cloned().unwrap_or_default();"),
    (3, "if {v}.is_empty() {{\n    return Err(Error::{T}(\"{s}\".into()));\n}}"),
    (3, "for {v} in &{v2} {{\n    {v3}.push({v}.{a}.clone());\n}}"),
    (4, "tracing::debug!({a} = ?{v}, \"{s}\");"),
    (3, "// {c}"),
    (2, "let {v}: Vec<_> = {v2}.iter().filter(|x| x.{a}).map(|x| x.{a2}).collect();"),
    (2, "let mut {v} = HashMap::with_capacity({n});"),
    (2, "let {v} = {T}::new({v2}, {n});"),
    (2, "match {v} {{\n    Some(x) => {f}(x)?,\n    None => return Ok(()),\n}}"),
    (2, "let resp = client.get(\"{u}\").send().await?;"),
    (1, "let token = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());"),
    (1, "let secret = std::env::var(\"SIGNING_SECRET\").context(\"SIGNING_SECRET not set\")?;"),
    (1, "let hash = argon2.hash_password(password.as_bytes(), &salt)?;"),
    (1, "for (key, value) in &{v} {{\n    {v2}.insert(key.to_lowercase(), value.clone());\n}}"),
];

/// A Rust source file.
pub fn rust(doc: &mut Doc, rng: &Rng) {
    if rng.chance(0.5) {
        doc.line(&format!("//! {}", vocab::sentence(rng, rng.range(5, 12))));
        doc.line("");
    }
    for u in [
        "use std::collections::HashMap;",
        "use std::sync::Arc;",
        "use anyhow::{Context, Result};",
        "use serde::{Deserialize, Serialize};",
        "use tracing::info;",
    ] {
        if rng.chance(0.6) {
            doc.line(u);
        }
    }
    doc.line("");
    doc.slot(Fmt::Rust, "", Scope::Top);
    while !doc.full() {
        let t = vocab::type_name(rng);
        if rng.chance(0.4) {
            doc.line("#[derive(Debug, Clone, Serialize, Deserialize)]");
            doc.line(&format!("pub struct {t} {{"));
            for _ in 0..rng.range(2, 6) {
                doc.line(&format!(
                    "    pub {}: {},",
                    vocab::snake(rng),
                    rng.pick(&[
                        "String",
                        "u64",
                        "bool",
                        "Option<String>",
                        "Vec<String>",
                        "i32",
                        "f64"
                    ])
                ));
            }
            doc.line("}");
            doc.line("");
        }
        doc.line(&format!("impl {t} {{"));
        for _ in 0..rng.range(1, 4) {
            doc.line(&format!("    /// {}", vocab::sentence(rng, rng.range(4, 10))));
            doc.line(&format!(
                "    pub {}fn {}(&self, {}: &str) -> Result<{}> {{",
                if rng.chance(0.3) { "async " } else { "" },
                vocab::func_snake(rng),
                vocab::snake(rng),
                rng.pick(&["()", "String", "bool", "Vec<String>", "u64"])
            ));
            for _ in 0..rng.range(2, 7) {
                let s = pick_stmt(rng, RS_STMTS);
                emit(doc, rng, s, Case::Snake, "        ", false);
                doc.slot(Fmt::Rust, "        ", Scope::Block);
            }
            doc.line("        Ok(Default::default())");
            doc.line("    }");
            doc.line("");
        }
        doc.line("}");
        doc.line("");
        doc.slot(Fmt::Rust, "", Scope::Top);
    }
    doc.flush(Fmt::Rust, "", Scope::Top);
}

// ---------------------------------------------------------------------------------------
// Java
// ---------------------------------------------------------------------------------------

const JAVA_STMTS: &[(u32, &str)] = &[
    (6, "{T} {v} = {v2}.{f}({v3});"),
    (4, "if ({v} == null) {{\n    throw new IllegalArgumentException(\"{s}\");\n}}"),
    (3, "for ({T} {v} : {v2}) {{\n    {v3}.add({v}.get{F}());\n}}"),
    (4, "log.info(\"{s}: {{}}\", {v});"),
    (3, "// {c}"),
    (2, "List<{T}> {v} = {v2}.stream().filter({T2}::is{F}).collect(Collectors.toList());"),
    (2, "Map<String, Object> {v} = new HashMap<>();\n{v}.put(\"{k}\", {v2});"),
    (2, "{v}.set{F}({v2});"),
    (2, "return ResponseEntity.ok({v});"),
    (2, "Optional<{T}> {v} = repository.findBy{F}({v2});"),
    (1, "String token = request.getHeader(\"Authorization\").substring(7);"),
    (1, "String encoded = passwordEncoder.encode(dto.getPassword());"),
    (1, "Claims claims = Jwts.parser().setSigningKey(key).parseClaimsJws(token).getBody();"),
    (1, "String secret = env.getProperty(\"app.jwt.secret\");"),
    (
        1,
        "for (Map.Entry<String, String> entry : {v}.entrySet()) {{\n    String key = entry.getKey();\n    {v2}.put(key.toLowerCase(), entry.getValue());\n}}",
    ),
];

/// A Java class file.
pub fn java(doc: &mut Doc, rng: &Rng) {
    let pkg = format!(
        "com.{}.{}.{}",
        rng.pick(vocab::BRANDS),
        rng.pick(vocab::NOUNS),
        rng.pick(&["service", "controller", "model", "config", "repository", "util"])
    );
    doc.line(&format!("package {pkg};"));
    doc.line("");
    for i in [
        "java.util.*",
        "java.util.stream.Collectors",
        "org.slf4j.Logger",
        "org.slf4j.LoggerFactory",
        "org.springframework.stereotype.Service",
        "org.springframework.http.ResponseEntity",
        "org.springframework.beans.factory.annotation.Value",
    ] {
        if rng.chance(0.6) {
            doc.line(&format!("import {i};"));
        }
    }
    doc.line("");
    let class = vocab::type_name(rng);
    doc.line("/**");
    doc.line(&format!(" * {}", vocab::sentence(rng, rng.range(5, 14))));
    doc.line(" */");
    doc.line(rng.pick_str(&["@Service", "@RestController", "@Component", "@Configuration", ""]));
    doc.line(&format!("public class {class} {{"));
    doc.line(&format!(
        "    private static final Logger log = LoggerFactory.getLogger({class}.class);"
    ));
    for _ in 0..rng.range(1, 4) {
        emit(doc, rng, "private final {T} {v};", Case::Camel, "    ", false);
    }
    if rng.chance(0.1) {
        doc.line("    @Value(\"${app.security.jwt-secret}\")");
        doc.line("    private String jwtSecret;");
    }
    doc.slot(Fmt::Java, "    ", Scope::Class);
    doc.line("");
    while !doc.full() {
        doc.line(&format!(
            "    public {} {}({} {}) {{",
            rng.pick(&["void", "boolean", "String", "List<String>", "ResponseEntity<?>", "int"]),
            camel(&vocab::func_snake(rng)),
            vocab::type_name(rng),
            camel(&vocab::snake(rng))
        ));
        for _ in 0..rng.range(2, 7) {
            let t = pick_stmt(rng, JAVA_STMTS);
            emit(doc, rng, t, Case::Camel, "        ", false);
            doc.slot(Fmt::Java, "        ", Scope::Block);
        }
        doc.line("    }");
        doc.line("");
        doc.slot(Fmt::Java, "    ", Scope::Class);
    }
    doc.flush(Fmt::Java, "    ", Scope::Class);
    doc.line("}");
}

// ---------------------------------------------------------------------------------------
// Ruby
// ---------------------------------------------------------------------------------------

const RB_STMTS: &[(u32, &str)] = &[
    (4, "{v} = {f}({v2})"),
    (4, "return if {v}.nil?"),
    (4, "{v}.each do |{v2}|\n  {v3} << {v2}.{a}\nend"),
    (4, "Rails.logger.info(\"{s}: #{{{v}}}\")"),
    (4, "# {c}"),
    (4, "@{a} ||= {T}.find_by({a2}: {v})"),
    (1, "token = request.headers[\"Authorization\"]&.split(\" \")&.last"),
    (4, "{v}[:{k}] = {n}"),
];

/// A Ruby class file.
pub fn ruby(doc: &mut Doc, rng: &Rng) {
    doc.line("# frozen_string_literal: true");
    doc.line("");
    doc.line(&format!("require \"{}\"", rng.pick(&["json", "net/http", "securerandom", "logger"])));
    doc.line("");
    doc.slot(Fmt::Ruby, "", Scope::Top);
    doc.line(&format!(
        "class {} < {}",
        vocab::type_name(rng),
        rng.pick(&["ApplicationRecord", "ApplicationController", "BaseService", "Struct"])
    ));
    while !doc.full() {
        doc.line(&format!("  def {}({})", vocab::func_snake(rng), vocab::snake(rng)));
        for _ in 0..rng.range(2, 6) {
            let t = pick_stmt(rng, RB_STMTS);
            emit(doc, rng, t, Case::Snake, "    ", false);
            doc.slot(Fmt::Ruby, "    ", Scope::Block);
        }
        doc.line("  end");
        doc.line("");
    }
    doc.flush(Fmt::Ruby, "  ", Scope::Block);
    doc.line("end");
}

// ---------------------------------------------------------------------------------------
// Shell
// ---------------------------------------------------------------------------------------

const SH_STMTS: &[(u32, &str)] = &[
    (4, "echo \"==> {s}\""),
    (3, "docker build -t \"${{REGISTRY}}/{N}:${{VERSION}}\" ."),
    (3, "kubectl apply -f deploy/{N}.yaml --namespace \"${{NAMESPACE:-default}}\""),
    (2, "aws s3 cp \"build/{N}.tar.gz\" \"s3://${{BUCKET}}/{N}/\""),
    (3, "if [ ! -f \"{N}.lock\" ]; then\n    echo \"{s}\" >&2\n    exit 1\nfi"),
    (2, "for f in src/*.{N}; do\n    {V} \"$f\"\ndone"),
    (3, "# {c}"),
    (2, "{K}=\"$(pwd)/{N}\""),
    (2, "curl -fsSL \"{u}\" -o \"/tmp/{N}.tgz\""),
    (2, "tar -xzf \"/tmp/{N}.tgz\" -C \"$WORKDIR\""),
    (2, "pip install -r requirements.txt"),
    (2, "npm ci && npm run build"),
    (1, "TOKEN=\"$(vault kv get -field=token secret/ci/{N})\""),
    (1, "curl -H \"Authorization: Bearer ${{TOKEN}}\" \"https://{h}{p}\""),
    (1, "if [ -z \"${{API_KEY:-}}\" ]; then echo \"API_KEY is not set\" >&2; exit 1; fi"),
    (1, "read -rsp \"Password: \" PASSWORD"),
];

/// A shell script.
pub fn shell(doc: &mut Doc, rng: &Rng) {
    doc.line(rng.pick_str(&["#!/usr/bin/env bash", "#!/bin/bash", "#!/bin/sh"]));
    doc.line("set -euo pipefail");
    doc.line("");
    doc.line(&format!("# {}", vocab::sentence(rng, rng.range(5, 12))));
    doc.slot(Fmt::Shell, "", Scope::Top);
    while !doc.full() {
        if rng.chance(0.3) {
            doc.line(&format!("{}() {{", vocab::func_snake(rng)));
            for _ in 0..rng.range(2, 6) {
                let t = pick_stmt(rng, SH_STMTS);
                emit(doc, rng, t, Case::Snake, "    ", false);
                doc.slot(Fmt::Shell, "    ", Scope::Block);
            }
            doc.line("}");
            doc.line("");
        } else {
            let t = pick_stmt(rng, SH_STMTS);
            emit(doc, rng, t, Case::Snake, "", false);
            doc.slot(Fmt::Shell, "", Scope::Top);
        }
    }
    doc.flush(Fmt::Shell, "", Scope::Top);
}

/// A Makefile (no plants; tabs and shell lines).
pub fn makefile(doc: &mut Doc, rng: &Rng) {
    doc.line(".PHONY: all build test lint clean");
    doc.line("");
    while !doc.full() {
        doc.line(&format!("{}:", vocab::func_snake(rng).replace('_', "-")));
        for _ in 0..rng.range(1, 4) {
            let t = pick_stmt(rng, SH_STMTS);
            let l = fill(rng, t, Case::Snake);
            if !l.contains('\n') {
                doc.line(&format!("\t{}", l.replace('$', "$$")));
            }
        }
        doc.line("");
    }
}
