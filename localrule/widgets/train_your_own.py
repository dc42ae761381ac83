"""Exercise 4, train your own network (chapters 5 and 6): which digit pair is harder?

A network is trained on two bundled MNIST digits with the local rule or backprop, using the book's
defaults for everything not chosen (:func:`localrule.tasks.train_task`).
"""

import numbers
import re
from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np

from localrule.tasks import train_task
from localrule.validation import check_choice, check_int, check_seed
from localrule.widgets.controls import LABEL_STYLE, initial_values, show_figure
from localrule.widgets.feedback import correct_answer, no_answer, wrong_answer

__all__ = ["TRAINING_DEFAULTS", "train_model", "learning_curve_figure", "pair_test_accuracy",
           "check_harder_pair", "make_training_widget"]

#: Control defaults of :func:`make_training_widget`.
TRAINING_DEFAULTS = {"rule": "local", "a": 3, "b": 5, "hidden1": 100, "hidden2": 100,
                     "epochs": 3}


def train_model(rule="local", a=3, b=5, hidden=(100, 100), epochs=3, eta=None, seed=0,
                progress=False):
    """Train a network on bundled MNIST digits ``a`` vs ``b`` with the local rule or backprop.

    Uses the book's defaults for everything not given (:func:`localrule.tasks.train_task`).
    See chapters 5 and 6.

    Parameters
    ----------
    rule : {"local", "bp"}
    a, b : int
        Two different digits 0..9 (labels 0 and 1).
    hidden : tuple of int
        Hidden-layer widths.
    epochs : int >= 1
    eta : float, optional
        Learning rate (default: the rule's default for MNIST).
    seed : int
    progress : bool
        Show a tqdm progress bar over epochs.

    Returns
    -------
    dict
        ``net`` (MLP), ``history`` (History), ``test_accuracy`` (float, last epoch), ``sizes``.
    """
    check_choice(rule, "rule", ("local", "bp"))
    if isinstance(hidden, (str, bytes)) or not hasattr(hidden, "__len__") or len(hidden) < 1:
        raise TypeError(f"hidden must be a sequence of layer widths, got {hidden!r}")
    net, history, _ = train_task("mnist", (a, b), rule, seed=seed, epochs=epochs, eta=eta,
                                 hidden=tuple(hidden), progress=progress)
    return {"net": net, "history": history, "test_accuracy": history.test_accuracy[-1],
            "sizes": net.sizes}


def learning_curve_figure(history, title=""):
    """Train and test accuracy per epoch of one run (:func:`localrule.plots.plot_learning_curves`).

    Returns
    -------
    matplotlib Figure
    """
    from localrule.plots import plot_learning_curves

    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    plot_learning_curves(history, ax=ax)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


@lru_cache(maxsize=32)
def _pair_accuracy(a, b, rule, epochs, seed):
    return train_model(rule, a, b, epochs=epochs, seed=seed)["test_accuracy"]


def pair_test_accuracy(a, b, rule="local", epochs=2, seed=0):
    """Test accuracy of the default network trained on digits ``a`` vs ``b`` (cached).

    Returns
    -------
    float
    """
    a, b = check_int(a, "a"), check_int(b, "b")
    epochs, seed = check_int(epochs, "epochs", minimum=1), check_seed(seed)
    check_choice(rule, "rule", ("local", "bp"))
    return _pair_accuracy(min(a, b), max(a, b), rule, epochs, seed)


def _parse_pair(answer):
    if isinstance(answer, str):
        digits = re.findall(r"\d", answer)
        return frozenset(int(d) for d in digits) if len(digits) == 2 else None
    if isinstance(answer, (list, tuple)) and len(answer) == 2 and all(
            isinstance(d, numbers.Integral) and not isinstance(d, bool) for d in answer):
        return frozenset(int(d) for d in answer)
    return None


