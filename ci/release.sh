#!/usr/bin/env bash
# Builds the Linux x86_64 release archive: a stripped `leakguard` that runs on glibc 2.17 and
# later (built with cargo-zigbuild, zig from the `ziglang` PyPI package), the release-lto
# profile, packaged as dist/leakguard-<version>-x86_64-unknown-linux-gnu.tar.gz with
# LICENSE-MIT, LICENSE-APACHE, README.md, shell completions and the man page, plus
# dist/SHA256SUMS.
#
#   ci/release.sh                      # install the pinned tools if missing, build, package
#   ci/release.sh --binary PATH        # package a binary built elsewhere (no tools, no build)
#
# Environment (defaults in brackets):
#   RELEASE_GLIBC [2.17]               oldest glibc the binary must run on
#   RELEASE_FEATURES [revoke]          Cargo features on top of the default ones
#   CARGO_ZIGBUILD_VERSION [0.24.1]    from crates.io, installed under target/release-tools
#   ZIGLANG_VERSION [0.15.2]           from PyPI, installed in target/release-tools/venv
#   SOURCE_DATE_EPOCH [last commit]    timestamps inside the archive
#
# Every step is printed before it runs. Running it again rebuilds (cargo decides what is
# stale), replaces the archive and rewrites SHA256SUMS over every archive in dist/.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)

triple=x86_64-unknown-linux-gnu
glibc=${RELEASE_GLIBC:-2.17}
features=${RELEASE_FEATURES:-revoke}
profile=release-lto
zigbuild_version=${CARGO_ZIGBUILD_VERSION:-0.24.1}
ziglang_version=${ZIGLANG_VERSION:-0.15.2}
tools=$root/target/release-tools
dist=$root/dist

say() { printf '==> %s\n' "$*" >&2; }
run() { printf '+ %s\n' "$*" >&2; "$@"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

binary=
while [ $# -gt 0 ]; do
    case $1 in
        --binary) [ $# -ge 2 ] || die "--binary needs a path"; binary=$2; shift 2 ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done

version=$(awk -F'"' '/^\[package\]/ { p = 1; next } /^\[/ { p = 0 } p && /^version *=/ { print $2; exit }' Cargo.toml)
[ -n "$version" ] || die "no [package] version in Cargo.toml"
name=leakguard-$version-$triple
say "leakguard $version for $triple (glibc >= $glibc), profile $profile, features '$features'"

if [ -z "$binary" ]; then
    # ---- tools: ziglang (PyPI) in a venv, cargo-zigbuild (crates.io) ---------------------
    if [ "$("$tools/venv/bin/python" -c 'import importlib.metadata as m; print(m.version("ziglang"))' 2>/dev/null || true)" != "$ziglang_version" ]; then
        say "installing ziglang $ziglang_version from PyPI into $tools/venv"
        run python3 -m venv "$tools/venv"
        run "$tools/venv/bin/pip" install --quiet "ziglang==$ziglang_version"
    else
        say "ziglang $ziglang_version already in $tools/venv"
    fi
    if [ "$("$tools/bin/cargo-zigbuild" --version 2>/dev/null | awk '{print $2}' || true)" != "$zigbuild_version" ]; then
        say "installing cargo-zigbuild $zigbuild_version from crates.io into $tools"
        run cargo install --locked --root "$tools" --version "$zigbuild_version" cargo-zigbuild
    else
        say "cargo-zigbuild $zigbuild_version already in $tools"
    fi
    # cargo-zigbuild runs `python3 -m ziglang` when no `zig` is on PATH: the venv's python3.
    export PATH="$tools/bin:$tools/venv/bin:$PATH"
    if command -v rustup >/dev/null; then
        run rustup target add "$triple"
    fi

    # ---- build ---------------------------------------------------------------------------
    # Not CARGO_PROFILE_RELEASE_LTO_STRIP: cargo reads that as profile `release`, key `lto`.
    run cargo zigbuild --locked --profile "$profile" --features "$features" \
        --target "$triple.$glibc" --config "profile.$profile.strip=\"symbols\""
    binary=$root/target/$triple/$profile/leakguard
fi
[ -x "$binary" ] || die "no executable binary at $binary"

# ---- package ---------------------------------------------------------------------------
stage=$dist/$name
run rm -rf "$stage"
run mkdir -p "$stage/complete" "$stage/doc"
run install -m 0755 "$binary" "$stage/leakguard"
if command -v strip >/dev/null; then
    run strip "$stage/leakguard"
else
    say "no strip on PATH: relying on the profile's strip = symbols"
fi

# The newest glibc symbol version the binary needs must not be newer than $glibc.
if command -v objdump >/dev/null; then
    needed=$(objdump -T "$stage/leakguard" | { grep -o 'GLIBC_[0-9][0-9.]*' || true; } | sed 's/GLIBC_//' | sort -uV | tail -1)
    say "newest glibc symbol version needed: ${needed:-none}"
    if [ -n "$needed" ] && [ "$(printf '%s\n%s\n' "$needed" "$glibc" | sort -V | tail -1)" != "$glibc" ]; then
        die "the binary needs glibc $needed, newer than $glibc"
    fi
else
    say "no objdump on PATH: glibc symbol versions not checked"
fi

run cp LICENSE-MIT LICENSE-APACHE README.md "$stage/"
# Completions and man page come from the binary itself, when it can run here.
if "$stage/leakguard" --version >/dev/null 2>&1 && "$stage/leakguard" man >/dev/null 2>&1; then
    for shell in bash zsh fish elvish powershell; do
        case $shell in
            bash) file=leakguard.bash ;; zsh) file=_leakguard ;; fish) file=leakguard.fish ;;
            elvish) file=leakguard.elv ;; powershell) file=_leakguard.ps1 ;;
        esac
        say "leakguard completions $shell > complete/$file"
        "$stage/leakguard" completions "$shell" >"$stage/complete/$file"
    done
    say "leakguard man > doc/leakguard.1"
    "$stage/leakguard" man >"$stage/doc/leakguard.1"
else
    say "this binary has no \`completions\`/\`man\` commands (or cannot run here): archive without them"
    rmdir "$stage/complete" "$stage/doc"
fi

epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
say "archive $name.tar.gz (mtime $epoch, owner 0:0, sorted, gzip -n)"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
    -C "$dist" -cf - "$name" | gzip -9n >"$dist/$name.tar.gz.tmp"
run mv "$dist/$name.tar.gz.tmp" "$dist/$name.tar.gz"
run rm -rf "$stage"

say "SHA256SUMS over every archive in $dist"
(cd "$dist" && sha256sum leakguard-*.tar.gz >SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS && cat SHA256SUMS)
say "done: $dist/$name.tar.gz"
