"""Named experiments: a data set, a class pair and the defaults that go with them.

One place fixes the network sizes, epochs and learning rates of every experiment, so the book,
the command line and the reproduction run always train the same models (chapters 5–7).
"""

from dataclasses import dataclass

from localrule.data import IRIS_CLASSES, load_iris_pair, load_mnist_pair
from localrule.network import MLP
from localrule.rules import Backprop, LocalRule
from localrule.train import fit
from localrule.validation import check_choice, check_int, check_positive

DATASETS = ("mnist", "iris")
RULES = ("local", "bp")


@dataclass(frozen=True)
class TaskDefaults:
    """Hidden-layer widths, epochs and learning rate of each rule for one data set."""

    hidden: tuple
    epochs: int
    eta: dict


DEFAULTS = {
    "mnist": TaskDefaults(hidden=(100, 100), epochs=10, eta={"local": 0.01, "bp": 0.05}),
    "iris": TaskDefaults(hidden=(16, 16), epochs=100, eta={"local": 0.05, "bp": 0.1}),
}


def parse_class(dataset, value):
    """A class given on the command line ("3", "versicolor", "1") as the loaders expect it."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if dataset == "mnist" and isinstance(value, str):
        raise ValueError(f"classes must be digits 0..9 for mnist, got {value!r}")
    return value


def load_task(dataset, classes, seed=0, source="bundled"):
    """``(X_train, y_train, X_test, y_test)`` of a two-class task, e.g. ("mnist", (3, 5))."""
    dataset = check_choice(dataset, "dataset", DATASETS)
    if len(classes) != 2:
        raise ValueError(f"classes must name exactly two classes, got {classes!r}")
    a, b = (parse_class(dataset, c) for c in classes)
    if dataset == "mnist":
        return load_mnist_pair(a, b, seed=seed, source=source)
    if source != "bundled":
        raise ValueError(f"source must be 'bundled' for iris (it ships with scikit-learn), "
                         f"got {source!r}")
    return load_iris_pair(a, b, seed=seed)


def task_name(dataset, classes):
    """A short label such as ``"mnist 3v5"`` or ``"iris versicolor v virginica"``."""
    a, b = (parse_class(dataset, c) for c in classes)
    if dataset == "iris":
        a, b = (IRIS_CLASSES[c] if isinstance(c, int) else c for c in (a, b))
        return f"iris {a} v {b}"
    return f"mnist {a}v{b}"


def make_rule(rule, dataset, seed=0, eta=None):
    """A LocalRule or Backprop with the data set's default learning rate (or ``eta``)."""
    rule = check_choice(rule, "rule", RULES)
    eta = DEFAULTS[check_choice(dataset, "dataset", DATASETS)].eta[rule] if eta is None \
        else check_positive(eta, "eta")
    return LocalRule(eta, seed=seed) if rule == "local" else Backprop(eta)


def train_task(dataset, classes, rule, seed=0, epochs=None, eta=None, hidden=None,
               source="bundled", data=None, progress=False, schedule="online"):
    """Train one model of a named task with its defaults.

    Returns
    -------
    net : MLP
    history : History
    data : tuple
        The ``(X_train, y_train, X_test, y_test)`` it was trained and tested on.
    """
    defaults = DEFAULTS[check_choice(dataset, "dataset", DATASETS)]
    data = load_task(dataset, classes, seed=seed, source=source) if data is None else data
    hidden = defaults.hidden if hidden is None else tuple(check_int(h, "hidden", 1)
                                                          for h in hidden)
    epochs = defaults.epochs if epochs is None else check_int(epochs, "epochs", 1)
    X_train, y_train, X_test, y_test = data
    net = MLP((X_train.shape[1], *hidden, 2), seed=seed)
    history = fit(net, make_rule(rule, dataset, seed=seed, eta=eta), X_train, y_train,
                  epochs=epochs, seed=seed, X_test=X_test, y_test=y_test, progress=progress,
                  schedule=schedule)
    return net, history, data
