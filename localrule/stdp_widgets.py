"""Figures and interactive widgets for the spiking chapters (chapters 2 and 3).

Each widget is a thin ``ipywidgets.interactive`` wrapper around a plain figure function that can be
called (and tested) on its own; the widget's ``result`` is what that function computed for the
current slider values. Slider values for times are in milliseconds; the package functions they call
work in seconds.
"""

import matplotlib.pyplot as plt
import numpy as np

from localrule.stdp import (
    lif_first_spike_time,
    pairing_protocol,
    spike_raster,
    stdp_window,
    stdp_window_integrals,
)
from localrule.validation import check_int, check_positive

__all__ = [
    "RASTER_DEFAULTS",
    "WINDOW_DEFAULTS",
    "plot_spike_raster",
    "spike_raster_figure",
    "spike_raster_widget",
    "plot_stdp_window",
    "stdp_window_figure",
    "stdp_window_widget",
]

#: Default slider values of :func:`spike_raster_widget` (currents in units of the threshold).
RASTER_DEFAULTS = {"I_min": 0.8, "I_max": 3.0, "tau_m_ms": 20.0, "t_ref_ms": 2.0}

#: Default slider values of :func:`stdp_window_widget` (a balanced window).
WINDOW_DEFAULTS = {"A_plus": 1.0, "A_minus": 1.0, "tau_plus_ms": 20.0, "tau_minus_ms": 20.0}


