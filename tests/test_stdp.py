"""STDP window, pair- and trace-based STDP, pairing protocol (localrule.stdp, chapter 3)."""

import numpy as np
import pytest
from scipy import integrate

from localrule import stdp
from localrule.stdp_kernels import trace_stdp_kernel

DT = 1e-4


def py_func(kernel):
    """The plain-Python body of a numba kernel (the kernel itself when numba is absent)."""
    return getattr(kernel, "py_func", kernel)


# --------------------------------------------------------------------------- STDP window

WINDOWS = [(1.0, 1.0, 0.02, 0.02), (1.0, 0.5, 0.017, 0.034), (0.8, 1.1, 0.01, 0.03)]


@pytest.mark.parametrize("params", WINDOWS)
def test_window_integrals_match_quadrature(params):
    area, moment = stdp.stdp_window_integrals(*params)
    pos = integrate.quad(lambda s: stdp.stdp_window(s, *params), 0, np.inf)[0]
    neg = integrate.quad(lambda s: stdp.stdp_window(s, *params), -np.inf, 0)[0]
    pos1 = integrate.quad(lambda s: s * stdp.stdp_window(s, *params), 0, np.inf)[0]
    neg1 = integrate.quad(lambda s: s * stdp.stdp_window(s, *params), -np.inf, 0)[0]
    assert area == pytest.approx(pos + neg, rel=1e-8, abs=1e-12)
    assert moment == pytest.approx(pos1 + neg1, rel=1e-8)


def test_balanced_window_has_zero_area_and_sign_convention():
    area, moment = stdp.stdp_window_integrals(1.0, 0.5, 0.017, 0.034)
    assert area == pytest.approx(0.0, abs=1e-15) and moment > 0
    w = stdp.stdp_window(np.array([-0.01, 0.0, 0.01]))
    assert w[0] < 0 and w[1] == 0 and w[2] > 0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_trace_stdp_equals_all_to_all_pairs_on_the_grid(seed):
    rng = np.random.default_rng(seed)
    T = 0.5
    pre = stdp.bin_spike_times(rng.uniform(0, T - DT, size=40), T, DT)
    post = stdp.bin_spike_times(rng.uniform(0, T - DT, size=55), T, DT)
    pre[100] += 1  # a coincident pair and a double spike: W(0) = 0, counts add
    post[100] += 2
    for params in WINDOWS:
        online = stdp.trace_stdp(pre, post, DT, *params)
        reference = stdp.pair_stdp(stdp.spike_times_from_train(pre, DT),
                                   stdp.spike_times_from_train(post, DT), *params)
        assert online == pytest.approx(reference, rel=1e-10, abs=1e-12)


def test_trace_stdp_batches_rows_and_kernel_equals_python_body():
    rng = np.random.default_rng(5)
    pre = rng.random((6, 3000)) < 0.01
    post = rng.random((6, 3000)) < 0.02
    batch = stdp.trace_stdp(pre, post, DT)
    rows = [stdp.trace_stdp(pre[i], post[i], DT) for i in range(6)]
    np.testing.assert_allclose(batch, rows, rtol=1e-13)
    d = np.exp(-DT / 0.02)
    np.testing.assert_allclose(trace_stdp_kernel(pre, post, d, d, 1.0, 1.0),
                               py_func(trace_stdp_kernel)(pre, post, d, d, 1.0, 1.0), rtol=1e-13)
    x_pre, x_post, w = stdp.trace_stdp_history(pre[0], post[0], DT)
    assert w[-1] == pytest.approx(batch[0], rel=1e-13)
    assert x_pre.shape == (3000,) and np.all(x_pre >= 0) and np.all(x_post >= 0)


def test_pairing_protocol_recovers_the_window():
    delays = np.linspace(-0.08, 0.08, 33)
    for params in WINDOWS:
        measured = stdp.pairing_protocol(delays, A_plus=params[0], A_minus=params[1],
                                         tau_plus=params[2], tau_minus=params[3])
        grid_delays = np.rint(delays / DT) * DT
        # exact up to pairs from neighbouring repetitions, exp(-1 s / tau) <= 1e-12
        np.testing.assert_allclose(measured, stdp.stdp_window(grid_delays, *params),
                                   rtol=1e-9, atol=1e-12)
    # jitter blurs the window: the peak drops, the sign structure survives
    blurred = stdp.pairing_protocol([-0.005, 0.005], jitter=0.005, seed=1)
    assert blurred[0] < 0 < blurred[1] < stdp.stdp_window(0.005)


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("call, exc, name", [
    (lambda: stdp.stdp_window([0.01, np.nan]), ValueError, "s"),
    (lambda: stdp.stdp_window(0.01, A_plus=-1), ValueError, "A_plus"),
    (lambda: stdp.stdp_window_integrals(tau_minus="20ms"), TypeError, "tau_minus"),
    (lambda: stdp.pair_stdp([[0.1]], [0.2]), ValueError, "pre_times"),
    (lambda: stdp.trace_stdp(np.zeros(10), np.zeros(11), DT), ValueError, "post_spikes"),
    (lambda: stdp.trace_stdp(-np.ones(10), np.zeros(10), DT), ValueError, "pre_spikes"),
    (lambda: stdp.bin_spike_times([0.5], 0.1, DT), ValueError, "times"),
    (lambda: stdp.pairing_protocol([0.7]), ValueError, "delays"),
    (lambda: stdp.pairing_protocol([0.01], n_pairs=0), ValueError, "n_pairs"),
])
def test_bad_input_raises_an_error_naming_the_argument(call, exc, name):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(name + " "), str(info.value)
