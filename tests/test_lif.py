"""The LIF neuron and the latency code (localrule.lif, chapter 2)."""

import numpy as np
import pytest

from localrule import lif
from localrule.lif_kernels import lif_kernel

DT = 1e-4


def py_func(kernel):
    """The plain-Python body of a numba kernel (the kernel itself when numba is absent)."""
    return getattr(kernel, "py_func", kernel)


# --------------------------------------------------------------------------- LIF and latency code

@pytest.mark.parametrize("current", [1.02, 1.1, 1.5, 2.0, 5.0, 20.0])
def test_simulated_first_spike_matches_closed_form(current):
    t1 = lif.lif_first_spike_time(current)
    _, _, spikes = lif.lif_simulate(current, T=0.2, dt=DT)
    # exact integration + spike stamped at the first grid time with v >= theta: never early,
    # at most one step late
    assert t1 - 1e-12 <= spikes[0] <= t1 + DT + 1e-12


def test_euler_first_spike_converges_to_closed_form():
    t1 = lif.lif_first_spike_time(1.5)
    for dt in (1e-4, 1e-5, 1e-6):
        error = lif.lif_simulate(1.5, T=0.05, dt=dt, method="euler")[2][0] - t1
        # grid stamping (<= dt late) plus Euler's O(dt) error (about t1 * dt / (2 tau_m) early)
        assert abs(error) <= dt + t1 * dt / 0.02


def test_voltage_trace_follows_the_exact_solution_below_threshold():
    t, v, spikes = lif.lif_simulate(0.8, T=0.1, dt=DT)
    assert spikes.size == 0
    np.testing.assert_allclose(v, 0.8 * (1 - np.exp(-t / 0.02)), atol=1e-12)


def test_subthreshold_current_never_fires_and_first_spike_time_is_vectorised():
    t1 = lif.lif_first_spike_time(np.array([[0.5, 1.0], [2.0, -1.0]]))
    assert t1.shape == (2, 2)
    assert np.isinf(t1[0, 0]) and np.isinf(t1[0, 1]) and np.isinf(t1[1, 1])
    assert t1[1, 0] == pytest.approx(0.02 * np.log(2.0))
    assert isinstance(lif.lif_first_spike_time(2.0), float)


def test_firing_rate_matches_simulation_and_refractory_period_is_respected():
    for current in (1.5, 3.0):
        _, _, spikes = lif.lif_simulate(current, T=2.0, dt=DT, t_ref=0.002)
        isi = np.diff(spikes)
        assert isi.min() > 0.002
        expected = 1.0 / lif.lif_rate(current, t_ref=0.002)
        # each interval is rounded up to the grid: between the exact value and one step more
        assert expected - 1e-9 <= isi.mean() <= expected + DT + 1e-9


def test_time_varying_current():
    current = np.zeros(1000)
    current[500:] = 2.0
    _, _, spikes = lif.lif_simulate(current, T=0.1, dt=DT)
    assert spikes[0] == pytest.approx(0.05 + lif.lif_first_spike_time(2.0), abs=DT + 1e-12)


def test_lif_kernel_equals_its_python_body():
    rng = np.random.default_rng(3)
    current = rng.uniform(0, 3, size=2000)
    args = (current, DT, 0.02, 1.0, 1.0, -0.1, 20, np.exp(-DT / 0.02))
    v1, s1 = lif_kernel(*args)
    v2, s2 = py_func(lif_kernel)(*args)
    np.testing.assert_array_equal(s1, s2)
    np.testing.assert_allclose(v1, v2, rtol=0, atol=1e-14)


def test_latency_code_is_monotone_and_round_trips():
    a = np.linspace(0, 1, 201)
    t = lif.latency_code(a)
    assert np.isinf(t[0]) and t[-1] == pytest.approx(0.005)
    assert np.all(np.diff(t[1:]) < 0)  # stronger -> earlier
    np.testing.assert_allclose(lif.latency_decode(t), a, rtol=1e-12, atol=1e-15)


def test_latency_code_is_the_lif_first_spike_time_of_the_latency_current():
    a = np.linspace(0.01, 1, 50)
    for R, theta in ((1.0, 1.0), (2.0, 0.5)):
        current = lif.latency_current(a, R=R, theta=theta)
        np.testing.assert_allclose(lif.lif_first_spike_time(current, R=R, theta=theta),
                                   lif.latency_code(a), rtol=1e-12)
    # simulated neurons agree with the code to within one time step
    for value in (0.05, 0.3, 1.0):
        _, _, spikes = lif.lif_simulate(lif.latency_current(value), T=0.2, dt=DT)
        assert 0 <= spikes[0] - lif.latency_code(value) <= DT + 1e-12


def test_latency_code_observation_window():
    t = lif.latency_code([0.01, 0.5], t_max=0.03)
    assert np.isinf(t[0]) and np.isfinite(t[1])
    assert lif.latency_decode(np.inf) == 0.0


def test_spike_raster_gives_one_train_per_current_and_stronger_fires_earlier():
    currents = np.array([0.9, 1.2, 2.0, 4.0])
    trains = lif.spike_raster(currents, T=0.1)
    assert len(trains) == 4 and trains[0].size == 0
    firsts = [train[0] for train in trains[1:]]
    assert firsts == sorted(firsts, reverse=True)
    counts = [train.size for train in trains]
    assert counts == sorted(counts)


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("call, exc, name", [
    (lambda: lif.lif_simulate("big"), TypeError, "I"),
    (lambda: lif.lif_simulate(np.ones(7), T=0.1, dt=DT), ValueError, "I"),
    (lambda: lif.lif_simulate(1.5, dt=-1e-4), ValueError, "dt"),
    (lambda: lif.lif_simulate(1.5, v_reset=2.0), ValueError, "v_reset"),
    (lambda: lif.lif_simulate(1.5, method="rk4"), ValueError, "method"),
    (lambda: lif.lif_simulate(1.5, dt=0.05, method="euler"), ValueError, "dt"),
    (lambda: lif.lif_first_spike_time(2.0, tau_m=0), ValueError, "tau_m"),
    (lambda: lif.latency_code(1.5), ValueError, "a"),
    (lambda: lif.latency_code(0.5, t_max=0.001), ValueError, "t_max"),
    (lambda: lif.latency_decode(0.001), ValueError, "t"),
])
def test_bad_input_raises_an_error_naming_the_argument(call, exc, name):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(name + " "), str(info.value)
