"""``python -m localrule reproduce``: measure the paper's five claims and write a report.

For every task (a binary MNIST digit pair or a binary IRIS class pair) and every seed, the
pipeline calls :func:`localrule.experiments.run_task` -- the same function chapters 6 and 7 call --
which trains a LocalRule and a Backprop network (two hidden layers, the defaults of
:mod:`localrule.tasks`) on the same split and measures clean accuracy, white-box FGSM and PGD,
transfer FGSM and random-sign noise at every eps, the input-gradient norm and the training time.
Three small extra measurements check claims (a), (b) and (e) directly. The output folder then holds

- ``runs/``: one JSON file per task x seed (and per extra check), each written atomically the
  moment it is finished, with the settings it was computed with;
- ``results.csv``: one row per task x rule x seed;
- ``summary.md``: mean ± std tables and one line per claim saying whether this run supports it;
- ``figures/``: accuracy vs eps and learning curves per task, adversarial images for one MNIST task.

A rerun skips every run file that is already there (``force=True`` recomputes them); a rerun with
other settings (epochs, eps, quick vs full, MNIST source) into the same folder is refused before
any work starts, and a run file made by different localrule code is recomputed, so results are
never mixed. A file is only ever replaced whole
(temporary file + ``os.replace``), so an interrupted run leaves the previous files intact and the
next run resumes where it stopped. See chapters 6-8 and the README section "Reproducing the
paper's claims".

Modules: :mod:`~localrule.reproduce.pairs` (tasks), :mod:`~localrule.reproduce.settings`
(arguments and settings), :mod:`~localrule.reproduce.store` (output folder, run files,
resuming), :mod:`~localrule.reproduce.fingerprint` (code and report digests),
:mod:`~localrule.reproduce.runner` (computing run files),
:mod:`~localrule.reproduce.measurements` (checks of claims a, b, e),
:mod:`~localrule.reproduce.claims` (one verdict line per claim),
:mod:`~localrule.reproduce.report` (results.csv, summary.md),
:mod:`~localrule.reproduce.figure_files` (PNG figures) and
:mod:`~localrule.reproduce.pipeline` (:func:`reproduce`).
"""

from localrule.reproduce.fingerprint import code_fingerprint
from localrule.reproduce.pairs import (IRIS_PAIRS, MNIST_PAIRS, QUICK_PAIRS, Task, default_pairs,
                                       parse_pair)
from localrule.reproduce.pipeline import reproduce
from localrule.reproduce.report import columns, summary_text
from localrule.reproduce.settings import (DEFAULT_OUT, DEFAULT_SEEDS, FORMAT, QUICK_EPOCHS,
                                          QUICK_N_TEST, QUICK_SEEDS, make_settings)
from localrule.reproduce.store import ReproduceError

__all__ = [
    "reproduce", "ReproduceError", "Task", "parse_pair", "default_pairs", "make_settings",
    "code_fingerprint", "columns", "summary_text", "FORMAT", "DEFAULT_OUT", "DEFAULT_SEEDS",
    "QUICK_SEEDS", "QUICK_EPOCHS", "QUICK_N_TEST", "MNIST_PAIRS", "IRIS_PAIRS", "QUICK_PAIRS",
]
