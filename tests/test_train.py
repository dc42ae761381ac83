"""Training: learning thresholds over seeds, reproducibility, divergence."""

import numpy as np
import pytest

from localrule import Backprop, DivergenceError, LocalRule, MLP, fit, load_iris_pair

SEEDS = (0, 1, 2)


def train(sizes, rule, data, epochs, seed):
    X_train, y_train, X_test, y_test = data
    net = MLP(sizes, seed=seed)
    history = fit(net, rule, X_train, y_train, epochs=epochs, seed=seed, X_test=X_test,
                  y_test=y_test, progress=False)
    return net, history


@pytest.fixture(scope="module")
def mnist_35_accuracies(mnist_35):
    acc = {"local": [], "bp": []}
    for seed in SEEDS:
        acc["local"].append(train((784, 100, 100, 2), LocalRule(0.01, seed=seed), mnist_35, 10,
                                  seed)[1].test_accuracy[-1])
        acc["bp"].append(train((784, 100, 100, 2), Backprop(0.05), mnist_35, 10,
                               seed)[1].test_accuracy[-1])
    return {k: float(np.mean(v)) for k, v in acc.items()}


def test_local_rule_learns_mnist_3_vs_5(mnist_35_accuracies):
    assert mnist_35_accuracies["local"] >= 0.93


def test_local_rule_within_two_points_of_backprop(mnist_35_accuracies):
    assert mnist_35_accuracies["local"] >= mnist_35_accuracies["bp"] - 0.02


def test_iris_versicolor_vs_virginica_both_rules():
    for make_rule in (lambda seed: LocalRule(0.05, seed=seed), lambda seed: Backprop(0.1)):
        accs = []
        for seed in SEEDS:
            data = load_iris_pair("versicolor", "virginica", seed=seed)
            accs.append(train((4, 16, 16, 2), make_rule(seed), data, 100, seed)[1]
                        .test_accuracy[-1])
        assert np.mean(accs) >= 0.85, accs


def test_same_seed_same_weights_and_history(iris_vv):
    nets, hists = zip(*(train((4, 8, 8, 2), LocalRule(0.05, seed=1), iris_vv, 5, 3)
                        for _ in range(2)))
    for a, b in zip(nets[0].weights, nets[1].weights):
        np.testing.assert_array_equal(a, b)
    assert hists[0].train_accuracy == hists[1].train_accuracy
    assert hists[0].test_loss == hists[1].test_loss


def test_different_seed_different_weights(iris_vv):
    a, _ = train((4, 8, 8, 2), LocalRule(0.05, seed=1), iris_vv, 5, 3)
    b, _ = train((4, 8, 8, 2), LocalRule(0.05, seed=1), iris_vv, 5, 4)
    assert not np.allclose(a.weights[0], b.weights[0])


def test_history_shapes_and_ranges(iris_vv):
    _, h = train((4, 8, 8, 2), Backprop(0.1), iris_vv, 7, 0)
    assert h.epochs == 7
    for key, values in h.to_dict().items():
        assert len(values) == 7, key
        assert np.all(np.isfinite(values))
    assert all(0 <= v <= 1 for v in h.train_accuracy + h.test_accuracy)
    assert all(v > 0 for v in h.seconds)


def test_loss_decreases_under_backprop(iris_vv):
    _, h = train((4, 16, 16, 2), Backprop(0.1), iris_vv, 60, 0)
    assert h.train_loss[-1] < 0.7 * h.train_loss[0]


@pytest.mark.parametrize("rule", [LocalRule(1.0), Backprop(1.0)], ids=["local", "bp"])
def test_large_eta_stays_finite_or_raises_clearly(iris_vv, rule):
    net = MLP((4, 16, 16, 2), seed=0)
    try:
        h = fit(net, rule, iris_vv[0], iris_vv[1], epochs=100, progress=False)
    except DivergenceError as exc:
        assert "eta" in str(exc)
        return
    assert all(np.all(np.isfinite(W)) for W in net.weights)
    assert np.all(np.isfinite(h.train_loss))


class OverflowingRule(LocalRule):
    """A rule whose epoch overflows one weight, standing in for a runaway learning rate."""

    def train_epoch(self, net, X, y, order, schedule="online"):
        super().train_epoch(net, X, y, order, schedule)
        net.weights[0][0, 0] *= 1e308 * 1e308


def test_divergence_is_reported_before_any_nan_is_recorded(iris_vv):
    net = MLP((4, 3, 2), seed=0)
    with pytest.raises(DivergenceError, match="eta"):
        fit(net, OverflowingRule(1.0), iris_vv[0], iris_vv[1], epochs=3, progress=False)