def check_harder_pair(answer, pairs=((0, 1), (3, 5)), rule="local", epochs=2, seed=0):
    """Check which digit pair is harder (lower test accuracy) for ``rule``.

    Both pairs are trained with the default network for ``epochs`` epochs (cached after the first
    call) and the one with the lower test accuracy is the answer. See chapter 5.

    Parameters
    ----------
    answer : tuple of two int, str (e.g. "3v5") or None
    pairs : two pairs of digits
    rule : {"local", "bp"}
    epochs, seed : int

    Returns
    -------
    Feedback
    """
    if len(pairs) != 2 or any(len(p) != 2 for p in pairs):
        raise ValueError(f"pairs must hold two pairs of digits, got {pairs!r}")
    if answer is None:
        return no_answer()
    given = _parse_pair(answer)
    options = [frozenset(p) for p in pairs]
    if given is None or given not in options:
        return wrong_answer(f"answer with one of the two pairs, e.g. {tuple(pairs[0])} or "
                            f"\"{pairs[1][0]}v{pairs[1][1]}\" (got {answer!r}).")
    acc = [pair_test_accuracy(*p, rule=rule, epochs=epochs, seed=seed) for p in pairs]
    report = " and ".join(f"{p[0]} vs {p[1]}: {x:.1%}" for p, x in zip(pairs, acc))
    if acc[0] == acc[1]:
        return correct_answer(f"both pairs reach the same test accuracy ({report}).")
    harder = options[int(np.argmin(acc))]
    if given == harder:
        return correct_answer(f"test accuracy after {epochs} epochs of the {rule} rule: {report}. "
                              f"Digits that share strokes overlap more in pixel space.")
    return wrong_answer("think of the pixels: which two digits share most of their strokes? Train "
                        "both pairs with the widget below and compare the test accuracies.")


def _training_summary(rule, a, b, hidden1, hidden2, epochs):
    if a == b:
        return "Choose two different digits."
    return (f"Ready: {'local rule' if rule == 'local' else 'backprop'}, digits {a} vs {b}, "
            f"network 784-{hidden1}-{hidden2}-2, {epochs} epoch{'s' if epochs > 1 else ''}. "
            f"Press Train.")


def make_training_widget(**defaults):
    """Controls for rule, digits, hidden sizes and epochs, and a Train button.

    Changing a control updates the summary line (``widget.summary.value``) at once; pressing the
    button (``widget.button.click()``) trains with a progress bar in ``widget.out`` and stores
    the :func:`train_model` dict in ``widget.result`` (None while nothing is trained or the two
    digits are equal). The controls are in ``widget.controls``. See chapters 5 and 6.

    Returns
    -------
    ipywidgets.VBox
    """
    import ipywidgets as widgets

    v = initial_values(TRAINING_DEFAULTS, defaults, "make_training_widget")
    digits = list(range(10))
    controls = {
        "rule": widgets.Dropdown(options=[("local rule", "local"), ("backprop", "bp")],
                                 value=v["rule"], description="rule", style=LABEL_STYLE),
        "a": widgets.Dropdown(options=digits, value=v["a"], description="digit a",
                              style=LABEL_STYLE),
        "b": widgets.Dropdown(options=digits, value=v["b"], description="digit b",
                              style=LABEL_STYLE),
        "hidden1": widgets.IntSlider(value=v["hidden1"], min=2, max=200, step=2,
                                     description="hidden layer 1", style=LABEL_STYLE),
        "hidden2": widgets.IntSlider(value=v["hidden2"], min=2, max=200, step=2,
                                     description="hidden layer 2", style=LABEL_STYLE),
        "epochs": widgets.IntSlider(value=v["epochs"], min=1, max=20, description="epochs",
                                    style=LABEL_STYLE),
    }
    summary = widgets.HTML()
    button = widgets.Button(description="Train", button_style="primary", icon="play")
    out = widgets.Output()
    box = widgets.VBox([*controls.values(), summary, button, out])
    box.controls, box.summary, box.button, box.out = controls, summary, button, out
    box.result = None

    def values():
        return {k: c.value for k, c in controls.items()}

    def refresh(_=None):
        summary.value = _training_summary(**values())

    def train(_=None):
        p = values()
        box.result = None
        out.clear_output()
        with out:
            if p["a"] == p["b"]:
                print("Choose two different digits, then press Train again.")
                return
            button.disabled = True
            try:
                run = train_model(p["rule"], p["a"], p["b"], (p["hidden1"], p["hidden2"]),
                                  p["epochs"], progress=True)
            finally:
                button.disabled = False
            box.result = run
            print(f"test accuracy after {p['epochs']} epoch{'s' if p['epochs'] > 1 else ''}: "
                  f"{run['test_accuracy']:.3f}")
            fig = learning_curve_figure(run["history"],
                                        f"{p['a']} vs {p['b']}, "
                                        f"{'local rule' if p['rule'] == 'local' else 'backprop'}")
            show_figure(fig)

    for c in controls.values():
        c.observe(refresh, names="value")
    button.on_click(train)
    refresh()
    return box


