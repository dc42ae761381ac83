"""Cost models of distributed training (chapter 8): pipeline throughput, traffic, waiting."""

import numpy as np
import pytest

from localrule.parallel.cost_model import (balance_workers, communication_per_sample, layer_costs,
                                           pipeline_speedup, pipeline_time, time_per_sample)

BOOK_SIZES = (784, 100, 100, 2)


def test_layer_costs():
    np.testing.assert_allclose(layer_costs(BOOK_SIZES), [156800, 20000, 400])
    np.testing.assert_allclose(layer_costs(BOOK_SIZES, "bp"), [156800, 30000, 600])
    with pytest.raises(ValueError, match="rule"):
        layer_costs(BOOK_SIZES, "dfa")


def test_pipeline_speedup_equal_stages_and_limit():
    costs = np.ones(3)
    for B in (1, 2, 10):
        assert pipeline_speedup(costs, B) == pytest.approx(3 * B / (B + 2))
    c = layer_costs(BOOK_SIZES)
    assert pipeline_speedup(c, 10 ** 6) == pytest.approx(c.sum() / c.max(), rel=1e-4)
    assert pipeline_time(c, 1) == pytest.approx(c.sum())


def test_balance_workers():
    c = layer_costs(BOOK_SIZES)
    m = balance_workers(c, 8)
    assert sum(m) == 8 and m[0] == 6
    assert pipeline_speedup(c, 10 ** 6, m) > pipeline_speedup(c, 10 ** 6)
    assert balance_workers(c, 8, max_per_layer=(2, 100, 2)) == (2, 5, 1)
    capped = balance_workers(c, 300, max_per_layer=(100, 100, 2))
    assert capped == (100, 100, 2)
    with pytest.raises(ValueError, match="n_workers"):
        balance_workers(c, 2)
    with pytest.raises(ValueError, match="costs"):
        balance_workers([1.0, 0.0], 4)


def test_communication_per_sample_book_network():
    c = communication_per_sample(BOOK_SIZES)
    assert c["local"] == {"activities": 984, "errors": 0, "labels": 3, "wait_hops": 0,
                          "total": 987}
    assert c["bp"] == {"activities": 984, "errors": 200, "labels": 1, "wait_hops": 4,
                       "total": 1185}
    spread = communication_per_sample(BOOK_SIZES, machines=(4, 2, 1))
    assert spread["local"]["activities"] == 784 * 4 + 100 * 2 + 100 * 1
    assert spread["bp"]["errors"] == 100 * 2 + 100 * 1
    with pytest.raises(ValueError, match="machines"):
        communication_per_sample(BOOK_SIZES, machines=(1, 1))


def test_time_per_sample_model():
    t0 = time_per_sample(BOOK_SIZES, latency=0.0, rate=1e9)
    assert t0["local"] == pytest.approx(156800 / 1e9)
    assert t0["bp"] == pytest.approx((156800 + 30000 + 600) / 1e9)
    t1 = time_per_sample(BOOK_SIZES, latency=1e-3, rate=1e9)
    assert t1["local"] == t0["local"]                       # latency hidden by the pipeline
    assert t1["bp"] == pytest.approx(t0["bp"] + 4e-3)         # round trip paid every sample
    with pytest.raises(ValueError, match="rate"):
        time_per_sample(BOOK_SIZES, 0.0, 0.0)
    with pytest.raises(ValueError, match="latency"):
        time_per_sample(BOOK_SIZES, -1.0, 1e9)


@pytest.mark.parametrize("call,match", [
    (lambda: pipeline_time([1.0, 2.0], 3, workers=(1,)), "workers"),
])
def test_bad_arguments_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
