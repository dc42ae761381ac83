"""Variants of the local rule side by side over seeds: ablations, ten digits (chapter 9).

A *variant* is a name and a rule: ``("local", {...})`` for a :class:`~localrule.rules.LocalRule`
with the given options (``association``, ``beta``, ``hebbian``, ``eta``) or ``("bp", {...})``
for :class:`~localrule.rules.Backprop`. :func:`run_variants` trains every variant on every seed
(the seed fixes the data split, the initial weights, the association wiring and the sample
order, so all variants of one seed share the same split and the same starting network) and
returns one plain record per run. :func:`summarize`, :func:`format_table` and
:func:`plot_variants` turn the records into a table and a bar chart.
"""

import contextlib
import time

import numpy as np

from localrule.data import load_mnist, load_mnist_pair
from localrule.network import MLP
from localrule.rules import Backprop, LocalRule
from localrule.tasks import DEFAULTS
from localrule.train import fit
from localrule.validation import check_choice, check_int, check_positive, check_seed

RULE_KINDS = ("local", "bp")

#: The ablations of chapter 9: the default rule, the three variants of DESIGN section 2 at two
#: strengths each where a strength exists, and backprop as the reference.
ABLATIONS = {
    "hard association (default)": ("local", {}),
    "soft association, beta=4": ("local", {"association": "soft", "beta": 4.0}),
    "soft association, beta=1": ("local", {"association": "soft", "beta": 1.0}),
    "no hidden association": ("local", {"association": "none"}),
    "unbalanced window, hebbian=0.1": ("local", {"hebbian": 0.1}),
    "unbalanced window, hebbian=0.5": ("local", {"hebbian": 0.5}),
    "backprop": ("bp", {}),
}

#: The ten-digit comparison: the default local rule against backprop.
MULTICLASS = {"local rule": ("local", {}), "backprop": ("bp", {})}

#: Quantities each record holds (besides ``variant``, ``seed`` and ``test_curve``).
METRICS = ("test_accuracy", "train_accuracy", "hidden_spread", "seconds")


# ----------------------------------------------------------------------------- checks
def _check_variants(variants):
    if not isinstance(variants, dict) or not variants:
        raise TypeError("variants must be a non-empty dict {name: (kind, options)}")
    checked = {}
    for name, spec in variants.items():
        if not isinstance(name, str):
            raise TypeError(f"variants: names must be strings, got {type(name).__name__}")
        if not (isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], dict)):
            raise TypeError(f"variants[{name!r}] must be a (kind, options) tuple, got {spec!r}")
        kind = check_choice(spec[0], f"variants[{name!r}] kind", RULE_KINDS)
        checked[name] = (kind, dict(spec[1]))
    return checked


def _check_seeds(seeds):
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise TypeError(f"seeds must be a sequence of integers, got {type(seeds).__name__}")
    seeds = tuple(check_seed(s, "seeds") for s in seeds)
    if not seeds:
        raise ValueError("seeds must not be empty")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct, got {seeds}")
    return seeds


def _check_hidden(hidden):
    if isinstance(hidden, (str, bytes)) or not hasattr(hidden, "__len__"):
        raise TypeError(f"hidden must be a sequence of layer widths, got {type(hidden).__name__}")
    return tuple(check_int(h, "hidden", minimum=1) for h in hidden)


def make_rule(kind, options, seed=0, eta_local=0.01, eta_bp=0.05):
    """The rule of one variant: ``LocalRule(eta_local, seed=seed, **options)`` or Backprop.

    ``options`` may set ``eta`` to override the default learning rate of that variant.
    """
    kind = check_choice(kind, "kind", RULE_KINDS)
    options = dict(options)
    if kind == "local":
        eta = options.pop("eta", eta_local)
        try:
            return LocalRule(eta, seed=seed, **options)
        except TypeError as exc:  # an unknown keyword
            raise TypeError(f"options: {exc}") from None
    eta = options.pop("eta", eta_bp)
    if options:
        raise TypeError(f"options: Backprop takes only eta, got {sorted(options)}")
    return Backprop(eta)


