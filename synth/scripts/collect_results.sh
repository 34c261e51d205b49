#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# collect_results.sh SWEEP_DIR RESULTS_DIR: copies the sweep's tables, plot and per-config reports (not
# the netlists and logs) into synth/results/ for committing.
set -eu
src=$1; dst=$2
mkdir -p "$dst"
for f in sweep.md sweep.csv sweep.svg sweep.gp; do cp "$src/$f" "$dst/$f"; done
for d in "$src"/*/; do
  n=$(basename "$d")
  [ -f "$d/report.md" ] || continue
  cp "$d/report.md" "$dst/$n.md"
  cp "$d/report.json" "$dst/$n.json"
done
echo "collect_results: $(ls "$dst" | wc -l) files in $dst"
