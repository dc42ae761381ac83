"""Backprop gradients against central finite differences of the loss."""

import numpy as np
import pytest

from localrule import Backprop, MLP, cross_entropy, input_gradient, weight_gradients
from localrule.gradients import backward

H = 1e-6


def rel_err(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-12)


def test_weight_gradients_match_finite_differences(tiny_net, tiny_data):
    X, y = tiny_data
    x, label = X[0], y[0]
    grads = weight_gradients(tiny_net, x, label)
    for l, (gW, gb) in enumerate(grads):
        for param, g in ((tiny_net.weights[l], gW), (tiny_net.biases[l], gb)):
            fd = np.zeros_like(param)
            for idx in np.ndindex(param.shape):
                old = param[idx]
                param[idx] = old + H
                up = cross_entropy(tiny_net, x, label)
                param[idx] = old - H
                down = cross_entropy(tiny_net, x, label)
                param[idx] = old
                fd[idx] = (up - down) / (2 * H)
            assert rel_err(g, fd) < 1e-5


def test_input_gradient_matches_finite_differences(tiny_net, tiny_data):
    X, y = tiny_data
    g = input_gradient(tiny_net, X, y)
    assert g.shape == X.shape
    fd = np.zeros_like(X)
    for i in range(X.shape[1]):
        E = np.zeros_like(X)
        E[:, i] = H
        fd[:, i] = (cross_entropy(tiny_net, X + E, y) - cross_entropy(tiny_net, X - E, y)) / (2 * H)
    assert rel_err(g, fd) < 1e-5


def test_loss_is_binary_cross_entropy(tiny_net, tiny_data):
    X, y = tiny_data
    a = tiny_net.predict_proba(X)
    t = np.eye(2)[y]
    direct = -np.sum(t * np.log(a) + (1 - t) * np.log(1 - a), axis=1)
    np.testing.assert_allclose(cross_entropy(tiny_net, X, y), direct, rtol=1e-10)


def test_loss_finite_when_output_saturates():
    net = MLP((2, 2), seed=0)
    net.weights[0][:] = [[1e4, 0], [-1e4, 0]]
    loss = cross_entropy(net, np.array([[1.0, 0.0]]), np.array([1]))
    assert np.isfinite(loss).all() and loss[0] > 1e3


def test_backprop_deltas_are_minus_eta_gradient(tiny_net, tiny_data):
    X, y = tiny_data
    bp = Backprop(eta=0.3)
    for (dW, db), (gW, gb) in zip(bp.deltas(tiny_net, X[1], y[1]),
                                  weight_gradients(tiny_net, X[1], y[1])):
        np.testing.assert_allclose(dW, -0.3 * gW, rtol=1e-12)
        np.testing.assert_allclose(db, -0.3 * gb, rtol=1e-12)


def test_output_delta_is_activity_minus_target(tiny_net, tiny_data):
    X, y = tiny_data
    acts, deltas = backward(tiny_net, X, y)
    np.testing.assert_allclose(deltas[-1], acts[-1] - np.eye(2)[y])


@pytest.mark.parametrize("sizes", [(3, 2), (3, 4, 2), (3, 4, 5, 6, 3)])
def test_gradients_any_depth(sizes):
    net = MLP(sizes, seed=1)
    x = np.linspace(0.1, 0.9, sizes[0])
    gW, _ = weight_gradients(net, x, 1)[0]
    W = net.weights[0]
    old = W[0, 0]
    W[0, 0] = old + H
    up = cross_entropy(net, x, 1)
    W[0, 0] = old - H
    down = cross_entropy(net, x, 1)
    W[0, 0] = old
    assert abs(gW[0, 0] - (up - down) / (2 * H)) <= 1e-5 * max(abs(gW[0, 0]), 1e-8) + 1e-10
