#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# flexor sweep over seeds, on a tiny schedule: every (network, setting, seed) is a job, in that order;
# names get _sS only with several seeds; sweep.csv/md get a seed column and sweep_seeds.csv/the mean ±
# std table agree with the per-seed rows; one seed keeps today's names and columns; --epochs applies to
# every network; the passed-through training options give the model `flexor train` gives; bad --seeds
# lists are one line, exit 2.
# Usage: sweep_seeds.sh FLEXOR
FLEXOR=$1
W=sweep_seeds_$$; rm -rf $W; mkdir -p $W
fail() { echo "FAIL: $*"; exit 1; }
printf 'input 1x28x28\nconv 8 k3 s2 p1   # 14x14\nrelu\nfc 10\n' > $W/tiny2.net
T="--train-images 256 --images 100 --quiet"

"$FLEXOR" sweep --nets mlp,$W/tiny2.net --settings 0.8,binary --seeds 1,2 --epochs 1 $T --out $W/a > $W/a.out 2> $W/a.err \
  || { tail -3 $W/a.err; fail "sweep with two seeds"; }
grep '^== job' $W/a.err | sed 's/^== job \([0-9]*\/[0-9]*\): flexor train --net \([^ ]*\) --bits \([^ ]*\) --epochs 1 --seed \([0-9]*\) --out .*\/models\/\([^ ]*\) --resume$/\1 \2 \3 \4 \5/' > $W/jobs
cat > $W/want <<EOT
1/8 mlp 0.8 1 mlp_0.8_s1.fxm
2/8 mlp 0.8 2 mlp_0.8_s2.fxm
3/8 mlp binary 1 mlp_binary_s1.fxm
4/8 mlp binary 2 mlp_binary_s2.fxm
5/8 $W/tiny2.net 0.8 1 tiny2_0.8_s1.fxm
6/8 $W/tiny2.net 0.8 2 tiny2_0.8_s2.fxm
7/8 $W/tiny2.net binary 1 tiny2_binary_s1.fxm
8/8 $W/tiny2.net binary 2 tiny2_binary_s2.fxm
EOT
cmp -s $W/jobs $W/want || { diff $W/want $W/jobs; fail "job list"; }
for m in mlp_0.8_s1 mlp_0.8_s2 mlp_binary_s1 mlp_binary_s2 tiny2_0.8_s1 tiny2_0.8_s2 tiny2_binary_s1 tiny2_binary_s2; do
  [ -s $W/a/models/$m.fxm ] && [ -s $W/a/$m.csv ] || fail "$m: no model or CSV"
done
head -1 $W/a/sweep.csv | grep -q '^model,setting,seed,epochs,' || fail "no seed column in sweep.csv"
[ "$(tail -n +2 $W/a/sweep.csv | wc -l)" -eq 8 ] || fail "sweep.csv rows"
grep -q '^| model | setting | seed | epochs |' $W/a/sweep.md || fail "no seed column in sweep.md"
grep -q 'Mean ± standard deviation over 2 seeds' $W/a/sweep.md || fail "no mean/std table"
# the seeds differ in what they train (the rows are not copies)
cmp -s $W/a/models/mlp_0.8_s1.fxm $W/a/models/mlp_0.8_s2.fxm && fail "seeds 1 and 2 trained the same model"
# mean and sample std recomputed from the per-seed rows = sweep_seeds.csv = the Markdown table
awk -F, 'NR>1 { k=$1","$2; n[k]++; s[k]+=$6; q[k]+=$6*$6; if (!(k in o)) { o[k]=++c; key[c]=k } }
  END { for (i=1;i<=c;i++) { k=key[i]; m=s[k]/n[k]; v=(q[k]-n[k]*m*m)/(n[k]-1); if (v<0) v=0; printf "%s,%.2f,%.2f\n", k, m, sqrt(v) } }' \
  $W/a/sweep.csv > $W/stats
[ "$(wc -l < $W/stats)" -eq 4 ] || fail "expected 4 (network, setting) pairs"
awk -F, 'NR>1 { printf "%s,%s,%.2f,%.2f\n", $1, $2, $7, $8 }' $W/a/sweep_seeds.csv > $W/stats_csv
cmp -s $W/stats $W/stats_csv || { diff $W/stats $W/stats_csv; fail "sweep_seeds.csv: integer mean/std"; }
while IFS=, read -r mo se mean sd; do
  grep -q "^| $mo | $se | 2 | [0-9.]* ± [0-9.]* | $mean ± $sd |\$" $W/a/sweep.md || fail "sweep.md: no row '$mo $se $mean ± $sd'"
done < $W/stats

# one seed: today's names (no suffix), no seed column, no mean table; --epochs overrides the mlp's 15;
# the passed-through options train exactly what flexor train trains with them
O="--optim sgd --lr 0.05 --momentum 0.8 --wd 1e-5 --warmup 0 --steps 1 --gamma 0.1 --batch 64 --bn"
"$FLEXOR" sweep --nets $W/tiny2.net,mlp --settings 0.8 --seeds 3 --epochs 1 $T $O --out $W/b > $W/b.out 2> $W/b.err \
  || { tail -3 $W/b.err; fail "sweep with one seed"; }
[ -s $W/b/models/tiny2_0.8.fxm ] && [ -s $W/b/models/mlp_0.8.fxm ] && [ -s $W/b/mlp_0.8.csv ] || fail "single-seed names changed"
head -1 $W/b/sweep.csv | grep -q '^model,setting,epochs,' || fail "single seed: sweep.csv columns changed"
[ -e $W/b/sweep_seeds.csv ] && fail "single seed: sweep_seeds.csv written"
grep -q 'Mean ±' $W/b/sweep.md && fail "single seed: a mean table"
grep -q '^| mlp | 0.8 | 1 |' $W/b/sweep.md || fail "--epochs 1 did not apply to the mlp"
"$FLEXOR" train --net $W/tiny2.net --bits 0.8 --epochs 1 --seed 3 $T $O --out $W/t.fxm > $W/t.log 2>&1 || fail "flexor train"
cmp -s $W/t.fxm $W/b/models/tiny2_0.8.fxm || fail "the sweep's job is not flexor train with the same options"
"$FLEXOR" train --net $W/tiny2.net --bits 0.8 --epochs 1 --seed 3 $T --out $W/t0.fxm > $W/t0.log 2>&1 || fail "flexor train"
cmp -s $W/t0.fxm $W/t.fxm && fail "the training options made no difference (not passed through?)"

# bad lists: one line, exit 2
for bad in "--seeds 1,1" "--seeds 1,,2" "--seeds -1" "--seeds 1,x" "--seed 1 --seeds 2,3" "--epochs 0" "--seeds 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16"; do
  "$FLEXOR" sweep $bad --out $W/c > /dev/null 2> $W/err; rc=$?
  [ $rc -eq 2 ] && [ "$(wc -l < $W/err)" -eq 1 ] || { cat $W/err; fail "sweep $bad: exit $rc"; }
done
[ -e $W/c ] && fail "a refused sweep created its folder"
rm -rf $W
echo "PASS: flexor sweep --seeds (jobs, names, seed column, mean ± std), --epochs, passed-through options"
