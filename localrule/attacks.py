"""Adversarial inputs: FGSM, PGD, a random-sign control, and accuracy-vs-eps curves (chapter 7).

All attacks are white-box: the gradient dL/dx of the backprop loss is computed exactly through
the attacked network (:func:`localrule.gradients.input_gradient`), whichever rule trained it.
PGD can instead ascend the logit margin max_{k != y} z_k - z_y
(:func:`localrule.gradients.margin_input_gradient`) and take the best of several random starts.
Inputs must lie in [0, 1] and adversarial inputs are clipped back into [0, 1].
"""

import numpy as np

from localrule.gradients import cross_entropy, input_gradient, margin, margin_input_gradient
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


PGD_LOSSES = ("ce", "margin")


def _pgd_run(net, X, y, X_start, eps, steps, step_size, objective, gradient):
    """One PGD ascent from ``X_start``; per sample the iterate with the largest objective."""
    best, best_loss = X_start.copy(), objective(net, X_start, y)
    X_adv = X_start.copy()
    for _ in range(steps):
        X_adv = X_adv + step_size * np.sign(gradient(net, X_adv, y))
        X_adv = np.clip(np.clip(X_adv, X - eps, X + eps), 0.0, 1.0)
        loss = objective(net, X_adv, y)
        better = loss > best_loss
        best[better], best_loss[better] = X_adv[better], loss[better]
    return best, best_loss


def pgd(net, X, y, eps, steps=10, step_size=None, *, loss="ce", restarts=1, random_start=False,
        seed=0):
    """Projected gradient descent on a loss (iterated FGSM), within the eps max-norm ball.

    x_{t+1} = clip(proj_eps(x_t + step_size sign(dF/dx_t)), 0, 1), where proj_eps clips each
    pixel to [x_i - eps, x_i + eps] around the clean x. The iterate with the largest F is kept
    for each sample, so more steps never make it weaker. ``step_size`` defaults to
    2.5 eps / steps. With the defaults this is the PGD of chapter 7: F = L, the cross-entropy,
    one run from x_0 = x.

    Parameters
    ----------
    net : MLP
    X : ndarray, shape (n, n_in), entries in [0, 1]
    y : ndarray of int, shape (n,)
    eps : float in [0, 1]
        Max-norm size of the perturbation.
    steps : int >= 1
    step_size : float > 0, optional
    loss : {"ce", "margin"}, keyword-only
        The objective F: "ce" is the cross-entropy L (:func:`localrule.gradients.cross_entropy`);
        "margin" is M = max_{k != y} z_k - z_y on the output logits
        (:func:`localrule.gradients.margin`), which keeps its slope when the output units
        saturate.
    restarts : int >= 1, keyword-only
        Number of PGD runs. The first starts at x_0 = x (or at a random point if
        ``random_start``); every later run starts at a random point x_0 = clip(x + u, 0, 1),
        u uniform in [-eps, eps]^n_in. Per sample the result is the run whose final input is
        misclassified, if any run's is, and among those (or among all runs, if none is) the one
        with the largest F; ties go to the earliest run. The first run is exactly
        ``restarts=1``, so a sample misclassified with one run stays misclassified with more
        runs: restarts never make the attack weaker.
    random_start : bool, keyword-only
        Start the first run at a random point too.
    seed : int >= 0, keyword-only
        Seed of the random starts (the output is a deterministic function of it).

    Returns
    -------
    ndarray, shape (n, n_in)
        Adversarial inputs in [0, 1] with max_i |x_adv,i - x_i| <= eps.

    See chapter 7.
    """
    X, y = _check_attack_inputs(net, X, y)
    eps = _check_eps(eps)
    steps = check_int(steps, "steps", minimum=1)
    step_size = 2.5 * eps / steps if step_size is None else check_positive(step_size, "step_size")
    loss = check_choice(loss, "loss", PGD_LOSSES)
    restarts = check_int(restarts, "restarts", minimum=1)
    if not isinstance(random_start, (bool, np.bool_)):
        raise TypeError(f"random_start must be True or False, got {type(random_start).__name__}")
    seed = check_seed(seed)
    if loss == "ce":
        objective, gradient = cross_entropy, input_gradient
    else:
        objective, gradient = margin, margin_input_gradient
    rng = np.random.default_rng(seed)
    best = None
    for run in range(restarts):
        if run == 0 and not random_start:
            X_start = X
        else:
            X_start = np.clip(X + rng.uniform(-eps, eps, size=X.shape), 0.0, 1.0)
        X_adv, value = _pgd_run(net, X, y, X_start, eps, steps, step_size, objective, gradient)
        if restarts == 1:
            return X_adv
        wrong = net.predict(X_adv) != y
        if best is None:
            best, best_wrong, best_value = X_adv, wrong, value
            continue
        better = (wrong & ~best_wrong) | ((wrong == best_wrong) & (value > best_value))
        best[better], best_wrong[better], best_value[better] = (X_adv[better], wrong[better],
                                                                  value[better])
    return best


