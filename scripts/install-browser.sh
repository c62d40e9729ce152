#!/usr/bin/env bash
# Install a headless browser for the audit report's browser test (tests/browser/): Chromium and
# pdftotext (poppler-utils) from the Debian packages. Idempotent: with both present it does
# nothing. Needs root (or sudo) for apt-get; prints the browser's path.
set -euo pipefail

find_browser() {
  command -v chromium || command -v chromium-browser || command -v google-chrome || true
}

BROWSER="$(find_browser)"
if [[ -n "$BROWSER" ]] && command -v pdftotext >/dev/null 2>&1; then
  echo "$BROWSER"
  exit 0
fi
SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-browser: need root or sudo to apt-get install chromium poppler-utils" >&2
    exit 1
  fi
  SUDO="sudo -n"  # never prompt: a laptop without passwordless sudo skips the browser test
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: apt-get not found; install Chromium and poppler-utils by hand" >&2
  exit 1
fi
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends chromium poppler-utils; } >"$LOG" 2>&1; then
  cat "$LOG" >&2
  echo "install-browser: apt-get install chromium poppler-utils failed" >&2
  exit 1
fi
BROWSER="$(find_browser)"
[[ -n "$BROWSER" ]] || { echo "install-browser: chromium not on PATH after install" >&2; exit 1; }
echo "$BROWSER"
