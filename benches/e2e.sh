#!/usr/bin/env bash
# End-to-end throughput comparison: leakguard vs kingfisher vs a ripgrep keyword ceiling on a
# generated ~1 GB source tree, warm page cache. Prints a Markdown table for BENCHMARKS.md.
#
# Usage: benches/e2e.sh            (defaults below; everything can be overridden by env)
#   BENCH_DIR=/tmp/leakguard-bench  work directory (corpus, venv, outputs); outside the repo
#   SIZE=1G SEED=42                 corpus size and seed (regenerated when they change)
#   REPEAT=3                        timed runs per command (median wall time is reported)
#   SKIP_KINGFISHER=1               do not install/run kingfisher
#
# What is measured: wall time and peak RSS from /usr/bin/time -v, after one untimed warm-up
# run per command (and a cat of the whole tree), so all tools read from the page cache.
# MB/s is tree bytes / wall time (1 MB = 10^6 bytes) for every tool, whatever each skips.
# leakguard honours .gitignore (the generated tree has ~5% in ignored build dirs) and skips
# binary files by default; the "--no-ignore" row scans the same files kingfisher does.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-/tmp/leakguard-bench}"
SIZE="${SIZE:-1G}"
SEED="${SEED:-42}"
REPEAT="${REPEAT:-3}"
CORPUS="$BENCH_DIR/corpus"
OUT="$BENCH_DIR/out"
VENV="$BENCH_DIR/venv"

die() { echo "e2e.sh: error: $*" >&2; exit 1; }
note() { echo "e2e.sh: $*" >&2; }

