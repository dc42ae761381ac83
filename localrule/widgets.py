"""Interactive exercises: answer checkers, figure functions and ipywidgets factories.

The notebooks in ``exercises/widgets/`` are thin wrappers around this module. Every exercise has

* a **checker** ``check_...(answer, ...)`` that compares a student's prediction with the value the
  package computes and returns a :class:`Feedback` ("Correct! ..." or "Not yet — hint: ...",
  or a request to enter a prediction when the answer is still ``None``). A checker never raises
  because of the answer itself; it raises only when the *question* is ill-posed (bad parameters);
* a plain **figure/state function** that draws or computes what the widget shows, testable without
  a browser;
* a small **factory** ``make_..._widget()`` that wires ipywidgets controls to those functions and
  returns the widget (an ``ipywidgets.interactive`` or a ``VBox``). Setting a control's ``.value``
  recomputes the result synchronously, which is what the tests rely on.

Slider values for times are in milliseconds; the package functions they call work in seconds.
"""

import numbers
import re
from dataclasses import dataclass
from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np

from localrule.attacks import fgsm, robustness_curve
from localrule.network import MLP
from localrule.stdp import (latency_code, stdp_window, stdp_window_integrals,
                            train_association_neuron)
from localrule.tasks import load_task, train_task
from localrule.validation import check_array, check_choice, check_int, check_positive, check_seed

__all__ = [
    "Feedback",
    # 1. STDP window
    "STDP_DEFAULTS", "stdp_dw", "check_stdp_prediction", "stdp_window_state",
    "stdp_window_figure", "make_stdp_widget",
    # 2. latency code
    "LATENCY_ACTIVATIONS", "LATENCY_DEFAULTS", "latency_times_ms", "latency_order",
    "check_latency_order", "latency_figure", "make_latency_widget",
    # 3. one neuron
    "NEURON_X", "NEURON_DEFAULTS", "dw_sign", "check_dw_sign", "single_neuron_run",
    "single_neuron_figure", "make_single_neuron_widget",
    # 4. train your own
    "TRAINING_DEFAULTS", "train_model", "learning_curve_figure", "pair_test_accuracy",
    "check_harder_pair", "make_training_widget",
    # 5. FGSM
    "FGSM_DEFAULTS", "train_fgsm_models", "fgsm_example", "fgsm_figure",
    "check_robustness_prediction", "make_fgsm_widget",
]

#: What a checker says while the answer is still ``None``.
NO_ANSWER = "Enter your prediction: replace None with your answer and run this cell again."
HINT = "Not yet — hint: "
CORRECT = "Correct! "


@dataclass(frozen=True)
class Feedback:
    """Result of a checker.

    Attributes
    ----------
    correct : bool or None
        True (right), False (wrong) or None (no answer given yet).
    message : str
        Starts with "Correct!", "Not yet — hint:" or "Enter your prediction".
    """

    correct: object
    message: str

    def __str__(self):
        return self.message

    def __bool__(self):
        return self.correct is True


def _right(message):
    return Feedback(True, CORRECT + message)


def _wrong(message):
    return Feedback(False, HINT + message)


def _no_answer():
    return Feedback(None, NO_ANSWER)


def _as_number(answer):
    """A student's numeric answer as a float, or None when it is not a finite real number."""
    if isinstance(answer, bool):
        return None
    if isinstance(answer, str):
        try:
            answer = float(answer.strip().replace("−", "-"))
        except ValueError:
            return None
    if isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.item()
    if not isinstance(answer, numbers.Real):
        return None
    value = float(answer)
    return value if np.isfinite(value) else None


def _close(value, target, rtol, atol):
    return abs(value - target) <= rtol * abs(target) + atol


def _show(fig):
    """Display ``fig`` in the current output (a widget's Output area in a kernel) and free it."""
    from IPython.display import display

    display(fig)
    plt.close(fig)


