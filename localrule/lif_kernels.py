"""Numba kernel behind :mod:`localrule.lif`: the leaky integrate-and-fire neuron on a time grid.

It takes already validated arrays and plain floats; the public, checked entry point is
:func:`localrule.lif.lif_simulate`. The kernel is also valid plain Python (``lif_kernel.py_func``
under numba, or the function itself without numba), which is what the tests compare against.
"""

import numpy as np

from localrule._numba import njit


@njit(cache=True)
def lif_kernel(I, dt, tau_m, R, theta, v_reset, ref_steps, decay):
    """Integrate a leaky integrate-and-fire neuron on a time grid.

    The membrane equation ``tau_m dv/dt = -v + R I(t)`` is stepped with the current held constant
    over each step, ``v_{k+1} = R I_k + (v_k - R I_k) * decay``. With
    ``decay = exp(-dt / tau_m)`` this is the exact solution over the step; with
    ``decay = 1 - dt / tau_m`` it is forward Euler. A spike is recorded at grid index ``k + 1``
    when ``v_{k+1} >= theta``; the voltage is then set to ``v_reset`` and held there for
    ``ref_steps`` further steps.

    Parameters
    ----------
    I : ndarray, shape (n_steps,)
        Input current during each step.
    dt, tau_m, R, theta, v_reset : float
    ref_steps : int
        Length of the refractory period in steps.
    decay : float
        One-step decay factor of the voltage (see above).

    Returns
    -------
    v : ndarray, shape (n_steps + 1,)
        Voltage at grid times ``0, dt, ..., n_steps * dt`` (``v[0] = 0``, the resting value).
    spike_steps : ndarray of int64, shape (n_spikes,)
        Grid indices of the spikes.
    """
    n = I.shape[0]
    v = np.empty(n + 1)
    v[0] = 0.0
    spike_steps = np.empty(n, dtype=np.int64)
    n_spikes = 0
    refractory = 0
    for k in range(n):
        if refractory > 0:
            v[k + 1] = v_reset
            refractory -= 1
            continue
        drive = R * I[k]
        v_new = drive + (v[k] - drive) * decay
        if v_new >= theta:
            spike_steps[n_spikes] = k + 1
            n_spikes += 1
            v[k + 1] = v_reset
            refractory = ref_steps
        else:
            v[k + 1] = v_new
    return v, spike_steps[:n_spikes]
