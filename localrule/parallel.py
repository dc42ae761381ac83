"""Parallel and distributed schedules of the local rule, and their cost models (chapter 8).

The local rule updates layer l at sample k from three things only: the activity a_{l-1}(k) that
arrives from the layer below, the layer's own weights, and the label. This module turns that fact
into schedules and numbers:

- :func:`dependency_edges` / :func:`is_acyclic` / :func:`is_valid_order`: which training steps wait
  for which, for the local rule and for backprop, and whether an order of steps is allowed;
- :func:`compare_schedules`: online and layerwise training give the same weights;
- :func:`measure_speedup`: serial online epoch against the layerwise epoch with neurons in
  parallel threads (built on the functions of :mod:`localrule.bench`);
- :func:`pipeline_schedule` / :func:`run_pipelined` / :func:`plot_pipeline_schedule`: layers
  working on different blocks of samples at the same time;
- :func:`layer_costs` / :func:`pipeline_speedup` / :func:`balance_workers`: a throughput model;
- :func:`communication_per_sample` / :func:`time_per_sample`: what has to travel between
  machines, and what waiting costs.
"""

import math
import os
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from localrule import kernels
from localrule._numba import HAVE_NUMBA, get_num_threads, set_num_threads
from localrule.bench import SIZES, _max_diff, bench_data
from localrule.network import MLP
from localrule.rules import LAYERWISE_IMPOSSIBLE, Backprop, LocalRule
from localrule.train import fit
from localrule.validation import (check_array, check_choice, check_int, check_labels,
                                  check_positive, check_seed)

RULE_KINDS = ("local", "bp")


# ----------------------------------------------------------------------------- argument checks
def _check_sizes(sizes, name="sizes"):
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
        raise TypeError(f"{name} must be a sequence of layer widths, got {type(sizes).__name__}")
    sizes = tuple(check_int(n, name, minimum=1) for n in sizes)
    if len(sizes) < 2:
        raise ValueError(f"{name} needs at least 2 layer widths (input and output), got {sizes}")
    return sizes


def _check_per_layer(values, name, n_layers, minimum=1):
    """A tuple of ``n_layers`` integers >= minimum (None -> all ones)."""
    if values is None:
        return (1,) * n_layers
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise TypeError(f"{name} must be a sequence of {n_layers} integers, "
                        f"got {type(values).__name__}")
    values = tuple(check_int(v, name, minimum=minimum) for v in values)
    if len(values) != n_layers:
        raise ValueError(f"{name} must have one entry per layer ({n_layers}), got {len(values)}")
    return values


def _check_costs(costs):
    costs = check_array(costs, "costs", ndim=1)
    if np.any(costs <= 0):
        raise ValueError("costs must all be > 0")
    return costs


# ----------------------------------------------------------------------------- dependencies
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


# ----------------------------------------------------------------------------- same numbers
def compare_schedules(net, rule, X, y, epochs=1, seed=0):
    """Train two copies of ``net``, one online and one layerwise, and compare their weights.

    Parameters
    ----------
    net : MLP
        Left unchanged; the copies are trained.
    rule : LocalRule
    X : ndarray, shape (n, n_in)
    y : ndarray of int, shape (n,)
    epochs : int >= 1
    seed : int
        Seed of the sample order (the same for both schedules).

    Returns
    -------
    online, layerwise : MLP
        The two trained copies.
    max_diff : float
        max |online - layerwise| over every weight and bias. See chapter 8.
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP, got {type(net).__name__}")
    if isinstance(rule, Backprop):
        raise ValueError(LAYERWISE_IMPOSSIBLE)
    if not isinstance(rule, LocalRule):
        raise TypeError(f"rule must be a LocalRule, got {type(rule).__name__}")
    online, layerwise = net.copy(), net.copy()
    fit(online, rule, X, y, epochs=epochs, seed=seed, progress=False, schedule="online")
    fit(layerwise, rule, X, y, epochs=epochs, seed=seed, progress=False, schedule="layerwise")
    return online, layerwise, _max_diff(online, layerwise)


# ----------------------------------------------------------------------------- measured speed-up
def hardware_threads():
    """Number of CPU threads this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def max_threads():
    """Largest thread count numba accepts in this process (1 without numba)."""
    if not HAVE_NUMBA:  # pragma: no cover
        return 1
    from numba import config

    return int(config.NUMBA_NUM_THREADS)