def _defaults(base, overrides, who):
    values = dict(base)
    unknown = set(overrides) - set(values)
    if unknown:
        raise TypeError(f"{who} got unknown argument(s) {sorted(unknown)}; "
                        f"allowed: {sorted(values)}")
    values.update(overrides)
    return values


# ============================================================================ 1. STDP window

#: Slider defaults of :func:`make_stdp_widget`: a balanced window and a causal pairing at +10 ms.
STDP_DEFAULTS = {"A_plus": 1.0, "A_minus": 1.0, "tau_plus_ms": 20.0, "tau_minus_ms": 20.0,
                 "s_ms": 10.0}


def _window_ms(A_plus, A_minus, tau_plus_ms, tau_minus_ms):
    return (check_positive(A_plus, "A_plus", allow_zero=True),
            check_positive(A_minus, "A_minus", allow_zero=True),
            check_positive(tau_plus_ms, "tau_plus_ms") / 1e3,
            check_positive(tau_minus_ms, "tau_minus_ms") / 1e3)


def stdp_dw(s_ms, A_plus=1.0, A_minus=1.0, tau_plus_ms=20.0, tau_minus_ms=20.0):
    """Weight change of one spike pair, times in milliseconds.

    With ``s = t_post - t_pre``, ``dw = A+ exp(-s/tau+)`` for ``s > 0`` (potentiation),
    ``dw = -A- exp(s/tau-)`` for ``s < 0`` (depression) and 0 at ``s = 0``
    (:func:`localrule.stdp.stdp_window`). See chapter 3.

    Parameters
    ----------
    s_ms : float
        Spike-time difference in ms.
    A_plus, A_minus : float
        Amplitudes (>= 0).
    tau_plus_ms, tau_minus_ms : float
        Time constants in ms (> 0).

    Returns
    -------
    float
    """
    if isinstance(s_ms, bool) or not isinstance(s_ms, numbers.Real) or not np.isfinite(s_ms):
        raise TypeError(f"s_ms must be a finite real number, got {s_ms!r}")
    return float(stdp_window(float(s_ms) / 1e3, *_window_ms(A_plus, A_minus, tau_plus_ms,
                                                             tau_minus_ms)))


