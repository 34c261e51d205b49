#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Training throughput: flexor bench --paper vs the same models in PyTorch (trainer/bench/torch_bench.py),
# interleaved, best of N rounds each (the machine is shared: the best round is the least disturbed one).
# PyTorch gets its best thread setting: OMP_WAIT_POLICY=PASSIVE and OPENBLAS_NUM_THREADS=1 (its OpenMP
# threads otherwise fight OpenBLAS's own threads; measured to be much faster on this machine).
# usage: trainer/bench/compare.sh path/to/flexor [rounds]
FLEXOR=${1:-./flexor}; N=${2:-3}; STEPS=${STEPS:-30}
HERE=$(dirname "$0")
T=$(mktemp -d)
for i in $(seq "$N"); do
  "$FLEXOR" bench --paper --steps "$STEPS" --ref-images 50 | grep '^| [ml]' >> "$T/flexor.txt"
  OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$HERE/torch_bench.py" --steps "$STEPS" 2>/dev/null | grep '^| [ml]' >> "$T/torch.txt"
done
echo "| model | setting | flexor train img/s (best of $N) | torch train img/s (best of $N) | ratio |"
echo "|---|---|---|---|---|"
for ms in "mlp fp" "mlp 0.8" "lenet fp" "lenet 0.8"; do
  set -- $ms
  f=$(awk -F'|' -v m=" $1 " -v s=" $2 " '$2==m && $3==s {if ($4+0>b) b=$4+0} END {print b+0}' "$T/flexor.txt")
  t=$(awk -F'|' -v m=" $1 " -v s=" $2 " '$2==m && $3==s {if ($4+0>b) b=$4+0} END {print b+0}' "$T/torch.txt")
  r=$(awk -v f="$f" -v t="$t" 'BEGIN {if (t > 0) printf "%.2f", f / t; else print "-"}')
  echo "| $1 | $2 | $f | $t | $r |"
done
rm -rf "$T"
