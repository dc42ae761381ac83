"""The STDP window, for chapter 3 and exercise 1: one figure, one widget, one checker.

With ``s = t_post - t_pre`` a spike pair changes the weight by ``W(s) = A+ exp(-s/tau+)`` for
``s > 0`` (potentiation) and ``-A- exp(s/tau-)`` for ``s < 0`` (depression)
(:func:`localrule.stdp.stdp_window`). The figure shades both lobes, prints the window's area and
first moment, and can mark one pairing ``s`` and rerun the Bi & Poo pairing protocol on the window.
Chapter 3 shows the protocol; exercise 1 asks for ``dw`` at one pairing and checks the answer.
Slider values for times are in milliseconds; the package functions work in seconds.
"""

import numbers

import matplotlib.pyplot as plt
import numpy as np

from localrule.stdp import pairing_protocol, stdp_window, stdp_window_integrals
from localrule.validation import check_positive
from localrule.widgets.controls import LABEL_STYLE, initial_values, show_figure
from localrule.widgets.feedback import as_number, correct_answer, is_close, no_answer, wrong_answer

__all__ = ["STDP_DEFAULTS", "plot_stdp_window", "stdp_dw", "check_stdp_prediction",
           "stdp_window_state", "stdp_window_figure", "make_stdp_widget"]

#: Slider defaults of :func:`make_stdp_widget`: a balanced window and a causal pairing at +10 ms.
STDP_DEFAULTS = {"A_plus": 1.0, "A_minus": 1.0, "tau_plus_ms": 20.0, "tau_minus_ms": 20.0,
                 "s_ms": 10.0}


def _window_ms(A_plus, A_minus, tau_plus_ms, tau_minus_ms):
    return (check_positive(A_plus, "A_plus", allow_zero=True),
            check_positive(A_minus, "A_minus", allow_zero=True),
            check_positive(tau_plus_ms, "tau_plus_ms") / 1e3,
            check_positive(tau_minus_ms, "tau_minus_ms") / 1e3)


def _check_show_protocol(show_protocol):
    if not isinstance(show_protocol, bool):
        raise TypeError(f"show_protocol must be True or False, got {show_protocol!r}")


