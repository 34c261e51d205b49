# SPDX-License-Identifier: Apache-2.0
"""flexor from Python. `flexor.numpy_ref`: the integer reference in NumPy alone, on `flexor export` output."""
