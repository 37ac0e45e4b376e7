# Shared set-up for ./scripts/run and ./scripts/test. Sourced, not executed.
# Every step is idempotent: a second run finds the work done and moves on.
set -euo pipefail

KSF_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$KSF_ROOT"

# Pinned tool versions (see README "Toolchain").
CARGO_LEPTOS_VERSION="0.3.10"
SQLX_OFFLINE="${SQLX_OFFLINE:-true}"
export SQLX_OFFLINE

# Builds are cached outside the clone so fresh clones (CI) start warm.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ksf/target}"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$KSF_ROOT/node_modules/.bin:$PATH"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

apt_install() {
  is_root || die "missing Debian packages: $* (install them with: sudo apt-get install $*)"
  command -v apt-get >/dev/null || die "missing packages $* and no apt-get to install them"
  if [ ! -f /var/tmp/.ksf-apt-updated ]; then
    log "apt-get update"
    apt-get update -qq && touch /var/tmp/.ksf-apt-updated
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

load_env() {
  # .env holds local overrides; the process environment wins over it.
  if [ -f "$KSF_ROOT/.env" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      case "$line" in ''|'#'*) continue ;; esac
      key="${line%%=*}"; value="${line#*=}"
      [ -z "${!key+x}" ] && export "$key=$value"
    done < "$KSF_ROOT/.env"
  fi
  return 0
}

# --- toolchain ---------------------------------------------------------------

lock_version() { # version of a crate in Cargo.lock
  awk -v n="$1" '$0 == "name = \"" n "\"" { getline; gsub(/version = |"/, ""); print; exit }' "$KSF_ROOT/Cargo.lock"
}

ensure_wasm_target() {
  rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown && return
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
}

# Build tools are built once and run for seconds: their release profiles'
# LTO and single codegen unit (cargo-leptos sets both) cost most of their
# build time and buy nothing here. OPT (default 2) is the optimisation level.
tool_install() {
  local opt="${TOOL_OPT_LEVEL:-2}"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL="$opt" CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_STRIP=true cargo install "$@"
}

# cargo-leptos only orchestrates (the heavy work is cargo's, wasm-opt's and
# sass'), so it is built unoptimised: 4 minutes instead of 8 on 2 cores.
ensure_cargo_leptos() {
  if cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION\$"; then return; fi
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION (once; about 4 minutes on 2 cores)"
  TOOL_OPT_LEVEL=0 tool_install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
}

ensure_wasm_bindgen() {
  local want; want="$(lock_version wasm-bindgen)"
  [ -n "$want" ] || die "wasm-bindgen is not in Cargo.lock"
  if wasm-bindgen --version 2>/dev/null | grep -q " $want\$"; then return; fi
  log "installing wasm-bindgen-cli $want (must match Cargo.lock)"
  # Its lockfile pins webpki-roots 1.0.11, which the registry lacks: install
  # from an unpacked copy with that one crate lowered to 1.0.10.
  local work; work="$(mktemp -d)"
  (
    cd "$work"
    cargo info "wasm-bindgen-cli@$want" >/dev/null 2>&1 || true
    local src
    src="$(ls -d "$HOME"/.cargo/registry/src/*/"wasm-bindgen-cli-$want" 2>/dev/null | head -n1)"
    [ -n "$src" ] || die "could not unpack wasm-bindgen-cli $want from the registry"
    cp -r "$src" "$work/cli"
    cd "$work/cli"
    if grep -q 'name = "webpki-roots"' Cargo.lock 2>/dev/null; then
      cargo update -p webpki-roots@1.0.11 --precise 1.0.10 2>/dev/null || true
    fi
    CARGO_TARGET_DIR="$work/target" tool_install --path . --locked --force
  )
  rm -rf "$work"
}

ensure_node_packages() {
  command -v npm >/dev/null || die "npm is required (install Node.js 20+ and npm)"
  # sass and binaryen on PATH stop cargo-leptos from downloading them;
  # echarts (bundled by esbuild) is served from our own site.
  if [ ! -x node_modules/.bin/sass ] || [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/esbuild ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "npm ci (sass, binaryen, echarts, esbuild)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  ensure_echarts
}

# The ECharts build the chart islands load: only the charts and components
# used (scripts/echarts/entry.js), minified, named by its content hash so
# browsers may keep it for a year.
ensure_echarts() {
  local stamp="public/vendor/.echarts-source"
  local source_sum
  source_sum="$( (cat scripts/echarts/entry.js; node -p 'require("./node_modules/echarts/package.json").version') | sha256sum | cut -c1-16)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$source_sum" ] && ls public/vendor/echarts-*.min.js >/dev/null 2>&1; then
    return
  fi
  log "bundling the ECharts build (esbuild)"
  mkdir -p public/vendor
  local out; out="$(mktemp)"
  node_modules/.bin/esbuild scripts/echarts/entry.js --bundle --minify --format=iife \
    --legal-comments=none --log-level=warning --outfile="$out"
  local hash; hash="$(sha256sum "$out" | cut -c1-12)"
  rm -f public/vendor/echarts-*.min.js
  mv "$out" "public/vendor/echarts-$hash.min.js"
  chmod 644 "public/vendor/echarts-$hash.min.js"
  echo "$source_sum" > "$stamp"
}

ensure_build_deps() {
  # The Resend client links the system OpenSSL.
  if ! pkg-config --exists openssl 2>/dev/null; then
    apt_install libssl-dev pkg-config
  fi
}

# Cargo never removes the incremental state of builds no longer made
# (other features, older sources); on a developer's disk it grew to tens of
# GB. A crate's state not used for three days goes.
prune_build_cache() {
  local dir
  for dir in "$CARGO_TARGET_DIR"/*/incremental "$CARGO_TARGET_DIR"/*/*/incremental; do
    [ -d "$dir" ] || continue
    find "$dir" -mindepth 1 -maxdepth 1 -type d -mtime +3 -exec rm -rf {} + 2>/dev/null || true
  done
}

ensure_toolchain() {
  command -v cargo >/dev/null || die "cargo is required (install rustup: https://rustup.rs)"
  prune_build_cache
  ensure_build_deps
  ensure_wasm_target
  ensure_node_packages
  # The two installs overlap: each ends in long single-threaded steps
  # (the last crates, linking) that leave a core to the other.
  local started=$SECONDS
  ensure_cargo_leptos > >(sed 's/^/[cargo-leptos] /' >&2) 2>&1 &
  local leptos=$!
  ensure_wasm_bindgen > >(sed 's/^/[wasm-bindgen] /' >&2) 2>&1 &
  local bindgen=$!
  wait "$leptos" || die "installing cargo-leptos failed (see above)"
  wait "$bindgen" || die "installing wasm-bindgen-cli failed (see above)"
  [ $((SECONDS - started)) -lt 5 ] || log "build tools ready after $((SECONDS - started)) s"
}

# Waits until URL answers 2xx while process PID runs (what: its name in
# messages). If it exits first, its LOG is shown; if it never answers, stop.
wait_for_answer() {
  local url="$1" pid="$2" logfile="$3" what="$4" tries="${5:-60}" pause="${6:-0.25}"
  for _ in $(seq 1 "$tries"); do
    curl -fsS "$url" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$logfile" >&2; die "$what exited before it answered"; }
    sleep "$pause"
  done
  die "$what did not answer at $url (see $logfile)"
}

# Caddy: the web server of the hosting nodes (the sites tests run a real one).
ensure_caddy() {
  command -v caddy >/dev/null && return
  apt_install caddy
}

# A local hosting node: Caddy (admin API on 127.0.0.1:ADMIN_PORT, sites on
# 127.0.0.1:SITES_PORT, its files under .run/caddy) and the agent ksf-node
# following the portal at PORTAL with TOKEN (sites under .run/sites).
start_local_node() {
  local agent="$1" portal="$2" token="$3" sites_port="$4" admin_port="$5" base="${6:-$KSF_ROOT/.run}" tls_port="${7:-}"
  local dir="$base/caddy"
  mkdir -p "$dir" "$base/sites"
  port_in_use "$admin_port" && die "port $admin_port (Caddy's admin API) is in use: set KSF_CADDY_ADMIN_PORT"
  port_in_use "$sites_port" && die "port $sites_port (the local sites) is in use: set KSF_SITES_PORT"
  [ -n "$tls_port" ] && port_in_use "$tls_port" && die "port $tls_port (the local sites' HTTPS) is in use: set KSF_SITES_TLS_PORT"
  printf '{"admin":{"listen":"127.0.0.1:%s"}}' "$admin_port" > "$dir/initial.json"
  HOME="$dir" XDG_CONFIG_HOME="$dir" XDG_DATA_HOME="$dir" \
    caddy run --config "$dir/initial.json" > "$base/caddy.log" 2>&1 &
  CADDY_PID=$!
  wait_for_answer "http://127.0.0.1:$admin_port/config/" "$CADDY_PID" "$base/caddy.log" "Caddy"
  KSF_PORTAL_URL="$portal" KSF_NODE_TOKEN="$token" KSF_CADDY_ADMIN="127.0.0.1:$admin_port" \
    KSF_SITES_LISTEN="127.0.0.1:$sites_port" KSF_SITES_DIR="$base/sites" \
    KSF_NODE_STATE="$base/ksf-node-state.json" KSF_ACCESS_LOG="$base/access.log" \
    KSF_SITES_TLS_LISTEN="${tls_port:+127.0.0.1:$tls_port}" KSF_TLS_ISSUER=internal \
    "$agent" > "$base/ksf-node.log" 2>&1 &
  NODE_PID=$!
  log "local hosting node: Caddy at 127.0.0.1:$sites_port, ksf-node (logs in ${base#$KSF_ROOT/}/ksf-node.log)"
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] && return
  apt_install chromium
}

