#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# libFuzzer run of a text parser seeded with the files DIR/*.EXT: the .cfg parser with rtl/config/*.cfg,
# the network description parser with sw/nets/*.net. LIMIT is -max_total_time=SECONDS or -runs=N (the
# slow label's 10^7 executions).
# Usage: run_fuzz_hwcfg.sh FUZZER SEED_DIR WORKDIR LIMIT [EXT (default cfg)]
set -e
fuzzer=$1 cfgdir=$2 work=$3 limit=$4 ext=${5:-cfg}
rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
cp "$cfgdir"/*."$ext" "$work/corpus/"
status=0
nice "$fuzzer" "$limit" -print_final_stats=1 -max_len=4096 -rss_limit_mb=1024 -timeout=10 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" > "$work/log" 2>&1 || status=$?
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$' || echo 0)
crashes=$(ls "$work/artifacts" | wc -l)
echo "$(basename "$fuzzer"): $execs executions ($limit), $crashes crash artifacts, exit $status"
if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then tail -40 "$work/log"; exit 1; fi
