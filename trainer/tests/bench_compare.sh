#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# flexor bench --compare: with PyTorch (python3-torch, installed by .ci/install-deps.sh) one round on the
# MLP prints a row per setting with both rates and their ratio; without it (a Python that cannot import
# torch), and for a model torch_bench.py does not have, one line and exit 2.
# Usage: bench_compare.sh FLEXOR
flexor=$1
fail() { echo "FAIL: $*"; exit 1; }
out=$("$flexor" bench --compare --models mlp --steps 2 --rounds 1 2>/dev/null) || fail "--compare exited $?"
for s in fp 0.8; do
  echo "$out" | grep -Eq "^\| mlp \| $s \| [1-9][0-9]* \| [1-9][0-9]* \| [0-9]+\.[0-9]{2} \| [0-9]+ \| [0-9]+ \|$" ||
    { echo "$out"; fail "no mlp $s row with two rates and a ratio"; }
done
echo "$out" | grep -q '^torch ' || fail "the torch version line is missing"
# --epochs: both train on real images and report the test accuracy reached, well above chance (10 %)
out=$("$flexor" bench --compare --models mlp --epochs 1 --train-images 2000 --test-images 1000 --rounds 1 2>/dev/null) ||
  fail "--compare --epochs exited $?"
for s in fp 0.8; do
  row=$(echo "$out" | grep -E "^\| mlp \| $s \| ") || { echo "$out"; fail "no mlp $s row with --epochs"; }
  echo "$row" | awk -F'|' '{ if (NF != 11 || $7 + 0 < 30 || $7 + 0 > 100 || $8 + 0 < 30 || $8 + 0 > 100) exit 1 }' ||
    fail "mlp $s: accuracies not in 30..100: $row"
done
err=$("$flexor" bench --epochs 1 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$err" | grep -q 'go with --compare' || fail "--epochs without --compare: $rc $err"
err=$("$flexor" bench --compare --epochs 0 2>&1); rc=$?
[ $rc -eq 2 ] || fail "--epochs 0 exited $rc"
err=$("$flexor" bench --compare --models mlp --python /bin/false 2>&1); rc=$?
[ $rc -eq 2 ] || fail "a Python without torch exited $rc"
[ "$(echo "$err" | wc -l)" -eq 1 ] && echo "$err" | grep -q 'cannot import torch' || fail "message: $err"
err=$("$flexor" bench --compare --models vgg 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$err" | grep -q "not 'vgg'" || fail "an unknown model: $rc $err"
echo ok
