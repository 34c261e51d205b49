#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# cmake --install gives a library others can link: a CMake project outside the tree finds it with
# find_package(flexor) (shared and static), a plain gcc line finds it with pkg-config, after the prefix
# was moved; the three programs read a model (the layer count `flexor inspect` shows) and compute the
# same logits with the installed reference.
# Args: CMAKE BUILD_DIR FLEXOR GENMODEL EXTLIB_SRC SCRATCH
set -u
CMAKE=$1 BUILD=$2 FLEXOR=$3 GENMODEL=$4 SRC=$5 W=$6
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$W" && mkdir -p "$W" || fail "cannot make $W"
"$CMAKE" --install "$BUILD" --prefix "$W/p1" > "$W/install.log" 2>&1 || { cat "$W/install.log"; fail "cmake --install"; }
for f in lib/libflexor.a lib/libflexor.so lib/libflexor.so.1 include/flexor/model.h include/flexor/ref.h \
         lib/cmake/flexor/flexorConfig.cmake lib/cmake/flexor/flexorTargets.cmake lib/pkgconfig/flexor.pc; do
    [ -e "$W/p1/$f" ] || fail "not installed: $f"
done
mv "$W/p1" "$W/p2" || fail "cannot move the prefix"
P=$W/p2
"$GENMODEL" lenet "$W/m.fxm" --seed 4 > /dev/null || fail "flexor-genmodel"

"$CMAKE" -S "$SRC" -B "$W/ext" -DCMAKE_PREFIX_PATH="$P" > "$W/ext.log" 2>&1 || { cat "$W/ext.log"; fail "find_package(flexor)"; }
"$CMAKE" --build "$W/ext" >> "$W/ext.log" 2>&1 || { cat "$W/ext.log"; fail "building against flexor::flexor"; }
PKG_CONFIG_PATH=$P/lib/pkgconfig
export PKG_CONFIG_PATH
gcc -std=c11 -Wall -Werror "$SRC/use_flexor.c" $(pkg-config --cflags --libs flexor) -Wl,-rpath,"$P/lib" -o "$W/use_pc" \
    > "$W/pc.log" 2>&1 || { cat "$W/pc.log"; fail "building with pkg-config flexor"; }

want=$("$FLEXOR" inspect "$W/m.fxm" | grep -c '^[0-9]')
for prog in "$W/ext/use_flexor_shared" "$W/ext/use_flexor_static" "$W/use_pc"; do
    "$prog" "$W/m.fxm" > "$prog.out" 2>&1 || fail "$prog: $(cat "$prog.out")"
    grep -q "^layers $want class [0-9]" "$prog.out" || fail "$prog printed: $(cat "$prog.out")"
done
for prog in "$W/ext/use_flexor_shared" "$W/ext/use_flexor_static"; do
    cmp -s "$prog.out" "$W/use_pc.out" || fail "$prog and the pkg-config build print different logits"
done
ldd "$W/ext/use_flexor_shared" | grep -q "$P/lib/libflexor.so" || fail "use_flexor_shared does not use the installed libflexor.so"
ldd "$W/ext/use_flexor_static" | grep -q libflexor && fail "use_flexor_static links libflexor.so"
echo "PASS: find_package(flexor) shared and static, pkg-config flexor: $(cat "$W/use_pc.out")"
rm -rf "$W"
