"""The tasks of a reproduction run: binary MNIST digit pairs and binary IRIS class pairs.

A pair is written on the command line as ``"3v5"`` (MNIST) or ``"versicolor-virginica"``
(IRIS); :func:`parse_pair` turns it into a :class:`Task`. See chapters 6-8.
"""

import re
from dataclasses import dataclass

from localrule.data import IRIS_CLASSES
from localrule.tasks import task_name

#: Task lists: MNIST digit pairs and IRIS class pairs (all three IRIS pairs in the full run).
MNIST_PAIRS = ("0v1", "3v5", "4v9", "7v9", "2v3")
IRIS_PAIRS = ("setosa-versicolor", "setosa-virginica", "versicolor-virginica")
QUICK_PAIRS = ("3v5", "0v1", "versicolor-virginica")


@dataclass(frozen=True)
class Task:
    """One binary task: ``dataset`` and two class labels as the loaders take them."""

    dataset: str
    classes: tuple

    @property
    def spec(self):
        """The pair as written on the command line: ``"3v5"``, ``"versicolor-virginica"``."""
        a, b = self.classes
        return f"{a}v{b}" if self.dataset == "mnist" else f"{a}-{b}"

    @property
    def name(self):
        """The task name of the rows of :func:`localrule.experiments.run_task`."""
        return task_name(self.dataset, self.classes)

    @property
    def slug(self):
        """A file-name-safe identifier, e.g. ``mnist_3v5``."""
        return f"{self.dataset}_{self.spec}"


def _iris_name(text):
    key = text.strip().lower()
    if key in IRIS_CLASSES:
        return key
    if key.isdigit() and int(key) < len(IRIS_CLASSES):
        return IRIS_CLASSES[int(key)]
    return None


def _digit(text):
    text = text.strip()
    return int(text) if len(text) == 1 and text.isdigit() else None


def parse_pair(text):
    """A :class:`Task` from a pair as written on the command line.

    Digits give an MNIST task (``"3v5"``, ``"3-5"``, ``"mnist:3v5"``); IRIS class names give an
    IRIS task (``"versicolor-virginica"``, ``"versicolorvvirginica"``, ``"iris:1v2"`` with class
    indices 0..2). The first class gets label 0.

    Raises
    ------
    ValueError
        Naming ``pairs``, for anything else or for the same class twice.
    """
    if not isinstance(text, str):
        raise TypeError(f"pairs must hold strings such as '3v5', got {type(text).__name__}")
    raw = text.strip()
    dataset, body = None, raw.lower()
    match = re.fullmatch(r"(mnist|iris)\s*:\s*(.+)", body)
    if match:
        dataset, body = match.group(1), match.group(2)
    for sep in ("-", "/", ",", " vs ", " v ", ":"):
        parts = body.split(sep)
        if len(parts) == 2 and all(p.strip() for p in parts):
            candidates = [tuple(p.strip() for p in parts)]
            break
    else:  # "3v5", "setosavversicolor": try each 'v' as the separator
        candidates = [(body[:i], body[i + 1:]) for i, c in enumerate(body) if c == "v"]
    found = []
    for a, b in candidates:
        if dataset in (None, "mnist") and _digit(a) is not None and _digit(b) is not None:
            found.append(Task("mnist", (_digit(a), _digit(b))))
        elif (dataset == "iris" or (dataset is None and not a.isdigit() and not b.isdigit())) \
                and _iris_name(a) and _iris_name(b):
            found.append(Task("iris", (_iris_name(a), _iris_name(b))))
    if len(found) != 1:
        raise ValueError(f"pairs: cannot read {raw!r} as a class pair; write two MNIST digits "
                         f"such as '3v5', or two IRIS classes such as 'versicolor-virginica' "
                         f"(classes: {', '.join(IRIS_CLASSES)})")
    task = found[0]
    if task.classes[0] == task.classes[1]:
        raise ValueError(f"pairs: {raw!r} names class {task.classes[0]!r} twice; a task needs "
                         f"two different classes")
    return task


def parse_pairs(pairs):
    """The list of :class:`Task` of ``pairs`` (a sequence of pair strings), each once.

    Raises
    ------
    TypeError, ValueError
        Naming ``pairs``: not a sequence, a pair given twice, or no pair at all.
    """
    if isinstance(pairs, (str, bytes)) or not hasattr(pairs, "__iter__"):
        raise TypeError(f"pairs must be a list of pairs such as ['3v5'], got "
                        f"{type(pairs).__name__}")
    tasks = []
    for text in pairs:
        task = parse_pair(text)
        if task in tasks:
            raise ValueError(f"pairs: {text!r} is given twice")
        tasks.append(task)
    if not tasks:
        raise ValueError("pairs must name at least one pair")
    return tasks


def default_pairs(quick=False):
    """The pair list of the quick or the full run."""
    return QUICK_PAIRS if quick else MNIST_PAIRS + IRIS_PAIRS


def first_mnist_task(tasks):
    """The MNIST task of the adversarial-image figure and the claim checks (or None).

    3v5 when it is among ``tasks``, else the first MNIST task.
    """
    mnist = [t for t in tasks if t.dataset == "mnist"]
    preferred = [t for t in mnist if t.classes == (3, 5)]
    return (preferred or mnist or [None])[0]
