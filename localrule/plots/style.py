"""What every figure of the book shares: rule colours, axis labels with units, seed bands.

One table gives each learning rule its colour and display name; the axis labels carry their
units; :func:`plot_mean_and_spread` draws the mean over seeds with the spread of the seeds as a
band, the same way in every figure that summarises several seeds.
"""

import numpy as np

from localrule.validation import check_choice

#: Colour of each learning rule, the same in every figure of the book.
RULE_COLORS = {"local": "C0", "bp": "C1"}
#: Name of each learning rule in legends and titles.
RULE_NAMES = {"local": "local rule", "bp": "backprop"}

EPOCH_LABEL = "epoch (passes over the training set)"
ACCURACY_LABEL = "accuracy (fraction correct)"
LOSS_LABEL = "loss (mean cross-entropy, nats)"
EPS_LABEL = "eps (max-norm, pixel units in [0, 1])"

# Colours of the associative wiring: +1 excites a hidden unit when its class is shown, -1 inhibits.
WIRE_PLUS = "#c0392b"
WIRE_MINUS = "#2471a3"
WIRE_OUTPUT = "#1e8449"
ERROR_COLOR = "#c0392b"

#: How the seeds around a mean are shown: their full range, or the mean ± sample std.
SPREADS = ("range", "std")
#: Curves with at most this many points get a marker on every point.
MAX_MARKED_POINTS = 30
BAND_ALPHA = 0.2


def new_axes(ax, figsize=(5, 3.5)):
    """``ax`` itself, or a new Axes on a new figure of ``figsize`` (inches) if ``ax`` is None."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
        return ax
    if not hasattr(ax, "plot") or not hasattr(ax, "figure"):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


def seeds_label(name, n, spread="std"):
    """Legend entry saying what a line summarises, e.g. ``"local rule (mean ± std, 3 seeds)"``.

    With ``spread="std"`` a single run reads ``"local rule (1 seed)"``; with ``"range"`` it is
    just the name, and several read ``"local rule (mean of 3 seeds)"``.
    """
    spread = check_choice(spread, "spread", SPREADS)
    if spread == "std":
        return f"{name} (mean ± std, {n} seeds)" if n > 1 else f"{name} (1 seed)"
    return f"{name} (mean of {n} seeds)" if n > 1 else name


def plot_mean_and_spread(ax, x, runs, name, spread="std", color=None, linestyle="-"):
    """Mean over runs as a line, and the spread of the runs as a shaded band around it.

    Parameters
    ----------
    ax : matplotlib Axes
    x : array_like, shape (n_points,)
    runs : array_like, shape (n_runs, n_points)
        One curve per seed.
    name : str
        What the line is, for the legend (completed by :func:`seeds_label`).
    spread : {"range", "std"}
        Band from the lowest to the highest run, or mean ± sample standard deviation
        (ddof = 1). A single run gets no band.
    color : matplotlib colour, optional
    linestyle : str

    Returns
    -------
    matplotlib Line2D
        The mean line.
    """
    spread = check_choice(spread, "spread", SPREADS)
    runs = np.asarray(runs, dtype=np.float64)
    mean = runs.mean(axis=0)
    line, = ax.plot(x, mean, linestyle=linestyle, color=color,
                    marker="o" if len(mean) <= MAX_MARKED_POINTS else None, markersize=3,
                    label=seeds_label(name, runs.shape[0], spread))
    if runs.shape[0] > 1:
        if spread == "range":
            low, high = runs.min(axis=0), runs.max(axis=0)
        else:
            std = runs.std(axis=0, ddof=1)
            low, high = mean - std, mean + std
        ax.fill_between(x, low, high, color=line.get_color(), alpha=BAND_ALPHA, linewidth=0)
    return line
