"""One BLAS thread for the engine's own worker threads.

The bound's pass (bound.py) runs its blocks on a small thread pool, and each block
multiplies small matrices (ceiling.py). OpenBLAS, by default, splits every product
over all cores again: on two cores already busy with the pool, its threads wait on
each other and each product gets five times slower. OpenBLAS (0.3.27 and later, as
bundled in NumPy's wheels) can use one thread in the calling thread only; found here
through ctypes, the rest of the process keeps its setting. Without it (another BLAS),
nothing changes: the results are the same, only slower where BLAS threads.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_LOCAL = ("openblas_set_num_threads_local", "scipy_openblas_set_num_threads_local64_")


@contextmanager
def one_thread() -> Iterator[None]:
    """BLAS calls of the current thread use one thread inside this block."""
    local = _set_local()
    if local is None:
        yield
        return
    before = local(1)
    try:
        yield
    finally:
        local(max(int(before), 1))


@functools.cache
def _set_local():
    for path in _libraries():
        try:
            library = ctypes.CDLL(str(path))
        except OSError:
            continue
        for name in _LOCAL:
            function = getattr(library, name, None)
            if function is not None:
                function.argtypes, function.restype = [ctypes.c_int], ctypes.c_int
                return function
    return None


def _libraries() -> list[Path]:
    """NumPy's bundled OpenBLAS (wheels), else any OpenBLAS the process has loaded."""
    import numpy as np

    home = Path(np.__file__).parent
    found = [
        *(home.parent / "numpy.libs").glob("*openblas*"),
        *(home / ".dylibs").glob("*openblas*"),
    ]
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            found += sorted({Path(line.split()[-1]) for line in maps if "openblas" in line})
    except OSError:  # not Linux: the wheels' folders only
        pass
    return found
