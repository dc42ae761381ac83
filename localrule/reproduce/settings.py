"""What a reproduction run computes: its checked arguments and the settings of its run files.

The settings (:func:`make_settings`) are everything that changes a run file's numbers; they are
stored in every run file so that results made with other settings are never mixed.
See chapters 6-8.
"""

import math

from localrule.data import MNIST_SOURCES
from localrule.experiments import EPS_GRID
from localrule.reproduce.pairs import default_pairs, parse_pairs
from localrule.tasks import DEFAULTS
from localrule.validation import check_choice, check_int

#: Format of the run files; bump it when their content changes meaning.
FORMAT = "localrule-reproduce-1"

#: The default output folder (relative to the working directory).
DEFAULT_OUT = "reproduce_out"

#: Seeds 0..N-1 of the full and the quick run.
DEFAULT_SEEDS = 5
QUICK_SEEDS = 2

#: What ``quick`` changes: fewer epochs and attacks evaluated on the first test samples only.
QUICK_EPOCHS = {"mnist": 3, "iris": 30}
QUICK_N_TEST = 100

#: PGD iterations of every robustness measurement.
PGD_STEPS = 10

#: Claim (b): the spiking simulation of chapter 4 (points, trials per point, seed).
ASSOCIATION = {"n_points": 60, "n_trials": 500, "seed": 0}

#: Claim (e): epochs of the online vs layerwise comparison.
PARALLEL_EPOCHS = 2


def check_eps(eps):
    """``eps`` as a tuple of distinct floats in [0, 1]; errors name ``eps``."""
    if isinstance(eps, (str, bytes)) or not hasattr(eps, "__iter__"):
        raise TypeError(f"eps must be a sequence of numbers in [0, 1], got {type(eps).__name__}")
    values = []
    for e in eps:
        try:
            value = float(e)
        except (TypeError, ValueError):
            raise ValueError(f"eps: {e!r} is not a number") from None
        if not (math.isfinite(value) and 0.0 <= value <= 1.0):
            raise ValueError(f"eps values must lie in [0, 1] (inputs live in [0, 1]), got {e}")
        if f"{value:g}" in {f"{v:g}" for v in values}:
            raise ValueError(f"eps: {value:g} is given twice")
        values.append(value)
    if not values:
        raise ValueError("eps must hold at least one value")
    return tuple(values)


def check_arguments(quick, seeds, source, eps, pairs):
    """The arguments of :func:`localrule.reproduce.reproduce`, checked and completed.

    Returns
    -------
    quick : bool
    seeds : list of int
        0..N-1 (N defaults to :data:`DEFAULT_SEEDS`, or :data:`QUICK_SEEDS` with ``quick``).
    source : str
    eps : tuple of float
    tasks : list of Task
        The pairs (default: :func:`default_pairs`).

    Raises
    ------
    ValueError, TypeError
        Naming the argument.
    """
    quick = bool(quick)
    seeds = (QUICK_SEEDS if quick else DEFAULT_SEEDS) if seeds is None else seeds
    seeds = list(range(check_int(seeds, "seeds", minimum=1)))
    source = check_choice(source, "source", MNIST_SOURCES)
    eps = check_eps(eps)
    tasks = parse_pairs(default_pairs(quick) if pairs is None else pairs)
    return quick, seeds, source, eps, tasks


def make_settings(quick=False, source="bundled", eps=EPS_GRID):
    """Everything that changes a run file's numbers, as a JSON-ready dict.

    Seeds and pairs are not settings: they choose *which* run files make up the report, so a
    later run may add seeds or pairs to a folder and reuse what is there.
    """
    return {
        "format": FORMAT,
        "quick": bool(quick),
        "source": source,
        "eps": list(eps),
        "epochs": dict(QUICK_EPOCHS) if quick else {d: DEFAULTS[d].epochs for d in DEFAULTS},
        "n_test": QUICK_N_TEST if quick else None,
        "pgd_steps": PGD_STEPS,
        "hidden": {d: list(DEFAULTS[d].hidden) for d in DEFAULTS},
        "eta": {d: dict(DEFAULTS[d].eta) for d in DEFAULTS},
        "association": dict(ASSOCIATION),
        "parallel_epochs": PARALLEL_EPOCHS,
    }


def data_source(settings, task):
    """The data source of ``task``: the run's MNIST source, "bundled" for IRIS."""
    return settings["source"] if task.dataset == "mnist" else "bundled"


def differences(stored, current):
    """One line per setting that differs between a folder's run file and this run."""
    keys = sorted(set(stored) | set(current))
    return [f"{k}: {stored.get(k)!r} in the folder, {current.get(k)!r} now"
            for k in keys if stored.get(k) != current.get(k)]
