"""The three small measurements that check claims (a), (b) and (e) directly.

Each returns a JSON-ready dict that :mod:`localrule.reproduce.claims` turns into a verdict:
(a) the local update of a layer does not move when later layers change, (b) chapter 4's spiking
simulation of STDP under association, (e) the layerwise schedule gives the online weights.
See chapters 4, 6 and 8.
"""

import numpy as np

from localrule.reproduce.pairs import first_mnist_task
from localrule.reproduce.settings import data_source

#: The three extra checks: file stem, kind and progress label.
EXTRAS = (("claim_a_locality", "locality", "claim (a) locality check"),
          ("claim_b_association", "association", "claim (b) STDP simulation"),
          ("claim_e_parallel", "parallel", "claim (e) layerwise schedule"))


def _max_abs_difference(first, second):
    """Largest absolute entry difference between paired arrays of ``first`` and ``second``."""
    return max(float(np.max(np.abs(u - v))) for u, v in zip(first, second))


def _check_task_data(tasks, settings):
    """The task of a claim check (3v5 if asked), its training data and network sizes."""
    from localrule.tasks import load_task

    task = first_mnist_task(tasks) or tasks[0]
    X, y = load_task(task.dataset, task.classes, seed=0, source=data_source(settings, task))[:2]
    sizes = (X.shape[1], *settings["hidden"][task.dataset], 2)
    return task, X, y, sizes


def measure_locality(tasks, settings):
    """Claim (a), measured: perturb the layers above l, layer l's local update must not move."""
    from localrule.network import MLP
    from localrule.rules import Backprop
    from localrule.tasks import make_rule

    task, X, y, sizes = _check_task_data(tasks, settings)
    net = MLP(sizes, seed=0)
    local, bp = make_rule("local", task.dataset, seed=0), Backprop(0.1)
    rng = np.random.default_rng(0)
    local_diff, bp_diff = 0.0, 0.0
    for k in range(20):
        base_local, base_bp = local.deltas(net, X[k], y[k]), bp.deltas(net, X[k], y[k])
        for l in range(1, len(sizes) - 1):
            changed = net.copy()
            for j in range(l, len(sizes) - 1):
                changed.weights[j] += rng.normal(0.0, 1.0, size=changed.weights[j].shape)
                changed.biases[j] += rng.normal(0.0, 1.0, size=changed.biases[j].shape)
            pert_local, pert_bp = local.deltas(changed, X[k], y[k]), bp.deltas(changed, X[k], y[k])
            for j in range(l):
                local_diff = max(local_diff, _max_abs_difference(pert_local[j], base_local[j]))
                bp_diff = max(bp_diff, _max_abs_difference(pert_bp[j], base_bp[j]))
    return {"task": task.name, "samples": 20, "sizes": list(sizes),
            "local_max_change": local_diff, "bp_max_change": bp_diff}


def measure_association(tasks, settings):
    """Claim (b), measured: chapter 4's spiking simulation of STDP under association."""
    from localrule.association import association_experiment

    result = association_experiment(**settings["association"])
    return {"n_points": settings["association"]["n_points"],
            "n_trials": settings["association"]["n_trials"], "r": result.r,
            "slope": result.slope, "slope_se": result.slope_se,
            "predicted_slope": result.predicted_slope, "slope_z": result.slope_z,
            "intercept": result.intercept, "intercept_se": result.intercept_se,
            "chi2_dof": result.chi2_dof}


def measure_parallel(tasks, settings):
    """Claim (e), measured: the layerwise schedule (neurons in parallel) gives online weights."""
    from localrule.network import MLP
    from localrule.parallel import measure_speedup
    from localrule.tasks import make_rule
    from localrule.train import fit

    task, X, y, sizes = _check_task_data(tasks, settings)
    rule = make_rule("local", task.dataset, seed=0)
    nets = {}
    for schedule in ("online", "layerwise"):
        nets[schedule] = MLP(sizes, seed=0)
        fit(nets[schedule], rule, X, y, epochs=settings["parallel_epochs"], seed=0,
            progress=False, schedule=schedule)
    a, b = nets["online"], nets["layerwise"]
    diff = _max_abs_difference(a.weights + a.biases, b.weights + b.biases)
    # A task's epoch is too short to time; the speed-up is timed on the benchmark's data.
    timing = measure_speedup(n=3000, threads=2, repeats=3)
    return {"task": task.name, "sizes": list(sizes), "epochs": settings["parallel_epochs"],
            "threads": int(timing.threads), "max_weight_diff": diff,
            "timing_samples": int(timing.n_samples), "online_seconds": timing.serial_s,
            "layerwise_seconds": timing.parallel_s, "speedup": timing.speedup}


#: The measurement of each kind of extra check.
MEASUREMENTS = {"locality": measure_locality, "association": measure_association,
                "parallel": measure_parallel}
