#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""flexor inspect --mxor prints the matrices the hardware is built with: the JSON row masks equal the
FXC_MXOR_<n> parameters of the generated flexor_config.vh, the text rows equal the JSON rows, every row
has N_tap ones (docs/contract.md §2), and a bad argument is one line and exit 2.
Usage: test_inspect_mxor.py FLEXOR FLEXOR_CONFIG_VH SCRATCH"""
import json, re, sys

from fxtest import Check
from fxtest import run as run_prog

flexor, vh, scratch = sys.argv[1:4]
ck = Check(scratch)
fails = ck.fails


def run(*args):
    return run_prog(flexor, "inspect", *args)


# the hardware's matrices: localparam [N_OUT*N_IN-1:0] FXC_MXOR_<n> = {row N_OUT-1, ..., row 0}
hw = {}
for n, body in re.findall(r"FXC_MXOR_(\d+)\s*=\s*\{([^}]*)\}", open(vh).read()):
    hw[int(n)] = [int(v.split("'h")[1], 16) for v in body.split(",")][::-1]
if not hw:
    sys.exit(f"FAIL: no FXC_MXOR_<n> in {vh}")

r = run("--mxor", "--json")
doc = json.loads(r.stdout) if r.returncode == 0 else fails.append(f"--mxor --json: exit {r.returncode} {r.stderr}")
mats = {m["n_in"]: m for m in doc["mxor"]} if doc else {}
if sorted(mats) != sorted(hw):
    fails.append(f"N_in set {sorted(mats)} != hardware {sorted(hw)}")
for n, m in mats.items():
    if m["row_masks"] != hw.get(n):
        fails.append(f"N_in {n}: row masks {m['row_masks']} != FXC_MXOR_{n} {hw.get(n)}")
    for r_i, (mask, s) in enumerate(zip(m["row_masks"], m["rows"])):
        if len(s) != n or int(s[::-1], 2) != mask or s.count("1") != m["n_tap"]:
            fails.append(f"N_in {n} row {r_i}: '{s}' is not mask {mask} with {m['n_tap']} ones")

text = run("--mxor")
rows = {}
cur = None
for line in text.stdout.splitlines():
    h = re.match(r"M-xor N_in (\d+) ", line)
    if h:
        cur = rows.setdefault(int(h.group(1)), [])
    elif cur is not None:
        cur.append(line.split()[1])
if {n: m["rows"] for n, m in mats.items()} != rows:
    fails.append("text rows differ from the JSON rows")

ck.bad_input([flexor, "inspect", "--mxor", "a.fxm", "b.fxm"])
ck.bad_input([flexor, "inspect", "--mxor", "--config", "no_such_config"])
ck.finish(f"{len(mats)} matrices checked against {vh}")
