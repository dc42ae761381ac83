"""Spikes, spike timing and the STDP route to the local learning rule.

This module holds everything the book needs to go from a spiking neuron to the rate-form rule
``dw = eta * x * (a_star - a)``:

* the leaky integrate-and-fire (LIF) neuron and its first-spike time (chapter 2);
* the latency code that reads an activation ``a`` in [0, 1] as a first-spike time (chapter 2);
* the exponential STDP window, its pair-based and trace-based forms, and the Bi & Poo pairing
  protocol (chapter 3);
* Poisson spike trains and the association experiment that checks, spike by spike, that STDP
  with a balanced window changes a weight in proportion to ``x * (a_star - a)`` (chapter 4).

Units: time in seconds, rates in Hz. Voltages and currents are in arbitrary units with ``R * I``
a voltage; with the defaults (``theta = 1``, ``R = 1``) the current is measured in units of the
threshold (rheobase).
"""

from dataclasses import dataclass

import numpy as np

from localrule.network import sigmoid
from localrule.stdp_kernels import (
    lif_kernel,
    trace_stdp_history_kernel,
    trace_stdp_kernel,
)
from localrule.validation import check_array, check_choice, check_int, check_positive, check_seed

__all__ = [
    "lif_simulate",
    "lif_first_spike_time",
    "lif_rate",
    "spike_raster",
    "latency_current",
    "latency_code",
    "latency_decode",
    "stdp_window",
    "stdp_window_integrals",
    "pair_stdp",
    "trace_stdp",
    "trace_stdp_history",
    "bin_spike_times",
    "spike_times_from_train",
    "pairing_protocol",
    "poisson_spike_trains",
    "association_predicted_slope",
    "association_trial_dw",
    "association_experiment",
    "AssociationResult",
    "association_rate_update",
    "train_association_neuron",
    "NeuronHistory",
]


# --------------------------------------------------------------------------- small helpers

def _values(value, name, allow_inf=False):
    """Return ``value`` as a float64 array (any shape, may be empty) and whether it was a scalar."""
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


def _scalar_or_array(arr, scalar):
    return float(arr) if scalar else arr


def _unit_scalar(value, name):
    """A real number in [0, 1]."""
    value = check_positive(value, name, allow_zero=True)
    if value > 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {value}")
    return value


def _n_steps(T, dt):
    """Number of grid steps of length ``dt`` in ``[0, T)`` (``T`` rounded to whole steps)."""
    T = check_positive(T, "T")
    dt = check_positive(dt, "dt")
    n = int(round(T / dt))
    if n < 1:
        raise ValueError(f"T must be at least one time step dt={dt}, got {T}")
    return n


def _window_params(A_plus, A_minus, tau_plus, tau_minus):
    return (check_positive(A_plus, "A_plus", allow_zero=True),
            check_positive(A_minus, "A_minus", allow_zero=True),
            check_positive(tau_plus, "tau_plus"),
            check_positive(tau_minus, "tau_minus"))


def _rng(rng):
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)):
        raise TypeError(f"rng must be a numpy Generator or a non-negative integer seed, "
                        f"got {type(rng).__name__}")
    return np.random.default_rng(check_seed(int(rng), "rng"))


# --------------------------------------------------------------------------- LIF neuron

def lif_simulate(I, T=0.1, dt=1e-4, tau_m=0.02, R=1.0, theta=1.0, v_reset=0.0, t_ref=0.0,
                 method="exact"):
    """Simulate one leaky integrate-and-fire neuron driven by a current.

    The membrane potential (resting value 0) obeys

    .. math:: \\tau_m \\frac{dv}{dt} = -v + R I(t),

    and when ``v`` reaches ``theta`` the neuron emits a spike, ``v`` is reset to ``v_reset`` and
    held there for ``t_ref`` seconds. The current is held constant over each step of length ``dt``.
    ``method="exact"`` integrates each step exactly,
    ``v(t + dt) = R I + (v(t) - R I) exp(-dt / tau_m)``; ``method="euler"`` uses forward Euler,
    ``v(t + dt) = v(t) + dt / tau_m * (R I - v(t))``. A spike is time-stamped with the first grid
    time at which ``v >= theta``, so with the exact method a simulated spike is never early and at
    most one ``dt`` late. See chapter 2.

    Parameters
    ----------
    I : float or array_like, shape (n_steps,)
        Input current: a constant, or one value per step, ``n_steps = round(T / dt)``.
    T : float
        Duration in seconds.
    dt : float
        Time step in seconds.
    tau_m : float
        Membrane time constant in seconds.
    R : float
        Membrane resistance (``R * I`` is a voltage).
    theta : float
        Firing threshold (> 0).
    v_reset : float
        Voltage after a spike (must be below ``theta``).
    t_ref : float
        Absolute refractory period in seconds (rounded to whole steps).
    method : {"exact", "euler"}
        Integration scheme (see above).

    Returns
    -------
    t : ndarray, shape (n_steps + 1,)
        Grid times ``0, dt, ..., n_steps * dt`` in seconds.
    v : ndarray, shape (n_steps + 1,)
        Membrane potential at those times (``v[0] = 0``).
    spike_times : ndarray, shape (n_spikes,)
        Spike times in seconds.
    """
    n = _n_steps(T, dt)
    dt = float(dt)
    tau_m = check_positive(tau_m, "tau_m")
    R = check_positive(R, "R")
    theta = check_positive(theta, "theta")
    t_ref = check_positive(t_ref, "t_ref", allow_zero=True)
    if isinstance(v_reset, bool) or not isinstance(v_reset, (int, float, np.integer, np.floating)):
        raise TypeError(f"v_reset must be a real number, got {type(v_reset).__name__}")
    v_reset = float(v_reset)
    if not np.isfinite(v_reset) or v_reset >= theta:
        raise ValueError(f"v_reset must be finite and below theta={theta}, got {v_reset}")
    check_choice(method, "method", ("exact", "euler"))
    if method == "euler" and dt >= tau_m:
        raise ValueError(f"dt must be smaller than tau_m={tau_m} for method='euler', got {dt}")
    current, scalar = _values(I, "I")
    if scalar:
        current = np.full(n, float(current))
    elif current.ndim != 1 or current.shape[0] != n:
        raise ValueError(f"I must be a number or have shape ({n},) (one value per step of "
                         f"T/dt), got shape {current.shape}")
    decay = np.exp(-dt / tau_m) if method == "exact" else 1.0 - dt / tau_m
    v, steps = lif_kernel(np.ascontiguousarray(current), dt, tau_m, R, theta, v_reset,
                          int(round(t_ref / dt)), decay)
    t = np.arange(n + 1) * dt
    return t, v, steps * dt


