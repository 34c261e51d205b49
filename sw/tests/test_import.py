#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""flexor import (docs/export.md): export then import gives the same model file byte for byte, for
every kind of layer (format v2 graphs included); a model written by NumPy alone (random stored slices, alpha, bias, chosen shifts)
is imported, runs through `flexor cosim` with 0 mismatches and gives the NumPy reference's logits in
`flexor infer`; every kind of bad input is one line, exit 2, and no output file.
Usage: test_import.py FLEXOR FLEXOR-GENMODEL DATA_DIR PYTHON_DIR SCRATCH"""
import csv, filecmp, json, os, shutil, sys

import numpy as np
from fxtest import Check, run, t10k

flexor, gen, data, pydir, scratch = sys.argv[1:6]
sys.path.insert(0, pydir)
from flexor import numpy_ref  # noqa: E402

ck = Check(scratch)
N = 20
images, _ = t10k(data, N)

# 1. round trip (format v2 too: resnet8 and random graphs with every v2 layer kind)
for arch, extra in [("mlp", []), ("lenet", []), ("lenet", ["--straddle"]), ("mlp", ["--straddle"]), ("resnet8", []),
                    *[("graph", ["--seed", str(s)]) for s in range(1, 9)]]:
    name = arch + "".join(extra).replace("--", "_")
    model, out, back = ck.path(name + ".fxm"), ck.path(name + "_np"), ck.path(name + "_back.fxm")
    run(gen, arch, model, *(extra if arch == "graph" else ["--seed", "5", *extra]))
    r1, r2 = run(flexor, "export", model, out), run(flexor, "import", out, back)
    if r1.returncode or r2.returncode or not filecmp.cmp(model, back, shallow=False):
        ck.fail(f"{name}: export + import is not the same file ({r1.stderr.strip()} {r2.stderr.strip()})")

# 2. a model written by NumPy alone: conv 1->8 k5 pool2 (plain, q = 2), fc 1152->10 encrypted (raw logits)
cfg = json.loads(run(flexor, "inspect", "--mxor", "--json").stdout)
n_out, n_in = cfg["n_out"], cfg["mxor"][0]["n_in"]
rng = np.random.default_rng(1)
d = ck.path("numpy_model")
os.makedirs(d)


def layer(i, kind, M, K, inp, kernel, pool, shift, q, nin, enc, straddle, relu, bias_scale):
    ch = -(-K // n_out)
    n_slices = -(-M * K // n_out) if straddle else M * ch
    arrays = {"alpha": rng.integers(1, 400, (M, q), dtype=np.int16),
              "bias": rng.integers(-bias_scale, bias_scale, M, dtype=np.int32),
              "slices": rng.integers(0, 1 << nin, (q, n_slices), dtype=np.uint32)}
    spec = {"type": kind, "M": M, "K": K, "in": inp, "kernel": kernel, "pool": pool, "shift": shift, "q": q,
            "n_in": nin, "encrypted": enc, "straddle": straddle, "relu_u8": relu}
    for key, a in arrays.items():
        np.save(os.path.join(d, f"l{i}_{key}.npy"), a)
        spec[key] = f"l{i}_{key}.npy"
    return spec


doc = {"format": "flexor-export", "version": 1, "config_hash": cfg["config_hash"], "input": [1, 28, 28],
       "n_classes": 10, "mxor": {},
       "layers": [layer(0, "conv", 8, 25, [1, 28, 28], [5, 5], 2, 11, 2, n_out, False, False, True, 20000),
                  layer(1, "fc", 10, 1152, [8, 12, 12], [1, 1], 0, 8, 1, n_in, True, True, False, 1000)]}
with open(os.path.join(d, "model.json"), "w") as f:
    json.dump(doc, f)
imported = ck.path("numpy.fxm")
r = run(flexor, "import", d, imported)
if r.returncode:
    ck.fail(f"import of the NumPy model: {r.stderr.strip()}")
else:
    r = run(flexor, "cosim", imported, "--data", data, "--images", str(N), "--quiet")
    if r.returncode or " 0 mismatches" not in r.stdout:
        ck.fail(f"cosim of the imported NumPy model: exit {r.returncode} {r.stdout[:300]} {r.stderr[:300]}")
    pred = ck.path("numpy.csv")
    run(flexor, "infer", imported, "--data", data, "--images", str(N), "--predictions", pred)
    run(flexor, "export", imported, ck.path("numpy_back"))
    m = numpy_ref.load(ck.path("numpy_back"))
    with open(pred, newline="") as f:
        want = [[int(v) for v in row[3:]] for row in list(csv.reader(f))[1:]]
    got = [list(numpy_ref.infer(m, images[i])) for i in range(N)]
    if got != want or len(set(map(tuple, got))) < N // 2:
        ck.fail("the NumPy model's logits: infer and the NumPy reference differ (or are degenerate)")
    print(f"NumPy-written model: imported, {N} images through cosim with 0 mismatches, logits equal")

# 3. bad input: each a copy of the exported LeNet folder with one thing broken
src = ck.path("lenet_np")


def broken(tag, edit_json=None, edit_files=None, must=""):
    b = ck.path("bad_" + tag)
    shutil.copytree(src, b)
    with open(os.path.join(b, "model.json")) as f:
        j = json.load(f)
    if edit_json:
        edit_json(j)
    with open(os.path.join(b, "model.json"), "w") as f:
        json.dump(j, f)
    if edit_files:
        edit_files(b)
    out = ck.path(tag + ".fxm")
    ck.bad_input([flexor, "import", b, out], must)
    if os.path.exists(out):
        ck.fail(f"{tag}: an output file was written")


def flip_weight(b):
    w = np.load(os.path.join(b, "layer1_weights.npy"))
    w[0, 3, 7] *= -1
    np.save(os.path.join(b, "layer1_weights.npy"), w)


broken("dtype", edit_files=lambda b: np.save(os.path.join(b, "layer0_alpha.npy"),
                                             np.load(os.path.join(b, "layer0_alpha.npy")).astype(np.int64)), must="'<i8'")
broken("shape", edit_files=lambda b: np.save(os.path.join(b, "layer2_bias.npy"), np.zeros(7, np.int32)), must="shape")
broken("weights", edit_files=flip_weight, must="decrypt")
broken("hash", edit_json=lambda j: j.update(config_hash="0x12345678"), must="config_hash")
broken("missing", edit_json=lambda j: j["layers"][1].pop("shift"), must="'shift'")
broken("type", edit_json=lambda j: j["layers"][0].update(type="pool"), must="'type'")
broken("fraction", edit_json=lambda j: j["layers"][0].update(M=31.5), must="'M'")
broken("path", edit_json=lambda j: j["layers"][0].update(bias="../x.npy"), must="'bias'")
broken("shapes", edit_json=lambda j: j["layers"][1].update(K=801), must="")
broken("nojson", edit_files=lambda b: open(os.path.join(b, "model.json"), "w").write("{"), must="JSON")
broken("truncated", edit_files=lambda b: os.truncate(os.path.join(b, "layer1_slices.npy"), 100), must="layer1_slices")
ck.bad_input([flexor, "import", ck.path("no_such_dir"), ck.path("x.fxm")], "model.json")
ck.finish("import: round trip, a NumPy-written model through cosim, bad input refused")
