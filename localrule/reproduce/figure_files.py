"""The PNG figures of a reproduction run, drawn with :mod:`localrule.plots`.

Per task: accuracy vs eps under every attack and learning curves (mean ± std over seeds); for
one MNIST task: adversarial images. See chapters 6 and 7.
"""

import io

from localrule.experiments import ATTACK_COLUMNS
from localrule.reproduce.fingerprint import file_digest
from localrule.reproduce.pairs import first_mnist_task
from localrule.reproduce.store import atomic_write_bytes, net_file
from localrule.tasks import RULES


def _png_bytes(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    return buf.getvalue()


def _trained_nets(task, seed, settings, record, runs, data):
    """``{rule: MLP}`` of ``task`` x ``seed``, loaded when saved with its run ``record``."""
    from localrule.network import MLP
    from localrule.tasks import train_task

    nets = {}
    stored = record.get("nets", {})
    for rule in RULES:
        path = net_file(runs, task, seed, rule)
        if path.is_file() and stored.get(rule) == file_digest(path):
            nets[rule] = MLP.load(path)
        else:  # not saved with this run file: retrain (same seed, same weights), keep aside
            nets[rule] = train_task(task.dataset, task.classes, rule, seed=seed,
                                    epochs=settings["epochs"]["mnist"], data=data)[0]
    return nets


def write_figures(folder, rows, records, tasks, seeds, settings, runs):
    """Render every figure into ``folder``; returns the list of file names written or kept.

    ``records`` maps ``(task, seed)`` to its run file; figures of tasks no longer in the report
    are removed.
    """
    from matplotlib.figure import Figure

    from localrule import plots
    from localrule.tasks import load_task
    from localrule.train import History

    folder.mkdir(exist_ok=True)
    names = []

    def save(fig, name):
        names.append(name)
        atomic_write_bytes(folder / name, _png_bytes(fig))

    positive = [e for e in settings["eps"] if e > 0]
    for task in tasks:
        if positive:
            fig = Figure(figsize=(18, 3.8))
            for ax, attack in zip(fig.subplots(1, len(ATTACK_COLUMNS)), ATTACK_COLUMNS):
                plots.plot_accuracy_vs_eps(rows, task.name, attack=attack, eps_list=positive,
                                             ax=ax)
                ax.title.set_fontsize(9)
            fig.tight_layout()
            save(fig, f"accuracy_vs_eps_{task.slug}.png")
        fig = Figure(figsize=(11, 4.8))
        histories = {rule: [History(**records[(task, s)]["histories"][rule]) for s in seeds]
                     for rule in RULES}
        for ax, metric in zip(fig.subplots(1, 2), ("test_accuracy", "test_loss")):
            plots.plot_learning_curves_by_rule(histories, ax=ax, metric=metric)
            ax.set_title(f"{task.name}: {metric.replace('_', ' ')}", fontsize=9)
        fig.tight_layout()
        save(fig, f"learning_curves_{task.slug}.png")

    task = first_mnist_task(tasks)
    if task is not None and positive:
        import matplotlib.pyplot as plt

        seed = seeds[0]
        data = load_task(task.dataset, task.classes, seed=seed, source=settings["source"])
        nets = _trained_nets(task, seed, settings, records[(task, seed)], runs, data)
        eps = 0.1 if 0.1 in positive else positive[len(positive) // 2]
        fig = plots.plot_adversarial_examples(nets, data[2], data[3], eps, n=4, seed=seed,
                                                class_names=[str(c) for c in task.classes])
        fig.suptitle(f"{task.name}, seed {seed}: {fig.get_suptitle()}", fontsize=9)
        try:
            save(fig, "adversarial_examples.png")
        finally:
            plt.close(fig)
    for stale in folder.glob("*.png"):  # figures of tasks no longer in the report
        if stale.name not in names:
            stale.unlink()
    return names