def lif_first_spike_time(I, tau_m=0.02, R=1.0, theta=1.0):
    """Closed-form time of the first spike of a LIF neuron starting at rest under constant current.

    Solving ``tau_m dv/dt = -v + R I`` from ``v(0) = 0`` gives ``v(t) = R I (1 - exp(-t/tau_m))``;
    setting ``v(t) = theta``,

    .. math:: t_1 = \\tau_m \\ln \\frac{R I}{R I - \\theta}, \\qquad R I > \\theta,

    and ``t_1 = inf`` (no spike ever) when ``R I <= theta``. ``t_1`` decreases with ``I``: a more
    strongly driven neuron fires earlier. See chapter 2.

    Parameters
    ----------
    I : float or array_like
        Constant input current(s), any shape.
    tau_m, R, theta : float
        Membrane time constant (s), resistance and threshold.

    Returns
    -------
    float or ndarray
        First-spike time(s) in seconds, same shape as ``I``; ``inf`` where the drive is at or
        below threshold.
    """
    current, scalar = _values(I, "I")
    tau_m = check_positive(tau_m, "tau_m")
    R = check_positive(R, "R")
    theta = check_positive(theta, "theta")
    drive = R * current
    above = drive > theta
    t1 = np.full(drive.shape, np.inf)
    t1[above] = tau_m * np.log(drive[above] / (drive[above] - theta))
    return _scalar_or_array(t1, scalar)


def lif_rate(I, tau_m=0.02, R=1.0, theta=1.0, t_ref=0.0):
    """Steady firing rate of a LIF neuron under constant current (reset to rest, ``v_reset = 0``).

    After each spike the neuron restarts from rest, so every inter-spike interval is the refractory
    period plus the first-spike time:

    .. math:: r(I) = \\frac{1}{t_{ref} + \\tau_m \\ln \\frac{R I}{R I - \\theta}},

    and ``r = 0`` at or below threshold. See chapter 2.

    Parameters
    ----------
    I : float or array_like
        Constant input current(s), any shape.
    tau_m, R, theta : float
        Membrane time constant (s), resistance and threshold.
    t_ref : float
        Refractory period in seconds.

    Returns
    -------
    float or ndarray
        Firing rate(s) in Hz, same shape as ``I``.
    """
    t_ref = check_positive(t_ref, "t_ref", allow_zero=True)
    t1 = lif_first_spike_time(I, tau_m=tau_m, R=R, theta=theta)
    with np.errstate(divide="ignore"):
        rate = np.where(np.isinf(t1), 0.0, 1.0 / (t_ref + np.asarray(t1)))
    return float(rate) if np.ndim(t1) == 0 else rate


def spike_raster(currents, T=0.1, dt=1e-4, tau_m=0.02, R=1.0, theta=1.0, t_ref=0.002):
    """Spike times of one LIF neuron per constant input current (the data of a raster plot).

    Each neuron ``i`` is simulated with :func:`lif_simulate` (exact integration) under the constant
    current ``currents[i]``. See chapter 2.

    Parameters
    ----------
    currents : array_like, shape (n_neurons,)
        Constant current of each neuron.
    T, dt, tau_m, R, theta, t_ref : float
        As in :func:`lif_simulate` (seconds where a time).

    Returns
    -------
    list of ndarray
        ``n_neurons`` arrays of spike times in seconds.
    """
    currents = check_array(currents, "currents", ndim=1)
    return [lif_simulate(float(c), T=T, dt=dt, tau_m=tau_m, R=R, theta=theta, t_ref=t_ref)[2]
            for c in currents]


# --------------------------------------------------------------------------- latency code

def _latency_scale(t_min, tau_m):
    t_min = check_positive(t_min, "t_min")
    tau_m = check_positive(tau_m, "tau_m")
    return np.expm1(t_min / tau_m), t_min, tau_m


def latency_current(a, t_min=0.005, tau_m=0.02, R=1.0, theta=1.0):
    """Input current that makes a LIF neuron encode activation ``a`` as its first-spike time.

    The activation sets how far the drive exceeds threshold,

    .. math:: R I(a) = \\theta \\left(1 + \\frac{a}{e^{t_{min}/\\tau_m} - 1}\\right),

    so ``a = 0`` is exactly the threshold current (never fires) and ``a = 1`` fires first at
    ``t_min``. Feeding this current to :func:`lif_first_spike_time` gives :func:`latency_code`.
    See chapter 2.

    Parameters
    ----------
    a : float or array_like
        Activations in [0, 1], any shape.
    t_min : float
        First-spike time of a fully active unit (``a = 1``), seconds.
    tau_m, R, theta : float
        LIF parameters.

    Returns
    -------
    float or ndarray
        Currents, same shape as ``a``.
    """
    arr, scalar = _values(a, "a")
    if arr.size and (arr.min() < 0.0 or arr.max() > 1.0):
        raise ValueError(f"a must lie in [0, 1], got values in [{arr.min():.3g}, {arr.max():.3g}]")
    scale, _, _ = _latency_scale(t_min, tau_m)
    R = check_positive(R, "R")
    theta = check_positive(theta, "theta")
    return _scalar_or_array(theta / R * (1.0 + arr / scale), scalar)


