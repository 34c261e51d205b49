#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `pip install sw/python` gives an importable flexor module that finds an installed libflexor on the
# library path (no FLEXOR_LIB) and computes what the CLI computes (the classes of `infer --predictions`).
# pip builds from a copy: it writes build/ and *.egg-info beside the sources.
# Args: CMAKE BUILD_DIR FLEXOR GENMODEL PYTHON_SRC DATA SCRATCH
set -u
CMAKE=$1 BUILD=$2 FLEXOR=$3 GENMODEL=$4 SRC=$5 DATA=$6 W=$7
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$W" && mkdir -p "$W" || fail "cannot make $W"
cp -r "$SRC" "$W/src" && rm -rf "$W/src/build" "$W/src"/*.egg-info
"$CMAKE" --install "$BUILD" --prefix "$W/prefix" > "$W/install.log" 2>&1 || { cat "$W/install.log"; fail "cmake --install"; }
/usr/bin/python3 -m pip install --quiet --target "$W/site" --no-deps --no-build-isolation --no-index "$W/src" \
    > "$W/pip.log" 2>&1 || { cat "$W/pip.log"; fail "pip install"; }
"$GENMODEL" lenet "$W/m.fxm" --seed 6 > /dev/null || fail "flexor-genmodel"
"$FLEXOR" infer "$W/m.fxm" --data "$DATA" --images 8 --predictions "$W/p.csv" > /dev/null || fail "flexor infer"
want=$(tail -n +2 "$W/p.csv" | cut -d, -f3 | tr '\n' ' ')
got=$(cd "$W" && env -u FLEXOR_LIB PYTHONPATH="$W/site" LD_LIBRARY_PATH="$W/prefix/lib" /usr/bin/python3 -c "
import gzip, numpy as np, flexor
assert flexor.__file__.startswith('$W/site/'), flexor.__file__
x = np.frombuffer(gzip.open('$DATA/t10k-images-idx3-ubyte.gz').read()[16:16 + 784 * 8], np.uint8)
print(' '.join(str(c) for c in flexor.Model.load('m.fxm').infer(x.reshape(8, 1, 28, 28))[1]) + ' ')
" 2>&1) || fail "the pip-installed module: $got"
[ "$got" = "$want" ] || fail "classes '$got', flexor infer '$want'"
echo "PASS: pip install sw/python + installed libflexor: classes $got"
rm -rf "$W"
