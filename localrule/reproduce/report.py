"""The report of a reproduction run: results.csv and summary.md, built from the run files only.

``results.csv`` holds one row per task x rule x seed; ``summary.md`` the settings, one verdict
line per claim (:mod:`localrule.reproduce.claims`) and mean ± std tables. The report is rebuilt
only when something it depends on changed. See chapters 6-8.
"""

import csv
import io

from localrule.experiments import ATTACK_COLUMNS, metric_columns, summarize
from localrule.reproduce.claims import claim_lines, mean_std
from localrule.reproduce.figure_files import write_figures
from localrule.reproduce.fingerprint import report_key
from localrule.reproduce.settings import FORMAT
from localrule.reproduce.store import MARKER, atomic_write_text, write_json
from localrule.tasks import RULES

#: Columns of results.csv, in order: these, clean and train accuracy, the attacks, then these.
ID_COLUMNS = ("task", "dataset", "classes", "rule", "seed")
TAIL_COLUMNS = ("grad_norm", "train_seconds")


def columns(eps):
    """Columns of results.csv for the eps list."""
    return [*ID_COLUMNS, "clean_accuracy", "train_accuracy", *metric_columns(eps), *TAIL_COLUMNS]


def csv_text(rows, eps):
    """The text of results.csv: floats written with ``repr`` so they read back exactly."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns(eps), lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (repr(float(v)) if isinstance(v, float) else v)
                         for k, v in row.items()})
    return buf.getvalue()


def _task_table(summary, tasks, cols, headers, digits=3):
    lines = ["| task | rule | " + " | ".join(headers) + " |", "|" + "---|" * (len(cols) + 2)]
    for task in tasks:
        for rule in RULES:
            stats = summary[(task.name, rule)]
            lines.append(f"| {task.name} | {rule} | "
                         + " | ".join(mean_std(*stats[c][:2], digits) for c in cols) + " |")
    return "\n".join(lines)


def summary_text(rows, tasks, seeds, settings, extras):
    """The Markdown of summary.md (deterministic: no clock time, no paths)."""
    eps = settings["eps"]
    cols = ["clean_accuracy", "train_accuracy", *metric_columns(eps), *TAIL_COLUMNS]
    summary = summarize(rows, cols)
    n = len(seeds)
    epochs = settings["epochs"]
    n_test = "all" if settings["n_test"] is None else f"the first {settings['n_test']}"
    train_total = sum(r["train_seconds"] for r in rows)
    out = [
        "# Reproducing the paper's claims",
        "",
        "S. K. Gupta, \"A More Biologically Plausible Local Learning Rule for ANNs\", "
        "arXiv:2011.12012. Only the abstract is public: the rule measured here is the book's "
        "reconstruction (chapters 2-5), and each line below says whether *this run* supports "
        "the abstract's claim.",
        "",
        f"Settings: {'quick' if settings['quick'] else 'full'} run, MNIST source "
        f"`{settings['source']}`, seeds {', '.join(map(str, seeds))}; MNIST "
        f"{'-'.join(map(str, [784, *settings['hidden']['mnist'], 2]))}, {epochs['mnist']} "
        f"epochs, eta local {settings['eta']['mnist']['local']:g} / backprop "
        f"{settings['eta']['mnist']['bp']:g}; IRIS "
        f"{'-'.join(map(str, [4, *settings['hidden']['iris'], 2]))}, {epochs['iris']} epochs, "
        f"eta {settings['eta']['iris']['local']:g} / {settings['eta']['iris']['bp']:g}; "
        f"attacks on {n_test} test samples of each task, eps "
        f"{', '.join(f'{e:g}' for e in eps)}, PGD {settings['pgd_steps']} steps. "
        f"{len(tasks)} tasks x 2 rules x {n} seeds = {len(rows)} rows in `results.csv`; "
        f"total training time {train_total:.1f} s. Mean ± sample std over seeds.",
        "",
        "## Claims",
        "",
        *claim_lines(summary, tasks, eps, extras, n),
        "",
        "## Clean accuracy and training time",
        "",
        _task_table(summary, tasks, ["clean_accuracy", "train_accuracy", "train_seconds",
                                     "grad_norm"],
                    ["test accuracy", "train accuracy", "train seconds", "input-gradient norm"]),
        "",
    ]
    titles = {"fgsm": "White-box FGSM accuracy", "pgd": f"White-box PGD accuracy "
              f"({settings['pgd_steps']} steps)",
              "transfer": "Transfer FGSM accuracy (crafted on the other rule's model)",
              "noise": "Random-sign noise accuracy (control)"}
    for attack in ATTACK_COLUMNS:
        out += [f"## {titles[attack]}", "",
                _task_table(summary, tasks, [f"{attack}_{e:g}" for e in eps],
                            [f"eps {e:g}" for e in eps]), ""]
    out += ["## Figures", "",
            "`figures/accuracy_vs_eps_<task>.png` (FGSM, PGD, transfer, noise; mean ± std), "
            "`figures/learning_curves_<task>.png` (test accuracy and loss per epoch) and "
            "`figures/adversarial_examples.png` (FGSM images for one MNIST task).", ""]
    return "\n".join(out)


def write_report(out, wanted, records, tasks, seeds, settings, marker):
    """Write results.csv, summary.md and figures/ into ``out`` unless they are up to date.

    Parameters
    ----------
    out : Path
        The output folder; its run files are in ``out / "runs"``.
    wanted : dict
        ``{path: (kind, key)}`` of the run files of this run.
    records : dict
        ``{path: record}`` of those run files.
    tasks, seeds, settings
        As checked by :func:`localrule.reproduce.settings.check_arguments`.
    marker : dict
        The folder's marker; it records the report key and files when the report is written.

    Returns
    -------
    files : list of str
        The report files, relative to ``out``.
    text : str
        The Markdown of summary.md.
    """
    key = report_key(settings, tasks, seeds, list(wanted))
    if marker.get("report") == key and all((out / f).is_file() for f in marker["files"]):
        return marker["files"], (out / "summary.md").read_text(encoding="utf-8")
    by_job = {k: records[path] for path, (kind, k) in wanted.items() if kind == "task"}
    rows = [row for job in [(t, s) for t in tasks for s in seeds] for row in by_job[job]["rows"]]
    extras = {kind: records[path]["result"] for path, (kind, _) in wanted.items()
              if kind != "task"}
    atomic_write_text(out / "results.csv", csv_text(rows, settings["eps"]))
    names = write_figures(out / "figures", rows, by_job, tasks, seeds, settings, out / "runs")
    text = summary_text(rows, tasks, seeds, settings, extras)
    atomic_write_text(out / "summary.md", text)
    files = ["results.csv", "summary.md"] + [f"figures/{n}" for n in names]
    write_json(out / MARKER, {"format": FORMAT, "settings": settings, "report": key,
                              "files": files})
    return files, text