def latency_code(a, t_min=0.005, tau_m=0.02, t_max=np.inf):
    """Time-to-first-spike code: activation ``a`` in [0, 1] -> first-spike time in seconds.

    Putting the current of :func:`latency_current` into the LIF first-spike time
    ``t = tau_m ln(R I / (R I - theta))`` gives

    .. math:: t(a) = \\tau_m \\ln\\left(1 + \\frac{e^{t_{min}/\\tau_m} - 1}{a}\\right),

    which is ``t_min`` at ``a = 1``, strictly decreasing in ``a`` (stronger -> earlier) and ``inf``
    (no spike) at ``a = 0``. It depends on the drive only relative to threshold, so ``R`` and
    ``theta`` drop out. Times later than ``t_max`` (the end of the observation window) are
    reported as ``inf``: such a weak unit stays silent. See chapter 2.

    Parameters
    ----------
    a : float or array_like
        Activations in [0, 1], any shape.
    t_min : float
        First-spike time for ``a = 1``, seconds (> 0).
    tau_m : float
        Membrane time constant, seconds.
    t_max : float
        End of the observation window, seconds (> ``t_min``; ``inf`` = no cut-off).

    Returns
    -------
    float or ndarray
        First-spike times, same shape as ``a``; ``inf`` for silent units.
    """
    arr, scalar = _values(a, "a")
    if arr.size and (arr.min() < 0.0 or arr.max() > 1.0):
        raise ValueError(f"a must lie in [0, 1], got values in [{arr.min():.3g}, {arr.max():.3g}]")
    scale, t_min, tau_m = _latency_scale(t_min, tau_m)
    t_max = _check_t_max(t_max, t_min)
    t = np.full(arr.shape, np.inf)
    on = arr > 0.0
    t[on] = tau_m * np.log1p(scale / arr[on])
    t[t > t_max] = np.inf
    return _scalar_or_array(t, scalar)


def _check_t_max(t_max, t_min):
    if isinstance(t_max, bool) or not isinstance(t_max, (int, float, np.integer, np.floating)):
        raise TypeError(f"t_max must be a real number, got {type(t_max).__name__}")
    t_max = float(t_max)
    if np.isnan(t_max) or t_max <= t_min:
        raise ValueError(f"t_max must be greater than t_min={t_min}, got {t_max}")
    return t_max


def latency_decode(t, t_min=0.005, tau_m=0.02):
    """Inverse of :func:`latency_code`: first-spike time in seconds -> activation in [0, 1].

    Solving ``t = tau_m ln(1 + (e^{t_min/tau_m} - 1) / a)`` for ``a``,

    .. math:: a(t) = \\frac{e^{t_{min}/\\tau_m} - 1}{e^{t/\\tau_m} - 1},

    with ``a(inf) = 0`` (no spike). See chapter 2.

    Parameters
    ----------
    t : float or array_like
        First-spike times in seconds, each ``>= t_min`` or ``inf``; any shape.
    t_min, tau_m : float
        The parameters used for encoding.

    Returns
    -------
    float or ndarray
        Activations, same shape as ``t``.
    """
    arr, scalar = _values(t, "t", allow_inf=True)
    scale, t_min, tau_m = _latency_scale(t_min, tau_m)
    if np.any(arr == -np.inf) or (arr.size and arr.min() < t_min * (1.0 - 1e-12)):
        raise ValueError(f"t must be >= t_min={t_min} (or inf for no spike), got minimum "
                         f"{arr.min():.6g}")
    a = np.zeros(arr.shape)
    finite = np.isfinite(arr)
    a[finite] = np.minimum(scale / np.expm1(arr[finite] / tau_m), 1.0)
    return _scalar_or_array(a, scalar)


# --------------------------------------------------------------------------- STDP window

def stdp_window(s, A_plus=1.0, A_minus=1.0, tau_plus=0.02, tau_minus=0.02):
    """Exponential STDP window: weight change of one pre/post spike pair.

    With ``s = t_post - t_pre`` (seconds),

    .. math::
        W(s) = \\begin{cases} A_+ e^{-s/\\tau_+} & s > 0 \\text{ (pre before post: potentiation)}
        \\\\ -A_- e^{s/\\tau_-} & s < 0 \\text{ (post before pre: depression)} \\\\
        0 & s = 0 \\end{cases}

    The value 0 at exact coincidence is this package's convention; it is what the trace form
    :func:`trace_stdp` gives for spikes in the same time step. See chapter 3.

    Parameters
    ----------
    s : float or array_like
        Spike-time differences ``t_post - t_pre`` in seconds, any shape.
    A_plus, A_minus : float
        Amplitudes of potentiation and depression (>= 0).
    tau_plus, tau_minus : float
        Time constants in seconds (> 0).

    Returns
    -------
    float or ndarray
        ``W(s)``, same shape as ``s``.
    """
    arr, scalar = _values(s, "s")
    A_plus, A_minus, tau_plus, tau_minus = _window_params(A_plus, A_minus, tau_plus, tau_minus)
    w = np.zeros(arr.shape)
    pos = arr > 0
    neg = arr < 0
    w[pos] = A_plus * np.exp(-arr[pos] / tau_plus)
    w[neg] = -A_minus * np.exp(arr[neg] / tau_minus)
    return _scalar_or_array(w, scalar)


