#!/usr/bin/env python3
"""Checks that every relative Markdown link in README.md, docs/ and the top-level reports
points to a file in the repository (and, for links into Markdown files, to an existing
heading anchor). Usage: ci/check-doc-links.py [REPO_ROOT]; exit 1 on a broken link."""
import re, os, sys, glob
root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
files = [os.path.join(root, "README.md")] + glob.glob(os.path.join(root, "docs", "*.md")) + [os.path.join(root, f) for f in ("RELIABILITY.md", "QUALITY.md", "BENCHMARKS.md")]
bad = 0; n = 0
def anchors(path):
    out = set()
    for line in open(path):
        m = re.match(r"#+\s+(.*)", line)
        if m:
            a = m.group(1).strip().lower()
            a = re.sub(r"[^\w\- ]", "", a).replace(" ", "-")
            out.add(a)
    return out
for f in files:
    text = open(f).read()
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    for m in re.finditer(r"\]\(([^)\s]+)\)", text):
        link = m.group(1)
        if re.match(r"[a-z]+://", link) or link.startswith("mailto:"):
            print("external:", f, link); continue
        path, _, frag = link.partition("#")
        target = os.path.normpath(os.path.join(os.path.dirname(f), path)) if path else f
        n += 1
        if not os.path.exists(target):
            print("MISSING", f, link); bad += 1
        elif frag and target.endswith(".md") and frag not in anchors(target):
            print("NO ANCHOR", f, link); bad += 1
print(f"{n} relative links checked, {bad} broken")
sys.exit(1 if bad else 0)
