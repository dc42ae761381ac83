"""Learning curves: accuracy or loss per epoch, one model or one curve per learning rule.

Both functions draw the same figure: the mean over seeds per epoch as a line, the spread of the
seeds as a band (:func:`localrule.plots.style.plot_mean_and_spread`). See chapters 1, 5 and 6.
"""

import numpy as np

from localrule.plots.style import (ACCURACY_LABEL, EPOCH_LABEL, LOSS_LABEL, RULE_COLORS,
                                   RULE_NAMES, SPREADS, new_axes, plot_mean_and_spread)
from localrule.train import History
from localrule.validation import check_choice

PARTS = ("train", "test")
#: The History lists :func:`plot_learning_curves_by_rule` can draw.
METRICS = ("test_accuracy", "train_accuracy", "test_loss", "train_loss")


def _history_list(histories, name):
    """A History or a non-empty sequence of Histories -> list of Histories."""
    if isinstance(histories, History):
        return [histories]
    if isinstance(histories, (str, bytes, dict)) or not hasattr(histories, "__len__"):
        raise TypeError(f"{name} must be a History or a sequence of History objects, "
                        f"got {type(histories).__name__}")
    histories = list(histories)
    if not histories:
        raise ValueError(f"{name} must not be empty")
    for i, h in enumerate(histories):
        if not isinstance(h, History):
            raise TypeError(f"{name}[{i}] must be a History, got {type(h).__name__}")
    return histories


def _curves(histories, metric, which, name):
    """``{part: (n_seeds, n_epochs) array}`` of ``metric`` for each part in ``which``."""
    histories = _history_list(histories, name)
    epochs = {h.epochs for h in histories}
    if len(epochs) != 1 or 0 in epochs:
        raise ValueError(f"{name} must all cover the same, non-zero number of epochs, "
                         f"got {sorted(epochs)}")
    n_epochs = epochs.pop()
    curves = {}
    for part in which:
        values = [getattr(h, f"{part}_{metric}") for h in histories]
        if any(len(v) != n_epochs for v in values):
            raise ValueError(f"{name} hold no {part}_{metric} for every epoch (was fit run "
                             f"{'with X_test' if part == 'test' else 'to the end'}?)")
        curves[part] = np.asarray(values, dtype=np.float64)
    return curves


def _draw(ax, curves, label, color, spread):
    """One line (and band) per part of one model; dashed test lines when train is drawn too."""
    both = len(curves) > 1
    for part, runs in curves.items():
        name = ", ".join(([label] if label else []) + ([part] if both or not label else []))
        plot_mean_and_spread(ax, np.arange(1, runs.shape[1] + 1), runs, name, spread=spread,
                             color=color, linestyle="--" if both and part == "test" else "-")


def _finish(ax, metric, which):
    """Axis labels (naming the part when only one is drawn), legend and grid."""
    label = ACCURACY_LABEL if metric == "accuracy" else LOSS_LABEL
    ax.set_xlabel(EPOCH_LABEL)
    ax.set_ylabel(f"{which[0]} {label}" if len(which) == 1 else label)
    ax.legend(fontsize="small")
    ax.grid(True, alpha=0.3)
    return ax


def plot_learning_curves(histories, ax=None, metric="accuracy", which=("train", "test"),
                         label=None, color=None, spread="range"):
    """Accuracy (or loss) per epoch of one model, or the mean of several seeds with their spread.

    Parameters
    ----------
    histories : History or sequence of History
        What :func:`localrule.fit` returned, one per seed. All must cover the same number of
        epochs. With several, the line is the mean over seeds and the shaded band shows their
        spread.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when None.
    metric : {"accuracy", "loss"}
        Fraction of correct predictions, or the mean backprop loss (chapter 1) in nats.
    which : sequence of {"train", "test"}
        Curves to draw. With both, the training set is a solid line and the test set dashed;
        with one, the y label names it. Asking for "test" when the histories hold no test set
        raises ValueError.
    label : str, optional
        Name of the model in the legend (e.g. "local rule").
    color : matplotlib colour, optional
        One colour for the model; train and test differ by line style.
    spread : {"range", "std"}
        Band from the lowest to the highest seed, or mean ± sample std over seeds.

    Returns
    -------
    matplotlib Axes
        x: "epoch (passes over the training set)", y: accuracy (fraction correct) or loss (nats).

    See chapters 1 and 5.
    """
    metric = check_choice(metric, "metric", ("accuracy", "loss"))
    if isinstance(which, str):
        which = (which,)
    which = tuple(check_choice(w, "which", PARTS) for w in which)
    if not which:
        raise ValueError("which must name at least one of 'train', 'test'")
    if label is not None and not isinstance(label, str):
        raise TypeError(f"label must be a string or None, got {type(label).__name__}")
    spread = check_choice(spread, "spread", SPREADS)
    curves = _curves(histories, metric, which, "histories")
    ax = new_axes(ax)
    _draw(ax, curves, label, color, spread)
    return _finish(ax, metric, which)


def plot_learning_curves_by_rule(histories, ax=None, metric="test_accuracy"):
    """A learning curve per rule: mean ± std over seeds of one History metric against epoch.

    Parameters
    ----------
    histories : dict
        ``{"local": [History, ...], "bp": [History, ...]}``, one History per seed (at least one
        rule present; the Histories of one rule must have the same number of epochs).
    ax : matplotlib Axes, optional
    metric : {"test_accuracy", "train_accuracy", "test_loss", "train_loss"}

    Returns
    -------
    matplotlib Axes
        The mean is a line in the rule's colour (:data:`localrule.plots.style.RULE_COLORS`),
        the band is mean ± sample std over seeds. See chapter 6.
    """
    if not isinstance(histories, dict):
        raise TypeError(f"histories must be a dict {{rule: [History, ...]}}, "
                        f"got {type(histories).__name__}")
    metric = check_choice(metric, "metric", METRICS)
    unknown = set(histories) - set(RULE_COLORS)
    if unknown or not histories:
        raise ValueError(f"histories must have keys among {sorted(RULE_COLORS)}, "
                         f"got {sorted(map(str, histories))}")
    part, _, kind = metric.partition("_")
    curves = {rule: _curves(runs, kind, (part,), f"histories[{rule!r}]")
              for rule, runs in histories.items()}
    ax = new_axes(ax)
    for rule, rule_curves in curves.items():
        _draw(ax, rule_curves, RULE_NAMES[rule], RULE_COLORS[rule], "std")
    return _finish(ax, kind, (part,))
