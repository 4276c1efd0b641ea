//! Human-readable output: one finding per line, secrets masked.

use std::io::{self, Write};

use crate::finding::{Finding, mask};

/// Options for text output.
#[derive(Clone, Debug, Default)]
pub struct TextOptions {
    /// ANSI colour.
    pub color: bool,
    /// Show `REDACTED` instead of a masked prefix.
    pub redact: bool,
    /// Print each finding's context lines (the scan kept them: `--context N`).
    pub context: bool,
}

/// Writes one line per finding: `path:line:col: rule  secret  (confidence) description`.
pub fn write(findings: &[Finding], opts: &TextOptions, w: &mut dyn Write) -> io::Result<()> {
    let (bold, red, dim, reset) =
        if opts.color { ("\x1b[1m", "\x1b[31m", "\x1b[2m", "\x1b[0m") } else { ("", "", "", "") };
    for f in findings {
        let shown = if opts.redact || f.secret == crate::finding::REDACTED {
            crate::finding::REDACTED.to_string()
        } else {
            mask(&f.secret)
        };
        let place = match &f.commit {
            Some(c) => format!(
                "{}:{}:{}:{}",
                &c.sha[..c.sha.len().min(12)],
                f.location.path,
                f.location.start_line,
                f.location.start_column
            ),
            None => format!(
                "{}:{}:{}",
                if f.location.path.is_empty() { "<stdin>" } else { &f.location.path },
                f.location.start_line,
                f.location.start_column
            ),
        };
        // A secret found by decoding base64 or percent-encoding is not visible as such in
        // the file: say how it was found.
        let decoded: Vec<&str> = f.tags.iter().filter_map(|t| t.strip_prefix("decoded:")).collect();
        let decoded = if decoded.is_empty() {
            String::new()
        } else {
            format!("  [decoded from {}]", decoded.join(" in "))
        };
        let validation = match &f.validation {
            Some(v) => match &v.identity {
                Some(id) => format!("  [{}: {id}]", v.status.as_str()),
                None => format!("  [{}]", v.status.as_str()),
            },
            None => String::new(),
        };
        writeln!(
            w,
            "{bold}{place}{reset}: {red}{}{reset}  {shown}  {dim}({} confidence) {}{reset}{decoded}{validation}",
            f.rule_id, f.confidence, f.description
        )?;
        if let Some(ctx) = f.context.as_ref().filter(|_| opts.context) {
            let last = ctx.first_line + ctx.lines.len().saturating_sub(1);
            let width = last.to_string().len();
            for (i, line) in ctx.lines.iter().enumerate() {
                let no = ctx.first_line + i;
                let mark = if (f.location.start_line..=f.location.end_line).contains(&no) {
                    '>'
                } else {
                    ' '
                };
                writeln!(w, "  {dim}{mark} {no:>width$} |{reset} {line}")?;
            }
            writeln!(w)?;
        }
    }
    Ok(())
}
