# SPDX-License-Identifier: Apache-2.0
"""flexor from Python: a thin ctypes binding over libflexor (sw/include/flexor/api.h).

    import flexor
    cfg = flexor.config()                    # the built-in configuration (or flexor.config("x.cfg"))
    flexor.mxor(12)                          # M-xor for N_in = 12: uint8 (N_out, 12)
    m = flexor.Model.load("lenet.fxm")
    m.layers[0]                              # shape and flags of a layer
    m.weights(1), m.alpha(1), m.bias(1), m.slices(1)   # NumPy arrays (weights: decrypted ±1)
    logits, classes = m.infer(images)        # the bit-exact integer reference on uint8 (N, C, H, W)
    m.save("copy.fxm")
    Model.from_export("dir")                 # a `flexor export` folder (or NumPy files in its layout)

libflexor is found from $FLEXOR_LIB, then beside this package, then on the system's library path.
`flexor.numpy_ref` is the same reference in NumPy alone."""
import ctypes
import ctypes.util
import json
import os

import numpy as np

__all__ = ["FlexorError", "Model", "config", "mxor"]

_u32, _u64, _sz, _cp = ctypes.c_uint32, ctypes.c_uint64, ctypes.c_size_t, ctypes.c_char_p
_ptr = ctypes.c_void_p
_ERR = 1024


class FlexorError(Exception):
    """An error reported by libflexor (its one-line message)."""


def _find_library():
    env = os.environ.get("FLEXOR_LIB")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    for name in sorted(os.listdir(here)):
        if name.startswith("libflexor.so"):
            return os.path.join(here, name)
    found = ctypes.util.find_library("flexor")
    if not found:
        raise ImportError("libflexor not found: set FLEXOR_LIB to libflexor.so, or install flexor (cmake --install)")
    return found


_SIGS = {
    "fx_api_config": (ctypes.c_int, [_cp, _ptr, _ptr, ctypes.POINTER(_u64), _cp, _sz, _cp, _sz]),
    "fx_api_mxor": (ctypes.c_int, [_cp, _u32, _ptr, _cp, _sz]),
    "fx_api_load": (_ptr, [_cp, _cp, _cp, _sz]),
    "fx_api_new": (_ptr, [_cp, _u32, _u32, _u32, _u32, _cp, _sz]),
    "fx_api_add_layer": (ctypes.c_int, [_ptr, _ptr, _ptr, _ptr, _ptr, _u64, _cp, _sz]),
    "fx_api_save": (ctypes.c_int, [_ptr, _cp, _cp, _sz]),
    "fx_api_free": (None, [_ptr]),
    "fx_api_model_info": (None, [_ptr, _ptr]),
    "fx_api_layer_info": (ctypes.c_int, [_ptr, _u32, _ptr, _cp, _sz]),
    "fx_api_layer_arrays": (ctypes.c_int, [_ptr, _u32, _ptr, _ptr, _ptr, _ptr, _cp, _sz]),
    "fx_api_infer": (ctypes.c_int, [_ptr, _ptr, _u64, _ptr, _ptr, _cp, _sz]),
}
_loaded = None


def _lib():
    """libflexor, loaded on first use: `flexor.numpy_ref` needs NumPy only."""
    global _loaded
    if _loaded is None:
        lib = ctypes.CDLL(_find_library())
        for name, (res, args) in _SIGS.items():
            f = getattr(lib, name)
            f.restype, f.argtypes = res, args
        _loaded = lib
    return _loaded


def _call(fn, *args):
    """fn(*args, err, errlen); raises FlexorError with libflexor's message on failure."""
    err = ctypes.create_string_buffer(_ERR)
    r = fn(*args, err, _ERR)
    if r is None or (isinstance(r, int) and fn.restype is ctypes.c_int and r != 0):
        raise FlexorError(err.value.decode(errors="replace"))
    return r


def _path(p):
    return None if p is None else os.fsencode(p)


def _arr(a):
    return a.ctypes.data_as(_ptr)


def config(cfg_path=None):
    """The hardware configuration as a dict (cfg_path: a .cfg file; None: the built-in one)."""
    info, n_in, seed = np.zeros(8, np.uint32), np.zeros(8, np.uint32), _u64()
    name = ctypes.create_string_buffer(64)
    _call(_lib().fx_api_config, _path(cfg_path), _arr(info), _arr(n_in), ctypes.byref(seed), name, 64)
    n_out, n_tap, lanes, q_max, k_max, count, h = (int(v) for v in info[:7])
    return {"name": name.value.decode(), "n_out": n_out, "n_tap": n_tap, "lanes": lanes, "q_max": q_max,
            "k_max": k_max, "n_in": [int(v) for v in n_in[:count]], "hash": f"0x{h:08x}", "seed": seed.value}


def mxor(n_in, cfg_path=None):
    """M-xor for n_in: uint8 (N_out, n_in), entry [r, j] = 1 when stored bit j feeds decrypted bit r."""
    out = np.zeros((config(cfg_path)["n_out"], n_in), np.uint8)
    _call(_lib().fx_api_mxor, _path(cfg_path), n_in, _arr(out))
    return out


_LAYER_KEYS = ("type", "flags", "q", "n_in", "M", "K", "in_c", "in_h", "in_w", "kh", "kw", "pool", "shift", "n_slices")
_ENCRYPTED, _STRADDLE, _RELU_U8 = 1, 2, 4


