#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# flexor study --quick (docs/study.md): the job list (one `flexor train ... --resume --json` per point and
# seed, points shared between tables trained once, the cosim of table 3's models, a collect stage), every table's CSV with its rows,
# the exact analyses against independent figures (rank = N_in - 1 with even N_tap and = log2 of the
# brute-force count; Huffman between the entropy and the entropy + 1/k; Q8's bits = synth's sweep.csv;
# Q3's slices from M and K), a rerun that trains nothing and gives the same tables, the full job list,
# and bad options (one line, exit 2).
# Usage: study_quick.sh FLEXOR SOURCE_DIR
FLEXOR=$1 SRC=$2
W=study_quick_$$; rm -rf $W; mkdir -p $W
fail() { echo "FAIL: $*"; exit 1; }
Q="--quick -j 2 --out $W/q --synth $SRC/synth/results"

"$FLEXOR" study $Q > $W/a.out 2> $W/a.err || { tail -5 $W/a.err; fail "the quick study"; }
D=$W/q
# job list: 14 distinct quick jobs, each resumable with a result file, then the collector
[ "$(grep -c '^1	' $D/jobs.txt)" -eq 14 ] || fail "stage-1 jobs: $(grep -c '^1	' $D/jobs.txt), expected 14"
[ "$(grep '^1	' $D/jobs.txt | grep -c -- '--resume .*--quiet$')" -eq 14 ] || fail "every job resumes"
grep '^1	' $D/jobs.txt | grep -v -- '--json [^ ]*/runs/[^ ]*_s0.json' && fail "a job without its --json"
tail -1 $D/jobs.txt | grep -q '^3	.* study --collect .*--quick' || fail "no collect stage"
[ "$(grep -c '^2	.* cosim .*/models/lenet_bits0.4_q1\(_layoutstraddle\)\?_s0.fxm ' $D/jobs.txt)" -eq 2 ] || fail "cosim jobs of table 3"
[ "$(grep '^1	' $D/jobs.txt | sort | uniq -d | wc -l)" -eq 0 ] || fail "a job listed twice"
# tables: the rows of the quick points; every point learned (chance is 10 %). Labels and options may hold
# commas (quoted fields): the figures are counted from the end of the row (11 fields after the options).
rows() { [ "$(tail -n +2 $D/$1.csv | wc -l)" -eq "$2" ] || fail "$1.csv: $(tail -n +2 $D/$1.csv | wc -l) rows, expected $2"; }
rows t1_bits 4; rows t2_layers 3; rows t3_layout 2; rows t4_act 2; rows t6_small 4
for t in t1_bits t2_layers t3_layout t4_act t6_small; do
  head -1 $D/$t.csv | grep -q '^net,point,options,n_float,float_mean,float_std,n_int,int_mean,int_std,' || fail "$t.csv header"
  awk -F, 'NR > 1 && ($(NF-10) != 1 || $(NF-9) < 30) { exit 1 }' $D/$t.csv || fail "$t.csv: a point without a float result above 30 %"
done
# FleXOR 0.8 is a point of tables 1 and 4: one job, the same figures in both
[ "$(grep -c -- '--bits 0.8 --q 1 --epochs' $D/jobs.txt)" -eq 1 ] || fail "the shared point trained twice"
a=$(grep '^lenet,FleXOR q=1 N_in 16,' $D/t1_bits.csv | awk -F, '{ print $(NF-6) }')
b=$(grep '^lenet,"FleXOR 0.8, uint8' $D/t4_act.csv | awk -F, '{ print $(NF-6) }')
[ -n "$a" ] && [ "$a" = "$b" ] || fail "shared point: '$a' vs '$b'"
grep -q '"FleXOR 0.8, float activations",--bits 0.8 --q 1 --act float,1,[0-9.]*,,0,,,[0-9.]*,[0-9.]*,,,' $D/t4_act.csv \
  || fail "float activations: no integer figure, model or stored bits expected"
