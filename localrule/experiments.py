"""Comparison experiments shared by chapters 6 and 7 and ``python -m localrule reproduce``.

A *task* is a data set and a class pair, e.g. ("mnist", (3, 5)). For one task and one seed,
:func:`run_task` trains a LocalRule model and a Backprop model on the same split and measures,
for each, the clean test accuracy and its accuracy under FGSM, PGD, transfer attacks (crafted on
the other model) and random-sign noise at every eps, plus the mean input-gradient norm. Because
the book and the command call the same function, they cannot disagree.
"""

import time

import numpy as np

from localrule.attacks import robustness_curve
from localrule.gradients import input_gradient
from localrule.tasks import RULES, load_task, task_name, train_task
from localrule.validation import check_array, check_int

#: The eps values (max-norm, inputs in [0, 1]) every comparison reports.
EPS_GRID = (0.05, 0.1, 0.2, 0.3)

#: Attacks measured for every eps: white-box FGSM and PGD, transfer FGSM, random-sign control.
ATTACK_COLUMNS = ("fgsm", "pgd", "transfer", "noise")


def metric_columns(eps_list=EPS_GRID):
    """Names of the per-eps accuracy columns, e.g. ``fgsm_0.05``, in a fixed order."""
    return [f"{kind}_{eps:g}" for kind in ATTACK_COLUMNS for eps in eps_list]


def train_both(dataset, classes, seed=0, source="bundled", epochs=None, data=None):
    """Train one model per rule on the same split.

    Returns
    -------
    models : dict
        ``{"local": (net, history, seconds), "bp": (net, history, seconds)}``
    data : tuple
        ``(X_train, y_train, X_test, y_test)``
    """
    data = load_task(dataset, classes, seed=seed, source=source) if data is None else data
    models = {}
    for rule in RULES:
        start = time.perf_counter()
        net, history, _ = train_task(dataset, classes, rule, seed=seed, epochs=epochs, data=data)
        models[rule] = (net, history, time.perf_counter() - start)
    return models, data


def mean_input_gradient_norm(net, X, y):
    """Mean Euclidean norm of dL/dx over the samples, a measure of local sensitivity."""
    return float(np.mean(np.linalg.norm(input_gradient(net, X, y), axis=1)))


def attack_metrics(net, other, X, y, eps_list=EPS_GRID, seed=0, pgd_steps=10):
    """Accuracies of ``net`` under every attack column at every eps (a dict of floats).

    ``other`` is the model the transfer attack is crafted on.
    """
    row = {"clean_accuracy": net.score(X, y),
           "grad_norm": mean_input_gradient_norm(net, X, y)}
    curves = {
        "fgsm": robustness_curve(net, X, y, eps_list, attack="fgsm"),
        "pgd": robustness_curve(net, X, y, eps_list, attack="pgd", steps=pgd_steps),
        "transfer": robustness_curve(net, X, y, eps_list, attack="fgsm", source_net=other),
        "noise": robustness_curve(net, X, y, eps_list, attack="noise", seed=seed),
    }
    for kind in ATTACK_COLUMNS:
        for eps, acc in zip(eps_list, curves[kind]):
            row[f"{kind}_{eps:g}"] = float(acc)
    return row


def run_task(dataset, classes, seed=0, eps_list=EPS_GRID, source="bundled", epochs=None,
             pgd_steps=10, n_test=None):
    """Train both rules on one task and seed, then measure them.

    Parameters
    ----------
    dataset : {"mnist", "iris"}
    classes : pair of class names or indices
    seed : int
        Seed of the split, the weights, the sample order and the association wiring.
    eps_list : sequence of float in [0, 1]
    n_test : int, optional
        Evaluate attacks on the first ``n_test`` test samples only (for quick runs).

    Returns
    -------
    rows : list of dict
        One row per rule: task, dataset, classes, rule, seed, clean and train accuracy,
        train seconds, input-gradient norm and every column of :func:`metric_columns`.
    models : dict
        As returned by :func:`train_both` (networks and histories, for figures).
    data : tuple
    """
    eps_list = tuple(float(e) for e in check_array(eps_list, "eps_list", ndim=1))
    models, data = train_both(dataset, classes, seed=seed, source=source, epochs=epochs)
    X_test, y_test = data[2], data[3]
    if n_test is not None:
        n_test = check_int(n_test, "n_test", minimum=1)
        X_test, y_test = X_test[:n_test], y_test[:n_test]
    rows = []
    for rule, other in (("local", "bp"), ("bp", "local")):
        net, history, seconds = models[rule]
        row = {"task": task_name(dataset, classes), "dataset": dataset,
               "classes": "v".join(str(c) for c in classes), "rule": rule, "seed": seed,
               "train_accuracy": history.train_accuracy[-1], "train_seconds": seconds}
        row.update(attack_metrics(net, models[other][0], X_test, y_test, eps_list, seed,
                                  pgd_steps))
        rows.append(row)
    return rows, models, data


def summarize(rows, columns):
    """Mean and standard deviation over seeds of ``columns``, per (task, rule).

    Returns
    -------
    dict
        ``{(task, rule): {column: (mean, std, n)}}`` in first-seen order.
    """
    groups = {}
    for row in rows:
        groups.setdefault((row["task"], row["rule"]), []).append(row)
    return {key: {c: (float(np.mean([r[c] for r in group])),
                      float(np.std([r[c] for r in group], ddof=1)) if len(group) > 1 else 0.0,
                      len(group)) for c in columns}
            for key, group in groups.items()}


def format_summary(summary, columns, digits=3):
    """A Markdown table ``task | rule | column (mean ± std) ...`` of :func:`summarize` output."""
    head = "| task | rule | " + " | ".join(columns) + " |"
    lines = [head, "|" + "---|" * (len(columns) + 2)]
    for (task, rule), stats in summary.items():
        cells = [f"{stats[c][0]:.{digits}f} ± {stats[c][1]:.{digits}f}" for c in columns]
        lines.append(f"| {task} | {rule} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