def plot_stdp_window(ax, A_plus=1.0, A_minus=1.0, tau_plus=0.02, tau_minus=0.02, s_max=0.1):
    """Draw the exponential STDP window with its area shaded and its two integrals printed.

    See chapter 3.

    Parameters
    ----------
    ax : matplotlib Axes
    A_plus, A_minus, tau_plus, tau_minus : float
        Window parameters (times in seconds), as in :func:`localrule.stdp.stdp_window`.
    s_max : float
        Half-width of the plotted range of ``s = t_post - t_pre``, seconds.

    Returns
    -------
    area, first_moment : float
        :func:`localrule.stdp.stdp_window_integrals` of this window.
    """
    s_max = check_positive(s_max, "s_max")
    s = np.linspace(-s_max, s_max, 801)
    s = s[s != 0]
    w = stdp_window(s, A_plus, A_minus, tau_plus, tau_minus)
    area, moment = stdp_window_integrals(A_plus, A_minus, tau_plus, tau_minus)
    pos, neg = s > 0, s < 0
    ax.plot(1e3 * s[pos], w[pos], color="C0", lw=2)
    ax.plot(1e3 * s[neg], w[neg], color="C0", lw=2)
    ax.fill_between(1e3 * s[pos], 0, w[pos], color="C2", alpha=0.3, label="potentiation")
    ax.fill_between(1e3 * s[neg], 0, w[neg], color="C3", alpha=0.3, label="depression")
    ax.axhline(0, color="k", lw=0.6)
    ax.axvline(0, color="k", lw=0.6)
    ax.set_xlabel(r"$s = t_{post} - t_{pre}$ (ms)")
    ax.set_ylabel(r"$\Delta w$ per pair, $W(s)$")
    ax.text(0.02, 0.97, rf"$\int W\,ds$ = {1e3 * area:+.2f} ms$\cdot A$" "\n"
            rf"$\int sW\,ds$ = {1e6 * moment:.0f} ms$^2\cdot A$",
            transform=ax.transAxes, va="top", fontsize=9)
    ax.legend(loc="lower right", fontsize=8)
    return area, moment


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
        return no_answer()
    value = as_number(answer)
    if value is None:
        return wrong_answer(f"give dw as one number, for example 0.25 or -0.4 (got {answer!r}).")

    s = float(s_ms)
    if is_close(value, expected, rtol, atol):
        if s > 0:
            why = ("the pre spike came first (s > 0), a causal pairing, so the synapse is "
                   "potentiated by A+ exp(-s/tau+).")
        elif s < 0:
            why = ("the post spike came first (s < 0), so the synapse is depressed by "
                   "-A- exp(s/tau-).")
        else:
            why = "spikes in exact coincidence change nothing in this book's convention."
        return correct_answer(f"dw = W({s:g} ms) = {expected:+.4f}: {why}")

    if s == 0:
        return wrong_answer("at s = 0 the two spikes coincide; the window is 0 there (neither the "
                            "potentiation nor the depression side applies).")
    if expected != 0 and value != 0 and np.sign(value) != np.sign(expected):
        if s > 0:
            return wrong_answer("s = t_post - t_pre > 0 means the pre spike came first. Pre before "
                                "post is the causal order, and it strengthens the synapse: dw > 0.")
        return wrong_answer("s = t_post - t_pre < 0 means the post spike came first. Post "
                            "before pre weakens the synapse: dw < 0.")
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
        if not is_close(guess, expected, 1e-9, 1e-12) and is_close(value, guess, rtol, atol):
            return wrong_answer(hint)
    return wrong_answer("dw = A+ exp(-s/tau+) for s > 0 and dw = -A- exp(s/tau-) for s < 0, with s "
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


def stdp_window_figure(A_plus=1.0, A_minus=1.0, tau_plus_ms=20.0, tau_minus_ms=20.0, s_ms=None,
                       show_protocol=False, s_max_ms=100.0):
    """The STDP window (:func:`plot_stdp_window`), optionally with a pairing and the protocol.

    See chapter 3.

    Parameters
    ----------
    A_plus, A_minus, tau_plus_ms, tau_minus_ms : float
        Window parameters (ms).
    s_ms : float, optional
        A pairing ``t_post - t_pre`` (ms) to mark on the curve with its weight change.
    show_protocol : bool
        Also simulate :func:`localrule.stdp.pairing_protocol` (60 pairs at 1 Hz) at 17 delays from
        -80 to 80 ms and plot the weight change per pair as small dots.
    s_max_ms : float
        Half-width of the plotted range of s, ms.

    Returns
    -------
    matplotlib Figure
    """
    params = _window_ms(A_plus, A_minus, tau_plus_ms, tau_minus_ms)
    s_max_ms = check_positive(s_max_ms, "s_max_ms")
    _check_show_protocol(show_protocol)
    state = stdp_window_state(A_plus, A_minus, tau_plus_ms, tau_minus_ms,
                              0.0 if s_ms is None else s_ms)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    plot_stdp_window(ax, *params, s_max=s_max_ms / 1e3)
    if show_protocol:
        delays = np.linspace(-0.08, 0.08, 17)
        ax.plot(1e3 * delays, pairing_protocol(delays, A_plus=params[0], A_minus=params[1],
                                               tau_plus=params[2], tau_minus=params[3]),
                "k.", ms=6, label="pairing protocol")
    if s_ms is not None:
        ax.plot([s_ms], [state["dw"]], "ko", ms=7,
                label=f"pairing s = {s_ms:g} ms: dw = {state['dw']:+.3f}")
    ax.set_title(f"STDP window ({'balanced' if state['balanced'] else 'unbalanced'})")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def make_stdp_widget(show_protocol=False, **defaults):
    """Sliders for A+, A-, tau+, tau- and the pairing s -> the window, its integrals and dw at s.

    The widget's ``result`` is :func:`stdp_window_state` of the current sliders; the figure is
    :func:`stdp_window_figure`. See chapter 3.

    Parameters
    ----------
    show_protocol : bool
        Rerun the pairing protocol on the window at every change (chapter 3).
    **defaults
        Initial slider values overriding :data:`STDP_DEFAULTS`.

    Returns
    -------
    ipywidgets.interactive
    """
    import ipywidgets as widgets

    _check_show_protocol(show_protocol)
    v = initial_values(STDP_DEFAULTS, defaults, "make_stdp_widget")

    def update(A_plus, A_minus, tau_plus_ms, tau_minus_ms, s_ms):
        show_figure(stdp_window_figure(A_plus, A_minus, tau_plus_ms, tau_minus_ms, s_ms,
                    show_protocol=show_protocol))
        return stdp_window_state(A_plus, A_minus, tau_plus_ms, tau_minus_ms, s_ms)

    return widgets.interactive(
        update,
        A_plus=widgets.FloatSlider(value=v["A_plus"], min=0.0, max=2.0, step=0.05,
                                   description="A+", style=LABEL_STYLE),
        A_minus=widgets.FloatSlider(value=v["A_minus"], min=0.0, max=2.0, step=0.05,
                                    description="A-", style=LABEL_STYLE),
        tau_plus_ms=widgets.FloatSlider(value=v["tau_plus_ms"], min=2.0, max=60.0, step=1.0,
                                        description="tau+ (ms)", style=LABEL_STYLE),
        tau_minus_ms=widgets.FloatSlider(value=v["tau_minus_ms"], min=2.0, max=60.0, step=1.0,
                                         description="tau- (ms)", style=LABEL_STYLE),
        s_ms=widgets.FloatSlider(value=v["s_ms"], min=-80.0, max=80.0, step=1.0,
                                 description="s = t_post - t_pre (ms)", style=LABEL_STYLE),
    )