def ideal_speedup(sizes, threads):
    """Speed-up of the layerwise epoch if only the work split limited it.

    Layer l has n_l neurons, each doing work proportional to its fan-in n_{l-1}; the kernel splits
    them into min(threads, n_l) blocks of at most ceil(n_l / blocks) neurons, and a layer ends
    when its largest block ends:

        S_ideal = sum_l n_l n_{l-1} / sum_l ceil(n_l / min(threads, n_l)) n_{l-1}.

    See chapter 8.
    """
    sizes = _check_sizes(sizes)
    threads = check_int(threads, "threads", minimum=1)
    total = sum(n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    critical = sum(math.ceil(n_out / min(threads, n_out)) * n_in
                   for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    return total / critical


@dataclass
class SpeedupResult:
    """Timings of :func:`measure_speedup` (seconds per epoch) and what they were measured on."""

    n_samples: int
    sizes: tuple
    threads: int
    hardware_threads: int
    repeats: int
    serial_times: list = field(default_factory=list)
    parallel_times: list = field(default_factory=list)
    max_diff: float = float("nan")

    @property
    def serial_s(self):
        """Median seconds of the serial online epoch."""
        return float(np.median(self.serial_times))

    @property
    def parallel_s(self):
        """Median seconds of the layerwise epoch with neurons in parallel."""
        return float(np.median(self.parallel_times))

    @property
    def speedup(self):
        """serial_s / parallel_s."""
        return self.serial_s / self.parallel_s

    @property
    def ideal(self):
        """The speed-up the work split allows (:func:`ideal_speedup`)."""
        return ideal_speedup(self.sizes, self.threads)

    def to_dict(self):
        """A JSON-ready dict including the derived numbers."""
        out = asdict(self)
        out.update(serial_s=self.serial_s, parallel_s=self.parallel_s, speedup=self.speedup,
                   ideal=self.ideal)
        return out


def measure_speedup(n=3000, threads=2, repeats=5, sizes=SIZES, eta=0.01, seed=0):
    """Time one serial online epoch against one layerwise epoch with neurons in parallel.

    Both train a fresh copy of the same network on the same ``n`` bundled MNIST images
    (:func:`localrule.bench.bench_data`) in the same order; the runs alternate (serial, parallel,
    serial, ...) so that a change in machine load hits both alike. Kernels are compiled (or
    loaded from the cache) before timing.

    Parameters
    ----------
    n : int >= 8
        Training samples per epoch (at most 3,500, the bundled training split).
    threads : int >= 1
        Numba threads for the parallel epoch; capped at :func:`max_threads` (the value used is
        recorded in the result). The previous thread count is restored afterwards.
    repeats : int >= 1
        Timed epochs per schedule; the result reports medians.
    sizes : tuple of int
        Layer widths; the first must be 784.
    eta : float > 0
    seed : int
        Seed of the network, the association wiring and the sample order.

    Returns
    -------
    SpeedupResult
        Times per repeat, their medians, the speed-up, its ideal value and the largest weight
        difference between the two schedules (0 up to rounding). See chapter 8.
    """
    n = check_int(n, "n", minimum=8)
    threads = min(check_int(threads, "threads", minimum=1), max_threads())
    repeats = check_int(repeats, "repeats", minimum=1)
    sizes = _check_sizes(sizes)
    if sizes[0] != 784:
        raise ValueError(f"sizes must start with 784 (MNIST pixels), got {sizes[0]}")
    eta = check_positive(eta, "eta")
    seed = check_seed(seed)
    X, y = bench_data(n)
    if X.shape[0] < n:
        raise ValueError(f"n must be <= {X.shape[0]} (bundled training images), got {n}")
    if sizes[-1] < 2:  # bench_data has two classes
        raise ValueError(f"sizes must end with at least 2 output units, got {sizes[-1]}")
    order = np.random.default_rng(seed).permutation(n).astype(np.int64)
    rule = LocalRule(eta, seed=seed)
    fresh = MLP(sizes, seed=seed)

    previous = get_num_threads()
    result = SpeedupResult(n_samples=n, sizes=sizes, threads=threads,
                           hardware_threads=hardware_threads(), repeats=repeats)
    try:
        set_num_threads(threads)
        small = order[order < 8]
        for schedule in ("online", "layerwise"):  # compile / load from cache before timing
            rule.train_epoch(fresh.copy(), X, y, small, schedule)
        for _ in range(repeats):
            for schedule, times in (("online", result.serial_times),
                                    ("layerwise", result.parallel_times)):
                net = fresh.copy()
                start = time.perf_counter()
                rule.train_epoch(net, X, y, order, schedule)
                times.append(time.perf_counter() - start)
        online, layerwise = fresh.copy(), fresh.copy()
        rule.train_epoch(online, X, y, order, "online")
        rule.train_epoch(layerwise, X, y, order, "layerwise")
        result.max_diff = _max_diff(online, layerwise)
    finally:
        set_num_threads(previous)
    return result


# ----------------------------------------------------------------------------- pipeline
def pipeline_schedule(n_layers, n_blocks):
    """Which block of samples each layer works on in each time slot of a pipeline.

    The epoch's samples are cut into ``n_blocks`` consecutive blocks. In slot t, layer l (0-based
    here) processes block t - l: layer 1 starts block 0 alone, then layer 1 takes block 1 while
    layer 2 takes block 0, and so on. Layer l handles block k only after layer l - 1 finished it
    (one slot earlier) and after it finished block k - 1 itself, so every dependency of
    :func:`dependency_edges` for the local rule is respected. See chapter 8.

    Returns
    -------
    ndarray of int, shape (n_blocks + n_layers - 1, n_layers)
        ``schedule[t, l]`` is the block layer l processes in slot t, or -1 when it idles.
    """
    n_layers = check_int(n_layers, "n_layers", minimum=1)
    n_blocks = check_int(n_blocks, "n_blocks", minimum=1)
    t = np.arange(n_blocks + n_layers - 1)[:, None]
    block = t - np.arange(n_layers)[None, :]
    return np.where((block >= 0) & (block < n_blocks), block, -1).astype(np.int64)


def schedule_steps(schedule, blocks):
    """The steps ``(l, k)`` (1-based layer, sample index) in the order a pipeline runs them.

    ``blocks`` lists the sample indices of each block. Within a slot the layers are listed top
    first, the reverse of the online order, to make the point that the steps of one slot do not
    depend on each other.
    """
    steps = []
    for row in np.asarray(schedule):
        for l in reversed(range(len(row))):
            if row[l] >= 0:
                steps.extend((l + 1, int(k)) for k in blocks[row[l]])
    return steps


def run_pipelined(net, rule, X, y, order, n_blocks):
    """One epoch of the local rule executed in the order of :func:`pipeline_schedule`.

    Each (layer, block) step runs :func:`localrule.kernels.local_layer_epoch` on the layer's
    recorded input stream. Steps of one slot are run one after the other, top layer first; on a
    machine with one worker per layer they would run at the same time. The weights come out the
    same as with ``fit(..., schedule="online")`` on the same order.

    Parameters
    ----------
    net : MLP
        Trained in place.
    rule : LocalRule
    X : ndarray, shape (n, n_in)
    y : ndarray of int, shape (n,)
    order : ndarray of int
        Sample indices in visiting order (each in 0..n-1).
    n_blocks : int
        Number of blocks, 1 <= n_blocks <= len(order).

    Returns
    -------
    list of ndarray
        The activity streams [X, A_1, ..., A_L], A_l of shape (n, sizes[l]).
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP, got {type(net).__name__}")
    if isinstance(rule, Backprop):
        raise ValueError(LAYERWISE_IMPOSSIBLE)
    if not isinstance(rule, LocalRule):
        raise TypeError(f"rule must be a LocalRule, got {type(rule).__name__}")
    X = net.check_input(check_array(X, "X", ndim=2), "X")
    y = check_labels(y, "y", n_samples=X.shape[0], n_classes=net.n_classes)
    order = np.asarray(order)
    if order.ndim != 1 or order.size == 0 or not np.issubdtype(order.dtype, np.integer):
        raise ValueError("order must be a non-empty 1-d array of sample indices")
    if order.min() < 0 or order.max() >= X.shape[0]:
        raise ValueError(f"order must hold indices in 0..{X.shape[0] - 1}")
    order = order.astype(np.int64)
    n_blocks = check_int(n_blocks, "n_blocks", minimum=1)
    if n_blocks > order.size:
        raise ValueError(f"n_blocks must be <= len(order) = {order.size}, got {n_blocks}")

    Ws, bs = net.parameters()
    _, Ts, assoc = rule._tables(net)
    blocks = np.array_split(order, n_blocks)
    streams = [X] + [np.zeros((X.shape[0], W.shape[0])) for W in Ws]
    for row in pipeline_schedule(len(Ws), n_blocks):
        for l in reversed(range(len(Ws))):
            if row[l] < 0:
                continue
            n_chunks = max(1, min(get_num_threads(), Ws[l].shape[0]))
            kernels.local_layer_epoch(Ws[l], bs[l], streams[l], y, blocks[row[l]], Ts[l],
                                      bool(assoc[l]), rule.eta, rule.hebbian, streams[l + 1],
                                      n_chunks)
    return streams


def plot_pipeline_schedule(schedule, ax=None, slot_label="time slot (one block of samples "
                                                         "per layer)"):
    """Gantt chart of a pipeline: one row per layer, one box per (slot, block), labelled by block.

    Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    schedule = np.asarray(schedule)
    if schedule.ndim != 2 or not np.issubdtype(schedule.dtype, np.integer):
        raise ValueError("schedule must be a 2-d integer array (slots, layers)")
    n_slots, n_layers = schedule.shape
    n_blocks = int(schedule.max()) + 1
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.7 * n_layers + 1.2))
    cmap = plt.get_cmap("tab10" if n_blocks <= 10 else "viridis")
    for t in range(n_slots):
        for l in range(n_layers):
            k = schedule[t, l]
            if k < 0:
                ax.add_patch(plt.Rectangle((t, l + 0.6), 1, 0.8, facecolor="none",
                                           edgecolor="0.8", hatch="//", lw=0.5))
                continue
            color = cmap(k % 10) if n_blocks <= 10 else cmap(k / max(1, n_blocks - 1))
            ax.add_patch(plt.Rectangle((t, l + 0.6), 1, 0.8, facecolor=color,
                                       edgecolor="white", lw=1.5))
            ax.text(t + 0.5, l + 1.0, f"block {k}", ha="center", va="center", fontsize=8,
                    color="white")
    ax.set_xlim(0, n_slots)
    ax.set_ylim(0.5, n_layers + 0.5)
    ax.set_yticks(range(1, n_layers + 1))
    ax.set_yticklabels([f"layer {l}" for l in range(1, n_layers + 1)])
    ax.set_xticks(np.arange(n_slots) + 0.5)
    ax.set_xticklabels(range(n_slots))
    ax.set_xlabel(slot_label)
    ax.plot([], [], color="0.8", lw=6, alpha=0.6, label="idle (pipeline filling or draining)")
    return ax