def check_stdp_prediction(answer, s_ms, A_plus=1.0, A_minus=1.0, tau_plus_ms=20.0,
                          tau_minus_ms=20.0, rtol=0.02, atol=0.005):
    """Check a predicted weight change ``answer`` for one pre/post pair.

    The expected value is :func:`stdp_dw`; an answer within ``rtol * |dw| + atol`` counts
    (two decimals are enough). Wrong answers get a hint aimed at the likely mistake: the sign,
    the missing decay, the sign of the exponent, the time constant of the other side, or the units.
    See chapter 3.

    Parameters
    ----------
    answer : float or None
        The student's prediction of dw.
    s_ms : float
        ``t_post - t_pre`` in ms (positive: pre fires first).
    A_plus, A_minus, tau_plus_ms, tau_minus_ms : float
        Window parameters (ms).
    rtol, atol : float
        Tolerances.

    Returns
    -------
    Feedback
    """
    expected = stdp_dw(s_ms, A_plus, A_minus, tau_plus_ms, tau_minus_ms)
    rtol = check_positive(rtol, "rtol", allow_zero=True)
    atol = check_positive(atol, "atol", allow_zero=True)
    if answer is None:
        return _no_answer()
    value = _as_number(answer)
    if value is None:
        return _wrong(f"give dw as one number, for example 0.25 or -0.4 (got {answer!r}).")

    s = float(s_ms)
    if _close(value, expected, rtol, atol):
        if s > 0:
            why = ("the pre spike came first (s > 0), a causal pairing, so the synapse is "
                   "potentiated by A+ exp(-s/tau+).")
        elif s < 0:
            why = ("the post spike came first (s < 0), so the synapse is depressed by "
                   "-A- exp(s/tau-).")
        else:
            why = "spikes in exact coincidence change nothing in this book's convention."
        return _right(f"dw = W({s:g} ms) = {expected:+.4f}: {why}")

    if s == 0:
        return _wrong("at s = 0 the two spikes coincide; the window is 0 there (neither the "
                      "potentiation nor the depression side applies).")
    if expected != 0 and value != 0 and np.sign(value) != np.sign(expected):
        if s > 0:
            return _wrong("s = t_post - t_pre > 0 means the pre spike came first. Pre before "
                          "post is the causal order, and it strengthens the synapse: dw > 0.")
        return _wrong("s = t_post - t_pre < 0 means the post spike came first. Post before pre "
                      "weakens the synapse: dw < 0.")
    A, tau, other_tau = ((A_plus, tau_plus_ms, tau_minus_ms) if s > 0
                         else (-A_minus, tau_minus_ms, tau_plus_ms))
    d = abs(s)
    suspects = [
        (A, "you gave the amplitude alone; the change shrinks with the delay between the "
            "spikes: multiply by exp(-|s|/tau)."),
        (A * np.exp(d / tau), "the exponent must be negative: the further apart the spikes, the "
                              "smaller the change, exp(-|s|/tau)."),
        (A * np.exp(-d / other_tau), "use the time constant of the side you are on: tau+ when the "
                                     "pre spike comes first (s > 0), tau- when it comes second."),
        (A * np.exp(-d / (tau / 1e3)), "keep s and tau in the same unit: with s in ms, tau must "
                                       "be in ms too (|s|/tau is a pure number)."),
        (A * np.exp(-d / 1e3 / tau), "keep s and tau in the same unit: with s in ms, tau must "
                                     "be in ms too (|s|/tau is a pure number)."),
    ]
    for guess, hint in suspects:
        if not _close(guess, expected, 1e-9, 1e-12) and _close(value, guess, rtol, atol):
            return _wrong(hint)
    return _wrong("dw = A+ exp(-s/tau+) for s > 0 and dw = -A- exp(s/tau-) for s < 0, with s "
                  "and tau in the same unit. Evaluate it for the numbers in the question.")


def stdp_window_state(A_plus=1.0, A_minus=1.0, tau_plus_ms=20.0, tau_minus_ms=20.0, s_ms=10.0):
    """Numbers the STDP widget reports for one setting of its sliders.

    Returns
    -------
    dict
        ``dw`` (:func:`stdp_dw` at ``s_ms``), ``area_ms`` (``int W ds`` in ms, =
        ``A+ tau+ - A- tau-``), ``first_moment_ms2`` (``int s W ds`` in ms^2) and ``balanced``
        (area zero to 1e-9 ms: rate changes, not rates, drive learning; chapter 4).
    """
    params = _window_ms(A_plus, A_minus, tau_plus_ms, tau_minus_ms)
    area, moment = stdp_window_integrals(*params)
    return {"dw": stdp_dw(s_ms, A_plus, A_minus, tau_plus_ms, tau_minus_ms),
            "area_ms": 1e3 * area, "first_moment_ms2": 1e6 * moment,
            "balanced": bool(abs(1e3 * area) < 1e-9)}


