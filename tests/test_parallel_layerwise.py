"""The layerwise schedule (chapter 8): same weights as online, measured and ideal speed-up."""

import numpy as np
import pytest

from localrule import Backprop, LocalRule, MLP, fit
from localrule._numba import get_num_threads
from localrule.bench import max_weight_difference
from localrule.parallel.layerwise import (compare_schedules, ideal_speedup, max_threads,
                                          measure_speedup)

BOOK_SIZES = (784, 100, 100, 2)


def test_compare_schedules_gives_identical_weights(mnist_35):
    X, y = mnist_35[0][:200], mnist_35[1][:200]
    net = MLP((784, 20, 10, 2), seed=1)
    online, layerwise, diff = compare_schedules(net, LocalRule(0.02, seed=1), X, y, epochs=2)
    assert diff <= 1e-12
    assert np.allclose(net.weights[0], MLP((784, 20, 10, 2), seed=1).weights[0])  # untouched
    with pytest.raises(ValueError, match="downstream weights"):
        compare_schedules(net, Backprop(0.1), X, y)


def test_layerwise_fit_matches_compare_schedules(mnist_35):
    """compare_schedules uses the same public path as fit(schedule=...)."""
    X, y = mnist_35[0][:100], mnist_35[1][:100]
    net = MLP((784, 8, 6, 2), seed=0)
    rule = LocalRule(0.05, seed=0)
    _, layerwise, _ = compare_schedules(net, rule, X, y, epochs=1, seed=3)
    ref = net.copy()
    fit(ref, rule, X, y, epochs=1, seed=3, progress=False, schedule="layerwise")
    for u, v in zip(ref.weights, layerwise.weights):
        np.testing.assert_array_equal(u, v)


def test_max_weight_difference_is_the_largest_parameter_change():
    a = MLP((4, 3, 2), seed=0)
    b = a.copy()
    b.weights[1][1, 2] += 0.25
    b.biases[0][0] -= 0.5
    assert max_weight_difference(a, a.copy()) == 0.0
    assert max_weight_difference(a, b) == pytest.approx(0.5)
    with pytest.raises(TypeError, match="b must be an MLP"):
        max_weight_difference(a, "net")
    with pytest.raises(ValueError, match="sizes"):
        max_weight_difference(a, MLP((4, 5, 2)))

def test_measure_speedup_small_run_restores_threads():
    before = get_num_threads()
    result = measure_speedup(n=200, threads=64, repeats=2, sizes=(784, 12, 6, 2))
    assert get_num_threads() == before
    assert 1 <= result.threads <= max_threads()
    assert len(result.serial_times) == len(result.parallel_times) == 2
    assert result.serial_s > 0 and result.parallel_s > 0 and np.isfinite(result.speedup)
    assert result.max_diff <= 1e-12
    d = result.to_dict()
    assert d["speedup"] == pytest.approx(result.serial_s / result.parallel_s)


@pytest.mark.parametrize("kwargs,match", [({"n": 3}, "n must be >= 8"),
                                          ({"threads": 0}, "threads"),
                                          ({"sizes": (10, 5, 2)}, "sizes must start with 784"),
                                          ({"n": 10 ** 6}, "n must be <="),
                                          ({"eta": -1.0}, "eta")])
def test_measure_speedup_validates(kwargs, match):
    with pytest.raises(ValueError, match=match):
        measure_speedup(repeats=1, **kwargs)


def test_ideal_speedup_formula():
    assert ideal_speedup(BOOK_SIZES, 1) == 1.0
    assert ideal_speedup(BOOK_SIZES, 2) == pytest.approx(2.0)
    # 3 threads: blocks of 34, 34 and 2 neurons (rounded up), output 1 neuron each
    expect = (784 * 100 + 100 * 100 + 100 * 2) / (34 * 784 + 34 * 100 + 1 * 100)
    assert ideal_speedup(BOOK_SIZES, 3) == pytest.approx(expect)
    assert ideal_speedup((4, 1, 1), 8) == 1.0  # one neuron per layer: nothing to split


@pytest.mark.parametrize("call,match", [
    (lambda: ideal_speedup((784,), 2), "sizes"),
])
def test_bad_arguments_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
