"""Parallel schedules of the local rule (chapter 8): dependencies, equality, pipeline, costs."""

import numpy as np
import pytest

from localrule import Backprop, LocalRule, MLP, fit
from localrule import parallel as P
from localrule._numba import get_num_threads

BOOK_SIZES = (784, 100, 100, 2)


# ----------------------------------------------------------------------------- dependencies
def test_local_dependencies_are_acyclic_and_bp_ones_are_not():
    assert P.is_acyclic(P.dependency_edges(3, 5, "local"))
    assert not P.is_acyclic(P.dependency_edges(3, 5, "bp"))
    # one layer has nothing above it: backprop is then as free as the local rule
    assert P.is_acyclic(P.dependency_edges(1, 5, "bp"))


def test_edge_counts():
    L, n = 3, 4
    local = P.dependency_edges(L, n, "local")
    bp = P.dependency_edges(L, n, "bp")
    assert len(local) == n * (L - 1) + L * (n - 1)
    assert len(bp) == len(local) + n * (L - 1)
    assert ((2, 0), (1, 0)) in bp and ((2, 0), (1, 0)) not in local


def test_layerwise_and_online_orders_are_valid_for_local_only():
    local, bp = P.dependency_edges(3, 6, "local"), P.dependency_edges(3, 6, "bp")
    assert P.is_valid_order(P.online_order(3, 6), local)
    assert P.is_valid_order(P.layerwise_order(3, 6), local)
    assert not P.is_valid_order(P.layerwise_order(3, 6), bp)
    assert not P.is_valid_order(P.online_order(3, 6), bp)  # a step is not one unit for bp


def test_is_valid_order_rejects_bad_step_lists():
    edges = P.dependency_edges(2, 2)
    with pytest.raises(ValueError, match="twice"):
        P.is_valid_order([(1, 0), (1, 0), (1, 1), (2, 0), (2, 1)], edges)
    with pytest.raises(ValueError, match="missing"):
        P.is_valid_order([(1, 0), (1, 1)], edges)


# ----------------------------------------------------------------------------- pipeline
def test_pipeline_schedule_shape_and_content():
    s = P.pipeline_schedule(3, 5)
    assert s.shape == (7, 3)
    for l in range(3):
        assert list(s[s[:, l] >= 0, l]) == list(range(5))  # each layer does every block in order
        assert np.flatnonzero(s[:, l] == 0)[0] == l          # layer l starts l slots late
    np.testing.assert_array_equal(s[2], [2, 1, 0])


@pytest.mark.parametrize("n_layers,n_blocks", [(1, 1), (3, 1), (3, 4), (4, 9)])
def test_pipeline_order_respects_local_dependencies(n_layers, n_blocks):
    n = 2 * n_blocks + 1
    blocks = np.array_split(np.arange(n), n_blocks)
    steps = P.schedule_steps(P.pipeline_schedule(n_layers, n_blocks), blocks)
    assert sorted(steps) == sorted(P.online_order(n_layers, n))
    assert P.is_valid_order(steps, P.dependency_edges(n_layers, n, "local"))


@pytest.mark.parametrize("association,hebbian", [("hard", 0.0), ("soft", 0.0), ("none", 0.2)])
def test_run_pipelined_equals_online(mnist_35, association, hebbian):
    X, y = mnist_35[0][:300], mnist_35[1][:300]
    net = MLP((784, 30, 20, 2), seed=2)
    rule = LocalRule(0.02, seed=4, association=association, hebbian=hebbian)
    order = np.random.default_rng(3).permutation(300).astype(np.int64)
    online, piped = net.copy(), net.copy()
    rule.train_epoch(online, X, y, order)
    streams = P.run_pipelined(piped, rule, X, y, order, n_blocks=7)
    for u, v in zip(online.weights + online.biases, piped.weights + piped.biases):
        np.testing.assert_allclose(u, v, rtol=0, atol=1e-12)
    assert [s.shape for s in streams] == [(300, 784), (300, 30), (300, 20), (300, 2)]
    assert not np.allclose(online.weights[-1], net.weights[-1])  # training did happen


