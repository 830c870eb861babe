#!/usr/bin/env bash
# Installs goccy/bigquery-emulator at the pinned version, once per machine.
#
#   scripts/install-bigquery-emulator.sh             install if missing or at another version
#   scripts/install-bigquery-emulator.sh --print     print the binary's path and exit
#   scripts/install-bigquery-emulator.sh --adopt F   install the already-built binary F as the pinned
#                                                    version (e.g. one built by hand or cached by CI)
#
# Where: $ARBITER_BIGQUERY_EMULATOR_DIR, else `$(go env GOPATH)/bin`, else ~/go/bin. The version is
# recorded next to the binary (bigquery-emulator.version); a different pinned version rebuilds.
#
# How: `go install …@VERSION` first. That fails where the Go proxy refuses the module's version list
# (403 on `@v/list`, the deprecation check), so it falls back to a throw-away module that requires
# the exact version and builds the command from it. The build is cgo (go-zetasql, a C++ SQL
# front end) and needs clang (GCC 12 fails on it): the FIRST BUILD TAKES 15-40 MINUTES on a small
# machine (13 min measured on 2 cores with a warm Go cache). Later runs do nothing.
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
BIN="$DIR/bigquery-emulator"
STAMP="$BIN.version"

installed() { [ -x "$BIN" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$VERSION" ]; }

record() { # $1: a built binary
  mkdir -p "$DIR"
  cp "$1" "$BIN.tmp.$$"
  chmod 0755 "$BIN.tmp.$$"
  mv -f "$BIN.tmp.$$" "$BIN"
  printf '%s\n' "$VERSION" >"$STAMP"
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
  say "Go is required to build the BigQuery emulator (or use docker compose, see infra/README.md)"
  exit 1
}
# go-zetasql does not compile with GCC 12 (constexpr and C-linkage errors); it needs clang, as the
# emulator's own Dockerfile uses. Installed with apt-get where we are root on Debian/Ubuntu (CI).
if ! command -v clang++ >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing clang (apt-get): go-zetasql needs clang++"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang >&2
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
trap 'rm -rf "$WORK"' EXIT
export CGO_ENABLED=1 CC=clang CXX=clang++

say "building goccy/bigquery-emulator $VERSION (cgo, go-zetasql)."
say "THE FIRST BUILD TAKES A LONG TIME: 15-40 minutes on 2 cores. Later runs reuse $BIN."
started=$(date +%s)

if GOBIN="$WORK/gobin" go install "$PKG@$VERSION" 2>"$WORK/go-install.log"; then
  record "$WORK/gobin/bigquery-emulator"
else
  say "go install $PKG@$VERSION failed ($(tail -n 1 "$WORK/go-install.log")); building from a temporary module"
  mkdir -p "$WORK/mod"
  (
    cd "$WORK/mod"
    go mod init arbiter.local/bigquery-emulator-build >/dev/null 2>&1
    printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$PKG" >tools.go
    go get "$MODULE@$VERSION"
    go mod tidy
    go build -o "$WORK/bigquery-emulator" "$PKG" >&2
  )
  record "$WORK/bigquery-emulator"
fi
say "build took $(( $(date +%s) - started ))s"