def layer_spreads(net, X):
    """How much each layer's activity varies across inputs, one number per layer.

    For layer l (input first, output last): the standard deviation over the samples of X of each
    unit's activity, averaged over the units of the layer,
    spread_l = mean_j std_k a_{l,j}(k). It is 0 for a layer that answers every input the same way.

    Parameters
    ----------
    net : MLP
    X : ndarray, shape (n, n_in), n >= 2

    Returns
    -------
    ndarray, shape (L + 1,)
        Spreads of a_0 = X, a_1, ..., a_L. See chapter 9.
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP, got {type(net).__name__}")
    X = net.check_input(X, "X")
    if X.shape[0] < 2:
        raise ValueError(f"X needs at least 2 samples to measure a spread, got {X.shape[0]}")
    return np.array([float(np.mean(np.std(a, axis=0))) for a in net.forward(X)])


def hidden_spread(net, X):
    """Spread of the last hidden layer (:func:`layer_spreads`), the features the output reads."""
    return float(layer_spreads(net, X)[-2])


# ----------------------------------------------------------------------------- running
def _single_threaded_blas():
    """Limit BLAS to one thread while the runs train (restored afterwards).

    The per-epoch evaluations multiply small matrices (a few thousand rows by 784); with a
    multi-threaded BLAS the threads' start-up and spinning cost more than they save, roughly
    doubling the CPU time of a run on a busy two-core machine. Training itself runs in numba
    and does not use BLAS.
    """
    try:
        from threadpoolctl import threadpool_limits  # installed with scikit-learn
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def run_variants(load, variants, seeds=(0, 1, 2), epochs=10, hidden=(100, 100), eta_local=0.01,
                 eta_bp=0.05, progress=False):
    """Train every variant on every seed and return one record per run.

    Parameters
    ----------
    load : callable
        ``load(seed) -> (X_train, y_train, X_test, y_test)``; the number of output units is
        ``max(y_train.max(), y_test.max()) + 1``.
    variants : dict
        ``{name: (kind, options)}``, kind "local" or "bp" (see :func:`make_rule`).
    seeds : sequence of int
        One run per seed and variant; the seed fixes split, initial weights, wiring and order.
    epochs : int >= 1
    hidden : tuple of int
        Hidden-layer widths of the ``(n_in, *hidden, n_classes)`` network.
    eta_local, eta_bp : float > 0
        Default learning rates of the two kinds.
    progress : bool
        Print one line per finished run.

    Returns
    -------
    list of dict
        Each with ``variant``, ``seed``, ``test_accuracy`` and ``train_accuracy`` (after the
        last epoch, fractions in [0, 1]), ``test_curve`` (test accuracy after each epoch),
        ``hidden_spread`` (:func:`hidden_spread` on the test set) and ``seconds`` (training
        time). See chapter 9.
    """
    if not callable(load):
        raise TypeError(f"load must be a callable seed -> data, got {type(load).__name__}")
    variants = _check_variants(variants)
    seeds = _check_seeds(seeds)
    epochs = check_int(epochs, "epochs", minimum=1)
    hidden = _check_hidden(hidden)
    eta_local = check_positive(eta_local, "eta_local")
    eta_bp = check_positive(eta_bp, "eta_bp")
    records = []
    with _single_threaded_blas():
        for seed in seeds:
            _run_seed(load, seed, variants, epochs, hidden, eta_local, eta_bp, progress, records)
    return records


def _run_seed(load, seed, variants, epochs, hidden, eta_local, eta_bp, progress, records):
    """Train every variant on one seed's data, appending one record per variant."""
    X_train, y_train, X_test, y_test = load(seed)
    n_classes = int(max(np.max(y_train), np.max(y_test))) + 1
    sizes = (X_train.shape[1], *hidden, max(n_classes, 2))
    for name, (kind, options) in variants.items():
        rule = make_rule(kind, options, seed=seed, eta_local=eta_local, eta_bp=eta_bp)
        net = MLP(sizes, seed=seed)
        start = time.perf_counter()
        history = fit(net, rule, X_train, y_train, epochs=epochs, seed=seed,
                      X_test=X_test, y_test=y_test, progress=False)
        records.append({
            "variant": name, "seed": seed,
            "test_accuracy": history.test_accuracy[-1],
            "train_accuracy": history.train_accuracy[-1],
            "test_curve": list(history.test_accuracy),
            "hidden_spread": hidden_spread(net, X_test),
            "seconds": time.perf_counter() - start,
        })
        if progress:
            print(f"seed {seed}  {name:<32} test accuracy {records[-1]['test_accuracy']:.3f}")


def run_ablation(pair=(3, 5), variants=None, seeds=(0, 1, 2), epochs=None, hidden=None,
                 source="bundled", progress=False):
    """The ablations of chapter 9 on one MNIST digit pair (defaults of ``localrule.tasks``).

    ``variants`` defaults to :data:`ABLATIONS`; ``epochs``, ``hidden`` and the learning rates
    default to the MNIST-pair defaults (10 epochs, 784-100-100-2, eta 0.01 local / 0.05 bp).
    Returns the records of :func:`run_variants`.
    """
    if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
        raise ValueError(f"pair must name two digits, e.g. (3, 5), got {pair!r}")
    d = DEFAULTS["mnist"]
    a, b = pair
    load_mnist_pair(a, b, seed=0, source=source)  # fail early on a bad pair or source
    return run_variants(lambda seed: load_mnist_pair(a, b, seed=seed, source=source),
                        ABLATIONS if variants is None else variants, seeds=seeds,
                        epochs=d.epochs if epochs is None else epochs,
                        hidden=d.hidden if hidden is None else hidden,
                        eta_local=d.eta["local"], eta_bp=d.eta["bp"], progress=progress)