ensure_playwright() {
  ensure_chromium
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    log "npm ci in end2end (Playwright; its browser download is skipped: Debian's Chromium is used)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# --- PostgreSQL ----------------------------------------------------------------

PG_VERSION_DIRS=(/usr/lib/postgresql/17/bin /usr/lib/postgresql/16/bin /usr/lib/postgresql/15/bin /usr/lib/postgresql/14/bin)
# A fixed high port by default; when another cluster (another checkout's)
# holds it, the next free one is used unless KSF_PG_PORT was set.
KSF_PG_PORT_SET="${KSF_PG_PORT:+yes}"
KSF_PG_PORT="${KSF_PG_PORT:-54329}"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pg_bin() {
  local d
  for d in "${PG_VERSION_DIRS[@]}"; do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return; }
  return 1
}

# The user that owns and runs the cluster: ourselves, or `postgres` when we are root.
pg_user() { if is_root; then echo postgres; else id -un; fi; }

as_pg_user() {
  # From /, which the postgres user can always enter (the checkout may not be).
  if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# Can the cluster's user reach (and write) this directory?
pg_user_can_use() {
  local dir="$1"
  if is_root; then runuser -u postgres -- test -w "$dir" -a -x "$dir"; else test -w "$dir"; fi
}

pg_base_dir() {
  # Inside the checkout when the cluster's user can reach it; otherwise a
  # per-checkout directory under /var/tmp (CI may clone under /root, 0700).
  local inside="$KSF_ROOT/.pg"
  mkdir -p "$inside"
  is_root && chown postgres: "$inside" 2>/dev/null || true
  if pg_user_can_use "$inside"; then echo "$inside"; return; fi
  local sum; sum="$(printf '%s' "$KSF_ROOT" | cksum | cut -d' ' -f1)"
  local outside="/var/tmp/ksf-pg-$sum"
  mkdir -p "$outside"
  is_root && chown postgres: "$outside"
  chmod 700 "$outside"
  echo "$outside"
}

ensure_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then
    log "using DATABASE_URL from the environment"
    return
  fi
  local bin
  if ! bin="$(pg_bin)"; then
    if is_root && command -v apt-get >/dev/null; then
      apt_install postgresql
      bin="$(pg_bin)" || die "PostgreSQL server binaries still not found after installing 'postgresql'"
    else
      die "PostgreSQL server binaries (initdb, pg_ctl) not found: install the 'postgresql' package (sudo apt-get install postgresql) or set DATABASE_URL"
    fi
  fi
  is_root && ! id postgres >/dev/null 2>&1 && die "running as root needs the 'postgres' system user (it comes with the 'postgresql' package)"

  local base; base="$(pg_base_dir)"
  local data="$base/data" sock="$base/socket"
  as_pg_user mkdir -p "$sock"
  if [ ! -f "$data/PG_VERSION" ]; then
    log "initdb: a project-local PostgreSQL cluster in $data"
    as_pg_user "$bin/initdb" -D "$data" -U ksf --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if as_pg_user "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    # Already running: reuse it on whatever port it was started with.
    KSF_PG_PORT="$(sed -n 4p "$data/postmaster.pid" 2>/dev/null || true)"
    [ -n "$KSF_PG_PORT" ] || die "cannot read the port of the running cluster in $data"
  else
    if port_in_use "$KSF_PG_PORT"; then
      [ -z "$KSF_PG_PORT_SET" ] || die "port $KSF_PG_PORT (KSF_PG_PORT) is taken; choose another one"
      local p
      for p in $(seq $((KSF_PG_PORT + 1)) $((KSF_PG_PORT + 20))); do
        port_in_use "$p" || { KSF_PG_PORT="$p"; break; }
      done
      port_in_use "$KSF_PG_PORT" && die "ports $KSF_PG_PORT and the next 20 are taken; set KSF_PG_PORT"
      log "port 54329 is taken (another checkout's cluster?): using $KSF_PG_PORT"
    fi
    log "starting PostgreSQL on 127.0.0.1:$KSF_PG_PORT"
    as_pg_user "$bin/pg_ctl" -D "$data" -l "$base/postgres.log" -w -t 60 \
      -o "-p $KSF_PG_PORT -k $sock -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null \
      || die "PostgreSQL did not start; see $base/postgres.log"
  fi
  export DATABASE_URL="postgres://ksf@127.0.0.1:$KSF_PG_PORT/ksf"
  if ! psql "postgres://ksf@127.0.0.1:$KSF_PG_PORT/postgres" -tAc "select 1 from pg_database where datname='ksf'" | grep -q 1; then
    psql "postgres://ksf@127.0.0.1:$KSF_PG_PORT/postgres" -qc "create database ksf" >/dev/null
  fi
}