# table 6: the narrowed binary LeNet-5 stores within 2 % of FleXOR 0.4's middle bits (the stored-bits column)
awk -F, 'NR > 1 { b[NR] = $(NF-1) } END { if (b[3] < b[2] || b[3] > 1.02 * b[2]) exit 1 }' $D/t6_small.csv || fail "t6 budgets"
grep -q 'not supported' $D/t4_act.md || fail "4/2/1-bit activations not said unsupported"
[ -s $D/t1_bits.svg ] || command -v gnuplot > /dev/null && [ ! -s $D/t1_bits.svg ] && fail "no plot"
grep -q "QUICK run" $D/study.md || fail "study.md does not say it is the quick run"
# table 3c: both layouts through the RTL, bit-exact, with their cycles
rows t3_cycles 2
awk -F, 'NR > 1 && ($3 != 20 || $4 != 0 || $6 < 1000) { print; exit 1 }' $D/t3_cycles.csv || fail "t3_cycles: 20 bit-exact images with cycles"
# table 7: 4 quick points, 3 with a generated configuration (its file read back by inspect, the model's header
# has its N_out / N_tap), N_out 20 / N_tap 2 / the configuration's seed is table 1's job; every point
# learned with an integer figure; the rank column equals Q6a's for the same N_out, N_in, N_tap and seed
rows t7_mxor 4
head -1 $D/t7_mxor.csv | grep -q '^n_out,n_tap,mxor_seed,n_in,rank,deficit,n_float,float_mean,' || fail "t7_mxor.csv header"
awk -F, 'NR > 1 && ($7 != 1 || $8 < 30 || $10 != 1 || $11 < 30) { print; exit 1 }' $D/t7_mxor.csv || fail "t7: a point without results"
grep -q '^20,2,0x[0-9a-f]*,16,15,1,.*,lenet_bits0.8_q1$' $D/t7_mxor.csv || fail "t7: the built-in M⊕ is not table 1's job"
[ "$(grep -c '^1	.* --config [^ ]*/configs/nout[0-9]*_ntap[0-9]*\(_mseed[0-9]*\)\?.cfg ' $D/jobs.txt)" -eq 3 ] || fail "t7: 3 jobs with a config file"
awk -F, 'NR == FNR { if (FNR > 1) { r[$1 "," $2 "," $3 ",0"] = $5; r[$1 "," $2 "," $3 ",1"] = $11 } next }
         FNR > 1 { k = $1 "," $4 "," $2 "," ($3 == "1"); if (!(k in r) || r[k] != $5) { print; exit 1 } }' $D/q6_mxor.csv $D/t7_mxor.csv \
  || fail "t7 rank differs from q6_mxor's"
for c in nout10_ntap2:10:2 nout20_ntap3:20:3 nout20_ntap2_mseed1:20:2; do
  id=${c%%:*}; no=$(echo $c | cut -d: -f2); nt=$(echo $c | cut -d: -f3); m=$D/models/lenet_bits0.8_q1_${id}_s0.fxm
  "$FLEXOR" inspect --config $D/configs/$id.cfg $m > /dev/null || fail "$id: the model does not read with its configuration"
  "$FLEXOR" inspect $m > /dev/null 2>&1 && fail "$id: the default configuration read the model"
  [ "$(od -An -tu4 -j36 -N8 $m | tr -s ' ' | sed 's/^ //')" = "$no $nt" ] || fail "$id: header N_out / N_tap"