class Model:
    """A model file (.fxm) held by libflexor."""

    def __init__(self, handle, cfg_path):
        self._h, self._cfg = handle, cfg_path

    def __del__(self):
        if getattr(self, "_h", None):
            _lib().fx_api_free(self._h)
            self._h = None

    @classmethod
    def load(cls, path, cfg_path=None):
        return cls(_call(_lib().fx_api_load, _path(path), _path(cfg_path)), cfg_path)

    @classmethod
    def new(cls, input_shape, n_classes, cfg_path=None):
        c, h, w = input_shape
        return cls(_call(_lib().fx_api_new, _path(cfg_path), c, h, w, n_classes), cfg_path)

    def add_layer(self, kind, M, K, inp, kernel=(1, 1), pool=0, shift=0, q=1, n_in=None, encrypted=False,
                  straddle=False, relu_u8=True, alpha=None, bias=None, slices=None):
        """Appends a layer (docs/contract.md §6 fields); alpha int16 (M, q), bias int32 (M,),
        slices uint32 (q, n_slices)."""
        n_in = config(self._cfg)["n_out"] if n_in is None else n_in
        flags = (_ENCRYPTED if encrypted else 0) | (_STRADDLE if straddle else 0) | (_RELU_U8 if relu_u8 else 0)
        f = np.array([2 if kind == "conv" else 1, flags, q, n_in, M, K, *inp, *kernel, pool, shift], np.uint32)
        alpha = np.ascontiguousarray(alpha, np.int16).reshape(M, q)
        bias = np.ascontiguousarray(bias, np.int32).reshape(M)
        slices = np.ascontiguousarray(slices, np.uint32).reshape(q, -1)
        _call(_lib().fx_api_add_layer, self._h, _arr(f), _arr(alpha), _arr(bias), _arr(slices), slices.shape[1])

    def save(self, path):
        _call(_lib().fx_api_save, self._h, _path(path))

    @property
    def info(self):
        v = np.zeros(8, np.uint32)
        _lib().fx_api_model_info(self._h, _arr(v))
        keys = ("in_c", "in_h", "in_w", "n_classes", "n_out", "n_tap", "cfg_hash", "n_layers")
        return dict(zip(keys, (int(x) for x in v)))

    @property
    def layers(self):
        out = []
        for li in range(self.info["n_layers"]):
            v = np.zeros(len(_LAYER_KEYS), np.uint32)
            _call(_lib().fx_api_layer_info, self._h, li, _arr(v))
            d = dict(zip(_LAYER_KEYS, (int(x) for x in v)))
            d["type"] = "conv" if d["type"] == 2 else "fc"
            d.update(encrypted=bool(d["flags"] & _ENCRYPTED), straddle=bool(d["flags"] & _STRADDLE),
                     relu_u8=bool(d["flags"] & _RELU_U8))
            out.append(d)
        return out

    def _arrays(self, li, which):
        layer = self.layers[li]
        q, M, K, ns = layer["q"], layer["M"], layer["K"], layer["n_slices"]
        shapes = {"weights": ((q, M, K), np.int8), "alpha": ((M, q), np.int16), "bias": ((M,), np.int32),
                  "slices": ((q, ns), np.uint32)}
        a = np.zeros(*shapes[which])
        ptrs = [_arr(a) if k == which else None for k in ("weights", "alpha", "bias", "slices")]
        _call(_lib().fx_api_layer_arrays, self._h, li, *ptrs)
        return a

    def weights(self, li):
        """The decrypted weight signs ±1 of layer li: int8 (q, M, K)."""
        return self._arrays(li, "weights")

    def alpha(self, li):
        return self._arrays(li, "alpha")

    def bias(self, li):
        return self._arrays(li, "bias")

    def slices(self, li):
        """The stored bits: uint32 (q, n_slices)."""
        return self._arrays(li, "slices")

    def infer(self, images):
        """The integer reference on uint8 images (N, C, H, W): logits int32 (N, n_classes), classes (N,)."""
        info = self.info
        x = np.ascontiguousarray(images, np.uint8).reshape(-1, info["in_c"] * info["in_h"] * info["in_w"])
        logits = np.zeros((x.shape[0], info["n_classes"]), np.int32)
        classes = np.zeros(x.shape[0], np.int32)
        _call(_lib().fx_api_infer, self._h, _arr(x), x.shape[0], _arr(logits), _arr(classes))
        return logits, classes

    @classmethod
    def from_export(cls, folder, cfg_path=None):
        """A model from a `flexor export` folder, or NumPy files written in its layout (docs/export.md)."""
        with open(os.path.join(folder, "model.json")) as f:
            doc = json.load(f)
        m = cls.new(doc["input"], doc["n_classes"], cfg_path)
        if doc.get("config_hash") != config(cfg_path)["hash"]:
            raise FlexorError(f"{folder}: config_hash {doc.get('config_hash')} is not the configuration's")
        for layer in doc["layers"]:
            arrays = {k: np.load(os.path.join(folder, layer[k])) for k in ("alpha", "bias", "slices")}
            m.add_layer(layer["type"], layer["M"], layer["K"], layer["in"], layer["kernel"], layer["pool"],
                        layer["shift"], layer["q"], layer["n_in"], layer["encrypted"], layer["straddle"],
                        layer["relu_u8"], **arrays)
        return m
