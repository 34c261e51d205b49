#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# flexor synth with --config and --out paths holding spaces, apostrophes and semicolons: the run must succeed (the
# decryptor is built and proven, reports written) and no shell may see the path: `touch X` inside it
# must not create X. Usage: out_path.sh FLEXOR-SYNTH SCRATCH-DIR
set -u
synth=$1 scratch=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$scratch" && mkdir -p "$scratch" && cd "$scratch" || exit 2
out="DIR with 'quote;touch X;' and \$(touch Y) \`touch Z\`"
cfgdir="CFG 'x;touch X;'"
mkdir -p "$cfgdir" && cp "$src/rtl/config/default.cfg" "$cfgdir/my 'cfg'.cfg" || exit 2
"$synth" --config "$PWD/$cfgdir/my 'cfg'.cfg" --quick --n-in 8 --out "$out" 2>err.txt
rc=$?
fail=0
[ $rc -eq 0 ] || { echo "FAIL: flexor synth exited $rc:"; tail -5 err.txt; fail=1; }
for f in X Y Z; do
    if [ -e "$f" ] || [ -e "$out/$f" ] || [ -e "$out/work/$f" ]; then echo "FAIL: a shell ran part of the path ($f exists)"; fail=1; fi
done
[ -s "$out/report.json" ] && [ -s "$out/report.md" ] || { echo "FAIL: no report in '$out'"; fail=1; }
tr -d ' \t\n' <"$out/report.json" 2>/dev/null | grep -q '"proof":1,"broken_caught":1,"proof_decrypt_array":1' ||
    { echo "FAIL: the N_in = 8 decryptor was not proven"; fail=1; }
# a path Yosys cannot name ('"' has no escape in its scripts): refused with one line, status 2
"$synth" --config default --quick --n-in 8 --out 'bad"dir' 2>err2.txt
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <err2.txt)" -eq 1 ] || { echo "FAIL: a '\"' in --out: status $rc, $(wc -l <err2.txt) lines"; fail=1; }
[ $fail -eq 0 ] && echo "out_path: ok"
exit $fail
