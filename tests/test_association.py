"""Poisson trains, association experiment and rate rule (localrule.association, chapter 4)."""

import numpy as np
import pytest

from localrule.association import (_bernoulli_trains, association_experiment,
                                   association_predicted_slope, association_rate_update,
                                   association_trial_dw, poisson_spike_trains,
                                   train_association_neuron)
from localrule.stdp import stdp_window

DT = 1e-4


# --------------------------------------------------------------------------- spike trains

def test_poisson_spike_trains_have_the_right_rate_and_are_reproducible():
    trains = poisson_spike_trains(50.0, 1.0, DT, 0, n_trains=400)
    assert trains.shape == (400, 10000) and trains.dtype == bool
    counts = trains.sum(axis=1)
    assert counts.mean() == pytest.approx(50.0, abs=4 * np.sqrt(50.0 / 400))
    assert counts.var() == pytest.approx(50.0 * (1 - 50 * DT), rel=0.25)
    np.testing.assert_array_equal(trains, poisson_spike_trains(50.0, 1.0, DT, 0,
                                                               n_trains=400))
    rate = np.where(np.arange(10000) < 5000, 0.0, 100.0)
    varying = poisson_spike_trains(rate, 1.0, DT, np.random.default_rng(1), n_trains=50)
    assert not varying[:, :5000].any() and varying[:, 5000:].any()


def test_fast_bernoulli_trains_have_bernoulli_statistics():
    rng = np.random.default_rng(2)
    trains = _bernoulli_trains(0.2, 50, 40000, rng)
    np.testing.assert_allclose(trains.mean(axis=0), 0.2, atol=0.012)
    lag1 = np.mean(trains[:, 1:] & trains[:, :-1])
    assert lag1 == pytest.approx(0.04, abs=0.003)  # independent steps
    assert not _bernoulli_trains(0.0, 50, 3, rng).any()
    assert _bernoulli_trains(1.0, 50, 3, rng).all()


# --------------------------------------------------------------------------- association

