#!/bin/bash
# Refactoring guard: every CLI command over every example, test case and shipped pack, in every format
# (stdout, stderr, exit code and written files), into OUTDIR. Run before and after a change that must not
# change any output, then `diff -r BEFORE AFTER`. Takes minutes; not part of make test.
# usage: scripts/cli-snapshot.sh REPO OUTDIR (REPO with its .venv installed)
REPO=$1; OUT=$2; rm -rf "$OUT"; mkdir -p "$OUT"
cd "$REPO"
SV="$REPO/.venv/bin/segverify"
TODAY="--today 2026-01-01"
models=()
for d in examples/*/ examples/*/*/ tests/cases/*/; do
  ls "$d"*.yaml >/dev/null 2>&1 || continue
  models+=("${d%/}")
done
packs=("" "-p pack:baseline" "-p pack:pci-dss" "-p pack:three-plane" "-p pack:iec62443-template")
run() { local name=$1; shift; local tmp=$OUT/tmp; rm -rf "$tmp"; mkdir -p "$tmp"
  (cd "$tmp" && timeout 120 "$SV" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"; echo $? >"$OUT/$name.rc")
  for f in $(cd "$tmp" && find . -type f | sort); do cp "$tmp/$f" "$OUT/$name.file.$(echo "$f" | tr / _)"; done
  rm -rf "$tmp"; }
n=0
for m in "${models[@]}"; do
  key=$(echo "$m" | tr / _)
  A="$REPO/$m"
  for pi in "${!packs[@]}"; do p=${packs[$pi]}
    for f in text json sarif junit github; do
      run "check.$key.p$pi.$f" check $A $p -f $f $TODAY; n=$((n+1)); done
  done
  run "check.$key.cert" check $A --certificate cert.json $TODAY; n=$((n+1))
  run "check.$key.allpaths" check $A --all-paths --explain $TODAY; n=$((n+1))
  run "check.$key.graphs" check $A --graphs g --report r.html --dot-binary /nonexistent $TODAY; n=$((n+1))
  run "validate.$key" validate $A; n=$((n+1))
  run "verify-cert.$key" verify-certificate $A; n=$((n+1))
  for f in text json sarif github; do run "lint.$key.$f" lint $A -f $f $TODAY; n=$((n+1)); done
  for f in text json; do run "explain.$key.$f" explain $A -f $f; n=$((n+1)); done
  for f in text json patch; do run "fix.$key.$f" fix $A -f $f $TODAY; n=$((n+1)); done
  for v in architecture paths matrix blast controls; do
    run "render.$key.$v" render $A --view $v -o out.dot; n=$((n+1)); done
  run "paths.$key.text" paths $A --from any --to any; n=$((n+1))
  run "paths.$key.json" paths $A --from any --to any -f json; n=$((n+1))
done
for f in text json markdown sarif; do
  run "diff.cr.$f" diff "$REPO/examples/change-review/before" "$REPO/examples/change-review/too-wide" -f $f $TODAY; n=$((n+1))
  run "diff.rav.$f" diff "$REPO/examples/remote-access-vendor/flawed" "$REPO/examples/remote-access-vendor/segregated" --foothold any -f $f $TODAY; n=$((n+1))
done
# sed out repo path so two trees compare
grep -rl "$REPO" "$OUT" 2>/dev/null | xargs -r sed -i "s#$REPO#REPO#g"
echo "$n runs"