stop_postgres() {
  local bin base
  bin="$(pg_bin)" || die "PostgreSQL binaries not found"
  base="$(pg_base_dir)"
  if as_pg_user "$bin/pg_ctl" -D "$base/data" status >/dev/null 2>&1; then
    as_pg_user "$bin/pg_ctl" -D "$base/data" -m fast stop >/dev/null && log "PostgreSQL stopped"
  else
    log "PostgreSQL is not running"
  fi
}

# Starts `ksf dns` (the authoritative DNS server) on 127.0.0.1:PORT (UDP
# and TCP) with its metrics on 127.0.0.1:METRICS_PORT, against
# $DATABASE_URL; it stops with this script (a later trap must kill
# $DNS_PID too). DNS_LISTEN is exported: the web server's propagation
# check asks it.
#   start_dns BIN PORT METRICS_PORT
start_dns() {
  local bin="$1" port="$2" metrics="$3"
  export DNS_LISTEN="127.0.0.1:$port"
  if port_in_use "$port"; then
    die "port $port (ksf dns) is in use: stop what holds it, or set KSF_DNS_PORT"
  fi
  mkdir -p "$KSF_ROOT/.run"
  local out="$KSF_ROOT/.run/dns-$port.log"
  DNS_METRICS_LISTEN="127.0.0.1:$metrics" "$bin" dns > "$out" 2>&1 &
  DNS_PID=$!
  trap 'kill "$DNS_PID" ${STRIPE_STANDIN_PID:-} ${RESEND_STANDIN_PID:-} 2>/dev/null || true' EXIT
  for _ in $(seq 1 60); do
    grep -q "answering on" "$out" 2>/dev/null && break
    kill -0 "$DNS_PID" 2>/dev/null || { cat "$out" >&2; die "ksf dns exited"; }
    sleep 0.25
  done
  grep -q "answering on" "$out" || die "ksf dns did not start (see $out)"
  log "$(grep -m1 "answering on" "$out")"
}