def test_run_pipelined_validates(tiny_net, tiny_data):
    X, y = tiny_data
    order = np.arange(len(y))
    with pytest.raises(ValueError, match="downstream weights"):
        P.run_pipelined(tiny_net, Backprop(0.1), X, y, order, 2)
    with pytest.raises(TypeError, match="rule"):
        P.run_pipelined(tiny_net, "local", X, y, order, 2)
    with pytest.raises(ValueError, match="n_blocks"):
        P.run_pipelined(tiny_net, LocalRule(0.1), X, y, order, len(y) + 1)
    with pytest.raises(ValueError, match="order"):
        P.run_pipelined(tiny_net, LocalRule(0.1), X, y, order + 100, 2)
    with pytest.raises(ValueError, match="X has 5 features|X has"):
        P.run_pipelined(tiny_net, LocalRule(0.1), X[:, :3], y, order, 2)


def test_plot_pipeline_schedule_draws_one_box_per_task():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = P.pipeline_schedule(3, 4)
    ax = P.plot_pipeline_schedule(s)
    labels = [t.get_text() for t in ax.texts]
    assert len(labels) == 3 * 4 and labels.count("block 0") == 3
    assert ax.get_xlabel() and ax.get_ylabel() == "" and len(ax.get_yticklabels()) == 3
    with pytest.raises(ValueError, match="schedule"):
        P.plot_pipeline_schedule(np.zeros(3))
    ax2 = P.plot_dependencies(3, 3, "bp")
    assert ax2.get_xlabel().startswith("sample") and ax2.get_ylabel() == "layer l"
    plt.close("all")


# ----------------------------------------------------------------------------- equality and speed
def test_compare_schedules_gives_identical_weights(mnist_35):
    X, y = mnist_35[0][:200], mnist_35[1][:200]
    net = MLP((784, 20, 10, 2), seed=1)
    online, layerwise, diff = P.compare_schedules(net, LocalRule(0.02, seed=1), X, y, epochs=2)
    assert diff <= 1e-12
    assert np.allclose(net.weights[0], MLP((784, 20, 10, 2), seed=1).weights[0])  # untouched
    with pytest.raises(ValueError, match="downstream weights"):
        P.compare_schedules(net, Backprop(0.1), X, y)


def test_measure_speedup_small_run_restores_threads():
    before = get_num_threads()
    result = P.measure_speedup(n=200, threads=64, repeats=2, sizes=(784, 12, 6, 2))
    assert get_num_threads() == before
    assert 1 <= result.threads <= P.max_threads()
    assert len(result.serial_times) == len(result.parallel_times) == 2
    assert result.serial_s > 0 and result.parallel_s > 0 and np.isfinite(result.speedup)
    assert result.max_diff <= 1e-12
    d = result.to_dict()
    assert d["speedup"] == pytest.approx(result.serial_s / result.parallel_s)


@pytest.mark.parametrize("kwargs,match", [({"n": 3}, "n must be >= 8"),
                                          ({"threads": 0}, "threads"),
                                          ({"sizes": (10, 5, 2)}, "sizes must start with 784"),
                                          ({"n": 10 ** 6}, "n must be <="),
                                          ({"eta": -1.0}, "eta")])
def test_measure_speedup_validates(kwargs, match):
    with pytest.raises(ValueError, match=match):
        P.measure_speedup(repeats=1, **kwargs)


def test_ideal_speedup_formula():
    assert P.ideal_speedup(BOOK_SIZES, 1) == 1.0
    assert P.ideal_speedup(BOOK_SIZES, 2) == pytest.approx(2.0)
    # 3 threads: blocks of 34, 34 and 2 neurons (rounded up), output 1 neuron each
    expect = (784 * 100 + 100 * 100 + 100 * 2) / (34 * 784 + 34 * 100 + 1 * 100)
    assert P.ideal_speedup(BOOK_SIZES, 3) == pytest.approx(expect)
    assert P.ideal_speedup((4, 1, 1), 8) == 1.0  # one neuron per layer: nothing to split


# ----------------------------------------------------------------------------- cost models
def test_layer_costs():
    np.testing.assert_allclose(P.layer_costs(BOOK_SIZES), [156800, 20000, 400])
    np.testing.assert_allclose(P.layer_costs(BOOK_SIZES, "bp"), [156800, 30000, 600])
    with pytest.raises(ValueError, match="rule"):
        P.layer_costs(BOOK_SIZES, "dfa")


