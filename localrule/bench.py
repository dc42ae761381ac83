"""``python -m localrule bench``: speed ratios measured in one run on the same data.

Ratios, not absolute times, are what carry over between machines:

- ``numba_vs_numpy``: samples/s of the numba online local rule over a plain numpy per-sample
  implementation of the same rule (same weights come out; the largest difference is reported).
- ``local_vs_bp_epoch``: local-rule epoch time over backprop epoch time (online, same order).
- ``layerwise_speedup``: serial online epoch time over the layerwise schedule with neurons in
  parallel; ``layerwise_max_diff`` is the largest weight difference between the two.
- ``warm_first_call_s``: in a fresh process with the numba cache warm, seconds from
  ``import localrule`` to the end of the first training call.
"""

import json
import subprocess
import sys
import time

import numpy as np

from localrule._numba import get_num_threads
from localrule.data import load_mnist
from localrule.network import MLP, sigmoid
from localrule.rules import Backprop, LocalRule

SIZES = (784, 100, 100, 2)

WARM_SCRIPT = """
import time
start = time.perf_counter()
import numpy as np
from localrule import LocalRule, MLP, fit
rng = np.random.default_rng(0)
X = rng.uniform(size=(64, 784))
y = rng.integers(0, 2, size=64)
fit(MLP((784, 100, 100, 2)), LocalRule(0.01), X, y, epochs=1, progress=False)
print(time.perf_counter() - start)
"""


def bench_data(n=3000):
    """Bundled MNIST training images (n, 784) with a two-class label: digit >= 5."""
    X, y, _, _ = load_mnist(seed=0)
    return X[:n], (y[:n] >= 5).astype(np.int64)


def local_epoch_numpy(net, rule, X, y, order):
    """The local rule, one sample at a time, in plain numpy (the reference of the kernel).

    It works on row-major copies of the weights, numpy's fastest layout for these products and
    outer-product updates, and writes them back at the end.
    """
    _, tables, _ = rule._tables(net)
    Ws = [np.ascontiguousarray(W) for W in net.weights]
    for k in order:
        acts = [X[k]]
        for W, b in zip(Ws, net.biases):
            acts.append(sigmoid(W @ acts[-1] + b))
        for l, (W, b) in enumerate(zip(Ws, net.biases)):
            d = rule.eta * (tables[l][:, y[k]] - acts[l + 1])
            W += np.outer(d, acts[l])
            b += d
    for W, W_rows in zip(net.weights, Ws):
        W[...] = W_rows


def _median_time(run, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def max_weight_difference(a, b):
    """Largest absolute difference between the parameters of two networks of the same sizes.

    max_l max(max |W_l(a) - W_l(b)|, max |b_l(a) - b_l(b)|), e.g. between a network trained
    online and one trained layerwise on the same samples. See chapter 8.

    Parameters
    ----------
    a, b : MLP
        Networks with the same ``sizes``.

    Returns
    -------
    float
    """
    for name, net in (("a", a), ("b", b)):
        if not isinstance(net, MLP):
            raise TypeError(f"{name} must be an MLP, got {type(net).__name__}")
    if a.sizes != b.sizes:
        raise ValueError(f"b must have the sizes of a {a.sizes}, got {b.sizes}")
    return float(max(np.max(np.abs(u - v)) for u, v in zip(a.weights + a.biases,
                                                            b.weights + b.biases)))


def warm_first_call():
    """Seconds to import localrule and finish a first training call in a fresh process."""
    out = subprocess.run([sys.executable, "-c", WARM_SCRIPT], capture_output=True, text=True,
                         check=True)
    return float(out.stdout.strip().splitlines()[-1])


def run(repeats=5, n=3000):
    """Measure every ratio; returns a dict (the JSON printed by the command)."""
    X, y = bench_data(n)
    order = np.random.default_rng(0).permutation(len(y)).astype(np.int64)
    rule, bp = LocalRule(0.01, seed=0), Backprop(0.05)
    fresh = MLP(SIZES, seed=0)
    for r, sched in ((rule, "online"), (bp, "online"), (rule, "layerwise")):  # compile first
        r.train_epoch(fresh.copy(), X[:8], y[:8], order[order < 8], sched)

    n_numpy = min(n, 600)  # the numpy reference is slow: time it on a prefix of the order
    sub = order[order < n_numpy]
    numpy_s = _median_time(lambda: local_epoch_numpy(fresh.copy(), rule, X, y, sub), repeats)
    numba_s = _median_time(lambda: rule.train_epoch(fresh.copy(), X, y, sub), repeats)
    a, b = fresh.copy(), fresh.copy()
    local_epoch_numpy(a, rule, X, y, sub)
    rule.train_epoch(b, X, y, sub)

    local_s = _median_time(lambda: rule.train_epoch(fresh.copy(), X, y, order), repeats)
    bp_s = _median_time(lambda: bp.train_epoch(fresh.copy(), X, y, order), repeats)
    layer_s = _median_time(lambda: rule.train_epoch(fresh.copy(), X, y, order, "layerwise"),
                           repeats)
    online, layerwise = fresh.copy(), fresh.copy()
    rule.train_epoch(online, X, y, order)
    rule.train_epoch(layerwise, X, y, order, "layerwise")
    return {
        "samples": int(n), "sizes": list(SIZES), "threads": int(get_num_threads()),
        "repeats": int(repeats),
        "numba_samples_per_s": len(sub) / numba_s, "numpy_samples_per_s": len(sub) / numpy_s,
        "numba_vs_numpy": numpy_s / numba_s, "numba_numpy_max_diff": max_weight_difference(a, b),
        "local_epoch_s": local_s, "bp_epoch_s": bp_s, "local_vs_bp_epoch": local_s / bp_s,
        "layerwise_epoch_s": layer_s, "layerwise_speedup": local_s / layer_s,
        "layerwise_max_diff": max_weight_difference(online, layerwise),
        "warm_first_call_s": warm_first_call(),
    }


TARGETS = {"numba_vs_numpy": (">=", 3.0), "local_vs_bp_epoch": ("<=", 1.05),
           "layerwise_speedup": (">=", 1.8), "layerwise_max_diff": ("<=", 1e-9),
           "warm_first_call_s": ("<", 3.0)}


def report(result):
    """Human-readable lines, one per ratio, with its target."""
    lines = [f"localrule bench: {result['samples']} MNIST samples, sizes {result['sizes']}, "
             f"{result['threads']} threads, median of {result['repeats']}"]
    for key, (op, target) in TARGETS.items():
        value = result[key]
        ok = {">=": value >= target, "<=": value <= target, "<": value < target}[op]
        lines.append(f"  {key:<20} {value:12.4g}   target {op} {target:g}   "
                     f"{'ok' if ok else 'MISSED'}")
    lines.append(f"  (numba {result['numba_samples_per_s']:.0f} samples/s, numpy "
                 f"{result['numpy_samples_per_s']:.0f} samples/s; local epoch "
                 f"{result['local_epoch_s']:.3f} s, bp epoch {result['bp_epoch_s']:.3f} s, "
                 f"layerwise epoch {result['layerwise_epoch_s']:.3f} s)")
    return "\n".join(lines)


def main(as_json=False, repeats=5):
    result = run(repeats=repeats)
    print(report(result))
    if as_json:
        print(json.dumps(result))
    return result