# Stripe: the real one when STRIPE_SECRET_KEY is set (with its
# STRIPE_WEBHOOK_SECRET); otherwise the project's local stand-in (test
# payments only, the development-only `ksf-stripe-standin`), started here in the background and
# pointed at the portal's webhook endpoint. It stops with this script.
#   start_stripe_standin STANDIN_BIN PORTAL_URL PORT
start_stripe_standin() {
  local bin="$1" portal="$2" port="$3"
  if [ -n "${STRIPE_SECRET_KEY:-}" ]; then
    log "using Stripe with the key from the environment"
    return 0
  fi
  export STRIPE_SECRET_KEY=sk_test_ksf_standin
  export STRIPE_WEBHOOK_SECRET="${STRIPE_WEBHOOK_SECRET:-whsec_ksf_development_only}"
  export STRIPE_API_BASE="http://127.0.0.1:$port"
  if port_in_use "$port"; then
    die "port $port (the Stripe stand-in) is in use: stop what holds it, or set KSF_STRIPE_PORT"
  fi
  mkdir -p "$KSF_ROOT/.run"
  STRIPE_STANDIN_ADDR="127.0.0.1:$port" STRIPE_STANDIN_WEBHOOK_URL="$portal/webhooks/stripe" \
    STRIPE_STANDIN_STATE="$KSF_ROOT/.run/stripe-standin-$port.json" \
    "$bin" > "$KSF_ROOT/.run/stripe-standin-$port.log" 2>&1 &
  STRIPE_STANDIN_PID=$!
  # It stops with this script (a later trap that replaces this one must kill it too).
  trap 'kill "$STRIPE_STANDIN_PID" ${RESEND_STANDIN_PID:-} 2>/dev/null || true' EXIT
  wait_for_answer "$STRIPE_API_BASE/_standin/health" "$STRIPE_STANDIN_PID" \
    "$KSF_ROOT/.run/stripe-standin-$port.log" "the Stripe stand-in" 60 0.25
  log "Stripe stand-in (test payments, no real money) at $STRIPE_API_BASE"
}

