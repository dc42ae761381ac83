"""localrule: a local learning rule derived from STDP and neuronal association, and backprop.

The package behind the book "localrule". The rule is the book's reconstruction of the rule in
S. K. Gupta, "A More Biologically Plausible Local Learning Rule for ANNs" (arXiv:2011.12012),
from the two ingredients its abstract names; see chapter 0.
"""

from localrule.attacks import fgsm, perturb, pgd, random_sign, robustness_curve
from localrule.data import load_iris, load_iris_pair, load_mnist, load_mnist_pair
from localrule.gradients import cross_entropy, input_gradient, weight_gradients
from localrule.network import MLP, sigmoid
from localrule.rules import Backprop, LocalRule
from localrule.train import DivergenceError, History, fit

__version__ = "0.1.0"

__all__ = [
    "MLP", "sigmoid", "LocalRule", "Backprop", "fit", "History", "DivergenceError",
    "cross_entropy", "input_gradient", "weight_gradients",
    "fgsm", "pgd", "random_sign", "perturb", "robustness_curve",
    "load_iris_pair", "load_iris", "load_mnist_pair", "load_mnist",
]
