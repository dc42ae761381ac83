"""Argument checks shared by every public function.

Each check raises ``TypeError`` (wrong kind of object) or ``ValueError`` (right kind, bad value)
with a message that starts with the argument's name, so a reader knows what to fix.
"""

import numbers

import numpy as np


def check_array(X, name, ndim=None, shape=None, unit_interval=False):
    """Return ``X`` as a finite float64 C-contiguous array, or raise.

    Parameters
    ----------
    X : array_like
        Real numbers (bool and integer arrays are accepted and converted).
    name : str
        Argument name used in error messages.
    ndim : int or tuple of int, optional
        Allowed numbers of dimensions.
    shape : tuple, optional
        Expected shape; ``None`` entries match any length.
    unit_interval : bool
        Require every entry in [0, 1].
    """
    if isinstance(X, (str, bytes)) or X is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(X).__name__}")
    try:
        arr = np.asarray(X)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be an array of numbers ({exc})") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimension(s), "
                             f"got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != t for s, t in zip(shape, arr.shape)):
            want = tuple("any" if s is None else s for s in shape)
            raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if unit_interval and (arr.min() < 0.0 or arr.max() > 1.0):
        raise ValueError(f"{name} must lie in [0, 1], got values in "
                         f"[{arr.min():.3g}, {arr.max():.3g}]")
    return arr


def check_labels(y, name, n_samples=None, n_classes=None):
    """Return integer class labels as an int64 array, or raise.

    ``y`` must be one-dimensional (or a scalar when ``n_samples`` is None), hold whole numbers in
    ``0 .. n_classes-1`` and have ``n_samples`` entries when that is given.
    """
    if isinstance(y, (str, bytes)) or y is None:
        raise TypeError(f"{name} must be integer class labels, got {type(y).__name__}")
    arr = np.asarray(y)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name} must be integer class labels, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"{name} must hold whole numbers (class indices)")
    arr = arr.astype(np.int64)
    if n_samples is not None:
        if arr.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
        if arr.shape[0] != n_samples:
            raise ValueError(f"{name} has {arr.shape[0]} labels but X has {n_samples} rows")
    if n_classes is not None and arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(f"{name} must lie in 0..{n_classes - 1}, got values in "
                         f"[{arr.min()}, {arr.max()}]")
    return arr


def check_positive(value, name, allow_zero=False):
    """Return ``value`` as a float that is > 0 (or >= 0 with ``allow_zero``), or raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value}")
    return value


def check_int(value, name, minimum=None):
    """Return ``value`` as a Python int (at least ``minimum`` when given), or raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def check_seed(seed, name="seed"):
    """Return a non-negative integer seed, or raise."""
    return check_int(seed, name, minimum=0)


def check_choice(value, name, choices):
    """Return ``value`` if it is one of ``choices``, or raise naming the allowed values."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def check_values(value, name, allow_inf=False):
    """Return ``(array, is_scalar)``: a number or an array of any shape (may be empty) as float64.

    Unlike :func:`check_array` this accepts empty arrays and reports whether ``value`` was a
    single number, so a function can answer a number with a number. NaN is always refused,
    infinities unless ``allow_inf``.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a number or an array of numbers, "
                        f"got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be an array of numbers ({exc})") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool) \
            or np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    arr = np.array(arr, dtype=np.float64)
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} contains NaN values")
    if not allow_inf and np.any(np.isinf(arr)):
        raise ValueError(f"{name} contains infinite values")
    return arr, arr.ndim == 0


def check_unit_interval(value, name):
    """Return ``value`` as a float in [0, 1], or raise."""
    value = check_positive(value, name, allow_zero=True)
    if value > 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {value}")
    return value


def check_n_steps(T, dt):
    """Return the number of time steps of length ``dt`` in ``[0, T)`` (``round(T / dt)`` >= 1)."""
    T = check_positive(T, "T")
    dt = check_positive(dt, "dt")
    n = int(round(T / dt))
    if n < 1:
        raise ValueError(f"T must be at least one time step dt={dt}, got {T}")
    return n
