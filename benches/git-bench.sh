#!/usr/bin/env bash
# End-to-end git benchmarks (not a timed test; results go into BENCHMARKS.md by hand).
#
#   benches/git-bench.sh [REPO]
#
# (a) push latency: a bare repository with `leakguard hook pre-receive` installed receives a
#     push of 100 commits x 10 changed files over file://; reports the push wall time, the
#     hook's own time, and the same push with no hook as the floor. Target: < 1 s.
# (b) full history (only when REPO is given, a real repository with >= 5,000 commits):
#     `leakguard git REPO -j 2` against `kingfisher scan REPO --no-validate`, wall time and
#     peak RSS from /usr/bin/time -v. Targets: leakguard >= 2x faster, RSS < 1 GB.
#     kingfisher: python3 -m venv /tmp/kf && /tmp/kf/bin/pip install kingfisher-bin
#
# Environment: LEAKGUARD (binary; default target/release/leakguard, built if missing),
# KINGFISHER (default /tmp/kf/bin/kingfisher), RUNS (repetitions of (b), default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
REPO=${1:-}
RUNS=${RUNS:-3}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
LEAKGUARD=${LEAKGUARD:-$TARGET_DIR/release/leakguard}
KINGFISHER=${KINGFISHER:-/tmp/kf/bin/kingfisher}
if [ ! -x "$LEAKGUARD" ]; then
  cargo build --release --locked
fi
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB"
echo "# leakguard: $("$LEAKGUARD" --version)  git: $(git --version)"

work=$(mktemp -d /tmp/leakguard-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
: > "$work/gitconfig"
export GIT_CONFIG_GLOBAL="$work/gitconfig" GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
G="git -c init.defaultBranch=main -c commit.gpgsign=false"
now() { date +%s.%N; }

# ---------------------------------------------------------------- (a) push of 100 x 10
$G init -q "$work/client"
(
  cd "$work/client"
  for f in $(seq 0 49); do
    for l in $(seq 1 40); do echo "module $f line $l: some ordinary source text = value_$l"; done > "file$f.txt"
  done
  $G add -A && $G commit -qm base
)
for name in hooked plain; do
  $G init -q --bare "$work/$name.git"
  git -C "$work/$name.git" config receive.advertisePushOptions true
done
printf '#!/bin/sh\nexec "%s" hook pre-receive\n' "$LEAKGUARD" > "$work/hooked.git/hooks/pre-receive"
chmod +x "$work/hooked.git/hooks/pre-receive"
(cd "$work/client" && git push -q "$work/hooked.git" main 2>/dev/null && git push -q "$work/plain.git" main)
(
  cd "$work/client"
  for c in $(seq 1 100); do
    for k in $(seq 0 9); do
      f=$(( (c * 7 + k) % 50 ))
      echo "commit $c change $k: updated setting_$c = $RANDOM$RANDOM" >> "file$f.txt"
    done
    $G commit -qam "change $c"
  done
)
t0=$(now); (cd "$work/client" && git push -q "$work/plain.git" main) ; t1=$(now)
out=$( { t2=$(now); (cd "$work/client" && git push "$work/hooked.git" main 2>&1); t3=$(now); echo "WALL $t2 $t3"; } )
hook_line=$(echo "$out" | grep -o 'leakguard: scanned.*' || true)
read -r _ t2 t3 < <(echo "$out" | grep '^WALL')
echo
echo "## (a) pre-receive: push of 100 commits x 10 changed files"
printf 'push without hook : %.3f s\n' "$(echo "$t1 - $t0" | bc -l)"
printf 'push with leakguard: %.3f s\n' "$(echo "$t3 - $t2" | bc -l)"
echo "hook says         : $hook_line"

# ---------------------------------------------------------------- (b) full history vs kingfisher
[ -n "$REPO" ] || { echo; echo "(b) skipped: pass a repository path"; exit 0; }
REPO=$(cd "$REPO" && pwd)
echo
echo "## (b) full history of $REPO"
echo "commits: $(git -C "$REPO" rev-list --all | wc -l), objects: $(git -C "$REPO" count-objects -v | awk '/^(count|in-pack):/{s+=$2} END{print s}'), pack size: $(git -C "$REPO" count-objects -vH | awk '/size-pack/{print $2$3}')"
measure() { # label, command...
  local label=$1; shift
  local log="$work/time.log"
  /usr/bin/time -v "$@" > "$work/out.txt" 2> "$log" || true
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f MiB", $2/1024}' "$log")
  echo "$label | wall $wall | peak RSS $rss | $(grep -o 'scanned.*' "$log" | head -1)"
}
for i in $(seq 1 "$RUNS"); do
  measure "leakguard run $i" "$LEAKGUARD" git "$REPO" -j 2 -f json -o "$work/lg.json" --no-fail
done
echo "leakguard findings: $(wc -l < "$work/lg.json")"
if [ -x "$KINGFISHER" ]; then
  for i in $(seq 1 "$RUNS"); do
    measure "kingfisher run $i" "$KINGFISHER" scan "$REPO" --no-validate
  done
else
  echo "kingfisher not found at $KINGFISHER (python3 -m venv /tmp/kf && /tmp/kf/bin/pip install kingfisher-bin)"
fi
