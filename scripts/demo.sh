#!/usr/bin/env bash
# The main job on a bundled example. Called by `make demo`.
set -euo pipefail
SV=.venv/bin/segverify
$SV validate examples/quickstart