def stdp_window_integrals(A_plus=1.0, A_minus=1.0, tau_plus=0.02, tau_minus=0.02):
    """Area and first moment of the exponential STDP window, in closed form.

    .. math::
        \\int_{-\\infty}^{\\infty} W(s)\\,ds = A_+\\tau_+ - A_-\\tau_-, \\qquad
        \\int_{-\\infty}^{\\infty} s\\,W(s)\\,ds = A_+\\tau_+^2 + A_-\\tau_-^2 .

    The window is *balanced* when the area vanishes (``A_plus * tau_plus == A_minus * tau_minus``);
    the first moment is then the only thing rate changes see. See chapters 3 and 4.

    Parameters
    ----------
    A_plus, A_minus : float
        Amplitudes (>= 0).
    tau_plus, tau_minus : float
        Time constants in seconds (> 0).

    Returns
    -------
    area : float
        ``int W(s) ds`` (units of A times seconds).
    first_moment : float
        ``int s W(s) ds`` (units of A times seconds squared).
    """
    A_plus, A_minus, tau_plus, tau_minus = _window_params(A_plus, A_minus, tau_plus, tau_minus)
    return (A_plus * tau_plus - A_minus * tau_minus,
            A_plus * tau_plus ** 2 + A_minus * tau_minus ** 2)


def _spike_times(times, name):
    arr, scalar = _values(times, name)
    if scalar or arr.ndim != 1:
        raise ValueError(f"{name} must be a one-dimensional array of spike times, "
                         f"got shape {arr.shape}")
    return arr


def pair_stdp(pre_times, post_times, A_plus=1.0, A_minus=1.0, tau_plus=0.02, tau_minus=0.02):
    """Total weight change from all pre/post spike pairs (all-to-all pair-based STDP).

    .. math:: \\Delta w = \\sum_{i} \\sum_{j} W(t^{post}_j - t^{pre}_i)

    with ``W`` from :func:`stdp_window`. This is the reference that :func:`trace_stdp` computes
    online. See chapter 3.

    Parameters
    ----------
    pre_times, post_times : array_like, shape (n_pre,), (n_post,)
        Spike times in seconds (may be empty; repeated times count as several spikes).
    A_plus, A_minus, tau_plus, tau_minus : float
        Window parameters, as in :func:`stdp_window`.

    Returns
    -------
    float
        Summed weight change.
    """
    pre = _spike_times(pre_times, "pre_times")
    post = _spike_times(post_times, "post_times")
    params = _window_params(A_plus, A_minus, tau_plus, tau_minus)
    total = 0.0
    for start in range(0, post.size, 2048):  # bounded memory for long trains
        diffs = post[start:start + 2048, None] - pre[None, :]
        total += float(np.sum(stdp_window(diffs, *params)))
    return total


def _spike_counts(spikes, name, ndim):
    arr = check_array(spikes, name, ndim=ndim)
    if arr.min() < 0:
        raise ValueError(f"{name} must hold spike counts >= 0, got minimum {arr.min():.3g}")
    return arr


def trace_stdp(pre_spikes, post_spikes, dt, A_plus=1.0, A_minus=1.0, tau_plus=0.02,
               tau_minus=0.02):
    """Pair-based STDP computed online with one trace per neuron (numba kernel).

    Each neuron keeps a trace of its past spikes that decays between steps and jumps by 1 at each
    spike; with ``S(t)`` the spike counts on the grid,

    .. math::
        x_{pre}(t) = x_{pre}(t-dt)\\, e^{-dt/\\tau_+} + S_{pre}(t - dt), \\qquad
        \\Delta w \\mathrel{+}= A_+ x_{pre}(t) S_{post}(t) - A_- x_{post}(t) S_{pre}(t),

    and likewise for ``x_post`` with ``tau_minus``. Because ``x_pre(t)`` is exactly
    ``sum_{t_pre < t} exp(-(t - t_pre)/tau_plus)``, the result equals :func:`pair_stdp` on the grid
    spike times (same-step pairs contribute 0) up to floating-point rounding. See chapter 3.

    Parameters
    ----------
    pre_spikes, post_spikes : array_like, shape (n_steps,) or (n_trains, n_steps)
        Spike counts per time step (bool or non-negative numbers), same shape. Step ``k`` is the
        grid time ``k * dt``.
    dt : float
        Time step in seconds.
    A_plus, A_minus, tau_plus, tau_minus : float
        Window parameters, as in :func:`stdp_window`.

    Returns
    -------
    float or ndarray, shape (n_trains,)
        Summed weight change (per row for 2-D input).
    """
    pre = _spike_counts(pre_spikes, "pre_spikes", (1, 2))
    post = _spike_counts(post_spikes, "post_spikes", (1, 2))
    if pre.shape != post.shape:
        raise ValueError(f"post_spikes must have the shape of pre_spikes {pre.shape}, "
                         f"got {post.shape}")
    dt = check_positive(dt, "dt")
    A_plus, A_minus, tau_plus, tau_minus = _window_params(A_plus, A_minus, tau_plus, tau_minus)
    one = pre.ndim == 1
    out = trace_stdp_kernel(np.atleast_2d(pre), np.atleast_2d(post), np.exp(-dt / tau_plus),
                            np.exp(-dt / tau_minus), A_plus, A_minus)
    return float(out[0]) if one else out


