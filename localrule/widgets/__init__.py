"""Interactive figures and exercises: answer checkers, figure functions and ipywidgets factories.

The chapters' "Explore" sections and the notebooks in ``exercises/widgets/`` are thin wrappers
around this package, one module per widget:

* :mod:`~localrule.widgets.spike_raster`: LIF neurons under constant currents (chapter 2);
* :mod:`~localrule.widgets.stdp_window`: the STDP window (chapter 3 and exercise 1);
* :mod:`~localrule.widgets.latency`: the latency code (exercise 2, chapter 2);
* :mod:`~localrule.widgets.single_neuron`: one neuron learning its association (exercise 3,
  chapter 4);
* :mod:`~localrule.widgets.train_your_own`: train a network on two digits (exercise 4, chapters 5
  and 6);
* :mod:`~localrule.widgets.fgsm_explorer`: the FGSM attack on both rules (exercise 5, chapter 7).

Each exercise has a **checker** ``check_...(answer, ...)`` returning a
:class:`~localrule.widgets.feedback.Feedback` ("Correct! ...", "Not yet — hint: ..." or a request
for a prediction); every widget has plain **figure/state functions**, testable without a browser,
and a small **factory** ``make_..._widget()`` that wires ipywidgets controls to them
(:mod:`~localrule.widgets.controls`). Slider values for times are in milliseconds; the package
functions they call work in seconds.
"""

from localrule.widgets.feedback import Feedback
from localrule.widgets.fgsm_explorer import (FGSM_DEFAULTS, check_robustness_prediction,
                                             fgsm_example, fgsm_figure, make_fgsm_widget,
                                             train_fgsm_models)
from localrule.widgets.latency import (LATENCY_ACTIVATIONS, LATENCY_DEFAULTS, check_latency_order,
                                       latency_figure, latency_order, latency_times_ms,
                                       make_latency_widget)
from localrule.widgets.single_neuron import (NEURON_DEFAULTS, NEURON_X, check_dw_sign, dw_sign,
                                             make_single_neuron_widget, single_neuron_figure,
                                             single_neuron_run)
from localrule.widgets.spike_raster import (RASTER_DEFAULTS, make_spike_raster_widget,
                                            plot_spike_raster, spike_raster_figure)
from localrule.widgets.stdp_window import (STDP_DEFAULTS, check_stdp_prediction, make_stdp_widget,
                                           plot_stdp_window, stdp_dw, stdp_window_figure,
                                           stdp_window_state)
from localrule.widgets.train_your_own import (TRAINING_DEFAULTS, check_harder_pair,
                                              learning_curve_figure, make_training_widget,
                                              pair_test_accuracy, train_model)

__all__ = [
    "Feedback",
    # chapter 2: spike raster
    "RASTER_DEFAULTS", "plot_spike_raster", "spike_raster_figure", "make_spike_raster_widget",
    # chapter 3 and exercise 1: STDP window
    "STDP_DEFAULTS", "plot_stdp_window", "stdp_dw", "check_stdp_prediction", "stdp_window_state",
    "stdp_window_figure", "make_stdp_widget",
    # exercise 2: latency code
    "LATENCY_ACTIVATIONS", "LATENCY_DEFAULTS", "latency_times_ms", "latency_order",
    "check_latency_order", "latency_figure", "make_latency_widget",
    # exercise 3: one neuron
    "NEURON_X", "NEURON_DEFAULTS", "dw_sign", "check_dw_sign", "single_neuron_run",
    "single_neuron_figure", "make_single_neuron_widget",
    # exercise 4: train your own
    "TRAINING_DEFAULTS", "train_model", "learning_curve_figure", "pair_test_accuracy",
    "check_harder_pair", "make_training_widget",
    # exercise 5: FGSM explorer
    "FGSM_DEFAULTS", "train_fgsm_models", "fgsm_example", "fgsm_figure",
    "check_robustness_prediction", "make_fgsm_widget",
]
