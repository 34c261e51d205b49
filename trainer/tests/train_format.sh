#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# flexor train --format 2 on LeNet-5, a network contract v1 also runs: the model is format v2 (inspect),
# the trainer's own integer evaluation (HWC, §7.1 K order) agrees with fx_ref_infer on every test image,
# and flexor infer on the file gives the accuracy the trainer reported; --format 1 trains the default's
# model byte for byte and --format 2 another; a checkpoint of one format does not resume the other;
# flexor sweep --format 2 writes M_B_v2 models.
# Usage: train_format.sh FLEXOR
FLEXOR=$1
fail=0
W=train_format_$$; mkdir -p $W
N=300
C="--net lenet --epochs 1 --train-images 600 --images $N --threads 1 --qat-start 0.5 --warmup 0.1 --quiet"
bad() { echo "$*"; fail=1; }
# a figure of a --json result ("key":<tab>value,)
fig() { sed -n "s/^[[:space:]]*\"$2\":[[:space:]]*\([^,]*\),*$/\1/p" "$1"; }

"$FLEXOR" train $C --format 2 --out $W/v2.fxm --json $W/v2.json > $W/v2.log 2>&1 || bad "--format 2 run failed: $(tail -3 $W/v2.log)"
"$FLEXOR" inspect $W/v2.fxm > $W/v2.txt 2>&1 || bad "inspect failed: $(cat $W/v2.txt)"
grep -q 'format v2$' $W/v2.txt || bad "inspect does not say format v2: $(tail -2 $W/v2.txt)"
[ "$(head -c 4 $W/v2.fxm)" = FXM2 ] || bad "v2.fxm does not start with FXM2"
[ "$(fig $W/v2.json ref_mismatch)" = 0 ] || bad "ref mismatches: $(fig $W/v2.json ref_mismatch)"
ia=$(fig $W/v2.json trainer_int_acc); ra=$(fig $W/v2.json int_acc); fa=$(fig $W/v2.json float_acc)
[ -n "$ia" ] && [ "$ia" = "$ra" ] || bad "trainer integer accuracy '$ia' vs sw reference '$ra'"
# integer within 3 points of float: a model stored in another K order than it was trained in loses far more
awk -v i="$ra" -v f="$fa" 'BEGIN { d = i - f; exit !(i > 40 && d < 3 && d > -3) }' || bad "integer $ra% vs float $fa%"
"$FLEXOR" infer $W/v2.fxm --images $N --csv $W/infer.csv > /dev/null 2>&1 || bad "infer failed"
correct=$(tail -1 $W/infer.csv | cut -d, -f4)
awk -v i="$ra" -v c="$correct" -v n=$N 'BEGIN { exit !(c != "" && int(i * n / 100 + 0.5) == c) }' ||
  bad "flexor infer: $correct of $N correct, the trainer reported $ra%"

# the default is format 1 for LeNet; --format 1 is the same training, --format 2 another
"$FLEXOR" train $C --out $W/def.fxm > /dev/null 2>&1 || bad "default run failed"
"$FLEXOR" train $C --format 1 --out $W/v1.fxm > /dev/null 2>&1 || bad "--format 1 run failed"
[ "$(head -c 4 $W/def.fxm)" = FXM1 ] || bad "the default LeNet model is not FXM1"
cmp -s $W/def.fxm $W/v1.fxm || bad "--format 1 and the default train different models"
"$FLEXOR" inspect $W/def.fxm | grep -q 'format v1$' || bad "inspect does not say format v1 for the default model"

# resume: a format-2 checkpoint is not continued by a default run, nor the reverse; the same format resumes
R="$C --epochs 2 --no-export --ckpt $W/r.ckpt"
"$FLEXOR" train $R --format 2 --stop-after 1 > /dev/null 2>&1 || bad "interrupted --format 2 run failed"
"$FLEXOR" train $R --resume > /dev/null 2> $W/err; rc=$?
{ [ $rc -eq 2 ] && grep -q different $W/err; } || bad "default run resumed a --format 2 checkpoint: rc $rc, $(cat $W/err)"
"$FLEXOR" train $R --format 2 --resume > /dev/null 2> $W/err || bad "--format 2 did not resume its checkpoint: $(cat $W/err)"
rm -f $W/r.ckpt
"$FLEXOR" train $R --format 1 --stop-after 1 > /dev/null 2>&1 || bad "interrupted --format 1 run failed"
"$FLEXOR" train $R --format 2 --resume > /dev/null 2> $W/err; rc=$?
{ [ $rc -eq 2 ] && grep -q different $W/err; } || bad "--format 2 resumed a format-1 checkpoint: rc $rc, $(cat $W/err)"
"$FLEXOR" train $R --resume > /dev/null 2> $W/err || bad "the default did not resume a --format 1 checkpoint: $(cat $W/err)"

# sweep passes --format 2 to its jobs, naming them M_B_v2
"$FLEXOR" sweep --nets lenet --settings 0.8 --epochs 1 --train-images 300 --images 100 --threads 1 --format 2 --quiet \
  --out $W/sweep > $W/sweep.log 2>&1 || bad "sweep --format 2 failed: $(tail -3 $W/sweep.log)"
[ "$(head -c 4 $W/sweep/models/lenet_0.8_v2.fxm 2>/dev/null)" = FXM2 ] || bad "sweep --format 2 wrote no FXM2 lenet_0.8_v2.fxm"
grep -q -- '--format 2 --out .*lenet_0.8_v2.fxm' $W/sweep.log || bad "sweep's job line does not show --format 2"
rm -rf $W
[ $fail -eq 0 ] && echo "train_format: --format 2 LeNet-5 is FXM2, its integer evaluations agree; formats resume apart"
exit $fail