case "$BENCH_DIR" in "$REPO"|"$REPO"/*) die "BENCH_DIR must be outside the repository";; esac
mkdir -p "$BENCH_DIR" "$OUT"

# --- tools ------------------------------------------------------------------------------
need_apt() { # $1 = command, $2 = apt package
    command -v "$1" >/dev/null 2>&1 && return 0
    note "$1 not found; installing apt package $2"
    if [ "$(id -u)" -eq 0 ]; then
        apt-get install -y "$2" >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y "$2" >/dev/null; } \
            || die "could not install $2 (apt-get install -y $2)"
    else
        die "$1 is missing; install it (apt-get install -y $2)"
    fi
}
command -v cargo >/dev/null || die "cargo not found"
command -v python3 >/dev/null || die "python3 not found (needed for kingfisher's venv and the summary)"
[ -x /usr/bin/time ] || need_apt /usr/bin/time time
/usr/bin/time -v true 2>/dev/null || die "/usr/bin/time does not support -v (need GNU time)"
need_apt rg ripgrep

note "building leakguard and gen-corpus (release)"
(cd "$REPO" && cargo build --release --locked --bin leakguard --example gen-corpus >&2) || die "cargo build failed"
TARGET_DIR="$(cd "$REPO" && cargo metadata --format-version 1 --no-deps 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
LEAKGUARD="$TARGET_DIR/release/leakguard"
GEN="$TARGET_DIR/release/examples/gen-corpus"
[ -x "$LEAKGUARD" ] || die "no $LEAKGUARD"
[ -x "$GEN" ] || die "no $GEN"

KINGFISHER=""
if [ "${SKIP_KINGFISHER:-0}" != "1" ]; then
    if [ ! -x "$VENV/bin/kingfisher" ]; then
        note "installing kingfisher into $VENV"
        python3 -m venv "$VENV" || die "python3 -m venv failed (apt-get install -y python3-venv)"
        "$VENV/bin/pip" install -q kingfisher-bin || die "pip install kingfisher-bin failed"
    fi
    KINGFISHER="$VENV/bin/kingfisher"
    "$KINGFISHER" --version >/dev/null || die "kingfisher does not run"
fi

# --- corpus ------------------------------------------------------------------------------
META="size=$SIZE seed=$SEED gen=$(sha256sum "$REPO"/corpus/*.rs | sha256sum | cut -c1-16)"
if [ ! -f "$BENCH_DIR/corpus.meta" ] || [ "$(cat "$BENCH_DIR/corpus.meta")" != "$META" ] || [ ! -d "$CORPUS" ]; then
    note "generating a $SIZE corpus (seed $SEED) in $CORPUS"
    rm -rf "$CORPUS"
    "$GEN" --out "$CORPUS" --size "$SIZE" --seed "$SEED" > "$BENCH_DIR/gen-summary.txt" || die "gen-corpus failed"
    # Labels live beside the tree so that every tool scans exactly the same files.
    mv "$CORPUS/labels.jsonl" "$BENCH_DIR/labels.jsonl"
    echo "$META" > "$BENCH_DIR/corpus.meta"
fi
TREE_BYTES=$(find "$CORPUS" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
TREE_FILES=$(find "$CORPUS" -type f | wc -l)
note "corpus: $TREE_FILES files, $TREE_BYTES bytes"

# --- commands ----------------------------------------------------------------------------
# Keyword ceiling: ~50 distinctive credential keywords, case-insensitive, one pass.
RG_PATTERN='ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|glrt-|gldt-|glptt-|gr1348941|akia|asia|aiza|xoxb-|xoxp-|xapp-|hooks\.slack\.com|sk_live_|sk_test_|rk_live_|npm_|pypi-ageichlwas5vcmc|t3blbkfj|sk-ant-|hf_|sg\.|shpat_|dop_v1_|dckr_pat_|pmak-|glsa_|glc_|discord\.com/api/webhooks|eyj|-----begin|postgres://|postgresql://|mysql://|mongodb\+srv://|redis://|amqp://|password|passwd|secret|api_key|apikey|access_key|token|bearer|authorization'

declare -a NAMES CMDS
add() { NAMES+=("$1"); CMDS+=("$2"); }
add "leakguard --threads 1" "'$LEAKGUARD' scan '$CORPUS' --threads 1 -q --no-fail --format json -o '$OUT/leakguard-1.jsonl'"
add "leakguard --threads 2" "'$LEAKGUARD' scan '$CORPUS' --threads 2 -q --no-fail --format json -o '$OUT/leakguard-2.jsonl'"
add "leakguard --threads 2 --no-ignore" "'$LEAKGUARD' scan '$CORPUS' --threads 2 --no-ignore -q --no-fail --format json -o '$OUT/leakguard-2-noignore.jsonl'"
if [ -n "$KINGFISHER" ]; then
    add "kingfisher -j 2 --no-validate" "'$KINGFISHER' scan '$CORPUS' --no-validate -j 2 --git-history none --format jsonl -o '$OUT/kingfisher.jsonl' > '$OUT/kingfisher-summary.txt'"
fi
add "rg -i -c -j2 (keyword ceiling)" "rg -i -c -j2 -e '$RG_PATTERN' '$CORPUS' > '$OUT/rg.txt'"

# --- runs --------------------------------------------------------------------------------
LOAD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
note "warming the page cache"
find "$CORPUS" -type f -print0 | xargs -0 cat > /dev/null

RESULTS="$OUT/results.tsv"
: > "$RESULTS"
for i in "${!NAMES[@]}"; do
    name="${NAMES[$i]}"; cmd="${CMDS[$i]}"
    note "warm-up: $name"
    bash -c "$cmd" >/dev/null 2>&1 || true
    for r in $(seq 1 "$REPEAT"); do
        tf="$OUT/time-$i-$r.txt"
        /usr/bin/time -v -o "$tf" bash -c "$cmd" >/dev/null 2>"$OUT/stderr-$i-$r.txt" || true
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tf" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
        rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tf")
        code=$(awk -F': ' '/Exit status/ {print $2}' "$tf")
        cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$tf")
        [ -n "$wall" ] || die "no timing for $name (see $tf)"
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$r" "$wall" "$rss" "$code" "$cpu" >> "$RESULTS"
        note "  $name run $r: ${wall}s wall, ${cpu}s CPU, peak RSS ${rss} KB, exit $code"
    done
done

# --- report ------------------------------------------------------------------------------
count_findings() { # $1 = index
    case "${NAMES[$1]}" in
        leakguard*) local f; f=$(echo "${CMDS[$1]}" | sed -E "s/.* -o '([^']+)'.*/\1/"); [ -f "$f" ] && grep -c . "$f" || echo "?";;
        kingfisher*) python3 - "$OUT/kingfisher.jsonl" <<'PY' 2>/dev/null || echo "?"
import json, sys
n = 0
for line in open(sys.argv[1]):
    line = line.strip()
    if line and '"finding"' in line:
        n += 1
print(n)
PY
        ;;
        rg*) awk -F: '{s+=$NF} END {print s+0 " matching lines"}' "$OUT/rg.txt";;
    esac
}

