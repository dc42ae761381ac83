"""Figures of robustness to adversarial inputs: accuracy against eps, adversarial images, scatter.

Plain matplotlib functions used by chapter 7 and by ``python -m localrule reproduce``. Each takes
the results of :mod:`localrule.experiments` (rows or trained networks), draws labelled axes with
units and a legend, and returns the Axes (or Figure) it drew on.
"""

import numbers

import numpy as np

from localrule.attacks import fgsm
from localrule.experiments import ATTACK_COLUMNS, EPS_GRID, summarize
from localrule.network import MLP
from localrule.plots.style import (ACCURACY_LABEL, EPS_LABEL, RULE_COLORS, RULE_NAMES, new_axes,
                                   seeds_label)
from localrule.validation import check_array, check_choice, check_int, check_labels, check_seed

#: What each attack column means, for titles.
ATTACK_TITLES = {
    "fgsm": "white-box FGSM",
    "pgd": "white-box PGD",
    "transfer": "transfer FGSM (crafted on the other model)",
    "noise": "random-sign noise (control)",
}

#: Axis labels (with units) of the row columns a scatter plot can use.
COLUMN_LABELS = {
    "grad_norm": "mean input-gradient norm |dL/dx|_2 (nats per pixel unit)",
    "clean_accuracy": f"clean test {ACCURACY_LABEL}",
    "train_accuracy": f"training {ACCURACY_LABEL}",
    "train_seconds": "training time (s)",
}


def _check_rows(rows):
    if isinstance(rows, dict) or not isinstance(rows, (list, tuple)):
        raise TypeError(f"rows must be a list of dicts as returned by experiments.run_task, "
                        f"got {type(rows).__name__}")
    if not rows:
        raise ValueError("rows must not be empty")
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise TypeError(f"rows[{i}] must be a dict, got {type(row).__name__}")
        for key in ("task", "rule", "clean_accuracy"):
            if key not in row:
                raise ValueError(f"rows[{i}] has no {key!r} entry")
    return rows


