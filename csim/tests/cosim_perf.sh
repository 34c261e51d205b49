#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The performance model (sw/src/perfmodel.c, docs/perf.md) against the Verilated RTL: flexor cosim on
# small generated models (MLP, LeNet-5 aligned and straddle, the MLP with its FC layers chained), stall-
# free, must predict every layer's cycles within 2 % (--perf-tol, the project's goal) and, as it does today,
# exactly (a difference means the RTL's timing changed: update the model and docs/perf.md), the model load
# exactly; the JSON table must add up to the measured cycles per inference; --perf-tol with stalls is refused.
# Usage: cosim_perf.sh FLEXOR GENMODEL SCRATCH
set -u
flexor=$1; genmodel=$2; t=$3
rm -rf "$t"; mkdir -p "$t"
fail() { echo "FAIL: $*"; exit 1; }

run() { # name genmodel-args... -- cosim-args...
    local name=$1; shift
    local gen=()
    while [ "$1" != -- ]; do gen+=("$1"); shift; done
    shift
    "$genmodel" "${gen[@]}" "$t/$name.fxm" > /dev/null || fail "genmodel ${gen[*]}"
    "$flexor" cosim "$t/$name.fxm" --random-images --images 2 --jobs 1 --quiet --perf-tol 2 --json "$t/$name.json" \
        --perf-csv "$t/$name.csv" "$@" > "$t/$name.out" 2>&1 || { cat "$t/$name.out"; fail "$name: cosim or the 2 % check"; }
    python3 - "$t/$name.json" "$t/$name.csv" <<'PY' || { cat "$t/$name.out"; fail "$name: the table"; }
import csv, json, sys
j = json.load(open(sys.argv[1]))
rows = j["layers"]
assert rows, "no per-layer rows"
for r in rows:
    assert abs(r["error_pct"]) <= 2.0, r
    assert abs(r["predicted_cycles"] - r["measured_cycles"]) <= 0.02 * r["measured_cycles"], r
    assert abs(r["predicted_busy"] - r["measured_busy"]) <= 0.02 * r["measured_busy"] + 1e-9, r
    for k in ("cycles", "busy", "stall"):
        assert abs(r["predicted_" + k] - r["measured_" + k]) < 1e-6, ("not exact", k, r)
    assert 0 < r["mac_utilisation_run"] <= 1.0 and r["mac_utilisation"] <= r["mac_utilisation_run"], r
# the segments cover every cycle of an inference
total = sum(r["measured_cycles"] for r in rows)
assert abs(total - j["cycles_per_inference"]) < 1e-6, (total, j["cycles_per_inference"])
busy = sum(r["measured_busy"] for r in rows)
assert abs(busy - j["busy_per_inference"]) < 1e-6, (busy, j["busy_per_inference"])
assert j["load_cycles_predicted"] == j["load_cycles_measured"], j
assert len(list(csv.DictReader(open(sys.argv[2])))) == len(rows)
PY
    grep -q "per layer, cycles / inference: model" "$t/$name.out" || { cat "$t/$name.out"; fail "$name: no table"; }
    # inspect --perf (the extra cosim options are only --chain, which it takes too), without RTL: an image
    # after an image; image 0 of the 2 waited 2 cycles less, and the cosim load adds reset (4) and CLEAR (1)
    "$flexor" inspect "$t/$name.fxm" --perf --json "$@" > "$t/$name.inspect.json" || fail "$name: inspect --perf"
    python3 - "$t/$name.inspect.json" "$t/$name.json" <<'PY' || fail "$name: inspect --perf differs from the RTL"
import json, sys
p = json.load(open(sys.argv[1]))["perf"]
c = json.load(open(sys.argv[2]))
assert p["cycles_per_inference"] - 1 == c["cycles_per_inference"], (p["cycles_per_inference"], c["cycles_per_inference"])
assert p["model_load_cycles"] + 5 == c["load_cycles_measured"], (p["model_load_cycles"], c["load_cycles_measured"])
PY
}

run mlp mlp --seed 5 --
run lenet lenet --seed 6 --
run lenet_straddle lenet --straddle --seed 7 --
run mlp_chain mlp --seed 8 -- --chain

"$flexor" cosim "$t/mlp.fxm" --random-images --images 1 --stall 0.2 --perf-tol 2 > "$t/e" 2>&1
[ $? -eq 2 ] && grep -q "use --stall 0" "$t/e" || { cat "$t/e"; fail "--perf-tol with stalls was not refused"; }
rm -rf "$t"
echo "PASS: performance model within 2 % on every layer"
