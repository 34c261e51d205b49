#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Training throughput: flexor bench --paper vs the same models in PyTorch (trainer/bench/torch_bench.py),
# interleaved, best of N rounds each (the machine is shared: the best round is the least disturbed one).
# PyTorch gets its best thread setting: OMP_WAIT_POLICY=PASSIVE and OPENBLAS_NUM_THREADS=1 (its OpenMP
# threads otherwise fight OpenBLAS's own threads; measured to be much faster on this machine).
# usage: [MODELS=mlp,lenet,resnet20] trainer/bench/compare.sh path/to/flexor [rounds]
FLEXOR=${1:-./flexor}; N=${2:-3}; STEPS=${STEPS:-30}; MODELS=${MODELS:-mlp,lenet}
HERE=$(dirname "$0")
T=$(mktemp -d)
for i in $(seq "$N"); do
  "$FLEXOR" bench --paper --models "$MODELS" --steps "$STEPS" --ref-images 50 | grep '^| [mlr]' >> "$T/flexor.txt"
  OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$HERE/torch_bench.py" --models "$MODELS" --steps "$STEPS" 2>/dev/null | grep '^| [mlr]' >> "$T/torch.txt"
done
echo "| model | setting | flexor train img/s (best of $N) | torch train img/s (best of $N) | ratio |"
echo "|---|---|---|---|---|"
for m in $(echo "$MODELS" | tr , ' '); do for s in fp 0.8; do
  set -- $m $s
  f=$(awk -F'|' -v m=" $1 " -v s=" $2 " '$2==m && $3==s {if ($4+0>b) b=$4+0} END {print b+0}' "$T/flexor.txt")
  t=$(awk -F'|' -v m=" $1 " -v s=" $2 " '$2==m && $3==s {if ($4+0>b) b=$4+0} END {print b+0}' "$T/torch.txt")
  r=$(awk -v f="$f" -v t="$t" 'BEGIN {if (t > 0) printf "%.2f", f / t; else print "-"}')
  echo "| $1 | $2 | $f | $t | $r |"
done; done
rm -rf "$T"
