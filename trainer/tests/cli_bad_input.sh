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
