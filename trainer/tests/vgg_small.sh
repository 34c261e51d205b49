#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A description written by hand (docs/examples/vgg_small.net: padding, stride-2 convs, bn, relu,
# max-pool, average pool, fc 10) works with no code change: flexor train trains it and exports a
# format-2 model, flexor infer runs that file, and the integer accuracy both print is the same and far
# above chance (measured 72.4 % on these 500 test images after 2 epochs of 3000 training images).
# Usage: vgg_small.sh FLEXOR NETFILE
FLEXOR=$1; NET=$2
W=vgg_small_$$; rm -rf $W; mkdir -p $W
fail() { echo "FAIL: $*"; exit 1; }
"$FLEXOR" train --net "$NET" --bits 0.8 --epochs 2 --train-images 3000 --images 500 --out $W/v.fxm > $W/train.out 2> $W/train.err \
  || { tail -3 $W/train.err; fail "flexor train exited $?"; }
row=$(grep "^| $NET | 0.8 | 2 |" $W/train.out) || { cat $W/train.out; fail "no result row"; }
tr_int=$(echo "$row" | awk -F'|' '{ gsub(/ /, "", $6); print $6 }')
ref_int=$(echo "$row" | awk -F'|' '{ gsub(/ /, "", $7); print $7 }')
mism=$(echo "$row" | awk -F'|' '{ gsub(/ /, "", $8); print $8 }')
[ "$tr_int" = "$ref_int" ] && [ "$mism" = 0 ] || fail "trainer integer $tr_int %, sw reference $ref_int %, $mism mismatches"
"$FLEXOR" inspect $W/v.fxm > $W/inspect.out 2>&1 || fail "flexor inspect"
grep -q ', format v2$' $W/inspect.out || { head -5 $W/inspect.out; fail "not a format-2 model"; }
"$FLEXOR" infer $W/v.fxm --images 500 > $W/infer.out 2> $W/infer.err || { cat $W/infer.err; fail "flexor infer exited $?"; }
ok=$(sed -n 's/^accuracy [0-9.]* (\([0-9]*\) \/ 500)$/\1/p' $W/infer.out)
[ -n "$ok" ] || { head -3 $W/infer.out; fail "no accuracy line from flexor infer"; }
[ "$(awk -v k="$ok" 'BEGIN { printf "%.2f", k / 5 }')" = "$ref_int" ] || fail "flexor infer: $ok / 500, the trainer printed $ref_int %"
[ "$ok" -ge 200 ] || fail "accuracy $ok / 500: not above chance with margin (>= 40 %)"
rm -rf $W
echo "PASS: a hand-written VGG-style description trains, exports v2 and runs in flexor infer ($ref_int %)"
