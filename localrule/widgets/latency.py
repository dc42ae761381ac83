"""Exercise 2, the latency code (chapter 2): predict which units fire first.

A unit with activation ``a`` in [0, 1] fires its first spike at
``t(a) = tau_m ln(1 + (exp(t_min/tau_m) - 1)/a)`` (:func:`localrule.lif.latency_code`): the stronger
the activation, the earlier the spike, and ``a = 0`` never fires. Times here are in milliseconds.
"""

import numbers
import re

import matplotlib.pyplot as plt
import numpy as np

from localrule.lif import latency_code
from localrule.validation import check_array, check_positive, check_unit_interval
from localrule.widgets.controls import LABEL_STYLE, initial_values, show_figure
from localrule.widgets.feedback import correct_answer, no_answer, wrong_answer

__all__ = ["LATENCY_ACTIVATIONS", "LATENCY_DEFAULTS", "latency_times_ms", "latency_order",
           "check_latency_order", "latency_figure", "make_latency_widget"]

#: Activations of the five units of the latency exercise (unit 2 is silent).
LATENCY_ACTIVATIONS = (0.3, 0.9, 0.0, 0.6, 0.15)
#: Slider defaults of :func:`make_latency_widget`.
LATENCY_DEFAULTS = {"a": 0.5, "t_min_ms": 5.0, "tau_m_ms": 20.0}


def latency_times_ms(activations, t_min_ms=5.0, tau_m_ms=20.0):
    """First-spike times in ms of units with activations in [0, 1] (``inf`` = never fires).

    ``t(a) = tau_m ln(1 + (exp(t_min/tau_m) - 1)/a)`` (:func:`localrule.lif.latency_code`):
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
        return no_answer()
    given = _as_index_list(answer)
    if given is None:
        return wrong_answer(f"give a list of unit numbers, earliest spike first, e.g. "
                            f"{list(range(t.size))} (got {answer!r}).")
    bad = [i for i in given if not 0 <= i < t.size]
    if bad:
        return wrong_answer(f"units are numbered 0 to {t.size - 1}; {bad} is not a unit.")
    if len(set(given)) != len(given):
        return wrong_answer("each unit fires once under the latency code: list every unit at most "
                            "once.")
    if any(i in silent for i in given):
        s = [i for i in given if i in silent]
        names = ", ".join(str(i) for i in s)
        plural = len(s) > 1
        return wrong_answer(f"unit{'s' if plural else ''} {names} ha{'ve' if plural else 's'} "
                            f"a = 0: the drive only reaches threshold, so the neuron never fires. "
                            f"Leave {'them' if plural else 'it'} out.")
    if set(given) != set(order):
        missing = sorted(set(order) - set(given))
        return wrong_answer(f"every unit with a > 0 fires once; you left out {missing}.")
    times = t[given]
    if np.all(np.diff(times) >= -1e-12):
        listing = ", ".join(f"unit {i} at {t[i]:.1f} ms" for i in given)
        if silent:
            listing += (f"; unit{'s' if len(silent) > 1 else ''} "
                        f"{', '.join(str(i) for i in silent)} never fire"
                        f"{'' if len(silent) > 1 else 's'}")
        return correct_answer(f"the stronger the activation, the stronger the drive and the "
                              f"sooner the membrane reaches threshold: {listing}.")
    if np.all(np.diff(times) <= 1e-12):
        return wrong_answer("you listed the latest spike first. A strongly driven neuron reaches "
                            "threshold sooner: the largest activation fires first.")
    return wrong_answer("sort the units by activation, largest first: a larger activation means a "
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
    probe = float(latency_times_ms([check_unit_interval(a, "a")], t_min_ms, tau_m_ms)[0])
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


def make_latency_widget(activations=LATENCY_ACTIVATIONS, **defaults):
    """Sliders for one activation a, t_min and tau_m -> the latency curve and a spike raster.

    The widget's ``result`` is a dict: ``time_ms`` (spike time of ``a``), ``times_ms`` (of the
    units in ``activations``) and ``order`` (:func:`latency_order`). See chapter 2.

    Returns
    -------
    ipywidgets.interactive
    """
    import ipywidgets as widgets

    v = initial_values(LATENCY_DEFAULTS, defaults, "make_latency_widget")
    acts = tuple(float(x) for x in check_array(activations, "activations", ndim=1,
                                                unit_interval=True))

    def update(a, t_min_ms, tau_m_ms):
        show_figure(latency_figure(a, t_min_ms, tau_m_ms, acts))
        return {"time_ms": float(latency_times_ms([a], t_min_ms, tau_m_ms)[0]),
                "times_ms": latency_times_ms(acts, t_min_ms, tau_m_ms),
                "order": latency_order(acts, t_min_ms, tau_m_ms)}

    return widgets.interactive(
        update,
        a=widgets.FloatSlider(value=v["a"], min=0.0, max=1.0, step=0.01,
                              description="activation a", style=LABEL_STYLE),
        t_min_ms=widgets.FloatSlider(value=v["t_min_ms"], min=1.0, max=20.0, step=0.5,
                                     description="t_min (ms)", style=LABEL_STYLE),
        tau_m_ms=widgets.FloatSlider(value=v["tau_m_ms"], min=5.0, max=50.0, step=1.0,
                                     description="tau_m (ms)", style=LABEL_STYLE),
    )


