"""FGSM, PGD (cross-entropy and margin, restarts) and the noise control: bounds, eps = 0,
monotonicity, strength, determinism."""

import numpy as np
import pytest

from localrule import (Backprop, LocalRule, MLP, cross_entropy, fgsm, fit, input_gradient, pgd,
                       random_sign, robustness_curve)
from localrule.gradients import margin, margin_input_gradient

EPS = [0.0, 0.05, 0.1, 0.2, 0.3]


@pytest.fixture(scope="module")
def trained(mnist_35):
    X_train, y_train, X_test, y_test = mnist_35
    nets = {}
    for seed in (0, 1):
        for rule in (LocalRule(0.01, seed=seed), Backprop(0.05)):
            net = MLP((784, 100, 100, 2), seed=seed)
            fit(net, rule, X_train, y_train, epochs=3, seed=seed, progress=False)
            nets[(rule.name, seed)] = net
    return nets, X_test[:200], y_test[:200]


def test_eps_zero_gives_clean_accuracy(trained):
    nets, X, y = trained
    for net in nets.values():
        assert robustness_curve(net, X, y, [0.0])[0] == net.score(X, y)
        np.testing.assert_array_equal(fgsm(net, X, y, 0.0), X)


@pytest.mark.parametrize("eps", [0.05, 0.3])
def test_adversarial_inputs_stay_in_box_and_ball(trained, eps):
    nets, X, y = trained
    for net in nets.values():
        for X_adv in (fgsm(net, X, y, eps), pgd(net, X, y, eps, steps=5),
                      random_sign(X, eps, seed=0)):
            assert X_adv.min() >= 0 and X_adv.max() <= 1
            assert np.max(np.abs(X_adv - X)) <= eps + 1e-12


def test_fgsm_moves_along_gradient_sign(trained):
    nets, X, y = trained
    net = nets[("bp", 0)]
    g = input_gradient(net, X, y)
    step = fgsm(net, X, y, 0.1) - X
    inside = (X > 0.1) & (X < 0.9) & (g != 0)
    np.testing.assert_allclose(step[inside], 0.1 * np.sign(g[inside]))


def test_accuracy_does_not_rise_with_eps_on_average(trained):
    nets, X, y = trained
    for name in ("local", "bp"):
        curve = np.mean([robustness_curve(nets[(name, s)], X, y, EPS) for s in (0, 1)], axis=0)
        assert np.all(np.diff(curve) <= 1e-12), (name, curve)
        assert curve[-1] < curve[0]


def test_pgd_at_least_as_strong_as_fgsm(trained):
    nets, X, y = trained
    for net in nets.values():
        for eps in (0.05, 0.1, 0.2):
            assert (robustness_curve(net, X, y, [eps], attack="pgd")[0]
                    <= robustness_curve(net, X, y, [eps], attack="fgsm")[0])


def test_noise_control_is_weaker_than_fgsm(trained):
    nets, X, y = trained
    for net in nets.values():
        noise = robustness_curve(net, X, y, [0.1], attack="noise")[0]
        assert noise >= robustness_curve(net, X, y, [0.1], attack="fgsm")[0]


def test_transfer_attack_uses_source_network(trained):
    nets, X, y = trained
    local, bp = nets[("local", 0)], nets[("bp", 0)]
    transfer = robustness_curve(local, X, y, [0.1], source_net=bp)[0]
    assert transfer == local.score(fgsm(bp, X, y, 0.1), y)


# --- margin loss, random starts and restarts -------------------------------------------------

H = 1e-6


def legacy_pgd(net, X, y, eps, steps=10):
    """The cross-entropy PGD of chapter 7 written out, to pin the default behaviour of pgd."""
    step_size = 2.5 * eps / steps
    best, best_loss, X_adv = X.copy(), cross_entropy(net, X, y), X.copy()
    for _ in range(steps):
        X_adv = X_adv + step_size * np.sign(input_gradient(net, X_adv, y))
        X_adv = np.clip(np.clip(X_adv, X - eps, X + eps), 0.0, 1.0)
        loss = cross_entropy(net, X_adv, y)
        better = loss > best_loss
        best[better], best_loss[better] = X_adv[better], loss[better]
    return best


@pytest.fixture
def three_class():
    """A 6-5-4-3 network with non-trivial biases, inputs inside (0, 1), labels 0..2."""
    net = MLP((6, 5, 4, 3), seed=2)
    rng = np.random.default_rng(5)
    for b in net.biases:
        b[:] = rng.normal(0, 0.5, size=b.shape)
    return net, rng.uniform(0.1, 0.9, size=(15, 6)), rng.integers(0, 3, size=15)


def rel_err(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-12)


def test_margin_is_runner_up_minus_label_logit(three_class):
    net, X, y = three_class
    z = net.logits(X)
    expected = [max(z[i, k] for k in range(3) if k != y[i]) - z[i, y[i]] for i in range(len(y))]
    np.testing.assert_allclose(margin(net, X, y), expected)
    np.testing.assert_array_equal(margin(net, X, y) > 0, net.predict(X) != y)
    assert margin(net, X[0], y[0]) == pytest.approx(expected[0])


