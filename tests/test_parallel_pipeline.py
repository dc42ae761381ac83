"""The pipelined schedule (chapter 8): who does what when, executed and drawn."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from localrule import Backprop, LocalRule, MLP  # noqa: E402
from localrule.parallel.dependencies import (dependency_edges, is_valid_order,  # noqa: E402
                                             online_order)
from localrule.parallel.pipeline import (pipeline_schedule, plot_pipeline_schedule,  # noqa: E402
                                         run_pipelined, schedule_steps)

pytestmark = pytest.mark.usefixtures("close_figures")


def test_pipeline_schedule_shape_and_content():
    s = pipeline_schedule(3, 5)
    assert s.shape == (7, 3)
    for l in range(3):
        assert list(s[s[:, l] >= 0, l]) == list(range(5))  # each layer does every block in order
        assert np.flatnonzero(s[:, l] == 0)[0] == l          # layer l starts l slots late
    np.testing.assert_array_equal(s[2], [2, 1, 0])


@pytest.mark.parametrize("n_layers,n_blocks", [(1, 1), (3, 1), (3, 4), (4, 9)])
def test_pipeline_order_respects_local_dependencies(n_layers, n_blocks):
    n = 2 * n_blocks + 1
    blocks = np.array_split(np.arange(n), n_blocks)
    steps = schedule_steps(pipeline_schedule(n_layers, n_blocks), blocks)
    assert sorted(steps) == sorted(online_order(n_layers, n))
    assert is_valid_order(steps, dependency_edges(n_layers, n, "local"))


@pytest.mark.parametrize("association,hebbian", [("hard", 0.0), ("soft", 0.0), ("none", 0.2)])
def test_run_pipelined_equals_online(mnist_35, association, hebbian):
    X, y = mnist_35[0][:300], mnist_35[1][:300]
    net = MLP((784, 30, 20, 2), seed=2)
    rule = LocalRule(0.02, seed=4, association=association, hebbian=hebbian)
    order = np.random.default_rng(3).permutation(300).astype(np.int64)
    online, piped = net.copy(), net.copy()
    rule.train_epoch(online, X, y, order)
    streams = run_pipelined(piped, rule, X, y, order, n_blocks=7)
    for u, v in zip(online.weights + online.biases, piped.weights + piped.biases):
        np.testing.assert_allclose(u, v, rtol=0, atol=1e-12)
    assert [s.shape for s in streams] == [(300, 784), (300, 30), (300, 20), (300, 2)]
    assert not np.allclose(online.weights[-1], net.weights[-1])  # training did happen


def test_run_pipelined_validates(tiny_net, tiny_data):
    X, y = tiny_data
    order = np.arange(len(y))
    with pytest.raises(ValueError, match="downstream weights"):
        run_pipelined(tiny_net, Backprop(0.1), X, y, order, 2)
    with pytest.raises(TypeError, match="rule"):
        run_pipelined(tiny_net, "local", X, y, order, 2)
    with pytest.raises(ValueError, match="n_blocks"):
        run_pipelined(tiny_net, LocalRule(0.1), X, y, order, len(y) + 1)
    with pytest.raises(ValueError, match="order"):
        run_pipelined(tiny_net, LocalRule(0.1), X, y, order + 100, 2)
    with pytest.raises(ValueError, match="X has 5 features|X has"):
        run_pipelined(tiny_net, LocalRule(0.1), X[:, :3], y, order, 2)


def test_plot_pipeline_schedule_draws_one_box_per_task():
    s = pipeline_schedule(3, 4)
    ax = plot_pipeline_schedule(s)
    labels = [t.get_text() for t in ax.texts]
    assert len(labels) == 3 * 4 and labels.count("block 0") == 3
    assert ax.get_xlabel() and ax.get_ylabel() == "" and len(ax.get_yticklabels()) == 3
    with pytest.raises(ValueError, match="schedule"):
        plot_pipeline_schedule(np.zeros(3))


@pytest.mark.parametrize("call,match", [
    (lambda: pipeline_schedule(3, 0), "n_blocks"),
])
def test_bad_arguments_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
