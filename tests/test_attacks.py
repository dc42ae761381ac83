"""FGSM, PGD and the noise control: bounds, eps = 0, monotonicity, strength."""

import numpy as np
import pytest

from localrule import (Backprop, LocalRule, MLP, fgsm, fit, input_gradient, pgd, random_sign,
                       robustness_curve)

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
