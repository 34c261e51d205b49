#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# flexor train --config (docs/trainer.md): a tiny training with rtl/config/tap3.cfg exports a model of that
# configuration (N_tap 3 in its header, a config hash the default refuses) whose integer check passes, and
# infer with the same --config reproduces its accuracy; the config is part of the resume fingerprint by
# content (another config refused, the same values in another file accepted); sweep passes it through;
# a bad --config is one line and exit 2.
# Usage: train_config.sh FLEXOR SOURCE_DIR
FLEXOR=$1 SRC=$2
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
T="--net mlp --bits 0.8 --epochs 1 --train-images 300 --images 200 --threads 1 --quiet"

"$FLEXOR" train $T --config tap3 --out $D/a.fxm --json $D/a.json > $D/a.out 2> $D/a.err || { cat $D/a.err; fail "train --config tap3"; }
grep -q '"status":[[:space:]]*0' $D/a.json || fail "status of the tap3 training"
grep -q '"ref_mismatch":[[:space:]]*0' $D/a.json || fail "the integer check of the tap3 model"
grep -q '"config":[[:space:]]*"tap3"' $D/a.json || fail "--json does not name the configuration"
# the model is tap3's: the default configuration refuses it, tap3's reads it and says N_tap 3
"$FLEXOR" inspect $D/a.fxm > /dev/null 2>&1 && fail "the default configuration read a tap3 model"
"$FLEXOR" inspect --config tap3 $D/a.fxm > /dev/null || fail "inspect --config tap3"
[ "$(od -An -tu4 -j40 -N4 $D/a.fxm | tr -d ' ')" = 3 ] || fail "the model's header (offset 40, contract §6) does not say N_tap 3"
# its M⊕ (the configuration's, N_in 16) differs from the default's
"$FLEXOR" inspect --config tap3 --mxor > $D/m3.txt || fail "inspect --mxor tap3"
"$FLEXOR" inspect --mxor > $D/m2.txt || fail "inspect --mxor"
cmp -s $D/m2.txt $D/m3.txt && fail "the tap3 M⊕ equals the default's"
# infer with the same configuration: the accuracy of the training's sw reference check
acc=$(sed -n 's/.*"int_acc":[[:space:]]*\([0-9.]*\).*/\1/p' $D/a.json)
"$FLEXOR" infer $D/a.fxm --config tap3 --images 200 > $D/inf.txt || fail "infer --config tap3"
got=$(sed -n 's/^accuracy \([0-9.]*\) .*/\1/p' $D/inf.txt)
awk -v a="$acc" -v b="$got" 'BEGIN { d = a - 100 * b; exit !(a != "" && b != "" && d < 1e-6 && d > -1e-6) }' \
  || fail "infer accuracy '$got' vs the training's '$acc' %"
# the resume fingerprint holds the configuration's content, not its name or path
R="--net mlp --bits 0.8 --epochs 2 --train-images 300 --images 200 --threads 1 --quiet --out $D/r.fxm"
"$FLEXOR" train $R --config tap3 --stop-after 1 > /dev/null 2>&1
[ -f $D/r.fxm.ckpt ] || fail "no checkpoint after --stop-after 1"
"$FLEXOR" train $R --resume > /dev/null 2> $D/r.err && fail "resumed a tap3 checkpoint with the default configuration"
[ "$(wc -l < $D/r.err)" -eq 1 ] || fail "refused resume: not one line"
"$FLEXOR" train $R --config default --resume > /dev/null 2>&1 && fail "resumed a tap3 checkpoint with --config default"
{ echo "# the same values as tap3.cfg, another file"; grep -v '^#' $SRC/rtl/config/tap3.cfg; } > $D/copy.cfg
"$FLEXOR" train $R --config $D/copy.cfg --resume > /dev/null 2> $D/r2.err || { cat $D/r2.err; fail "resume with tap3's content in another file"; }
"$FLEXOR" inspect --config tap3 $D/r.fxm > /dev/null || fail "the resumed model is not tap3's"
# sweep passes --config to every job
"$FLEXOR" sweep --nets mlp --settings 0.8 --epochs 1 --train-images 300 --images 200 --threads 1 --quiet --config tap3 \
  --out $D/sw > /dev/null 2> $D/sw.err || { cat $D/sw.err; fail "sweep --config tap3"; }
"$FLEXOR" inspect --config tap3 $D/sw/models/mlp_0.8.fxm > /dev/null || fail "the sweep's model is not tap3's"
# bad --config: one line, exit 2, before any training
bad() {
  "$FLEXOR" "$@" > /dev/null 2> $D/err; rc=$?
  [ $rc -eq 2 ] && [ "$(wc -l < $D/err)" -eq 1 ] || { cat $D/err; fail "$*: rc $rc"; }
}
sed 's/^n_tap .*/n_tap = 0/' $SRC/rtl/config/tap3.cfg > $D/bad.cfg
bad train $T --config nosuch
bad train $T --config $D/bad.cfg
bad train $T --config $D
bad train $T --config "$D/missing.cfg"
bad sweep --nets mlp --settings 0.8 --config nosuch --out $D/sw2
echo "PASS: train --config (tap3 model, integer check, infer, fingerprint, sweep) and bad configurations"
