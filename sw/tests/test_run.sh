#!/usr/bin/env bash
# flexor run end to end on a small schedule: report with 0 mismatches, stages reused when their
# inputs are unchanged, only the changed stage redone, and a failing stage reported in one line with
# the command that reproduces it. Usage: test_run.sh FLEXOR SCRATCH
set -u
flexor=$1; t=$2
rm -rf "$t"; mkdir -p "$t"
fail() { echo "FAIL: $*"; exit 1; }
quick=(--skip-synth --epochs 1 --limit 3000 --images 20 --out "$t/run")

"$flexor" run "${quick[@]}" > "$t/1.out" 2> "$t/1.err" || { cat "$t/1.err"; fail "first run exited $?"; }
[ -f "$t/run/report.md" ] || fail "no report.md"
grep -q '| RTL vs reference mismatches | 0 |' "$t/run/report.md" || fail "report does not say 0 mismatches"
grep -q 'integer test accuracy (C reference, 10,000 images) | [0-9]' "$t/run/report.md" || fail "no integer accuracy"
grep -q 'RTL accuracy (20 images)' "$t/run/report.md" || fail "RTL accuracy missing"
grep -q '0 mismatches' "$t/1.out" || fail "summary line missing"
[ "$(grep -c 'done in' "$t/1.err")" -eq 3 ] || fail "expected 3 stages to run"

"$flexor" run "${quick[@]}" > "$t/2.out" 2> "$t/2.err" || fail "second run failed"
[ "$(grep -c 'reused (inputs unchanged)' "$t/2.err")" -eq 3 ] || { cat "$t/2.err"; fail "second run did not reuse all 3 stages"; }

# Only the co-simulation depends on --images: train and infer are reused, cosim is redone.
"$flexor" run --skip-synth --epochs 1 --limit 3000 --images 25 --out "$t/run" > "$t/3.out" 2> "$t/3.err" || fail "third run failed"
grep -q 'train .*reused' "$t/3.err" || fail "train not reused"
grep -q 'infer .*reused' "$t/3.err" || fail "infer not reused"
grep -q 'cosim .*done in' "$t/3.err" || fail "cosim not redone"
grep -q 'RTL accuracy (25 images)' "$t/run/report.md" || fail "report not updated"

# A failing stage: one line naming it, with the command that reproduces it; non-zero exit.
"$flexor" run --skip-synth --epochs 1 --data "$t/no-such-dir" --out "$t/bad" > "$t/4.out" 2> "$t/4.err"
rc=$?
[ $rc -ne 0 ] || fail "a missing dataset did not fail"
grep -q "stage 'train' failed .*reproduce with: [^ ]*flexor train " "$t/4.err" || { cat "$t/4.err"; fail "no one-line cause"; }
[ -f "$t/bad/report.md" ] && fail "a failed run wrote a report"

"$flexor" run --model vgg > /dev/null 2>&1
[ $? -eq 2 ] || fail "bad --model did not exit 2"
echo "PASS: flexor run (report, reuse, partial redo, failure line)"
