"""Exercise 5, the FGSM explorer (chapter 7): which model survives the attack better?

``x_adv = clip(x + eps sign(dL/dx), 0, 1)`` (:func:`localrule.fgsm`) is crafted on the local-rule
or the backprop network and shown to both.
"""

import matplotlib.pyplot as plt
import numpy as np

from localrule.attacks import fgsm, robustness_curve
from localrule.network import MLP
from localrule.tasks import load_task, train_task
from localrule.validation import check_choice, check_int, check_positive
from localrule.widgets.controls import LABEL_STYLE, initial_values, show_figure
from localrule.widgets.feedback import correct_answer, no_answer, wrong_answer

__all__ = ["FGSM_DEFAULTS", "train_fgsm_models", "fgsm_example", "fgsm_figure",
           "check_robustness_prediction", "make_fgsm_widget"]

#: Slider defaults of :func:`make_fgsm_widget`.
FGSM_DEFAULTS = {"eps": 0.1, "index": 0, "crafted_on": "local"}
_RULE_NAMES = {"local": "local rule", "bp": "backprop"}


def train_fgsm_models(a=3, b=5, epochs=3, seed=0, progress=False):
    """Train the two models the FGSM explorer attacks, on the same bundled MNIST split.

    Returns
    -------
    dict
        ``local`` and ``bp`` (MLP), ``data`` ``(X_train, y_train, X_test, y_test)``,
        ``digits`` ``(a, b)``.
    """
    data = load_task("mnist", (a, b), seed=seed)
    models = {"data": data, "digits": (a, b)}
    for rule in ("local", "bp"):
        models[rule], _, _ = train_task("mnist", (a, b), rule, seed=seed, epochs=epochs,
                                        data=data, progress=progress)
    return models


def _check_models(models):
    if not isinstance(models, dict) or not all(k in models for k in ("local", "bp", "data",
                                                                     "digits")):
        raise TypeError("models must be the dict returned by train_fgsm_models()")
    if not all(isinstance(models[k], MLP) for k in ("local", "bp")):
        raise TypeError("models['local'] and models['bp'] must be MLP networks")
    return models


def fgsm_example(models, index=0, eps=0.1, crafted_on="local"):
    """One test image, its FGSM version and what both models make of each.

    ``x_adv = clip(x + eps sign(dL/dx), 0, 1)`` with the gradient of network ``crafted_on``
    (:func:`localrule.fgsm`); both models then classify ``x`` and ``x_adv``. See chapter 7.

    Parameters
    ----------
    models : dict from :func:`train_fgsm_models`
    index : int
        Test image number.
    eps : float in [0, 1]
    crafted_on : {"local", "bp"}

    Returns
    -------
    dict
        ``x``, ``x_adv``, ``delta`` (each (784,)), ``label`` (digit), and ``predictions``:
        ``{rule: {"clean": (digit, activity), "adversarial": (digit, activity)}}`` where activity
        is the output-unit activity (0 to 1) of the predicted class.
    """
    models = _check_models(models)
    X_test, y_test = models["data"][2], models["data"][3]
    index = check_int(index, "index", minimum=0)
    if index >= X_test.shape[0]:
        raise ValueError(f"index must be < {X_test.shape[0]} (test images), got {index}")
    crafted_on = check_choice(crafted_on, "crafted_on", ("local", "bp"))
    x, y = X_test[index:index + 1], y_test[index:index + 1]
    x_adv = fgsm(models[crafted_on], x, y, eps)
    digits = models["digits"]
    preds = {}
    for rule in ("local", "bp"):
        preds[rule] = {}
        for kind, inp in (("clean", x), ("adversarial", x_adv)):
            p = models[rule].predict_proba(inp)[0]
            k = int(np.argmax(p))
            preds[rule][kind] = (digits[k], float(p[k]))
    return {"x": x[0], "x_adv": x_adv[0], "delta": x_adv[0] - x[0], "label": digits[int(y[0])],
            "predictions": preds}


