# The portal and `ksf dns` in one small image (one binary, two commands).
#   docker build -t ksf .
# compose.yaml runs it with PostgreSQL. The build stage runs the same
# ./scripts/release as a build machine; the image holds only its output.

FROM rust:1.95-bookworm AS build
# Node 20 (sass, binaryen and esbuild for the site): Debian 12's is older.
COPY --from=node:20-bookworm-slim /usr/local/bin/node /usr/local/bin/node
COPY --from=node:20-bookworm-slim /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s /usr/local/lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s /usr/local/lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && apt-get update \
 && apt-get install -y --no-install-recommends pkg-config libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
ENV CARGO_TARGET_DIR=/src/target/cargo
RUN ./scripts/release && mkdir /out && cp -r dist/ksf-*/. /out/

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/ksf --create-home ksf
COPY --from=build /out /opt/ksf
ENV LEPTOS_SITE_ROOT=/opt/ksf/site \
    LEPTOS_SITE_ADDR=0.0.0.0:3000 \
    KSF_DATA_DIR=/var/lib/ksf \
    KSF_LOG_FORMAT=json
USER ksf
WORKDIR /var/lib/ksf
VOLUME /var/lib/ksf
EXPOSE 3000 5353/udp 5353/tcp
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD curl -fsS http://127.0.0.1:3000/readyz || exit 1
ENTRYPOINT ["/opt/ksf/bin/ksf"]
CMD ["serve"]
