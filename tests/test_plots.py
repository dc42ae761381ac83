"""Figure helpers: each returns what it drew on, with labelled axes, and rejects bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from localrule import History, LocalRule, MLP, fit, plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


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


def labelled(ax):
    return bool(ax.get_xlabel().strip()) and bool(ax.get_ylabel().strip())


# ----------------------------------------------------------------------------- learning curves
def test_learning_curves_of_one_run_have_labelled_axes_and_both_lines():
    ax = plots.plot_learning_curves(history([0.5, 0.7, 0.9]), label="local rule")
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
    out = plots.plot_learning_curves([history([0.4, 0.6]), history([0.6, 1.0])], ax=ax,
                                     which=("test",), metric="loss")
    assert out is ax and labelled(ax) and "nats" in ax.get_ylabel()
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
    ax = plots.plot_learning_curves(h)
    assert labelled(ax) and len(ax.get_lines()) == 2


@pytest.mark.parametrize("call, error, name", [
    (lambda: plots.plot_learning_curves([]), ValueError, "histories"),
    (lambda: plots.plot_learning_curves({"a": 1}), TypeError, "histories"),
    (lambda: plots.plot_learning_curves([history([0.5]), 3]), TypeError, "histories[1]"),
    (lambda: plots.plot_learning_curves([history([0.5]), history([0.5, 0.6])]), ValueError,
     "histories"),
    (lambda: plots.plot_learning_curves(history([0.5], test=False)), ValueError, "test"),
    (lambda: plots.plot_learning_curves(history([0.5]), metric="speed"), ValueError, "metric"),
    (lambda: plots.plot_learning_curves(history([0.5]), which=("valid",)), ValueError, "which"),
    (lambda: plots.plot_learning_curves(history([0.5]), ax="axes"), TypeError, "ax"),
])
def test_learning_curves_reject_bad_input(call, error, name):
    with pytest.raises(error, match=name.replace("[", r"\[").replace("]", r"\]")):
        call()


# ----------------------------------------------------------------------------- receptive fields
def test_receptive_fields_draw_one_image_per_unit_scaled_to_unit_peak():
    W = np.random.default_rng(1).normal(size=(10, 784))
    W[3] *= 100.0
    fig = plots.plot_receptive_fields(W, n=6, ncols=3, title="first layer")
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
    fig = plots.plot_receptive_fields(W, shape=(3, 4), indices=[1, 0], titles=["b", "a"],
                                      scale="shared")
    image_axes = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in image_axes] == ["b", "a"]
    peak = np.abs(W).max()
    np.testing.assert_allclose(image_axes[0].images[0].get_array(), W[1].reshape(3, 4) / peak)


def test_receptive_fields_draw_into_a_subfigure():
    fig = plt.figure()
    left, _ = fig.subfigures(1, 2)
    out = plots.plot_receptive_fields(np.ones((4, 9)), shape=(3, 3), fig=left)
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
        plots.plot_receptive_fields(**kwargs)


# ----------------------------------------------------------------------------- association
def test_association_image_shows_classes_by_units():
    net = MLP((6, 30, 20, 2))
    B = LocalRule(seed=0).association(net)[0]
    order = np.argsort(B[:, 0] * 2 + B[:, 1], kind="stable")
    ax = plots.plot_association(B, order=order, class_names=["digit 3", "digit 5"])
    assert labelled(ax)
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
        plots.plot_association(**kwargs)


# ----------------------------------------------------------------------------- gradient check
def test_gradient_check_plots_relative_errors_on_a_log_axis():
    analytic = np.array([1e-3, -0.2, 0.5])
    numeric = analytic * np.array([1 + 1e-8, 1.0, 1 - 1e-6])
    ax = plots.plot_gradient_check(analytic, numeric, groups=["W_1", "W_1", "b_2"])
    assert labelled(ax) and ax.get_yscale() == "log"
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
        plots.plot_gradient_check(*args, **kwargs)


# ----------------------------------------------------------------------------- diagrams
@pytest.mark.parametrize("mode", ["local", "backprop", "forward"])
def test_network_diagram_names_every_layer(mode):
    net = MLP((784, 100, 100, 2))
    B = LocalRule(seed=0).association(net) if mode == "local" else None
    ax = plots.plot_network_diagram(net, mode=mode, B=B)
    names = [t.get_text() for t in ax.get_xticklabels()]
    assert names == ["input $x$\n784 units", "hidden 1\n100 units", "hidden 2\n100 units",
                     "output\n2 units"]
    assert ax.get_xlabel() and ax.get_title()
    assert ax.get_legend() is not None


def test_network_diagram_colours_the_wiring_by_its_sign():
    sizes = (3, 2, 2)
    B = [np.array([[1.0, -1.0], [-1.0, -1.0]])]
    ax = plots.plot_network_diagram(sizes, mode="local", B=B)
    colors = [matplotlib.colors.to_hex(a.arrow_patch.get_edgecolor()) for a in ax.texts
              if getattr(a, "arrow_patch", None) is not None]
    # hidden wires: unit 0 (+1 from class 0, -1 from class 1), unit 1 (-1, -1); output: 2 wires
    assert colors.count(plots.WIRE_PLUS) == 1
    assert colors.count(plots.WIRE_MINUS) == 3
    assert colors.count(plots.WIRE_OUTPUT) == 2


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(sizes=(4,)), ValueError, "sizes"),
    (dict(sizes="784"), TypeError, "sizes"),
    (dict(sizes=(4, 3, 2), mode="sideways"), ValueError, "mode"),
    (dict(sizes=(4, 3, 2), B=[np.ones((2, 2))]), ValueError, "B"),
    (dict(sizes=(4, 3, 2), B=[]), ValueError, "B"),
    (dict(sizes=(4, 3, 2), max_units=1), ValueError, "max_units"),
])
def test_network_diagram_rejects_bad_input(kwargs, error, name):
    with pytest.raises(error, match=name):
        plots.plot_network_diagram(**kwargs)


def test_chapter_map_has_every_chapter_and_a_title():
    ax = plots.plot_chapter_map(highlight=5)
    texts = [t.get_text() for t in ax.texts]
    for number in range(10):
        assert any(t.startswith(f"{number}. ") for t in texts), number
    assert ax.get_title()
    with pytest.raises(ValueError, match="highlight"):
        plots.plot_chapter_map(highlight=12)


# ----------------------------------------------------------------------------- activity
def test_activity_by_target_splits_pairs_by_associated_activity():
    a = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.95]])
    a_star = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    ax = plots.plot_activity_by_target(a, a_star, bins=10)
    assert labelled(ax) and ax.get_yscale() == "log"
    heights = [sum(p.get_height() for p in container) for container in ax.containers]
    assert heights == [3, 3]
    with pytest.raises(ValueError, match="a_star"):
        plots.plot_activity_by_target(a, a_star * 0.5)
    with pytest.raises(ValueError, match="a_star"):
        plots.plot_activity_by_target(a, a_star[:2])
    with pytest.raises(ValueError, match="a"):
        plots.plot_activity_by_target(a + 1.0, a_star)