# ----------------------------------------------------------------------------- cost models
def layer_costs(sizes, rule="local"):
    """Multiply-adds per sample for each weight layer.

    Local rule: 2 n_{l-1} n_l per layer (the forward sum and the weight update).
    Backprop: also W_l^T delta_l for the layer below, 3 n_{l-1} n_l, except the first layer,
    which has no layer below to send an error to (2 n_0 n_1). Dense inputs are assumed.
    See chapter 8.

    Returns
    -------
    ndarray of float, shape (L,)
    """
    sizes = _check_sizes(sizes)
    check_choice(rule, "rule", RULE_KINDS)
    costs = np.array([2.0 * a * b for a, b in zip(sizes[:-1], sizes[1:])])
    if rule == "bp":
        costs[1:] *= 1.5
    return costs


def pipeline_time(costs, n_blocks, workers=None):
    """Time of a pipelined epoch, in units of ``costs`` (the time per block of each layer).

    With layer l split over m_l workers its stage takes c_l / m_l per block; the first block
    crosses every stage, each later one leaves one slowest-stage time after the previous:

        T_pipe = sum_l c_l / m_l + (B - 1) max_l c_l / m_l.
    """
    costs = _check_costs(costs)
    n_blocks = check_int(n_blocks, "n_blocks", minimum=1)
    stage = costs / np.array(_check_per_layer(workers, "workers", costs.size), dtype=float)
    return float(stage.sum() + (n_blocks - 1) * stage.max())