done
# Q6a: 3 N_out x 3 N_tap x 4 ratios; rank = log2(brute-force outputs); even N_tap: rank <= N_in - 1 (rows of
# even weight); the built-in matrices as measured: N_in - 1 at N_in 8, 12, 16, but 18 at N_in 20 (its
# 20 two-tap rows leave two connected groups of stored bits)
rows q6_mxor 36
awk -F, 'NR > 1 && $9 > 0 && 2^$5 != $9 { print; exit 1 }' $D/q6_mxor.csv || fail "rank vs the brute-force count"
awk -F, 'NR > 1 && $3 == 2 && $5 > $2 - 1 { print; exit 1 }' $D/q6_mxor.csv || fail "even N_tap: rank > N_in - 1"
[ "$(awk -F, '$13 == 1 { printf "%s:%s ", $2, $5 }' $D/q6_mxor.csv)" = "8:7 12:11 16:15 20:18 " ] || fail "built-in M⊕ ranks"
[ "$(awk -F, '$13 == 1' $D/q6_mxor.csv | wc -l)" -eq 4 ] || fail "the 4 built-in matrices"
# Q5: the binary layers of LeNet-5 (conv2, fc1) and the q4 edges, k = 1..8; H <= Huffman <= H + 1/k
[ "$(awk -F, 'NR > 1 && $2 == "binary"' $D/q5_entropy.csv | wc -l)" -eq 16 ] || fail "q5: 2 binary layers x 8 k"
awk -F, 'NR > 1 && ($8 < $7 - 1e-4 || $8 > $7 + 1 / $5 + 1e-4) { print; exit 1 }' $D/q5_entropy.csv || fail "Huffman outside [H, H + 1/k]"
# Q6b: one row per layer of LeNet-5
rows q6_agreement 4
# Q8: the stored bits equal those of synth's own sweep (written independently by flexor synth --sweep)
rows q8_cost 8
for n in 8 12 16 20; do
  want=$(awk -F, -v n=$n '$1 == "default" && $8 == "hardwired" && $3 == n { print $19 }' $SRC/synth/results/sweep.csv)
  got=$(awk -F, -v n=$n '$1 == "lenet" && $2 == n { print $5 }' $D/q8_cost.csv)
  [ -n "$want" ] && [ "$want" = "$got" ] || fail "q8 lenet N_in $n: $got bits, synth says $want"
done
# Q3b: slices from M and K (aligned M*ceil(K/20), straddle ceil(M*K/20))
awk -F, 'NR > 1 { a = $4 * int(($5 + 19) / 20); s = int(($4 * $5 + 19) / 20); if (a != $7 || s != $8) { print; exit 1 } }' $D/q3_padding.csv \
  || fail "q3 slices"
# a rerun trains nothing (every result exists) and writes the same tables
cp $D/t1_bits.csv $D/q5_entropy.csv $W/
"$FLEXOR" study $Q > $W/b.out 2> $W/b.err || fail "the rerun"
grep -q ' train \| cosim ' $W/b.out && fail "the rerun trained or co-simulated again"
cmp -s $W/t1_bits.csv $D/t1_bits.csv && cmp -s $W/q5_entropy.csv $D/q5_entropy.csv || fail "the rerun changed the tables"
# the full study's job list: 47 distinct LeNet-5 points x 3 seeds (table 7: 15 points, one is table 1's, and
# N_out 30 / N_tap 1 has no M⊕: 13 configuration files); --long adds ResNet-20 rows
"$FLEXOR" study --jobs-only --out $W/full 2> /dev/null || fail "--jobs-only"
[ "$(grep -c '^1	' $W/full/jobs.txt)" -eq 141 ] || fail "full job list: $(grep -c '^1	' $W/full/jobs.txt) jobs"
[ "$(ls $W/full/configs | wc -l)" -eq 13 ] && ! grep -q nout30_ntap1 $W/full/jobs.txt || fail "full list: table 7's configurations"
[ ! -e $W/full/runs/lenet_bitsfp_s0.json ] || fail "--jobs-only ran a job"
"$FLEXOR" study --jobs-only --long --seeds 5 --out $W/long 2> /dev/null || fail "--long"
grep -q -- '--net resnet20_mix .*--epochs 8 --seed 5 ' $W/long/jobs.txt || fail "no ResNet-20 per-stage mix row"
# bad options: one line, exit 2
bad() {
  "$FLEXOR" study "$@" > /dev/null 2> $W/err; rc=$?
  [ $rc -eq 2 ] && [ "$(wc -l < $W/err)" -eq 1 ] || { cat $W/err; fail "study $*: rc $rc"; }
}
bad --seeds 1,1 --jobs-only --out $W/x
bad --seeds 1,,2 --jobs-only --out $W/x
bad --seeds x --jobs-only --out $W/x
bad -j 0 --out $W/x
bad --frob
bad --quick extra
bad --jobs-only --collect --out $W/x
bad --out "$W/a b" --jobs-only
bad --data "/x;y" --jobs-only --out $W/x
bad --out $W/a:b --jobs-only
rm -rf $W
echo "PASS: study --quick (job list, tables, exact analyses, rerun) and bad options"
