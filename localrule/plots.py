"""Shared figure helpers of the book: learning curves, receptive fields, wiring, diagrams.

Every function draws with plain matplotlib, labels its axes with units (or, for a diagram, gives
it a title and named layers), and returns the ``Axes`` or ``Figure`` it drew on, so a notebook
can add to it and a test can inspect it. Nothing here trains a network or changes its input.
"""

import numpy as np

from localrule.network import MLP
from localrule.train import History
from localrule.validation import check_array, check_choice, check_int, check_positive

#: Colour of each learning rule, the same in every figure of the book.
RULE_COLORS = {"local": "C0", "bp": "C1"}

EPOCH_LABEL = "epoch (passes over the training set)"
ACCURACY_LABEL = "accuracy (fraction correct)"
LOSS_LABEL = "loss (mean cross-entropy, nats)"

# Colours of the associative wiring: +1 excites a hidden unit when its class is shown, -1 inhibits.
WIRE_PLUS = "#c0392b"
WIRE_MINUS = "#2471a3"
WIRE_OUTPUT = "#1e8449"
ERROR_COLOR = "#c0392b"


def _new_axes(ax, figsize):
    """``ax`` itself, or a fresh Axes on a new figure when ``ax`` is None."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
        return ax
    if not hasattr(ax, "plot") or not hasattr(ax, "figure"):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


def _history_list(histories):
    """A History or a non-empty sequence of Histories -> list of Histories."""
    if isinstance(histories, History):
        return [histories]
    if isinstance(histories, (str, bytes, dict)) or not hasattr(histories, "__len__"):
        raise TypeError(f"histories must be a History or a sequence of History objects, "
                        f"got {type(histories).__name__}")
    histories = list(histories)
    if not histories:
        raise ValueError("histories must not be empty")
    for i, h in enumerate(histories):
        if not isinstance(h, History):
            raise TypeError(f"histories[{i}] must be a History, got {type(h).__name__}")
    return histories


# --------------------------------------------------------------------------- learning curves
def plot_learning_curves(histories, ax=None, metric="accuracy", which=("train", "test"),
                         label=None, color=None):
    """Accuracy (or loss) per epoch of one model, or the mean of several seeds with their range.

    Parameters
    ----------
    histories : History or sequence of History
        What :func:`localrule.fit` returned, one per seed. All must cover the same number of
        epochs. With several, the line is the mean over seeds and the shaded band spans the
        lowest to the highest seed.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when None.
    metric : {"accuracy", "loss"}
        Fraction of correct predictions, or the mean backprop loss (chapter 1) in nats.
    which : sequence of {"train", "test"}
        Curves to draw: training set as a solid line, test set dashed. Asking for "test" when
        the histories hold no test set raises ValueError.
    label : str, optional
        Name of the model in the legend (e.g. "local rule").
    color : matplotlib colour, optional
        One colour for the model; train and test differ by line style.

    Returns
    -------
    matplotlib Axes
        x: "epoch (passes over the training set)", y: accuracy (fraction correct) or loss (nats).

    See chapters 1 and 5.
    """
    histories = _history_list(histories)
    metric = check_choice(metric, "metric", ("accuracy", "loss"))
    if isinstance(which, str):
        which = (which,)
    which = tuple(check_choice(w, "which", ("train", "test")) for w in which)
    if not which:
        raise ValueError("which must name at least one of 'train', 'test'")
    if label is not None and not isinstance(label, str):
        raise TypeError(f"label must be a string or None, got {type(label).__name__}")
    epochs = {h.epochs for h in histories}
    if len(epochs) != 1 or 0 in epochs:
        raise ValueError(f"histories must all cover the same, non-zero number of epochs, "
                         f"got {sorted(epochs)}")
    ax = _new_axes(ax, (5, 3.5))
    n_epochs = epochs.pop()
    x = np.arange(1, n_epochs + 1)
    for part in which:
        curves = [getattr(h, f"{part}_{metric}") for h in histories]
        if any(len(c) != n_epochs for c in curves):
            raise ValueError(f"histories hold no {part} {metric} for every epoch (was fit run "
                             f"{'with X_test' if part == 'test' else 'to the end'}?)")
        curves = np.asarray(curves, dtype=np.float64)
        mean = curves.mean(axis=0)
        name = f"{label + ', ' if label else ''}{part}"
        if len(histories) > 1:
            name += f" (mean of {len(histories)} seeds)"
        line, = ax.plot(x, mean, linestyle="-" if part == "train" else "--", color=color,
                        marker="o" if n_epochs <= 20 else None, markersize=3, label=name)
        if len(histories) > 1:
            ax.fill_between(x, curves.min(axis=0), curves.max(axis=0), color=line.get_color(),
                            alpha=0.15, linewidth=0)
    ax.set_xlabel(EPOCH_LABEL)
    ax.set_ylabel(ACCURACY_LABEL if metric == "accuracy" else LOSS_LABEL)
    ax.legend(fontsize="small")
    ax.grid(True, alpha=0.3)
    return ax


# --------------------------------------------------------------------------- receptive fields
def plot_receptive_fields(W, shape=(28, 28), n=16, ncols=8, indices=None, titles=None,
                          scale="unit", fig=None, title=None):
    """First-layer weights of hidden units drawn as images (one panel per unit).

    Parameters
    ----------
    W : ndarray, shape (n_units, n_in)
        Incoming weights, one row per unit, e.g. ``net.weights[0]`` (n_in = 784 for MNIST).
    shape : (int, int)
        Image shape of one row; ``shape[0] * shape[1]`` must equal n_in.
    n : int
        Number of units drawn (the first n rows, or the first n of ``indices``).
    ncols : int
        Panels per row of the grid.
    indices : sequence of int, optional
        Which rows of ``W`` to draw, in this order.
    titles : sequence of str, optional
        One title per drawn panel (default: "unit j").
    scale : {"unit", "shared"}
        "unit" divides each unit's weights by its own largest |w| (shapes are comparable);
        "shared" divides all by the largest |w| of the drawn units (sizes are comparable).
    fig : matplotlib Figure or SubFigure, optional
        Where to draw; a new figure is made when None.
    title : str, optional
        Title of the whole grid.

    Returns
    -------
    matplotlib Figure (or the SubFigure given)
        Red = positive weight (the pixel drives the unit), blue = negative; the colour bar is
        labelled with the scaling used, the grid with "pixel column" and "pixel row".

    See chapter 5.
    """
    import matplotlib.pyplot as plt

    W = check_array(W, "W", ndim=2)
    if (not isinstance(shape, (tuple, list)) or len(shape) != 2):
        raise TypeError(f"shape must be a pair (rows, columns), got {shape!r}")
    rows_px, cols_px = (check_int(s, "shape", minimum=1) for s in shape)
    if rows_px * cols_px != W.shape[1]:
        raise ValueError(f"shape {tuple(shape)} has {rows_px * cols_px} pixels but W has "
                         f"{W.shape[1]} inputs per unit")
    scale = check_choice(scale, "scale", ("unit", "shared"))
    ncols = check_int(ncols, "ncols", minimum=1)
    if indices is None:
        n = check_int(n, "n", minimum=1)
        indices = np.arange(min(n, W.shape[0]))
    else:
        indices = np.asarray([check_int(i, "indices") for i in indices], dtype=np.int64)
        if indices.size == 0:
            raise ValueError("indices must not be empty")
        if indices.min() < 0 or indices.max() >= W.shape[0]:
            raise ValueError(f"indices must lie in 0..{W.shape[0] - 1}, got "
                             f"[{indices.min()}, {indices.max()}]")
        indices = indices[:check_int(n, "n", minimum=1)]
    if titles is not None:
        titles = [str(t) for t in titles]
        if len(titles) < len(indices):
            raise ValueError(f"titles has {len(titles)} entries but {len(indices)} units are "
                             f"drawn")
    images = W[indices].reshape(len(indices), rows_px, cols_px)
    if scale == "unit":
        peak = np.abs(images).reshape(len(indices), -1).max(axis=1)
        images = images / np.where(peak > 0, peak, 1.0)[:, None, None]
        bar_label = "weight / largest |weight| of the unit (dimensionless)"
    else:
        peak = np.abs(images).max()
        images = images / (peak if peak > 0 else 1.0)
        bar_label = f"weight / {peak:.3g} (largest |weight| shown; dimensionless)"

    ncols = min(ncols, len(indices))
    nrows = int(np.ceil(len(indices) / ncols))
    if fig is None:
        fig = plt.figure(figsize=(1.25 * ncols + 1.4, 1.35 * nrows + 0.9), layout="constrained")
    elif not hasattr(fig, "subplots"):
        raise TypeError(f"fig must be a matplotlib Figure or SubFigure, got {type(fig).__name__}")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    image = None
    for k, ax in enumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= len(indices):
            ax.set_axis_off()
            continue
        image = ax.imshow(images[k], cmap="RdBu_r", vmin=-1.0, vmax=1.0,
                          interpolation="nearest")
        ax.set_title(titles[k] if titles is not None else f"unit {indices[k]}", fontsize=8)
    bar = fig.colorbar(image, ax=list(axes), shrink=0.8)
    bar.set_label(bar_label, fontsize=8)
    fig.supxlabel(f"pixel column (0-{cols_px - 1})", fontsize=9)
    fig.supylabel(f"pixel row (0-{rows_px - 1})", fontsize=9)
    if title is not None:
        fig.suptitle(str(title))
    return fig


# --------------------------------------------------------------------------- association
def plot_association(B, ax=None, order=None, class_names=None, title=None):
    """The fixed associative wiring B_l of one hidden layer as a +-1 image.

    Parameters
    ----------
    B : ndarray, shape (n_units, n_classes)
        Entries +1 or -1, e.g. ``LocalRule(seed=0).association(net)[0]``. Unit j's associated
        activity for label y is a*_j = 1[B_jy > 0] (chapter 5).
    ax : matplotlib Axes, optional
    order : sequence of int, optional
        Order in which to draw the units (e.g. grouped by wiring pattern); default 0..n_units-1.
    class_names : sequence of str, optional
        One name per class for the y axis (default "class 0", "class 1", ...).
    title : str, optional

    Returns
    -------
    matplotlib Axes
        x: "hidden unit (index)", y: "label (class)"; red +1, blue -1, with a legend.

    See chapter 5.
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    B = check_array(B, "B", ndim=2)
    if not np.all(np.isin(B, (-1.0, 1.0))):
        raise ValueError("B must hold only +1 and -1 entries")
    n_units, n_classes = B.shape
    reordered = order is not None
    if order is None:
        order = np.arange(n_units)
    else:
        order = np.asarray([check_int(i, "order") for i in order], dtype=np.int64)
        if sorted(order.tolist()) != list(range(n_units)):
            raise ValueError(f"order must be a permutation of 0..{n_units - 1}")
    if class_names is None:
        class_names = [f"class {k}" for k in range(n_classes)]
    elif len(class_names) != n_classes:
        raise ValueError(f"class_names has {len(class_names)} entries but B has {n_classes} "
                         f"classes (columns)")
    ax = _new_axes(ax, (8, 0.5 + 0.35 * n_classes))
    ax.imshow(B[order].T, cmap=ListedColormap([WIRE_MINUS, WIRE_PLUS]), vmin=-1, vmax=1,
              aspect="auto", interpolation="nearest",
              extent=(-0.5, n_units - 0.5, n_classes - 0.5, -0.5))
    ax.set_yticks(range(n_classes), [str(c) for c in class_names])
    ax.set_xlabel("hidden unit (index" + (", reordered)" if reordered else ")"))
    ax.set_ylabel("label (class)")
    ax.legend(handles=[Patch(color=WIRE_PLUS, label="+1: pushed on"),
                       Patch(color=WIRE_MINUS, label="-1: pushed off")],
              loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    if title is not None:
        ax.set_title(str(title))
    return ax


# --------------------------------------------------------------------------- gradient check
def plot_gradient_check(analytic, numeric, ax=None, groups=None, tol=1e-5):
    """Relative error of finite-difference estimates against the exact gradient, log scale.

    Parameters
    ----------
    analytic : array_like, shape (m,)
        Exact partial derivatives dL/dw (e.g. from :func:`localrule.weight_gradients`).
    numeric : array_like, shape (m,)
        Central finite differences (L(w + h) - L(w - h)) / 2h of the same parameters.
    ax : matplotlib Axes, optional
    groups : sequence of str, shape (m,), optional
        A name per parameter (e.g. "W_1", "b_3"); each group gets its own colour.
    tol : float
        Tolerance drawn as a horizontal line.

    Returns
    -------
    matplotlib Axes
        x: checked parameter (index), y: relative error
        |numeric - analytic| / max(|numeric|, |analytic|) (dimensionless), log scale.

    See chapter 1.
    """
    analytic = check_array(analytic, "analytic", ndim=1)
    numeric = check_array(numeric, "numeric", ndim=1, shape=(analytic.shape[0],))
    tol = check_positive(tol, "tol")
    from matplotlib.ticker import MaxNLocator

    if groups is None:
        groups = ["parameter"] * analytic.shape[0]
    groups = [str(g) for g in groups]
    if len(groups) != analytic.shape[0]:
        raise ValueError(f"groups has {len(groups)} entries but analytic has "
                         f"{analytic.shape[0]}")
    denom = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), np.finfo(float).tiny)
    rel = np.abs(numeric - analytic) / denom
    # an exact match has relative error 0, which a log axis cannot show: draw it at the floor
    floor = 1e-16
    shown = np.maximum(rel, floor)
    ax = _new_axes(ax, (6, 3.5))
    index = np.arange(analytic.shape[0])
    for k, name in enumerate(dict.fromkeys(groups)):
        mask = np.array([g == name for g in groups])
        ax.scatter(index[mask], shown[mask], s=25, color=f"C{k}", label=name, zorder=3)
    ax.axhline(tol, color="k", linestyle="--", linewidth=1, label=f"tolerance {tol:g}")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(shown.min() / 30, max(10 * tol, 3 * shown.max()))
    ax.set_xlabel("checked parameter (index)")
    ax.set_ylabel("relative error (dimensionless)")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.grid(True, which="major", alpha=0.3)
    return ax


