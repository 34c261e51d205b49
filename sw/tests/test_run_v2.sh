#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# flexor run on a network that needs contract v2 (a stride-2, padded conv), on a tiny schedule: the
# training and reference stages run, the accelerator stages (cosim, synth, fmax) are reported skipped,
# with the reason, on stderr and in report.md, nothing of theirs is written, and the exit status is 0.
# Reuse works for the stages that ran; sweep-hw still refuses the network in one line.
# Usage: test_run_v2.sh FLEXOR DATA_DIR SCRATCH
set -u
flexor=$1; data=$2; t=$3
rm -rf "$t"; mkdir -p "$t"
fail() { echo "FAIL: $*"; exit 1; }
printf 'input 1x28x28\nconv 8 k3 s2 p1   # 14x14\nrelu\nfc 10\n' > "$t/tiny2.net"
args=(--net "$t/tiny2.net" --epochs 1 --train-images 512 --images 20 --data "$data" --out "$t/run")
"$flexor" run "${args[@]}" > "$t/1.out" 2> "$t/1.err"; rc=$?
[ $rc -eq 0 ] || { cat "$t/1.err"; fail "run exited $rc"; }
grep -q '^\[1/5\] train    done in' "$t/1.err" || fail "train did not run"
grep -q '^\[2/5\] infer    done in' "$t/1.err" || fail "the reference (infer) did not run"
for s in 3:cosim 4:synth 5:fmax; do
  grep -q "^\[${s%%:*}/5\] ${s#*:} *skipped (n/a): .*tiny2.net:2: conv stride 2 needs contract v2; the accelerator runs contract v1 only (issue 13)\$" "$t/1.err" \
    || { cat "$t/1.err"; fail "${s#*:} not reported skipped with the reason"; }
  grep -q "^| ${s#*:} | n/a: skipped (.*contract v1 only (issue 13)) |\$" "$t/run/report.md" || { cat "$t/run/report.md"; fail "report.md does not mark ${s#*:} skipped"; }
  [ -e "$t/run/.stamps/${s#*:}.stamp" ] && fail "a skipped stage left a record"
done
[ -e "$t/run/cosim.json" ] || [ -e "$t/run/synth" ] && fail "a skipped stage wrote output"
grep -q 'integer test accuracy (C reference, 10,000 images) | [1-9][0-9]*\.[0-9]* %' "$t/run/report.md" || fail "no integer accuracy in report.md"
grep -q "integer [0-9.]* %; accelerator stages skipped: the network needs contract v2" "$t/1.out" || { cat "$t/1.out"; fail "summary line"; }
# the integer accuracy of the report is that of the reference's CSV
acc=$(awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="accuracy") c=i} NR==2{printf "%.2f", 100*$c}' "$t/run/infer.csv")
grep -q "| integer test accuracy (C reference, 10,000 images) | $acc %" "$t/run/report.md" || fail "report accuracy is not infer.csv's ($acc)"

# second run: train and infer reused, the accelerator stages skipped again, exit 0
"$flexor" run "${args[@]}" > "$t/2.out" 2> "$t/2.err" || { cat "$t/2.err"; fail "second run failed"; }
[ "$(grep -c 'reused (code, options, inputs and outputs unchanged)' "$t/2.err")" -eq 2 ] || { cat "$t/2.err"; fail "train and infer not reused"; }
[ "$(grep -c 'skipped (n/a)' "$t/2.err")" -eq 3 ] || fail "second run did not skip 3 stages"
# the description file's content keys the training stage
printf 'input 1x28x28\nconv 4 k3 s2 p1\nrelu\nfc 10\n' > "$t/tiny2.net"
"$flexor" run "${args[@]}" --skip-synth > "$t/3.out" 2> "$t/3.err" || { cat "$t/3.err"; fail "third run failed"; }
grep -q '^\[1/3\] train    input .*tiny2.net changed' "$t/3.err" || { cat "$t/3.err"; fail "a changed description did not redo training"; }
[ "$(grep -c 'skipped (n/a)' "$t/3.err")" -eq 1 ] || fail "--skip-synth: cosim alone should be reported skipped"

# sweep-hw needs the accelerator: it refuses the network in one line, exit 2
"$flexor" sweep-hw --nets "$t/tiny2.net" --dry-run --out "$t/hw" > /dev/null 2> "$t/4.err"; rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < "$t/4.err")" -eq 1 ] && grep -q 'needs contract v2; the accelerator runs contract v1 only (issue 13)' "$t/4.err" \
  || { cat "$t/4.err"; fail "sweep-hw did not refuse a v2 network in one line (exit $rc)"; }
echo "PASS: flexor run on a contract v2 network (reference stages run, accelerator stages skipped with the reason)"
