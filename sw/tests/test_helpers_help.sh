#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Every helper program (everything built besides `flexor` itself, docs/cli.md) follows the CLI's rules:
# --help and -h print a usage on stdout with nothing on stderr and exit 0; an unknown option is exactly
# one line on stderr and exit 2.
# Args: PROGRAM...
fail=0
for p in "$@"; do
  n=$(basename "$p")
  for h in --help -h; do
    out=$("$p" $h 2> err.$$); rc=$?
    { [ $rc -eq 0 ] && [ "${out#usage: }" != "$out" ] && [ ! -s err.$$ ]; } ||
      { echo "FAIL: $n $h: exit $rc, stdout '$(echo "$out" | head -1)', stderr '$(head -c 200 err.$$)'"; fail=1; }
  done
  "$p" --no-such-option > /dev/null 2> err.$$; rc=$?
  { [ $rc -eq 2 ] && [ "$(wc -l < err.$$)" -eq 1 ]; } ||
    { echo "FAIL: $n --no-such-option: exit $rc, $(wc -l < err.$$) lines: $(head -c 300 err.$$)"; fail=1; }
done
rm -f err.$$
[ $fail -eq 0 ] && echo "PASS: $# helper programs: --help, -h, one-line errors"
exit $fail