def random_sign(X, eps, seed=0):
    """Control perturbation of the same size: clip(x + eps * s, 0, 1) with random signs s = +-1."""
    X = check_array(X, "X", ndim=2, unit_interval=True)
    eps = _check_eps(eps)
    signs = np.random.default_rng(check_seed(seed)).choice([-1.0, 1.0], size=X.shape)
    return np.clip(X + eps * signs, 0.0, 1.0)


#: Keyword options of :func:`pgd` that :func:`perturb` and :func:`robustness_curve` pass through.
PGD_OPTIONS = ("step_size", "loss", "restarts", "random_start")


def _check_pgd_options(kind, pgd_options):
    for name in pgd_options:
        if name not in PGD_OPTIONS:
            raise TypeError(f"{name} is not a PGD option; choose from {', '.join(PGD_OPTIONS)}")
        if kind != "pgd":
            raise ValueError(f"{name} applies only to attack='pgd', got attack={kind!r}")


def perturb(net, X, y, eps, kind="fgsm", seed=0, steps=10, **pgd_options):
    """Adversarial (or control) inputs of one ``kind`` among "fgsm", "pgd" and "noise".

    ``seed`` seeds the random signs of "noise" and the random starts of "pgd";
    ``pgd_options`` (step_size, loss, restarts, random_start) are passed to :func:`pgd`.
    """
    kind = check_choice(kind, "attack", ATTACKS)
    _check_pgd_options(kind, pgd_options)
    if kind == "fgsm":
        return fgsm(net, X, y, eps)
    if kind == "pgd":
        return pgd(net, X, y, eps, steps=steps, seed=seed, **pgd_options)
    _check_attack_inputs(net, X, y)
    return random_sign(X, eps, seed=seed)


def robustness_curve(net, X, y, eps_list, attack="fgsm", source_net=None, seed=0, steps=10,
                     **pgd_options):
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
        Seed of the random signs for ``attack="noise"`` and of the random starts of PGD.
    steps : int
        PGD steps.
    **pgd_options
        ``step_size``, ``loss``, ``restarts``, ``random_start`` of :func:`pgd` (only with
        ``attack="pgd"``), e.g. ``loss="margin", restarts=5``.

    Returns
    -------
    ndarray, shape (len(eps_list),)

    See chapter 7.
    """
    X, y = _check_attack_inputs(net, X, y)
    eps_values = check_array(eps_list, "eps_list", ndim=1)
    for eps in eps_values:
        _check_eps(float(eps), "eps_list")
    crafter = net if source_net is None else source_net
    if source_net is not None:
        _check_attack_inputs(source_net, X, y)
    kind = check_choice(attack, "attack", ATTACKS)
    _check_pgd_options(kind, pgd_options)
    return np.array([net.score(perturb(crafter, X, y, float(eps), kind, seed, steps,
                                       **pgd_options), y)
                     for eps in eps_values])