def trace_stdp_history(pre_spikes, post_spikes, dt, A_plus=1.0, A_minus=1.0, tau_plus=0.02,
                       tau_minus=0.02):
    """Traces and running weight change of :func:`trace_stdp`, step by step (for plotting).

    See chapter 3.

    Parameters
    ----------
    pre_spikes, post_spikes : array_like, shape (n_steps,)
        Spike counts per time step.
    dt : float
        Time step in seconds.
    A_plus, A_minus, tau_plus, tau_minus : float
        Window parameters, as in :func:`stdp_window`.

    Returns
    -------
    x_pre, x_post : ndarray, shape (n_steps,)
        Pre and post traces at each step, after that step's spikes were added.
    w : ndarray, shape (n_steps,)
        Cumulative weight change up to and including each step (``w[-1]`` equals
        :func:`trace_stdp`).
    """
    pre = _spike_counts(pre_spikes, "pre_spikes", 1)
    post = _spike_counts(post_spikes, "post_spikes", 1)
    if pre.shape != post.shape:
        raise ValueError(f"post_spikes must have the shape of pre_spikes {pre.shape}, "
                         f"got {post.shape}")
    dt = check_positive(dt, "dt")
    A_plus, A_minus, tau_plus, tau_minus = _window_params(A_plus, A_minus, tau_plus, tau_minus)
    return trace_stdp_history_kernel(pre, post, np.exp(-dt / tau_plus), np.exp(-dt / tau_minus),
                                     A_plus, A_minus)


def bin_spike_times(times, T, dt):
    """Spike counts on the time grid: each spike goes to the nearest grid time ``k * dt``.

    See chapter 3.

    Parameters
    ----------
    times : array_like, shape (n_spikes,)
        Spike times in seconds, in ``[0, T - dt/2)``; may be empty.
    T, dt : float
        Duration and time step in seconds; ``n_steps = round(T / dt)``.

    Returns
    -------
    ndarray of int64, shape (n_steps,)
        Number of spikes at each grid time.
    """
    n = _n_steps(T, dt)
    arr = _spike_times(times, "times")
    idx = np.rint(arr / dt).astype(np.int64)
    if idx.size and (arr.min() < 0 or idx.max() >= n):
        raise ValueError(f"times must lie in [0, T - dt/2) = [0, {(n - 0.5) * dt:.6g}), got "
                         f"values in [{arr.min():.6g}, {arr.max():.6g}]")
    return np.bincount(idx, minlength=n).astype(np.int64)


def spike_times_from_train(spikes, dt):
    """Spike times of a spike-count train (a step with ``c`` spikes gives ``c`` equal times).

    See chapter 3.

    Parameters
    ----------
    spikes : array_like, shape (n_steps,)
        Spike counts per step (whole numbers >= 0).
    dt : float
        Time step in seconds.

    Returns
    -------
    ndarray, shape (n_spikes,)
        Sorted spike times ``k * dt`` in seconds.
    """
    counts = _spike_counts(spikes, "spikes", 1)
    if np.any(counts != np.round(counts)):
        raise ValueError("spikes must hold whole spike counts")
    dt = check_positive(dt, "dt")
    idx = np.nonzero(counts)[0]
    return np.repeat(idx * dt, counts[idx].astype(np.int64))


def pairing_protocol(delays, n_pairs=60, rate=1.0, dt=1e-4, A_plus=1.0, A_minus=1.0,
                     tau_plus=0.02, tau_minus=0.02, jitter=0.0, seed=0):
    """Simulate the Bi & Poo pairing protocol and return the weight change per pair at each delay.

    For each delay, ``n_pairs`` pre spikes are given at ``rate`` Hz and each is paired with one post
    spike ``delay`` seconds later (``delay < 0``: post first), plus Gaussian timing jitter of
    standard deviation ``jitter``. Spike times are put on the grid (the delay becomes
    ``round((delay + jitter_k) / dt) * dt``) and the weight change is accumulated with
    :func:`trace_stdp` over the whole protocol, then divided by ``n_pairs``. With ``jitter = 0``
    and pairs far apart compared with ``tau_plus`` and ``tau_minus`` this recovers
    ``stdp_window(delay)`` (at the grid delay); jitter blurs the window. See chapter 3.

    Parameters
    ----------
    delays : array_like, shape (n_delays,)
        Pairing delays ``t_post - t_pre`` in seconds, each with
        ``|delay| + 5 * jitter < 0.5 / rate``.
    n_pairs : int
        Pairings per delay (Bi & Poo used 60 at 1 Hz).
    rate : float
        Pairing frequency in Hz.
    dt : float
        Time step in seconds.
    A_plus, A_minus, tau_plus, tau_minus : float
        Window parameters, as in :func:`stdp_window`.
    jitter : float
        Standard deviation of the post spike time around ``t_pre + delay``, seconds.
    seed : int
        Seed of the jitter.

    Returns
    -------
    ndarray, shape (n_delays,)
        Mean weight change per pairing.
    """
    delays = check_array(delays, "delays", ndim=1)
    n_pairs = check_int(n_pairs, "n_pairs", minimum=1)
    rate = check_positive(rate, "rate")
    dt = check_positive(dt, "dt")
    jitter = check_positive(jitter, "jitter", allow_zero=True)
    params = _window_params(A_plus, A_minus, tau_plus, tau_minus)
    rng = np.random.default_rng(check_seed(seed))
    period = 1.0 / rate
    if np.max(np.abs(delays)) + 5 * jitter >= period / 2:
        raise ValueError(f"delays must satisfy |delay| + 5*jitter < 0.5/rate = {period / 2:.6g} s, "
                         f"got max |delay| = {np.max(np.abs(delays)):.6g} s")
    n_steps = int(round(n_pairs * period / dt))
    if n_steps < 2 * n_pairs:
        raise ValueError(f"dt must be much smaller than 1/rate={period:.6g} s, got {dt}")
    centres = np.rint((np.arange(n_pairs) + 0.5) * period / dt).astype(np.int64)
    out = np.empty(delays.size)
    for i, delay in enumerate(delays):
        offsets = delay + (jitter * rng.standard_normal(n_pairs) if jitter > 0 else 0.0)
        pre = np.zeros((1, n_steps))
        post = np.zeros((1, n_steps))
        np.add.at(pre[0], centres, 1.0)
        np.add.at(post[0], centres + np.rint(offsets / dt).astype(np.int64), 1.0)
        out[i] = trace_stdp_kernel(pre, post, np.exp(-dt / params[2]), np.exp(-dt / params[3]),
                                   params[0], params[1])[0] / n_pairs
    return out


