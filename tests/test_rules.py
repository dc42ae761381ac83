"""The local rule: its equation, its locality, and kernels against the numpy reference."""

import numpy as np
import pytest

from localrule import Backprop, LocalRule, MLP, fit
from localrule.rules import apply_deltas


def test_local_update_equals_eta_x_times_a_star_minus_a(tiny_net, tiny_data):
    X, y = tiny_data
    rule = LocalRule(eta=0.2, seed=4)
    x, label = X[2], int(y[2])
    acts = tiny_net.forward(x)
    Bs = rule.association(tiny_net)
    # By hand: hidden a* from the fixed wiring, output a* = onehot(y).
    a_stars = [(B @ np.eye(2)[label] > 0).astype(float) for B in Bs] + [np.eye(2)[label]]
    before = [W.copy() for W in tiny_net.weights], [b.copy() for b in tiny_net.biases]
    rule.update(tiny_net, x, label)
    for l, a_star in enumerate(a_stars):
        expected = 0.2 * np.outer(a_star - acts[l + 1], acts[l])
        np.testing.assert_allclose(tiny_net.weights[l] - before[0][l], expected, atol=1e-14)
        np.testing.assert_allclose(tiny_net.biases[l] - before[1][l],
                                   0.2 * (a_star - acts[l + 1]), atol=1e-14)


def test_association_is_fixed_plus_minus_one_and_seeded():
    net = MLP((6, 30, 20, 3))
    Bs = LocalRule(seed=1).association(net)
    assert [B.shape for B in Bs] == [(30, 3), (20, 3)]
    assert all(set(np.unique(B)) == {-1.0, 1.0} for B in Bs)
    np.testing.assert_array_equal(Bs[0], LocalRule(seed=1).association(net)[0])
    assert not np.array_equal(Bs[0], LocalRule(seed=2).association(net)[0])


def test_association_never_read_from_or_changed_by_weights(tiny_net, tiny_data):
    X, y = tiny_data
    rule = LocalRule(eta=0.5, seed=0)
    Bs = rule.association(tiny_net)
    fit(tiny_net, rule, X, y, epochs=3, progress=False)
    for B, B_after in zip(Bs, rule.association(tiny_net)):
        np.testing.assert_array_equal(B, B_after)
    other = tiny_net.copy()
    for W in other.weights:
        W *= -3.0
    for B, B_other in zip(Bs, rule.association(other)):
        np.testing.assert_array_equal(B, B_other)


def test_hidden_updates_do_not_depend_on_later_layers(tiny_net, tiny_data):
    """Locality: perturbing layers above l leaves layer l's update unchanged."""
    X, y = tiny_data
    rule = LocalRule(eta=0.1, seed=0)
    base = rule.deltas(tiny_net, X[0], y[0])
    rng = np.random.default_rng(0)
    for l in range(1, 3):
        changed = tiny_net.copy()
        for k in range(l, 3):
            changed.weights[k] += rng.normal(0, 5.0, size=changed.weights[k].shape)
            changed.biases[k] += 1.0
        pert = rule.deltas(changed, X[0], y[0])
        for k in range(l):
            np.testing.assert_array_equal(pert[k][0], base[k][0])
            np.testing.assert_array_equal(pert[k][1], base[k][1])
        # The same perturbation does change backprop's hidden updates: the test can tell.
        bp = Backprop(0.1)
        assert not np.allclose(bp.deltas(changed, X[0], y[0])[0][0],
                               bp.deltas(tiny_net, X[0], y[0])[0][0])


@pytest.mark.parametrize("rule", [LocalRule(0.3, seed=2), LocalRule(0.3, association="soft"),
                                  LocalRule(0.3, association="none", hebbian=0.2),
                                  Backprop(0.3)], ids=["local", "soft", "none-hebb", "bp"])
def test_kernel_step_equals_numpy_reference(tiny_net, tiny_data, rule):
    X, y = tiny_data
    ref = tiny_net.copy()
    for x, label in zip(X, y):
        apply_deltas(ref, rule.deltas(ref, x, label))
        rule.update(tiny_net, x, label)
    for a, b in zip(tiny_net.weights + tiny_net.biases, ref.weights + ref.biases):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


@pytest.mark.parametrize("rule", [LocalRule(0.05, seed=1), Backprop(0.05)], ids=["local", "bp"])
def test_epoch_kernel_equals_per_sample_numpy(rule, mnist_35):
    X, y = mnist_35[0][:150], mnist_35[1][:150]
    net = MLP((784, 20, 10, 2), seed=0)
    ref = net.copy()
    order = np.random.default_rng(0).permutation(len(y))
    rule.train_epoch(net, X, y, order)
    for k in order:
        apply_deltas(ref, rule.deltas(ref, X[k], y[k]))
    for a, b in zip(net.weights + net.biases, ref.weights + ref.biases):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_forward_kernel_equals_numpy(tiny_net, tiny_data):
    from localrule import kernels

    X, _ = tiny_data
    Wts, bs = tiny_net.parameters()
    acts = kernels.layer_buffers(tiny_net.sizes)
    for x in X:
        kernels.forward_all(Wts, bs, x, acts, kernels.index_buffer(tiny_net.sizes))
        for a_kernel, a_numpy in zip(acts, tiny_net.forward(x)[1:]):
            np.testing.assert_allclose(a_kernel, a_numpy, rtol=0, atol=1e-12)


@pytest.mark.parametrize("association", ["hard", "soft", "none"])
def test_layerwise_schedule_equals_online(mnist_35, association):
    X, y = mnist_35[0], mnist_35[1]
    a, b = MLP((784, 40, 30, 2), seed=5), MLP((784, 40, 30, 2), seed=5)
    rule = LocalRule(0.02, seed=3, association=association)
    fit(a, rule, X, y, epochs=2, seed=1, progress=False, schedule="online")
    fit(b, rule, X, y, epochs=2, seed=1, progress=False, schedule="layerwise")
    diff = max(np.max(np.abs(u - v)) for u, v in zip(a.weights + a.biases, b.weights + b.biases))
    assert diff <= 1e-9
    assert any(np.max(np.abs(W - W0)) > 1e-3 for W, W0 in
               zip(a.weights, MLP((784, 40, 30, 2), seed=5).weights))


def test_layerwise_refused_for_backprop_with_reason(tiny_net, tiny_data):
    X, y = tiny_data
    with pytest.raises(ValueError, match="schedule.*downstream weights"):
        fit(tiny_net, Backprop(0.1), X, y, epochs=1, progress=False, schedule="layerwise")


def test_no_association_freezes_hidden_layers(tiny_net, tiny_data):
    X, y = tiny_data
    hidden_before = [W.copy() for W in tiny_net.weights[:-1]]
    out_before = tiny_net.weights[-1].copy()
    fit(tiny_net, LocalRule(0.2, association="none"), X, y, epochs=2, progress=False)
    for W, W0 in zip(tiny_net.weights[:-1], hidden_before):
        np.testing.assert_array_equal(W, W0)
    assert not np.allclose(tiny_net.weights[-1], out_before)


def test_soft_association_targets():
    net = MLP((3, 5, 2))
    rule = LocalRule(seed=0, association="soft", beta=2.0)
    B = rule.association(net)[0]
    np.testing.assert_allclose(rule.targets(net, 1)[0], 1 / (1 + np.exp(-2.0 * B[:, 1])))
    np.testing.assert_array_equal(rule.targets(net, 1)[1], [0.0, 1.0])
