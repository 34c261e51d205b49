#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# flexor run end to end on a small schedule: a report with 0 mismatches; a stage reused only when its
# code, options, input contents and outputs are unchanged (each cause of a redo checked: options, a
# dataset label file, a tampered output, --force, changed epochs in the same directory); a stale RTL
# tree refused; a failing stage reported in one line with the command that reproduces it.
# Usage: test_run.sh FLEXOR FLEXOR-BUILDID RTL_DIR DATA_DIR SCRATCH
set -u
flexor=$1; buildid=$2; rtl=$3; data=$4; t=$5
rm -rf "$t"; mkdir -p "$t/data"
fail() { echo "FAIL: $*"; exit 1; }
cp "$data"/*-ubyte.gz "$t/data/" || fail "cannot copy the dataset"
quick=(--skip-synth --epochs 1 --limit 3000 --images 20 --data "$t/data" --out "$t/run")
run() { local n=$1; shift; "$flexor" run "$@" > "$t/$n.out" 2> "$t/$n.err"; }
redone() { grep -q "\] $2 .*$3" "$t/$1.err" || { cat "$t/$1.err"; fail "run $1: $2 not redone because '$3'"; }; }
reused() { grep -q "\] $2 .*reused" "$t/$1.err" || { cat "$t/$1.err"; fail "run $1: $2 not reused"; }; }
acc() { grep -o 'integer test accuracy (C reference, 10,000 images) | [0-9.]*' "$t/run/report.md"; }

run 1 "${quick[@]}" || { cat "$t/1.err"; fail "first run exited $?"; }
[ -f "$t/run/report.md" ] || fail "no report.md"
grep -q '| RTL vs reference mismatches | 0 |' "$t/run/report.md" || fail "report does not say 0 mismatches"
grep -q 'integer test accuracy (C reference, 10,000 images) | [0-9]' "$t/run/report.md" || fail "no integer accuracy"
grep -q 'RTL accuracy (20 images)' "$t/run/report.md" || fail "RTL accuracy missing"
grep -q '0 mismatches' "$t/1.out" || fail "summary line missing"
[ "$(grep -c 'done in' "$t/1.err")" -eq 3 ] || fail "expected 3 stages to run"
acc1=$(acc)

run 2 "${quick[@]}" || fail "second run failed"
[ "$(grep -c 'reused (code, options, inputs and outputs unchanged)' "$t/2.err")" -eq 3 ] || { cat "$t/2.err"; fail "second run did not reuse all 3 stages"; }

# Only the co-simulation depends on --images.
run 3 --skip-synth --epochs 1 --limit 3000 --images 25 --data "$t/data" --out "$t/run" || fail "third run failed"
reused 3 train; reused 3 infer; redone 3 cosim "options changed"
grep -q 'RTL accuracy (25 images)' "$t/run/report.md" || fail "report not updated"

# A tampered output is not trusted.
echo '{}' > "$t/run/cosim.json"
run 4 --skip-synth --epochs 1 --limit 3000 --images 25 --data "$t/data" --out "$t/run" || fail "fourth run failed"
reused 4 infer; redone 4 cosim "output .*cosim.json changed"

# Rewritten test labels: every stage that reads them is redone and the report's accuracy changes.
/usr/bin/python3 - "$t/data/t10k-labels-idx1-ubyte.gz" <<'PY' || fail "cannot rewrite labels"
import gzip, sys
b = bytearray(gzip.open(sys.argv[1]).read())
for i in range(8, 8 + 5000): b[i] = (b[i] + 1) % 10
gzip.open(sys.argv[1], "wb").write(bytes(b))
PY
run 5 --skip-synth --epochs 1 --limit 3000 --images 25 --data "$t/data" --out "$t/run" || fail "run after the label change failed"
redone 5 train "input .*t10k-labels-idx1-ubyte.gz changed"; redone 5 infer "input"; redone 5 cosim "input"
[ "$(acc)" != "$acc1" ] || fail "report accuracy unchanged after rewriting half the labels ($acc1)"

# --force redoes every stage from scratch: training is not resumed from its checkpoint.
run 6 "${quick[@]}" --force || fail "forced run failed"
[ "$(grep -c 'force' "$t/6.err")" -eq 3 ] || { cat "$t/6.err"; fail "--force did not redo all 3 stages"; }
grep -q resuming "$t/6.err" && fail "--force resumed training"

# Other epochs in the same run directory: trained afresh, no foreign checkpoint in the way.
run 7 --skip-synth --epochs 2 --limit 3000 --images 25 --data "$t/data" --out "$t/run" || { cat "$t/7.err"; fail "changing --epochs failed"; }
redone 7 train "options changed"
grep -q resuming "$t/7.err" && fail "changed options resumed a checkpoint"

# An RTL tree other than the one compiled in is refused in one line (the report would be stale).
cp -r "$rtl" "$t/rtl"
FX_RTL_DIR="$t/rtl" run 8 --skip-synth --epochs 2 --limit 3000 --images 25 --data "$t/data" --out "$t/run" || { cat "$t/8.err"; fail "an identical RTL copy was refused"; }
echo "// changed" >> "$t/rtl/flexor_lane.v"
FX_RTL_DIR="$t/rtl" run 9 "${quick[@]}"; rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < "$t/9.err")" -eq 1 ] && grep -q 'rebuild' "$t/9.err" || { cat "$t/9.err"; fail "a changed RTL file was not refused (exit $rc)"; }
cp "$rtl/flexor_lane.v" "$t/rtl/flexor_lane.v"; echo "# changed" >> "$t/rtl/config/default.cfg"
FX_RTL_DIR="$t/rtl" run 10 "${quick[@]}"; [ $? -eq 2 ] || fail "a changed config was not refused"

# The build id follows the sources: one changed byte changes the part's digest.
printf 'x' > "$t/src.c"; printf 'sw\tsrc.c\t%s\n' "$t/src.c" > "$t/list"
"$buildid" "$t/id1.c" "$t/list" "$rtl" test && printf 'y' > "$t/src.c" && "$buildid" "$t/id2.c" "$t/list" "$rtl" test || fail "flexor-buildid failed"
cmp -s "$t/id1.c" "$t/id2.c" && fail "build id unchanged after a source change"
"$flexor" --version | grep -q '^flexor .*build [0-9a-f]\{16\}' || fail "--version does not print the build id"

# A failing stage: one line naming it, with the command that reproduces it; non-zero exit.
run 11 --skip-synth --epochs 1 --data "$t/no-such-dir" --out "$t/bad"; rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < "$t/11.err")" -eq 1 ] || { cat "$t/11.err"; fail "a missing dataset is not one line, exit 2"; }
mkdir -p "$t/baddata"; cp "$t/data"/*.gz "$t/baddata/"; head -c 5000 "$t/data/train-images-idx3-ubyte.gz" > "$t/baddata/train-images-idx3-ubyte.gz"
run 11 --skip-synth --epochs 1 --data "$t/baddata" --out "$t/bad"; rc=$?
[ $rc -ne 0 ] || fail "a truncated dataset did not fail"
grep -q "stage 'train' failed .*reproduce with: [^ ]*flexor train " "$t/11.err" || { cat "$t/11.err"; fail "no one-line cause"; }
[ -f "$t/bad/report.md" ] && fail "a failed run wrote a report"

"$flexor" run --model vgg > /dev/null 2>&1
[ $? -eq 2 ] || fail "bad --model did not exit 2"
echo "PASS: flexor run (report, sound reuse, stale RTL refused, failure line)"
