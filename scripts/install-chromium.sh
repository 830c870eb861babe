#!/usr/bin/env bash
# Installs Debian's Chromium for the console's browser tests (driven by playwright-core), once per
# machine. Idempotent: does nothing when /usr/bin/chromium exists. No downloaded browsers: the
# playwright browser download is not reachable here, and Debian's package is signed and pinned by apt.
#
#   scripts/install-chromium.sh
#
# Needs root (or passwordless sudo) for apt-get; prints what to run otherwise.
set -euo pipefail

say() { printf '[install-chromium] %s\n' "$*" >&2; }

if [ -x /usr/bin/chromium ]; then
  say "found $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  say "Chromium is missing and this user cannot install packages; run as root: apt-get update && apt-get install -y chromium"
  exit 1
fi

say "installing Debian's chromium (apt-get update once, then apt-get install)"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=600 update
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y chromium
say "installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
