#!/usr/bin/env bash
# Installs the servers Hookline runs locally, pinned, into a git-ignored cache (.tools/ by default).
# Every step skips what is already there, so a second run costs seconds.
#   temporal/provision.sh [temporal] [ferretdb] [test-server] [chromium] [prometheus]   (no argument: the first three)
# Prints KEY=path lines on stdout for the caller; progress goes to stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${HOOKLINE_TOOLS_DIR:-$ROOT/.tools}"
BIN="$TOOLS_DIR/bin"
TEMPORAL_CLI_VERSION=v1.5.1     # every later tag has a `replace` directive and cannot be go-installed
FERRETDB_VERSION=v1.24.2
# Applied to FerretDB's source before the build (why: see the patch's header). Editing it rebuilds FerretDB.
FERRETDB_PATCH="$ROOT/temporal/ferretdb-$FERRETDB_VERSION-pushdown.patch"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false

log() { printf '[provision] %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { log "missing '$1': $2"; exit 1; }; }
mkdir -p "$BIN"

# Go builds take minutes; say that something is happening.
with_ticker() {
  local what="$1"; shift
  local start=$SECONDS
  "$@" & local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 15
    kill -0 "$pid" 2>/dev/null && log "$what: still building ($((SECONDS - start)) s)"
  done
  wait "$pid"
}

provision_temporal() {
  if [ -n "${TEMPORAL_ADDRESS:-}" ]; then log "TEMPORAL_ADDRESS is set: no local Temporal server needed"; return; fi
  if command -v temporal >/dev/null 2>&1; then log "using temporal from PATH"; echo "TEMPORAL_BIN=$(command -v temporal)"; return; fi
  if [ -x "$BIN/temporal" ]; then echo "TEMPORAL_BIN=$BIN/temporal"; return; fi
  need go "install Go to build the Temporal CLI"
  log "building Temporal CLI $TEMPORAL_CLI_VERSION (go install, a few minutes the first time)"
  with_ticker "temporal CLI" env GOBIN="$BIN" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
  log "temporal CLI ready: $BIN/temporal"
  echo "TEMPORAL_BIN=$BIN/temporal"
}

# What the cached FerretDB binary was built from; a binary without this exact stamp is rebuilt.
ferretdb_stamp() {
  local sum
  sum=$(sha256sum "$FERRETDB_PATCH") || { log "cannot read $FERRETDB_PATCH"; exit 1; }
  printf 'ferretdb %s\npatch %s %s\n' "$FERRETDB_VERSION" "$(basename "$FERRETDB_PATCH")" "${sum%% *}"
}

provision_ferretdb() {
  if [ -n "${MONGODB_URI:-}" ]; then log "MONGODB_URI is set: no local database server needed"; return; fi
  if command -v mongod >/dev/null 2>&1; then log "using mongod from PATH"; echo "MONGOD_BIN=$(command -v mongod)"; return; fi
  local stamp
  stamp=$(ferretdb_stamp)
  if [ -x "$BIN/ferretdb" ] && [ "$(cat "$BIN/ferretdb.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "FERRETDB_BIN=$BIN/ferretdb"; return
  fi
  need go "install Go to build FerretDB"
  if [ -x "$BIN/ferretdb" ]; then log "rebuilding FerretDB: $BIN/ferretdb is not built from $(basename "$FERRETDB_PATCH")"; fi
  log "building FerretDB $FERRETDB_VERSION (a few minutes the first time)"
  local dir src
  dir=$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  [ -d "$dir" ] || { log "go mod download gave no source directory for FerretDB"; exit 1; }
  src="$TOOLS_DIR/src/ferretdb-$FERRETDB_VERSION"
  rm -rf "$src" && mkdir -p "$(dirname "$src")"
  cp -R "$dir" "$src" && chmod -R u+w "$src"
  # All or nothing, no fuzz: a patch that no longer fits must stop the build, not yield an unpatched binary.
  # git apply is git's patch tool (git is everywhere `patch` may not be); the ceiling keeps it from taking
  # $src for a subdirectory of a repository around it (.tools/ may sit in this clone).
  apply() { (cd "$src" && GIT_CEILING_DIRECTORIES="$(dirname "$src")" git apply -p1 "$@" "$FERRETDB_PATCH"); }
  if ! apply --check >&2; then
    log "ERROR: $FERRETDB_PATCH does not apply cleanly to FerretDB $FERRETDB_VERSION: update it for this version"
    exit 1
  fi
  apply >&2
  # A plain `go install` panics at start: the version package embeds this file, which the module zip lacks.
  printf '%s' "$FERRETDB_VERSION" > "$src/build/version/version.txt"
  with_ticker "FerretDB" bash -c "cd '$src' && CGO_ENABLED=0 go build -o '$BIN/ferretdb.tmp' ./cmd/ferretdb"
  mv "$BIN/ferretdb.tmp" "$BIN/ferretdb"
  printf '%s\n' "$stamp" > "$BIN/ferretdb.stamp"
  rm -rf "$src"
  log "FerretDB ready: $BIN/ferretdb"
  echo "FERRETDB_BIN=$BIN/ferretdb"
}

provision_test_server() {
  local dir="$TOOLS_DIR/temporal-test-server" launcher
  launcher="$dir/temporal-test-server"
  if [ -x "$launcher" ] && [ -f "$dir/.complete" ] && cmp -s "$ROOT/temporal/test-server/pom.xml" "$dir/pom.xml"; then
    echo "TEMPORAL_TEST_SERVER=$launcher"; return
  fi
  need mvn "install Maven (and Java 17) to fetch the Temporal time-skipping test server"
  need java "install Java 17 to run the Temporal time-skipping test server"
  log "fetching the Temporal time-skipping test server jars from Maven Central"
  rm -rf "$dir" && mkdir -p "$dir/lib"
  cp "$ROOT/temporal/test-server/pom.xml" "$dir/pom.xml"
  # Maven's own output is kept for when it fails (quiet mode still prints colour resets).
  if ! with_ticker "test server jars" bash -c 'mvn -B -q -f "$1/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$1/lib" -DincludeScope=runtime > "$1/mvn.log" 2>&1' _ "$dir"; then
    cat "$dir/mvn.log" >&2; exit 1
  fi
  cat > "$launcher" <<'LAUNCHER'
#!/usr/bin/env bash
# exec, so that stopping this script stops the JVM instead of orphaning it.
# The SDK waits only a few seconds for the server: C1-only JIT and the serial GC start fastest.
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -cp "$(dirname "$0")/lib/*" io.temporal.testserver.TestServer "$@"
LAUNCHER
  chmod +x "$launcher"
  touch "$dir/.complete"
  log "time-skipping test server ready: $launcher"
  echo "TEMPORAL_TEST_SERVER=$launcher"
}

# Debian packages the tests use (never a download at run time): installed with apt-get when missing, as root or
# through sudo without a password. `apt_provide PACKAGE BINARY VAR` prints VAR=<path of BINARY>; VAR set in the
# environment points at another build instead.
apt_provide() {
  local package="$1" binary="$2" var="$3"
  local preset="${!var:-}"
  if [ -n "$preset" ]; then
    [ -x "$preset" ] || { log "$var=$preset is not an executable"; exit 1; }
    echo "$var=$preset"; return
  fi
  if command -v "$binary" >/dev/null 2>&1; then echo "$var=$(command -v "$binary")"; return; fi
  local apt="apt-get"
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then apt="sudo -n env DEBIAN_FRONTEND=noninteractive apt-get"; else apt=""; fi
  fi
  if [ -z "$apt" ] || ! command -v apt-get >/dev/null 2>&1; then
    log "missing $binary: install Debian's package (apt-get install $package) or set $var"; exit 1
  fi
  log "installing Debian's $package package ($apt, a minute or two the first time)"
  local out="$TOOLS_DIR/$package-apt.log"
  # Recommended packages included: for chromium, they bring the fonts the page's screenshots are drawn with.
  if ! with_ticker "$package" env DEBIAN_FRONTEND=noninteractive bash -c '
    $2 install -y "$3" > "$1" 2>&1 || { $2 update >> "$1" 2>&1 && $2 install -y "$3" >> "$1" 2>&1; }' _ "$out" "$apt" "$package"; then
    cat "$out" >&2; exit 1
  fi
  log "$package ready: $(command -v "$binary")"
  echo "$var=$(command -v "$binary")"
}

# The browser tests drive Debian's chromium; CHROMIUM_BIN points at another Chromium instead.
provision_chromium() { apt_provide chromium chromium CHROMIUM_BIN; }

# The metrics tests scrape a running stack with a real Prometheus and check the alert rules with its promtool
# (both in Debian's prometheus package, 2.42); PROMETHEUS_BIN points at another (its promtool beside it).
provision_prometheus() {
  local found; found=$(apt_provide prometheus prometheus PROMETHEUS_BIN) || exit 1
  echo "$found"
  local promtool; promtool="$(dirname "${found#PROMETHEUS_BIN=}")/promtool"
  [ -x "$promtool" ] || promtool=$(command -v promtool) || { log "no promtool beside ${found#PROMETHEUS_BIN=}"; exit 1; }
  echo "PROMTOOL_BIN=$promtool"
}

steps=("$@"); [ ${#steps[@]} -gt 0 ] || steps=(temporal ferretdb test-server)
for step in "${steps[@]}"; do
  case "$step" in temporal|ferretdb|test-server|chromium|prometheus) ;; *) log "unknown step '$step'"; exit 2 ;; esac
done
# The steps are independent: run them side by side (a cold machine builds both Go programs at once).
outs=$(mktemp -d); trap 'rm -rf "$outs"' EXIT
pids=()
for step in "${steps[@]}"; do
  "provision_${step//-/_}" > "$outs/$step" & pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
cat "$outs"/*
exit $status
