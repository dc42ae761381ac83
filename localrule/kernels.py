"""Numba kernels for the hot loops: forward pass, local update, backprop update, whole epochs.

Layers are passed as tuples of arrays (``Ws``, ``bs``, ``acts``) so one compiled kernel serves any
depth. Every kernel has a readable numpy counterpart (``MLP.forward``, ``LocalRule.deltas``,
``Backprop.deltas``) and the tests check that both agree to 1e-12.

Online and layerwise training stay bit-for-bit identical (chapter 8) because every neuron's
activity and update go through the same two functions, ``neuron_activity`` and ``update_row``,
which sum over the same nonzero inputs in the same order. Skipping inputs that are exactly zero
changes no number (they contribute nothing) and most MNIST pixels are zero, so it is also the
main speed-up.
"""

import math

import numpy as np

from localrule._numba import njit, prange


@njit(cache=True)
def sigmoid_scalar(z):
    """Logistic function 1 / (1 + exp(-z)) without overflow for large |z|."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@njit(cache=True)
def nonzero_indices(x, idx):
    """Write the indices i with x_i != 0 into ``idx`` (ascending) and return how many there are.

    Zero inputs contribute nothing to a sum or an update, and most MNIST pixels are zero, so the
    loops below visit only these indices.
    """
    n = 0
    for i in range(x.shape[0]):
        if x[i] != 0.0:
            idx[n] = i
            n += 1
    return n


@njit(cache=True)
def neuron_activity(W, b, x, idx, nnz, j):
    """Activity a_j = sigmoid(b_j + sum_i W_ji x_i) of neuron j, over the nonzero inputs idx[:nnz]."""
    s = b[j]
    if nnz == x.shape[0]:  # dense input (hidden activities): a plain loop, same order
        for i in range(nnz):
            s += W[j, i] * x[i]
    else:
        for p in range(nnz):
            i = idx[p]
            s += W[j, i] * x[i]
    return sigmoid_scalar(s)


@njit(cache=True)
def update_row(W, b, x, idx, nnz, j, d):
    """Apply W_j += d * x and b_j += d to neuron j (only nonzero inputs change a weight)."""
    if d == 0.0:
        return
    b[j] += d
    if nnz == x.shape[0]:
        for i in range(nnz):
            W[j, i] += d * x[i]
    else:
        for p in range(nnz):
            i = idx[p]
            W[j, i] += d * x[i]


@njit(cache=True)
def local_delta(a, t, eta, hebbian):
    """Local rule step size for one neuron: eta * ((a* - a) + hebbian * (a + a*) / 2).

    ``hebbian`` is zero for a balanced STDP window; a positive value models the extra
    pre x post term of an unbalanced window (chapter 9).
    """
    return eta * ((t - a) + hebbian * 0.5 * (a + t))


@njit(cache=True)
def layer_forward(W, b, x, out, idx):
    """out = sigmoid(W x + b). Shapes: W (out, in), b (out,), x (in,), out (out,).

    ``idx`` is scratch space of at least ``in`` integers.
    """
    nnz = nonzero_indices(x, idx)
    for j in range(W.shape[0]):
        out[j] = neuron_activity(W, b, x, idx, nnz, j)


@njit(cache=True)
def forward_all(Ws, bs, x, acts, idx):
    """Forward pass of one sample; acts[l] receives the activity of layer l + 1."""
    layer_forward(Ws[0], bs[0], x, acts[0], idx)
    for l in range(1, len(Ws)):
        layer_forward(Ws[l], bs[l], acts[l - 1], acts[l], idx)


@njit(cache=True)
def local_step(Ws, bs, acts, x, label, Ts, assoc, eta, hebbian, idx):
    """One online step of the local rule: forward, then dW_l = eta (a*_l - a_l) a_{l-1}^T.

    ``Ts[l]`` is the (out_l, n_classes) table of associated activities a*; where ``assoc[l]`` is
    False the layer has no associative input (a* = a). All updates use the activities of the
    forward pass that preceded them, so the order in which layers update does not matter.
    ``idx`` is scratch space of at least max(sizes) integers.
    """
    forward_all(Ws, bs, x, acts, idx)
    for l in range(len(Ws)):
        W = Ws[l]
        b = bs[l]
        a = acts[l]
        T = Ts[l]
        x_in = x if l == 0 else acts[l - 1]
        nnz = nonzero_indices(x_in, idx)
        for j in range(W.shape[0]):
            t = T[j, label] if assoc[l] else a[j]
            update_row(W, b, x_in, idx, nnz, j, local_delta(a[j], t, eta, hebbian))


@njit(cache=True)
def local_epoch(Ws, bs, acts, X, y, order, Ts, assoc, eta, hebbian, idx):
    """Online local-rule training over the samples ``X[order]`` (one pass)."""
    for k in order:
        local_step(Ws, bs, acts, X[k], y[k], Ts, assoc, eta, hebbian, idx)


@njit(cache=True)
def bp_step(Ws, bs, acts, deltas, x, label, eta, idx):
    """One online backprop step for sigmoid outputs and binary cross-entropy.

    delta_L = a_L - onehot(y);  delta_l = (W_{l+1}^T delta_{l+1}) * a_l (1 - a_l);
    W_l -= eta delta_l a_{l-1}^T. All deltas are computed before any weight changes.
    """
    forward_all(Ws, bs, x, acts, idx)
    L = len(Ws)
    aL = acts[L - 1]
    dL = deltas[L - 1]
    for j in range(aL.shape[0]):
        dL[j] = aL[j] - (1.0 if j == label else 0.0)
    for l in range(L - 1, 0, -1):
        W = Ws[l]
        d = deltas[l]
        dprev = deltas[l - 1]
        a = acts[l - 1]
        for i in range(W.shape[1]):
            dprev[i] = 0.0
        for j in range(W.shape[0]):
            dj = d[j]
            for i in range(W.shape[1]):
                dprev[i] += W[j, i] * dj
        for i in range(W.shape[1]):
            dprev[i] *= a[i] * (1.0 - a[i])
    for l in range(L):
        W = Ws[l]
        d = deltas[l]
        x_in = x if l == 0 else acts[l - 1]
        nnz = nonzero_indices(x_in, idx)
        for j in range(W.shape[0]):
            update_row(W, bs[l], x_in, idx, nnz, j, -eta * d[j])


@njit(cache=True)
def bp_epoch(Ws, bs, acts, deltas, X, y, order, eta, idx):
    """Online backprop training over the samples ``X[order]`` (one pass)."""
    for k in order:
        bp_step(Ws, bs, acts, deltas, X[k], y[k], eta, idx)


@njit(cache=True, parallel=True)
def local_layer_epoch(W, b, X_in, y, order, T, assoc, eta, hebbian, A_out, n_chunks):
    """One layer's whole epoch of the local rule, neurons in parallel (chapter 8).

    The layer reads its recorded input stream ``X_in`` (n, in) in the order ``order`` and writes
    its own activity stream to ``A_out`` (n, out), which is the next layer's input stream.
    Neurons are split into ``n_chunks`` blocks run by different threads: each neuron needs only
    the shared input stream, its own weights and its own associated activity.
    """
    n_out = W.shape[0]
    for c in prange(n_chunks):
        j0 = c * n_out // n_chunks
        j1 = (c + 1) * n_out // n_chunks
        idx = np.empty(X_in.shape[1], dtype=np.int64)  # each thread's own scratch
        for k in order:
            x = X_in[k]
            label = y[k]
            nnz = nonzero_indices(x, idx)
            for j in range(j0, j1):
                a = neuron_activity(W, b, x, idx, nnz, j)
                A_out[k, j] = a
                t = T[j, label] if assoc else a
                update_row(W, b, x, idx, nnz, j, local_delta(a, t, eta, hebbian))


def layer_buffers(sizes):
    """Per-layer activity buffers (a tuple of zero vectors, one per non-input layer)."""
    return tuple(np.zeros(n) for n in sizes[1:])


def index_buffer(sizes):
    """Scratch space for the nonzero-input indices of any layer."""
    return np.empty(max(sizes), dtype=np.int64)
