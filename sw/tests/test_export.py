#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""flexor export (docs/export.md): for random models of every kind (FC, conv, aligned and straddle,
encrypted and not; format v2: resnet8 and random graphs with stride, padding, identity, option-A and
1x1-conv shortcuts, max and global average pooling) the NumPy-only reference
sw/python/flexor/numpy_ref.py re-derives the exported ±1 weights from the exported slices and M-xor,
and reproduces `flexor infer`'s logits bit for bit; bad input is one line and exit 2.
Usage: test_export.py FLEXOR FLEXOR-GENMODEL DATA_DIR PYTHON_DIR SCRATCH"""
import csv, gzip, os, struct, sys

import numpy as np
from fxtest import Check, run, t10k

flexor, gen, data, pydir, scratch = sys.argv[1:6]
sys.path.insert(0, pydir)
from flexor import numpy_ref  # noqa: E402

ck = Check(scratch)
N = 24
images, _ = t10k(data, N)


def idx_dir(name, h, w, seed):
    """A t10k IDX dataset of N random 1xHxW images (mostly 0, some 255, like real ones) in DIR."""
    d = ck.path(name)
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(seed)
    px = rng.integers(0, 256, (N, h, w), dtype=np.uint8)
    px = np.where(rng.random((N, h, w)) < 0.4, 0, px).astype(np.uint8)
    with gzip.open(os.path.join(d, "t10k-images-idx3-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, N, h, w) + px.tobytes())
    with gzip.open(os.path.join(d, "t10k-labels-idx1-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">II", 0x801, N) + bytes(N))
    return d, px.reshape(N, 1, h, w)


cases = [(a, e, data, images) for a, e in [("mlp", []), ("lenet", []), ("lenet", ["--straddle"]), ("mlp", ["--straddle"]),
                                           ("resnet8", [])]]
# network descriptions as v2 models (flexor-genmodel --net): the resnet20 preset and a VGG-style spec
cases += [("net", [spec], data, images) for spec in ("resnet20", "conv16k3p1,relu,conv16k3s2p1,relu,mp2,conv32k3p1,relu,ap,fc10")]
for seed in range(1, 13):  # random v2 graphs on their own small images
    h, w = 5 + seed % 8, 4 + (seed * 5) % 9
    cases.append(("graph", ["--seed", str(seed), "--input", f"1x{h}x{w}"], *idx_dir(f"idx{seed}", h, w, seed)))
seen = set()
for arch, extra, ddir, imgs in cases:
    name = (arch + "".join(extra).replace("--", "_").replace("input", "").replace("seed", "")) if arch != "net" else \
        "net_" + "".join(ch for ch in extra[0] if ch.isalnum())[:40]
    model, out, pred = (ck.path(name + s) for s in (".fxm", "_export", ".csv"))
    gen_args = ["--net", extra[0], model] if arch == "net" else \
        [arch, model, *(extra if arch == "graph" else ["--seed", "11", *extra])]
    if run(gen, *gen_args).returncode:
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
    r = run(flexor, "infer", model, "--data", ddir, "--images", str(N), "--predictions", pred)
    if r.returncode:
        ck.fail(f"infer {name}: {r.stderr.strip()}")
        continue
    with open(pred, newline="") as f:
        want = [[int(v) for v in row[3:]] for row in list(csv.reader(f))[1:]]
    if len(want) != N or [list(numpy_ref.infer(m, imgs[i])) for i in range(N)] != want:
        ck.fail(f"{name}: NumPy logits differ from flexor infer's")
    for layer in m["layers"]:  # what the v2 cases covered
        seen.update({f"stride{layer.get('stride', 1)}", f"pad{min(layer.get('pad', 0), 1)}", f"pool{layer['pool']}",
                     "res_" + layer.get("residual", {}).get("kind", "none"),
                     "branch" if layer.get("input", -2) not in (-2, m["layers"].index(layer) - 1) else "chain"})
    if encrypted and not m["mxor"]:
        ck.fail(f"{name}: encrypted layers but no M-xor exported")
    print(f"{name}: {len(m['layers'])} layers ({encrypted} encrypted), {N} images compared")

for need in ("stride2", "pad1", "pool2", "pool3", "res_identity", "res_option_a", "branch"):
    if need not in seen:
        ck.fail(f"the v2 models never had {need}: the comparison does not cover it")
print("v2 features compared:", " ".join(sorted(seen)))

open(ck.path("file"), "w").close()
# inspect --json describes the v2 graph (format version, input, residual, average pooling)
import json  # noqa: E402
j = json.loads(run(flexor, "inspect", "--json", ck.path("resnet8.fxm")).stdout or "{}")
L = j.get("layers", [])
if j.get("format_version") != 2 or len(L) != 9 or L[4].get("residual") != {"kind": "option_a", "source": 2} or \
        L[6].get("input") != 4 or L[7].get("pool") != 3 or L[3].get("stride") != 2:
    ck.fail(f"inspect --json of resnet8 does not describe its graph: {json.dumps(L[3:8])[:300]}")
# a v2 file whose layer 1 reads a later layer: every command refuses it with "PATH: layer 1: ...", exit 2
import zlib  # noqa: E402
raw = bytearray(open(ck.path("resnet8.fxm"), "rb").read())
struct.pack_into("<I", raw, 64 + 96 * 1 + 72, 6)
struct.pack_into("<I", raw, len(raw) - 4, zlib.crc32(bytes(raw[:-4])))
fwd = ck.path("forward_ref.fxm")
open(fwd, "wb").write(bytes(raw))
for cmd in (["infer", fwd], ["inspect", fwd], ["export", fwd, ck.path("fwd_export")]):
    ck.bad_input([flexor, *cmd], must_name=f"{fwd}: layer 1: input 6 is not the image or an earlier layer")
# the accelerator runs v2 chains only: cosim refuses resnet8 (its first residual) with one line, exit 2
ck.bad_input([flexor, "cosim", ck.path("resnet8.fxm"), "--images", "1"],
             must_name="layer 2: a residual add is not supported on the accelerator yet")
# the performance model has no RUNX timing yet: inspect --perf says so instead of printing figures
ck.bad_input([flexor, "inspect", ck.path("resnet8.fxm"), "--perf"],
             must_name="runs as RUNX commands, whose timing is not modelled yet")
ck.bad_input([flexor, "export", ck.path("nope.fxm"), ck.path("x")])
ck.bad_input([flexor, "export", ck.path("mlp.fxm"), ck.path("file")])
ck.bad_input([flexor, "export", ck.path("mlp.fxm")])
ck.finish("export + NumPy reference bit-exact")
