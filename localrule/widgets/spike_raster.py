"""Chapter 2, from current to spike raster: LIF neurons under evenly spaced constant currents.

Each neuron is simulated with :func:`localrule.lif.spike_raster`; the raster marks the closed-form
first-spike times (:func:`localrule.lif.lif_first_spike_time`) so the latency curve stands on its
side. Slider values for times are in milliseconds; the package functions work in seconds.
"""

import matplotlib.pyplot as plt
import numpy as np

from localrule.lif import lif_first_spike_time, spike_raster
from localrule.validation import check_int, check_positive
from localrule.widgets.controls import LABEL_STYLE, initial_values, show_figure

__all__ = ["RASTER_DEFAULTS", "plot_spike_raster", "spike_raster_figure",
           "make_spike_raster_widget"]

#: Default slider values of :func:`make_spike_raster_widget` (currents in units of the threshold).
RASTER_DEFAULTS = {"I_min": 0.8, "I_max": 3.0, "tau_m_ms": 20.0, "t_ref_ms": 2.0}


def plot_spike_raster(ax, currents, spike_times, T, tau_m=0.02, R=1.0, theta=1.0):
    """Draw a spike raster, one row per neuron, with the closed-form first-spike times marked.

    See chapter 2.

    Parameters
    ----------
    ax : matplotlib Axes
    currents : array_like, shape (n_neurons,)
        Constant current of each neuron (used for the row labels and the marks).
    spike_times : list of ndarray
        Spike times in seconds of each neuron (from :func:`localrule.lif.spike_raster`).
    T : float
        Duration shown, seconds.
    tau_m, R, theta : float
        LIF parameters for :func:`localrule.lif.lif_first_spike_time`.

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


def make_spike_raster_widget(**defaults):
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

    values = initial_values(RASTER_DEFAULTS, defaults, "make_spike_raster_widget")

    def update(I_min, I_max, tau_m_ms, t_ref_ms):
        fig, spikes = spike_raster_figure(min(I_min, I_max), max(I_min, I_max), tau_m_ms,
                                          t_ref_ms)
        show_figure(fig)
        return spikes

    return widgets.interactive(
        update,
        I_min=widgets.FloatSlider(value=values["I_min"], min=0.0, max=5.0, step=0.05,
                                  description="weakest current", style=LABEL_STYLE),
        I_max=widgets.FloatSlider(value=values["I_max"], min=0.0, max=5.0, step=0.05,
                                  description="strongest current", style=LABEL_STYLE),
        tau_m_ms=widgets.FloatSlider(value=values["tau_m_ms"], min=2.0, max=50.0, step=1.0,
                                     description="tau_m (ms)", style=LABEL_STYLE),
        t_ref_ms=widgets.FloatSlider(value=values["t_ref_ms"], min=0.0, max=20.0, step=0.5,
                                     description="refractory (ms)", style=LABEL_STYLE),
    )
