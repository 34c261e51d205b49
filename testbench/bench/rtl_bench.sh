#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# rtl_bench.sh: measured RUN cycles of the Verilated flexor_top vs the bound N·G·q·CH (+ N·G·q priming
# cycles in straddle mode) for a few layer shapes on the built configuration. Each shape is one streamed
# RUN (no back-pressure); cnt_busy_o counts the cycles inside the RUN command.
# Usage: rtl_bench.sh TB_CORNER_VECTORS VTB_TOP OUTDIR LANES N_OUT     Writes OUTDIR/rtl_bench.{csv,json}.
set -euo pipefail
gen=$1 sim=$2 out=$3 L=$4 NO=$5
mkdir -p "$out"
# name K M N q n_in enc straddle
shapes=(
  "fc784x512_q4_plain   784 512  1 4 $NO 0 0"
  "fc512x512_q1_nin16   512 512  1 1 16  1 0"
  "lenet_conv2_q2_nin12 800  64 64 2 12  1 0"
  "lenet_conv2_straddle 800  64 64 2 12  1 1"
  "fc512x10_q4_small    512  10  1 4 $NO 0 0"
)
csv="$out/.rtl_bench.csv.tmp"
echo "shape,K,M,N,q,n_in,encrypted,straddle,bound,cycles,overhead,ratio" > "$csv"
printf "%-22s %5s %4s %3s %2s %4s %3s %3s %9s %9s %8s %7s\n" shape K M N q n_in enc str bound cycles overhead ratio
for s in "${shapes[@]}"; do
  set -- $s
  name=$1 K=$2 M=$3 N=$4 q=$5 nin=$6 enc=$7 strd=$8
  "$gen" -o "$out/$name" bench "$K" "$M" "$N" "$q" "$nin" "$enc" "$strd" > /dev/null
  busy=$("$sim" +vec="$out/$name" | awk '/tb_top: cycles/ {print $5} /tb_top: FAIL/ {print "FAIL"; exit}')
  if [ -z "$busy" ] || [ "$busy" = FAIL ]; then echo "rtl_bench: $name: simulation failed" >&2; exit 1; fi
  CH=$(( (K + NO - 1) / NO )); G=$(( (M + L - 1) / L ))
  bound=$(( N * G * q * CH + strd * N * G * q ))
  ratio=$(awk -v b="$bound" -v c="$busy" 'BEGIN {printf "%.4f", c / b}')
  printf "%-22s %5d %4d %3d %2d %4d %3d %3d %9d %9d %8d %7s\n" "$name" "$K" "$M" "$N" "$q" "$nin" "$enc" "$strd" \
         "$bound" "$busy" $((busy - bound)) "$ratio"
  echo "$name,$K,$M,$N,$q,$nin,$enc,$strd,$bound,$busy,$((busy - bound)),$ratio" >> "$csv"
done
mv "$csv" "$out/rtl_bench.csv"
awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) h[i] = $i; next}
         {printf "%s  {", (NR == 2 ? "[\n" : ",\n");
          for (i = 1; i <= NF; i++) printf "%s\"%s\": %s", (i > 1 ? ", " : ""), h[i], (i == 1 ? "\"" $i "\"" : $i);
          printf "}"} END {print "\n]"}' "$out/rtl_bench.csv" > "$out/.rtl_bench.json.tmp"
mv "$out/.rtl_bench.json.tmp" "$out/rtl_bench.json"
echo "rtl_bench: wrote $out/rtl_bench.csv and $out/rtl_bench.json"