# --------------------------------------------------------------------------- network diagram
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

    ax = _new_axes(ax, (8, 5))
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


# --------------------------------------------------------------------------- chapter map
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
    ax = _new_axes(ax, (11, 4.4))
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


# --------------------------------------------------------------------------- hidden activity
def plot_activity_by_target(a, a_star, ax=None, bins=40, title=None):
    """Histogram of hidden activities split by the associated activity the unit was given.

    Parameters
    ----------
    a : array_like, shape (n_samples, n_units)
        Free activities of one layer (e.g. ``net.forward(X)[1]``), in [0, 1].
    a_star : array_like, shape (n_samples, n_units)
        The associated activities a* of the same units for each sample's label, 0 or 1.
    ax : matplotlib Axes, optional
    bins : int
        Number of bins over [0, 1].
    title : str, optional

    Returns
    -------
    matplotlib Axes
        x: "activity a (dimensionless, in [0, 1])", y: count of (sample, unit) pairs, log scale;
        one histogram for a* = 1 and one for a* = 0.

    See chapter 5.
    """
    a = check_array(a, "a", ndim=2, unit_interval=True)
    a_star = check_array(a_star, "a_star", ndim=2, shape=a.shape)
    if not np.all(np.isin(a_star, (0.0, 1.0))):
        raise ValueError("a_star must hold only 0 and 1 (hard association)")
    bins = check_int(bins, "bins", minimum=1)
    ax = _new_axes(ax, (5, 3.5))
    edges = np.linspace(0.0, 1.0, bins + 1)
    for target, color in ((1.0, WIRE_PLUS), (0.0, WIRE_MINUS)):
        values = a[a_star == target]
        if values.size:
            ax.hist(values, bins=edges, color=color, alpha=0.6,
                    label=f"associated $a^*$ = {target:g} ({values.size} pairs)")
    ax.set_yscale("log")
    ax.set_xlabel("activity $a$ (dimensionless, in [0, 1])")
    ax.set_ylabel("count of (sample, unit) pairs")
    ax.legend(fontsize="small")
    if title is not None:
        ax.set_title(str(title))
    return ax
