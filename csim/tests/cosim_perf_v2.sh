#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The RUNX performance model (fx_perf_model_v2 over fx_perf_runx_cycles, docs/perf.md "One RUNX") against
# the Verilated RTL on version-2 chains: a generated LeNet-5 chain and eight random chains, no stalls,
# every chain's cycles per inference, cnt_busy and the model load exact (--perf-tol 0.0001: only the
# floating-point averaging over the images may differ).
# Usage: cosim_perf_v2.sh FLEXOR GENMODEL WORKDIR
set -u
flexor=$1 genmodel=$2 work=$3
mkdir -p "$work"
"$genmodel" --net lenet "$work/lenet_v2.fxm" --seed 3 > /dev/null || { echo "FAIL: genmodel"; exit 1; }
for m in "$work/lenet_v2.fxm" random:chain:1 random:chain:2 random:chain:3 random:chain:4 random:chain:5 \
         random:chain:6 random:chain:7 random:chain:8; do
    out=$("$flexor" cosim "$m" --random-images --images 3 --seed 5 --perf-tol 0.0001 2>&1) ||
        { echo "$out"; echo "FAIL: $m"; exit 1; }
    grep -q "v2 chain" <<< "$out" || { echo "$out"; echo "FAIL: $m: no performance row"; exit 1; }
done
echo "ok: the RUNX performance model exact on 9 version-2 chains"
