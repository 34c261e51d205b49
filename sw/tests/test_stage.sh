#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# flexor stage (the reuse rule of flexor run and sweep-hw's job lists): a job is redone when an input's
# content, an option or an output changes, or with --force, and reused otherwise; sweep-hw writes
# every job through it. Usage: test_stage.sh FLEXOR FLEXOR-GENMODEL DATA_DIR SCRATCH
set -u
flexor=$1; gen=$2; data=$3; t=$4
rm -rf "$t"; mkdir -p "$t"
fail() { echo "FAIL: $*"; exit 1; }
"$gen" mlp "$t/m.fxm" --seed 1 > /dev/null || fail "genmodel"
job() { "$flexor" stage infer --record "$t/rec" --code build,sw --in "$t/m.fxm" --out "$t/o.csv" "$@" -- \
        infer "$t/m.fxm" --data "$data" --limit ${N:-50} --csv "$t/o.csv" > "$t/log" 2> "$t/err"; }
expect() { grep -q "$1" "$t/err" || { cat "$t/err"; fail "$2"; }; }
job || fail "first run"; expect "not run before" "first run not run"
[ -s "$t/o.csv" ] || fail "no output"
job || fail "second run"; expect "reused" "unchanged job not reused"
"$gen" mlp "$t/m.fxm" --seed 2 > /dev/null; job; expect "input $t/m.fxm changed" "changed input not redone"
N=60 job; expect "options changed" "changed option not redone"
N=60 job; expect "reused" "not reused after the option change"
echo x >> "$t/o.csv"; N=60 job; expect "output $t/o.csv changed" "tampered output trusted"
N=60 job --force; expect "force" "--force did not redo"
"$flexor" stage infer --record "$t/rec" -- infer x > /dev/null 2> "$t/err"; [ $? -eq 2 ] || fail "missing --out accepted"
"$flexor" stage infer --record "$t/rec" --out "$t/o.csv" --code nosuchpart -- infer "$t/m.fxm" > /dev/null 2> "$t/err"
[ $? -eq 2 ] || fail "unknown build part accepted"

# sweep-hw: every job line goes through flexor stage with its code parts and data inputs.
"$flexor" sweep-hw --dry-run --models mlp --settings fp,0.8 --out "$t/sw" --data "$data" 2> /dev/null || fail "sweep-hw --dry-run"
grep -c "stage train_mlp_.*--code build,sw,trainer --in $data/train-images" "$t/sw/jobs.txt" | grep -qx 2 || fail "train jobs not staged"
grep -q "stage cosim_mlp_0.8 .*--code build,sw,csim,rtl --in $t/sw/models/mlp_0.8.fxm" "$t/sw/jobs.txt" || fail "cosim job not staged"
grep -q "stage synth_sweep .*--tool yosys" "$t/sw/jobs.txt" || fail "synth job not staged"
grep -q "^.PHONY: train_mlp_0.8" "$t/sw/jobs.mk" || fail "make targets not phony"
"$flexor" sweep-hw --dry-run --out "$t/a'b" 2> "$t/err"; [ $? -eq 2 ] || fail "a quote in --out accepted"
echo "PASS: flexor stage (reuse keyed on code, options, input and output contents; sweep-hw jobs)"
