#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Training throughput of the same models in PyTorch (Debian python3-torch), for comparison with
`flexor bench`. Not a project dependency: run it by hand if torch is installed.

  /usr/bin/python3 trainer/bench/torch_bench.py [--steps 30] [--threads 2]
  /usr/bin/python3 trainer/bench/torch_bench.py --epochs 1 [--data DIR]   # train on Fashion-MNIST, test accuracy

Models (--models): MLP 784-512-512-10, LeNet-5 32C5-MP2-64C5-MP2-1024-512-10 and ResNet-20 (sw/nets/resnet20.net:
3x3 stem, 3 stages of 3 basic blocks with BN, option-A shortcuts, global average pooling), batch 128,
Adam, cross-entropy.
'fp' is all float; '0.8' makes the middle layers FleXOR (N_out 20, N_in 16, N_tap 2, sign forward,
tanh(S x) backward in the simplified form) like the C trainer; first/last float, activations float
(the C trainer's default additionally fake-quantizes first/last to 4 binary planes and activations to
uint8, which is more work, not less)."""
import argparse, gzip, math, os, struct, time
import torch
import torch.nn as nn
import torch.nn.functional as F


class SignTanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, S):
        ctx.save_for_backward(x)
        ctx.S = S
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        t = torch.tanh(ctx.S * x)
        return g * ctx.S * (1 - t * t), None


class FleXOR(nn.Module):
    """Weights [M, K] from encrypted x_e [M*CH, n_in] through a fixed 2-tap XOR network (aligned slices)."""

    def __init__(self, M, K, n_in=16, n_out=20, conv=None, stride=1, padding=0):
        super().__init__()
        self.stride, self.padding = stride, padding
        g = torch.Generator().manual_seed(0)
        taps = torch.stack([torch.randperm(n_in, generator=g)[:2] for _ in range(n_out)])
        self.register_buffer("taps", taps)
        self.CH = math.ceil(K / n_out)
        self.M, self.K, self.n_out, self.conv = M, K, n_out, conv
        self.xe = nn.Parameter(torch.empty(M * self.CH, n_in).uniform_(-0.01, 0.01))
        self.alpha = nn.Parameter(torch.full((M, 1), 0.5 / math.sqrt(K)))
        self.bias = nn.Parameter(torch.zeros(M))
        self.S = 100.0

    def weight(self):
        s = SignTanh.apply(self.xe, self.S)
        b = -(s[:, self.taps[:, 0]] * s[:, self.taps[:, 1]])  # [M*CH, n_out]
        return self.alpha * b.reshape(self.M, self.CH * self.n_out)[:, : self.K]

    def forward(self, x):
        w = self.weight()
        if self.conv:
            return F.conv2d(x, w.reshape(self.M, -1, self.conv, self.conv), self.bias, self.stride, self.padding)
        return F.linear(x, w, self.bias)


def mlp(flexor):
    mid = FleXOR(512, 512) if flexor else nn.Linear(512, 512)
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), mid, nn.ReLU(), nn.Linear(512, 10))


def lenet(flexor):
    c2 = FleXOR(64, 800, conv=5) if flexor else nn.Conv2d(32, 64, 5)
    f1 = FleXOR(512, 1024) if flexor else nn.Linear(1024, 512)
    return nn.Sequential(nn.Conv2d(1, 32, 5), nn.ReLU(), nn.MaxPool2d(2), c2, nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), f1, nn.ReLU(), nn.Linear(512, 10))


class Block(nn.Module):
    """Basic block: conv3x3-BN-ReLU-conv3x3-BN, + shortcut (option A where the size halves), ReLU."""

    def __init__(self, cin, cout, stride, flexor):
        super().__init__()
        conv = lambda ci, co, s: FleXOR(co, ci * 9, conv=3, stride=s, padding=1) if flexor else nn.Conv2d(ci, co, 3, s, 1)
        self.c1, self.b1 = conv(cin, cout, stride), nn.BatchNorm2d(cout)
        self.c2, self.b2 = conv(cout, cout, 1), nn.BatchNorm2d(cout)
        self.stride, self.extra = stride, cout - cin

    def forward(self, x):
        y = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
        s = x[:, :, ::2, ::2] if self.stride != 1 else x
        if self.extra:
            s = F.pad(s, (0, 0, 0, 0, 0, self.extra))  # the source's channels first, zeros after
        return F.relu(y + s)


def resnet20(flexor):
    layers, cin = [nn.Conv2d(1, 16, 3, 1, 1), nn.BatchNorm2d(16), nn.ReLU()], 16
    for cout, stride in ((16, 1), (32, 2), (64, 2)):
        for i in range(3):
            layers.append(Block(cin, cout, stride if i == 0 else 1, flexor))
            cin = cout
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def bench(model, steps, batch):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))
    for i in range(steps + 3):
        if i == 3:
            t0 = time.perf_counter()
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    train = steps * batch / (time.perf_counter() - t0)
    model.eval()
    xs = torch.randn(1000, 1, 28, 28)
    with torch.no_grad():
        model(xs)
        t0 = time.perf_counter()
        for _ in range(3):
            model(xs)
        infer = 3000 / (time.perf_counter() - t0)
    return train, infer


def load_idx(path):
    """An IDX file (gzip or plain) as a uint8 tensor of its shape."""
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    zero, kind, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or kind != 8:
        raise SystemExit(f"{path}: not an IDX file of unsigned bytes")
    dims = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    return torch.frombuffer(bytearray(data[4 + 4 * ndim :]), dtype=torch.uint8).reshape(dims)


def load_split(data, split, limit):
    names = {"train": "train", "test": "t10k"}[split]
    find = lambda stem: next(os.path.join(data, stem + ext) for ext in (".gz", "") if os.path.exists(os.path.join(data, stem + ext)))
    x, y = load_idx(find(f"{names}-images-idx3-ubyte")), load_idx(find(f"{names}-labels-idx1-ubyte"))
    if limit:
        x, y = x[:limit], y[:limit]
    # the C trainer's input normalisation (trainer/src/tr.h TR_MEAN, TR_STD)
    return ((x.float() / 255 - 0.2860) / 0.3530).unsqueeze(1), y.long()


def schedule(e, epochs, lr0=1e-3, warmup=1.0, s0=10.0, s1=100.0, s_warmup=2.0):
    """The C trainer's default schedule (trainer/src/job.c schedule()): linear lr warm-up over the first
    epoch then cosine to 0; S_tanh linear from 10 to 100 over two epochs. e is the fractional epoch."""
    if e < warmup:
        lr = min(lr0 * (e + 1e-3) / warmup, lr0)
    else:
        span = epochs - warmup
        p = (e - warmup) / span if span > 0 else 1
        lr = lr0 * 0.5 * (1 + math.cos(math.pi * min(p, 1)))
    return lr, (s0 + (s1 - s0) * e / s_warmup) if e < s_warmup else s1


def train_eval(model, epochs, batch, train, test, seed):
    """Train `epochs` epochs on real data with the C trainer's recipe; returns (train img/s, test acc %)."""
    (x, y), (xt, yt) = train, test
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(seed)
    steps, secs = (len(x) + batch - 1) // batch, 0.0
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(len(x), generator=g)
        t0 = time.perf_counter()
        for s in range(steps):
            lr, S = schedule(ep + s / steps, epochs)
            for grp in opt.param_groups:
                grp["lr"] = lr
            for m in model.modules():
                if isinstance(m, FleXOR):
                    m.S = S
            idx = perm[s * batch : (s + 1) * batch]
            opt.zero_grad()
            F.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
        secs += time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        ok = sum(int((model(xt[i : i + 1000]).argmax(1) == yt[i : i + 1000]).sum()) for i in range(0, len(xt), 1000))
    return epochs * len(x) / secs, 100.0 * ok / len(xt)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--models", default="mlp,lenet", help="comma list of mlp, lenet, resnet20")
    ap.add_argument("--epochs", type=int, default=0, help="train this many epochs on Fashion-MNIST and report test accuracy")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist", help="IDX files (with --epochs)")
    ap.add_argument("--train-images", type=int, default=0, help="use only the first N training images (0: all)")
    ap.add_argument("--test-images", type=int, default=0, help="use only the first N test images (0: all)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    nets = {"mlp": mlp, "lenet": lenet, "resnet20": resnet20}
    if a.epochs > 0:
        train, test = load_split(a.data, "train", a.train_images), load_split(a.data, "test", a.test_images)
        print(f"torch {torch.__version__}, {a.threads} threads, batch {a.batch}, {a.epochs} epochs on {len(train[0])} images")
        print("| model | setting | train img/s | test acc % |\n|---|---|---|---|")
        for name in a.models.split(","):
            for setting in ("fp", "0.8"):
                torch.manual_seed(a.seed)
                tr, acc = train_eval(nets[name](setting != "fp"), a.epochs, a.batch, train, test, a.seed)
                print(f"| {name} | {setting} | {tr:.0f} | {acc:.2f} |", flush=True)
        raise SystemExit(0)
    print(f"torch {torch.__version__}, {a.threads} threads, batch {a.batch}, {a.steps} timed steps")
    print("| model | setting | train img/s | float infer img/s |\n|---|---|---|---|")
    for name in a.models.split(","):
        fn = nets[name]
        for setting in ("fp", "0.8"):
            tr, inf = bench(fn(setting != "fp"), a.steps, a.batch)
            print(f"| {name} | {setting} | {tr:.0f} | {inf:.0f} |", flush=True)
