"""Hidden-unit figures: receptive fields, association wiring, activities by target."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from localrule import LocalRule, MLP  # noqa: E402
from localrule.plots.hidden_units import (plot_activity_by_target, plot_association,  # noqa: E402
                                          plot_receptive_fields)

pytestmark = pytest.mark.usefixtures("close_figures")


def test_receptive_fields_draw_one_image_per_unit_scaled_to_unit_peak():
    W = np.random.default_rng(1).normal(size=(10, 784))
    W[3] *= 100.0
    fig = plot_receptive_fields(W, n=6, ncols=3, title="first layer")
    assert isinstance(fig, matplotlib.figure.Figure)
    image_axes = [ax for ax in fig.axes if ax.images]
    assert len(image_axes) == 6
    for k, ax in enumerate(image_axes):
        data = ax.images[0].get_array()
        assert data.shape == (28, 28)
        assert np.isclose(np.abs(data).max(), 1.0)  # every unit scaled by its own peak
        np.testing.assert_allclose(data, W[k].reshape(28, 28) / np.abs(W[k]).max())
    assert fig.get_supxlabel().startswith("pixel column")
    assert fig.get_supylabel().startswith("pixel row")
    colorbar = [ax for ax in fig.axes if ax.get_ylabel().startswith("weight")]
    assert colorbar, "the colour bar must say what the colours mean"


def test_receptive_fields_with_indices_titles_and_shared_scale():
    W = np.arange(2 * 12, dtype=float).reshape(2, 12) - 5.0
    fig = plot_receptive_fields(W, shape=(3, 4), indices=[1, 0], titles=["b", "a"],
                                scale="shared")
    image_axes = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in image_axes] == ["b", "a"]
    peak = np.abs(W).max()
    np.testing.assert_allclose(image_axes[0].images[0].get_array(), W[1].reshape(3, 4) / peak)


def test_receptive_fields_draw_into_a_subfigure():
    fig = plt.figure()
    left, _ = fig.subfigures(1, 2)
    out = plot_receptive_fields(np.ones((4, 9)), shape=(3, 3), fig=left)
    assert out is left


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(W=np.zeros((3, 10))), ValueError, "shape"),
    (dict(W=np.zeros(784)), ValueError, "W"),
    (dict(W=np.zeros((3, 784)), indices=[5]), ValueError, "indices"),
    (dict(W=np.zeros((3, 784)), indices=[0, 1], titles=["x"]), ValueError, "titles"),
    (dict(W=np.zeros((3, 784)), scale="log"), ValueError, "scale"),
    (dict(W=np.zeros((3, 784)), n=0), ValueError, "n"),
    (dict(W=np.zeros((3, 784)), fig="figure"), TypeError, "fig"),
])
def test_receptive_fields_reject_bad_input(kwargs, error, name):
    with pytest.raises(error, match=name):
        plot_receptive_fields(**kwargs)


def test_association_image_shows_classes_by_units():
    net = MLP((6, 30, 20, 2))
    B = LocalRule(seed=0).association(net)[0]
    order = np.argsort(B[:, 0] * 2 + B[:, 1], kind="stable")
    ax = plot_association(B, order=order, class_names=["digit 3", "digit 5"])
    assert ax.get_xlabel().strip() and ax.get_ylabel().strip()
    np.testing.assert_array_equal(ax.images[0].get_array(), B[order].T)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["digit 3", "digit 5"]
    assert "reordered" in ax.get_xlabel()
    assert len(ax.get_legend().get_texts()) == 2


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(B=np.array([[1.0, 0.0]])), ValueError, "B"),
    (dict(B=np.ones((3, 2)), order=[0, 0, 1]), ValueError, "order"),
    (dict(B=np.ones((3, 2)), class_names=["one"]), ValueError, "class_names"),
])
def test_association_rejects_bad_input(kwargs, error, name):
    with pytest.raises(error, match=name):
        plot_association(**kwargs)


def test_activity_by_target_splits_pairs_by_associated_activity():
    a = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.95]])
    a_star = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    ax = plot_activity_by_target(a, a_star, bins=10)
    assert ax.get_xlabel().strip() and ax.get_ylabel().strip() and ax.get_yscale() == "log"
    heights = [sum(p.get_height() for p in container) for container in ax.containers]
    assert heights == [3, 3]
    with pytest.raises(ValueError, match="a_star"):
        plot_activity_by_target(a, a_star * 0.5)
    with pytest.raises(ValueError, match="a_star"):
        plot_activity_by_target(a, a_star[:2])
    with pytest.raises(ValueError, match="a"):
        plot_activity_by_target(a + 1.0, a_star)