def stdp_window_figure(A_plus=1.0, A_minus=1.0, tau_plus_ms=20.0, tau_minus_ms=20.0,
                       s_ms=None, s_max_ms=100.0):
    """The exponential STDP window, its two lobes shaded, with one pairing ``s_ms`` marked.

    See chapter 3.

    Parameters
    ----------
    A_plus, A_minus, tau_plus_ms, tau_minus_ms : float
        Window parameters (ms).
    s_ms : float, optional
        A pairing to mark on the curve.
    s_max_ms : float
        Half-width of the plotted range of s, ms.

    Returns
    -------
    matplotlib Figure
    """
    params = _window_ms(A_plus, A_minus, tau_plus_ms, tau_minus_ms)
    s_max_ms = check_positive(s_max_ms, "s_max_ms")
    state = stdp_window_state(A_plus, A_minus, tau_plus_ms, tau_minus_ms,
                              0.0 if s_ms is None else s_ms)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    s = np.linspace(-s_max_ms, s_max_ms, 801)
    s = s[s != 0]
    w = stdp_window(s / 1e3, *params)
    pos, neg = s > 0, s < 0
    ax.plot(s[pos], w[pos], color="C0", lw=2, label=r"$W(s)$")
    ax.plot(s[neg], w[neg], color="C0", lw=2)
    ax.fill_between(s[pos], 0, w[pos], color="C2", alpha=0.3, label="potentiation (pre first)")
    ax.fill_between(s[neg], 0, w[neg], color="C3", alpha=0.3, label="depression (post first)")
    ax.axhline(0, color="k", lw=0.6)
    ax.axvline(0, color="k", lw=0.6)
    if s_ms is not None:
        ax.plot([s_ms], [state["dw"]], "ko", ms=7,
                label=f"pairing s = {s_ms:g} ms: dw = {state['dw']:+.3f}")
    ax.set_xlabel(r"$s = t_{post} - t_{pre}$ (ms)")
    ax.set_ylabel(r"weight change per pair $\Delta w$ (units of $A$)")
    ax.set_title(f"STDP window, area {state['area_ms']:+.1f} ms·A "
                 f"({'balanced' if state['balanced'] else 'unbalanced'})")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def make_stdp_widget(**defaults):
    """Sliders for A+, A-, tau+, tau- and the pairing s -> the window and dw at s.

    The widget's ``result`` is :func:`stdp_window_state` of the current sliders. See chapter 3.

    Parameters
    ----------
    **defaults
        Initial slider values overriding :data:`STDP_DEFAULTS`.

    Returns
    -------
    ipywidgets.interactive
    """
    import ipywidgets as widgets

    v = _defaults(STDP_DEFAULTS, defaults, "make_stdp_widget")

    def update(A_plus, A_minus, tau_plus_ms, tau_minus_ms, s_ms):
        _show(stdp_window_figure(A_plus, A_minus, tau_plus_ms, tau_minus_ms, s_ms))
        return stdp_window_state(A_plus, A_minus, tau_plus_ms, tau_minus_ms, s_ms)

    style = {"description_width": "initial"}
    return widgets.interactive(
        update,
        A_plus=widgets.FloatSlider(value=v["A_plus"], min=0.0, max=2.0, step=0.05,
                                   description="A+", style=style),
        A_minus=widgets.FloatSlider(value=v["A_minus"], min=0.0, max=2.0, step=0.05,
                                    description="A-", style=style),
        tau_plus_ms=widgets.FloatSlider(value=v["tau_plus_ms"], min=2.0, max=60.0, step=1.0,
                                        description="tau+ (ms)", style=style),
        tau_minus_ms=widgets.FloatSlider(value=v["tau_minus_ms"], min=2.0, max=60.0, step=1.0,
                                         description="tau- (ms)", style=style),
        s_ms=widgets.FloatSlider(value=v["s_ms"], min=-80.0, max=80.0, step=1.0,
                                 description="s = t_post - t_pre (ms)", style=style),
    )


# ============================================================================ 2. latency code

#: Activations of the five units of the latency exercise (unit 2 is silent).
LATENCY_ACTIVATIONS = (0.3, 0.9, 0.0, 0.6, 0.15)
#: Slider defaults of :func:`make_latency_widget`.
LATENCY_DEFAULTS = {"a": 0.5, "t_min_ms": 5.0, "tau_m_ms": 20.0}


