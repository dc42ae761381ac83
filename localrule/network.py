"""The multilayer perceptron shared by both learning rules (chapters 1 and 5).

Every unit is a sigmoid, a_l = sigmoid(W_l a_{l-1} + b_l), with a_0 = x. The prediction is the
output unit with the largest activity. Weights start as N(0, 1/fan_in), biases as zero.
"""

import os

import numpy as np
from scipy.special import expit

from localrule.atomic import atomic_file
from localrule.validation import check_array, check_int, check_labels, check_seed

FILE_FORMAT = "localrule-mlp-1"


def sigmoid(z):
    """Logistic function 1 / (1 + exp(-z)), elementwise, without overflow warnings."""
    return expit(np.asarray(z, dtype=np.float64))


class MLP:
    """A fully connected sigmoid network.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths ``(n_in, h_1, ..., n_classes)``; at least two entries, each >= 1.
        The book's network is ``(n_in, h1, h2, n_classes)``: two hidden layers.
    seed : int
        Seed of the weight initialisation W_l ~ N(0, 1 / fan_in).

    Attributes
    ----------
    weights : list of ndarray
        ``weights[l]`` has shape ``(sizes[l + 1], sizes[l])``.
    biases : list of ndarray
        ``biases[l]`` has shape ``(sizes[l + 1],)``.
    """

    def __init__(self, sizes, seed=0):
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
            raise TypeError(f"sizes must be a sequence of layer widths, got {type(sizes).__name__}")
        sizes = tuple(check_int(n, "sizes", minimum=1) for n in sizes)
        if len(sizes) < 2:
            raise ValueError(f"sizes needs at least 2 layer sizes (input and output), got {sizes}")
        self.sizes = sizes
        self.seed = check_seed(seed)
        rng = np.random.default_rng(self.seed)
        # Column-major storage: the kernels work on W.T, which is then a contiguous view.
        self.weights = [np.asfortranarray(rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n_out, n_in)))
                        for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros(n_out) for n_out in sizes[1:]]

    @property
    def n_classes(self):
        """Number of output units (one per class)."""
        return self.sizes[-1]

    def __repr__(self):
        return f"MLP(sizes={self.sizes}, seed={self.seed})"

    def copy(self):
        """An independent copy (weights and biases duplicated)."""
        new = MLP.__new__(MLP)
        new.sizes, new.seed = self.sizes, self.seed
        new.weights = [W.copy(order="F") for W in self.weights]
        new.biases = [b.copy() for b in self.biases]
        return new

    def check_input(self, X, name="X", unit_interval=False):
        """Validate ``X`` of shape (n, n_in) or (n_in,) and return it as float64 (n, n_in)."""
        X = check_array(X, name, ndim=(1, 2), unit_interval=unit_interval)
        X2 = X.reshape(1, -1) if X.ndim == 1 else X
        if X2.shape[1] != self.sizes[0]:
            raise ValueError(f"{name} has {X2.shape[1]} features but the network expects "
                             f"{self.sizes[0]}")
        return X2

    def parameters(self):
        """Transposed weights and biases as tuples for the numba kernels.

        Returns ``(Wts, bs)`` with ``Wts[l] = weights[l].T`` of shape (in, out), a C-contiguous
        view, so the kernels' updates land in ``weights``. A weight array that was replaced by
        one in another memory order is converted (and stored back); a wrong shape or dtype
        raises TypeError.
        """
        for l, (W, b) in enumerate(zip(self.weights, self.biases)):
            n_out, n_in = self.sizes[l + 1], self.sizes[l]
            for arr, name, shape in ((W, f"weights[{l}]", (n_out, n_in)),
                                     (b, f"biases[{l}]", (n_out,))):
                if (not isinstance(arr, np.ndarray) or arr.dtype != np.float64
                        or arr.shape != shape or not arr.flags.writeable):
                    raise TypeError(f"{name} must be a writeable float64 array of shape {shape}")
            if not W.flags.f_contiguous:
                self.weights[l] = np.asfortranarray(W)
            if not b.flags.c_contiguous:
                self.biases[l] = np.ascontiguousarray(b)
        return tuple(W.T for W in self.weights), tuple(self.biases)

    def forward(self, X):
        """All layer activities.

        Parameters
        ----------
        X : ndarray, shape (n, n_in) or (n_in,)

        Returns
        -------
        list of ndarray
            ``[a_0 = X, a_1, ..., a_L]``, each ``(n, sizes[l])`` (or ``(sizes[l],)`` for a
            single sample), with a_l = sigmoid(W_l a_{l-1} + b_l).
        """
        single = np.ndim(X) == 1
        a = self.check_input(X)
        acts = [a]
        for W, b in zip(self.weights, self.biases):
            a = sigmoid(a @ W.T + b)
            acts.append(a)
        return [act[0] for act in acts] if single else acts

    def logits(self, X):
        """Output pre-activations z_L = W_L a_{L-1} + b_L, shape (n, n_classes)."""
        a = self.check_input(X)
        for W, b in zip(self.weights[:-1], self.biases[:-1]):
            a = sigmoid(a @ W.T + b)
        return a @ self.weights[-1].T + self.biases[-1]

    def predict_proba(self, X):
        """Output-unit activities a_L, shape (n, n_classes) (independent sigmoids, not softmax)."""
        return sigmoid(self.logits(X))

    def predict(self, X):
        """Predicted class: argmax of the output activities, shape (n,)."""
        return np.argmax(self.logits(X), axis=1)

    def score(self, X, y):
        """Accuracy of ``predict(X)`` against labels ``y`` (n,), a number in [0, 1]."""
        X = self.check_input(X)
        y = check_labels(y, "y", n_samples=X.shape[0], n_classes=self.n_classes)
        return float(np.mean(self.predict(X) == y))

    def save(self, path):
        """Write the network to ``path`` as an ``.npz`` file (no pickle).

        The write is atomic (:mod:`localrule.atomic`): a failed save never leaves a
        half-written file.
        """
        path = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise ValueError(f"path: folder {folder!r} does not exist")
        arrays = {"format": np.array(FILE_FORMAT), "sizes": np.array(self.sizes),
                  "seed": np.array(self.seed)}
        for l, (W, b) in enumerate(zip(self.weights, self.biases)):
            arrays[f"W{l}"], arrays[f"b{l}"] = W, b
        with atomic_file(path) as fh:
            np.savez(fh, **arrays)

    @classmethod
    def load(cls, path):
        """Read a network written by :meth:`save`; anything else raises ValueError."""
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise ValueError(f"path: no such file {path!r}")
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {key: data[key] for key in data.files}
        except Exception as exc:
            raise ValueError(f"path: {path!r} is not a readable .npz file ({exc})") from None
        if "format" not in arrays or str(arrays["format"]) != FILE_FORMAT:
            raise ValueError(f"path: {path!r} is not a localrule MLP file")
        try:
            sizes = tuple(int(n) for n in arrays["sizes"])
            net = cls(sizes, seed=int(arrays["seed"]))
            for l in range(len(sizes) - 1):
                W = np.asfortranarray(arrays[f"W{l}"], dtype=np.float64)
                b = np.ascontiguousarray(arrays[f"b{l}"], dtype=np.float64)
                if W.shape != net.weights[l].shape or b.shape != net.biases[l].shape:
                    raise ValueError(f"layer {l} has the wrong shape")
                if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
                    raise ValueError(f"layer {l} holds NaN or infinite values")
                net.weights[l], net.biases[l] = W.copy(order="F"), b.copy()
        except (KeyError, ValueError, TypeError) as exc:
            raise ValueError(f"path: {path!r} is a corrupt localrule MLP file ({exc})") from None
        return net
