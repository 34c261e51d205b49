#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Seed corpus for fuzz_npy: valid .npy files of every type and 0..3 dimensions, written by NumPy, each
# behind the 5-byte prefix fuzz_npy.c reads (type index, ndim, shape).
# Usage: npy_seeds.sh DIR
exec /usr/bin/python3 - "$1" <<'PY'
import io, os, sys
import numpy as np
types = ["u1", "i1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8"]
for t, dt in enumerate(types):
    for shape in [(), (3,), (2, 5), (1, 4, 3), (0, 2)]:
        a = np.arange(int(np.prod(shape)), dtype=dt).reshape(shape)
        buf = io.BytesIO()
        np.save(buf, a)
        dims = list(shape) + [0] * (3 - len(shape))
        name = os.path.join(sys.argv[1], f"seed-{t}-{len(shape)}-{'x'.join(map(str, shape)) or 'scalar'}")
        with open(name, "wb") as f:
            f.write(bytes([t, len(shape)] + dims) + buf.getvalue())
PY