def test_predicted_slope_is_the_exact_expectation_on_the_grid():
    """Sum p_pre * p_post(t') * W(t' - t) over every pair of grid steps, in closed form per lag."""
    nu, tau, A, T = 100.0, 0.02, 1.0, 0.4
    n = int(round(T / DT))
    x, a, a_star = 0.7, 0.2, 0.9
    lags = np.arange(-(n - 1), n) * DT
    w_lag = stdp_window(lags, A, A, tau, tau)
    cum = np.concatenate([[0.0], np.cumsum(w_lag)])
    j = np.arange(n)
    g = cum[j + n] - cum[j]  # sum over pre steps i of W((j - i) dt): lags j-n+1 .. j
    p_post = np.where(j < n // 2, nu * a * DT, nu * a_star * DT)
    expected = nu * x * DT * np.sum(p_post * g)
    predicted = association_predicted_slope(nu, tau, A, T) * x * (a_star - a)
    assert expected == pytest.approx(predicted, rel=1e-4)
    assert association_predicted_slope() == pytest.approx(4.0, rel=1e-4)


@pytest.mark.parametrize("seed", [0, 1])
def test_association_experiment_confirms_dw_proportional_to_x_times_change(seed):
    result = association_experiment(n_points=60, n_trials=500, seed=seed)
    assert result.r >= 0.95
    assert abs(result.slope - result.predicted_slope) <= 3 * result.slope_se
    assert abs(result.intercept) <= 3 * result.intercept_se
    assert 0.5 < result.chi2_dof < 1.7
    np.testing.assert_allclose(result.predictor, result.x * (result.a_star - result.a))


def test_association_experiment_is_reproducible_and_seed_dependent():
    one = association_experiment(n_points=5, n_trials=20, seed=4)
    two = association_experiment(n_points=5, n_trials=20, seed=4)
    other = association_experiment(n_points=5, n_trials=20, seed=5)
    np.testing.assert_array_equal(one.mean_dw, two.mean_dw)
    assert one.slope == two.slope
    assert not np.allclose(one.mean_dw, other.mean_dw)


def test_association_trial_dw_sign_follows_the_change_of_activity():
    up, up_se = association_trial_dw(0.8, 0.1, 0.9, n_trials=300, seed=0)
    down, down_se = association_trial_dw(0.8, 0.9, 0.1, n_trials=300, seed=0)
    none, none_se = association_trial_dw(0.8, 0.5, 0.5, n_trials=300, seed=0)
    expect = association_predicted_slope() * 0.8 * 0.8
    assert abs(up - expect) < 4 * up_se and abs(down + expect) < 4 * down_se
    assert abs(none) < 4 * none_se
    assert association_trial_dw(0.0, 0.1, 0.9, n_trials=5) == (0.0, 0.0)


def test_association_rate_update_matches_local_rule_and_delta_rule():
    import localrule

    x = np.array([0.2, 0.0, 1.0])
    np.testing.assert_allclose(association_rate_update(x, 0.3, 1.0, 0.5), 0.5 * 0.7 * x)
    a = np.array([0.3, 0.8])
    a_star = np.array([1.0, 0.0])
    dW = association_rate_update(x, a, a_star, 0.1)
    np.testing.assert_allclose(dW, 0.1 * np.outer(a_star - a, x))
    # the output layer of LocalRule applies exactly this update
    net = localrule.MLP((3, 2), seed=0)
    rule = localrule.LocalRule(eta=0.1)
    (dW_rule, db_rule), = rule.deltas(net, x, 0)
    a_out = net.forward(x)[-1].ravel()
    np.testing.assert_allclose(dW_rule, association_rate_update(x, a_out, [1.0, 0.0], 0.1))


def test_association_neuron_learns_and_records_its_updates():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(16, 4)).astype(float)
    target = X[:, 0].copy()
    hist = train_association_neuron(X, target, eta=0.5, epochs=40, seed=0)
    assert hist.w.shape == (16 * 40 + 1, 4) and hist.dw.shape == (16 * 40, 4)
    np.testing.assert_allclose(np.diff(hist.w, axis=0), hist.dw)
    k = 7
    x = X[hist.order[k]]
    np.testing.assert_allclose(hist.dw[k], association_rate_update(x, hist.a[k],
                                                                   hist.a_star[k], 0.5))
    final = 1 / (1 + np.exp(-(X @ hist.w[-1] + hist.b[-1])))
    assert np.all((final > 0.5) == (target > 0.5))
    assert np.abs(hist.dw[-16:]).mean() < 0.1 * np.abs(hist.dw[:16]).mean()


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("call, exc, name", [
    (lambda: poisson_spike_trains(20000.0, 0.1, DT, 0), ValueError, "rate"),
    (lambda: poisson_spike_trains(10.0, 0.1, DT, "seed"), TypeError, "rng"),
    (lambda: association_trial_dw(1.2, 0.1, 0.2), ValueError, "x"),
    (lambda: association_trial_dw(0.5, 0.1, 0.2, n_trials=1), ValueError, "n_trials"),
    (lambda: association_trial_dw(0.5, 0.1, 0.2, nu=20000.0), ValueError, "nu"),
    (lambda: association_experiment(n_points=2), ValueError, "n_points"),
    (lambda: association_experiment(seed=-1), ValueError, "seed"),
    (lambda: association_rate_update([0.1, 0.2], 0.5, 1.0, eta=0), ValueError, "eta"),
    (lambda: association_rate_update([0.1], [0.5, 0.2], [1.0], 0.1), ValueError, "a_star"),
    (lambda: train_association_neuron(np.ones((3, 2)), [1, 0], 0.1), ValueError, "a_star"),
])
def test_bad_input_raises_an_error_naming_the_argument(call, exc, name):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(name + " "), str(info.value)
