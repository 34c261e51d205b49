#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Bad input to `flexor train|sweep|bench`: exactly one line on stderr and exit status 2, never a crash.
FLEXOR=$1
fail=0
check() {
  "$FLEXOR" "$@" >/dev/null 2>err.txt; rc=$?
  if [ $rc -ne 2 ] || [ "$(wc -l < err.txt)" -ne 1 ]; then echo "flexor $*: rc=$rc, stderr:"; cat err.txt; fail=1; fi
}
check train --model foo
check train --bits 0.7
check train --bits 0.8,0.8
check train --epochs x
check train --epochs 0
check train --data /nonexistent --epochs 1
check train --layout diag
check train --bits q9
check train --edge 0.8
check train --frob
check train --resume
check train --val 70000 --epochs 1
check sweep --models foo --out sweep_bad_input
# network descriptions (docs/net.md): the line that is wrong, before any data is read
check train --net resnet
check train --model vgg
check train --net /nonexistent/x.net
check train --net fc10,,fc10
grep -q "^flexor train: spec:2: empty item" err.txt || { echo "empty spec item: $(cat err.txt)"; fail=1; }
check train --net conv8k3,relu,mp3,fc10
grep -q "^flexor train: spec:3: maxpool: only 'maxpool 2'" err.txt || { echo "maxpool 3: $(cat err.txt)"; fail=1; }
printf 'input 1x28x28\nconv 8 k5\nrelu\n\n# a comment\nfc 10 bits=0.7\n' > bad_$$.net
check train --net ./bad_$$.net --epochs 1
grep -q "^flexor train: ./bad_$$.net:6: bits 0.7 with q=1 needs N_in" err.txt || { echo "bits=0.7: $(cat err.txt)"; fail=1; }
# the trainer fuses conv/fc, bn, add, relu, pool in this order; shortcuts read whole layers
check train --net conv8k3p1,relu:name=a,conv8k3p1,relu,add:a,fc10 --epochs 1
grep -q "^flexor train: spec:5: add: the trainer builds conv/fc, bn, add, relu, pool in this order" err.txt || { echo "add after relu: $(cat err.txt)"; fail=1; }
check train --net conv8k3p1:name=a,relu,conv8k3p1,add:a,fc10 --epochs 1
grep -q "^flexor train: spec:4: add: reads line 1, the middle of a conv/fc layer" err.txt || { echo "mid-layer shortcut: $(cat err.txt)"; fail=1; }
check train --net fc10,relu --epochs 1
# --format: 1 or 2; 1 refused for a network that needs contract v2, naming the line
check train --format 3
check train --format 1 --net conv8k3p1,relu,fc10 --epochs 1
grep -q "^flexor train: --format 1: spec:1: conv padding 1 needs contract v2" err.txt || { echo "--format 1 of a v2 net: $(cat err.txt)"; fail=1; }
check sweep --format 1 --nets resnet20 --out sweep_bad_input
check train --net conv8k3,fc10 --epochs 1
check train --net fc10:bits=0.8 --bits q4,q4 --epochs 1
check sweep --nets mlp,foo.net --out sweep_bad_input
check sweep --nets mlp,mlp --out sweep_bad_input
printf 'conv 8 k3 p1\nrelu\navgpool\navgpool\nfc 10\n' > twopool_$$.net
check sweep --nets mlp,./twopool_$$.net --out sweep_bad_input
grep -q "twopool_$$.net:4: avgpool: the trainer builds" err.txt || { echo "two pools: $(cat err.txt)"; fail=1; }
rm -f twopool_$$.net
printf 'fc 10\n' > "it's_$$.net"
check sweep --nets "./it's_$$.net" --out sweep_bad_input
rm -f "it's_$$.net"
rm -f bad_$$.net
check bench --steps 0
# strict numbers and lists: whole string, in range, every item used
check train --epochs 5x
check train --limit 1e3
check train --seed -1
check train --threads 3
check train --steps 1,,2
check train --steps 1,2,3,4,5,6,7,8,9
check train --bits 0.8,0.8,0.8,0.8
check train --bits q2x
check sweep --epochs-mlp 5x --out sweep_bad_input
check bench --batch 1e3
# a checkpoint resumes only the same run: other data (same path) or other step epochs start nothing
D=ckpt_data_$$; mkdir -p $D; cp /usr/share/datasets/fashion-mnist/*-ubyte.gz $D/
T="train --data $D --limit 300 --test-limit 50 --epochs 2 --ckpt $D/c.ckpt --quiet --threads 1"
"$FLEXOR" $T --stop-after 1 --steps 1,2,3,4,5 >/dev/null 2>&1 || { echo "interrupted training failed"; fail=1; }
check $T --resume --steps 1,2,3,4,6
/usr/bin/python3 -c "import gzip,sys; b=bytearray(gzip.open(sys.argv[1]).read()); b[8]=(b[8]+1)%10; gzip.open(sys.argv[1],'wb').write(bytes(b))" $D/train-labels-idx1-ubyte.gz
check $T --resume --steps 1,2,3,4,5
grep -q 'different' err.txt || { echo "resume with other labels: no 'different run' error"; fail=1; }
rm -rf err.txt sweep_bad_input $D
exit $fail
