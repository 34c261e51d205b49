#!/bin/sh
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
rm -rf err.txt sweep_bad_input
exit $fail
