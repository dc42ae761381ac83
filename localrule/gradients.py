"""The backprop training loss and its exact gradients (chapters 1 and 7).

The loss is binary cross-entropy summed over the sigmoid output units,

    L(x, y) = - sum_k [ t_k log a_k + (1 - t_k) log(1 - a_k) ],   t = onehot(y),

computed from the logits z as sum_k [softplus(z_k) - t_k z_k] so that it stays finite when a
unit saturates. Its gradient at the output pre-activation is simply a_L - t.
"""

import numpy as np

from localrule.network import sigmoid
from localrule.validation import check_labels


def _batch(net, X, y):
    """Validated (n, n_in) inputs, (n,) labels, and whether a single sample was given."""
    single = np.ndim(X) == 1
    X = net.check_input(X)
    y = check_labels(np.atleast_1d(y), "y", n_samples=X.shape[0], n_classes=net.n_classes)
    return X, y, single


def onehot(y, n_classes):
    """One-hot targets, shape (n, n_classes), for integer labels y of shape (n,)."""
    return np.eye(n_classes)[np.asarray(y, dtype=np.int64)]


def cross_entropy(net, X, y):
    """Per-sample backprop loss L(x, y).

    Parameters
    ----------
    net : MLP
    X : ndarray, shape (n, n_in) or (n_in,)
    y : ndarray of int, shape (n,) (or an int for one sample)

    Returns
    -------
    ndarray, shape (n,) (a float for one sample)
    """
    X, y, single = _batch(net, X, y)
    loss = loss_from_logits(net.logits(X), y)
    return float(loss[0]) if single else loss


def loss_from_logits(z, y):
    """Per-sample loss sum_k [softplus(z_k) - t_k z_k] from output logits z (n, C), labels y (n,)."""
    return np.sum(np.logaddexp(0.0, z) - onehot(y, z.shape[1]) * z, axis=1)


def backward(net, X, y):
    """Activities and error signals of every layer for a batch.

    Returns ``(acts, deltas)`` where ``acts = [a_0, ..., a_L]`` and ``deltas[l]`` = dL/dz_{l+1}
    of shape (n, sizes[l + 1]): delta_L = a_L - t and
    delta_l = (delta_{l+1} W_{l+1}) * a_l (1 - a_l).
    """
    acts = net.forward(X)
    deltas = [acts[-1] - onehot(y, net.n_classes)]
    for l in range(len(net.weights) - 1, 0, -1):
        a = acts[l]
        deltas.insert(0, (deltas[0] @ net.weights[l]) * a * (1.0 - a))
    return acts, deltas


def input_gradient(net, X, y):
    """Exact dL/dX, shape (n, n_in) (or (n_in,) for one sample): W_1^T delta_1 per sample."""
    X, y, single = _batch(net, X, y)
    _, deltas = backward(net, X, y)
    grad = deltas[0] @ net.weights[0]
    return grad[0] if single else grad


def weight_gradients(net, x, y):
    """Gradient of L for one sample: a list of (dL/dW_l, dL/db_l), shapes as the parameters."""
    X, y, _ = _batch(net, x, y)
    if X.shape[0] != 1:
        raise ValueError(f"x must be a single sample, got {X.shape[0]} rows")
    acts, deltas = backward(net, X, y)
    return [(np.outer(d[0], a[0]), d[0].copy()) for d, a in zip(deltas, acts[:-1])]


def output_probability(net, X):
    """Sigmoid output activities (alias of ``net.predict_proba``) for plotting confidence."""
    return sigmoid(net.logits(X))


def _backpropagate_logit_delta(net, acts, delta):
    """dF/dX for a function F of the output logits, given ``delta`` = dF/dz_L (n, n_classes)."""
    for l in range(len(net.weights) - 1, 0, -1):
        a = acts[l]
        delta = (delta @ net.weights[l]) * a * (1.0 - a)
    return delta @ net.weights[0]


def _runner_up(z, y):
    """Index of the largest logit other than the label's, per row (the first one on ties)."""
    others = z.copy()
    others[np.arange(z.shape[0]), y] = -np.inf
    return np.argmax(others, axis=1)


def _check_margin_net(net):
    if getattr(net, "n_classes", 2) < 2:
        raise ValueError(f"net must have at least 2 output units for a margin, got "
                         f"{net.n_classes}")


def margin(net, X, y):
    """Per-sample margin loss of the output logits, the quantity a margin attack maximises.

        M(x, y) = max_{k != y} z_k(x) - z_y(x),

    with z = z_L(x) the output logits (``net.logits``). M > 0 exactly when another class
    out-scores the label (the sample is misclassified; ties aside), and unlike the
    cross-entropy it stays linear in the logits however confident the network is: a
    Carlini-Wagner-style loss. For two classes M = z_{1-y} - z_y.

    Parameters
    ----------
    net : MLP
    X : ndarray, shape (n, n_in) or (n_in,)
    y : ndarray of int, shape (n,) (or an int for one sample)

    Returns
    -------
    ndarray, shape (n,) (a float for one sample)

    See chapter 7.
    """
    X, y, single = _batch(net, X, y)
    _check_margin_net(net)
    z = net.logits(X)
    rows = np.arange(z.shape[0])
    value = z[rows, _runner_up(z, y)] - z[rows, y]
    return float(value[0]) if single else value


def margin_input_gradient(net, X, y):
    """Exact input gradient of the margin loss :func:`margin`, shape (n, n_in) (or (n_in,)).

    With j = argmax_{k != y} z_k the runner-up class, dM/dz_L = e_j - e_y (on a tie between
    runner-ups M has a kink; the gradient of the branch of the first such j is returned). It is
    backpropagated through the sigmoid hidden layers like the loss gradient (chapter 1), but
    with no output-unit slope a_L (1 - a_L), because M is a function of the logits themselves:

        delta_L = e_j - e_y,   delta_l = (W_{l+1}^T delta_{l+1}) * a_l (1 - a_l),
        dM/dx = W_1^T delta_1.

    Parameters
    ----------
    net : MLP
    X : ndarray, shape (n, n_in) or (n_in,)
    y : ndarray of int, shape (n,) (or an int for one sample)

    Returns
    -------
    ndarray, shape (n, n_in) (or (n_in,) for one sample)

    See chapter 7.
    """
    X, y, single = _batch(net, X, y)
    _check_margin_net(net)
    acts = net.forward(X)
    z = acts[-2] @ net.weights[-1].T + net.biases[-1]
    eye = np.eye(net.n_classes)
    delta = eye[_runner_up(z, y)] - eye[y]
    grad = _backpropagate_logit_delta(net, acts, delta)
    return grad[0] if single else grad