# --------------------------------------------------------------------------- association

def poisson_spike_trains(rate, T, dt, rng, n_trains=1):
    """Poisson spike trains on a time grid (at most one spike per step).

    In each step of length ``dt`` a spike occurs independently with probability ``rate * dt``
    (a Bernoulli process, the grid version of a Poisson process of intensity ``rate``). See
    chapter 4.

    Parameters
    ----------
    rate : float or array_like, shape (n_steps,)
        Rate in Hz, constant or one value per step, ``n_steps = round(T / dt)``;
        ``rate * dt <= 1``.
    T, dt : float
        Duration and time step in seconds.
    rng : numpy.random.Generator or int
        Random generator, or a seed for a new one.
    n_trains : int
        Number of independent trains.

    Returns
    -------
    ndarray of bool, shape (n_trains, n_steps)
        ``True`` where a spike occurs; step ``k`` is the grid time ``k * dt``.
    """
    n = _n_steps(T, dt)
    dt = float(dt)
    n_trains = check_int(n_trains, "n_trains", minimum=1)
    r, scalar = _values(rate, "rate")
    if not scalar and (r.ndim != 1 or r.shape[0] != n):
        raise ValueError(f"rate must be a number or have shape ({n},), got shape {r.shape}")
    if r.size and r.min() < 0:
        raise ValueError(f"rate must be >= 0 Hz, got minimum {r.min():.6g}")
    if r.size and r.max() * dt > 1.0:
        raise ValueError(f"rate * dt must be <= 1 (one spike per step at most), got "
                         f"rate {r.max():.6g} Hz with dt {dt}")
    generator = _rng(rng)
    return generator.random((n_trains, n)) < (r * dt)


def _bernoulli_trains(p, n, n_trials, rng):
    """Bernoulli(p) spike trains of ``n`` steps, drawn through geometric inter-spike gaps.

    Same distribution as ``rng.random((n_trials, n)) < p`` (the gaps between successes of
    independent Bernoulli trials are independent geometric variables) but with about ``n * p``
    random numbers per train instead of ``n``.
    """
    out = np.zeros((n_trials, n), dtype=bool)
    if p <= 0.0:
        return out
    if p >= 1.0:
        out[:] = True
        return out
    mean = n * p
    k = int(np.ceil(mean + 8.0 * np.sqrt(mean) + 10.0))
    pos = np.cumsum(rng.geometric(p, size=(n_trials, k)), axis=1) - 1
    while np.any(pos[:, -1] < n):  # rarely: some train needs more spikes to cover n steps
        more = np.cumsum(rng.geometric(p, size=(n_trials, k)), axis=1) + pos[:, -1:]
        pos = np.concatenate([pos, more], axis=1)
    rows, cols = np.nonzero(pos < n)
    out[rows, pos[rows, cols]] = True
    return out


def association_predicted_slope(nu=100.0, tau=0.02, A=1.0, T=0.4):
    """Expected weight change per unit ``x * (a_star - a)`` in the association experiment.

    Pre spikes are Poisson at ``nu * x`` on ``[0, T]``; post spikes at ``nu * a`` before ``T/2`` and
    ``nu * a_star`` after; the window is symmetric and balanced (``A_plus = A_minus = A``,
    ``tau_plus = tau_minus = tau``). Summing ``W`` over all pairs and taking expectations,

    .. math:: E[\\Delta w] = \\nu^2 A \\tau^2 \\left(1 - e^{-T/(2\\tau)}\\right)^2
              \\, x\\,(a^* - a),

    i.e. half of the far-from-edges value ``nu^2 x (a* - a) * int s W(s) ds = 2 nu^2 A tau^2``
    because both trains start and stop together. The factor in brackets is 1 up to
    ``exp(-T / (2 tau))``; the grid (pairs within one step do not count) changes the value by a
    relative ``O((dt/tau)^2)``. See chapter 4.

    Parameters
    ----------
    nu : float
        Maximal rate in Hz (rate of a unit with activity 1).
    tau : float
        Window time constant in seconds.
    A : float
        Window amplitude.
    T : float
        Trial duration in seconds.

    Returns
    -------
    float
        Predicted slope (units of A).
    """
    nu = check_positive(nu, "nu")
    tau = check_positive(tau, "tau")
    A = check_positive(A, "A")
    T = check_positive(T, "T")
    return nu ** 2 * A * tau ** 2 * (-np.expm1(-T / (2 * tau))) ** 2


def _association_params(nu, tau, A, T, dt, n_trials):
    nu = check_positive(nu, "nu")
    tau = check_positive(tau, "tau")
    A = check_positive(A, "A")
    n = _n_steps(T, dt)
    dt = float(dt)
    n_trials = check_int(n_trials, "n_trials", minimum=2)
    if nu * dt > 1.0:
        raise ValueError(f"nu * dt must be <= 1 (one spike per step at most), got nu={nu} Hz, "
                         f"dt={dt}")
    return nu, tau, A, n, dt, n_trials


def _association_dws(x, a, a_star, nu, tau, A, n, dt, n_trials, rng):
    """Weight change of each trial (validated arguments; ``rng`` a Generator)."""
    half = n // 2
    p_pre = nu * x * dt
    pre = _bernoulli_trains(p_pre, n, n_trials, rng)
    post = np.concatenate([_bernoulli_trains(nu * a * dt, half, n_trials, rng),
                           _bernoulli_trains(nu * a_star * dt, n - half, n_trials, rng)], axis=1)
    d = np.exp(-dt / tau)
    return trace_stdp_kernel(pre, post, d, d, A, A)


