#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Version-2 chains through the RTL with RUNX (interface 1.2, docs/accelerator.md "RUNX"): eight random
# chains (fx_model_random_chain: stride 1-4, padding, pool 2, FC, 1-3 input channels), random stalls,
# every tap compared (chunk, acc, gather and write streams) and the logits against the reference.
# Usage: cosim_v2_chain.sh FLEXOR
set -u
flexor=$1
for s in 1 2 3 4 5 6 7 8; do
    out=$("$flexor" cosim "random:chain:$s" --random-images --images 3 --seed "$s" --stall 0.3 --quiet 2>&1) ||
        { echo "$out"; echo "FAIL: random:chain:$s"; exit 1; }
done
echo "ok: 8 random version-2 chains bit-exact through the RTL"
