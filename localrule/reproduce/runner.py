"""Computing run files: each task x seed with the shared experiment functions, and the checks.

Every task x seed calls :func:`localrule.experiments.run_task` -- the same function chapters 6
and 7 call -- and every finished run is written atomically at once as one JSON run file, so an
interrupted run resumes where it stopped. See chapters 6-8.
"""

import math
import time

import numpy as np

from localrule.experiments import ATTACK_COLUMNS, run_task
from localrule.reproduce.fingerprint import code_fingerprint, file_digest
from localrule.reproduce.measurements import EXTRAS, MEASUREMENTS
from localrule.reproduce.pairs import first_mnist_task
from localrule.reproduce.report import ID_COLUMNS
from localrule.reproduce.settings import data_source
from localrule.reproduce.store import net_file, run_file, write_json
from localrule.tasks import RULES

def wanted_run_files(runs, tasks, seeds):
    """``{path: (kind, key)}`` of every run file of this run, in computing order.

    One ``"task"`` file per task x seed (key ``(task, seed)``), then one per extra check
    (key None).
    """
    wanted = {run_file(runs, t, s): ("task", (t, s)) for t in tasks for s in seeds}
    wanted.update({runs / f"{stem}.json": (kind, None) for stem, kind, _ in EXTRAS})
    return wanted


def check_row(row, where):
    """Every number finite, accuracies in [0, 1], seconds > 0 (else nothing is written)."""
    for key, value in row.items():
        if key in ID_COLUMNS:
            continue
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise RuntimeError(f"{where}: {key} = {value!r} is not a finite number")
        if key.endswith("accuracy") or key.split("_")[0] in ATTACK_COLUMNS:
            if not 0.0 <= value <= 1.0:
                raise RuntimeError(f"{where}: {key} = {value} is not in [0, 1]")
    if not row["train_seconds"] > 0 or not row["grad_norm"] >= 0:
        raise RuntimeError(f"{where}: train_seconds or grad_norm out of range")


def compute_task(task, seed, settings, runs, keep_nets):
    """Train and attack both rules on ``task`` x ``seed``; write and return its run file.

    With ``keep_nets`` the two trained networks are saved next to it (for the
    adversarial-image figure), before the run file.
    """
    start = time.perf_counter()
    rows, models, _ = run_task(task.dataset, task.classes, seed=seed,
                               eps_list=settings["eps"], source=data_source(settings, task),
                               epochs=settings["epochs"][task.dataset],
                               pgd_steps=settings["pgd_steps"], n_test=settings["n_test"])
    rows = [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
            for row in rows]
    for row in rows:
        check_row(row, f"{task.name}, seed {seed}, rule {row['rule']}")
    nets = {}
    if keep_nets:  # the networks of the adversarial-image figure; the JSON file comes last
        for rule in RULES:
            models[rule][0].save(net_file(runs, task, seed, rule))
            nets[rule] = file_digest(net_file(runs, task, seed, rule))
    record = {"settings": settings, "code": code_fingerprint("task"), "kind": "task",
              "dataset": task.dataset, "classes": list(task.classes), "pair": task.spec,
              "seed": seed, "rows": rows,
              "histories": {rule: models[rule][1].to_dict() for rule in RULES},
              "nets": nets, "wall_seconds": time.perf_counter() - start}
    write_json(run_file(runs, task, seed), record)
    return record


def compute_extra(kind, tasks, settings, path):
    """Run the extra check ``kind``; write and return its run file at ``path``."""
    start = time.perf_counter()
    result = MEASUREMENTS[kind](tasks, settings)
    record = {"settings": settings, "code": code_fingerprint(kind), "kind": kind,
              "result": result, "wall_seconds": time.perf_counter() - start}
    write_json(path, record)
    return record


def run_all(wanted, existing, tasks, seeds, settings, runs, progress):
    """Compute every wanted run file not in ``existing``, with a progress bar over them.

    Returns ``{path: record}`` of every wanted run file.
    """
    from tqdm.auto import tqdm

    figure_task = first_mnist_task(tasks)
    labels = {kind: label for _, kind, label in EXTRAS}
    records = {}
    bar = tqdm(total=len(wanted), initial=sum(1 for p in wanted if p in existing),
               desc="reproduce", unit="run", disable=not progress)
    with bar, _one_blas_thread():
        for path, (kind, key) in wanted.items():
            if path in existing:
                records[path] = existing[path]
                continue
            if kind == "task":
                task, seed = key
                bar.set_postfix_str(f"{task.name}, seed {seed}")
                keep = task == figure_task and seed == seeds[0]
                records[path] = compute_task(task, seed, settings, runs, keep)
            else:
                bar.set_postfix_str(labels[kind])
                records[path] = compute_extra(kind, tasks, settings, path)
            bar.update(1)
    return records


def _one_blas_thread():
    """A context that limits BLAS to one thread while computing.

    The matrix products here are small (at most a few hundred x 784 by 784 x 100); with a
    multithreaded BLAS on a busy 2-core machine they ran 10-20 times slower than single-threaded.
    Training runs in numba kernels and keeps its threads. The numbers do not change: each output
    entry is the same dot product whatever the number of threads.
    """
    try:
        from threadpoolctl import threadpool_limits  # a dependency of scikit-learn
    except ImportError:  # pragma: no cover
        from contextlib import nullcontext

        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")