def run_multiclass(seeds=(0, 1), epochs=5, hidden=(100, 100), variants=None, source="bundled",
                   progress=False):
    """All ten MNIST digits, 784-h1-h2-10, local rule against backprop (chapter 9).

    Learning rates are the MNIST-pair defaults. ``variants`` defaults to :data:`MULTICLASS`.
    Returns the records of :func:`run_variants`.
    """
    d = DEFAULTS["mnist"]
    check_choice(source, "source", ("bundled", "full"))
    return run_variants(lambda seed: load_mnist(seed=seed, source=source),
                        MULTICLASS if variants is None else variants, seeds=seeds,
                        epochs=epochs, hidden=hidden, eta_local=d.eta["local"],
                        eta_bp=d.eta["bp"], progress=progress)


# ----------------------------------------------------------------------------- reporting
def summarize(records, metrics=("test_accuracy", "hidden_spread")):
    """Mean and spread of each metric per variant, in the order variants first appear.

    Returns
    -------
    list of dict
        One row per variant: ``variant``, ``n`` (seeds), and for every metric m ``m_mean``,
        ``m_std`` (sample standard deviation, ddof=1; 0 for a single seed), ``m_min``, ``m_max``.
    """
    if not isinstance(records, (list, tuple)) or not records:
        raise ValueError("records must be a non-empty list of run records")
    for m in metrics:
        check_choice(m, "metrics", METRICS)
    names = list(dict.fromkeys(r["variant"] for r in records))
    rows = []
    for name in names:
        runs = [r for r in records if r["variant"] == name]
        row = {"variant": name, "n": len(runs)}
        for m in metrics:
            v = np.array([r[m] for r in runs], dtype=float)
            row[f"{m}_mean"] = float(v.mean())
            row[f"{m}_std"] = float(v.std(ddof=1)) if v.size > 1 else 0.0
            row[f"{m}_min"], row[f"{m}_max"] = float(v.min()), float(v.max())
        rows.append(row)
    return rows


def format_table(summary, metrics=("test_accuracy", "hidden_spread")):
    """The summary as a fixed-width text table, ``mean ± std [min, max]`` per metric."""
    if not summary:
        raise ValueError("summary must not be empty")
    width = max(len("variant"), *(len(r["variant"]) for r in summary))
    head = f"{'variant':<{width}}  n  " + "  ".join(f"{m:<26}" for m in metrics)
    lines = [head, "-" * len(head)]
    for r in summary:
        cells = [f"{r[m + '_mean']:.3f} ± {r[m + '_std']:.3f} [{r[m + '_min']:.3f}, "
                 f"{r[m + '_max']:.3f}]" for m in metrics]
        lines.append(f"{r['variant']:<{width}}  {r['n']}  " + "  ".join(f"{c:<26}" for c in cells))
    return "\n".join(lines)


def plot_variants(records, metric="test_accuracy", ax=None, reference=None,
                  label="test accuracy (fraction correct)"):
    """Horizontal bar chart: mean over seeds with ± one standard deviation, one dot per seed.

    ``reference`` names a variant drawn grey with a dashed vertical line at its mean (e.g.
    "backprop"); ``label`` is the axis label of the metric. Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    check_choice(metric, "metric", METRICS)
    summary = summarize(records, (metric,))
    names = [r["variant"] for r in summary]
    if reference is not None and reference not in names:
        raise ValueError(f"reference must be one of the variants, got {reference!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.45 * len(summary) + 1.2))
    means = [r[f"{metric}_mean"] for r in summary]
    stds = [r[f"{metric}_std"] for r in summary]
    y = np.arange(len(names))[::-1]
    colors = ["tab:gray" if name == reference else "tab:blue" for name in names]
    ax.barh(y, means, xerr=stds, color=colors, alpha=0.6, capsize=4,
            label="mean over seeds ± 1 s.d.")
    for yi, name in zip(y, names):
        vals = [r[metric] for r in records if r["variant"] == name]
        ax.plot(vals, [yi] * len(vals), "o", color="black", ms=4,
                label="one seed" if yi == y[0] else None)
    if reference is not None:
        ax.axvline(means[names.index(reference)], color="tab:gray", ls="--", lw=1,
                   label=f"{reference} mean")
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.set_xlabel(label)
    return ax