def latency_times_ms(activations, t_min_ms=5.0, tau_m_ms=20.0):
    """First-spike times in ms of units with activations in [0, 1] (``inf`` = never fires).

    ``t(a) = tau_m ln(1 + (exp(t_min/tau_m) - 1)/a)`` (:func:`localrule.stdp.latency_code`):
    the stronger the activation, the earlier the spike. See chapter 2.

    Parameters
    ----------
    activations : array_like, shape (n_units,)
    t_min_ms, tau_m_ms : float
        Spike time of a fully active unit and membrane time constant, ms.

    Returns
    -------
    ndarray, shape (n_units,)
    """
    a = check_array(activations, "activations", ndim=1, unit_interval=True)
    t_min = check_positive(t_min_ms, "t_min_ms") / 1e3
    tau_m = check_positive(tau_m_ms, "tau_m_ms") / 1e3
    return 1e3 * np.asarray(latency_code(a, t_min=t_min, tau_m=tau_m), dtype=np.float64)


def latency_order(activations, t_min_ms=5.0, tau_m_ms=20.0):
    """Indices of the units that fire, earliest first (silent units left out). See chapter 2.

    Returns
    -------
    list of int
    """
    t = latency_times_ms(activations, t_min_ms, tau_m_ms)
    return [int(i) for i in np.argsort(t, kind="stable") if np.isfinite(t[i])]


def _as_index_list(answer):
    if isinstance(answer, str):
        parts = [p for p in re.split(r"[\s,;>\-\[\]\(\)]+", answer) if p]
        try:
            return [int(p) for p in parts]
        except ValueError:
            return None
    if isinstance(answer, np.ndarray):
        answer = answer.tolist()
    if not isinstance(answer, (list, tuple)):
        return None
    out = []
    for item in answer:
        if isinstance(item, bool) or not isinstance(item, numbers.Integral):
            return None
        out.append(int(item))
    return out


def check_latency_order(answer, activations=LATENCY_ACTIVATIONS, t_min_ms=5.0, tau_m_ms=20.0):
    """Check the predicted firing order of units under the latency code.

    ``answer`` lists unit indices (0-based), earliest spike first, leaving out units that never
    fire. Units with equal activations fire together and may come in either order. See chapter 2.

    Parameters
    ----------
    answer : sequence of int, str or None
        e.g. ``[1, 3, 0, 4]`` or ``"1, 3, 0, 4"``.
    activations : array_like, shape (n_units,)
    t_min_ms, tau_m_ms : float

    Returns
    -------
    Feedback
    """
    t = latency_times_ms(activations, t_min_ms, tau_m_ms)
    order = latency_order(activations, t_min_ms, tau_m_ms)
    silent = [i for i in range(t.size) if not np.isfinite(t[i])]
    if answer is None:
        return _no_answer()
    given = _as_index_list(answer)
    if given is None:
        return _wrong(f"give a list of unit numbers, earliest spike first, e.g. "
                      f"{list(range(t.size))} (got {answer!r}).")
    bad = [i for i in given if not 0 <= i < t.size]
    if bad:
        return _wrong(f"units are numbered 0 to {t.size - 1}; {bad} is not a unit.")
    if len(set(given)) != len(given):
        return _wrong("each unit fires once under the latency code: list every unit at most "
                      "once.")
    if any(i in silent for i in given):
        s = [i for i in given if i in silent]
        names = ", ".join(str(i) for i in s)
        return _wrong(f"unit{'s' if len(s) > 1 else ''} {names} ha{'ve' if len(s) > 1 else 's'} "
                      f"a = 0: the drive only reaches threshold, so the neuron never fires. "
                      f"Leave {'them' if len(s) > 1 else 'it'} out.")
    if set(given) != set(order):
        missing = sorted(set(order) - set(given))
        return _wrong(f"every unit with a > 0 fires once; you left out {missing}.")
    times = t[given]
    if np.all(np.diff(times) >= -1e-12):
        listing = ", ".join(f"unit {i} at {t[i]:.1f} ms" for i in given)
        if silent:
            listing += (f"; unit{'s' if len(silent) > 1 else ''} "
                        f"{', '.join(str(i) for i in silent)} never fire"
                        f"{'' if len(silent) > 1 else 's'}")
        return _right(f"the stronger the activation, the stronger the drive and the sooner the "
                      f"membrane reaches threshold: {listing}.")
    if np.all(np.diff(times) <= 1e-12):
        return _wrong("you listed the latest spike first. A strongly driven neuron reaches "
                      "threshold sooner: the largest activation fires first.")
    return _wrong("sort the units by activation, largest first: a larger activation means a "
                  "larger input current and an earlier first spike.")