def association_trial_dw(x, a, a_star, nu=100.0, tau=0.02, A=1.0, T=0.4, dt=1e-4, n_trials=500,
                         seed=0):
    """Mean STDP weight change when the post neuron's activity switches from ``a`` to ``a_star``.

    In each trial the pre neuron fires Poisson spikes at ``nu * x`` on ``[0, T)``; the post neuron
    fires at ``nu * a`` before ``T/2`` (free activity) and at ``nu * a_star`` from ``T/2`` on (after
    the associative input arrives). The weight change of the trial is the all-to-all pair sum with
    the symmetric balanced window (``A_plus = A_minus = A``, ``tau_plus = tau_minus = tau``),
    computed by :func:`trace_stdp`. Theory: the mean is
    ``association_predicted_slope(nu, tau, A, T) * x * (a_star - a)``. See chapter 4.

    Parameters
    ----------
    x : float
        Pre activity in [0, 1].
    a, a_star : float
        Post activity before and after the switch, in [0, 1].
    nu : float
        Rate in Hz of a unit with activity 1 (``nu * dt <= 1``).
    tau, A : float
        Window time constant (s) and amplitude.
    T, dt : float
        Trial duration and time step in seconds (the switch is at step ``round(T/dt) // 2``).
    n_trials : int
        Number of independent trials (>= 2).
    seed : int
        Seed of the spike trains.

    Returns
    -------
    mean : float
        Mean weight change over trials.
    sem : float
        Its standard error (sample standard deviation / sqrt(n_trials)).
    """
    x = _unit_scalar(x, "x")
    a = _unit_scalar(a, "a")
    a_star = _unit_scalar(a_star, "a_star")
    nu, tau, A, n, dt, n_trials = _association_params(nu, tau, A, T, dt, n_trials)
    rng = np.random.default_rng(check_seed(seed))
    dws = _association_dws(x, a, a_star, nu, tau, A, n, dt, n_trials, rng)
    return float(dws.mean()), float(dws.std(ddof=1) / np.sqrt(n_trials))


@dataclass(frozen=True)
class AssociationResult:
    """Outcome of :func:`association_experiment` (arrays have shape (n_points,)).

    Attributes
    ----------
    x, a, a_star : ndarray
        Drawn pre activity, free and associated post activity.
    predictor : ndarray
        ``x * (a_star - a)``.
    mean_dw, sem : ndarray
        Measured mean weight change per point and its standard error.
    slope, slope_se, intercept, intercept_se : float
        Ordinary least-squares line ``mean_dw ~ slope * predictor + intercept``; the standard
        errors are propagated from the per-point errors ``sem`` (the noise differs from point to
        point, so the textbook residual-based formula would understate them).
    r : float
        Pearson correlation between ``predictor`` and ``mean_dw``.
    chi2_dof : float
        ``sum(((mean_dw - line) / sem)^2) / (n_points - 2)``: about 1 when the points scatter
        around the line only as much as their error bars say.
    predicted_slope : float
        :func:`association_predicted_slope` for the experiment's parameters.
    """

    x: np.ndarray
    a: np.ndarray
    a_star: np.ndarray
    predictor: np.ndarray
    mean_dw: np.ndarray
    sem: np.ndarray
    slope: float
    slope_se: float
    intercept: float
    intercept_se: float
    r: float
    chi2_dof: float
    predicted_slope: float

    @property
    def slope_z(self):
        """``(slope - predicted_slope) / slope_se``: the slope's distance from theory in SEs."""
        return (self.slope - self.predicted_slope) / self.slope_se


def association_experiment(n_points=60, n_trials=500, seed=0, nu=100.0, tau=0.02, A=1.0, T=0.4,
                           dt=1e-4):
    """Check by spiking simulation that STDP gives ``dw`` proportional to ``x * (a_star - a)``.

    Draws ``n_points`` triples ``(x, a, a_star)`` uniformly from [0, 1]^3, measures the mean weight
    change of each over ``n_trials`` trials as in :func:`association_trial_dw`, and fits a straight
    line of the measured means against ``x * (a_star - a)`` by ordinary least squares. Theory
    (chapter 4): slope ``association_predicted_slope(nu, tau, A, T)`` (about ``nu^2 A tau^2``),
    intercept 0.

    Parameters
    ----------
    n_points : int
        Number of random ``(x, a, a_star)`` triples (>= 3).
    n_trials : int
        Trials per triple (>= 2).
    seed : int
        Seed of the triples and of all spike trains.
    nu, tau, A, T, dt : float
        As in :func:`association_trial_dw`.

    Returns
    -------
    AssociationResult
        Triples, measurements, fitted line, correlation and predicted slope.
    """
    n_points = check_int(n_points, "n_points", minimum=3)
    nu, tau, A, n, dt, n_trials = _association_params(nu, tau, A, T, dt, n_trials)
    T = check_positive(T, "T")
    rng = np.random.default_rng(check_seed(seed))
    x, a, a_star = rng.random((3, n_points))
    mean_dw = np.empty(n_points)
    sem = np.empty(n_points)
    for i in range(n_points):
        dws = _association_dws(x[i], a[i], a_star[i], nu, tau, A, n, dt, n_trials, rng)
        mean_dw[i] = dws.mean()
        sem[i] = dws.std(ddof=1) / np.sqrt(n_trials)
    predictor = x * (a_star - a)
    # Ordinary least squares; both coefficients are linear in mean_dw, sum_i c_i * mean_dw[i],
    # so their standard errors follow from the measured errors: sqrt(sum_i c_i^2 sem_i^2).
    xc = predictor - predictor.mean()
    c_slope = xc / float(xc @ xc)
    c_intercept = 1.0 / n_points - predictor.mean() * c_slope
    slope = float(c_slope @ mean_dw)
    intercept = float(c_intercept @ mean_dw)
    resid = mean_dw - (slope * predictor + intercept)
    return AssociationResult(
        x=x, a=a, a_star=a_star, predictor=predictor, mean_dw=mean_dw, sem=sem,
        slope=slope, slope_se=float(np.sqrt(np.sum(c_slope ** 2 * sem ** 2))),
        intercept=intercept, intercept_se=float(np.sqrt(np.sum(c_intercept ** 2 * sem ** 2))),
        r=float(np.corrcoef(predictor, mean_dw)[0, 1]),
        chi2_dof=float(np.sum((resid / sem) ** 2) / (n_points - 2)),
        predicted_slope=association_predicted_slope(nu, tau, A, T))


