"""Cost models of distributed training: throughput of a pipeline and traffic between machines.

:func:`layer_costs` counts multiply-adds per sample; :func:`pipeline_time`,
:func:`pipeline_speedup` and :func:`balance_workers` model a pipeline with workers shared among
layers; :func:`communication_per_sample` and :func:`time_per_sample` model what has to travel
between machines, and what waiting for it costs. See chapter 8.
"""

import numpy as np

from localrule.parallel._checks import RULE_KINDS, check_per_layer, check_sizes
from localrule.validation import check_array, check_choice, check_int, check_positive


def _check_costs(costs):
    costs = check_array(costs, "costs", ndim=1)
    if np.any(costs <= 0):
        raise ValueError("costs must all be > 0")
    return costs



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
    sizes = check_sizes(sizes)
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
    stage = costs / np.array(check_per_layer(workers, "workers", costs.size), dtype=float)
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
    cap = check_per_layer(max_per_layer, "max_per_layer", costs.size) \
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
    sizes = check_sizes(sizes)
    L = len(sizes) - 1
    m = check_per_layer(machines, "machines", L)
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
    sizes = check_sizes(sizes)
    latency = check_positive(latency, "latency", allow_zero=True)
    rate = check_positive(rate, "rate")
    m = np.array(check_per_layer(machines, "machines", len(sizes) - 1), dtype=float)
    local = layer_costs(sizes, "local") / (m * rate)
    bp = layer_costs(sizes, "bp") / (m * rate)
    return {"local": float(local.max()),
            "bp": float(bp.sum() + 2 * (len(sizes) - 2) * latency)}
