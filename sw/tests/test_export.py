#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""flexor export (docs/export.md): for random models of every kind (FC, conv, aligned and straddle,
encrypted and not) the NumPy-only reference sw/python/flexor/numpy_ref.py re-derives the exported ±1
weights from the exported slices and M-xor, and reproduces `flexor infer`'s logits bit for bit; bad
input is one line and exit 2.
Usage: test_export.py FLEXOR FLEXOR-GENMODEL DATA_DIR PYTHON_DIR SCRATCH"""
import csv, sys

import numpy as np
from fxtest import Check, run, t10k

flexor, gen, data, pydir, scratch = sys.argv[1:6]
sys.path.insert(0, pydir)
from flexor import numpy_ref  # noqa: E402

ck = Check(scratch)
N = 24
images, _ = t10k(data, N)
for arch, extra in [("mlp", []), ("lenet", []), ("lenet", ["--straddle"]), ("mlp", ["--straddle"])]:
    name = arch + "".join(extra).replace("--", "_")
    model, out, pred = (ck.path(name + s) for s in (".fxm", "_export", ".csv"))
    if run(gen, arch, model, "--seed", "11", *extra).returncode:
        sys.exit(f"FAIL: genmodel {arch} {extra}")
    r = run(flexor, "export", model, out)
    if r.returncode:
        ck.fail(f"export {name}: {r.stderr.strip()}")
        continue
    m = numpy_ref.load(out)
    encrypted = sum(layer["encrypted"] for layer in m["layers"])
    for i, layer in enumerate(m["layers"]):
        if not np.array_equal(numpy_ref.decrypt_signs(m, layer), layer["weights"]):
            ck.fail(f"{name} layer {i}: weights.npy differ from slices.npy decrypted by mxor")
    run(flexor, "infer", model, "--data", data, "--images", str(N), "--predictions", pred)
    with open(pred, newline="") as f:
        want = [[int(v) for v in row[3:]] for row in list(csv.reader(f))[1:]]
    if [list(numpy_ref.infer(m, images[i])) for i in range(N)] != want:
        ck.fail(f"{name}: NumPy logits differ from flexor infer's")
    if encrypted and not m["mxor"]:
        ck.fail(f"{name}: encrypted layers but no M-xor exported")
    print(f"{name}: {len(m['layers'])} layers ({encrypted} encrypted), {N} images compared")

open(ck.path("file"), "w").close()
ck.bad_input([flexor, "export", ck.path("nope.fxm"), ck.path("x")])
ck.bad_input([flexor, "export", ck.path("mlp.fxm"), ck.path("file")])
ck.bad_input([flexor, "export", ck.path("mlp.fxm")])
ck.finish("export + NumPy reference bit-exact")
