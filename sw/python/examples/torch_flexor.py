#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A FleXOR layer in PyTorch, trained on Fashion-MNIST and exported in flexor's NumPy layout
(docs/export.md), so `flexor import` turns it into a model file that runs bit-exactly through the
reference and the RTL. An example, not a build dependency (docs/python.md).

The layer keeps real-valued encrypted weights e (q planes × slices × N_in). Forward: the stored bits are
e > 0; each decrypted weight is the XOR of N_tap stored bits, in the ±1 domain
b_r = (−1)^(N_tap−1) · Π_{j∈row r} sign(e_j). Backward: every sign is modelled by tanh(S_tanh·e) (the
paper's rule), so ∂b_r/∂e_j = (−1)^(N_tap−1) · S(1 − tanh²(S e_j)) · Π_{k≠j} sign(e_k). The decrypted
bit stream is cut into channels by the contract's aligned layout (channel m at m·CH·N_out).

    FLEXOR_LIB=build/libflexor.so PYTHONPATH=sw/python python3 sw/python/examples/torch_flexor.py --out DIR
    build/flexor import DIR model.fxm && build/flexor cosim model.fxm
"""
import argparse
import gzip
import json
import os

import numpy as np
import torch

import flexor
from flexor import numpy_ref


def sign_ste(e, s_tanh):
    """sign(e) (−1 for e ≤ 0, matching stored bit = e > 0) forward, tanh(S·e) backward."""
    t = torch.tanh(s_tanh * e)
    return t + (torch.where(e > 0, 1.0, -1.0) - t).detach()


class FlexorLinear(torch.nn.Module):
    """y = Σ_i α_i ⊙ (B_i x) + bias, B_i the ±1 planes decrypted from the stored slices (or plain binary
    planes when mxor is None: stored bits are the weight bits, N_in = N_out)."""

    def __init__(self, n_inputs, n_outputs, q, n_out, mxor=None, s_tanh=10.0):
        super().__init__()
        self.M, self.K, self.q, self.n_out, self.s_tanh = n_outputs, n_inputs, q, n_out, s_tanh
        self.mxor = mxor
        self.n_in = n_out if mxor is None else mxor.shape[1]
        ch = -(-n_inputs // n_out)
        self.n_slices = n_outputs * ch
        self.e = torch.nn.Parameter(torch.randn(q, self.n_slices, self.n_in) * 0.05)
        decay = torch.tensor(2.0 ** -np.arange(q), dtype=torch.float32)  # later planes start smaller
        self.alpha = torch.nn.Parameter(torch.full((n_outputs, q), 1.0 / np.sqrt(n_inputs)) * decay)
        self.bias = torch.nn.Parameter(torch.zeros(n_outputs))
        pos = (np.arange(n_outputs) * ch * n_out)[:, None] + np.arange(n_inputs)[None, :]
        self.register_buffer("pos", torch.as_tensor(pos))
        if mxor is not None:
            taps = [np.flatnonzero(row) for row in mxor]
            self.register_buffer("taps", torch.as_tensor(np.array(taps)))     # (N_out, N_tap)

    def planes(self):
        s = sign_ste(self.e, self.s_tanh)                                      # (q, slices, N_in)
        if self.mxor is not None:
            n_tap = self.taps.shape[1]
            s = s[:, :, self.taps].prod(dim=-1) * (-1.0) ** (n_tap - 1)        # (q, slices, N_out)
        return s.reshape(self.q, -1)[:, self.pos]                              # (q, M, K)

    def forward(self, x):
        w = (self.alpha.t()[:, :, None] * self.planes()).sum(0)                  # (M, K)
        return x @ w.t() + self.bias

    def stored_slices(self):
        bits = (self.e.detach() > 0).to(torch.int64).numpy()
        return (bits << np.arange(self.n_in)).sum(axis=-1).astype(np.uint32)  # (q, slices)


def load_idx(data, split, n):
    with gzip.open(os.path.join(data, f"{split}-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read()[16:16 + 784 * n], np.uint8).reshape(-1, 784)
    with gzip.open(os.path.join(data, f"{split}-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read()[8:8 + n], np.uint8)
    return x, y


def int_params(alpha, bias, in_scale, out_scale):
    """α and bias of t = Σ α_int·acc + bias_int such that t / 2^shift ≈ float output / out_scale, with
    the largest shift that keeps α in int16 and bias in int32."""
    a = alpha * in_scale / out_scale
    b = bias / out_scale
    shift = 0
    while shift < 39 and np.abs(a).max() * 2 ** (shift + 1) < 32767 and np.abs(b).max() * 2 ** (shift + 1) < 2 ** 31 - 1:
        shift += 1
    return np.round(a * 2 ** shift).astype(np.int16), np.round(b * 2 ** shift).astype(np.int32), shift


def export(folder, layers, hidden_scale, cfg):
    """The trained network as `flexor export` would write it (docs/export.md)."""
    os.makedirs(folder, exist_ok=True)
    specs = []
    scales = [(1.0 / 255, hidden_scale, True), (hidden_scale, 1.0 / 64, False)]  # input, hidden, logits ×64
    for i, (layer, (s_in, s_out, relu)) in enumerate(zip(layers, scales)):
        alpha, bias, shift = int_params(layer.alpha.detach().numpy(), layer.bias.detach().numpy(), s_in, s_out)
        arrays = {"alpha": alpha, "bias": bias, "slices": layer.stored_slices(),
                  "weights": layer.planes().detach().numpy().astype(np.int8)}
        for key, a in arrays.items():
            np.save(os.path.join(folder, f"layer{i}_{key}.npy"), a)
        specs.append({"type": "fc", "M": layer.M, "K": layer.K, "in": [1, 28, 28] if i == 0 else [layer.K, 1, 1],
                      "kernel": [1, 1], "pool": 0, "shift": shift, "q": layer.q, "n_in": layer.n_in,
                      "encrypted": layer.mxor is not None, "straddle": False, "relu_u8": relu,
                      **{key: f"layer{i}_{key}.npy" for key in arrays}})
    mx = {str(layer.n_in): f"mxor_{layer.n_in}.npy" for layer in layers if layer.mxor is not None}
    for layer in layers:
        if layer.mxor is not None:
            np.save(os.path.join(folder, mx[str(layer.n_in)]), layer.mxor)
    doc = {"format": "flexor-export", "version": 1, "contract": "1.0", "config_hash": cfg["hash"],
           "input": [1, 28, 28], "n_classes": 10, "n_out": cfg["n_out"], "layers": specs, "mxor": mx}
    with open(os.path.join(folder, "model.json"), "w") as f:
        json.dump(doc, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--out", required=True, help="export folder (docs/export.md)")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--train-images", type=int, default=60000)
    ap.add_argument("--test-images", type=int, default=1000)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--n-in", type=int, default=12, help="N_in of the FleXOR layer (one of the configuration's)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    cfg = flexor.config()
    if args.n_in not in cfg["n_in"]:
        raise SystemExit(f"--n-in {args.n_in} is not in the configuration's N_in set {cfg['n_in']}")
    layers = [FlexorLinear(784, args.hidden, 1, cfg["n_out"], flexor.mxor(args.n_in)),   # q·N_in/N_out bits
              FlexorLinear(args.hidden, 10, 2, cfg["n_out"])]                          # plain binary, 2 planes
    net = torch.nn.ModuleList(layers)
    xtr, ytr = load_idx(args.data, "train", args.train_images)
    xte, yte = load_idx(args.data, "t10k", args.test_images)
    xtr_t, ytr_t = torch.tensor(xtr, dtype=torch.float32) / 255, torch.tensor(ytr, dtype=torch.int64)
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    rng = np.random.default_rng(args.seed)
    for step in range(args.steps):
        idx = torch.as_tensor(rng.integers(0, len(xtr), 100))
        logits = layers[1](torch.relu(layers[0](xtr_t[idx])))
        loss = torch.nn.functional.cross_entropy(logits, ytr_t[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 500 == 0 or step == args.steps - 1:
            print(f"step {step}: loss {loss.item():.3f}")
    with torch.no_grad():
        xte_t = torch.tensor(xte, dtype=torch.float32) / 255
        hidden = torch.relu(layers[0](xte_t))
        pred_float = layers[1](hidden).argmax(1).numpy()
        hidden_scale = float(torch.quantile(hidden.flatten(), 0.999)) / 255
    export(args.out, layers, hidden_scale, cfg)
    m = numpy_ref.load(args.out)
    pred_int = np.array([int(np.argmax(numpy_ref.infer(m, x.reshape(1, 28, 28)))) for x in xte])
    with open(os.path.join(args.out, "predictions.json"), "w") as f:
        json.dump({"float": pred_float.tolist(), "integer": pred_int.tolist()}, f)
    print(f"float accuracy {np.mean(pred_float == yte):.4f}, integer (exported) accuracy {np.mean(pred_int == yte):.4f}, "
          f"agreement {np.mean(pred_float == pred_int):.4f} on {len(yte)} test images; "
          f"{layers[0].n_in / cfg['n_out']:.2f} bits per weight in the FleXOR layer")


if __name__ == "__main__":
    main()