def fgsm_figure(models, index=0, eps=0.1, crafted_on="local"):
    """Clean image, perturbation, adversarial image and both models' predictions.

    See chapter 7.

    Returns
    -------
    fig : matplotlib Figure
    example : dict from :func:`fgsm_example`
    """
    ex = fgsm_example(models, index, eps, crafted_on)
    fig, axes = plt.subplots(1, 4, figsize=(12, 3.2),
                             gridspec_kw={"width_ratios": [1, 1, 1, 1.4]})
    axes[0].imshow(ex["x"].reshape(28, 28), cmap="gray", vmin=0, vmax=1)
    axes[0].set_title(f"test image {index} (a {ex['label']})", fontsize=9)
    lim = max(float(eps), 1e-6)
    im = axes[1].imshow(ex["delta"].reshape(28, 28), cmap="RdBu_r", vmin=-lim, vmax=lim)
    axes[1].set_title(f"perturbation, eps = {eps:.2f}\n(crafted on {_RULE_NAMES[crafted_on]})",
                      fontsize=9)
    fig.colorbar(im, ax=axes[1], fraction=0.046, pad=0.04, label="pixel change")
    axes[2].imshow(ex["x_adv"].reshape(28, 28), cmap="gray", vmin=0, vmax=1)
    axes[2].set_title("adversarial image", fontsize=9)
    for ax in axes[:3]:
        ax.set_xticks([])
        ax.set_yticks([])
    names = []
    for i, rule in enumerate(("local", "bp")):
        for j, kind in enumerate(("clean", "adversarial")):
            digit, act = ex["predictions"][rule][kind]
            correct = digit == ex["label"]
            axes[3].barh(2 * i + j, act, color="C2" if correct else "C3")
            axes[3].text(min(act, 0.98), 2 * i + j, f" says {digit}", va="center",
                         ha="right" if act > 0.5 else "left", fontsize=8)
            names.append(f"{_RULE_NAMES[rule]}, {kind}")
    axes[3].set_yticks(range(4))
    axes[3].set_yticklabels(names, fontsize=8)
    axes[3].invert_yaxis()
    axes[3].set_xlim(0, 1)
    axes[3].set_xlabel("output activity of the predicted class")
    axes[3].set_title("green: right, red: wrong", fontsize=9)
    fig.tight_layout()
    return fig, ex


def check_robustness_prediction(answer, models, eps=0.1):
    """Check which model keeps the higher test accuracy under its own white-box FGSM at ``eps``.

    Both accuracies are computed with :func:`localrule.robustness_curve` on the test split.
    See chapter 7.

    Parameters
    ----------
    answer : {"local", "bp"} or None
        ("backprop" is accepted for "bp".)
    models : dict from :func:`train_fgsm_models`
    eps : float in [0, 1]

    Returns
    -------
    Feedback
    """
    models = _check_models(models)
    eps = check_positive(eps, "eps", allow_zero=True)
    if answer is None:
        return no_answer()
    key = answer.strip().lower() if isinstance(answer, str) else None
    key = {"backprop": "bp", "backpropagation": "bp", "local rule": "local"}.get(key, key)
    if key not in ("local", "bp"):
        return wrong_answer(f'answer "local" or "bp" (got {answer!r}).')
    X_test, y_test = models["data"][2], models["data"][3]
    acc = {rule: float(robustness_curve(models[rule], X_test, y_test, [eps])[0])
           for rule in ("local", "bp")}
    report = (f"at eps = {eps:g} the local rule keeps {acc['local']:.1%} and backprop "
              f"{acc['bp']:.1%} of the test images right")
    if acc["local"] == acc["bp"]:
        return correct_answer(f"a tie: {report}.")
    best = max(acc, key=acc.get)
    if key == best:
        return correct_answer(f"{report}. One split and one seed are an anecdote; chapter 7 "
                              f"repeats this over seeds and with stronger attacks.")
    return wrong_answer("move eps to the value in the question and watch which model's predictions "
                        "turn red first, over several test images.")


def make_fgsm_widget(models, **defaults):
    """Sliders for eps and the test image, and a choice of attacked model -> the attack.

    The widget's ``result`` is :func:`fgsm_example` for the current controls. See chapter 7.

    Parameters
    ----------
    models : dict from :func:`train_fgsm_models`
    **defaults
        Initial values overriding :data:`FGSM_DEFAULTS`.

    Returns
    -------
    ipywidgets.interactive
    """
    import ipywidgets as widgets

    models = _check_models(models)
    v = initial_values(FGSM_DEFAULTS, defaults, "make_fgsm_widget")
    n_test = models["data"][2].shape[0]

    def update(eps, index, crafted_on):
        fig, ex = fgsm_figure(models, index, eps, crafted_on)
        show_figure(fig)
        return ex

    return widgets.interactive(
        update,
        eps=widgets.FloatSlider(value=v["eps"], min=0.0, max=0.3, step=0.01,
                                description="eps (max pixel change)", style=LABEL_STYLE),
        index=widgets.IntSlider(value=v["index"], min=0, max=n_test - 1,
                                description="test image", style=LABEL_STYLE),
        crafted_on=widgets.Dropdown(options=[("local rule", "local"), ("backprop", "bp")],
                                    value=v["crafted_on"], description="attack crafted on",
                                    style=LABEL_STYLE),
    )
