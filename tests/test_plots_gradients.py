"""Gradient figures: finite-difference check and update angles."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from localrule.plots.gradients import plot_gradient_check, plot_update_angles  # noqa: E402

pytestmark = pytest.mark.usefixtures("close_figures")


def test_gradient_check_plots_relative_errors_on_a_log_axis():
    analytic = np.array([1e-3, -0.2, 0.5])
    numeric = analytic * np.array([1 + 1e-8, 1.0, 1 - 1e-6])
    ax = plot_gradient_check(analytic, numeric, groups=["W_1", "W_1", "b_2"])
    assert ax.get_xlabel().strip() and ax.get_ylabel().strip() and ax.get_yscale() == "log"
    points = np.concatenate([c.get_offsets()[:, 1] for c in ax.collections])
    np.testing.assert_allclose(np.sort(points), [1e-16, 1e-8, 1e-6], rtol=1e-6)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[:2] == ["W_1", "b_2"] and "tolerance" in texts[2]


@pytest.mark.parametrize("args, kwargs, error, name", [
    ((np.ones(3), np.ones(2)), {}, ValueError, "numeric"),
    ((np.ones(3), np.ones(3)), dict(groups=["a"]), ValueError, "groups"),
    ((np.ones(3), np.ones(3)), dict(tol=0), ValueError, "tol"),
    ((np.ones(3), np.full(3, np.nan)), {}, ValueError, "numeric"),
])
def test_gradient_check_rejects_bad_input(args, kwargs, error, name):
    with pytest.raises(error, match=name):
        plot_gradient_check(*args, **kwargs)


def test_update_angles_plot():
    rng = np.random.default_rng(0)
    runs = [np.column_stack([90 - 5 * np.arange(6) + rng.normal(0, 1, 6),
                             80 - 4 * np.arange(6), np.zeros(6)]) for _ in range(3)]
    ax = plot_update_angles(runs)
    lines = [line for line in ax.get_lines() if line.get_label().endswith("3 seeds)")]
    assert len(lines) == 3
    np.testing.assert_allclose(lines[2].get_data()[1], 0.0)
    np.testing.assert_allclose(lines[1].get_data()[1], 80 - 4 * np.arange(6))
    assert len(ax.collections) == 3
    assert "degrees" in ax.get_ylabel() and "epoch" in ax.get_xlabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("output layer" in t for t in labels) and any("90" in t for t in labels)
    ax = plot_update_angles(runs[0])  # one seed, one array
    assert ax.get_lines()[0].get_label() == "hidden layer 1 (1 seed)"
    with pytest.raises(ValueError, match="angles"):
        plot_update_angles([runs[0], runs[1][:3]])
    with pytest.raises(ValueError, match="degrees"):
        plot_update_angles([runs[0] * 3])
    with pytest.raises(ValueError, match="layer_names"):
        plot_update_angles(runs, layer_names=["a"])
