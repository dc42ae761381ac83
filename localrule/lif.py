"""The leaky integrate-and-fire neuron and the latency code (chapter 2).

* the leaky integrate-and-fire (LIF) neuron: simulation, closed-form first-spike time, steady
  firing rate and the spike raster of a population under constant currents;
* the latency code that reads an activation ``a`` in [0, 1] as a first-spike time, its inverse
  and the input current that produces it.

Units: time in seconds, rates in Hz. Voltages and currents are in arbitrary units with ``R * I``
a voltage; with the defaults (``theta = 1``, ``R = 1``) the current is measured in units of the
threshold (rheobase).
"""

import numpy as np

from localrule.lif_kernels import lif_kernel
from localrule.validation import (check_array, check_choice, check_n_steps, check_positive,
                                  check_values)

__all__ = [
    "lif_simulate",
    "lif_first_spike_time",
    "lif_rate",
    "spike_raster",
    "latency_current",
    "latency_code",
    "latency_decode",
]


def _scalar_or_array(arr, scalar):
    return float(arr) if scalar else arr


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
    n = check_n_steps(T, dt)
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
    current, scalar = check_values(I, "I")
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
    current, scalar = check_values(I, "I")
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
    arr, scalar = check_values(a, "a")
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
    arr, scalar = check_values(a, "a")
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
    arr, scalar = check_values(t, "t", allow_inf=True)
    scale, t_min, tau_m = _latency_scale(t_min, tau_m)
    if np.any(arr == -np.inf) or (arr.size and arr.min() < t_min * (1.0 - 1e-12)):
        raise ValueError(f"t must be >= t_min={t_min} (or inf for no spike), got minimum "
                         f"{arr.min():.6g}")
    a = np.zeros(arr.shape)
    finite = np.isfinite(arr)
    a[finite] = np.minimum(scale / np.expm1(arr[finite] / tau_m), 1.0)
    return _scalar_or_array(a, scalar)
