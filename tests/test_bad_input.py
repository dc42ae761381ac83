"""Bad input gets a clear TypeError/ValueError naming the argument, never a NaN."""

import os

import numpy as np
import pytest

import localrule
from localrule import (Backprop, LocalRule, MLP, fgsm, fit, input_gradient, pgd, random_sign,
                       robustness_curve)
from localrule.gradients import margin, margin_input_gradient

NET = MLP((4, 3, 2), seed=0)
X = np.full((5, 4), 0.5)
Y = np.array([0, 1, 0, 1, 1])


def with_nan():
    bad = X.copy()
    bad[1, 2] = np.nan
    return bad


CASES = {
    "sizes too short": (lambda: MLP((4,)), ValueError, "sizes"),
    "sizes not a sequence": (lambda: MLP(4), TypeError, "sizes"),
    "sizes zero width": (lambda: MLP((4, 0, 2)), ValueError, "sizes"),
    "sizes float": (lambda: MLP((4, 2.5, 2)), TypeError, "sizes"),
    "negative seed": (lambda: MLP((4, 2), seed=-1), ValueError, "seed"),
    "eta zero": (lambda: LocalRule(eta=0), ValueError, "eta"),
    "eta negative bp": (lambda: Backprop(eta=-0.1), ValueError, "eta"),
    "eta nan": (lambda: LocalRule(eta=float("nan")), ValueError, "eta"),
    "eta string": (lambda: LocalRule(eta="0.1"), TypeError, "eta"),
    "unknown association": (lambda: LocalRule(association="magic"), ValueError, "association"),
    "X wrong width": (lambda: NET.predict(np.zeros((3, 5))), ValueError, "X"),
    "X 3-d": (lambda: NET.predict(np.zeros((3, 4, 1))), ValueError, "X"),
    "X strings": (lambda: NET.predict(np.array([["a"] * 4])), TypeError, "X"),
    "X with NaN": (lambda: fit(NET.copy(), LocalRule(), with_nan(), Y, progress=False),
                   ValueError, "X"),
    "X with inf": (lambda: NET.score(np.full((5, 4), np.inf), Y), ValueError, "X"),
    "labels out of range": (lambda: fit(NET.copy(), LocalRule(), X, Y + 1, progress=False),
                            ValueError, "y"),
    "labels not whole": (lambda: NET.score(X, Y + 0.5), ValueError, "y"),
    "labels wrong length": (lambda: NET.score(X, Y[:3]), ValueError, "y"),
    "epochs zero": (lambda: fit(NET.copy(), LocalRule(), X, Y, epochs=0, progress=False),
                    ValueError, "epochs"),
    "unknown schedule": (lambda: fit(NET.copy(), LocalRule(), X, Y, schedule="async",
                                     progress=False), ValueError, "schedule"),
    "rule not a rule": (lambda: fit(NET.copy(), "local", X, Y, progress=False),
                        TypeError, "rule"),
    "net not a net": (lambda: fit("net", LocalRule(), X, Y, progress=False), TypeError, "net"),
    "X_test without y_test": (lambda: fit(NET.copy(), LocalRule(), X, Y, X_test=X,
                                          progress=False), ValueError, "y_test"),
    "update with batch": (lambda: LocalRule().update(NET.copy(), X, Y), ValueError, "x"),
    "attack input above 1": (lambda: fgsm(NET, X + 0.6, Y, 0.1), ValueError, "X"),
    "attack input below 0": (lambda: pgd(NET, X - 0.6, Y, 0.1), ValueError, "X"),
    "negative eps": (lambda: fgsm(NET, X, Y, -0.1), ValueError, "eps"),
    "eps above 1": (lambda: fgsm(NET, X, Y, 1.5), ValueError, "eps"),
    "eps list negative": (lambda: robustness_curve(NET, X, Y, [0.1, -0.2]), ValueError, "eps"),
    "unknown attack": (lambda: robustness_curve(NET, X, Y, [0.1], attack="cw"), ValueError,
                       "attack"),
    "pgd zero steps": (lambda: pgd(NET, X, Y, 0.1, steps=0), ValueError, "steps"),
    "noise bad seed": (lambda: random_sign(X, 0.1, seed=-3), ValueError, "seed"),
    "pgd unknown loss": (lambda: pgd(NET, X, Y, 0.1, loss="hinge"), ValueError, "loss"),
    "pgd loss not a string": (lambda: pgd(NET, X, Y, 0.1, loss=None), ValueError, "loss"),
    "pgd zero restarts": (lambda: pgd(NET, X, Y, 0.1, restarts=0), ValueError, "restarts"),
    "pgd float restarts": (lambda: pgd(NET, X, Y, 0.1, restarts=2.0), TypeError, "restarts"),
    "pgd random_start string": (lambda: pgd(NET, X, Y, 0.1, random_start="yes"), TypeError,
                                "random_start"),
    "pgd random_start int": (lambda: pgd(NET, X, Y, 0.1, random_start=1), TypeError,
                             "random_start"),
    "pgd negative seed": (lambda: pgd(NET, X, Y, 0.1, random_start=True, seed=-1), ValueError,
                          "seed"),
    "pgd negative step_size": (lambda: pgd(NET, X, Y, 0.1, step_size=-0.01), ValueError,
                               "step_size"),
    "pgd option with fgsm": (lambda: robustness_curve(NET, X, Y, [0.1], attack="fgsm",
                                                      loss="margin"), ValueError, "loss"),
    "pgd option with noise": (lambda: robustness_curve(NET, X, Y, [0.1], attack="noise",
                                                       restarts=3), ValueError, "restarts"),
    "unknown pgd option": (lambda: robustness_curve(NET, X, Y, [0.1], attack="pgd", stepz=3),
                           TypeError, "stepz"),
    "curve bad pgd restarts": (lambda: robustness_curve(NET, X, Y, [0.1], attack="pgd",
                                                        restarts=-1), ValueError, "restarts"),
    "margin labels out of range": (lambda: margin(NET, X, Y + 2), ValueError, "y"),
    "margin one output unit": (lambda: margin(MLP((4, 1)), X, np.zeros(5, dtype=int)),
                               ValueError, "net"),
    "margin gradient X wrong width": (lambda: margin_input_gradient(NET, np.zeros((5, 3)), Y),
                                      ValueError, "X"),
    "margin gradient labels wrong length": (lambda: margin_input_gradient(NET, X, Y[:2]),
                                            ValueError, "y"),
    "gradient labels out of range": (lambda: input_gradient(NET, X, Y + 2), ValueError, "y"),
    "iris same class twice": (lambda: localrule.load_iris_pair("setosa", "setosa"), ValueError,
                              "b"),
    "iris unknown class": (lambda: localrule.load_iris_pair("setosa", "rose"), ValueError, "b"),
    "mnist same digit twice": (lambda: localrule.load_mnist_pair(3, 3), ValueError, "b"),
    "mnist digit out of range": (lambda: localrule.load_mnist_pair(3, 12), ValueError, "b"),
    "unknown source": (lambda: localrule.load_mnist_pair(3, 5, source="kaggle"), ValueError,
                       "source"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_raises_naming_argument(case):
    call, error, name = CASES[case]
    with pytest.raises(error) as info:
        call()
    assert name in str(info.value), str(info.value)


def test_save_into_missing_folder_names_path_and_leaves_nothing(tmp_path):
    target = tmp_path / "missing" / "net.npz"
    with pytest.raises(ValueError, match="path"):
        NET.save(target)
    assert not target.parent.exists()


def test_failed_save_leaves_no_half_written_file(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError):
        NET.save(tmp_path / "net.npz")
    assert os.listdir(tmp_path) == []


def test_save_load_round_trip(tmp_path):
    net = MLP((4, 3, 3, 2), seed=5)
    net.save(tmp_path / "net.npz")
    back = MLP.load(tmp_path / "net.npz")
    assert back.sizes == net.sizes
    for a, b in zip(net.weights + net.biases, back.weights + back.biases):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04corrupt"])
def test_load_corrupt_file(tmp_path, content):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="path"):
        MLP.load(path)


def test_load_foreign_npz(tmp_path):
    np.savez(tmp_path / "foreign.npz", a=np.arange(3))
    with pytest.raises(ValueError, match="not a localrule MLP"):
        MLP.load(tmp_path / "foreign.npz")


def test_load_tampered_shapes(tmp_path):
    NET.save(tmp_path / "net.npz")
    with np.load(tmp_path / "net.npz") as data:
        arrays = dict(data)
    arrays["W0"] = np.zeros((2, 2))
    np.savez(tmp_path / "tampered.npz", **arrays)
    with pytest.raises(ValueError, match="corrupt"):
        MLP.load(tmp_path / "tampered.npz")


def test_load_missing_file(tmp_path):
    with pytest.raises(ValueError, match="path"):
        MLP.load(tmp_path / "nothing.npz")


def test_replaced_weight_array_is_caught():
    net = NET.copy()
    net.weights[0] = np.zeros((3, 4), dtype=np.float32)
    with pytest.raises(TypeError, match=r"weights\[0\]"):
        LocalRule().update(net, X[0], 1)
