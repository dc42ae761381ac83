"""The two learning rules: the local association rule and backpropagation.

Both share one interface: ``deltas(net, x, y)`` returns the change each layer would receive from
one sample (a readable numpy path), ``update(net, x, y)`` applies it, and ``train_epoch`` runs a
whole pass with the numba kernels of :mod:`localrule.kernels`.
"""

import numpy as np

from localrule import kernels
from localrule._numba import get_num_threads
from localrule.gradients import weight_gradients
from localrule.network import MLP, sigmoid
from localrule.validation import (check_choice, check_labels, check_positive, check_seed)

SCHEDULES = ("online", "layerwise")
ASSOCIATIONS = ("hard", "soft", "none")
LAYERWISE_IMPOSSIBLE = ("schedule='layerwise' is impossible for Backprop: the hidden-layer update "
                        "at sample k needs the downstream weights as they are at sample k, so a "
                        "layer cannot run its whole epoch before the next layer")


def check_schedule(rule, schedule):
    """Validate ``schedule`` for ``rule``; backprop has no layerwise schedule (chapter 8)."""
    check_choice(schedule, "schedule", SCHEDULES)
    if schedule == "layerwise" and isinstance(rule, Backprop):
        raise ValueError(LAYERWISE_IMPOSSIBLE)
    return schedule


def _check_net(net):
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP, got {type(net).__name__}")
    return net


def _check_sample(net, x, y):
    X = net.check_input(x, "x")
    if X.shape[0] != 1:
        raise ValueError(f"x must be one sample of shape ({net.sizes[0]},), got {X.shape}")
    label = int(check_labels(np.atleast_1d(y), "y", n_samples=1, n_classes=net.n_classes)[0])
    return X[0], label


class LocalRule:
    """The local rule derived from STDP and neuronal association (chapter 4).

    For every layer l, with pre-synaptic activity a_{l-1}, free activity a_l and associated
    activity a*_l,

        dW_l = eta (a*_l - a_l) a_{l-1}^T,     db_l = eta (a*_l - a_l).

    The output layer is associated with the label, a*_L = onehot(y). Hidden layer l is associated
    through fixed wiring from the label, a*_l = 1[B_l onehot(y) > 0], with B_l in {-1, +1}^(h_l, C)
    drawn once from ``seed`` and never learned. No error travels backwards (chapter 5).

    Parameters
    ----------
    eta : float
        Learning rate, > 0.
    seed : int
        Seed of the association wiring B_l.
    association : {"hard", "soft", "none"}
        Hidden-layer association: the indicator above, ``sigmoid(beta B_l onehot(y))``, or none
        (a* = a: hidden layers keep their random initial weights). See chapter 9.
    beta : float
        Steepness of the soft association.
    hebbian : float
        Weight of the extra term eta * hebbian * a_{l-1} (a_l + a*_l) / 2 that an unbalanced STDP
        window adds (chapter 9); 0 for the balanced window.
    """

    name = "local"

    def __init__(self, eta=0.01, seed=0, association="hard", beta=4.0, hebbian=0.0):
        self.eta = check_positive(eta, "eta")
        self.seed = check_seed(seed)
        self.association_kind = check_choice(association, "association", ASSOCIATIONS)
        self.beta = check_positive(beta, "beta")
        self.hebbian = check_positive(hebbian, "hebbian", allow_zero=True)
        self._cache = {}

    def __repr__(self):
        return (f"LocalRule(eta={self.eta}, seed={self.seed}, "
                f"association={self.association_kind!r})")

    def association(self, net):
        """The fixed wiring B_l, one (h_l, n_classes) matrix of +-1 per hidden layer."""
        return [B.copy() for B in self._tables(net)[0]]

    def _tables(self, net):
        """(B list, target tables, association flags) for this network shape, cached."""
        sizes = _check_net(net).sizes
        key = (sizes, self.seed, self.association_kind, self.beta)
        if key not in self._cache:
            rng = np.random.default_rng(self.seed)
            C = sizes[-1]
            Bs = [rng.choice([-1.0, 1.0], size=(h, C)) for h in sizes[1:-1]]
            # B_l onehot(y) is column y of B_l, so the table of a* for every class is a function of B_l.
            if self.association_kind == "soft":
                Ts = [sigmoid(self.beta * B) for B in Bs]
            else:
                Ts = [(B > 0).astype(np.float64) for B in Bs]
            Ts.append(np.eye(C))
            assoc = np.array([self.association_kind != "none"] * len(Bs) + [True])
            self._cache[key] = (Bs, tuple(np.ascontiguousarray(T) for T in Ts), assoc)
        return self._cache[key]

    def targets(self, net, y):
        """Associated activities a*_l for label ``y``, one vector per layer (hidden..., output).

        For a layer without association (``association="none"``) the entry is None (a* = a).
        """
        _, Ts, assoc = self._tables(net)
        label = int(check_labels(np.atleast_1d(y), "y", n_samples=1, n_classes=net.n_classes)[0])
        return [T[:, label].copy() if flag else None for T, flag in zip(Ts, assoc)]

    def deltas(self, net, x, y):
        """Changes (dW_l, db_l) for one sample, computed with numpy and not applied."""
        x, label = _check_sample(net, x, y)
        acts = net.forward(x)
        out = []
        for l, a_star in enumerate(self.targets(net, label)):
            a = acts[l + 1]
            a_star = a if a_star is None else a_star
            d = self.eta * ((a_star - a) + self.hebbian * 0.5 * (a + a_star))
            out.append((np.outer(d, acts[l]), d))
        return out

    def update(self, net, x, y):
        """Apply one online step to ``net`` in place (numba kernel)."""
        x, label = _check_sample(net, x, y)
        Wts, bs = net.parameters()
        _, Ts, assoc = self._tables(net)
        kernels.local_step(Wts, bs, kernels.layer_buffers(net.sizes),
                           kernels.layer_buffers(net.sizes), x, label, Ts, assoc, self.eta,
                           self.hebbian, kernels.index_buffer(net.sizes))

    def train_epoch(self, net, X, y, order, schedule="online"):
        """One pass over ``X[order]``; inputs are assumed validated by :func:`localrule.fit`.

        ``schedule="layerwise"`` trains layer 1 on the whole epoch, then layer 2 on the
        recorded activity of layer 1, and so on, with each layer's neurons in parallel. It gives
        the same weights as ``"online"`` because no update depends on a later layer (chapter 8).
        """
        check_schedule(self, schedule)
        Wts, bs = net.parameters()
        _, Ts, assoc = self._tables(net)
        if schedule == "online":
            kernels.local_epoch(Wts, bs, kernels.layer_buffers(net.sizes),
                                kernels.layer_buffers(net.sizes), X, y, order, Ts, assoc,
                                self.eta, self.hebbian, kernels.index_buffer(net.sizes))
            return
        stream = X
        for l, (Wt, b) in enumerate(zip(Wts, bs)):
            A_out = np.zeros((X.shape[0], Wt.shape[1]))
            n_chunks = max(1, min(get_num_threads(), Wt.shape[1]))
            kernels.local_layer_epoch(Wt, b, stream, y, order, Ts[l], bool(assoc[l]), self.eta,
                                      self.hebbian, A_out, n_chunks)
            stream = A_out


