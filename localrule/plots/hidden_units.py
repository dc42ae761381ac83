"""What the hidden units are told and what they learn: wiring, receptive fields, activities.

:func:`plot_association` draws the fixed associative wiring B_l of a hidden layer,
:func:`plot_receptive_fields` the first-layer weights of hidden units as images, and
:func:`plot_activity_by_target` the units' activities split by the associated activity they were
given. See chapter 5.
"""

import numpy as np

from localrule.plots.style import WIRE_MINUS, WIRE_PLUS, new_axes
from localrule.validation import check_array, check_choice, check_int


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
    ax = new_axes(ax, (8, 0.5 + 0.35 * n_classes))
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
    ax = new_axes(ax, (5, 3.5))
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