def latency_figure(a=0.5, t_min_ms=5.0, tau_m_ms=20.0, activations=LATENCY_ACTIVATIONS):
    """Latency code: the curve t(a) with one unit marked, and the spikes of ``activations``.

    See chapter 2.

    Parameters
    ----------
    a : float in [0, 1]
        Activation of the unit marked on the curve.
    t_min_ms, tau_m_ms : float
    activations : array_like, shape (n_units,)
        Units drawn as a raster on the right.

    Returns
    -------
    matplotlib Figure
    """
    probe = float(latency_times_ms([_unit(a, "a")], t_min_ms, tau_m_ms)[0])
    times = latency_times_ms(activations, t_min_ms, tau_m_ms)
    acts = np.asarray(activations, dtype=np.float64)
    grid = np.linspace(0.02, 1.0, 300)
    curve = latency_times_ms(grid, t_min_ms, tau_m_ms)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
    ax1.plot(grid, curve, color="C0", lw=2, label=r"$t(a)$")
    if np.isfinite(probe):
        ax1.plot([a], [probe], "ko", ms=7, label=f"a = {a:.2f}: spike at {probe:.1f} ms")
    else:
        ax1.plot([], [], "ko", label="a = 0: never fires")
    ax1.set_xlabel("activation a (0 = silent, 1 = fully active)")
    ax1.set_ylabel("first-spike time (ms)")
    ax1.set_title("time to first spike")
    ax1.set_ylim(0, min(curve.max(), 12 * t_min_ms))
    ax1.legend(fontsize=8)
    finite = times[np.isfinite(times)]
    t_end = 1.2 * (finite.max() if finite.size else t_min_ms)
    for i, (t, act) in enumerate(zip(times, acts)):
        if np.isfinite(t):
            ax2.vlines(t, i - 0.35, i + 0.35, color="C1", lw=3)
        else:
            ax2.text(0.02 * t_end, i, "no spike", va="center", fontsize=8, color="0.4")
    ax2.set_yticks(range(acts.size))
    ax2.set_yticklabels([f"unit {i}: a = {act:.2f}" for i, act in enumerate(acts)], fontsize=8)
    ax2.set_xlim(0, t_end)
    ax2.set_ylim(acts.size - 0.5, -0.5)
    ax2.set_xlabel("time (ms)")
    ax2.set_title("the same units as spikes")
    fig.tight_layout()
    return fig


def _unit(value, name):
    value = check_positive(value, name, allow_zero=True)
    if value > 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {value}")
    return value


def make_latency_widget(activations=LATENCY_ACTIVATIONS, **defaults):
    """Sliders for one activation a, t_min and tau_m -> the latency curve and a spike raster.

    The widget's ``result`` is a dict: ``time_ms`` (spike time of ``a``), ``times_ms`` (of the
    units in ``activations``) and ``order`` (:func:`latency_order`). See chapter 2.

    Returns
    -------
    ipywidgets.interactive
    """
    import ipywidgets as widgets

    v = _defaults(LATENCY_DEFAULTS, defaults, "make_latency_widget")
    acts = tuple(float(x) for x in check_array(activations, "activations", ndim=1,
                                                unit_interval=True))

    def update(a, t_min_ms, tau_m_ms):
        _show(latency_figure(a, t_min_ms, tau_m_ms, acts))
        return {"time_ms": float(latency_times_ms([a], t_min_ms, tau_m_ms)[0]),
                "times_ms": latency_times_ms(acts, t_min_ms, tau_m_ms),
                "order": latency_order(acts, t_min_ms, tau_m_ms)}

    style = {"description_width": "initial"}
    return widgets.interactive(
        update,
        a=widgets.FloatSlider(value=v["a"], min=0.0, max=1.0, step=0.01,
                              description="activation a", style=style),
        t_min_ms=widgets.FloatSlider(value=v["t_min_ms"], min=1.0, max=20.0, step=0.5,
                                     description="t_min (ms)", style=style),
        tau_m_ms=widgets.FloatSlider(value=v["tau_m_ms"], min=5.0, max=50.0, step=1.0,
                                     description="tau_m (ms)", style=style),
    )


