"""Shared figure style: one rule table, seed legends, and the mean-and-spread band."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from localrule.plots.style import (MAX_MARKED_POINTS, RULE_COLORS, RULE_NAMES,  # noqa: E402
                                   new_axes, plot_mean_and_spread, seeds_label)

pytestmark = pytest.mark.usefixtures("close_figures")


def test_every_rule_has_a_colour_and_a_name():
    assert set(RULE_COLORS) == set(RULE_NAMES) == {"local", "bp"}
    assert len(set(RULE_COLORS.values())) == len(RULE_COLORS)


@pytest.mark.parametrize("n, spread, expected", [
    (3, "std", "local rule (mean ± std, 3 seeds)"),
    (1, "std", "local rule (1 seed)"),
    (2, "range", "local rule (mean of 2 seeds)"),
    (1, "range", "local rule"),
])
def test_seeds_label(n, spread, expected):
    assert seeds_label("local rule", n, spread) == expected


def test_mean_and_range_band():
    _, ax = plt.subplots()
    runs = np.array([[0.1, 0.5, 0.2], [0.3, 0.9, 0.4]])
    line = plot_mean_and_spread(ax, [1, 2, 3], runs, "train", spread="range", color="C3",
                                linestyle="--")
    np.testing.assert_allclose(line.get_ydata(), [0.2, 0.7, 0.3])
    assert line.get_linestyle() == "--" and line.get_marker() == "o"
    (band,) = ax.collections
    ys = band.get_paths()[0].vertices[:, 1]
    assert np.isclose(ys.min(), 0.1) and np.isclose(ys.max(), 0.9)


def test_mean_and_std_band_and_single_run():
    _, ax = plt.subplots()
    runs = np.array([[0.0, 1.0], [1.0, 1.0]])
    plot_mean_and_spread(ax, [0, 1], runs, "layer", spread="std")
    ys = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert np.isclose(ys.max(), 0.5 + np.sqrt(0.5)) and np.isclose(ys.min(), 0.5 - np.sqrt(0.5))
    line = plot_mean_and_spread(ax, np.arange(MAX_MARKED_POINTS + 1),
                                np.ones((1, MAX_MARKED_POINTS + 1)), "long", spread="std")
    assert len(ax.collections) == 1  # one run: no band
    assert line.get_marker() in (None, "None", "")  # too many points for markers
    assert line.get_label() == "long (1 seed)"


def test_bad_arguments_name_the_argument():
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="spread"):
        plot_mean_and_spread(ax, [0], [[1.0]], "x", spread="iqr")
    with pytest.raises(TypeError, match="ax"):
        new_axes("left")
    assert new_axes(ax) is ax
