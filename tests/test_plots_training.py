"""Learning curves: one model or one curve per rule, lines, bands, labels and checks."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from localrule import History, LocalRule, MLP, fit  # noqa: E402
from localrule.plots.training import (plot_learning_curves,  # noqa: E402
                                      plot_learning_curves_by_rule)

pytestmark = pytest.mark.usefixtures("close_figures")


def history(values, test=True):
    h = History()
    for v in values:
        h.train_accuracy.append(v)
        h.train_loss.append(1.0 - v)
        if test:
            h.test_accuracy.append(v - 0.05)
            h.test_loss.append(1.05 - v)
        h.seconds.append(0.01)
    return h


def test_learning_curves_of_one_run_have_labelled_axes_and_both_lines():
    ax = plot_learning_curves(history([0.5, 0.7, 0.9]), label="local rule")
    assert isinstance(ax, matplotlib.axes.Axes)
    assert ax.get_xlabel().startswith("epoch") and "fraction correct" in ax.get_ylabel()
    lines = ax.get_lines()
    assert len(lines) == 2
    np.testing.assert_allclose(lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(lines[0].get_ydata(), [0.5, 0.7, 0.9])
    np.testing.assert_allclose(lines[1].get_ydata(), [0.45, 0.65, 0.85])
    assert lines[1].get_linestyle() == "--"
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["local rule, train", "local rule, test"]


def test_learning_curves_of_several_seeds_draw_the_mean_and_a_band():
    _, ax = plt.subplots()
    out = plot_learning_curves([history([0.4, 0.6]), history([0.6, 1.0])], ax=ax,
                               which=("test",), metric="loss")
    assert out is ax and ax.get_xlabel().strip() and ax.get_ylabel().strip()
    assert "nats" in ax.get_ylabel()
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), [0.55, 0.25])  # mean of 1.05 - v
    assert len(ax.collections) == 1  # the min-max band
    assert "mean of 2 seeds" in ax.get_legend().get_texts()[0].get_text()


def test_learning_curves_from_a_real_fit():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, size=(20, 4))
    y = (X[:, 0] > 0.5).astype(int)
    net = MLP((4, 3, 3, 2), seed=0)
    h = fit(net, LocalRule(eta=0.1), X, y, epochs=3, X_test=X, y_test=y, progress=False)
    ax = plot_learning_curves(h)
    assert ax.get_xlabel().strip() and ax.get_ylabel().strip() and len(ax.get_lines()) == 2


@pytest.mark.parametrize("call, error, name", [
    (lambda: plot_learning_curves([]), ValueError, "histories"),
    (lambda: plot_learning_curves({"a": 1}), TypeError, "histories"),
    (lambda: plot_learning_curves([history([0.5]), 3]), TypeError, "histories[1]"),
    (lambda: plot_learning_curves([history([0.5]), history([0.5, 0.6])]), ValueError,
     "histories"),
    (lambda: plot_learning_curves(history([0.5], test=False)), ValueError, "test"),
    (lambda: plot_learning_curves(history([0.5]), metric="speed"), ValueError, "metric"),
    (lambda: plot_learning_curves(history([0.5]), which=("valid",)), ValueError, "which"),
    (lambda: plot_learning_curves(history([0.5]), ax="axes"), TypeError, "ax"),
])
def test_learning_curves_reject_bad_input(call, error, name):
    with pytest.raises(error, match=name.replace("[", r"\[").replace("]", r"\]")):
        call()


def test_learning_curves_by_rule_band_is_mean_plus_minus_std():
    histories = {"local": [history([0.5, 0.7, 0.8]), history([0.6, 0.8, 0.9])],
                 "bp": [history([0.6, 0.9, 0.95]), history([0.6, 0.9, 0.95])]}
    ax = plot_learning_curves_by_rule(histories)
    lines = ax.get_lines()
    assert len(lines) == 2
    x, mean = lines[0].get_data()
    np.testing.assert_allclose(x, [1, 2, 3])
    np.testing.assert_allclose(mean, [0.5, 0.7, 0.8])  # test accuracy = train - 0.05
    bands = ax.collections
    assert len(bands) == 2
    top = bands[0].get_paths()[0].vertices[:, 1]
    std = 0.1 / np.sqrt(2)  # sample std of (x, x + 0.1)
    assert np.isclose(top.max(), 0.8 + std)
    assert "epoch" in ax.get_xlabel()
    assert "test accuracy" in ax.get_ylabel() and "fraction" in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("local" in t for t in labels) and any("backprop" in t for t in labels)


def test_learning_curves_by_rule_loss_metric_and_one_rule():
    ax = plot_learning_curves_by_rule({"bp": [history([0.5, 0.6])]}, metric="train_loss")
    assert "loss" in ax.get_ylabel() and "nats" in ax.get_ylabel()
    np.testing.assert_allclose(ax.get_lines()[0].get_data()[1], [0.5, 0.4])


def test_learning_curves_by_rule_bad_arguments():
    good = [history([0.5, 0.6])]
    with pytest.raises(ValueError, match="metric"):
        plot_learning_curves_by_rule({"local": good}, metric="f1")
    with pytest.raises(ValueError, match="histories"):
        plot_learning_curves_by_rule({"hebb": good})
    with pytest.raises(ValueError, match="histories"):
        plot_learning_curves_by_rule({"local": []})
    with pytest.raises(ValueError, match="epochs"):
        plot_learning_curves_by_rule({"local": [history([0.5]), history([0.5, 0.6])]})
    with pytest.raises(TypeError, match="histories"):
        plot_learning_curves_by_rule([good])
    with pytest.raises(TypeError, match="History"):
        plot_learning_curves_by_rule({"local": [{"test_accuracy": [0.5]}]})
    with pytest.raises(ValueError, match="test_accuracy"):
        plot_learning_curves_by_rule({"local": [History(train_accuracy=[0.5])]})


def test_learning_curves_with_a_std_band_name_the_part_drawn():
    runs = [history([0.5, 0.7]), history([0.7, 0.9])]
    ax = plot_learning_curves(runs, which="train", label="local rule", spread="std")
    (line,) = ax.get_lines()
    assert line.get_linestyle() == "-"  # one part: nothing to tell apart
    assert line.get_label() == "local rule (mean ± std, 2 seeds)"
    assert ax.get_ylabel().startswith("train accuracy")
    top = ax.collections[0].get_paths()[0].vertices[:, 1].max()
    assert np.isclose(top, 0.8 + 0.1 * np.sqrt(2))
    with pytest.raises(ValueError, match="spread"):
        plot_learning_curves(runs, spread="minmax")


def test_learning_curves_by_rule_keep_the_callers_order_and_name_the_rule_in_errors():
    ax = plot_learning_curves_by_rule({"bp": [history([0.6])], "local": [history([0.5])]})
    assert [line.get_color() for line in ax.get_lines()] == ["C1", "C0"]
    with pytest.raises(ValueError, match=r"histories\['bp'\]"):
        plot_learning_curves_by_rule({"local": [history([0.5])], "bp": []})