# ============================================================================ 3. one neuron

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
    a, a_star = _unit(a, "a"), _unit(a_star, "a_star")
    return int(np.sign(x * (a_star - a)))


def _parse_sign(answer):
    if isinstance(answer, bool):
        return None
    if isinstance(answer, str):
        return _SIGNS.get(answer.strip().lower())
    value = _as_number(answer)
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
        return _no_answer()
    given = _parse_sign(answer)
    if given is None:
        return _wrong(f'answer "+", "-" or "0" (got {answer!r}).')
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
        return _right(f"dw is {word}: {why}")
    if x == 0:
        return _wrong("look at the pre-synaptic activity: dw = eta x (a* - a) with x = 0.")
    if a_star == a:
        return _wrong("compare a and a*: when the neuron already sits at its associated "
                      "activity, a* - a = 0.")
    return _wrong("dw = eta x (a* - a) with eta > 0 and x > 0, so dw has the sign of a* - a: "
                  "the synapse grows when the associative input raises the neuron's activity.")


def single_neuron_run(eta=0.5, a_star=0.9, steps=30, x=NEURON_X, seed=0):
    """One sigmoid neuron shown the same input ``x`` for ``steps`` online steps of the local rule.

    Each step: ``a = sigmoid(w . x + b)``, then ``dw = eta x (a_star - a)``, ``db = eta
    (a_star - a)`` (:func:`localrule.stdp.train_association_neuron`). See chapter 4.

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
    localrule.stdp.NeuronHistory
        ``w`` (steps + 1, n_in), ``a`` (steps,), ``dw`` (steps, n_in), ...
    """
    X = check_array(x, "x", ndim=1)[None, :]
    steps = check_int(steps, "steps", minimum=1)
    a_star = _unit(a_star, "a_star")
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

    v = _defaults(NEURON_DEFAULTS, defaults, "make_single_neuron_widget")
    x = tuple(float(xi) for xi in check_array(x, "x", ndim=1))

    def update(eta, a_star, steps):
        hist = single_neuron_run(eta, a_star, steps, x)
        _show(single_neuron_figure(hist, x))
        final = 1.0 / (1.0 + np.exp(-(hist.w[-1] @ np.asarray(x) + hist.b[-1])))
        return {"a": hist.a, "w": hist.w, "dw": hist.dw, "final_a": float(final)}

    style = {"description_width": "initial"}
    return widgets.interactive(
        update,
        eta=widgets.FloatSlider(value=v["eta"], min=0.05, max=3.0, step=0.05,
                                description="eta (learning rate)", style=style),
        a_star=widgets.FloatSlider(value=v["a_star"], min=0.0, max=1.0, step=0.05,
                                   description="a* (associated activity)", style=style),
        steps=widgets.IntSlider(value=v["steps"], min=1, max=100, step=1,
                                description="steps", style=style),
    )