def pipeline_speedup(costs, n_blocks, workers=None):
    """Serial time B sum_l c_l over :func:`pipeline_time`.

    With one worker per layer and equal costs it is L B / (B + L - 1), which tends to L;
    in general it tends to sum_l c_l / max_l (c_l / m_l). See chapter 8.
    """
    costs = _check_costs(costs)
    n_blocks = check_int(n_blocks, "n_blocks", minimum=1)
    return float(n_blocks * costs.sum() / pipeline_time(costs, n_blocks, workers))


def balance_workers(costs, n_workers, max_per_layer=None):
    """Share ``n_workers`` among layers to make the slowest stage c_l / m_l as short as possible.

    Every layer gets one worker, then each further worker goes to the currently slowest stage
    (a layer cannot use more workers than it has neurons, ``max_per_layer``).

    Returns
    -------
    tuple of int
        m_l per layer, summing to at most ``n_workers``.
    """
    costs = _check_costs(costs)
    n_workers = check_int(n_workers, "n_workers", minimum=costs.size)
    cap = _check_per_layer(max_per_layer, "max_per_layer", costs.size) \
        if max_per_layer is not None else (n_workers,) * costs.size
    m = np.ones(costs.size, dtype=np.int64)
    for _ in range(n_workers - costs.size):
        stage = np.where(m < np.array(cap), costs / m, -np.inf)
        if not np.isfinite(stage.max()):
            break
        m[int(np.argmax(stage))] += 1
    return tuple(int(v) for v in m)