# Domain registration: Namecheap when NAMECHEAP_API_KEY is set; otherwise
# the project's registrar stand-in (development only,
# `ksf-registrar-standin`), which speaks Namecheap's XML API and is reached
# through NAMECHEAP_API_BASE as Namecheap is. Its domains are kept in
# .run/registrar-standin-PORT.json. DELAY_MS: how long a registration takes.
#   start_registrar_standin STANDIN_BIN PORT [DELAY_MS]
start_registrar_standin() {
  local bin="$1" port="$2" delay="${3:-2000}"
  if [ -n "${NAMECHEAP_API_KEY:-}" ]; then
    log "using Namecheap with the key from the environment"
    return 0
  fi
  export NAMECHEAP_API_KEY=ksf_registrar_standin NAMECHEAP_API_USER=ksf NAMECHEAP_CLIENT_IP=127.0.0.1
  export NAMECHEAP_API_BASE="http://127.0.0.1:$port/xml.response"
  if port_in_use "$port"; then
    die "port $port (the registrar stand-in) is in use: stop what holds it, or set KSF_REGISTRAR_PORT"
  fi
  mkdir -p "$KSF_ROOT/.run"
  REGISTRAR_STANDIN_ADDR="127.0.0.1:$port" REGISTRAR_STANDIN_API_KEY="$NAMECHEAP_API_KEY" \
    REGISTRAR_STANDIN_DELAY_MS="$delay" REGISTRAR_STANDIN_STATE="$KSF_ROOT/.run/registrar-standin-$port.json" \
    "$bin" > "$KSF_ROOT/.run/registrar-standin-$port.log" 2>&1 &
  REGISTRAR_STANDIN_PID=$!
  trap 'kill ${STRIPE_STANDIN_PID:-} ${RESEND_STANDIN_PID:-} "$REGISTRAR_STANDIN_PID" 2>/dev/null || true' EXIT
  wait_for_answer "http://127.0.0.1:$port/_standin/health" "$REGISTRAR_STANDIN_PID" \
    "$KSF_ROOT/.run/registrar-standin-$port.log" "the registrar stand-in" 60 0.25
  log "registrar stand-in (no real domains are registered) at $NAMECHEAP_API_BASE"
}

