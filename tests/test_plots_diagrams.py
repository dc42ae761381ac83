"""Diagrams: the network with its wiring or error path, and the chapter map."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from localrule import LocalRule, MLP  # noqa: E402
from localrule.plots.diagrams import plot_chapter_map, plot_network_diagram  # noqa: E402
from localrule.plots.style import WIRE_MINUS, WIRE_OUTPUT, WIRE_PLUS  # noqa: E402

pytestmark = pytest.mark.usefixtures("close_figures")


@pytest.mark.parametrize("mode", ["local", "backprop", "forward"])
def test_network_diagram_names_every_layer(mode):
    net = MLP((784, 100, 100, 2))
    B = LocalRule(seed=0).association(net) if mode == "local" else None
    ax = plot_network_diagram(net, mode=mode, B=B)
    names = [t.get_text() for t in ax.get_xticklabels()]
    assert names == ["input $x$\n784 units", "hidden 1\n100 units", "hidden 2\n100 units",
                     "output\n2 units"]
    assert ax.get_xlabel() and ax.get_title()
    assert ax.get_legend() is not None


def test_network_diagram_colours_the_wiring_by_its_sign():
    sizes = (3, 2, 2)
    B = [np.array([[1.0, -1.0], [-1.0, -1.0]])]
    ax = plot_network_diagram(sizes, mode="local", B=B)
    colors = [matplotlib.colors.to_hex(a.arrow_patch.get_edgecolor()) for a in ax.texts
              if getattr(a, "arrow_patch", None) is not None]
    # hidden wires: unit 0 (+1 from class 0, -1 from class 1), unit 1 (-1, -1); output: 2 wires
    assert colors.count(WIRE_PLUS) == 1
    assert colors.count(WIRE_MINUS) == 3
    assert colors.count(WIRE_OUTPUT) == 2


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
        plot_network_diagram(**kwargs)


def test_chapter_map_has_every_chapter_and_a_title():
    ax = plot_chapter_map(highlight=5)
    texts = [t.get_text() for t in ax.texts]
    for number in range(10):
        assert any(t.startswith(f"{number}. ") for t in texts), number
    assert ax.get_title()
    with pytest.raises(ValueError, match="highlight"):
        plot_chapter_map(highlight=12)
