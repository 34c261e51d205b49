#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# flexor cosim --jobs N: the report does not depend on N. With stalls, 1, 2 and 3 processes give the same
# summary (all but the time and speed lines), the same --predictions file and the same JSON fields; a
# fault injected into an image of the last part gives the same first divergence (image, layer, RUN, tap,
# the cycle a single process reaches, the rerun command) whatever N, and the rerun command, run as
# printed, reports that same divergence at that same cycle.
# Usage: cosim_jobs.sh FLEXOR SCRATCH
set -u
flexor=$1; t=$2
rm -rf "$t"; mkdir -p "$t"
fail() { echo "FAIL: $*"; exit 1; }
strip() { grep -v -E 'CPU-second|^  time|projected' "$1"; }
json() { grep -v -E '"(wall_s|cpu_s|rtl_cycles_per_cpu_s|lockstep_cycles_per_cpu_s)"' "$1"; }

for j in 1 2 3; do
  "$flexor" cosim random:lenet:5 --random-images --images 7 --seed 3 --stall 0.3 --quiet --jobs "$j" \
    --predictions "$t/p$j.csv" --json "$t/s$j.json" > "$t/o$j" 2> "$t/e$j" || { cat "$t/e$j"; fail "--jobs $j"; }
done
grep -q '3 processes' "$t/o3" || { cat "$t/o3"; fail "--jobs 3 did not run 3 processes"; }
for j in 2 3; do
  diff <(strip "$t/o1") <(strip "$t/o$j") || fail "summary of --jobs $j differs from --jobs 1"
  cmp "$t/p1.csv" "$t/p$j.csv" || fail "predictions of --jobs $j differ"
  diff <(json "$t/s1.json") <(json "$t/s$j.json") || fail "JSON of --jobs $j differs"
done
[ "$(wc -l < "$t/p1.csv")" -eq 8 ] || fail "expected a header and 7 prediction rows"

for j in 1 2 3; do
  "$flexor" cosim random:mlp:4 --random-images --images 6 --seed 2 --stall 0.2 --quiet --jobs "$j" \
    --inject-fault 40 --inject-image 5 > "$t/fo$j" 2> "$t/fe$j"
  [ $? -eq 1 ] || { cat "$t/fe$j"; fail "an injected fault with --jobs $j did not exit 1"; }
done
grep -q '^cosim: MISMATCH image 5, ' "$t/fe1" || { cat "$t/fe1"; fail "the divergence is not at image 5"; }
for j in 2 3; do
  diff "$t/fe1" "$t/fe$j" || fail "the divergence report of --jobs $j differs"
  diff <(strip "$t/fo1") <(strip "$t/fo$j") || fail "the diverged summary of --jobs $j differs"
done
cycle=$(sed -n 's/.*, cycle \([0-9]*\): expected.*/\1/p' "$t/fe1")
[ -n "$cycle" ] || fail "no cycle in the report"
rerun=$(sed -n 's/^  rerun with a waveform: flexor //p' "$t/fe1" | sed "s|cosim_fail.fst|$t/w.fst|")
# shellcheck disable=SC2086 # the printed command is plain words
"$flexor" $rerun --quiet > /dev/null 2> "$t/re"
[ $? -eq 1 ] || { cat "$t/re"; fail "the rerun did not diverge"; }
grep -q ", cycle $cycle: expected" "$t/re" || { cat "$t/re"; fail "the rerun diverged at another cycle than $cycle"; }
[ -s "$t/w.fst" ] || fail "the rerun wrote no waveform"
echo "ok: --jobs 1/2/3 agree; divergence at cycle $cycle reproduced"
