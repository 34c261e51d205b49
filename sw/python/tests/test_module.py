# SPDX-License-Identifier: Apache-2.0
"""The Python module against the flexor CLI: the same configuration and M-xor as `inspect --mxor`, the
same logits as `infer --predictions`, the same weights as `export`, a model built from NumPy arrays saved
to the same bytes as the original, and libflexor's errors as FlexorError."""
import csv
import gzip
import json
import os
import subprocess

import numpy as np
import pytest

import flexor
from flexor import numpy_ref


def run(*args):
    r = subprocess.run([*args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.fixture(scope="module", params=["mlp", "lenet", "lenet-straddle"])
def model(request, env, tmp_path_factory):
    arch, *extra = request.param.split("-")
    path = str(tmp_path_factory.mktemp(request.param) / "m.fxm")
    run(env["FLEXOR_GENMODEL"], arch, path, "--seed", "9", *[f"--{e}" for e in extra])
    return path


def images(env, n):
    with gzip.open(os.path.join(env["FLEXOR_DATA"], "t10k-images-idx3-ubyte.gz")) as f:
        return np.frombuffer(f.read()[16:16 + 784 * n], np.uint8).reshape(n, 1, 28, 28)


def test_config_and_mxor_match_inspect(env):
    doc = json.loads(run(env["FLEXOR_BIN"], "inspect", "--mxor", "--json"))
    cfg = flexor.config()
    assert cfg["hash"] == doc["config_hash"] and cfg["n_out"] == doc["n_out"]
    assert cfg["n_in"] == [m["n_in"] for m in doc["mxor"]]
    for m in doc["mxor"]:
        want = np.array([[int(ch) for ch in row] for row in m["rows"]], np.uint8)
        assert np.array_equal(flexor.mxor(m["n_in"]), want)


def test_infer_matches_cli(env, model, tmp_path):
    n = 16
    pred = tmp_path / "p.csv"
    run(env["FLEXOR_BIN"], "infer", model, "--data", env["FLEXOR_DATA"], "--images", str(n), "--predictions", str(pred))
    rows = list(csv.reader(open(pred)))[1:]
    logits, classes = flexor.Model.load(model).infer(images(env, n))
    assert logits.tolist() == [[int(v) for v in r[3:]] for r in rows]
    assert classes.tolist() == [int(r[2]) for r in rows]


def test_arrays_match_export(env, model, tmp_path):
    out = tmp_path / "export"
    run(env["FLEXOR_BIN"], "export", model, str(out))
    exported = numpy_ref.load(str(out))
    m = flexor.Model.load(model)
    assert len(m.layers) == len(exported["layers"])
    for li, layer in enumerate(exported["layers"]):
        for key in ("weights", "alpha", "bias", "slices"):
            assert np.array_equal(getattr(m, key)(li), layer[key]), (li, key)
        assert m.layers[li]["M"] == layer["M"] and m.layers[li]["straddle"] == layer["straddle"]


def test_rebuilt_from_arrays_is_the_same_file(model, tmp_path):
    src = flexor.Model.load(model)
    info = src.info
    m = flexor.Model.new((info["in_c"], info["in_h"], info["in_w"]), info["n_classes"])
    for li, layer in enumerate(src.layers):
        m.add_layer(layer["type"], layer["M"], layer["K"], (layer["in_c"], layer["in_h"], layer["in_w"]),
                    (layer["kh"], layer["kw"]), layer["pool"], layer["shift"], layer["q"], layer["n_in"],
                    layer["encrypted"], layer["straddle"], layer["relu_u8"], src.alpha(li), src.bias(li), src.slices(li))
    out = tmp_path / "copy.fxm"
    m.save(str(out))
    assert open(out, "rb").read() == open(model, "rb").read()


def test_from_export(env, model, tmp_path):
    run(env["FLEXOR_BIN"], "export", model, str(tmp_path / "e"))
    m = flexor.Model.from_export(str(tmp_path / "e"))
    x = images(env, 4)
    assert np.array_equal(m.infer(x)[0], flexor.Model.load(model).infer(x)[0])


def test_errors_are_flexor_errors(tmp_path):
    bad = tmp_path / "bad.fxm"
    bad.write_bytes(b"FXM1" + b"\0" * 60)
    with pytest.raises(flexor.FlexorError, match="bad.fxm"):
        flexor.Model.load(str(bad))
    with pytest.raises(flexor.FlexorError, match="N_in 7"):
        flexor.mxor(7)
    m = flexor.Model.new((1, 28, 28), 10)
    with pytest.raises(flexor.FlexorError, match="slices"):
        m.add_layer("fc", 10, 784, (1, 28, 28), alpha=np.ones((10, 1)), bias=np.zeros(10), slices=np.zeros((1, 3)))
    with pytest.raises(flexor.FlexorError):
        m.save(str(tmp_path / "empty.fxm"))
    assert not (tmp_path / "empty.fxm").exists()
