"""Robustness figures of chapter 7: what they draw, their labels, and their argument checks."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from localrule import MLP, fgsm  # noqa: E402
from localrule.experiments import EPS_GRID, metric_columns  # noqa: E402
from localrule.plots.robustness import (plot_accuracy_vs_eps,  # noqa: E402
                                        plot_adversarial_examples, plot_metric_scatter)

pytestmark = pytest.mark.usefixtures("close_figures")


def synthetic_rows(task="mnist 3v5", seeds=(0, 1, 2)):
    """Rows shaped like experiments.run_task output, with known values per rule and seed."""
    rows = []
    for seed in seeds:
        for rule, base in (("local", 0.9), ("bp", 0.8)):
            row = {"task": task, "rule": rule, "seed": seed, "clean_accuracy": 0.95 + 0.01 * seed}
            for column in metric_columns():
                eps = float(column.split("_")[1])
                row[column] = base - eps + 0.01 * seed
            rows.append(row)
    return rows


def errorbar_containers(ax):
    return [c for c in ax.containers if isinstance(c, matplotlib.container.ErrorbarContainer)]


def test_accuracy_vs_eps_draws_mean_and_error_bars():
    rows = synthetic_rows() + synthetic_rows(task="mnist 4v9")
    ax = plot_accuracy_vs_eps(rows, "mnist 3v5", attack="pgd")
    bars = errorbar_containers(ax)
    assert len(bars) == 2
    for bar, base in zip(bars, (0.9, 0.8)):
        x, mean = bar.lines[0].get_data()
        np.testing.assert_allclose(x, [0.0, *EPS_GRID])
        # eps = 0 is the clean accuracy; seeds 0, 1, 2 add 0, 0.01, 0.02 (mean 0.01)
        np.testing.assert_allclose(mean, [0.96] + [base - e + 0.01 for e in EPS_GRID])
        assert bar.has_yerr
        segments = bar.lines[2][0].get_segments()
        half = [abs(seg[1][1] - seg[0][1]) / 2 for seg in segments]
        np.testing.assert_allclose(half, 0.01, rtol=1e-9)  # sample std of 0, .01, .02
    assert "eps" in ax.get_xlabel() and "[0, 1]" in ax.get_xlabel()
    assert "accuracy" in ax.get_ylabel() and "fraction" in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("local" in t for t in labels) and any("backprop" in t for t in labels)
    assert "PGD" in ax.get_title() and "3v5" in ax.get_title()


@pytest.mark.parametrize("attack", ["fgsm", "transfer", "noise"])
def test_accuracy_vs_eps_every_attack_and_given_axes(attack):
    fig, ax = plt.subplots()
    assert plot_accuracy_vs_eps(synthetic_rows(), "mnist 3v5", attack=attack, ax=ax) is ax
    assert len(errorbar_containers(ax)) == 2


def test_accuracy_vs_eps_subset_of_eps():
    ax = plot_accuracy_vs_eps(synthetic_rows(), "mnist 3v5", eps_list=(0.1, 0.3))
    x, _ = errorbar_containers(ax)[0].lines[0].get_data()
    np.testing.assert_allclose(x, [0.0, 0.1, 0.3])
    ax = plot_accuracy_vs_eps(synthetic_rows(), "mnist 3v5", eps_list=(0.0, 0.1))
    x, y = errorbar_containers(ax)[0].lines[0].get_data()
    np.testing.assert_allclose(x, [0.0, 0.1])  # eps = 0 is drawn once, as the clean accuracy
    np.testing.assert_allclose(y, [0.96, 0.81])


def test_accuracy_vs_eps_single_seed_has_zero_error():
    ax = plot_accuracy_vs_eps(synthetic_rows(seeds=(0,)), "mnist 3v5")
    for bar in errorbar_containers(ax):
        segments = bar.lines[2][0].get_segments()
        assert all(seg[0][1] == seg[1][1] for seg in segments)


def test_accuracy_vs_eps_bad_arguments():
    rows = synthetic_rows()
    with pytest.raises(ValueError, match="task"):
        plot_accuracy_vs_eps(rows, "mnist 1v7")
    with pytest.raises(ValueError, match="attack"):
        plot_accuracy_vs_eps(rows, "mnist 3v5", attack="cw")
    with pytest.raises(ValueError, match="eps_list"):
        plot_accuracy_vs_eps(rows, "mnist 3v5", eps_list=(0.15,))
    with pytest.raises(ValueError, match="eps_list"):
        plot_accuracy_vs_eps(rows, "mnist 3v5", eps_list=(-0.1, 0.1))
    with pytest.raises(ValueError, match="rows"):
        plot_accuracy_vs_eps([], "mnist 3v5")
    with pytest.raises(TypeError, match="rows"):
        plot_accuracy_vs_eps({"task": "mnist 3v5"}, "mnist 3v5")
    with pytest.raises(TypeError, match="ax"):
        plot_accuracy_vs_eps(rows, "mnist 3v5", ax="left")


@pytest.fixture
def image_nets():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, size=(20, 16))
    nets = {"local": MLP((16, 5, 5, 2), seed=1), "bp": MLP((16, 5, 5, 2), seed=2)}
    y = nets["local"].predict(X)
    return nets, X, y


def test_adversarial_examples_grid(image_nets):
    nets, X, y = image_nets
    fig = plot_adversarial_examples(nets, X, y, 0.2, n=3, image_shape=(4, 4), seed=1,
                                    class_names=("three", "five"))
    image_axes = [ax for ax in fig.axes if ax.images]
    assert len(image_axes) == 3 * 5
    titles = [ax.get_title() for ax in image_axes]
    assert sum("clean" in t for t in titles) == 3
    assert sum("perturbation" in t for t in titles) == 6
    assert sum("adversarial" in t and "predicts" in t for t in titles) == 6
    assert all(("three" in t or "five" in t) for t in titles if "predicts" in t)
    # the perturbation column shows exactly fgsm(x) - x of the network named in its title
    first_row = image_axes[:5]
    shown = first_row[1].images[0].get_array().reshape(-1)
    chosen = [i for i in range(len(X))
              if np.allclose(first_row[0].images[0].get_array().reshape(-1), X[i])]
    assert len(chosen) == 1
    i = chosen[0]
    expected = fgsm(nets["local"], X[i:i + 1], y[i:i + 1], 0.2)[0] - X[i]
    np.testing.assert_allclose(shown, expected)
    assert np.max(np.abs(shown)) <= 0.2 + 1e-12
    assert any("pixel units" in ax.get_xlabel() for ax in fig.axes)  # the colour bar


def test_adversarial_examples_bad_arguments(image_nets):
    nets, X, y = image_nets
    kwargs = dict(image_shape=(4, 4))
    with pytest.raises(ValueError, match="eps"):
        plot_adversarial_examples(nets, X, y, 0.0, **kwargs)
    with pytest.raises(ValueError, match="n must"):
        plot_adversarial_examples(nets, X, y, 0.1, n=21, **kwargs)
    with pytest.raises(ValueError, match="image_shape"):
        plot_adversarial_examples(nets, X, y, 0.1, image_shape=(28, 28))
    with pytest.raises(ValueError, match="X"):
        plot_adversarial_examples(nets, X + 1.0, y, 0.1, **kwargs)
    with pytest.raises(ValueError, match="y"):
        plot_adversarial_examples(nets, X, y[:-1], 0.1, **kwargs)
    with pytest.raises(TypeError, match="nets"):
        plot_adversarial_examples({"local": "net"}, X, y, 0.1, **kwargs)
    with pytest.raises(ValueError, match="class_names"):
        plot_adversarial_examples(nets, X, y, 0.1, class_names=("a",), **kwargs)


def test_metric_scatter_one_point_per_row():
    rows = synthetic_rows() + synthetic_rows(task="mnist 4v9")
    for i, row in enumerate(rows):
        row["grad_norm"] = 0.5 + 0.1 * i
    ax = plot_metric_scatter(rows, x="grad_norm", y="fgsm_0.1")
    offsets = np.vstack([c.get_offsets() for c in ax.collections])
    assert offsets.shape == (len(rows), 2)
    np.testing.assert_allclose(sorted(offsets[:, 0]), [r["grad_norm"] for r in rows])
    assert "gradient" in ax.get_xlabel() and "eps = 0.1" in ax.get_ylabel()
    assert "fraction" in ax.get_ylabel()
    assert len(ax.get_legend().get_texts()) == 4  # 2 rules x 2 tasks
    with pytest.raises(ValueError, match="x"):
        plot_metric_scatter(rows, x="lipschitz")
    with pytest.raises(TypeError, match="y"):
        plot_metric_scatter(rows, y=3)
