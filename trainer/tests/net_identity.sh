#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A network is its description, however it is spelled (docs/net.md): the presets, the --model alias, a
# spec, a copied file with comments, and a description that states per-layer settings, bn and layout
# all train byte-identical model files to the command-line equivalents; a different description
# trains a different model, and a checkpoint resumes only the same network.
# Usage: net_identity.sh FLEXOR
FLEXOR=$1
fail=0
W=net_identity_$$; mkdir -p $W
C="--epochs 1 --train-images 1000 --images 200 --quiet"
train() { # NAME ARGS...: trains W/NAME.fxm
  n=$1; shift
  "$FLEXOR" train "$@" $C --out $W/$n.fxm > $W/$n.log 2>&1 || { echo "flexor train $* failed:"; tail -3 $W/$n.log; fail=1; }
}
same() { cmp -s $W/$1.fxm $W/$2.fxm || { echo "$1.fxm and $2.fxm differ"; fail=1; }; }
differ() { cmp -s $W/$1.fxm $W/$2.fxm && { echo "$1.fxm and $2.fxm are identical"; fail=1; }; }

# LeNet-5: preset, alias, spec, a copy with its comments changed
{ echo "# my LeNet"; grep -v '^#' "$(dirname "$0")/../../sw/nets/lenet.net" | sed 's/#.*//'; } > $W/copy.net
train lenet_net --net lenet
train lenet_model --model lenet
train lenet_spec --net conv32k5,relu,mp2,conv64k5,relu,maxpool2,fc512,relu,fc10
train lenet_copy --net $W/copy.net
same lenet_net lenet_model; same lenet_net lenet_spec; same lenet_net lenet_copy
# per-layer settings, bn and layout in the description = the command line's --bits list, --bn, --layout
printf 'conv 32 k5 layout=straddle\nbn\nrelu\nmp 2\nconv 64 k5 bits=0.6 layout=straddle\nbn\nrelu\nmp 2\nfc 512 bits=1.0 layout=straddle\nrelu\nfc 10 bits=binary layout=straddle\n' > $W/mix.net
train mix_cli --model lenet --bits q4,0.6,1.0,binary --bn --layout straddle
train mix_net --net $W/mix.net
same mix_cli mix_net
# MLP: q= and nin= = --q and --bits
printf 'fc 512\nrelu\nfc 512 q=2 nin=8\nrelu\nfc 10\n' > $W/q2.net
train mlp_q2_cli --model mlp --bits 0.8 --q 2
train mlp_q2_net --net $W/q2.net
same mlp_q2_cli mlp_q2_net
# the test can fail: another setting or another network gives another model
train lenet_06 --net lenet --bits 0.6
differ lenet_net lenet_06
train mlp_net --net mlp
differ mlp_net mlp_q2_cli
# a checkpoint resumes the same network (spelled differently), and no other
R="--epochs 2 --train-images 500 --images 100 --quiet --ckpt $W/r.ckpt"
"$FLEXOR" train --net mlp $R --stop-after 1 > /dev/null 2>&1 || { echo "interrupted run failed"; fail=1; }
"$FLEXOR" train --net fc512,relu,fc256,relu,fc10 $R --resume > /dev/null 2> $W/err; rc=$?
{ [ $rc -eq 2 ] && grep -q different $W/err; } || { echo "resume with another network: rc $rc, $(cat $W/err)"; fail=1; }
"$FLEXOR" train --net fc512,relu,fc512,relu,fc10 $R --resume > /dev/null 2> $W/err || { echo "resume of the same network failed: $(cat $W/err)"; fail=1; }
rm -rf $W
[ $fail -eq 0 ] && echo "net_identity: every spelling of a network trains the same model"
exit $fail
