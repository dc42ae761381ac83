"""Diagrams of the book: the layered network with its wiring or error path, and the road map.

:func:`plot_network_diagram` draws the network with the local rule's associative wiring or
backprop's error path (chapters 0, 1 and 5); :func:`plot_chapter_map` draws which chapter builds
on which (chapter 0).
"""

import numpy as np

from localrule.network import MLP
from localrule.plots.style import ERROR_COLOR, WIRE_MINUS, WIRE_OUTPUT, WIRE_PLUS, new_axes
from localrule.validation import check_array, check_choice, check_int


def _check_sizes(sizes):
    if isinstance(sizes, MLP):
        return sizes.sizes
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
        raise TypeError(f"sizes must be a sequence of layer widths or an MLP, "
                        f"got {type(sizes).__name__}")
    sizes = tuple(check_int(s, "sizes", minimum=1) for s in sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least an input and an output layer, got {sizes}")
    return sizes


def _layer_names(sizes):
    n_hidden = len(sizes) - 2
    names = ["input $x$"]
    names += [f"hidden {l}" if n_hidden > 1 else "hidden" for l in range(1, n_hidden + 1)]
    names.append("output")
    return [f"{name}\n{n} units" for name, n in zip(names, sizes)]


def plot_network_diagram(sizes, ax=None, mode="local", B=None, max_units=5, title=None):
    """The layered network, with the associative wiring (local rule) or the error path (backprop).

    Parameters
    ----------
    sizes : sequence of int or MLP
        Layer widths ``(n_in, h_1, ..., n_classes)``; at most ``max_units`` units of a layer are
        drawn (a gap marks the others).
    ax : matplotlib Axes, optional
    mode : {"local", "backprop", "forward"}
        "local": label units on top, fixed wiring from the label to every drawn hidden unit
        (red +1, blue -1) and to the output unit of its own class (green), as in chapter 5.
        "backprop": the output error a_L - onehot(y) and its path back through the transposed
        weights W^T to every hidden layer (chapter 1). "forward": the forward weights only.
    B : list of ndarray, optional
        The wiring ``LocalRule(...).association(net)``, one (h_l, n_classes) matrix per hidden
        layer, used for the colours of the "local" mode (default: a fixed example).
    max_units : int
        Most units drawn per layer.
    title : str, optional
        Defaults to a sentence naming the mode.

    Returns
    -------
    matplotlib Axes
        The x axis names each layer and its width ("layer (units)"); y carries no quantity.

    See chapters 0, 1 and 5.
    """
    from matplotlib.lines import Line2D

    sizes = _check_sizes(sizes)
    mode = check_choice(mode, "mode", ("local", "backprop", "forward"))
    max_units = check_int(max_units, "max_units", minimum=2)
    n_layers = len(sizes)
    n_classes = sizes[-1]
    if B is not None:
        if len(B) != n_layers - 2:
            raise ValueError(f"B must hold one matrix per hidden layer ({n_layers - 2}), "
                             f"got {len(B)}")
        B = [check_array(Bl, f"B[{l}]", shape=(sizes[l + 1], n_classes)) for l, Bl in
             enumerate(B)]
    else:
        rng = np.random.default_rng(0)
        B = [rng.choice([-1.0, 1.0], size=(h, n_classes)) for h in sizes[1:-1]]

    ax = new_axes(ax, (8, 5))
    top = 1.0
    span = 0.78  # units of a layer are spread over [top - span, top]

    def unit_positions(l):
        n = sizes[l]
        shown = list(range(n)) if n <= max_units else list(range(max_units - 1)) + [n - 1]
        ys = np.linspace(top, top - span, len(shown)) if len(shown) > 1 else np.array([top - span / 2])
        return shown, ys

    positions = [unit_positions(l) for l in range(n_layers)]
    # forward weights: every drawn unit to every drawn unit of the next layer
    for l in range(n_layers - 1):
        _, ys0 = positions[l]
        _, ys1 = positions[l + 1]
        for y0 in ys0:
            for y1 in ys1:
                ax.plot([l, l + 1], [y0, y1], color="0.75", linewidth=0.6, zorder=1)
    # units
    for l, (shown, ys) in enumerate(positions):
        face = "white" if l == 0 else ("0.85" if l < n_layers - 1 else "#f5cba7")
        ax.scatter(np.full(len(ys), l), ys, s=260, facecolor=face, edgecolor="k", zorder=4)
        if len(shown) < sizes[l]:
            gap = (ys[-2] + ys[-1]) / 2
            ax.text(l, gap, "⋮", ha="center", va="center", fontsize=12, zorder=5,
                    bbox=dict(facecolor="white", edgecolor="none", pad=0.5))

    handles = [Line2D([], [], color="0.6", linewidth=1, label="forward weights $W_l$")]
    if mode == "local":
        label_y = top + 0.5
        # label units spread over the hidden layers, so each layer's wires stay apart
        left, right = 1.0, max(n_layers - 2.0, 1.0) + 0.6
        label_xs = np.linspace(left, right, n_classes) if n_classes > 1 \
            else np.array([(left + right) / 2])
        for l in range(1, n_layers):
            shown, ys = positions[l]
            for k, lx in enumerate(label_xs):
                for j, yj in zip(shown, ys):
                    if l < n_layers - 1:
                        color = WIRE_PLUS if B[l - 1][j, k] > 0 else WIRE_MINUS
                    elif j == k:
                        color = WIRE_OUTPUT
                    else:
                        continue
                    ax.annotate("", xy=(l, yj), xytext=(lx, label_y),
                                arrowprops=dict(arrowstyle="-|>", color=color, linewidth=0.9,
                                                alpha=0.75, shrinkA=9, shrinkB=8,
                                                connectionstyle="arc3,rad=0.08"), zorder=2)
        ax.scatter(label_xs, np.full(n_classes, label_y), s=330, marker="s",
                   facecolor="#fcf3cf", edgecolor="k", zorder=4)
        for k, lx in enumerate(label_xs):
            ax.text(lx, label_y, f"{k}", ha="center", va="center", fontsize=9, zorder=5)
        ax.text(label_xs.mean(), label_y + 0.12, "label $y$ (one-hot)", ha="center",
                va="bottom", fontsize=10)
        handles += [Line2D([], [], color=WIRE_PLUS, label="association +1 (fixed $B_l$)"),
                    Line2D([], [], color=WIRE_MINUS, label="association -1 (fixed $B_l$)"),
                    Line2D([], [], color=WIRE_OUTPUT, label="output: $a^*_L$ = onehot($y$)")]
        default_title = "Local rule: every layer gets its target $a^*_l$ straight from the label"
        ax.set_ylim(top - span - 0.2, label_y + 0.3)
    elif mode == "backprop":
        err_y = top - span - 0.22
        for l in range(n_layers - 1, 0, -1):
            ax.annotate("", xy=(l - 1 + 0.06, err_y), xytext=(l - 0.06, err_y),
                        arrowprops=dict(arrowstyle="-|>", color=ERROR_COLOR, linewidth=2))
            if l > 1:
                ax.text(l - 0.5, err_y - 0.05, f"$\\delta_{l - 1} = (W_{l}^T\\delta_{l})\\odot\\sigma'(z_{l - 1})$",
                        ha="center", va="top", fontsize=9, color=ERROR_COLOR)
            else:
                ax.text(l - 0.5, err_y - 0.05, "(no error needed\nbelow layer 1)",
                        ha="center", va="top", fontsize=8, color="0.4")
        ax.text(n_layers - 1 + 0.06, err_y, f"$\\delta_{n_layers - 1} = a_{n_layers - 1} - "
                f"\\mathrm{{onehot}}(y)$", ha="left", va="center", fontsize=9,
                color=ERROR_COLOR)
        for l in range(1, n_layers):
            ax.annotate("", xy=(l, top - span - 0.05), xytext=(l, err_y + 0.01),
                        arrowprops=dict(arrowstyle="-|>", color=ERROR_COLOR, linewidth=1,
                                        linestyle=":"))
        handles += [Line2D([], [], color=ERROR_COLOR, linewidth=2,
                           label="error sent backwards through $W^T$"),
                    Line2D([], [], color=ERROR_COLOR, linewidth=1, linestyle=":",
                           label="error delivered to a layer's synapses")]
        default_title = "Backprop: the output error must travel back through every layer"
        ax.set_ylim(err_y - 0.3, top + 0.15)
    else:
        default_title = "A fully connected network of sigmoid units"
        ax.set_ylim(top - span - 0.15, top + 0.15)

    ax.set_xlim(-0.5, n_layers - 0.5)
    ax.set_xticks(range(n_layers), _layer_names(sizes))
    ax.set_xlabel("layer (units)")
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small",
              frameon=False)
    ax.set_title(default_title if title is None else str(title), fontsize=11)
    return ax


