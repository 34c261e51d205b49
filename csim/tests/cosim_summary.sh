#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# flexor cosim's summary files: `mismatches` is the number of diverged images (not the exit status) and
# `status` the exit status; a failed --csv write is status 2 with 0 mismatches; a model path holding a
# quote and a comma is escaped in the JSON (cJSON) and quoted in the CSV (RFC 4180).
# Usage: cosim_summary.sh FLEXOR GENMODEL SCRATCH
set -u
flexor=$1; genmodel=$2; t=$3
rm -rf "$t"; mkdir -p "$t"
fail() { echo "FAIL: $*"; exit 1; }
field() { grep -Eq "\"$2\":[[:space:]]*$3,?\$" "$1" || { cat "$1"; fail "$1: $2 is not $3"; }; }

"$flexor" cosim random:mlp:4 --limit 2 --quiet --csv "$t/no/dir/x.csv" --json "$t/w.json" > /dev/null 2> "$t/e"
[ $? -eq 2 ] || { cat "$t/e"; fail "an unwritable --csv did not exit 2"; }
grep -q "^flexor cosim: $t/no/dir/x.csv: cannot write: " "$t/e" || { cat "$t/e"; fail "message"; }
field "$t/w.json" mismatches 0
field "$t/w.json" status 2

"$flexor" cosim random:mlp:4 --limit 2 --quiet --inject-fault 5000 --json "$t/f.json" > /dev/null 2>&1
[ $? -eq 1 ] || fail "an injected fault did not exit 1"
field "$t/f.json" mismatches 1
field "$t/f.json" status 1

m="$t/a\"b,c.fxm"
"$genmodel" mlp "$m" > /dev/null || fail "genmodel"
"$flexor" cosim "$m" --limit 1 --quiet --json "$t/q.json" --csv "$t/q.csv" > /dev/null 2> "$t/e" || { cat "$t/e"; fail "cosim"; }
field "$t/q.json" mismatches 0
field "$t/q.json" status 0
grep -qF "\"model\":	\"$t/a\\\"b,c.fxm\"," "$t/q.json" || { cat "$t/q.json"; fail "model path not escaped in the JSON"; }
grep -qF "\"$t/a\"\"b,c.fxm\",1,0,0," "$t/q.csv" || { cat "$t/q.csv"; fail "model path not quoted in the CSV"; }
rm -rf "$t"
echo "PASS: cosim summary files"
