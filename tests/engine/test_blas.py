"""One BLAS thread inside the bound pass's worker threads (matching/engine/blas.py)."""

import numpy as np
import pytest

from matching.engine import blas

BLAS = np.show_config(mode="dicts")["Build Dependencies"]["blas"]


@pytest.fixture
def local():
    if "openblas" not in BLAS["name"]:
        pytest.skip(f"NumPy is built on {BLAS['name']}, not OpenBLAS: one_thread changes nothing")
    found = blas._set_local()
    assert found is not None, f"OpenBLAS {BLAS.get('version')}: no per-thread setting found"
    return found


def test_one_thread_sets_the_calling_threads_blas_to_one_then_restores_it(local):
    before = local(3)  # a known value for this thread
    try:
        with blas.one_thread():
            assert local(1) == 1  # inside: one thread (setting it again changes nothing)
        assert local(3) == 3  # restored on the way out
    finally:
        local(max(int(before), 1))


def test_products_inside_one_thread_are_the_same():
    rng = np.random.default_rng(0)
    a, b = rng.random((300, 40), dtype=np.float32), rng.random((40, 500), dtype=np.float32)
    with blas.one_thread():
        inside = a @ b
    np.testing.assert_array_equal(inside, a @ b)