#: Chapters of the book: number -> (short title, claims of the paper it tests, (x, y) in the map).
CHAPTERS = {
    0: ("Introduction", "", (0.0, 1.0)),
    1: ("Backprop and\nits problems", "baseline", (1.3, 2.0)),
    2: ("Spikes and\nlatency codes", "(b)", (1.3, 0.0)),
    3: ("STDP", "(b)", (2.6, 0.0)),
    4: ("Neuronal\nassociation", "(a) (b)", (3.9, 0.0)),
    5: ("The local\nnetwork", "(a) (c)", (3.9, 2.0)),
    6: ("Local rule vs\nbackprop", "(c)", (5.2, 2.0)),
    7: ("Adversarial\nrobustness", "(d)", (6.5, 2.0)),
    8: ("Parallel and\ndistributed", "(e)", (6.0, 0.0)),
    9: ("Beyond\nthis book", "", (7.8, 1.0)),
}
#: Which chapter builds on which (an arrow from the first to the second).
CHAPTER_EDGES = ((0, 1), (0, 2), (2, 3), (3, 4), (1, 5), (4, 5), (5, 6), (6, 7), (5, 8),
                 (7, 9), (8, 9))


def plot_chapter_map(ax=None, highlight=None):
    """Road map of the book: one box per chapter, arrows from a chapter to those that use it.

    The tag under a box names the claims of the paper (a)-(e) (chapter 0) that the chapter
    tests.

    Parameters
    ----------
    ax : matplotlib Axes, optional
    highlight : int, optional
        A chapter drawn in a stronger colour.

    Returns
    -------
    matplotlib Axes
        A diagram (no data axes); the title names the figure.

    See chapter 0.
    """
    if highlight is not None:
        highlight = check_int(highlight, "highlight")
        if highlight not in CHAPTERS:
            raise ValueError(f"highlight must be a chapter number 0..{max(CHAPTERS)}, "
                             f"got {highlight}")
    ax = new_axes(ax, (11, 4.4))
    boxes = {}
    for number, (name, claims, (x, y)) in CHAPTERS.items():
        strong = number == highlight
        boxes[number] = ax.text(
            x, y, f"{number}. {name}", ha="center", va="center", fontsize=9, zorder=3,
            bbox=dict(boxstyle="round,pad=0.45", facecolor="#f9e79f" if strong else "#eaf2f8",
                      edgecolor="#b7950b" if strong else "#2e86c1"))
        if claims:  # above the boxes of the top row, below the others
            above = y >= 2.0
            ax.text(x, y + (0.4 if above else -0.4), claims, ha="center",
                    va="bottom" if above else "top", fontsize=8, color="#922b21")
    for a, b in CHAPTER_EDGES:
        (xa, ya), (xb, yb) = CHAPTERS[a][2], CHAPTERS[b][2]
        ax.annotate("", xy=(xb, yb), xytext=(xa, ya),
                    arrowprops=dict(arrowstyle="-|>", color="0.45", linewidth=1.2,
                                    patchA=boxes[a].get_bbox_patch(),
                                    patchB=boxes[b].get_bbox_patch(), shrinkA=2, shrinkB=2))
    ax.text(-0.6, -0.85, "red tags: claims (a)-(e) of the paper tested in that chapter",
            ha="left", va="top", fontsize=8, color="#922b21")
    ax.set_xlim(-0.7, 8.5)
    ax.set_ylim(-1.0, 2.7)
    ax.set_axis_off()
    ax.set_title("Road map: chapters and what each builds on", fontsize=11)
    return ax
