# SPDX-License-Identifier: Apache-2.0
"""The integer reference of docs/contract.md §3-§4 (export version 1) and §7 (version 2: the graph,
stride, padding, residual add, global average pooling, HWC) in NumPy alone, on a `flexor export`
folder (docs/export.md). It reproduces `flexor infer`'s logits bit for bit and re-derives the decrypted
weights from the stored slices and M-xor, so it doubles as an executable reading of the contract.

    python3 -m flexor.numpy_ref EXPORT_DIR IMAGES.npy      # IMAGES: uint8 (N, C, H, W); prints logits CSV
"""
import json
import os
import sys

import numpy as np


def load(folder):
    """The export's model.json with every file name replaced by its array."""
    with open(os.path.join(folder, "model.json")) as f:
        model = json.load(f)
    if model.get("format") != "flexor-export" or model.get("version") not in (1, 2):
        raise ValueError(f"{folder}: not a version-1 or version-2 flexor export")
    for layer in model["layers"]:
        for key in ("weights", "alpha", "bias", "slices", "beta"):
            if key in layer:
                layer[key] = np.load(os.path.join(folder, layer[key]))
    model["mxor"] = {int(k): np.load(os.path.join(folder, v)) for k, v in model["mxor"].items()}
    return model


def decrypt_signs(model, layer):
    """±1 weights (q, M, K) from the stored slices: y = M-xor · x over GF(2) per slice (bypass when not
    encrypted), the slices' N_out-bit outputs concatenated into one stream per plane, channel m's K bits
    at m·K (straddle) or m·CH·N_out (aligned); bits past the last slice read as 0."""
    n_out, n_in, K, M = model["n_out"], layer["n_in"], layer["K"], layer["M"]
    slices = layer["slices"].astype(np.uint64)                          # (q, n_slices)
    stored = (slices[..., None] >> np.arange(n_in, dtype=np.uint64)) & 1  # (q, n_slices, n_in)
    mx = model["mxor"][n_in] if layer["encrypted"] else np.eye(n_out, dtype=np.uint8)
    dec = (stored.astype(np.int64) @ mx.T.astype(np.int64)) % 2          # (q, n_slices, n_out)
    stream = dec.reshape(dec.shape[0], -1)
    ch = -(-K // n_out)
    base = np.arange(M) * (K if layer["straddle"] else ch * n_out)
    pos = base[:, None] + np.arange(K)[None, :]                         # (M, K)
    stream = np.concatenate([stream, np.zeros((stream.shape[0], 2 * n_out), stream.dtype)], axis=1)
    return np.where(stream[:, np.minimum(pos, stream.shape[1] - 1)] == 1, 1, -1).astype(np.int8)


def requant(t, shift, relu_u8):
    """Round half up, arithmetic shift; clamp to 0..255 (RELU_U8) or int32 (RAW)."""
    r = (t + (1 << (shift - 1))) >> shift if shift else t
    return np.clip(r, 0, 255) if relu_u8 else np.clip(r, -2**31, 2**31 - 1)


def columns(layer, x):
    """The layer's activation columns (K, N): FC the flattened CHW input, conv im2col with
    act[(c·kh+dy)·kw+dx][oy·out_w+ox] = in[c][oy+dy][ox+dx] (stride 1, no padding)."""
    c, h, w = layer["in"]
    x = x.reshape(c, h, w)
    if layer["type"] == "fc":
        return x.reshape(-1, 1)
    kh, kw = layer["kernel"]
    oh, ow = h - kh + 1, w - kw + 1
    cols = np.empty((c, kh, kw, oh, ow), x.dtype)
    for dy in range(kh):
        for dx in range(kw):
            cols[:, dy, dx] = x[:, dy:dy + oh, dx:dx + ow]
    return cols.reshape(c * kh * kw, oh * ow)


def forward(model, layer, x):
    """One layer on uint8 input x: (M, OH, OW) conv or (M,) FC, requantized, before pooling."""
    a = columns(layer, x).astype(np.int64)
    w = layer["weights"].astype(np.int64)                               # (q, M, K)
    acc = np.einsum("qmk,kn->qmn", w, a)
    t = layer["bias"].astype(np.int64)[:, None] + np.einsum("mq,qmn->mn", layer["alpha"].astype(np.int64), acc)
    y = requant(t, layer["shift"], layer["relu_u8"])
    if layer["type"] == "conv":
        c, h, w_ = layer["in"]
        kh, kw = layer["kernel"]
        y = y.reshape(-1, h - kh + 1, w_ - kw + 1)
    return y


def pool2(y):
    c, h, w = y.shape
    return y[:, :h // 2 * 2, :w // 2 * 2].reshape(c, h // 2, 2, w // 2, 2).max(axis=(2, 4))


def columns_v2(layer, x):
    """Version 2: the columns (K, N) of an HWC input x (H, W, C). Conv: zero padding p, stride s,
    act[(dy·kw+dx)·C + c][oy·out_w+ox] = x[oy·s+dy−p][ox·s+dx−p][c]; FC: x flattened in HWC order."""
    if layer["type"] == "fc":
        return x.reshape(-1, 1)
    kh, kw = layer["kernel"]
    s, p = layer["stride"], layer["pad"]
    xp = np.pad(x, ((p, p), (p, p), (0, 0)))
    oh, ow = (xp.shape[0] - kh) // s + 1, (xp.shape[1] - kw) // s + 1
    win = np.stack([xp[dy:dy + s * (oh - 1) + 1:s, dx:dx + s * (ow - 1) + 1:s, :]
                    for dy in range(kh) for dx in range(kw)], axis=2)     # (oh, ow, kh·kw, C)
    return win.reshape(oh * ow, -1).T, oh, ow


def shortcut(layer, tensors, oh, ow):
    """The residual r (oh, ow, M) of a layer: the source tensor itself (identity), or option A, the
    source subsampled at (2y, 2x) with channels C_s..M−1 zero."""
    res = layer["residual"]
    src = tensors[res["source"]]
    if res["kind"] == "identity":
        return src
    sub = src[::2, ::2, :]
    return np.pad(sub, ((0, 0), (0, 0), (0, layer["M"] - sub.shape[2])))


def forward_v2(layer, tensors):
    """One version-2 layer: its output tensor (H, W, M) after pooling (uint8 values), or the RAW (1, 1, M)."""
    x = tensors[layer["input"]]
    if layer["type"] == "fc":
        a, oh, ow = columns_v2(layer, x), 1, 1
    else:
        a, oh, ow = columns_v2(layer, x)
    w = layer["weights"].astype(np.int64)
    acc = np.einsum("qmk,kn->qmn", w, a.astype(np.int64))
    t = layer["bias"].astype(np.int64)[:, None] + np.einsum("mq,qmn->mn", layer["alpha"].astype(np.int64), acc)
    if "residual" in layer:
        r = shortcut(layer, tensors, oh, ow).reshape(oh * ow, layer["M"]).T.astype(np.int64)
        t = t + layer["beta"].astype(np.int64)[:, None] * r
    y = requant(t, layer["shift"], layer["relu_u8"]).T.reshape(oh, ow, layer["M"])
    if layer["pool"] == 2:
        y = y.reshape(oh // 2, 2, ow // 2, 2, -1).max(axis=(1, 3))
    elif layer["pool"] == 3:
        y = requant(y.sum(axis=(0, 1)) * layer["avg_mult"], layer["avg_shift"], True).reshape(1, 1, -1)
    return y


def infer_v2(model, image):
    """Version 2: the logits (n_classes,) of one uint8 (C, H, W) image, the last layer's M×1×1 output.
    Tensors are HWC; key −1 is the image, L is layer L's output."""
    tensors = {-1: np.asarray(image, np.uint8).transpose(1, 2, 0)}
    for i, layer in enumerate(model["layers"]):
        tensors[i] = forward_v2(layer, tensors)
    return tensors[len(model["layers"]) - 1].reshape(-1).astype(np.int64)


def infer(model, image):
    """The logits (n_classes,) of one uint8 (C, H, W) image: the last layer's first column (version 1)."""
    if model["version"] == 2:
        return infer_v2(model, image)
    x = np.asarray(image, np.uint8)
    for layer in model["layers"]:
        y = forward(model, layer, x)
        if layer["pool"] == 2:
            y = pool2(y)
        x = y
    return x.reshape(x.shape[0], -1)[:, 0].astype(np.int64)


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    model = load(argv[1])
    images = np.load(argv[2])
    print(",".join(["index"] + [f"logit_{c}" for c in range(model["n_classes"])]))
    for i, img in enumerate(images):
        print(",".join([str(i)] + [str(v) for v in infer(model, img)]))


if __name__ == "__main__":
    main(sys.argv)