@pytest.mark.parametrize("which", ["binary", "three"])
def test_margin_gradient_matches_finite_differences(which, tiny_net, tiny_data, three_class):
    net, X, y = (tiny_net, *tiny_data) if which == "binary" else three_class
    g = margin_input_gradient(net, X, y)
    assert g.shape == X.shape
    fd = np.zeros_like(X)
    for i in range(X.shape[1]):
        E = np.zeros_like(X)
        E[:, i] = H
        fd[:, i] = (margin(net, X + E, y) - margin(net, X - E, y)) / (2 * H)
    assert rel_err(g, fd) < 1e-5
    np.testing.assert_allclose(margin_input_gradient(net, X[0], y[0]), g[0])


def test_default_pgd_is_unchanged(trained):
    nets, X, y = trained
    for net in nets.values():
        for eps in (0.05, 0.1):
            expected = legacy_pgd(net, X, y, eps)
            np.testing.assert_array_equal(pgd(net, X, y, eps), expected)
            np.testing.assert_array_equal(
                pgd(net, X, y, eps, loss="ce", restarts=1, random_start=False, seed=7), expected)


@pytest.mark.parametrize("options", [dict(loss="margin"), dict(random_start=True),
                                     dict(loss="margin", restarts=3),
                                     dict(loss="ce", restarts=3, random_start=True, seed=4)])
def test_pgd_options_stay_in_box_and_ball(trained, options):
    nets, X, y = trained
    for net in nets.values():
        for eps in (0.05, 0.3):
            X_adv = pgd(net, X, y, eps, steps=5, **options)
            assert X_adv.min() >= 0 and X_adv.max() <= 1
            assert np.max(np.abs(X_adv - X)) <= eps + 1e-12


def test_margin_pgd_never_lowers_the_margin(three_class):
    net, X, y = three_class
    for eps in (0.02, 0.1):
        assert np.all(margin(net, pgd(net, X, y, eps, loss="margin"), y) >= margin(net, X, y))


def test_margin_pgd_at_least_as_strong_as_ce_pgd_on_average(trained):
    nets, X, y = trained
    for name in ("local", "bp"):
        for eps in (0.05, 0.1, 0.2):
            ce = np.mean([nets[(name, s)].score(pgd(nets[(name, s)], X, y, eps), y)
                          for s in (0, 1)])
            mar = np.mean([nets[(name, s)].score(pgd(nets[(name, s)], X, y, eps, loss="margin"),
                                                 y) for s in (0, 1)])
            assert mar <= ce + 1.0 / len(y), (name, eps, mar, ce)


@pytest.mark.parametrize("loss", ["ce", "margin"])
@pytest.mark.parametrize("random_start", [False, True])
def test_restarts_never_weaker_than_one_run(trained, loss, random_start):
    nets, X, y = trained
    for net in (nets[("local", 0)], nets[("bp", 1)]):
        for eps in (0.05, 0.1):
            one = pgd(net, X, y, eps, loss=loss, random_start=random_start, seed=3)
            many = pgd(net, X, y, eps, loss=loss, random_start=random_start, seed=3, restarts=4)
            fooled_once = net.predict(one) != y
            assert np.all(net.predict(many)[fooled_once] != y[fooled_once])
            assert net.score(many, y) <= net.score(one, y)


def test_restarts_keep_the_best_run_per_sample(three_class):
    net, X, y = three_class
    for loss, value in (("ce", cross_entropy), ("margin", margin)):
        one = pgd(net, X, y, 0.1, steps=3, loss=loss, seed=1)
        many = pgd(net, X, y, 0.1, steps=3, loss=loss, seed=1, restarts=5)
        same_outcome = (net.predict(one) != y) == (net.predict(many) != y)
        assert np.all(value(net, many, y)[same_outcome] >= value(net, one, y)[same_outcome])


def test_random_start_is_deterministic_per_seed(trained):
    nets, X, y = trained
    net = nets[("local", 0)]
    options = dict(loss="margin", restarts=2, random_start=True, steps=3)
    a = pgd(net, X, y, 0.1, seed=5, **options)
    np.testing.assert_array_equal(a, pgd(net, X, y, 0.1, seed=5, **options))
    assert not np.array_equal(a, pgd(net, X, y, 0.1, seed=6, **options))


def test_robustness_curve_passes_pgd_options(trained):
    nets, X, y = trained
    net = nets[("bp", 0)]
    curve = robustness_curve(net, X, y, [0.05, 0.1], attack="pgd", seed=2, steps=4,
                             loss="margin", restarts=2, random_start=True)
    expected = [net.score(pgd(net, X, y, e, steps=4, loss="margin", restarts=2,
                              random_start=True, seed=2), y) for e in (0.05, 0.1)]
    np.testing.assert_array_equal(curve, expected)
    np.testing.assert_array_equal(robustness_curve(net, X, y, [0.1], attack="pgd"),
                                  [net.score(legacy_pgd(net, X, y, 0.1), y)])
