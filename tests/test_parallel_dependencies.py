"""Which training steps wait for which (chapter 8): edges, cycles, valid orders."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from localrule.parallel.dependencies import (dependency_edges, is_acyclic,  # noqa: E402
                                             is_valid_order, layerwise_order, online_order,
                                             plot_dependencies)

pytestmark = pytest.mark.usefixtures("close_figures")


def test_local_dependencies_are_acyclic_and_bp_ones_are_not():
    assert is_acyclic(dependency_edges(3, 5, "local"))
    assert not is_acyclic(dependency_edges(3, 5, "bp"))
    # one layer has nothing above it: backprop is then as free as the local rule
    assert is_acyclic(dependency_edges(1, 5, "bp"))


def test_edge_counts():
    L, n = 3, 4
    local = dependency_edges(L, n, "local")
    bp = dependency_edges(L, n, "bp")
    assert len(local) == n * (L - 1) + L * (n - 1)
    assert len(bp) == len(local) + n * (L - 1)
    assert ((2, 0), (1, 0)) in bp and ((2, 0), (1, 0)) not in local


def test_layerwise_and_online_orders_are_valid_for_local_only():
    local, bp = dependency_edges(3, 6, "local"), dependency_edges(3, 6, "bp")
    assert is_valid_order(online_order(3, 6), local)
    assert is_valid_order(layerwise_order(3, 6), local)
    assert not is_valid_order(layerwise_order(3, 6), bp)
    assert not is_valid_order(online_order(3, 6), bp)  # a step is not one unit for bp


def test_is_valid_order_rejects_bad_step_lists():
    edges = dependency_edges(2, 2)
    with pytest.raises(ValueError, match="twice"):
        is_valid_order([(1, 0), (1, 0), (1, 1), (2, 0), (2, 1)], edges)
    with pytest.raises(ValueError, match="missing"):
        is_valid_order([(1, 0), (1, 1)], edges)


def test_plot_dependencies_labels_samples_and_layers():
    ax = plot_dependencies(3, 3, "bp")
    assert ax.get_xlabel().startswith("sample") and ax.get_ylabel() == "layer l"


@pytest.mark.parametrize("call,match", [
    (lambda: dependency_edges(0, 3), "n_layers"),
    (lambda: dependency_edges(2, 3, "adam"), "rule"),
])
def test_bad_arguments_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
