"""Numba kernels for the hot loops: forward pass, local update, backprop update, whole epochs.

Layers are passed as tuples of arrays (``Wts``, ``bs``, ``acts``) so one compiled kernel serves
any depth. Every kernel has a readable numpy counterpart (``MLP.forward``, ``LocalRule.deltas``,
``Backprop.deltas``) and the tests check that both agree to 1e-12.

Memory layout. The kernels receive each weight matrix transposed, ``Wt = W.T`` of shape
(in, out) and C-contiguous (``MLP`` stores W column-major, so this is a view, not a copy). The
weights leaving one input, ``Wt[i, :]``, are then contiguous: the forward pass adds
``x_i * Wt[i, :]`` to all activities at once and the update adds ``x_i * d`` to that row, loops
the compiler turns into vector instructions. Inputs that are exactly zero are skipped: they add
nothing, and most MNIST pixels are zero.

Online and layerwise training stay bit-for-bit identical (chapter 8) because both add up every
neuron's input in the same order (bias first, then the nonzero inputs in ascending order) and
apply the same update arithmetic.
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
    """Write the indices i with x_i != 0 into ``idx`` (ascending) and return how many there are."""
    n = 0
    for i in range(x.shape[0]):
        if x[i] != 0.0:
            idx[n] = i
            n += 1
    return n


@njit(cache=True)
def accumulate_input(Wt, b, x, idx, nnz, s, j0, j1):
    """s_j = b_j + sum_i W_ji x_i for neurons j0 <= j < j1, over the nonzero inputs idx[:nnz]."""
    for j in range(j0, j1):
        s[j] = b[j]
    for p in range(nnz):
        i = idx[p]
        xi = x[i]
        for j in range(j0, j1):
            s[j] += Wt[i, j] * xi


@njit(cache=True)
def apply_update(Wt, b, x, idx, nnz, d, j0, j1):
    """W_ji += d_j x_i and b_j += d_j for neurons j0 <= j < j1 (zero inputs change nothing)."""
    for j in range(j0, j1):
        b[j] += d[j]
    for p in range(nnz):
        i = idx[p]
        xi = x[i]
        for j in range(j0, j1):
            Wt[i, j] += d[j] * xi


@njit(cache=True)
def local_delta(a, t, eta, hebbian):
    """Local rule step size for one neuron: eta * ((a* - a) + hebbian * (a + a*) / 2).

    ``hebbian`` is zero for a balanced STDP window; a positive value models the extra
    pre x post term of an unbalanced window (chapter 9).
    """
    return eta * ((t - a) + hebbian * 0.5 * (a + t))


@njit(cache=True)
def layer_forward(Wt, b, x, out, idx):
    """out = sigmoid(W x + b). Shapes: Wt (in, out), b (out,), x (in,), out (out,).

    ``idx`` is scratch space of at least ``in`` integers.
    """
    nnz = nonzero_indices(x, idx)
    accumulate_input(Wt, b, x, idx, nnz, out, 0, out.shape[0])
    for j in range(out.shape[0]):
        out[j] = sigmoid_scalar(out[j])


@njit(cache=True)
def forward_all(Wts, bs, x, acts, idx):
    """Forward pass of one sample; acts[l] receives the activity of layer l + 1."""
    layer_forward(Wts[0], bs[0], x, acts[0], idx)
    for l in range(1, len(Wts)):
        layer_forward(Wts[l], bs[l], acts[l - 1], acts[l], idx)


@njit(cache=True)
def local_step(Wts, bs, acts, deltas, x, label, Ts, assoc, eta, hebbian, idx):
    """One online step of the local rule: forward, then dW_l = eta (a*_l - a_l) a_{l-1}^T.

    ``Ts[l]`` is the (out_l, n_classes) table of associated activities a*; where ``assoc[l]`` is
    False the layer has no associative input (a* = a). All updates use the activities of the
    forward pass that preceded them, so the order in which layers update does not matter.
    ``deltas`` holds one scratch vector per layer, ``idx`` at least max(sizes) integers.
    """
    forward_all(Wts, bs, x, acts, idx)
    for l in range(len(Wts)):
        a = acts[l]
        d = deltas[l]
        T = Ts[l]
        for j in range(a.shape[0]):
            t = T[j, label] if assoc[l] else a[j]
            d[j] = local_delta(a[j], t, eta, hebbian)
        x_in = x if l == 0 else acts[l - 1]
        nnz = nonzero_indices(x_in, idx)
        apply_update(Wts[l], bs[l], x_in, idx, nnz, d, 0, a.shape[0])


@njit(cache=True)
def local_epoch(Wts, bs, acts, deltas, X, y, order, Ts, assoc, eta, hebbian, idx):
    """Online local-rule training over the samples ``X[order]`` (one pass)."""
    for k in order:
        local_step(Wts, bs, acts, deltas, X[k], y[k], Ts, assoc, eta, hebbian, idx)


@njit(cache=True)
def bp_step(Wts, bs, acts, deltas, x, label, eta, idx):
    """One online backprop step for sigmoid outputs and binary cross-entropy.

    delta_L = a_L - onehot(y);  delta_l = (W_{l+1}^T delta_{l+1}) * a_l (1 - a_l);
    W_l -= eta delta_l a_{l-1}^T. All deltas are computed before any weight changes.
    """
    forward_all(Wts, bs, x, acts, idx)
    L = len(Wts)
    aL = acts[L - 1]
    dL = deltas[L - 1]
    for j in range(aL.shape[0]):
        dL[j] = aL[j] - (1.0 if j == label else 0.0)
    for l in range(L - 1, 0, -1):
        Wt = Wts[l]
        d = deltas[l]
        dprev = deltas[l - 1]
        a = acts[l - 1]
        for i in range(Wt.shape[0]):
            s = 0.0
            for j in range(Wt.shape[1]):
                s += Wt[i, j] * d[j]
            dprev[i] = s * a[i] * (1.0 - a[i])
    for l in range(L):
        d = deltas[l]
        for j in range(d.shape[0]):
            d[j] *= -eta
        x_in = x if l == 0 else acts[l - 1]
        nnz = nonzero_indices(x_in, idx)
        apply_update(Wts[l], bs[l], x_in, idx, nnz, d, 0, d.shape[0])


@njit(cache=True)
def bp_epoch(Wts, bs, acts, deltas, X, y, order, eta, idx):
    """Online backprop training over the samples ``X[order]`` (one pass)."""
    for k in order:
        bp_step(Wts, bs, acts, deltas, X[k], y[k], eta, idx)


@njit(cache=True, parallel=True)
def local_layer_epoch(Wt, b, X_in, y, order, T, assoc, eta, hebbian, A_out, n_chunks):
    """One layer's whole epoch of the local rule, neurons in parallel (chapter 8).

    The layer reads its recorded input stream ``X_in`` (n, in) in the order ``order`` and writes
    its own activity stream to ``A_out`` (n, out), which is the next layer's input stream.
    Neurons are split into ``n_chunks`` blocks run by different threads: each neuron needs only
    the shared input stream, its own weights and its own associated activity. Each thread works
    on a private copy of its block's weights (copied back at the end), so no two threads ever
    write to the same cache line.
    """
    n_in, n_out = Wt.shape
    for c in prange(n_chunks):
        j0 = c * n_out // n_chunks
        m = (c + 1) * n_out // n_chunks - j0
        W_block = np.empty((n_in, m))
        b_block = np.empty(m)
        for j in range(m):
            b_block[j] = b[j0 + j]
            for i in range(n_in):
                W_block[i, j] = Wt[i, j0 + j]
        idx = np.empty(n_in, dtype=np.int64)
        s = np.empty(m)
        for k in order:
            x = X_in[k]
            label = y[k]
            nnz = nonzero_indices(x, idx)
            accumulate_input(W_block, b_block, x, idx, nnz, s, 0, m)
            for j in range(m):
                a = sigmoid_scalar(s[j])
                A_out[k, j0 + j] = a
                t = T[j0 + j, label] if assoc else a
                s[j] = local_delta(a, t, eta, hebbian)
            apply_update(W_block, b_block, x, idx, nnz, s, 0, m)
        for j in range(m):
            b[j0 + j] = b_block[j]
            for i in range(n_in):
                Wt[i, j0 + j] = W_block[i, j]


def layer_buffers(sizes):
    """Per-layer scratch vectors (a tuple of zero vectors, one per non-input layer)."""
    return tuple(np.zeros(n) for n in sizes[1:])


def index_buffer(sizes):
    """Scratch space for the nonzero-input indices of any layer."""
    return np.empty(max(sizes), dtype=np.int64)
