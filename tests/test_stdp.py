"""Spikes, latency code, STDP and the association experiment (localrule.stdp, chapters 2-4)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy import integrate  # noqa: E402

from localrule import stdp  # noqa: E402
from localrule.stdp_kernels import lif_kernel, trace_stdp_kernel  # noqa: E402

DT = 1e-4


def py_func(kernel):
    """The plain-Python body of a numba kernel (the kernel itself when numba is absent)."""
    return getattr(kernel, "py_func", kernel)


# --------------------------------------------------------------------------- LIF and latency code

@pytest.mark.parametrize("current", [1.02, 1.1, 1.5, 2.0, 5.0, 20.0])
def test_simulated_first_spike_matches_closed_form(current):
    t1 = stdp.lif_first_spike_time(current)
    _, _, spikes = stdp.lif_simulate(current, T=0.2, dt=DT)
    # exact integration + spike stamped at the first grid time with v >= theta: never early,
    # at most one step late
    assert t1 - 1e-12 <= spikes[0] <= t1 + DT + 1e-12


def test_euler_first_spike_converges_to_closed_form():
    t1 = stdp.lif_first_spike_time(1.5)
    for dt in (1e-4, 1e-5, 1e-6):
        error = stdp.lif_simulate(1.5, T=0.05, dt=dt, method="euler")[2][0] - t1
        # grid stamping (<= dt late) plus Euler's O(dt) error (about t1 * dt / (2 tau_m) early)
        assert abs(error) <= dt + t1 * dt / 0.02


def test_voltage_trace_follows_the_exact_solution_below_threshold():
    t, v, spikes = stdp.lif_simulate(0.8, T=0.1, dt=DT)
    assert spikes.size == 0
    np.testing.assert_allclose(v, 0.8 * (1 - np.exp(-t / 0.02)), atol=1e-12)


def test_subthreshold_current_never_fires_and_first_spike_time_is_vectorised():
    t1 = stdp.lif_first_spike_time(np.array([[0.5, 1.0], [2.0, -1.0]]))
    assert t1.shape == (2, 2)
    assert np.isinf(t1[0, 0]) and np.isinf(t1[0, 1]) and np.isinf(t1[1, 1])
    assert t1[1, 0] == pytest.approx(0.02 * np.log(2.0))
    assert isinstance(stdp.lif_first_spike_time(2.0), float)


def test_firing_rate_matches_simulation_and_refractory_period_is_respected():
    for current in (1.5, 3.0):
        _, _, spikes = stdp.lif_simulate(current, T=2.0, dt=DT, t_ref=0.002)
        isi = np.diff(spikes)
        assert isi.min() > 0.002
        expected = 1.0 / stdp.lif_rate(current, t_ref=0.002)
        # each interval is rounded up to the grid: between the exact value and one step more
        assert expected - 1e-9 <= isi.mean() <= expected + DT + 1e-9


def test_time_varying_current():
    current = np.zeros(1000)
    current[500:] = 2.0
    _, _, spikes = stdp.lif_simulate(current, T=0.1, dt=DT)
    assert spikes[0] == pytest.approx(0.05 + stdp.lif_first_spike_time(2.0), abs=DT + 1e-12)


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
    t = stdp.latency_code(a)
    assert np.isinf(t[0]) and t[-1] == pytest.approx(0.005)
    assert np.all(np.diff(t[1:]) < 0)  # stronger -> earlier
    np.testing.assert_allclose(stdp.latency_decode(t), a, rtol=1e-12, atol=1e-15)


def test_latency_code_is_the_lif_first_spike_time_of_the_latency_current():
    a = np.linspace(0.01, 1, 50)
    for R, theta in ((1.0, 1.0), (2.0, 0.5)):
        current = stdp.latency_current(a, R=R, theta=theta)
        np.testing.assert_allclose(stdp.lif_first_spike_time(current, R=R, theta=theta),
                                   stdp.latency_code(a), rtol=1e-12)
    # simulated neurons agree with the code to within one time step
    for value in (0.05, 0.3, 1.0):
        _, _, spikes = stdp.lif_simulate(stdp.latency_current(value), T=0.2, dt=DT)
        assert 0 <= spikes[0] - stdp.latency_code(value) <= DT + 1e-12


def test_latency_code_observation_window():
    t = stdp.latency_code([0.01, 0.5], t_max=0.03)
    assert np.isinf(t[0]) and np.isfinite(t[1])
    assert stdp.latency_decode(np.inf) == 0.0


def test_spike_raster_gives_one_train_per_current_and_stronger_fires_earlier():
    currents = np.array([0.9, 1.2, 2.0, 4.0])
    trains = stdp.spike_raster(currents, T=0.1)
    assert len(trains) == 4 and trains[0].size == 0
    firsts = [train[0] for train in trains[1:]]
    assert firsts == sorted(firsts, reverse=True)
    counts = [train.size for train in trains]
    assert counts == sorted(counts)


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


# --------------------------------------------------------------------------- spike trains

def test_poisson_spike_trains_have_the_right_rate_and_are_reproducible():
    trains = stdp.poisson_spike_trains(50.0, 1.0, DT, 0, n_trains=400)
    assert trains.shape == (400, 10000) and trains.dtype == bool
    counts = trains.sum(axis=1)
    assert counts.mean() == pytest.approx(50.0, abs=4 * np.sqrt(50.0 / 400))
    assert counts.var() == pytest.approx(50.0 * (1 - 50 * DT), rel=0.25)
    np.testing.assert_array_equal(trains, stdp.poisson_spike_trains(50.0, 1.0, DT, 0,
                                                                     n_trains=400))
    rate = np.where(np.arange(10000) < 5000, 0.0, 100.0)
    varying = stdp.poisson_spike_trains(rate, 1.0, DT, np.random.default_rng(1), n_trains=50)
    assert not varying[:, :5000].any() and varying[:, 5000:].any()


def test_fast_bernoulli_trains_have_bernoulli_statistics():
    rng = np.random.default_rng(2)
    trains = stdp._bernoulli_trains(0.2, 50, 40000, rng)
    np.testing.assert_allclose(trains.mean(axis=0), 0.2, atol=0.012)
    lag1 = np.mean(trains[:, 1:] & trains[:, :-1])
    assert lag1 == pytest.approx(0.04, abs=0.003)  # independent steps
    assert not stdp._bernoulli_trains(0.0, 50, 3, rng).any()
    assert stdp._bernoulli_trains(1.0, 50, 3, rng).all()


# --------------------------------------------------------------------------- association

def test_predicted_slope_is_the_exact_expectation_on_the_grid():
    """Sum p_pre * p_post(t') * W(t' - t) over every pair of grid steps, in closed form per lag."""
    nu, tau, A, T = 100.0, 0.02, 1.0, 0.4
    n = int(round(T / DT))
    x, a, a_star = 0.7, 0.2, 0.9
    lags = np.arange(-(n - 1), n) * DT
    w_lag = stdp.stdp_window(lags, A, A, tau, tau)
    cum = np.concatenate([[0.0], np.cumsum(w_lag)])
    j = np.arange(n)
    g = cum[j + n] - cum[j]  # sum over pre steps i of W((j - i) dt): lags j-n+1 .. j
    p_post = np.where(j < n // 2, nu * a * DT, nu * a_star * DT)
    expected = nu * x * DT * np.sum(p_post * g)
    predicted = stdp.association_predicted_slope(nu, tau, A, T) * x * (a_star - a)
    assert expected == pytest.approx(predicted, rel=1e-4)
    assert stdp.association_predicted_slope() == pytest.approx(4.0, rel=1e-4)


@pytest.mark.parametrize("seed", [0, 1])
def test_association_experiment_confirms_dw_proportional_to_x_times_change(seed):
    result = stdp.association_experiment(n_points=60, n_trials=500, seed=seed)
    assert result.r >= 0.95
    assert abs(result.slope - result.predicted_slope) <= 3 * result.slope_se
    assert abs(result.intercept) <= 3 * result.intercept_se
    assert 0.5 < result.chi2_dof < 1.7
    np.testing.assert_allclose(result.predictor, result.x * (result.a_star - result.a))


def test_association_experiment_is_reproducible_and_seed_dependent():
    one = stdp.association_experiment(n_points=5, n_trials=20, seed=4)
    two = stdp.association_experiment(n_points=5, n_trials=20, seed=4)
    other = stdp.association_experiment(n_points=5, n_trials=20, seed=5)
    np.testing.assert_array_equal(one.mean_dw, two.mean_dw)
    assert one.slope == two.slope
    assert not np.allclose(one.mean_dw, other.mean_dw)


def test_association_trial_dw_sign_follows_the_change_of_activity():
    up, up_se = stdp.association_trial_dw(0.8, 0.1, 0.9, n_trials=300, seed=0)
    down, down_se = stdp.association_trial_dw(0.8, 0.9, 0.1, n_trials=300, seed=0)
    none, none_se = stdp.association_trial_dw(0.8, 0.5, 0.5, n_trials=300, seed=0)
    expect = stdp.association_predicted_slope() * 0.8 * 0.8
    assert abs(up - expect) < 4 * up_se and abs(down + expect) < 4 * down_se
    assert abs(none) < 4 * none_se
    assert stdp.association_trial_dw(0.0, 0.1, 0.9, n_trials=5) == (0.0, 0.0)


def test_association_rate_update_matches_local_rule_and_delta_rule():
    import localrule

    x = np.array([0.2, 0.0, 1.0])
    np.testing.assert_allclose(stdp.association_rate_update(x, 0.3, 1.0, 0.5), 0.5 * 0.7 * x)
    a = np.array([0.3, 0.8])
    a_star = np.array([1.0, 0.0])
    dW = stdp.association_rate_update(x, a, a_star, 0.1)
    np.testing.assert_allclose(dW, 0.1 * np.outer(a_star - a, x))
    # the output layer of LocalRule applies exactly this update
    net = localrule.MLP((3, 2), seed=0)
    rule = localrule.LocalRule(eta=0.1)
    (dW_rule, db_rule), = rule.deltas(net, x, 0)
    a_out = net.forward(x)[-1].ravel()
    np.testing.assert_allclose(dW_rule, stdp.association_rate_update(x, a_out, [1.0, 0.0], 0.1))


def test_association_neuron_learns_and_records_its_updates():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(16, 4)).astype(float)
    target = X[:, 0].copy()
    hist = stdp.train_association_neuron(X, target, eta=0.5, epochs=40, seed=0)
    assert hist.w.shape == (16 * 40 + 1, 4) and hist.dw.shape == (16 * 40, 4)
    np.testing.assert_allclose(np.diff(hist.w, axis=0), hist.dw)
    k = 7
    x = X[hist.order[k]]
    np.testing.assert_allclose(hist.dw[k], stdp.association_rate_update(x, hist.a[k],
                                                                        hist.a_star[k], 0.5))
    final = 1 / (1 + np.exp(-(X @ hist.w[-1] + hist.b[-1])))
    assert np.all((final > 0.5) == (target > 0.5))
    assert np.abs(hist.dw[-16:]).mean() < 0.1 * np.abs(hist.dw[:16]).mean()


# --------------------------------------------------------------------------- widgets

def test_spike_raster_widget_recomputes_when_a_slider_moves():
    from localrule.stdp_widgets import spike_raster_widget

    open_figures = set(plt.get_fignums())
    widget = spike_raster_widget()
    before = widget.result
    assert len(before) == 20
    widget.children[0].value = 2.0  # weakest current now above threshold: every neuron fires
    after = widget.result
    assert all(train.size for train in after) and not all(train.size for train in before)
    assert set(plt.get_fignums()) == open_figures  # the widget releases its figures


def test_stdp_window_widget_reports_the_integrals():
    from localrule.stdp_widgets import stdp_window_widget

    widget = stdp_window_widget()
    assert widget.result[0] == pytest.approx(0.0, abs=1e-15)
    widget.children[1].value = 0.5  # A- halved: net potentiation
    area, moment = widget.result
    assert area == pytest.approx(0.02 - 0.5 * 0.02)
    assert moment == pytest.approx(0.02 ** 2 * 1.5)
    with pytest.raises(TypeError, match="tau"):
        stdp_window_widget(tau=3)


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("call, exc, name", [
    (lambda: stdp.lif_simulate("big"), TypeError, "I"),
    (lambda: stdp.lif_simulate(np.ones(7), T=0.1, dt=DT), ValueError, "I"),
    (lambda: stdp.lif_simulate(1.5, dt=-1e-4), ValueError, "dt"),
    (lambda: stdp.lif_simulate(1.5, v_reset=2.0), ValueError, "v_reset"),
    (lambda: stdp.lif_simulate(1.5, method="rk4"), ValueError, "method"),
    (lambda: stdp.lif_simulate(1.5, dt=0.05, method="euler"), ValueError, "dt"),
    (lambda: stdp.lif_first_spike_time(2.0, tau_m=0), ValueError, "tau_m"),
    (lambda: stdp.latency_code(1.5), ValueError, "a"),
    (lambda: stdp.latency_code(0.5, t_max=0.001), ValueError, "t_max"),
    (lambda: stdp.latency_decode(0.001), ValueError, "t"),
    (lambda: stdp.stdp_window([0.01, np.nan]), ValueError, "s"),
    (lambda: stdp.stdp_window(0.01, A_plus=-1), ValueError, "A_plus"),
    (lambda: stdp.stdp_window_integrals(tau_minus="20ms"), TypeError, "tau_minus"),
    (lambda: stdp.pair_stdp([[0.1]], [0.2]), ValueError, "pre_times"),
    (lambda: stdp.trace_stdp(np.zeros(10), np.zeros(11), DT), ValueError, "post_spikes"),
    (lambda: stdp.trace_stdp(-np.ones(10), np.zeros(10), DT), ValueError, "pre_spikes"),
    (lambda: stdp.bin_spike_times([0.5], 0.1, DT), ValueError, "times"),
    (lambda: stdp.pairing_protocol([0.7]), ValueError, "delays"),
    (lambda: stdp.pairing_protocol([0.01], n_pairs=0), ValueError, "n_pairs"),
    (lambda: stdp.poisson_spike_trains(20000.0, 0.1, DT, 0), ValueError, "rate"),
    (lambda: stdp.poisson_spike_trains(10.0, 0.1, DT, "seed"), TypeError, "rng"),
    (lambda: stdp.association_trial_dw(1.2, 0.1, 0.2), ValueError, "x"),
    (lambda: stdp.association_trial_dw(0.5, 0.1, 0.2, n_trials=1), ValueError, "n_trials"),
    (lambda: stdp.association_trial_dw(0.5, 0.1, 0.2, nu=20000.0), ValueError, "nu"),
    (lambda: stdp.association_experiment(n_points=2), ValueError, "n_points"),
    (lambda: stdp.association_experiment(seed=-1), ValueError, "seed"),
    (lambda: stdp.association_rate_update([0.1, 0.2], 0.5, 1.0, eta=0), ValueError, "eta"),
    (lambda: stdp.association_rate_update([0.1], [0.5, 0.2], [1.0], 0.1), ValueError, "a_star"),
    (lambda: stdp.train_association_neuron(np.ones((3, 2)), [1, 0], 0.1), ValueError, "a_star"),
])
def test_bad_input_raises_an_error_naming_the_argument(call, exc, name):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(name + " "), str(info.value)
