"""The reproduction pipeline: check everything, compute the missing run files, write the report.

See chapters 6 (accuracy), 7 (robustness) and 8 (parallel schedule).
"""

import time

from localrule.experiments import EPS_GRID
from localrule.reproduce.report import write_report
from localrule.reproduce.runner import run_all, wanted_run_files
from localrule.reproduce.settings import DEFAULT_OUT, FORMAT, check_arguments, make_settings
from localrule.reproduce.store import (MARKER, check_out, locked, read_marker, refuse_conflicts,
                                       remove_conflicts, remove_stale_temporaries,
                                       scan_run_files, write_json)
from localrule.tasks import RULES


def reproduce(out=DEFAULT_OUT, quick=False, seeds=None, source="bundled", pairs=None,
              eps=EPS_GRID, force=False, progress=True, log=print):
    """Run (or resume) the reproduction and write results.csv, summary.md and figures/.

    Parameters
    ----------
    out : str or Path
        Output folder (created; an existing one must be empty or a previous output folder).
    quick : bool
        Fewer pairs and seeds (:data:`QUICK_PAIRS`, :data:`QUICK_SEEDS`), fewer epochs
        (:data:`QUICK_EPOCHS`) and attacks on the first :data:`QUICK_N_TEST` test samples.
    seeds : int, optional
        Number N of seeds (0..N-1), >= 1; default 5, or 2 with ``quick``.
    source : {"bundled", "full"}
        MNIST source (IRIS always ships with scikit-learn).
    pairs : sequence of str, optional
        Tasks as in :func:`parse_pair`, e.g. ``["3v5", "versicolor-virginica"]``.
    eps : sequence of float in [0, 1]
        Perturbation sizes of every attack.
    force : bool
        Recompute every requested run file (and replace run files made with other settings).
    progress : bool
        Show a tqdm bar over task x seed runs.
    log : callable
        Receives one-line messages (default ``print``).

    Returns
    -------
    dict
        ``out``, ``files``, ``computed`` and ``reused`` counts, ``seconds`` and the claim lines.

    Raises
    ------
    ValueError
        (``ReproduceError`` for the folder) naming the argument, before any work starts.

    See chapters 6 (accuracy), 7 (robustness) and 8 (parallel schedule).
    """
    start = time.perf_counter()
    # --- every check first: nothing is computed or written before they all pass
    quick, seeds, source, eps, tasks = check_arguments(quick, seeds, source, eps, pairs)
    out = check_out(out)
    settings = make_settings(quick, source, eps)
    runs = out / "runs"
    wanted = wanted_run_files(runs, tasks, seeds)

    # --- existing run files: reuse, recompute (other code) or refuse (other settings)
    existing, conflicts, outdated = scan_run_files(runs, wanted, settings)
    if not force:
        refuse_conflicts(out, conflicts, settings)
    if source == "full" and any(t.dataset == "mnist" for t in tasks):
        from localrule.mnist import fetch_mnist_raw

        fetch_mnist_raw()  # download (once) now: a failure is reported before any training
    if force:
        existing = {}

    out.mkdir(parents=True, exist_ok=True)
    runs.mkdir(exist_ok=True)
    with locked(out):
        remove_stale_temporaries(out)
        if force:  # run files (and their networks) made with other settings go
            remove_conflicts(runs, conflicts)
        marker = read_marker(out)
        if marker.get("settings") != settings:
            marker = {"format": FORMAT, "settings": settings}
            write_json(out / MARKER, marker)
        if outdated:
            log(f"reproduce: {outdated} run file(s) were made by different localrule code; "
                f"recomputing them")
        todo = [path for path in wanted if path not in existing]
        records = run_all(wanted, existing, tasks, seeds, settings, runs, progress)
        # --- the report, from the run files only; skipped when nothing it depends on changed
        files, text = write_report(out, wanted, records, tasks, seeds, settings, marker)

    seconds = time.perf_counter() - start
    claims = [line for line in text.splitlines() if line.startswith("- **(")]
    log(f"reproduce: {len(todo)} run(s) computed, {len(wanted) - len(todo)} reused, "
        f"{seconds:.1f} s; {out / 'results.csv'}, {out / 'summary.md'} and "
        f"{len(files) - 2} figures in {out / 'figures'}")
    return {"command": "reproduce", "out": str(out), "files": files, "computed": len(todo),
            "reused": len(wanted) - len(todo), "rows": len(tasks) * len(seeds) * len(RULES),
            "seconds": seconds, "claims": claims}
