#!/bin/sh
# Bounded libFuzzer run of the model parser: seed corpus from flexor-genmodel, then SECONDS of fuzzing.
# Usage: run_fuzz.sh FUZZER GENMODEL WORKDIR SECONDS
set -e
fuzzer=$1 gen=$2 work=$3 secs=$4
rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
"$gen" --corpus "$work/corpus" --count 40 --seed 1
status=0
nice "$fuzzer" -max_total_time="$secs" -print_final_stats=1 -max_len=16384 -rss_limit_mb=1024 -timeout=10 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" > "$work/log" 2>&1 || status=$?
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$' || echo 0)
crashes=$(ls "$work/artifacts" | wc -l)
echo "fuzz_model: $execs executions in ${secs}s, $crashes crash artifacts, exit $status"
if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then tail -40 "$work/log"; exit 1; fi
