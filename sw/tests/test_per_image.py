#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Per-image predictions (docs/cli.md): `infer --predictions` and `cosim --predictions` write one row per
image with the dataset's label, the predicted class (argmax of the logits, ties to the lowest index) and
the logits; the file does not depend on --threads; the RTL's file equals the reference's; the accuracy
they imply is the one infer prints; random images have an empty label; an oversized request is refused.
`infer --layer-outputs` (and `cosim --layer-outputs`, byte-identical files from the RTL) writes .npy files NumPy reads: the input is the dataset's image, each layer's
output (max-pooled where the layer pools) has the next layer's input shape, the last layer equals the
logits of --predictions; bad --layer-images are one-line errors.
Usage: test_per_image.py FLEXOR FLEXOR-GENMODEL DATA_DIR SCRATCH"""
import csv, json, os, re, sys

import numpy as np
from fxtest import Check, run, t10k

flexor, gen, data, scratch = sys.argv[1:5]
ck = Check(scratch)
t, fails = ck.t, ck.fails
N = 40
images, labels = t10k(data, N)


def rows(path):
    with open(path, newline="") as f:
        r = list(csv.reader(f))
    return r[0], r[1:]


for arch in ("mlp", "lenet"):
    model = os.path.join(t, arch + ".fxm")
    if run(gen, arch, model, "--seed", "7").returncode:
        sys.exit(f"FAIL: genmodel {arch}")
    files = {}
    for th in ("1", "3"):
        files[th] = os.path.join(t, f"{arch}_t{th}.csv")
        r = run(flexor, "infer", model, "--data", data, "--images", str(N), "--threads", th, "--predictions", files[th])
        if r.returncode:
            fails.append(f"infer {arch} --threads {th}: {r.stderr.strip()}")
            continue
        printed = re.search(r"accuracy [0-9.]+ \((\d+) / (\d+)\)", r.stdout)
    if fails:
        break
    if open(files["1"]).read() != open(files["3"]).read():
        fails.append(f"{arch}: --threads 1 and 3 give different predictions")
    head, body = rows(files["1"])
    if head[:3] != ["index", "label", "predicted"] or head[3:] != [f"logit_{c}" for c in range(10)]:
        fails.append(f"{arch}: header {head}")
    if [int(b[0]) for b in body] != list(range(N)) or [int(b[1]) for b in body] != labels:
        fails.append(f"{arch}: indices or labels differ from the dataset")
    for b in body:
        lg = [int(v) for v in b[3:]]
        if int(b[2]) != lg.index(max(lg)):
            fails.append(f"{arch} image {b[0]}: predicted {b[2]} is not the argmax of {lg}")
            break
    correct = sum(int(b[1]) == int(b[2]) for b in body)
    if not printed or int(printed.group(1)) != correct:
        fails.append(f"{arch}: {correct} correct in the file, infer printed {printed and printed.group(0)}")
    cos = os.path.join(t, f"{arch}_cosim.csv")
    r = run(flexor, "cosim", model, "--data", data, "--images", str(N), "--quiet", "--no-taps", "--predictions", cos)
    if r.returncode or open(cos).read() != open(files["1"]).read():
        fails.append(f"{arch}: cosim --predictions (exit {r.returncode}) differs from infer's {r.stderr.strip()}")

    # per-layer outputs of images 0 and 5
    lo = os.path.join(t, arch + "_layers")
    r = run(flexor, "infer", model, "--data", data, "--images", str(N), "--layer-outputs", lo, "--layer-images", "0,5")
    layers = json.loads(run(flexor, "inspect", model, "--json").stdout)["layers"]
    for i in (0, 5):
        d = os.path.join(lo, f"image{i}")
        if r.returncode or not os.path.isdir(d):
            fails.append(f"{arch}: --layer-outputs exit {r.returncode} {r.stderr.strip()}")
            break
        x = np.load(os.path.join(d, "input.npy"))
        if not np.array_equal(x, images[i]):
            fails.append(f"{arch} image {i}: input.npy is not the dataset's image")
        for li, l in enumerate(layers):
            y = np.load(os.path.join(d, f"layer{li}.npy"))
            if y.dtype != np.int32 or y.shape[0] != l["M"]:
                fails.append(f"{arch} layer {li}: {y.dtype} {y.shape}, M = {l['M']}")
                break
            if l["pool"] == 2:
                c, h, w = y.shape
                y = y[:, :h // 2 * 2, :w // 2 * 2].reshape(c, h // 2, 2, w // 2, 2).max(axis=(2, 4))
            nxt = layers[li + 1]["in"] if li + 1 < len(layers) else None
            if nxt and y.size != np.prod(nxt):
                fails.append(f"{arch} layer {li}: {y.shape} does not feed layer {li + 1}'s input {nxt}")
        clo = ck.path(arch + "_cosim_layers")
        if i == 0:
            rc = run(flexor, "cosim", model, "--data", data, "--images", "6", "--quiet", "--no-taps",
                     "--layer-outputs", clo, "--layer-images", "0,5")
            if rc.returncode:
                fails.append(f"{arch}: cosim --layer-outputs: exit {rc.returncode} {rc.stderr.strip()}")
        for f in sorted(os.listdir(d)):
            cf = os.path.join(clo, f"image{i}", f)
            if not os.path.exists(cf) or open(cf, "rb").read() != open(os.path.join(d, f), "rb").read():
                fails.append(f"{arch} image {i}: cosim's {f} (the RTL's) differs from infer's (the reference's)")
        logits = np.load(os.path.join(d, "logits.npy"))
        if not np.array_equal(logits, y) or list(logits) != [int(v) for v in body[i][3:]]:
            fails.append(f"{arch} image {i}: logits.npy, the last layer and --predictions differ")

rnd = os.path.join(t, "random.csv")
r = run(flexor, "cosim", "random:mlp", "--random-images", "--images", "3", "--quiet", "--no-taps", "--predictions", rnd)
if r.returncode or [b[1] for b in rows(rnd)[1]] != ["", "", ""]:
    fails.append(f"cosim --random-images: labels must be empty (exit {r.returncode})")

wide = os.path.join(t, "wide.fxm")
run(gen, "wide", wide)
r = run(flexor, "infer", wide, "--data", data, "--images", "2000", "--predictions", os.path.join(t, "w.csv"))
if r.returncode != 2 or len(r.stderr.splitlines()) != 1 or "--predictions" not in r.stderr or os.path.exists(os.path.join(t, "w.csv")):
    fails.append(f"2000 images x 65536 classes: exit {r.returncode}, {r.stderr!r}")

for bad in ("40", "1,,2", "x"):
    ck.bad_input([flexor, "infer", ck.path("mlp.fxm"), "--data", data, "--images", str(N), "--layer-outputs",
                  ck.path("bad"), "--layer-images", bad], "layer-images")
ck.finish("infer and cosim per-image predictions, infer per-layer outputs")