# Email: Resend when RESEND_API_KEY is set; otherwise the project's Resend
# stand-in (development only, `ksf-resend-standin`), reached through
# RESEND_BASE_URL as Resend is. Every email still shows in the dev mailbox,
# and the stand-in reports its delivery back to the portal through signed
# webhooks as Resend does (addresses starting with bounce… bounce,
# complain… complain), so the delivery rate and suppressions work locally.
#   start_resend_standin STANDIN_BIN PORTAL_URL PORT
start_resend_standin() {
  local bin="$1" portal="$2" port="$3"
  if [ -n "${RESEND_API_KEY:-}" ]; then
    log "using Resend with the key from the environment"
    return 0
  fi
  export RESEND_API_KEY=re_ksf_standin
  export RESEND_BASE_URL="http://127.0.0.1:$port"
  export RESEND_WEBHOOK_SECRET="${RESEND_WEBHOOK_SECRET:-whsec_a3NmLWRldmVsb3BtZW50LW9ubHk=}"
  # resend-rs paces itself to about a request a second after a burst of
  # this many; the stand-in takes them all.
  export RESEND_RATE_LIMIT="${RESEND_RATE_LIMIT:-1000}"
  if port_in_use "$port"; then
    die "port $port (the Resend stand-in) is in use: stop what holds it, or set KSF_RESEND_PORT"
  fi
  mkdir -p "$KSF_ROOT/.run"
  RESEND_STANDIN_ADDR="127.0.0.1:$port" RESEND_STANDIN_WEBHOOK_URL="$portal/webhooks/resend" \
    "$bin" > "$KSF_ROOT/.run/resend-standin-$port.log" 2>&1 &
  RESEND_STANDIN_PID=$!
  trap 'kill ${STRIPE_STANDIN_PID:-} "$RESEND_STANDIN_PID" 2>/dev/null || true' EXIT
  wait_for_answer "$RESEND_BASE_URL/_standin/health" "$RESEND_STANDIN_PID" \
    "$KSF_ROOT/.run/resend-standin-$port.log" "the Resend stand-in" 60 0.25
  log "Resend stand-in (nothing leaves this machine; see /dev/mailbox) at $RESEND_BASE_URL"
}

# Makes DST hold exactly SRC's files, writing only those whose content
# differs (unchanged files keep their times, so cargo keeps their builds).
sync_tree() {
  local src="$1" dst="$2" f
  mkdir -p "$dst"
  (cd "$src" && find . -type f | sort) > "$dst.want"
  (cd "$dst" && find . -type f -not -path './target/*' | sort) > "$dst.have"
  comm -13 "$dst.want" "$dst.have" | while IFS= read -r f; do rm -f "$dst/$f"; done
  while IFS= read -r f; do
    if ! cmp -s "$src/$f" "$dst/$f"; then
      mkdir -p "$(dirname "$dst/$f")"
      cp "$src/$f" "$dst/$f"
    fi
  done < "$dst.want"
  rm -f "$dst.want" "$dst.have"
}
