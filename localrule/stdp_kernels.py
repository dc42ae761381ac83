"""Numba kernels behind :mod:`localrule.stdp` and :mod:`localrule.association`: trace-based STDP.

These functions take already validated arrays and plain floats; the public, checked entry points
are :func:`localrule.stdp.trace_stdp`, :func:`localrule.stdp.trace_stdp_history`,
:func:`localrule.stdp.pairing_protocol` and :func:`localrule.association.association_trial_dw`.
Each kernel is also valid plain Python (``kernel.py_func`` under numba, or the function itself
without numba), which is what the tests compare against.
"""

import numpy as np

from localrule._numba import njit, prange


@njit(cache=True)
def trace_step(x_pre, x_post, c_pre, c_post, d_plus, d_minus, A_plus, A_minus):
    """One grid step of trace STDP with ``c_pre``/``c_post`` spikes in the step.

    Decays both traces, pairs this step's post spikes with the pre trace (potentiation) and its
    pre spikes with the post trace (depression), then adds the step's spikes to the traces.

    Returns
    -------
    x_pre, x_post, dw : float
        New traces and this step's weight change.
    """
    x_pre *= d_plus
    x_post *= d_minus
    dw = 0.0
    if c_post != 0.0:
        dw += A_plus * x_pre * c_post
    if c_pre != 0.0:
        dw -= A_minus * x_post * c_pre
    return x_pre + c_pre, x_post + c_post, dw


@njit(cache=True, parallel=True)
def trace_stdp_kernel(pre, post, d_plus, d_minus, A_plus, A_minus):
    """Total pair-based (all-to-all) STDP weight change of many spike-train pairs.

    For every row ``r`` and grid step ``k``: decay both traces by one step, apply
    ``dw += A_plus * x_pre * post[r, k]`` and ``dw -= A_minus * x_post * pre[r, k]``, then add
    this step's spikes to the traces (so spikes in the same step do not pair: W(0) = 0).

    Parameters
    ----------
    pre, post : ndarray, shape (n_trains, n_steps)
        Spike counts per grid step (bool or numbers).
    d_plus, d_minus : float
        One-step decay factors ``exp(-dt/tau_plus)``, ``exp(-dt/tau_minus)``.
    A_plus, A_minus : float
        Window amplitudes.

    Returns
    -------
    ndarray, shape (n_trains,)
        Summed weight change of each row.
    """
    n_trains, n_steps = pre.shape
    out = np.zeros(n_trains)
    for r in prange(n_trains):
        x_pre = 0.0
        x_post = 0.0
        dw = 0.0
        for k in range(n_steps):
            x_pre, x_post, step = trace_step(x_pre, x_post, 1.0 * pre[r, k], 1.0 * post[r, k],
                                             d_plus, d_minus, A_plus, A_minus)
            dw += step
        out[r] = dw
    return out


@njit(cache=True)
def trace_stdp_history_kernel(pre, post, d_plus, d_minus, A_plus, A_minus):
    """Like :func:`trace_stdp_kernel` for one pair of trains, recording every step.

    Returns
    -------
    x_pre, x_post, w : ndarray, shape (n_steps,)
        Traces after the step's spikes were added, and the running sum of weight changes.
    """
    n_steps = pre.shape[0]
    xs_pre = np.empty(n_steps)
    xs_post = np.empty(n_steps)
    w = np.empty(n_steps)
    x_pre = 0.0
    x_post = 0.0
    dw = 0.0
    for k in range(n_steps):
        x_pre, x_post, step = trace_step(x_pre, x_post, 1.0 * pre[k], 1.0 * post[k], d_plus,
                                         d_minus, A_plus, A_minus)
        dw += step
        xs_pre[k] = x_pre
        xs_post[k] = x_post
        w[k] = dw
    return xs_pre, xs_post, w

