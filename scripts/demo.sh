#!/usr/bin/env bash
# `make demo`: the main job on the bundled examples. Each check must end as its example's README
# says (exit 0: everything proved, 1: the flaws found); anything else (2 bad input, 3 unknown,
# 70 internal error) fails the demo.
set -uo pipefail
SV=.venv/bin/segverify
OUT=${OUT:-out}
mkdir -p "$OUT"
status=0

run() {  # run EXPECTED_EXIT TITLE ARGS...
  local expected=$1 title=$2
  shift 2
  printf '\n\033[1m== %s\033[0m\n$ segverify %s\n' "$title" "$*"
  "$SV" "$@"
  local code=$?
  if [ "$code" -ne "$expected" ]; then
    echo "demo: expected exit $expected, got $code" >&2
    status=1
  fi
}

PACKS=(-p pack:three-plane -p pack:baseline)
VENDOR=examples/remote-access-vendor
run 0 "Remote-access vendor, segregated: corporate IT, production and the platform proved apart" \
  check "$VENDOR/segregated" "${PACKS[@]}" --graphs "$OUT/segregated" \
  --report "$OUT/segregated-report.html" --certificate "$OUT/segregated-certificates.json"
run 1 "Remote-access vendor, flawed: one stolen employee password, and the other mistakes" \
  check "$VENDOR/flawed" "${PACKS[@]}" --graphs "$OUT/flawed"
run 1 "The stolen password's attack paths into production, shortest first" \
  paths "$VENDOR/flawed" --from internet --account alice --to production --limit 2
"$SV" check "$VENDOR/flawed" "${PACKS[@]}" --format json --output "$OUT/flawed.json" \
  --certificate "$OUT/flawed-certificates.json" --report "$OUT/flawed-report.html" >/dev/null
run 0 "An auditor re-checks the flawed design's proofs without the solver" \
  verify-certificate "$OUT/flawed-certificates.json" "$VENDOR/flawed" "${PACKS[@]}"
run 0 "PCI card-data environment, segmented" check examples/pci-cde/segmented -p pack:pci-dss
run 0 "Three-tier web app behind a jump host (quickstart)" validate examples/quickstart

echo
echo "Reports and diagrams are in $OUT/: the audit report $OUT/flawed-report.html (docs/audit.md),"
echo "diagrams $OUT/flawed/index.html."
exit $status