def test_pipeline_speedup_equal_stages_and_limit():
    costs = np.ones(3)
    for B in (1, 2, 10):
        assert P.pipeline_speedup(costs, B) == pytest.approx(3 * B / (B + 2))
    c = P.layer_costs(BOOK_SIZES)
    assert P.pipeline_speedup(c, 10 ** 6) == pytest.approx(c.sum() / c.max(), rel=1e-4)
    assert P.pipeline_time(c, 1) == pytest.approx(c.sum())


def test_balance_workers():
    c = P.layer_costs(BOOK_SIZES)
    m = P.balance_workers(c, 8)
    assert sum(m) == 8 and m[0] == 6
    assert P.pipeline_speedup(c, 10 ** 6, m) > P.pipeline_speedup(c, 10 ** 6)
    assert P.balance_workers(c, 8, max_per_layer=(2, 100, 2)) == (2, 5, 1)
    capped = P.balance_workers(c, 300, max_per_layer=(100, 100, 2))
    assert capped == (100, 100, 2)
    with pytest.raises(ValueError, match="n_workers"):
        P.balance_workers(c, 2)
    with pytest.raises(ValueError, match="costs"):
        P.balance_workers([1.0, 0.0], 4)


def test_communication_per_sample_book_network():
    c = P.communication_per_sample(BOOK_SIZES)
    assert c["local"] == {"activities": 984, "errors": 0, "labels": 3, "wait_hops": 0,
                          "total": 987}
    assert c["bp"] == {"activities": 984, "errors": 200, "labels": 1, "wait_hops": 4,
                       "total": 1185}
    spread = P.communication_per_sample(BOOK_SIZES, machines=(4, 2, 1))
    assert spread["local"]["activities"] == 784 * 4 + 100 * 2 + 100 * 1
    assert spread["bp"]["errors"] == 100 * 2 + 100 * 1
    with pytest.raises(ValueError, match="machines"):
        P.communication_per_sample(BOOK_SIZES, machines=(1, 1))


def test_time_per_sample_model():
    t0 = P.time_per_sample(BOOK_SIZES, latency=0.0, rate=1e9)
    assert t0["local"] == pytest.approx(156800 / 1e9)
    assert t0["bp"] == pytest.approx((156800 + 30000 + 600) / 1e9)
    t1 = P.time_per_sample(BOOK_SIZES, latency=1e-3, rate=1e9)
    assert t1["local"] == t0["local"]                       # latency hidden by the pipeline
    assert t1["bp"] == pytest.approx(t0["bp"] + 4e-3)         # round trip paid every sample
    with pytest.raises(ValueError, match="rate"):
        P.time_per_sample(BOOK_SIZES, 0.0, 0.0)
    with pytest.raises(ValueError, match="latency"):
        P.time_per_sample(BOOK_SIZES, -1.0, 1e9)


@pytest.mark.parametrize("call,match", [
    (lambda: P.dependency_edges(0, 3), "n_layers"),
    (lambda: P.dependency_edges(2, 3, "adam"), "rule"),
    (lambda: P.pipeline_schedule(3, 0), "n_blocks"),
    (lambda: P.ideal_speedup((784,), 2), "sizes"),
    (lambda: P.pipeline_time([1.0, 2.0], 3, workers=(1,)), "workers"),
])
def test_bad_arguments_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_layerwise_fit_matches_compare_schedules(mnist_35):
    """compare_schedules uses the same public path as fit(schedule=...)."""
    X, y = mnist_35[0][:100], mnist_35[1][:100]
    net = MLP((784, 8, 6, 2), seed=0)
    rule = LocalRule(0.05, seed=0)
    _, layerwise, _ = P.compare_schedules(net, rule, X, y, epochs=1, seed=3)
    ref = net.copy()
    fit(ref, rule, X, y, epochs=1, seed=3, progress=False, schedule="layerwise")
    for u, v in zip(ref.weights, layerwise.weights):
        np.testing.assert_array_equal(u, v)
