"""Ablation runner (chapter 9): records, summaries, the variants really differ, bad input."""

import numpy as np
import pytest

from localrule import Backprop, LocalRule, MLP
from localrule import ablations as A


@pytest.fixture(scope="module")
def small_pair(mnist_35):
    """A 200/100 subset of 3 vs 5, the same for every seed (keeps the tests fast)."""
    X_train, y_train, X_test, y_test = mnist_35
    return X_train[:200], y_train[:200], X_test[:100], y_test[:100]


@pytest.fixture(scope="module")
def records(small_pair):
    variants = {k: A.ABLATIONS[k] for k in ("hard association (default)",
                                            "no hidden association", "backprop")}
    return A.run_variants(lambda seed: small_pair, variants, seeds=(0, 1), epochs=3,
                          hidden=(32, 16))


def test_records_have_every_field(records):
    assert len(records) == 2 * 3
    for r in records:
        assert set(r) == {"variant", "seed", "test_accuracy", "train_accuracy", "test_curve",
                          "hidden_spread", "seconds"}
        assert 0.0 <= r["test_accuracy"] <= 1.0 and len(r["test_curve"]) == 3
        assert r["test_curve"][-1] == r["test_accuracy"]
        assert r["hidden_spread"] >= 0.0 and r["seconds"] > 0.0
    assert [r["seed"] for r in records] == [0, 0, 0, 1, 1, 1]


def test_default_rule_learns_on_small_settings(records):
    hard = [r["test_accuracy"] for r in records if r["variant"] == "hard association (default)"]
    assert min(hard) >= 0.8


def test_runs_are_reproducible(small_pair, records):
    again = A.run_variants(lambda seed: small_pair, {"backprop": ("bp", {})}, seeds=(1,),
                           epochs=3, hidden=(32, 16))
    first = [r for r in records if r["variant"] == "backprop" and r["seed"] == 1][0]
    assert again[0]["test_curve"] == first["test_curve"]


def test_no_association_leaves_hidden_layers_at_their_initial_weights(small_pair):
    X, y = small_pair[0], small_pair[1]
    rule = A.make_rule("local", {"association": "none"}, seed=0)
    net = MLP((784, 16, 8, 2), seed=0)
    before = [W.copy() for W in net.weights]
    rule.train_epoch(net, X, y, np.arange(len(y), dtype=np.int64))
    for W, W0 in zip(net.weights[:-1], before[:-1]):
        np.testing.assert_array_equal(W, W0)
    assert not np.array_equal(net.weights[-1], before[-1])


def test_make_rule_builds_the_variant():
    r = A.make_rule("local", {"association": "soft", "beta": 2.0, "eta": 0.3}, seed=4)
    assert isinstance(r, LocalRule) and r.association_kind == "soft" and r.beta == 2.0
    assert r.eta == 0.3 and r.seed == 4
    assert A.make_rule("local", {"hebbian": 0.1}).hebbian == 0.1
    bp = A.make_rule("bp", {}, eta_bp=0.2)
    assert isinstance(bp, Backprop) and bp.eta == 0.2
    with pytest.raises(TypeError, match="options"):
        A.make_rule("bp", {"beta": 2.0})
    with pytest.raises(TypeError, match="options"):
        A.make_rule("local", {"momentum": 0.9})
    with pytest.raises(ValueError, match="kind"):
        A.make_rule("dfa", {})


def test_summarize_and_table(records):
    summary = A.summarize(records)
    assert [r["variant"] for r in summary] == ["hard association (default)",
                                                "no hidden association", "backprop"]
    for row in summary:
        vals = [r["test_accuracy"] for r in records if r["variant"] == row["variant"]]
        assert row["n"] == 2
        assert row["test_accuracy_mean"] == pytest.approx(np.mean(vals))
        assert row["test_accuracy_std"] == pytest.approx(np.std(vals, ddof=1))
        assert row["test_accuracy_min"] == min(vals)
    table = A.format_table(summary)
    assert table.count("\n") == 2 + len(summary) - 1 and "±" in table
    one = A.summarize(records[:1])
    assert one[0]["test_accuracy_std"] == 0.0


def test_hidden_spread_of_a_constant_layer_is_zero(small_pair):
    net = MLP((784, 5, 4, 2), seed=0)
    net.weights[1][:] = 0.0  # the last hidden layer then outputs sigmoid(0) for every input
    assert A.hidden_spread(net, small_pair[2]) == 0.0
    assert A.hidden_spread(MLP((784, 5, 4, 2), seed=0), small_pair[2]) > 0.0


def test_layer_spreads(small_pair):
    net = MLP((784, 5, 4, 2), seed=0)
    X = small_pair[2]
    spreads = A.layer_spreads(net, X)
    assert spreads.shape == (4,)
    assert spreads[0] == pytest.approx(np.mean(np.std(X, axis=0)))
    assert spreads[2] == A.hidden_spread(net, X)
    with pytest.raises(ValueError, match="X needs at least 2"):
        A.layer_spreads(net, X[:1])
    with pytest.raises(TypeError, match="net"):
        A.layer_spreads("net", X)


def test_plot_variants(records):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = A.plot_variants(records, reference="backprop")
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "hard association (default)", "no hidden association", "backprop"]
    assert "fraction" in ax.get_xlabel()
    with pytest.raises(ValueError, match="reference"):
        A.plot_variants(records, reference="nope")
    with pytest.raises(ValueError, match="metric"):
        A.plot_variants(records, metric="loss")
    plt.close("all")


def test_run_multiclass_uses_ten_outputs(monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(60, 784))
    y = np.arange(60) % 10
    monkeypatch.setattr(A, "load_mnist", lambda seed, source: (X, y, X[:20], y[:20]))
    recs = A.run_multiclass(seeds=(0,), epochs=1, hidden=(6, 5))
    assert [r["variant"] for r in recs] == ["local rule", "backprop"]


@pytest.mark.parametrize("kwargs,exc,match", [
    ({"seeds": ()}, ValueError, "seeds"),
    ({"seeds": (0, 0)}, ValueError, "seeds"),
    ({"seeds": (-1,)}, ValueError, "seeds"),
    ({"epochs": 0}, ValueError, "epochs"),
    ({"hidden": "100"}, TypeError, "hidden"),
    ({"eta_local": 0.0}, ValueError, "eta_local"),
    ({"variants": {}}, TypeError, "variants"),
    ({"variants": {"x": ("dfa", {})}}, ValueError, "kind"),
    ({"variants": {"x": "local"}}, TypeError, "variants"),
])
def test_run_variants_validates(small_pair, kwargs, exc, match):
    args = {"load": lambda seed: small_pair, "variants": {"b": ("bp", {})}, "seeds": (0,),
            "epochs": 1, "hidden": (4, 4)}
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        A.run_variants(**args)


def test_run_variants_needs_a_callable_loader(small_pair):
    with pytest.raises(TypeError, match="load"):
        A.run_variants(small_pair, {"b": ("bp", {})})


def test_run_ablation_validates_pair():
    with pytest.raises(ValueError, match="pair"):
        A.run_ablation(pair=(3,))
    with pytest.raises(ValueError, match="b must be a different class"):
        A.run_ablation(pair=(3, 3))
    with pytest.raises(ValueError, match="source"):
        A.run_multiclass(source="web")


def test_blas_thread_limit_is_restored(small_pair):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    before = [p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
    A.run_variants(lambda seed: small_pair, {"b": ("bp", {})}, seeds=(0,), epochs=1,
                   hidden=(4, 4))
    after = [p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
    assert before == after
