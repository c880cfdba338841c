# The stickler images, from binaries built on the host by cargo (Rust is not installed
# here) and staged in docker/bin/. `docker/build` does both steps and tags both images:
#
#   stickler:latest       (the last stage, the default) the `stickler` binary (fake IdP
#                         and runner), the demo app, Chromium and chromedriver
#   stickler-idp:latest   (--target idp) `stickler` alone, for `stickler idp`: no browser
#
# Both run as the non-root user `stickler` (uid 1000); the entrypoint is `stickler`:
#   docker run --rm stickler:latest --help

# --- stickler-idp: the fake IdP alone ------------------------------------------------
FROM debian:bookworm-slim AS idp

# curl: health checks; tini: PID 1 that forwards signals and reaps orphans.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --uid 1000 --user-group --create-home --home-dir /home/stickler --shell /usr/sbin/nologin stickler \
 && install -d -m 1777 /scratch /work \
 && chmod 1777 /home/stickler

COPY docker/bin/ /tmp/bin/
RUN if [ ! -x /tmp/bin/stickler ]; then \
      echo "docker/bin/stickler is missing: run docker/build (it builds the binaries with cargo and stages them) instead of a bare docker build" >&2; \
      exit 1; \
    fi \
 && install -m 0755 /tmp/bin/stickler /usr/local/bin/stickler \
 && rm -rf /tmp/bin \
 && stickler --version
COPY LICENSE /opt/stickler/LICENSE

USER stickler
WORKDIR /work
ENV HOME=/home/stickler TMPDIR=/scratch
EXPOSE 9400
ENTRYPOINT ["/usr/bin/tini", "--", "stickler"]
CMD ["--help"]

# --- stickler: IdP, runner, demo app, Chromium, chromedriver ------------------------
FROM debian:bookworm-slim AS stickler

# chromium + chromium-driver: the browser and its WebDriver (the same Debian version, so
# they match); curl: health checks; tini: PID 1 that forwards signals and reaps
# Chromium's orphans.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      chromium chromium-driver ca-certificates curl tini \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --uid 1000 --user-group --create-home --home-dir /home/stickler --shell /usr/sbin/nologin stickler \
 && install -d -m 1777 /scratch /work \
 && chmod 1777 /home/stickler

COPY docker/bin/ /tmp/bin/
RUN for b in stickler demo-rp; do \
      if [ ! -x /tmp/bin/$b ]; then \
        echo "docker/bin/$b is missing: run docker/build (it builds the binaries with cargo and stages them) instead of a bare docker build" >&2; \
        exit 1; \
      fi; \
      install -m 0755 /tmp/bin/$b /usr/local/bin/$b; \
    done \
 && rm -rf /tmp/bin \
 && stickler --version && demo-rp --help > /dev/null

# The conformance suite and the scenario that runs it against the demo app.
COPY features/ /opt/stickler/features/
COPY docker/demo-rp.toml /opt/stickler/scenarios/demo-rp.toml
COPY LICENSE /opt/stickler/LICENSE
# docker-compose.yml's runner: `stickler`, after checking the report folder is writable.
COPY docker/runner-entrypoint /usr/local/bin/stickler-compose-runner

USER stickler
WORKDIR /work
# Scratch files (Chromium profiles, chromedriver's folder) go to /scratch, which
# docker-compose.yml shares between the runner and the browser container.
ENV HOME=/home/stickler \
    TMPDIR=/scratch \
    STICKLER_CHROMIUM=/usr/bin/chromium \
    STICKLER_CHROMEDRIVER=/usr/bin/chromedriver

EXPOSE 9400
ENTRYPOINT ["/usr/bin/tini", "--", "stickler"]
CMD ["--help"]
