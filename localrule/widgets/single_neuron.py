"""Exercise 3, one neuron learning its association (chapter 4): the sign of ``dw``.

The local rule changes a synapse by ``dw = eta x (a_star - a)``: the pre-synaptic activity ``x``
times the change the associative input asks of the post-synaptic neuron. The exercise asks for the
sign of ``dw`` and then shows one sigmoid neuron trained online with the rule.
"""

import matplotlib.pyplot as plt
import numpy as np

from localrule.association import train_association_neuron
from localrule.validation import check_array, check_int, check_positive, check_unit_interval
from localrule.widgets.controls import LABEL_STYLE, initial_values, show_figure
from localrule.widgets.feedback import as_number, correct_answer, no_answer, wrong_answer

__all__ = ["NEURON_X", "NEURON_DEFAULTS", "dw_sign", "check_dw_sign", "single_neuron_run",
           "single_neuron_figure", "make_single_neuron_widget"]

#: Input pattern of the single-neuron exercise: two active inputs and one silent input.
NEURON_X = (1.0, 0.5, 0.0)
#: Slider defaults of :func:`make_single_neuron_widget`.
NEURON_DEFAULTS = {"eta": 0.5, "a_star": 0.9, "steps": 30}

_SIGNS = {"+": 1, "positive": 1, "pos": 1, "up": 1, "increase": 1, "potentiation": 1,
          "-": -1, "negative": -1, "neg": -1, "down": -1, "decrease": -1, "depression": -1,
          "0": 0, "zero": 0, "none": 0, "no change": 0, "unchanged": 0}


def dw_sign(x, a, a_star):
    """Sign of the local rule's change ``dw = eta x (a_star - a)`` for ``eta > 0``: -1, 0 or +1.

    See chapter 4.

    Parameters
    ----------
    x : float >= 0
        Pre-synaptic activity.
    a, a_star : float in [0, 1]
        Free and associated post-synaptic activity.
    """
    x = check_positive(x, "x", allow_zero=True)
    a, a_star = check_unit_interval(a, "a"), check_unit_interval(a_star, "a_star")
    return int(np.sign(x * (a_star - a)))


def _parse_sign(answer):
    if isinstance(answer, bool):
        return None
    if isinstance(answer, str):
        return _SIGNS.get(answer.strip().lower())
    value = as_number(answer)
    return None if value is None else int(np.sign(value))


def check_dw_sign(answer, x, a, a_star):
    """Check the predicted sign of ``dw = eta x (a_star - a)``.

    ``answer`` may be "+", "-", "0" (or "positive", "negative", "zero"), or a number whose sign is
    taken. See chapter 4.

    Parameters
    ----------
    answer : str, number or None
    x : float >= 0
    a, a_star : float in [0, 1]

    Returns
    -------
    Feedback
    """
    expected = dw_sign(x, a, a_star)
    if answer is None:
        return no_answer()
    given = _parse_sign(answer)
    if given is None:
        return wrong_answer(f'answer "+", "-" or "0" (got {answer!r}).')
    word = {1: "positive", -1: "negative", 0: "zero"}[expected]
    if given == expected:
        if x == 0:
            why = ("the pre-synaptic unit is silent (x = 0), and the rule only changes synapses "
                   "whose input was active: dw is proportional to x.")
        elif a_star > a:
            why = ("the associative input pulls the neuron up (a* > a), so active inputs are "
                   "strengthened to make it fire more next time.")
        elif a_star < a:
            why = ("the associative input pulls the neuron down (a* < a), so active inputs are "
                   "weakened to make it fire less next time.")
        else:
            why = "the neuron already has its associated activity (a* = a): nothing to learn."
        return correct_answer(f"dw is {word}: {why}")
    if x == 0:
        return wrong_answer("look at the pre-synaptic activity: dw = eta x (a* - a) with x = 0.")
    if a_star == a:
        return wrong_answer("compare a and a*: when the neuron already sits at its associated "
                            "activity, a* - a = 0.")
    return wrong_answer("dw = eta x (a* - a) with eta > 0 and x > 0, so dw has the sign of "
                        "a* - a: the synapse grows when the associative input raises the "
                        "neuron's activity.")