def communication_per_sample(sizes, machines=None):
    """Numbers sent between machines per training sample, local rule vs backprop.

    Layer l's neurons are spread over m_l machines (``machines``, default one per layer); the
    input arrives from a data source. Every machine of layer l needs the whole activity vector of
    the layer below, so forward traffic is sum_l n_{l-1} m_l values for both rules.

    - Local rule: each machine also needs the label (one number), and nothing goes backwards.
    - Backprop: only output machines need the label, but each hidden layer l needs
      e_l = W_{l+1}^T delta_{l+1} (n_l numbers); each of the m_{l+1} machines above holds part of
      that sum and sends its partial n_l-vector down: sum_{l<L} n_l m_{l+1} values. A machine of
      layer 1 cannot take the next sample before its error arrived: 2 (L - 1) one-way message hops
      per sample (up to the output and back), against 0 for the local rule. See chapter 8.

    Returns
    -------
    dict
        ``{"local": {...}, "bp": {...}}``, each with ``activities``, ``errors``, ``labels``,
        ``total`` (numbers per sample) and ``wait_hops``.
    """
    sizes = _check_sizes(sizes)
    L = len(sizes) - 1
    m = _check_per_layer(machines, "machines", L)
    activities = sum(sizes[l] * m[l] for l in range(L))  # n_{l-1} values to each of m_l machines
    errors = sum(sizes[l] * m[l] for l in range(1, L))    # n_l partial sums from each of m_{l+1}
    out = {"local": {"activities": activities, "errors": 0, "labels": sum(m), "wait_hops": 0},
           "bp": {"activities": activities, "errors": errors, "labels": m[-1],
                  "wait_hops": 2 * (L - 1)}}
    for row in out.values():
        row["total"] = row["activities"] + row["errors"] + row["labels"]
    return out


def time_per_sample(sizes, latency, rate, machines=None):
    """Steady-state seconds per training sample in a model of distributed online training.

    Layer l runs on m_l machines, each doing ``rate`` multiply-adds per second, and a message
    between machines takes ``latency`` seconds one way (bandwidth is not modelled).

    - Local rule, pipelined: every layer works on its own sample, so a sample leaves every
      ``max_l c_l / (m_l rate)`` seconds; the latency only delays the first one.
    - Backprop, exact online: the next sample may enter only once every layer has updated, so the
      stages add up and the error's round trip is paid every sample:
      ``sum_l c_l / (m_l rate) + 2 (L - 1) latency``.

    ``c_l`` comes from :func:`layer_costs`. Returns ``{"local": s, "bp": s}``. See chapter 8.
    """
    sizes = _check_sizes(sizes)
    latency = check_positive(latency, "latency", allow_zero=True)
    rate = check_positive(rate, "rate")
    m = np.array(_check_per_layer(machines, "machines", len(sizes) - 1), dtype=float)
    local = layer_costs(sizes, "local") / (m * rate)
    bp = layer_costs(sizes, "bp") / (m * rate)
    return {"local": float(local.max()),
            "bp": float(bp.sum() + 2 * (len(sizes) - 2) * latency)}
