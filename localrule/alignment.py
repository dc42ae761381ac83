"""How far the local rule's update points from the gradient, layer by layer (chapter 6).

For layer l, stack the weight and bias changes into one vector, u_l = (dW_l, db_l) flattened.
The local rule proposes u_l^local = eta (a*_l - a_l) (a_{l-1}, 1) and gradient descent on the
backprop loss proposes u_l^bp = -eta dL/d(W_l, b_l) = -eta delta_l (a_{l-1}, 1). The angle
between them,

    theta_l = arccos( <u_l^local, u_l^bp> / (|u_l^local| |u_l^bp|) ),

is 0 degrees when the local rule moves layer l exactly downhill, 90 degrees when its step is
orthogonal to the gradient (no first-order change of the loss) and above 90 degrees when it
climbs. Learning rates only scale the vectors, so they do not change the angle.

At the output layer a*_L = onehot(y) and delta_L = a_L - onehot(y), so the two updates are the
same vector up to the factor eta: theta_L = 0 for every sample and every batch (for the
balanced STDP window; the extra Hebbian term of an unbalanced one tilts it).
"""

import numpy as np

from localrule.gradients import backward
from localrule.network import MLP
from localrule.rules import LocalRule
from localrule.tasks import DATASETS, DEFAULTS, load_task, make_rule
from localrule.validation import (check_array, check_choice, check_int, check_labels,
                                  check_seed)

__all__ = ["angle_between", "update_angles", "alignment_during_training"]


def angle_between(u, v):
    """Angle in degrees between two vectors, or row by row between two (n, d) arrays.

    Uses theta = 2 atan2(|u/|u| - v/|v||, |u/|u| + v/|v||), which stays accurate near 0 and
    180 degrees (where arccos of the cosine loses half the digits), so identical directions
    give exactly 0.

    Raises
    ------
    ValueError
        If a vector is zero (the angle is undefined).

    See chapter 6.
    """
    u = check_array(u, "u", ndim=(1, 2))
    v = check_array(v, "v", ndim=(1, 2))
    if u.shape != v.shape:
        raise ValueError(f"u and v must have the same shape, got {u.shape} and {v.shape}")
    nu = np.linalg.norm(u, axis=-1, keepdims=True)
    nv = np.linalg.norm(v, axis=-1, keepdims=True)
    if np.any(nu == 0):
        raise ValueError("u contains a zero vector: its angle is undefined")
    if np.any(nv == 0):
        raise ValueError("v contains a zero vector: its angle is undefined")
    p, q = u / nu, v / nv
    theta = 2.0 * np.arctan2(np.linalg.norm(p - q, axis=-1), np.linalg.norm(p + q, axis=-1))
    return np.degrees(theta)


def _local_signals(net, rule, acts, y):
    """Per-sample post-synaptic factors of the local rule, d_l = (a*_l - a_l) + hebbian term.

    Uses the rule's own targets (``rule.targets``), so the hard, soft and "none" association
    and the Hebbian term of an unbalanced window are all covered. Shapes (n, sizes[l + 1]).
    """
    table = [rule.targets(net, c) for c in range(net.n_classes)]  # table[c][l] = a*_l | y = c
    signals = []
    for l in range(len(net.weights)):
        a = acts[l + 1]
        if table[0][l] is None:  # no association: a* = a
            a_star = a
        else:
            a_star = np.stack([table[c][l] for c in range(net.n_classes)])[y]
        signals.append((a_star - a) + rule.hebbian * 0.5 * (a + a_star))
    return signals


