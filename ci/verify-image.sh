#!/usr/bin/env bash
# Checks the Dockerfile's final stage without compiling anything: builds that stage with
# podman around a leakguard binary built elsewhere, then runs the image on throwaway git
# repositories, one clean and one with a generated fake AWS key pair.
#
#   ci/verify-image.sh [BINARY]      # default: target/release-lto/leakguard
#
# What it checks: the image runs as the non-root user 10001, has git, CA certificates and
# `safe.directory = *`, `leakguard scan` and `leakguard git` exit 1 with the AWS findings
# on a repository owned by another uid (mounted read-only at /repo), exit 0 on a clean one,
# and a GitLab report written to a mounted directory parses as JSON.
# What it does not check: the builder stage (`cargo build --profile release-lto` in
# rust:1.95-bookworm). Build the real image with `docker build .` or `podman build .`.
#
# Needs root and podman. The base image is VERIFY_BASE_IMAGE if set (podman pulls it if it
# must, e.g. debian:bookworm-slim); otherwise a Debian bookworm minbase made with
# debootstrap from DEBIAN_MIRROR (default http://deb.debian.org/debian), imported once as
# localhost/leakguard-verify-base:bookworm and reused.
#
# PODMAN_OPTS (global podman options) and PODMAN_RUN_OPTS (options of `build` and `run`)
# default to what a sandbox without CAP_SYS_RESOURCE, with a cgroup v1/v2 hybrid, needs:
# vfs storage, runc with cgroupfs, host network, and rlimits equal to the current ones.
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$repo_root/target/release-lto/leakguard}
image=localhost/leakguard-verify:latest
base_image=${VERIFY_BASE_IMAGE:-}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