def association_rate_update(x, a, a_star, eta):
    """The local rule in rate form: ``dw = eta * x * (a_star - a)`` for every synapse.

    A synapse from a pre unit with activity ``x_i`` onto a post unit whose activity the associative
    input moves from ``a_j`` to ``a_star_j`` changes by

    .. math:: \\Delta w_{ji} = \\eta\\, x_i\\, (a^*_j - a_j),

    the rate-level reading of STDP with a balanced window (chapter 4). Stacked over post units this
    is ``eta * outer(a_star - a, x)``, the weight update ``dW_l`` of :class:`localrule.LocalRule`
    for one layer (with ``x`` the layer's input ``a_{l-1}``); the bias update ``db = eta *
    (a_star - a)`` is the same formula with ``x = 1``. See chapter 4.

    Parameters
    ----------
    x : array_like, shape (n_in,)
        Pre-synaptic activities.
    a, a_star : float or array_like, shape (n_out,)
        Free and associated post-synaptic activities, in [0, 1], same shape.
    eta : float
        Learning rate (> 0).

    Returns
    -------
    ndarray, shape (n_in,) or (n_out, n_in)
        Weight change (1-D when ``a`` is a number, one row per post unit otherwise).
    """
    x = check_array(x, "x", ndim=1)
    a_arr = check_array(a, "a", ndim=(0, 1), unit_interval=True)
    a_star_arr = check_array(a_star, "a_star", ndim=(0, 1), unit_interval=True)
    if np.ndim(a) != np.ndim(a_star) or a_arr.shape != a_star_arr.shape:
        raise ValueError(f"a_star must have the shape of a {np.shape(a)}, got {np.shape(a_star)}")
    eta = check_positive(eta, "eta")
    if np.ndim(a) == 0:
        return eta * float(a_star_arr[0] - a_arr[0]) * x
    return eta * np.outer(a_star_arr - a_arr, x)


@dataclass(frozen=True)
class NeuronHistory:
    """Record of :func:`train_association_neuron` (one row per online step).

    Attributes
    ----------
    w : ndarray, shape (n_steps + 1, n_in)
        Weights before each step and after the last one.
    b : ndarray, shape (n_steps + 1,)
        Bias, likewise.
    a : ndarray, shape (n_steps,)
        Free activity ``sigmoid(w . x + b)`` at each step (before the update).
    a_star : ndarray, shape (n_steps,)
        Associated activity presented at each step.
    dw : ndarray, shape (n_steps, n_in)
        Weight change of each step.
    order : ndarray of int64, shape (n_steps,)
        Index of the sample presented at each step.
    """

    w: np.ndarray
    b: np.ndarray
    a: np.ndarray
    a_star: np.ndarray
    dw: np.ndarray
    order: np.ndarray


def train_association_neuron(X, a_star, eta=0.5, epochs=20, seed=0):
    """Train one sigmoid neuron online with the association rule and record every step.

    At each step a sample ``x`` is presented, the free activity is ``a = sigmoid(w . x + b)``, the
    associative input sets the target activity ``a_star``, and the synapses change by
    :func:`association_rate_update`: ``dw = eta * x * (a_star - a)``, ``db = eta * (a_star - a)``.
    Initial weights are ``N(0, 1/n_in)``, bias 0; samples are shuffled each epoch. See chapter 4.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_in)
        Pre-synaptic activities, one row per sample.
    a_star : array_like, shape (n_samples,)
        Associated activity of each sample, in [0, 1].
    eta : float
        Learning rate (> 0).
    epochs : int
        Passes through the samples.
    seed : int
        Seed of the initial weights and of the presentation order.

    Returns
    -------
    NeuronHistory
        Weights, bias, activities and updates at every step (``n_steps = epochs * n_samples``).
    """
    X = check_array(X, "X", ndim=2)
    targets = check_array(a_star, "a_star", ndim=1, unit_interval=True)
    if targets.shape[0] != X.shape[0]:
        raise ValueError(f"a_star has {targets.shape[0]} entries but X has {X.shape[0]} rows")
    eta = check_positive(eta, "eta")
    epochs = check_int(epochs, "epochs", minimum=1)
    rng = np.random.default_rng(check_seed(seed))
    n_samples, n_in = X.shape
    n_steps = epochs * n_samples
    w = np.empty((n_steps + 1, n_in))
    b = np.empty(n_steps + 1)
    w[0] = rng.standard_normal(n_in) / np.sqrt(n_in)
    b[0] = 0.0
    acts = np.empty(n_steps)
    dws = np.empty((n_steps, n_in))
    order = np.concatenate([rng.permutation(n_samples) for _ in range(epochs)])
    for k, i in enumerate(order):
        act = float(sigmoid(w[k] @ X[i] + b[k]))
        acts[k] = act
        dws[k] = association_rate_update(X[i], act, targets[i], eta)
        w[k + 1] = w[k] + dws[k]
        b[k + 1] = b[k] + eta * (targets[i] - act)
    return NeuronHistory(w=w, b=b, a=acts, a_star=targets[order], dw=dws, order=order)
