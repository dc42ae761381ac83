"""Pipelined training: layers working on different blocks of samples at the same time.

:func:`pipeline_schedule` says which block each layer handles in each time slot,
:func:`run_pipelined` executes one epoch in that order (same weights as online training) and
:func:`plot_pipeline_schedule` draws the schedule as a Gantt chart. See chapter 8.
"""

import numpy as np

from localrule import kernels
from localrule._numba import get_num_threads
from localrule.parallel._checks import check_local_training
from localrule.validation import check_array, check_int, check_labels


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
    check_local_training(net, rule)
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

    Wts, bs = net.parameters()  # transposed weights, (in, out) per layer
    _, Ts, assoc = rule._tables(net)
    blocks = np.array_split(order, n_blocks)
    streams = [X] + [np.zeros((X.shape[0], Wt.shape[1])) for Wt in Wts]
    for row in pipeline_schedule(len(Wts), n_blocks):
        for l in reversed(range(len(Wts))):
            if row[l] < 0:
                continue
            n_chunks = max(1, min(get_num_threads(), Wts[l].shape[1]))
            kernels.local_layer_epoch(Wts[l], bs[l], streams[l], y, blocks[row[l]], Ts[l],
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
