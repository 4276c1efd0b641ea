# leakguard container image: the `leakguard` binary, git and CA certificates on Debian
# bookworm-slim, running as a non-root user.
#
#   docker build -t leakguard:0.1.0 .
#   docker run --rm -v "$PWD:/repo" leakguard:0.1.0 scan .
#   docker run --rm -v "$PWD:/repo" leakguard:0.1.0 git --log-opts "origin/main..HEAD"
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/repo" leakguard:0.1.0 \
#       scan . --format sarif -o leakguard.sarif      # write a report into the mounted repo
#
# The entrypoint is `leakguard`: arguments are a leakguard command line. In GitLab CI set
# `entrypoint: [""]` on the image (ci/gitlab-ci.yml does); GitHub Actions and most runners
# override it themselves. See docs/CI.md.
#
# LEAKGUARD_FEATURES selects Cargo features on top of the defaults (`git`). The default,
# `revoke`, keeps `classify`, `revoke`, `serve`, `keys` and `partner` in the image so CI
# pipelines can post-process reports; `--build-arg LEAKGUARD_FEATURES=` builds the scanner
# only (no network or SQLite code).

# ---- builder: the release-lto profile (fat LTO, one codegen unit), as release artifacts --
FROM rust:1.95-bookworm AS builder
ARG LEAKGUARD_FEATURES=revoke
WORKDIR /src
COPY . .
# The registry and target caches are BuildKit/buildah cache mounts: they speed up rebuilds
# and never end up in an image layer.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --profile release-lto --locked --features "$LEAKGUARD_FEATURES" \
    && install -D -m 0755 target/release-lto/leakguard /out/leakguard \
    && strip /out/leakguard \
    && /out/leakguard --version

# ---- final image -------------------------------------------------------------------------
FROM debian:bookworm-slim
LABEL org.opencontainers.image.title="leakguard" \
      org.opencontainers.image.description="Secret scanner: finds leaked credentials in trees and git history" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"
# git: `leakguard git` and `hook` modes, and the `git fetch` calls of the CI templates;
# ca-certificates: git over https. safe.directory '*': a repository mounted from the host
# (or cloned by a CI runner) is owned by another uid, which git refuses by default.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates git \
    && rm -rf /var/lib/apt/lists/* \
    && git config --system --add safe.directory '*' \
    && groupadd --gid 10001 leakguard \
    && useradd --uid 10001 --gid 10001 --create-home --home-dir /home/leakguard \
        --shell /usr/sbin/nologin leakguard \
    && mkdir -p /repo /usr/share/doc/leakguard
COPY LICENSE-MIT LICENSE-APACHE README.md /usr/share/doc/leakguard/
COPY --from=builder /out/leakguard /usr/local/bin/leakguard
# Numeric, so that orchestrators enforcing "run as non-root" can check it.
USER 10001:10001
# Mount the repository to scan here.
WORKDIR /repo
ENTRYPOINT ["leakguard"]
CMD ["scan", "."]
