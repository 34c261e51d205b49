# SPDX-License-Identifier: Apache-2.0
"""What the tests need from the build (set by CTest, see sw/python/tests/CMake registration in
sw/tests/CMakeLists.txt): the flexor and flexor-genmodel programs, the dataset, a scratch folder."""
import os

import pytest


@pytest.fixture(scope="session")
def env():
    need = ("FLEXOR_BIN", "FLEXOR_GENMODEL", "FLEXOR_DATA")
    missing = [k for k in need if k not in os.environ]
    if missing:
        pytest.fail(f"set {', '.join(missing)} (CTest's sw_python_module does)")
    return {k: os.environ[k] for k in need}