class Backprop:
    """Online gradient descent on the cross-entropy loss of :mod:`localrule.gradients` (chapter 1).

    dW_l = -eta dL/dW_l = -eta delta_l a_{l-1}^T with delta_L = a_L - onehot(y) and
    delta_l = (W_{l+1}^T delta_{l+1}) * a_l (1 - a_l).
    """

    name = "bp"

    def __init__(self, eta=0.05):
        self.eta = check_positive(eta, "eta")

    def __repr__(self):
        return f"Backprop(eta={self.eta})"

    def deltas(self, net, x, y):
        """Changes (dW_l, db_l) = -eta * gradient for one sample (numpy, not applied)."""
        x, label = _check_sample(net, x, y)
        return [(-self.eta * gW, -self.eta * gb) for gW, gb in weight_gradients(net, x, label)]

    def update(self, net, x, y):
        """Apply one online gradient step to ``net`` in place (numba kernel)."""
        x, label = _check_sample(net, x, y)
        Wts, bs = net.parameters()
        kernels.bp_step(Wts, bs, kernels.layer_buffers(net.sizes),
                        kernels.layer_buffers(net.sizes), x, label, self.eta,
                        kernels.index_buffer(net.sizes))

    def train_epoch(self, net, X, y, order, schedule="online"):
        """One online pass over ``X[order]`` (backprop has no layerwise schedule)."""
        check_schedule(self, schedule)
        Wts, bs = net.parameters()
        kernels.bp_epoch(Wts, bs, kernels.layer_buffers(net.sizes),
                         kernels.layer_buffers(net.sizes), X, y, order, self.eta,
                         kernels.index_buffer(net.sizes))


def apply_deltas(net, deltas):
    """Add a list of (dW, db) to the network in place (the numpy path of ``update``)."""
    for W, b, (dW, db) in zip(net.weights, net.biases, deltas):
        W += dW
        b += db