CPU=$(lscpu 2>/dev/null | awk -F': +' '/Model name/ {print $2; exit}')
MEM=$(free -g 2>/dev/null | awk '/Mem:/ {print $2 " GiB"}')
{
    echo "### End-to-end scan, $(date -u +%Y-%m-%d), warm cache"
    echo
    echo "Machine: $(nproc) CPUs (${CPU:-unknown CPU}), ${MEM:-? GiB} RAM, $(uname -sr)."
    echo "Corpus: \`gen-corpus --size $SIZE --seed $SEED\`: $TREE_FILES files, $(awk -v b="$TREE_BYTES" 'BEGIN {printf "%.0f MB", b/1e6}'),"
    echo "$(grep -c '"positive"' "$BENCH_DIR/labels.jsonl") planted positives, $(grep -c '"decoy"' "$BENCH_DIR/labels.jsonl") decoys. $(${KINGFISHER:-false} --version 2>/dev/null || true); $(rg --version | head -1); leakguard $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet 2>/dev/null || echo '+dirty')."
    echo "Median of $REPEAT runs after one warm-up run each; MB/s = tree bytes / wall time; CPU = user + system"
    echo "seconds (median), the steadier figure when other jobs share the machine (load average at the"
    echo "start: $LOAD)."
    echo
    echo "| tool | wall (s) | MB/s | CPU (s) | peak RSS (MB) | findings |"
    echo "|---|---:|---:|---:|---:|---:|"
    for i in "${!NAMES[@]}"; do
        med=$(awk -F'\t' -v i="$i" '$1==i {print $3}' "$RESULTS" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
        rss=$(awk -F'\t' -v i="$i" '$1==i && $4>m {m=$4} END {print m}' "$RESULTS")
        mbs=$(awk -v b="$TREE_BYTES" -v w="$med" 'BEGIN {printf "%.0f", b/1e6/w}')
        cpu=$(awk -F'\t' -v i="$i" '$1==i {print $6}' "$RESULTS" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
        echo "| ${NAMES[$i]} | $med | $mbs | $cpu | $(awk -v k="$rss" 'BEGIN {printf "%.0f", k/1024}') | $(count_findings "$i") |"
        echo "$i $med $rss" >> "$OUT/medians.txt"
    done
    echo
    echo "Commands:"
    echo
    echo '```'
    for i in "${!NAMES[@]}"; do
        echo "${CMDS[$i]}" | sed -e "s#-e '[^']*'#-e '<~50 keywords>'#" -e "s#'##g" \
            -e "s#$TARGET_DIR/release/##g" -e "s#$VENV/bin/##g" -e "s#$BENCH_DIR#\$BENCH#g"
    done
    echo '```'
} > "$OUT/report.md"

# Speed ratio and acceptance check (leakguard --threads 2 vs kingfisher -j 2).
lg2=$(awk -F'\t' '$1==1 {print $3}' "$RESULTS" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
lg2rss=$(awk -F'\t' '$1==1 && $4>m {m=$4} END {print m}' "$RESULTS")
if [ -n "$KINGFISHER" ]; then
    kf=$(awk -F'\t' '$1==3 {print $3}' "$RESULTS" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    kfcpu=$(awk -F'\t' '$1==3 {print $6}' "$RESULTS" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    lg2cpu=$(awk -F'\t' '$1==1 {print $6}' "$RESULTS" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    lg2ni=$(awk -F'\t' '$1==2 {print $3}' "$RESULTS" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    {
        echo
        awk -v k="$kf" -v l="$lg2" -v n="$lg2ni" -v r="$lg2rss" -v kc="$kfcpu" -v lc="$lg2cpu" 'BEGIN {
            printf "leakguard (2 threads) is %.2fx faster than kingfisher (-j 2) in wall time, %.2fx in CPU time; %.2fx with --no-ignore (same files). ", k/l, kc/lc, k/n;
            printf "Target >= 2.5x: %s. Peak RSS %.0f MB, target < 500 MB: %s.\n", (k/l >= 2.5 ? "met" : "NOT met"), r/1024, (r/1024 < 500 ? "met" : "NOT met") }'
    } >> "$OUT/report.md"
fi

# Detection quality of each tool against the labels (same matching as tests/quality.rs).
python3 - "$BENCH_DIR/labels.jsonl" "$CORPUS" "$OUT/leakguard-2.jsonl" "$OUT/kingfisher.jsonl" >> "$OUT/report.md" <<'PY' || true
import json, sys, collections
labels_path, root, lg_path, kf_path = sys.argv[1:5]
labels = [json.loads(l) for l in open(labels_path)]
at = collections.defaultdict(list)
for i, l in enumerate(labels):
    at[(l["path"], l["line"])].append(i)
def rel(p):
    return p[len(root):].lstrip("/") if p.startswith(root) else p
def evaluate(findings):
    hit, tp = set(), 0
    for path, start, end in findings:
        on = next((at[(path, ln)] for ln in range(start, min(end, start + 200) + 1) if (path, ln) in at), [])
        pos = [i for i in on if labels[i]["kind"] == "positive"]
        if pos:
            tp += 1
            hit.update(pos)
    npos = sum(1 for l in labels if l["kind"] == "positive")
    return len(hit) / max(1, npos), tp / max(1, len(findings)), len(findings)
rows = []
try:
    lg = [(rel(f["path"]), f["start_line"], f.get("end_line", f["start_line"])) for f in map(json.loads, open(lg_path)) if f]
    rows.append(("leakguard", *evaluate(lg)))
except OSError:
    pass
try:
    kf = []
    for line in open(kf_path):
        o = json.loads(line) if line.strip() else {}
        if "finding" in o:
            kf.append((rel(o["finding"]["path"]), o["finding"]["line"], o["finding"]["line"]))
    rows.append(("kingfisher", *evaluate(kf)))
except OSError:
    pass
if rows:
    print("\nDetection quality on the planted labels (a finding on a positive's line is a true positive):\n")
    print("| tool | recall | precision | findings |\n|---|---:|---:|---:|")
    for name, r, p, n in rows:
        print(f"| {name} | {r:.3f} | {p:.3f} | {n} |")
PY

cat "$OUT/report.md"