def plot_accuracy_vs_eps(rows, task, attack="fgsm", eps_list=EPS_GRID, ax=None):
    """Accuracy against perturbation size for both rules on one task, mean ± std over seeds.

    The point at eps = 0 is the clean test accuracy; the other points are the columns
    ``f"{attack}_{eps:g}"`` of the rows. Error bars are the sample standard deviation over the
    seeds (rows) of each rule (none when there is a single seed). See chapter 7.

    Parameters
    ----------
    rows : list of dict
        Rows as returned by :func:`localrule.experiments.run_task`, one per rule and seed,
        possibly from several tasks.
    task : str
        Task name as in the rows, e.g. ``"mnist 3v5"``.
    attack : {"fgsm", "pgd", "transfer", "noise"}
        For ``"transfer"`` each rule's curve is its accuracy on inputs crafted (FGSM) on the
        other rule's model.
    eps_list : sequence of float in [0, 1]
        The eps values to plot (each positive one must be a column of the rows; a 0 entry
        is ignored, since the clean accuracy is always drawn at eps = 0).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    rows = _check_rows(rows)
    attack = check_choice(attack, "attack", ATTACK_COLUMNS)
    tasks = list(dict.fromkeys(row["task"] for row in rows))
    if task not in tasks:
        raise ValueError(f"task {task!r} is not in the rows; available: {tasks}")
    eps_values = [float(e) for e in check_array(eps_list, "eps_list", ndim=1)]
    if any(e < 0 or e > 1 for e in eps_values):
        raise ValueError(f"eps_list must hold values in [0, 1], got {eps_values}")
    eps_values = [e for e in eps_values if e > 0]  # eps = 0 is the clean accuracy, drawn anyway
    columns = ["clean_accuracy"] + [f"{attack}_{e:g}" for e in eps_values]
    chosen = [row for row in rows if row["task"] == task]
    for column in columns[1:]:
        if any(column not in row for row in chosen):
            raise ValueError(f"eps_list: column {column!r} is missing from the rows of "
                             f"task {task!r}")
    summary = summarize(chosen, columns)
    ax = new_axes(ax)
    x = np.array([0.0] + eps_values)
    for rule, color in RULE_COLORS.items():
        if (task, rule) not in summary:
            continue
        stats = summary[(task, rule)]
        mean = np.array([stats[c][0] for c in columns])
        std = np.array([stats[c][1] for c in columns])
        n = stats[columns[0]][2]
        ax.errorbar(x, mean, yerr=std, marker="o", capsize=3, color=color,
                    label=seeds_label(RULE_NAMES[rule], n))
    ax.set_xlabel(EPS_LABEL)
    ax.set_ylabel(ACCURACY_LABEL)
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"{task}: {ATTACK_TITLES[attack]}")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize="small")
    return ax


def _check_nets(nets):
    if not isinstance(nets, dict) or not nets:
        raise TypeError(f"nets must be a non-empty dict {{rule: MLP}}, got {type(nets).__name__}")
    for rule, net in nets.items():
        if not isinstance(net, MLP):
            raise TypeError(f"nets[{rule!r}] must be an MLP, got {type(net).__name__}")
    first = next(iter(nets.values()))
    if any(net.sizes[0] != first.sizes[0] or net.n_classes != first.n_classes
           for net in nets.values()):
        shapes = {rule: (net.sizes[0], net.n_classes) for rule, net in nets.items()}
        raise ValueError(f"nets must share input size and number of classes, got {shapes}")
    return nets


def plot_adversarial_examples(nets, X, y, eps, n=4, image_shape=(28, 28), seed=0,
                              class_names=None):
    """A grid of clean images, FGSM perturbations and adversarial images for each network.

    Row i is one test example. Columns: the clean image (title: label and each network's
    prediction), then for each network the perturbation x_adv - x = eps sign(dL/dx) (after
    clipping to [0, 1]) crafted on that network, then for each network its adversarial image
    with the predicted class and its confidence (the output activity of the predicted unit).
    Examples are drawn with ``seed`` among those every network classifies correctly when clean
    (among all examples if fewer than ``n`` are). See chapter 7.

    Parameters
    ----------
    nets : dict
        ``{"local": MLP, "bp": MLP}`` (any names; shown in the titles).
    X : ndarray, shape (m, prod(image_shape)), entries in [0, 1]
    y : ndarray of int, shape (m,)
    eps : float in (0, 1]
    n : int
        Number of examples (rows), 1 <= n <= m.
    image_shape : tuple of int
        Shape each row of X is reshaped to.
    seed : int
    class_names : sequence of str, optional
        Names of the classes (e.g. ``("3", "5")``); default the class indices.

    Returns
    -------
    matplotlib Figure
    """
    import matplotlib.pyplot as plt

    nets = _check_nets(nets)
    first = next(iter(nets.values()))
    X = first.check_input(check_array(X, "X", ndim=2, unit_interval=True), "X")
    y = check_labels(y, "y", n_samples=X.shape[0], n_classes=first.n_classes)
    if not isinstance(eps, numbers.Real) or not 0 < float(eps) <= 1:
        raise ValueError(f"eps must be a number in (0, 1], got {eps!r}")
    eps = float(eps)
    n = check_int(n, "n", minimum=1)
    if n > X.shape[0]:
        raise ValueError(f"n must be at most the number of examples {X.shape[0]}, got {n}")
    shape = tuple(check_int(s, "image_shape", minimum=1) for s in image_shape)
    if int(np.prod(shape)) != X.shape[1]:
        raise ValueError(f"image_shape {shape} does not hold {X.shape[1]} features")
    if class_names is None:
        class_names = [str(c) for c in range(first.n_classes)]
    class_names = [str(c) for c in class_names]
    if len(class_names) != first.n_classes:
        raise ValueError(f"class_names must name {first.n_classes} classes, got {class_names}")
    rng = np.random.default_rng(check_seed(seed))

    correct = np.all([net.predict(X) == y for net in nets.values()], axis=0)
    pool = np.flatnonzero(correct) if correct.sum() >= n else np.arange(X.shape[0])
    idx = np.sort(rng.choice(pool, size=n, replace=False))
    Xs, ys = X[idx], y[idx]
    adv = {name: fgsm(net, Xs, ys, eps) for name, net in nets.items()}

    def describe(net, images):
        proba = net.predict_proba(images)
        pred = np.argmax(proba, axis=1)
        return pred, proba[np.arange(len(pred)), pred]

    names = list(nets)
    n_cols = 1 + 2 * len(names)
    fig, axes = plt.subplots(n, n_cols, figsize=(2.1 * n_cols, 2.3 * n), squeeze=False)
    clean_pred = {name: describe(net, Xs) for name, net in nets.items()}
    for i in range(n):
        ax = axes[i, 0]
        ax.imshow(Xs[i].reshape(shape), cmap="gray", vmin=0, vmax=1)
        preds = ", ".join(f"{RULE_NAMES.get(k, k)}: {class_names[clean_pred[k][0][i]]} "
                          f"({clean_pred[k][1][i]:.2f})" for k in names)
        ax.set_title(f"clean, label {class_names[ys[i]]}\n{preds}", fontsize=7)
        for j, name in enumerate(names):
            label = RULE_NAMES.get(name, name)
            ax = axes[i, 1 + j]
            image = ax.imshow((adv[name][i] - Xs[i]).reshape(shape), cmap="RdBu_r",
                              vmin=-eps, vmax=eps)
            ax.set_title(f"perturbation on {label}\n(eps = {eps:g})", fontsize=7)
            pred, conf = describe(nets[name], adv[name][i:i + 1])
            ok = "correct" if pred[0] == ys[i] else "wrong"
            ax = axes[i, 1 + len(names) + j]
            ax.imshow(adv[name][i].reshape(shape), cmap="gray", vmin=0, vmax=1)
            ax.set_title(f"adversarial for {label}\npredicts {class_names[pred[0]]} "
                         f"({conf[0]:.2f}, {ok})", fontsize=7,
                         color="black" if ok == "correct" else "firebrick")
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"FGSM at eps = {eps:g} (pixel units in [0, 1]); confidence = output "
                 f"activity of the predicted unit", fontsize=9)
    fig.tight_layout()
    bar = fig.colorbar(image, ax=axes[:, 1:1 + len(names)].ravel().tolist(),
                       orientation="horizontal", fraction=0.04, pad=0.03, aspect=30)
    bar.set_label("perturbation x_adv - x (pixel units)", fontsize=7)
    bar.ax.tick_params(labelsize=6)
    return fig


def column_label(column):
    """Axis label with units for a row column such as ``"grad_norm"`` or ``"fgsm_0.1"``."""
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column]
    kind, _, eps = column.partition("_")
    if kind in ATTACK_TITLES and eps:
        return f"accuracy under {ATTACK_TITLES[kind]}, eps = {eps} (fraction correct)"
    return column


def plot_metric_scatter(rows, x="grad_norm", y="fgsm_0.1", ax=None):
    """One point per row (rule × seed × task): column ``x`` against column ``y``.

    Colour marks the rule, the marker the task, so a reader can see whether a difference
    between the rules in ``y`` follows the difference in ``x`` (e.g. whether models with
    smaller input gradients are the more robust ones within a rule too). See chapter 7.

    Parameters
    ----------
    rows : list of dict
        Rows as returned by :func:`localrule.experiments.run_task`.
    x, y : str
        Numeric columns present in every row.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    rows = _check_rows(rows)
    for name, column in (("x", x), ("y", y)):
        if not isinstance(column, str):
            raise TypeError(f"{name} must be a column name, got {type(column).__name__}")
        missing = [i for i, row in enumerate(rows) if column not in row]
        if missing:
            raise ValueError(f"{name}: column {column!r} is missing from rows {missing[:5]}")
        if not all(isinstance(row[column], numbers.Real) and np.isfinite(row[column])
                   for row in rows):
            raise ValueError(f"{name}: column {column!r} must hold finite numbers")
    ax = new_axes(ax)
    markers = "osD^v<>P*X"
    tasks = list(dict.fromkeys(row["task"] for row in rows))
    for t, task in enumerate(tasks):
        for rule, color in RULE_COLORS.items():
            chosen = [row for row in rows if row["task"] == task and row["rule"] == rule]
            if chosen:
                ax.scatter([row[x] for row in chosen], [row[y] for row in chosen], color=color,
                           marker=markers[t % len(markers)], alpha=0.8,
                           label=f"{RULE_NAMES[rule]}, {task}")
    ax.set_xlabel(column_label(x))
    ax.set_ylabel(column_label(y))
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return ax
