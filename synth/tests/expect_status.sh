#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# expect_status.sh CODE CMD...: passes when CMD exits with CODE and prints exactly one line on stderr.
want=$1; shift
err=$("$@" 2>&1 >/dev/null); got=$?
lines=$(printf '%s\n' "$err" | grep -c .)
echo "$err"
[ "$got" -eq "$want" ] || { echo "expected status $want, got $got"; exit 1; }
[ "$lines" -eq 1 ] || { echo "expected one error line, got $lines"; exit 1; }
