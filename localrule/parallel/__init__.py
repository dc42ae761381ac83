"""Parallel and distributed schedules of the local rule, and their cost models (chapter 8).

The local rule updates layer l at sample k from three things only: the activity a_{l-1}(k) that
arrives from the layer below, the layer's own weights, and the label. The modules of this package
turn that fact into schedules and numbers:

- :mod:`~localrule.parallel.dependencies`: which training steps wait for which, for the local
  rule and for backprop, and whether an order of steps is allowed;
- :mod:`~localrule.parallel.layerwise`: online and layerwise training give the same weights, and
  the layerwise epoch with neurons in parallel threads is measurably faster;
- :mod:`~localrule.parallel.pipeline`: layers working on different blocks of samples at the
  same time;
- :mod:`~localrule.parallel.cost_model`: a throughput model of the pipeline, and what has to
  travel between machines and what waiting for it costs.

Every public name is available from ``localrule.parallel`` itself.
"""

from localrule.parallel._checks import RULE_KINDS
from localrule.parallel.cost_model import (balance_workers, communication_per_sample,
                                           layer_costs, pipeline_speedup, pipeline_time,
                                           time_per_sample)
from localrule.parallel.dependencies import (dependency_edges, is_acyclic, is_valid_order,
                                             layerwise_order, online_order, plot_dependencies)
from localrule.parallel.layerwise import (SpeedupResult, compare_schedules, hardware_threads,
                                          ideal_speedup, max_threads, measure_speedup)
from localrule.parallel.pipeline import (pipeline_schedule, plot_pipeline_schedule,
                                         run_pipelined, schedule_steps)

__all__ = [
    "RULE_KINDS",
    "dependency_edges", "is_acyclic", "is_valid_order", "layerwise_order", "online_order",
    "plot_dependencies",
    "compare_schedules", "hardware_threads", "max_threads", "ideal_speedup", "SpeedupResult",
    "measure_speedup",
    "pipeline_schedule", "schedule_steps", "run_pipelined", "plot_pipeline_schedule",
    "layer_costs", "pipeline_time", "pipeline_speedup", "balance_workers",
    "communication_per_sample", "time_per_sample",
]