# ============================================================================ 4. train your own

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
        return _no_answer()
    given = _parse_pair(answer)
    options = [frozenset(p) for p in pairs]
    if given is None or given not in options:
        return _wrong(f"answer with one of the two pairs, e.g. {tuple(pairs[0])} or "
                      f"\"{pairs[1][0]}v{pairs[1][1]}\" (got {answer!r}).")
    acc = [pair_test_accuracy(*p, rule=rule, epochs=epochs, seed=seed) for p in pairs]
    report = " and ".join(f"{p[0]} vs {p[1]}: {x:.1%}" for p, x in zip(pairs, acc))
    if acc[0] == acc[1]:
        return _right(f"both pairs reach the same test accuracy ({report}).")
    harder = options[int(np.argmin(acc))]
    if given == harder:
        return _right(f"test accuracy after {epochs} epochs of the {rule} rule: {report}. "
                      f"Digits that share strokes overlap more in pixel space.")
    return _wrong("think of the pixels: which two digits share most of their strokes? Train "
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
    from IPython.display import display

    v = _defaults(TRAINING_DEFAULTS, defaults, "make_training_widget")
    style = {"description_width": "initial"}
    digits = list(range(10))
    controls = {
        "rule": widgets.Dropdown(options=[("local rule", "local"), ("backprop", "bp")],
                                 value=v["rule"], description="rule", style=style),
        "a": widgets.Dropdown(options=digits, value=v["a"], description="digit a", style=style),
        "b": widgets.Dropdown(options=digits, value=v["b"], description="digit b", style=style),
        "hidden1": widgets.IntSlider(value=v["hidden1"], min=2, max=200, step=2,
                                     description="hidden layer 1", style=style),
        "hidden2": widgets.IntSlider(value=v["hidden2"], min=2, max=200, step=2,
                                     description="hidden layer 2", style=style),
        "epochs": widgets.IntSlider(value=v["epochs"], min=1, max=20, description="epochs",
                                    style=style),
    }
    summary = widgets.HTML()
    button = widgets.Button(description="Train", button_style="primary", icon="play")
    out = widgets.Output()
    box = widgets.VBox([*controls.values(), summary, button, out])
    box.controls, box.summary, box.button, box.out, box.result = controls, summary, button, out, None

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
            display(fig)
            plt.close(fig)

    for c in controls.values():
        c.observe(refresh, names="value")
    button.on_click(train)
    refresh()
    return box


# ============================================================================ 5. FGSM explorer

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
    names, xs = [], []
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
        return _no_answer()
    key = answer.strip().lower() if isinstance(answer, str) else None
    key = {"backprop": "bp", "backpropagation": "bp", "local rule": "local"}.get(key, key)
    if key not in ("local", "bp"):
        return _wrong(f'answer "local" or "bp" (got {answer!r}).')
    X_test, y_test = models["data"][2], models["data"][3]
    acc = {rule: float(robustness_curve(models[rule], X_test, y_test, [eps])[0])
           for rule in ("local", "bp")}
    report = (f"at eps = {eps:g} the local rule keeps {acc['local']:.1%} and backprop "
              f"{acc['bp']:.1%} of the test images right")
    if acc["local"] == acc["bp"]:
        return _right(f"a tie: {report}.")
    best = max(acc, key=acc.get)
    if key == best:
        return _right(f"{report}. One split and one seed are an anecdote; chapter 7 repeats "
                      f"this over seeds and with stronger attacks.")
    return _wrong("move eps to the value in the question and watch which model's predictions "
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
    v = _defaults(FGSM_DEFAULTS, defaults, "make_fgsm_widget")
    n_test = models["data"][2].shape[0]

    def update(eps, index, crafted_on):
        fig, ex = fgsm_figure(models, index, eps, crafted_on)
        _show(fig)
        return ex

    style = {"description_width": "initial"}
    return widgets.interactive(
        update,
        eps=widgets.FloatSlider(value=v["eps"], min=0.0, max=0.3, step=0.01,
                                description="eps (max pixel change)", style=style),
        index=widgets.IntSlider(value=v["index"], min=0, max=n_test - 1,
                                description="test image", style=style),
        crafted_on=widgets.Dropdown(options=[("local rule", "local"), ("backprop", "bp")],
                                    value=v["crafted_on"], description="attack crafted on",
                                    style=style),
    )
