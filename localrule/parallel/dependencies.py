"""Which training steps of an online epoch wait for which, for the local rule and backprop.

A step ``(l, k)`` is layer l handling sample k. The local rule's steps depend only on the layer
below and on the layer's own previous step, so its dependency graph has no cycle and the
layerwise order (all samples of layer 1, then layer 2, ...) is allowed; backprop's error from the
layer above closes a cycle. See chapter 8.
"""

import numpy as np

from localrule.parallel._checks import RULE_KINDS
from localrule.validation import check_choice, check_int


def dependency_edges(n_layers, n_samples, rule="local"):
    """Which training steps must finish before which, in one online epoch.

    A *step* ``(l, k)`` is layer ``l`` (1-based) handling sample ``k`` (0-based): it computes its
    activity a_l(k) and updates W_l. An edge ``((l1, k1), (l2, k2))`` says that step ``(l2, k2)``
    needs the result of step ``(l1, k1)``.

    For ``rule="local"`` there are two kinds of edge: the activity a_{l-1}(k) from the layer below,
    ``(l-1, k) -> (l, k)``, and the layer's own weights after the previous sample,
    ``(l, k-1) -> (l, k)``. For ``rule="bp"`` the update of layer l at sample k also needs the
    error delta_{l+1}(k) from the layer above, ``(l+1, k) -> (l, k)``, which together with the
    activity edge forms a cycle: the step cannot be done as one unit. See chapter 8.

    Parameters
    ----------
    n_layers : int >= 1
        Number of weight layers L.
    n_samples : int >= 1
    rule : {"local", "bp"}

    Returns
    -------
    list of tuple
        Edges ``((l_from, k_from), (l_to, k_to))``.
    """
    n_layers = check_int(n_layers, "n_layers", minimum=1)
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    check_choice(rule, "rule", RULE_KINDS)
    edges = []
    for k in range(n_samples):
        for l in range(1, n_layers + 1):
            if l > 1:
                edges.append(((l - 1, k), (l, k)))  # activity from below
            if k > 0:
                edges.append(((l, k - 1), (l, k)))  # own weights after the previous sample
            if rule == "bp" and l < n_layers:
                edges.append(((l + 1, k), (l, k)))  # error from above
    return edges


def is_acyclic(edges):
    """True when the dependency graph has no cycle (some order of the steps satisfies it).

    Kahn's algorithm: repeatedly remove steps that wait for nothing.
    """
    nodes = {n for edge in edges for n in edge}
    waiting = {n: 0 for n in nodes}
    after = {n: [] for n in nodes}
    for a, b in edges:
        waiting[b] += 1
        after[a].append(b)
    ready = [n for n, w in waiting.items() if w == 0]
    done = 0
    while ready:
        n = ready.pop()
        done += 1
        for m in after[n]:
            waiting[m] -= 1
            if waiting[m] == 0:
                ready.append(m)
    return done == len(nodes)


def is_valid_order(steps, edges):
    """True when every step of ``steps`` comes after all the steps it depends on.

    ``steps`` lists each step ``(l, k)`` once, in execution order; ``edges`` comes from
    :func:`dependency_edges`.
    """
    position = {}
    for i, step in enumerate(steps):
        step = tuple(step)
        if step in position:
            raise ValueError(f"steps lists {step} twice")
        position[step] = i
    for a, b in edges:
        if a not in position or b not in position:
            raise ValueError(f"steps is missing {a if a not in position else b}")
        if position[a] >= position[b]:
            return False
    return True


def layerwise_order(n_layers, n_samples):
    """Steps in the layerwise order: all samples of layer 1, then all of layer 2, and so on."""
    n_layers = check_int(n_layers, "n_layers", minimum=1)
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    return [(l, k) for l in range(1, n_layers + 1) for k in range(n_samples)]


def online_order(n_layers, n_samples):
    """Steps in the online order: sample 0 through every layer, then sample 1, and so on."""
    n_layers = check_int(n_layers, "n_layers", minimum=1)
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    return [(l, k) for k in range(n_samples) for l in range(1, n_layers + 1)]


def plot_dependencies(n_layers=3, n_samples=4, rule="local", ax=None):
    """Draw the dependency graph of :func:`dependency_edges` (samples across, layers up).

    Activity edges are blue, own-weight edges grey, backprop error edges red.
    Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    edges = dependency_edges(n_layers, n_samples, rule)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 3))
    colors = {"activity": "tab:blue", "weights": "0.55", "error": "tab:red"}
    labels = {"activity": "activity from below", "weights": "own weights, previous sample",
              "error": "error from above"}
    shifts = {"activity": 0.08, "weights": 0.0, "error": -0.08}  # keep up and down arrows apart
    for (l1, k1), (l2, k2) in edges:
        kind = "weights" if l1 == l2 else ("activity" if l2 > l1 else "error")
        ax.annotate("", xy=(k2 + shifts[kind], l2), xytext=(k1 + shifts[kind], l1),
                    arrowprops=dict(arrowstyle="-|>", color=colors[kind], lw=1.4,
                                    shrinkA=9, shrinkB=9))
    ks, ls = np.meshgrid(np.arange(n_samples), np.arange(1, n_layers + 1))
    ax.scatter(ks.ravel(), ls.ravel(), s=260, color="white", edgecolor="black", zorder=3)
    for k, l in zip(ks.ravel(), ls.ravel()):
        ax.text(k, l, f"{l},{k}", ha="center", va="center", fontsize=7, zorder=4)
    for kind in ("activity", "weights", "error"):
        if kind != "error" or rule == "bp":
            ax.plot([], [], color=colors[kind], label=labels[kind])
    ax.set_xticks(range(n_samples))
    ax.set_yticks(range(1, n_layers + 1))
    ax.set_xlim(-0.5, n_samples - 0.5)
    ax.set_ylim(0.5, n_layers + 0.5)
    ax.set_xlabel("sample k (position in the epoch)")
    ax.set_ylabel("layer l")
    return ax
