"""Adversarial inputs: FGSM, PGD, a random-sign control, and accuracy-vs-eps curves (chapter 7).

All attacks are white-box: the gradient dL/dx of the backprop loss is computed exactly through
the attacked network (:func:`localrule.gradients.input_gradient`), whichever rule trained it.
Inputs must lie in [0, 1] and adversarial inputs are clipped back into [0, 1].
"""

import numpy as np

from localrule.gradients import cross_entropy, input_gradient
from localrule.network import MLP
from localrule.validation import (check_array, check_choice, check_int, check_labels,
                                  check_positive, check_seed)

ATTACKS = ("fgsm", "pgd", "noise")


def _check_eps(eps, name="eps"):
    eps = check_positive(eps, name, allow_zero=True)
    if eps > 1.0:
        raise ValueError(f"{name} must be in [0, 1] (inputs live in [0, 1]), got {eps}")
    return eps


def _check_attack_inputs(net, X, y):
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP, got {type(net).__name__}")
    X = net.check_input(check_array(X, "X", ndim=2, unit_interval=True), "X")
    y = check_labels(y, "y", n_samples=X.shape[0], n_classes=net.n_classes)
    return X, y


def fgsm(net, X, y, eps):
    """Fast gradient sign method: x_adv = clip(x + eps sign(dL/dx), 0, 1).

    Parameters
    ----------
    net : MLP
    X : ndarray, shape (n, n_in), entries in [0, 1]
    y : ndarray of int, shape (n,)
    eps : float in [0, 1]
        Max-norm size of the perturbation.

    Returns
    -------
    ndarray, shape (n, n_in)
    """
    X, y = _check_attack_inputs(net, X, y)
    eps = _check_eps(eps)
    return np.clip(X + eps * np.sign(input_gradient(net, X, y)), 0.0, 1.0)


def pgd(net, X, y, eps, steps=10, step_size=None):
    """Projected gradient descent on the loss (iterated FGSM), within the eps max-norm ball.

    x_{t+1} = clip(proj_eps(x_t + step_size sign(dL/dx_t)), 0, 1), starting at x_0 = x. The
    iterate with the largest loss is kept for each sample, so more steps never make it weaker.
    ``step_size`` defaults to 2.5 eps / steps.

    Returns
    -------
    ndarray, shape (n, n_in)
    """
    X, y = _check_attack_inputs(net, X, y)
    eps = _check_eps(eps)
    steps = check_int(steps, "steps", minimum=1)
    step_size = 2.5 * eps / steps if step_size is None else check_positive(step_size, "step_size")
    best, best_loss = X.copy(), cross_entropy(net, X, y)
    X_adv = X.copy()
    for _ in range(steps):
        X_adv = X_adv + step_size * np.sign(input_gradient(net, X_adv, y))
        X_adv = np.clip(np.clip(X_adv, X - eps, X + eps), 0.0, 1.0)
        loss = cross_entropy(net, X_adv, y)
        better = loss > best_loss
        best[better], best_loss[better] = X_adv[better], loss[better]
    return best


def random_sign(X, eps, seed=0):
    """Control perturbation of the same size: clip(x + eps * s, 0, 1) with random signs s = +-1."""
    X = check_array(X, "X", ndim=2, unit_interval=True)
    eps = _check_eps(eps)
    signs = np.random.default_rng(check_seed(seed)).choice([-1.0, 1.0], size=X.shape)
    return np.clip(X + eps * signs, 0.0, 1.0)


def perturb(net, X, y, eps, kind="fgsm", seed=0, steps=10):
    """Adversarial (or control) inputs of one ``kind`` among "fgsm", "pgd" and "noise"."""
    kind = check_choice(kind, "attack", ATTACKS)
    if kind == "fgsm":
        return fgsm(net, X, y, eps)
    if kind == "pgd":
        return pgd(net, X, y, eps, steps=steps)
    _check_attack_inputs(net, X, y)
    return random_sign(X, eps, seed=seed)


def robustness_curve(net, X, y, eps_list, attack="fgsm", source_net=None, seed=0, steps=10):
    """Accuracy of ``net`` on perturbed inputs, one value per eps.

    Parameters
    ----------
    net : MLP
        The network evaluated.
    X, y : clean inputs in [0, 1] (n, n_in) and labels (n,)
    eps_list : sequence of float in [0, 1]
    attack : {"fgsm", "pgd", "noise"}
    source_net : MLP, optional
        Craft the perturbation on this network instead (a transfer attack).
    seed : int
        Seed of the random signs for ``attack="noise"``.

    Returns
    -------
    ndarray, shape (len(eps_list),)
    """
    X, y = _check_attack_inputs(net, X, y)
    eps_values = check_array(eps_list, "eps_list", ndim=1)
    for eps in eps_values:
        _check_eps(float(eps), "eps_list")
    crafter = net if source_net is None else source_net
    if source_net is not None:
        _check_attack_inputs(source_net, X, y)
    kind = check_choice(attack, "attack", ATTACKS)
    return np.array([net.score(perturb(crafter, X, y, float(eps), kind, seed, steps), y)
                     for eps in eps_values])
