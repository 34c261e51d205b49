#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Seed corpus for fuzz_idx: small valid datasets in the fuzzer's input layout (2-byte image-file length,
# limit byte, image file, label file), plain and gzip. Usage: idx_seeds.sh DIR
set -e
dir=$1
mkdir -p "$dir"
seed() { # seed NAME N ROWS COLS LIMIT GZIP
  n=$2 r=$3 c=$4
  printf '\000\000\010\003' > "$dir/i"; printf "\\$(printf %03o $n)" | { printf '\000\000\000'; cat; } >> "$dir/i"
  printf "\000\000\000\\$(printf %03o $r)\000\000\000\\$(printf %03o $c)" >> "$dir/i"
  head -c $((n * r * c)) /dev/zero >> "$dir/i"
  printf '\000\000\010\001\000\000\000' > "$dir/l"; printf "\\$(printf %03o $n)" >> "$dir/l"
  i=0; while [ $i -lt "$n" ]; do printf "\\$(printf %03o $((i % 10)))" >> "$dir/l"; i=$((i + 1)); done
  if [ "$6" = 1 ]; then gzip -n -c "$dir/i" > "$dir/i.gz"; mv "$dir/i.gz" "$dir/i"; gzip -n -c "$dir/l" > "$dir/l.gz"; mv "$dir/l.gz" "$dir/l"; fi
  len=$(wc -c < "$dir/i")
  printf "\\$(printf %03o $((len & 255)))\\$(printf %03o $((len >> 8)))\\$(printf %03o $5)" > "$dir/$1"
  cat "$dir/i" "$dir/l" >> "$dir/$1"
  rm -f "$dir/i" "$dir/l"
}
seed plain-3x4x4 3 4 4 0 0
seed plain-5x28x28-limit2 5 28 28 2 0
seed gzip-4x8x8 4 8 8 0 1
seed gzip-2x28x28 2 28 28 0 1
