#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Reference inference speed: random MLP and LeNet models (aligned and straddle) over Fashion-MNIST t10k.
# Usage: bench_infer.sh FLEXOR GENMODEL WORKDIR LIMIT(0 = all) THREADS. Writes WORKDIR/bench.csv.
set -e
flexor=$1 gen=$2 work=$3 limit=$4 threads=$5
mkdir -p "$work"
echo "arch,layout,threads,images,images_per_s,images_per_cpu_s" > "$work/bench.csv.tmp"
for arch in mlp lenet; do
  for layout in aligned straddle; do
    opt=""; [ $layout = straddle ] && opt=--straddle
    "$gen" $arch "$work/$arch-$layout.fxm" $opt --seed 7
    nice "$flexor" infer "$work/$arch-$layout.fxm" --limit "$limit" --threads "$threads" --csv "$work/one.csv" > "$work/$arch-$layout.txt"
    tail -1 "$work/one.csv" | awk -F, -v a=$arch -v l=$layout '{ printf "%s,%s,%s,%s,%.1f,%.1f\n", a, l, $8, $3, $7, $10 }' >> "$work/bench.csv.tmp"
  done
done
mv "$work/bench.csv.tmp" "$work/bench.csv"
column -s, -t < "$work/bench.csv" 2>/dev/null || cat "$work/bench.csv"
