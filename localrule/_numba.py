"""Numba if available, otherwise plain Python stand-ins.

The kernels are written so that they also run (slowly) as ordinary Python, which is what lets
the book run where numba is missing (for example in a browser through Pyodide).
"""

try:  # pragma: no cover - the fallback is exercised only where numba is absent
    from numba import njit, prange, get_num_threads, set_num_threads

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover
    HAVE_NUMBA = False
    prange = range

    def njit(*args, **kwargs):
        """Return the function unchanged (no compilation without numba)."""
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]
        return lambda f: f

    def get_num_threads():
        return 1

    def set_num_threads(n):
        return None

__all__ = ["njit", "prange", "HAVE_NUMBA", "get_num_threads", "set_num_threads"]
