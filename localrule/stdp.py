"""Spike-timing-dependent plasticity: the window, pair- and trace-based STDP (chapter 3).

* the exponential STDP window and its area and first moment in closed form;
* the all-to-all pair sum and the same sum computed online with one trace per neuron (numba
  kernels in :mod:`localrule.stdp_kernels`);
* helpers between spike times and spike-count trains on a time grid;
* the Bi & Poo pairing protocol, which measures the window one delay at a time.

Chapter 4 (:mod:`localrule.association`) uses these to show that STDP with a balanced window
changes a weight in proportion to ``x * (a_star - a)``. Units: time in seconds.
"""

import numpy as np

from localrule.stdp_kernels import trace_stdp_history_kernel, trace_stdp_kernel
from localrule.validation import (check_array, check_int, check_n_steps, check_positive,
                                  check_seed, check_values)

__all__ = [
    "stdp_window",
    "stdp_window_integrals",
    "pair_stdp",
    "trace_stdp",
    "trace_stdp_history",
    "bin_spike_times",
    "spike_times_from_train",
    "pairing_protocol",
]


def _window_params(A_plus, A_minus, tau_plus, tau_minus):
    return (check_positive(A_plus, "A_plus", allow_zero=True),
            check_positive(A_minus, "A_minus", allow_zero=True),
            check_positive(tau_plus, "tau_plus"),
            check_positive(tau_minus, "tau_minus"))


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
    arr, scalar = check_values(s, "s")
    A_plus, A_minus, tau_plus, tau_minus = _window_params(A_plus, A_minus, tau_plus, tau_minus)
    w = np.zeros(arr.shape)
    pos = arr > 0
    neg = arr < 0
    w[pos] = A_plus * np.exp(-arr[pos] / tau_plus)
    w[neg] = -A_minus * np.exp(arr[neg] / tau_minus)
    return float(w) if scalar else w


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
    arr, scalar = check_values(times, name)
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


def _spike_count_pair(pre_spikes, post_spikes, ndim):
    """Checked pre and post spike-count trains of the same shape."""
    pre = _spike_counts(pre_spikes, "pre_spikes", ndim)
    post = _spike_counts(post_spikes, "post_spikes", ndim)
    if pre.shape != post.shape:
        raise ValueError(f"post_spikes must have the shape of pre_spikes {pre.shape}, "
                         f"got {post.shape}")
    return pre, post


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
    pre, post = _spike_count_pair(pre_spikes, post_spikes, (1, 2))
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
    pre, post = _spike_count_pair(pre_spikes, post_spikes, 1)
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
    n = check_n_steps(T, dt)
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