def plot_spike_raster(ax, currents, spike_times, T, tau_m=0.02, R=1.0, theta=1.0):
    """Draw a spike raster, one row per neuron, with the closed-form first-spike times marked.

    See chapter 2.

    Parameters
    ----------
    ax : matplotlib Axes
    currents : array_like, shape (n_neurons,)
        Constant current of each neuron (used for the row labels and the marks).
    spike_times : list of ndarray
        Spike times in seconds of each neuron (from :func:`localrule.stdp.spike_raster`).
    T : float
        Duration shown, seconds.
    tau_m, R, theta : float
        LIF parameters for :func:`localrule.stdp.lif_first_spike_time`.

    Returns
    -------
    matplotlib Axes
    """
    currents = np.asarray(currents, dtype=float)
    if len(spike_times) != currents.size:
        raise ValueError(f"spike_times must have one entry per current ({currents.size}), "
                         f"got {len(spike_times)}")
    ax.eventplot([1e3 * np.asarray(s) for s in spike_times], lineoffsets=np.arange(currents.size),
                 linelengths=0.7, colors="k", linewidths=1.0)
    t1 = lif_first_spike_time(currents, tau_m=tau_m, R=R, theta=theta)
    fires = np.isfinite(t1) & (t1 <= T)
    ax.plot(1e3 * t1[fires], np.arange(currents.size)[fires], "o", mfc="none", mec="C3", ms=6,
            label=r"closed form $t_1=\tau_m\ln\frac{RI}{RI-\theta}$")
    step = max(1, currents.size // 8)
    ax.set_yticks(np.arange(0, currents.size, step))
    ax.set_yticklabels([f"{c:.2f}" for c in currents[::step]])
    ax.set_xlim(0, 1e3 * T)
    ax.set_ylim(-0.8, currents.size - 0.2)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(r"input current $RI/\theta$")
    ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    return ax


def spike_raster_figure(I_min=0.8, I_max=3.0, tau_m_ms=20.0, t_ref_ms=2.0, n_neurons=20, T=0.1,
                        dt=1e-4):
    """Simulate LIF neurons under evenly spaced currents and draw their raster.

    See chapter 2.

    Parameters
    ----------
    I_min, I_max : float
        Smallest and largest current (units of the threshold current, ``R = theta = 1``).
    tau_m_ms, t_ref_ms : float
        Membrane time constant and refractory period in milliseconds.
    n_neurons : int
        Number of neurons (rows).
    T, dt : float
        Duration and time step in seconds.

    Returns
    -------
    fig : matplotlib Figure
    spike_times : list of ndarray
        Spike times in seconds of each neuron, weakest current first.
    """
    I_min = check_positive(I_min, "I_min", allow_zero=True)
    I_max = check_positive(I_max, "I_max")
    if I_max < I_min:
        raise ValueError(f"I_max must be >= I_min={I_min}, got {I_max}")
    n_neurons = check_int(n_neurons, "n_neurons", minimum=1)
    tau_m = check_positive(tau_m_ms, "tau_m_ms") / 1e3
    t_ref = check_positive(t_ref_ms, "t_ref_ms", allow_zero=True) / 1e3
    currents = np.linspace(I_min, I_max, n_neurons)
    spikes = spike_raster(currents, T=T, dt=dt, tau_m=tau_m, t_ref=t_ref)
    fig, ax = plt.subplots(figsize=(7, 3.6))
    plot_spike_raster(ax, currents, spikes, T, tau_m=tau_m)
    ax.set_title(rf"LIF neurons, $\tau_m$ = {tau_m_ms:g} ms, refractory {t_ref_ms:g} ms")
    fig.tight_layout()
    return fig, spikes


def _show(fig):
    """Display ``fig`` (inline backends) and release it (all backends)."""
    plt.show()
    plt.close(fig)


def spike_raster_widget(**defaults):
    """Sliders for the current range, tau_m and the refractory period -> LIF spike raster.

    The widget's ``result`` is the list of spike-time arrays of :func:`spike_raster_figure`.
    See chapter 2.

    Parameters
    ----------
    **defaults
        Initial slider values overriding :data:`RASTER_DEFAULTS`.

    Returns
    -------
    ipywidgets.interactive
    """
    import ipywidgets as widgets

    values = dict(RASTER_DEFAULTS)
    unknown = set(defaults) - set(values)
    if unknown:
        raise TypeError(f"spike_raster_widget got unknown argument(s) {sorted(unknown)}")
    values.update(defaults)

    def update(I_min, I_max, tau_m_ms, t_ref_ms):
        fig, spikes = spike_raster_figure(min(I_min, I_max), max(I_min, I_max), tau_m_ms,
                                          t_ref_ms)
        _show(fig)
        return spikes

    style = {"description_width": "initial"}
    return widgets.interactive(
        update,
        I_min=widgets.FloatSlider(value=values["I_min"], min=0.0, max=5.0, step=0.05,
                                  description="weakest current", style=style),
        I_max=widgets.FloatSlider(value=values["I_max"], min=0.0, max=5.0, step=0.05,
                                  description="strongest current", style=style),
        tau_m_ms=widgets.FloatSlider(value=values["tau_m_ms"], min=2.0, max=50.0, step=1.0,
                                     description="tau_m (ms)", style=style),
        t_ref_ms=widgets.FloatSlider(value=values["t_ref_ms"], min=0.0, max=20.0, step=0.5,
                                     description="refractory (ms)", style=style),
    )


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


def stdp_window_figure(A_plus=1.0, A_minus=1.0, tau_plus_ms=20.0, tau_minus_ms=20.0,
                       show_protocol=True):
    """Draw an STDP window and, optionally, the pairing protocol simulated with it.

    See chapter 3.

    Parameters
    ----------
    A_plus, A_minus : float
        Amplitudes.
    tau_plus_ms, tau_minus_ms : float
        Time constants in milliseconds.
    show_protocol : bool
        Also simulate :func:`localrule.stdp.pairing_protocol` (60 pairs at 1 Hz) at 17 delays and
        plot the weight change per pair as dots.

    Returns
    -------
    fig : matplotlib Figure
    integrals : tuple of float
        ``(area, first_moment)`` of the window, in seconds and seconds squared.
    """
    tau_plus = check_positive(tau_plus_ms, "tau_plus_ms") / 1e3
    tau_minus = check_positive(tau_minus_ms, "tau_minus_ms") / 1e3
    fig, ax = plt.subplots(figsize=(6, 3.6))
    integrals = plot_stdp_window(ax, A_plus, A_minus, tau_plus, tau_minus)
    if show_protocol:
        delays = np.linspace(-0.08, 0.08, 17)
        dw = pairing_protocol(delays, A_plus=A_plus, A_minus=A_minus, tau_plus=tau_plus,
                              tau_minus=tau_minus)
        ax.plot(1e3 * delays, dw, "ko", ms=4, label="pairing protocol")
        ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig, integrals


def stdp_window_widget(**defaults):
    """Sliders for A+, A-, tau+ and tau- -> the STDP window, its integrals and the pairing protocol.

    The widget's ``result`` is ``(area, first_moment)`` of the current window (seconds, seconds
    squared). See chapter 3.

    Parameters
    ----------
    **defaults
        Initial slider values overriding :data:`WINDOW_DEFAULTS`.

    Returns
    -------
    ipywidgets.interactive
    """
    import ipywidgets as widgets

    values = dict(WINDOW_DEFAULTS)
    unknown = set(defaults) - set(values)
    if unknown:
        raise TypeError(f"stdp_window_widget got unknown argument(s) {sorted(unknown)}")
    values.update(defaults)

    def update(A_plus, A_minus, tau_plus_ms, tau_minus_ms):
        fig, integrals = stdp_window_figure(A_plus, A_minus, tau_plus_ms, tau_minus_ms)
        _show(fig)
        return integrals

    style = {"description_width": "initial"}
    return widgets.interactive(
        update,
        A_plus=widgets.FloatSlider(value=values["A_plus"], min=0.0, max=2.0, step=0.05,
                                   description="A+", style=style),
        A_minus=widgets.FloatSlider(value=values["A_minus"], min=0.0, max=2.0, step=0.05,
                                    description="A-", style=style),
        tau_plus_ms=widgets.FloatSlider(value=values["tau_plus_ms"], min=2.0, max=60.0, step=1.0,
                                        description="tau+ (ms)", style=style),
        tau_minus_ms=widgets.FloatSlider(value=values["tau_minus_ms"], min=2.0, max=60.0,
                                         step=1.0, description="tau- (ms)", style=style),
    )
