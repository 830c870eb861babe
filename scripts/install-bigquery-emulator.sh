#!/usr/bin/env bash
# Installs goccy/bigquery-emulator at the pinned version, once per machine.
#
#   scripts/install-bigquery-emulator.sh             install if missing or at another version
#   scripts/install-bigquery-emulator.sh --print     print the binary's path and exit
#   scripts/install-bigquery-emulator.sh --adopt F   install the already-built binary F as the pinned
#                                                    version (e.g. one built by hand or cached by CI)
#
# Where: $ARBITER_BIGQUERY_EMULATOR_DIR, else `$(go env GOPATH)/bin`, else ~/go/bin, as
# `bigquery-emulator-<version>`: a different pinned version is built beside the others.
#
# How: a throw-away module that requires the exact version, then `go build -v` of the command, with a
# progress line every 20 s (packages compiled of the total). `go install …@VERSION` is not used: the
# Go proxy refuses some versions' lists (403 on `@v/list`), and it cannot report progress.
# From v0.8 the emulator is pure Go (go-googlesql): no cgo, no clang. Older pins (v0.6, v0.7) build
# go-zetasql with cgo and need clang (GCC 12 fails on it); the script installs it when root.
# Measured cold build times per version: infra/EMULATOR-NOTES.md. Later runs do nothing.
set -euo pipefail

VERSION="${BIGQUERY_EMULATOR_VERSION:-v0.6.6}"
PKG="github.com/goccy/bigquery-emulator/cmd/bigquery-emulator"
MODULE="github.com/goccy/bigquery-emulator"

say() { printf '[install-bigquery-emulator] %s\n' "$*" >&2; }

dest_dir() {
  if [ -n "${ARBITER_BIGQUERY_EMULATOR_DIR:-}" ]; then
    printf '%s\n' "$ARBITER_BIGQUERY_EMULATOR_DIR"
  elif command -v go >/dev/null 2>&1; then
    printf '%s/bin\n' "$(go env GOPATH | cut -d: -f1)"
  else
    printf '%s/go/bin\n' "$HOME"
  fi
}

DIR="$(dest_dir)"
# One file per version, so pins can change (or differ between checkouts) without rebuilding back
# and forth.
BIN="$DIR/bigquery-emulator-$VERSION"

# go-zetasql (v0.6.x, v0.7.x) is C++ behind cgo; from v0.8 the emulator is pure Go.
needs_cgo() { case "$VERSION" in v0.[0-7].*) return 0 ;; *) return 1 ;; esac; }

installed() { [ -x "$BIN" ]; }

record() { # $1: a built binary
  mkdir -p "$DIR"
  cp "$1" "$BIN.tmp.$$"
  chmod 0755 "$BIN.tmp.$$"
  mv -f "$BIN.tmp.$$" "$BIN"
  say "installed $VERSION at $BIN"
}

case "${1:-}" in
  --print)
    printf '%s\n' "$BIN"
    exit 0
    ;;
  --adopt)
    [ -x "${2:-}" ] || { say "--adopt needs an executable file"; exit 2; }
    "$2" --help >/dev/null 2>&1 || { say "$2 --help failed: not a bigquery-emulator binary?"; exit 2; }
    record "$2"
    exit 0
    ;;
  "") ;;
  *)
    say "unknown argument: $1"
    exit 2
    ;;
esac

if installed; then
  say "$VERSION already installed at $BIN"
  exit 0
fi

command -v go >/dev/null 2>&1 || {
  say "Go is required to build the BigQuery emulator (or use docker compose, see tools/local-stack/README.md)"
  exit 1
}
# go-zetasql does not compile with GCC 12 (constexpr and C-linkage errors); it needs clang, as the
# emulator's own Dockerfile uses. Installed with apt-get where we are root on Debian/Ubuntu (CI).
if needs_cgo && ! command -v clang++ >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing clang (apt-get): go-zetasql needs clang++"
    apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq clang >&2
  else
    say "clang++ is required (go-zetasql does not build with g++): install clang, e.g. apt-get install clang"
    exit 1
  fi
fi

mkdir -p "$DIR"
# One build at a time per machine: a second caller waits, then finds the binary installed.
exec 9>"$BIN.lock"
if command -v flock >/dev/null 2>&1; then
  say "waiting for the install lock $BIN.lock"
  flock 9
  if installed; then
    say "$VERSION was installed by another process while waiting"
    exit 0
  fi
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/bigquery-emulator-build.XXXXXX")"
monitor=""
trap '[ -n "$monitor" ] && kill "$monitor" 2>/dev/null; rm -rf "$WORK"' EXIT
if needs_cgo; then
  export CGO_ENABLED=1 CC=clang CXX=clang++
  say "building goccy/bigquery-emulator $VERSION (cgo, go-zetasql, clang)."
else
  export CGO_ENABLED=0
  say "building goccy/bigquery-emulator $VERSION (pure Go)."
fi
say "The first build takes several minutes (measured times: infra/EMULATOR-NOTES.md); later runs reuse $BIN."
started=$(date +%s)

# Progress: `go build -v` names each package as it compiles it; a watcher prints the count against
# the total every 20 s, so a first run is never silent for minutes.
progress() { # $1: file of compiled package names, $2: total
  while sleep 20; do
    say "compiling: $(wc -l <"$1" | tr -d ' ') of $2 packages, $(( $(date +%s) - started ))s elapsed"
  done
}

mkdir -p "$WORK/mod"
(
  cd "$WORK/mod"
  go mod init arbiter.local/bigquery-emulator-build >/dev/null 2>&1
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$PKG" >tools.go
  say "downloading modules for $MODULE@$VERSION"
  go get "$MODULE@$VERSION" 2>"$WORK/go-get.log" || { cat "$WORK/go-get.log" >&2; exit 1; }
  go mod tidy 2>>"$WORK/go-get.log" || { cat "$WORK/go-get.log" >&2; exit 1; }
  total=$(go list -deps "$PKG" | wc -l | tr -d ' ')
  : >"$WORK/compiled"
  progress "$WORK/compiled" "$total" &
  monitor=$!
  trap 'kill "$monitor" 2>/dev/null' EXIT
  go build -v -o "$WORK/bigquery-emulator" "$PKG" 2>"$WORK/compiled" || { grep -v '^[a-z0-9.]*[/.]' "$WORK/compiled" >&2; tail -n 20 "$WORK/compiled" >&2; exit 1; }
)
record "$WORK/bigquery-emulator"
say "build took $(( $(date +%s) - started ))s"
