"""Shared fixtures: small data sets and trained networks used by several test files."""

import numpy as np
import pytest

import localrule


@pytest.fixture(scope="session")
def mnist_35():
    """Bundled MNIST 3 vs 5 split (seed 0): X_train, y_train, X_test, y_test."""
    return localrule.load_mnist_pair(3, 5, seed=0)


@pytest.fixture(scope="session")
def iris_vv():
    """IRIS versicolor vs virginica split (seed 0)."""
    return localrule.load_iris_pair("versicolor", "virginica", seed=0)


@pytest.fixture
def tiny_net():
    """A 5-4-3-2 network with non-trivial weights and biases."""
    net = localrule.MLP((5, 4, 3, 2), seed=3)
    rng = np.random.default_rng(7)
    for b in net.biases:
        b[:] = rng.normal(0, 0.5, size=b.shape)
    return net


@pytest.fixture
def tiny_data():
    rng = np.random.default_rng(11)
    X = rng.uniform(0.05, 0.95, size=(12, 5))
    y = rng.integers(0, 2, size=12)
    return X, y


@pytest.fixture
def close_figures():
    """Close every matplotlib figure a test opened (use with ``pytest.mark.usefixtures``)."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
