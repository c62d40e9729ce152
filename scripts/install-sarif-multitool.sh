#!/usr/bin/env bash
# Install Microsoft's SARIF Multitool (npm @microsoft/sarif-multitool) into .tools/, project-local.
# Idempotent and quiet: a second run with the binary present does nothing. Prints the binary's path.
# The tests call the binary directly (the npm wrapper re-splits quoted `;` through a shell).
set -euo pipefail

VERSION="${SARIF_MULTITOOL_VERSION:-5.7.0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="$ROOT/.tools/sarif-multitool"
BIN="$PREFIX/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
STAMP="$PREFIX/.version"

if [[ -x "$BIN" && -f "$STAMP" && "$(cat "$STAMP")" == "$VERSION" ]]; then
  echo "$BIN"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install-sarif-multitool: npm not found; install Node.js/npm to validate SARIF" >&2
  exit 1
fi
mkdir -p "$PREFIX"
# Keep .tools/ out of git without touching the repository's .gitignore.
printf '*\n' >"$ROOT/.tools/.gitignore"
# Quiet on success; npm's own output only when it fails.
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
if ! npm install --prefix "$PREFIX" --no-save --no-audit --no-fund --no-package-lock \
  --loglevel=error "@microsoft/sarif-multitool@$VERSION" >"$LOG" 2>&1; then
  cat "$LOG" >&2
  echo "install-sarif-multitool: npm install @microsoft/sarif-multitool@$VERSION failed" >&2
  exit 1
fi
if [[ ! -f "$BIN" ]]; then
  echo "install-sarif-multitool: no Linux binary at $BIN (this platform: $(uname -sm))" >&2
  exit 1
fi
chmod +x "$BIN"
echo "$VERSION" >"$STAMP"
echo "$BIN"
