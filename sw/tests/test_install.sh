#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# cmake --install gives a relocatable flexor: install into a temporary prefix, move the prefix, and the
# installed flexor still runs (--version, inspect of a generated model) and reads its data (the RTL
# configs synth looks up, the --net presets) from the moved prefix's share/flexor, not from the source tree.
# Args: CMAKE BUILD_DIR GENMODEL SCRATCH
set -u
CMAKE=$1 BUILD=$2 GENMODEL=$3 W=$4
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$W" && mkdir -p "$W" || fail "cannot make $W"

"$CMAKE" --install "$BUILD" --prefix "$W/p1" > "$W/install.log" 2>&1 || { cat "$W/install.log"; fail "cmake --install"; }
for f in bin/flexor bin/flexor-gencfg bin/flexor-synth share/flexor/rtl/flexor_top.v share/flexor/rtl/config/default.cfg \
         share/flexor/synth/scripts/generic.ys share/flexor/synth/wrappers/flexor_syn_ice40_top.v share/flexor/synth/categories.txt \
         share/flexor/nets/mlp.net share/flexor/nets/lenet.net share/flexor/nets/resnet20.net; do
    [ -e "$W/p1/$f" ] || fail "not installed: $f"
done
mv "$W/p1" "$W/p2" || fail "cannot move the prefix"
P=$W/p2

"$P/bin/flexor" --version > "$W/version.txt" 2>&1 || fail "flexor --version: $(cat "$W/version.txt")"
grep -q '^flexor [0-9.]* build [0-9a-f]\{16\} ' "$W/version.txt" || fail "flexor --version printed: $(cat "$W/version.txt")"

"$GENMODEL" net "$W/net.fxm" --seed 3 > /dev/null || fail "flexor-genmodel"
"$P/bin/flexor" inspect "$W/net.fxm" > "$W/inspect.txt" 2>&1 || fail "flexor inspect: $(cat "$W/inspect.txt")"
grep -q '^total: 184 weights' "$W/inspect.txt" && grep -q 'matches the built-in configuration' "$W/inspect.txt" || fail "flexor inspect printed: $(cat "$W/inspect.txt")"

# synth resolves --config NAME under the installed tree: the error for a missing one names that path
"$P/bin/flexor" synth --config nosuch --out "$W/synth" > "$W/synth.txt" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "flexor synth --config nosuch: exit $rc, expected 2"
grep -qF "$P/share/flexor/rtl/config/nosuch.cfg" "$W/synth.txt" || fail "synth did not look in $P/share/flexor: $(cat "$W/synth.txt")"
# --net presets come from the installed share/flexor/nets: sweep-hw's contract-v2 refusal names that file
"$P/bin/flexor" sweep-hw --nets resnet20 --dry-run --out "$W/hw" > /dev/null 2> "$W/net.txt"
rc=$?
[ $rc -eq 2 ] || fail "flexor sweep-hw --nets resnet20: exit $rc, expected 2"
grep -qF "$P/share/flexor/nets/resnet20.net:" "$W/net.txt" || fail "sweep-hw did not read $P/share/flexor/nets: $(cat "$W/net.txt")"
echo "install: relocatable flexor OK ($P)"
rm -rf "$W"
