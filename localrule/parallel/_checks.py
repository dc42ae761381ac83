"""Argument checks shared by the modules of :mod:`localrule.parallel`."""

from localrule.network import MLP
from localrule.rules import LAYERWISE_IMPOSSIBLE, Backprop, LocalRule
from localrule.validation import check_int

#: The rules whose dependencies and costs are modelled: the local rule and backprop.
RULE_KINDS = ("local", "bp")


def check_sizes(sizes, name="sizes"):
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
        raise TypeError(f"{name} must be a sequence of layer widths, got {type(sizes).__name__}")
    sizes = tuple(check_int(n, name, minimum=1) for n in sizes)
    if len(sizes) < 2:
        raise ValueError(f"{name} needs at least 2 layer widths (input and output), got {sizes}")
    return sizes


def check_per_layer(values, name, n_layers, minimum=1):
    """A tuple of ``n_layers`` integers >= minimum (None -> all ones)."""
    if values is None:
        return (1,) * n_layers
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise TypeError(f"{name} must be a sequence of {n_layers} integers, "
                        f"got {type(values).__name__}")
    values = tuple(check_int(v, name, minimum=minimum) for v in values)
    if len(values) != n_layers:
        raise ValueError(f"{name} must have one entry per layer ({n_layers}), got {len(values)}")
    return values



def check_local_training(net, rule):
    """``net`` must be an MLP and ``rule`` a LocalRule: only the local rule can be reordered."""
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP, got {type(net).__name__}")
    if isinstance(rule, Backprop):
        raise ValueError(LAYERWISE_IMPOSSIBLE)
    if not isinstance(rule, LocalRule):
        raise TypeError(f"rule must be a LocalRule, got {type(rule).__name__}")
