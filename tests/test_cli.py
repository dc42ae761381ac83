"""The command line: JSON output, argument errors, and the benchmark's equality checks."""

import json
import subprocess
import sys

import numpy as np
import pytest

from localrule import bench
from localrule.cli import main


def last_json(capsys):
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_train_json(capsys, tmp_path):
    main(["train", "--dataset", "iris", "--classes", "versicolor", "virginica", "--rule", "bp",
          "--epochs", "20", "--seed", "1", "--json", "--save", str(tmp_path / "net.npz")])
    out = last_json(capsys)
    assert out["rule"] == "bp" and out["seed"] == 1 and out["epochs"] == 20
    assert out["sizes"] == [4, 16, 16, 2]
    assert 0.5 <= out["test_accuracy"] <= 1 and out["train_seconds"] > 0
    assert (tmp_path / "net.npz").exists()


def test_attack_json_has_both_rules_by_eps(capsys):
    main(["attack", "--dataset", "iris", "--classes", "0", "2", "--epochs", "30",
          "--eps", "0.05", "0.3", "--json"])
    out = last_json(capsys)
    for rule in ("local", "bp"):
        assert 0 <= out["clean_accuracy"][rule] <= 1
        acc = out["adversarial_accuracy"][rule]
        assert set(acc) == {"0.05", "0.3"}
        assert acc["0.3"] <= out["clean_accuracy"][rule]


@pytest.mark.parametrize("argv, fragment", [
    (["train", "--dataset", "mnist", "--classes", "3", "3"], "b must be"),
    (["train", "--dataset", "mnist", "--classes", "3", "x"], "classes"),
    (["train", "--dataset", "iris", "--epochs", "0"], "epochs"),
    (["train", "--dataset", "iris", "--eta", "-1"], "eta"),
    (["attack", "--dataset", "iris", "--eps", "1.5"], "--eps"),
    (["attack", "--dataset", "iris", "--eps", "abc"], "--eps"),
    (["train", "--dataset", "cifar"], "dataset"),
])
def test_bad_arguments_exit_2_with_message(argv, fragment, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert fragment in capsys.readouterr().err


def test_module_entry_point_runs():
    out = subprocess.run([sys.executable, "-m", "localrule", "train", "--dataset", "iris",
                          "--epochs", "5", "--json"], capture_output=True, text=True, check=True)
    assert "test_accuracy" in json.loads(out.stdout.strip().splitlines()[-1])


def test_bench_reference_and_layerwise_agree():
    """The benchmark compares like with like: same weights from every implementation."""
    result = bench.run(repeats=1, n=200)
    assert result["numba_numpy_max_diff"] <= 1e-12
    assert result["layerwise_max_diff"] <= 1e-9
    for key in bench.TARGETS:
        assert np.isfinite(result[key])
