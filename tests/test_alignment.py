"""Angles between the local update and the negative gradient (chapter 6)."""

import numpy as np
import pytest

from localrule import MLP, Backprop, LocalRule, load_iris_pair
from localrule.alignment import alignment_during_training, angle_between, update_angles
from localrule.tasks import train_task


def test_angle_between_known_angles():
    assert angle_between([1.0, 0.0], [0.0, 2.0]) == pytest.approx(90.0)
    assert angle_between([1.0, 0.0], [3.0, 3.0]) == pytest.approx(45.0)
    assert angle_between([1.0, 2.0], [-2.0, -4.0]) == pytest.approx(180.0)
    assert angle_between([0.3, 0.1, 0.7], [0.6, 0.2, 1.4]) == 0.0  # exact, not ~1e-6
    rows = angle_between([[1.0, 0.0], [1.0, 1.0]], [[0.0, 1.0], [1.0, 1.0]])
    np.testing.assert_allclose(rows, [90.0, 0.0], atol=1e-12)


def test_angle_between_rejects_zero_and_mismatch():
    with pytest.raises(ValueError, match="u"):
        angle_between([0.0, 0.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="v"):
        angle_between([1.0, 0.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="same shape"):
        angle_between([1.0, 0.0], [1.0, 0.0, 0.0])


def flat(delta_list):
    """Per-layer vectors (dW, db) flattened, from a rule's deltas()."""
    return [np.concatenate([dW.ravel(), db]) for dW, db in delta_list]


def brute_force(net, local, X, y, per_sample):
    """Angles from the rules' own per-sample deltas (numpy path), summed or averaged."""
    bp = Backprop(eta=0.37)
    per = [(flat(local.deltas(net, x, c)), flat(bp.deltas(net, x, c))) for x, c in zip(X, y)]
    n_layers = len(net.weights)
    if per_sample:
        return np.array([np.mean([angle_between(u[l], v[l]) for u, v in per])
                         for l in range(n_layers)])
    return np.array([angle_between(sum(u[l] for u, _ in per), sum(v[l] for _, v in per))
                     for l in range(n_layers)])


@pytest.mark.parametrize("per_sample", [True, False])
@pytest.mark.parametrize("rule_kwargs", [dict(), dict(association="soft", beta=2.0),
                                         dict(hebbian=0.3), dict(association="soft",
                                                                 hebbian=0.2)])
def test_update_angles_match_the_rules_own_deltas(tiny_net, tiny_data, per_sample,
                                                  rule_kwargs):
    X, y = tiny_data
    local = LocalRule(eta=0.05, seed=4, **rule_kwargs)
    np.testing.assert_allclose(update_angles(tiny_net, local, X, y, per_sample=per_sample),
                               brute_force(tiny_net, local, X, y, per_sample), atol=1e-8)


@pytest.mark.parametrize("per_sample", [True, False])
@pytest.mark.parametrize("association", ["hard", "soft"])
def test_output_layer_angle_is_exactly_zero_hidden_is_not(tiny_net, tiny_data, per_sample,
                                                          association):
    X, y = tiny_data
    angles = update_angles(tiny_net, LocalRule(0.01, seed=1, association=association), X, y,
                           per_sample=per_sample)
    assert angles.shape == (3,)
    assert angles[-1] == 0.0
    assert np.all(angles[:-1] > 1.0)


def test_unbalanced_window_tilts_the_output_layer(tiny_net, tiny_data):
    X, y = tiny_data
    assert update_angles(tiny_net, LocalRule(0.01, hebbian=0.5), X, y)[-1] > 1.0


def test_angles_do_not_depend_on_eta_and_leave_net_unchanged(tiny_net, tiny_data):
    X, y = tiny_data
    before = [W.copy() for W in tiny_net.weights]
    a = update_angles(tiny_net, LocalRule(0.001, seed=2), X, y)
    b = update_angles(tiny_net, LocalRule(10.0, seed=2), X, y)
    np.testing.assert_allclose(a, b, atol=1e-10)
    for W, W0 in zip(tiny_net.weights, before):
        np.testing.assert_array_equal(W, W0)


def test_untrained_hidden_layers_are_near_orthogonal():
    """Random wiring and random weights: hidden angles scatter around 90 degrees."""
    X, y, _, _ = load_iris_pair("versicolor", "virginica", seed=0)
    angles = [update_angles(MLP((4, 16, 16, 2), seed=s), LocalRule(0.05, seed=s), X, y)[:-1]
              for s in range(8)]
    assert 70.0 < np.mean(angles) < 110.0


def test_update_angles_bad_input(tiny_net, tiny_data):
    X, y = tiny_data
    with pytest.raises(TypeError, match="net"):
        update_angles("net", LocalRule(), X, y)
    with pytest.raises(TypeError, match="local_rule"):
        update_angles(tiny_net, Backprop(), X, y)
    with pytest.raises(ValueError, match="X"):
        update_angles(tiny_net, LocalRule(), X[:, :3], y)
    with pytest.raises(ValueError, match="y"):
        update_angles(tiny_net, LocalRule(), X, y[:-1])
    with pytest.raises(TypeError, match="per_sample"):
        update_angles(tiny_net, LocalRule(), X, y, per_sample="yes")
    for per_sample in (True, False):
        with pytest.raises(ValueError, match="local_rule gives a zero update for layer 1"):
            update_angles(tiny_net, LocalRule(association="none"), X, y, per_sample=per_sample)


def test_alignment_during_training_follows_train_task():
    angles, net = alignment_during_training("iris", ("versicolor", "virginica"), seed=1,
                                            epochs=30, return_net=True)
    assert angles.shape == (31, 3)
    assert np.all(angles[:, -1] == 0.0)
    reference, _, _ = train_task("iris", ("versicolor", "virginica"), "local", seed=1,
                                 epochs=30)
    for W, W_ref in zip(net.weights + net.biases, reference.weights + reference.biases):
        np.testing.assert_array_equal(W, W_ref)
    # the hidden layers start near orthogonal and end well inside 90 degrees
    assert np.all(angles[0, :-1] > 60.0)
    assert np.all(angles[-1, :-1] < 45.0)
    summed = alignment_during_training("iris", ("versicolor", "virginica"), seed=1, epochs=3,
                                       per_sample=False, n_samples=20)
    assert summed.shape == (4, 3) and np.all(summed[:, -1] == 0.0)


def test_alignment_during_training_bad_input():
    with pytest.raises(ValueError, match="dataset"):
        alignment_during_training("cifar", (0, 1))
    with pytest.raises(ValueError, match="epochs"):
        alignment_during_training("iris", ("setosa", "virginica"), epochs=0)
    with pytest.raises(ValueError, match="n_samples"):
        alignment_during_training("iris", ("setosa", "virginica"), epochs=1, n_samples=0)
