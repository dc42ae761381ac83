"""The layerwise schedule: the same weights as online training, and its measured speed-up.

:func:`compare_schedules` trains a network online and layerwise and compares the weights;
:func:`measure_speedup` times a serial online epoch against a layerwise epoch with each layer's
neurons in parallel threads (built on :mod:`localrule.bench`), and :func:`ideal_speedup` is what
the split of the work allows. See chapter 8.
"""

import math
import os
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from localrule._numba import HAVE_NUMBA, get_num_threads, set_num_threads
from localrule.bench import SIZES, bench_data, max_weight_difference
from localrule.network import MLP
from localrule.parallel._checks import check_local_training, check_sizes
from localrule.rules import LocalRule
from localrule.train import fit
from localrule.validation import check_int, check_positive, check_seed


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
    check_local_training(net, rule)
    online, layerwise = net.copy(), net.copy()
    fit(online, rule, X, y, epochs=epochs, seed=seed, progress=False, schedule="online")
    fit(layerwise, rule, X, y, epochs=epochs, seed=seed, progress=False, schedule="layerwise")
    return online, layerwise, max_weight_difference(online, layerwise)


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
    sizes = check_sizes(sizes)
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
    sizes = check_sizes(sizes)
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
        result.max_diff = max_weight_difference(online, layerwise)
    finally:
        set_num_threads(previous)
    return result