def update_angles(net, local_rule, X, y, per_sample=True):
    """Angle (degrees) between the local rule's update and the negative gradient, per layer.

    Parameters
    ----------
    net : MLP
        The network at which both updates are evaluated (it is not changed).
    local_rule : LocalRule
    X : ndarray, shape (n, n_in)
    y : ndarray of int, shape (n,)
    per_sample : bool
        True (default): the mean over samples of the angle between the two single-sample
        updates (samples where either update is exactly zero, e.g. fully saturated units,
        have no direction and are left out). For one sample both updates are outer products
        with the same input (a_{l-1}, 1), so this angle is the angle between
        d_l = a*_l - a_l and -delta_l: it asks "does the local rule push this sample's units
        the way the gradient would?", every sample counting equally however small its error.
        False: the angle between the two updates *summed over the batch*,
        sum_i u_l^local(x_i) versus sum_i u_l^bp(x_i), the direction a pass of small online
        steps moves the layer (it decides whether the layer goes downhill to first order).
        Late in training both sums are small and dominated by the few samples still in
        error, so this angle fluctuates from epoch to epoch.

    Returns
    -------
    ndarray, shape (n_layers,)
        Angles in degrees, one per layer (hidden layers first). The last entry (output
        layer) is exactly 0 for the balanced window (``hebbian=0``), whatever the association.

    Raises
    ------
    ValueError
        If an update is the zero vector for some layer (e.g. ``association="none"`` with
        ``hebbian=0`` leaves hidden layers unchanged, so their angle is undefined).

    See chapter 6.
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP, got {type(net).__name__}")
    if not isinstance(local_rule, LocalRule):
        raise TypeError(f"local_rule must be a LocalRule, got {type(local_rule).__name__}")
    if not isinstance(per_sample, (bool, np.bool_)):
        raise TypeError(f"per_sample must be True or False, got {per_sample!r}")
    X = net.check_input(check_array(X, "X", ndim=2), "X")
    y = check_labels(y, "y", n_samples=X.shape[0], n_classes=net.n_classes)
    acts, deltas = backward(net, X, y)
    signals = _local_signals(net, local_rule, acts, y)
    angles = []
    for l, (d, delta) in enumerate(zip(signals, deltas)):
        try:
            if per_sample:
                # a sample whose update vanishes (saturated units) has no direction: skip it
                keep = (np.linalg.norm(d, axis=1) > 0) & (np.linalg.norm(delta, axis=1) > 0)
                if not keep.any():
                    angle_between(d[:1], -delta[:1])  # raises, naming the zero side
                angles.append(float(np.mean(angle_between(d[keep], -delta[keep]))))
            else:
                pre = np.hstack([acts[l], np.ones((X.shape[0], 1))])  # (a_{l-1}, 1)
                u_local = (d.T @ pre).ravel()
                u_bp = (-delta.T @ pre).ravel()
                angles.append(float(angle_between(u_local, u_bp)))
        except ValueError as exc:
            who = "local_rule" if "u contains" in str(exc) else "net (the gradient)"
            raise ValueError(f"{who} gives a zero update for layer {l + 1}, so its angle is "
                             f"undefined") from None
    return np.array(angles)


def alignment_during_training(dataset, classes, seed=0, epochs=None, per_sample=True,
                              n_samples=None, source="bundled", data=None, return_net=False):
    """Train a network of a named task with the local rule and record the angles every epoch.

    The network, the rule and the sample order are exactly those of
    ``localrule.tasks.train_task(dataset, classes, "local", seed=seed, epochs=epochs)``
    (same defaults, same seed use), so the angles belong to the model chapter 6 compares.

    Parameters
    ----------
    dataset : {"mnist", "iris"}
    classes : pair of class names or indices
    seed : int
    epochs : int, optional
        Default: the task's default number of epochs.
    per_sample : bool
        Passed to :func:`update_angles`.
    n_samples : int, optional
        Measure the angles on the first ``n_samples`` training samples only (faster).
    data : tuple, optional
        ``(X_train, y_train, X_test, y_test)`` to use instead of loading the task.
    return_net : bool
        Also return the trained network.

    Returns
    -------
    angles : ndarray, shape (epochs + 1, n_layers)
        Row k holds the angles after k epochs (row 0: at initialisation), in degrees,
        measured on the training set (or its first ``n_samples`` samples).
    net : MLP
        Only if ``return_net``.

    See chapter 6.
    """
    defaults = DEFAULTS[check_choice(dataset, "dataset", DATASETS)]
    data = load_task(dataset, classes, seed=seed, source=source) if data is None else data
    seed = check_seed(seed)
    epochs = defaults.epochs if epochs is None else check_int(epochs, "epochs", minimum=1)
    X_train, y_train = data[0], data[1]
    net = MLP((X_train.shape[1], *defaults.hidden, 2), seed=seed)
    X_train = net.check_input(check_array(X_train, "data", ndim=2), "data")
    y_train = check_labels(y_train, "data", n_samples=X_train.shape[0], n_classes=2)
    if n_samples is None:
        X_m, y_m = X_train, y_train
    else:
        n_samples = check_int(n_samples, "n_samples", minimum=1)
        X_m, y_m = X_train[:n_samples], y_train[:n_samples]
    rule = make_rule("local", dataset, seed=seed)
    # the same order stream as localrule.train.fit: one permutation per epoch from seed
    rng = np.random.default_rng(seed)
    angles = [update_angles(net, rule, X_m, y_m, per_sample=per_sample)]
    for _ in range(epochs):
        order = rng.permutation(X_train.shape[0]).astype(np.int64)
        rule.train_epoch(net, X_train, y_train, order)
        angles.append(update_angles(net, rule, X_m, y_m, per_sample=per_sample))
    angles = np.array(angles)
    return (angles, net) if return_net else angles
