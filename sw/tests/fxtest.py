# SPDX-License-Identifier: Apache-2.0
"""What the Python tests share: a scratch folder, running a program, the one-line-error rule, the
dataset's first images, and the verdict."""
import gzip
import os
import shutil
import subprocess
import sys

import numpy as np


class Check:
    def __init__(self, scratch):
        self.t, self.fails = scratch, []
        shutil.rmtree(scratch, ignore_errors=True)
        os.makedirs(scratch)

    def path(self, name):
        return os.path.join(self.t, name)

    def fail(self, msg):
        self.fails.append(msg)

    def bad_input(self, args, must_name=""):
        """args (a program and its arguments) must exit 2 with one line on stderr naming must_name."""
        r = run(*args)
        if r.returncode != 2 or len(r.stderr.splitlines()) != 1 or must_name not in r.stderr:
            self.fail(f"{' '.join(args[1:3])} ... with bad input: exit {r.returncode}, {r.stderr!r}")

    def finish(self, what):
        for f in self.fails:
            print("FAIL:", f)
        if not self.fails:
            shutil.rmtree(self.t)
            print("PASS:", what)
        sys.exit(1 if self.fails else 0)


def run(*args):
    return subprocess.run([*args], capture_output=True, text=True)


def t10k(data, n):
    """The first n test images (n, 1, 28, 28) uint8 and their labels."""
    with gzip.open(os.path.join(data, "t10k-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read()[16:16 + 784 * n], np.uint8).reshape(n, 1, 28, 28)
    with gzip.open(os.path.join(data, "t10k-labels-idx1-ubyte.gz")) as f:
        labels = list(f.read()[8:8 + n])
    return images, labels