say() { printf '==> %s\n' "$*" >&2; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "run as root (podman build and debootstrap)"
[ -x "$bin" ] || fail "no executable leakguard binary at $bin"
command -v podman >/dev/null || fail "podman is not installed (apt-get install podman runc)"

if [ -z "${PODMAN_OPTS+x}" ]; then
    PODMAN_OPTS="--storage-driver vfs --cgroup-manager cgroupfs"
    if command -v runc >/dev/null; then PODMAN_OPTS="$PODMAN_OPTS --runtime runc"; fi
fi
if [ -z "${PODMAN_RUN_OPTS+x}" ]; then
    # podman as root lowers its own RLIMIT_NPROC to 32768; without CAP_SYS_RESOURCE the
    # container may not ask for more than that, nor for more open files than the hard limit.
    PODMAN_RUN_OPTS="--network host --ulimit nofile=$(ulimit -Hn):$(ulimit -Hn) --ulimit nproc=32768:32768"
fi
# shellcheck disable=SC2086 # option lists are meant to be split
pm() { podman $PODMAN_OPTS "$@"; }
# shellcheck disable=SC2086
pm_run() { pm run --rm $PODMAN_RUN_OPTS "$@"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- base image -----------------------------------------------------------------------
if [ -z "$base_image" ]; then
    base_image=localhost/leakguard-verify-base:bookworm
    if pm image exists "$base_image"; then
        say "base image $base_image exists, reusing it"
    else
        command -v debootstrap >/dev/null || fail "set VERIFY_BASE_IMAGE or apt-get install debootstrap"
        say "debootstrap --variant=minbase bookworm from $mirror"
        debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
            || { tail -20 "$work/debootstrap.log" >&2; fail "debootstrap failed"; }
        say "podman import -> $base_image"
        tar -C "$work/rootfs" -c . | pm import - "$base_image" >/dev/null
        rm -rf "$work/rootfs"
    fi
fi

# ---- the Dockerfile's final stage, around the given binary ----------------------------
ctx=$work/context
mkdir -p "$ctx"
cp "$bin" "$ctx/leakguard"
cp "$repo_root/LICENSE-MIT" "$repo_root/LICENSE-APACHE" "$repo_root/README.md" "$ctx/"
last_from=$(grep -n '^FROM ' "$repo_root/Dockerfile" | tail -1 | cut -d: -f1)
tail -n +"$last_from" "$repo_root/Dockerfile" \
    | sed -e "1s|^FROM .*|FROM $base_image|" \
          -e 's|^COPY --from=builder /out/leakguard |COPY leakguard |' >"$ctx/Containerfile"
grep -q '^COPY leakguard /usr/local/bin/leakguard$' "$ctx/Containerfile" \
    || fail "the final stage no longer copies /out/leakguard from the builder; update this script"
grep -q -- '--from=' "$ctx/Containerfile" && fail "the final stage copies from another stage too"
say "final stage of Dockerfile (line $last_from on), FROM $base_image, binary from $bin:"
sed 's/^/    /' "$ctx/Containerfile" >&2
say "podman build -t $image"
# shellcheck disable=SC2086
pm build $PODMAN_RUN_OPTS -t "$image" -f "$ctx/Containerfile" "$ctx" >"$work/build.log" 2>&1 \
    || { tail -30 "$work/build.log" >&2; fail "podman build failed"; }

# ---- checks ---------------------------------------------------------------------------
check() { # check NAME EXPECTED_STATUS CMD...: runs CMD, compares its exit status
    local name=$1 want=$2 got=0
    shift 2
    "$@" >"$work/out" 2>"$work/err" || got=$?
    if [ "$got" != "$want" ]; then
        cat "$work/out" "$work/err" >&2
        fail "$name: exit $got, expected $want"
    fi
    say "ok: $name (exit $got)"
}

uid=$(pm_run --entrypoint id "$image" -u)
[ "$uid" = 10001 ] || fail "image runs as uid $uid, expected 10001"
say "ok: runs as uid $uid ($(pm_run --entrypoint id "$image" -un))"
say "ok: $(pm_run "$image" --version)"
say "ok: $(pm_run --entrypoint git "$image" --version)"
[ "$(pm_run --entrypoint git "$image" config --system --get-all safe.directory)" = '*' ] \
    || fail "safe.directory is not '*'"
pm_run --entrypoint ls "$image" /etc/ssl/certs/ca-certificates.crt >/dev/null \
    || fail "no CA bundle"
say "ok: git config --system safe.directory = *, /etc/ssl/certs/ca-certificates.crt present"
pm image inspect --format '{{.Config.Entrypoint}} {{.Config.Cmd}} {{.Config.WorkingDir}} {{.Config.User}}' "$image" >&2

rand() { # rand CHARSET N
    local set=$1 s=''
    while [ "${#s}" -lt "$2" ]; do s+=${set:RANDOM%${#set}:1}; done
    printf '%s' "$s"
}
new_repo() {
    git init -q -b main "$1"
    git -C "$1" config user.email ci@example.invalid
    git -C "$1" config user.name ci
    printf 'print("hello")\n' >"$1/app.py"
    git -C "$1" add -A && git -C "$1" commit -qm "clean start"
}
key_id="AKIA$(rand ABCDEFGHIJKLMNOPQRSTUVWXYZ234567 16)"
key_secret=$(rand ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+ 40)
clean=$work/clean
dirty=$work/dirty
new_repo "$clean"
new_repo "$dirty"
mkdir -p "$dirty/config"
printf 'aws_access_key_id = %s\naws_secret_access_key = %s\n' "$key_id" "$key_secret" \
    >"$dirty/config/deploy.ini"
git -C "$dirty" add -A && git -C "$dirty" commit -qm "add deploy config"
say "test repositories: $clean (clean), $dirty (fake key ${key_id:0:8}…, owned by uid $(stat -c %u "$dirty"))"
out=$work/reports
mkdir -p "$out" && chmod 0777 "$out"

check "scan . on the clean repository" 0 pm_run -v "$clean:/repo:ro" "$image" scan .
check "scan . finds the fake key pair" 1 pm_run -v "$dirty:/repo:ro" "$image" scan . --redact
grep -q 'aws' "$work/out" || fail "no aws finding in the output"
sed 's/^/    /' "$work/out" >&2
check "git (history) finds it in its commit" 1 pm_run -v "$dirty:/repo:ro" "$image" git . --redact
grep -q 'config/deploy.ini' "$work/out" || fail "no finding in config/deploy.ini"
check "GitLab report into a mounted directory" 1 pm_run -v "$dirty:/repo:ro" -v "$out:/out" \
    "$image" scan . --format gitlab -o /out/gl-secret-detection-report.json
python3 - "$out/gl-secret-detection-report.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
found = sorted({v["identifiers"][0]["value"] for v in report["vulnerabilities"]})
print("    report: %d vulnerabilities, rules %s" % (len(report["vulnerabilities"]), found), file=sys.stderr)
assert report["vulnerabilities"], "empty report"
EOF
say "all image checks passed"
