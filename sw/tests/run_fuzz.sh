#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Bounded libFuzzer run: a seed corpus, then SECONDS of fuzzing (or RUNS executions, when given).
# SEEDER: flexor-genmodel (random model files) or a script that fills a folder (idx_seeds.sh).
# Usage: run_fuzz.sh FUZZER SEEDER WORKDIR SECONDS [RUNS]
set -e
fuzzer=$1 gen=$2 work=$3 secs=$4 runs=${5:--1}
name=$(basename "$fuzzer")
rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
case "$gen" in
  *.sh) sh "$gen" "$work/corpus" ;;
  *) "$gen" --corpus "$work/corpus" --count 40 --seed 1 ;;
esac
status=0
nice "$fuzzer" -max_total_time="$secs" -runs="$runs" -print_final_stats=1 -max_len=16384 -rss_limit_mb=1024 -timeout=10 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" > "$work/log" 2>&1 || status=$?
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$' || echo 0)
crashes=$(ls "$work/artifacts" | wc -l)
echo "$name: $execs executions in at most ${secs}s, $crashes crash artifacts, exit $status"
if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then tail -40 "$work/log"; exit 1; fi
if [ "$runs" -gt 0 ] && [ "$execs" -lt "$runs" ]; then echo "$name: only $execs of $runs executions in ${secs}s"; exit 1; fi