def single_neuron_run(eta=0.5, a_star=0.9, steps=30, x=NEURON_X, seed=0):
    """One sigmoid neuron shown the same input ``x`` for ``steps`` online steps of the local rule.

    Each step: ``a = sigmoid(w . x + b)``, then ``dw = eta x (a_star - a)``, ``db = eta
    (a_star - a)`` (:func:`localrule.association.train_association_neuron`). See chapter 4.

    Parameters
    ----------
    eta : float > 0
    a_star : float in [0, 1]
        Associated activity.
    steps : int >= 1
    x : array_like, shape (n_in,)
        Input pattern (pre-synaptic activities).
    seed : int
        Seed of the initial weights.

    Returns
    -------
    localrule.association.NeuronHistory
        ``w`` (steps + 1, n_in), ``a`` (steps,), ``dw`` (steps, n_in), ...
    """
    X = check_array(x, "x", ndim=1)[None, :]
    steps = check_int(steps, "steps", minimum=1)
    a_star = check_unit_interval(a_star, "a_star")
    return train_association_neuron(X, np.array([a_star]), eta=eta, epochs=steps, seed=seed)


def single_neuron_figure(history, x=NEURON_X):
    """Activity, weights and weight changes of :func:`single_neuron_run`, step by step.

    See chapter 4.

    Returns
    -------
    matplotlib Figure
    """
    x = check_array(x, "x", ndim=1)
    if history.w.shape[1] != x.size:
        raise ValueError(f"x has {x.size} inputs but history has {history.w.shape[1]} weights")
    steps = np.arange(1, history.a.size + 1)
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
    axes[0].plot(steps, history.a, "o-", ms=3, label="free activity a")
    axes[0].axhline(history.a_star[0], color="k", ls="--", label="associated a*")
    axes[0].set_ylim(-0.02, 1.02)
    axes[0].set_xlabel("step")
    axes[0].set_ylabel("activity (0 to 1)")
    axes[0].set_title("a moves towards a*")
    axes[0].legend(fontsize=8)
    for i, xi in enumerate(x):
        axes[1].plot(np.arange(history.w.shape[0]), history.w[:, i], label=f"w{i} (x{i} = {xi:g})")
        axes[2].plot(steps, history.dw[:, i], label=f"dw{i} (x{i} = {xi:g})")
    axes[1].set_xlabel("step")
    axes[1].set_ylabel("weight")
    axes[1].set_title("weights")
    axes[1].legend(fontsize=8)
    axes[2].axhline(0, color="k", lw=0.6)
    axes[2].set_xlabel("step")
    axes[2].set_ylabel(r"weight change $\Delta w = \eta x (a^* - a)$")
    axes[2].set_title("changes shrink as a approaches a*")
    axes[2].legend(fontsize=8)
    fig.tight_layout()
    return fig


def make_single_neuron_widget(x=NEURON_X, **defaults):
    """Sliders for eta, a* and the number of steps -> one neuron learning its association.

    The widget's ``result`` is a dict: ``a`` (free activity per step), ``w`` (weights per step),
    ``dw`` (changes per step) and ``final_a`` (activity after the last step). See chapter 4.

    Returns
    -------
    ipywidgets.interactive
    """
    import ipywidgets as widgets

    v = initial_values(NEURON_DEFAULTS, defaults, "make_single_neuron_widget")
    x = tuple(float(xi) for xi in check_array(x, "x", ndim=1))

    def update(eta, a_star, steps):
        hist = single_neuron_run(eta, a_star, steps, x)
        show_figure(single_neuron_figure(hist, x))
        final = 1.0 / (1.0 + np.exp(-(hist.w[-1] @ np.asarray(x) + hist.b[-1])))
        return {"a": hist.a, "w": hist.w, "dw": hist.dw, "final_a": float(final)}

    return widgets.interactive(
        update,
        eta=widgets.FloatSlider(value=v["eta"], min=0.05, max=3.0, step=0.05,
                                description="eta (learning rate)", style=LABEL_STYLE),
        a_star=widgets.FloatSlider(value=v["a_star"], min=0.0, max=1.0, step=0.05,
                                   description="a* (associated activity)", style=LABEL_STYLE),
        steps=widgets.IntSlider(value=v["steps"], min=1, max=100, step=1,
                                description="steps", style=LABEL_STYLE),
    )


