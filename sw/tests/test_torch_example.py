#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The PyTorch example (sw/python/examples/torch_flexor.py) trains a FleXOR MLP briefly, exports it;
`flexor import` accepts it (including its decrypted weights, checked against the stored slices), the
RTL runs it with 0 mismatches, `flexor infer` gives exactly the predictions the example's NumPy
integer model gave, and the integer model agrees with the float PyTorch model on ≥ 95 % of the images
and learned something (accuracy ≥ 0.6: chance is 0.1).
Usage: test_torch_example.py FLEXOR LIBFLEXOR DATA_DIR PYTHON_DIR SCRATCH"""
import csv, json, os, sys

from fxtest import Check, run

flexor, lib, data, pydir, scratch = sys.argv[1:6]
ck = Check(scratch)
N = 400
env = dict(os.environ, FLEXOR_LIB=lib, PYTHONPATH=pydir)
out = ck.path("export")
import subprocess  # noqa: E402

r = subprocess.run([sys.executable, os.path.join(pydir, "examples", "torch_flexor.py"), "--data", data, "--out", out,
                    "--steps", "400", "--train-images", "10000", "--test-images", str(N)],
                   capture_output=True, text=True, env=env)
print(r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr[-2000:])
if r.returncode:
    ck.fail(f"the example failed: {r.stderr[-1000:]}")
    ck.finish("")
model = ck.path("torch.fxm")
r = run(flexor, "import", out, model)
if r.returncode:
    ck.fail(f"import: {r.stderr.strip()}")
    ck.finish("")
r = run(flexor, "cosim", model, "--data", data, "--images", "20", "--quiet")
if r.returncode or " 0 mismatches" not in r.stdout:
    ck.fail(f"cosim: exit {r.returncode} {r.stdout[:300]} {r.stderr[:300]}")
pred = ck.path("p.csv")
run(flexor, "infer", model, "--data", data, "--images", str(N), "--predictions", pred)
with open(pred, newline="") as f:
    rows = list(csv.reader(f))[1:]
with open(os.path.join(out, "predictions.json")) as f:
    ex = json.load(f)
got = [int(row[2]) for row in rows]
if got != ex["integer"]:
    ck.fail("flexor infer's predictions differ from the example's integer model")
agree = sum(a == b for a, b in zip(ex["float"], ex["integer"])) / N
acc = sum(int(row[1]) == int(row[2]) for row in rows) / N
if agree < 0.95 or acc < 0.6:
    ck.fail(f"integer vs float agreement {agree:.3f} (want ≥ 0.95), accuracy {acc:.3f} (want ≥ 0.6)")
ck.finish(f"PyTorch-trained FleXOR MLP imported, 0 mismatches in cosim, accuracy {acc:.3f}, agreement {agree:.3f}")
