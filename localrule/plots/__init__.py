"""The book's figures, one module per kind of figure; every public name is importable from here.

- :mod:`~localrule.plots.style`: rule colours and names, axis labels with units, seed bands;
- :mod:`~localrule.plots.training`: learning curves (chapters 1, 5 and 6);
- :mod:`~localrule.plots.gradients`: gradient check and update angles (chapters 1 and 6);
- :mod:`~localrule.plots.hidden_units`: association wiring, receptive fields, hidden
  activities (chapter 5);
- :mod:`~localrule.plots.diagrams`: network diagram and chapter map (chapters 0, 1 and 5);
- :mod:`~localrule.plots.robustness`: accuracy against eps, adversarial images, metric scatter
  (chapter 7).

Every function draws with plain matplotlib, labels its axes with units (or, for a diagram, gives
it a title and named layers), and returns the ``Axes`` or ``Figure`` it drew on, so a notebook
can add to it and a test can inspect it. Nothing here trains a network or changes its input.
"""

from localrule.plots.diagrams import CHAPTER_EDGES, CHAPTERS, plot_chapter_map, plot_network_diagram
from localrule.plots.gradients import plot_gradient_check, plot_update_angles
from localrule.plots.hidden_units import (plot_activity_by_target, plot_association,
                                          plot_receptive_fields)
from localrule.plots.robustness import (ATTACK_TITLES, COLUMN_LABELS, column_label,
                                        plot_accuracy_vs_eps, plot_adversarial_examples,
                                        plot_metric_scatter)
from localrule.plots.style import (ACCURACY_LABEL, EPOCH_LABEL, EPS_LABEL, ERROR_COLOR,
                                   LOSS_LABEL, RULE_COLORS, RULE_NAMES, WIRE_MINUS, WIRE_OUTPUT,
                                   WIRE_PLUS, new_axes, plot_mean_and_spread, seeds_label)
from localrule.plots.training import plot_learning_curves, plot_learning_curves_by_rule

__all__ = [
    "RULE_COLORS", "RULE_NAMES", "EPOCH_LABEL", "ACCURACY_LABEL", "LOSS_LABEL", "EPS_LABEL",
    "WIRE_PLUS", "WIRE_MINUS", "WIRE_OUTPUT", "ERROR_COLOR", "new_axes", "seeds_label",
    "plot_mean_and_spread",
    "plot_learning_curves", "plot_learning_curves_by_rule",
    "plot_gradient_check", "plot_update_angles",
    "plot_association", "plot_receptive_fields", "plot_activity_by_target",
    "plot_network_diagram", "plot_chapter_map", "CHAPTERS", "CHAPTER_EDGES",
    "plot_accuracy_vs_eps", "plot_adversarial_examples", "plot_metric_scatter", "column_label",
    "ATTACK_TITLES", "COLUMN_LABELS",
]
