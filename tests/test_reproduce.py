"""``python -m localrule reproduce``: its files, their numbers, resuming, and refusing bad input."""

import contextlib
import csv
import io
import json
import math
import re
import time

import numpy as np
import pytest
from PIL import Image

from localrule import reproduce as rp
from localrule.cli import main
from localrule.experiments import metric_columns
from localrule.reproduce import runner, store

EPS = (0.05, 0.1, 0.2, 0.3)
QUICK_TASKS = ("mnist 3v5", "mnist 0v1", "iris versicolor v virginica")
IRIS_ONLY = ["--quick", "--seeds", "2", "--pairs", "versicolor-virginica"]


def run_cli(*argv):
    """Run the command in-process; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["reproduce", *map(str, argv)])
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def snapshot(folder):
    """{relative path: (bytes, mtime_ns)} of every file in the folder."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def read_rows(folder):
    with open(folder / "results.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def assert_no_partial_files(folder):
    assert not [p for p in folder.rglob(".tmp-*")], "temporary files left behind"
    for path in folder.rglob("*.json"):
        json.loads(path.read_text())  # every JSON file is complete


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """One `reproduce --quick --seeds 2` into a fresh folder: (folder, JSON result, seconds)."""
    folder = tmp_path_factory.mktemp("repro") / "out"
    start = time.perf_counter()
    code, out, err = run_cli("--quick", "--seeds", 2, "--out", folder, "--json")
    assert code == 0, err
    return folder, json.loads(out.strip().splitlines()[-1]), time.perf_counter() - start


def test_quick_run_writes_every_file(quick):
    folder, result, _ = quick
    assert result["computed"] == len(QUICK_TASKS) * 2 + 3 and result["reused"] == 0
    for name in ("results.csv", "summary.md", "runs", "figures"):
        assert (folder / name).exists(), name
    figures = sorted(p.name for p in (folder / "figures").glob("*.png"))
    slugs = ("mnist_3v5", "mnist_0v1", "iris_versicolor-virginica")
    assert figures == sorted([f"accuracy_vs_eps_{s}.png" for s in slugs]
                             + [f"learning_curves_{s}.png" for s in slugs]
                             + ["adversarial_examples.png"])
    assert sorted(result["files"]) == sorted(["results.csv", "summary.md"]
                                             + [f"figures/{f}" for f in figures])
    assert_no_partial_files(folder)


def test_results_csv_columns_and_ranges(quick):
    folder, _, _ = quick
    rows = read_rows(folder)
    header = list(rows[0])
    assert header == ["task", "dataset", "classes", "rule", "seed", "clean_accuracy",
                      "train_accuracy", *metric_columns(EPS), "grad_norm", "train_seconds"]
    assert {c for c in header if c.startswith(("fgsm", "pgd", "transfer", "noise"))} == {
        f"{k}_{e:g}" for k in ("fgsm", "pgd", "transfer", "noise") for e in EPS}
    # one row per task x rule x seed
    assert sorted((r["task"], r["rule"], r["seed"]) for r in rows) == sorted(
        (t, rule, str(s)) for t in QUICK_TASKS for rule in ("local", "bp") for s in (0, 1))
    for row in rows:
        values = {k: float(v) for k, v in row.items()
                  if k not in ("task", "dataset", "classes", "rule", "seed")}
        assert all(math.isfinite(v) for v in values.values()), row
        for key, value in values.items():
            if key.endswith("accuracy") or key.split("_")[0] in ("fgsm", "pgd", "transfer",
                                                                 "noise"):
                assert 0.0 <= value <= 1.0, (key, value)
        assert values["train_seconds"] > 0 and values["grad_norm"] >= 0
        assert values["fgsm_0.3"] < values["noise_0.3"]  # the attack beats noise of its size
    for e in EPS:  # iterating the attack (PGD) is on average at least as strong as one step
        pgd, fgsm = ([float(r[f"{k}_{e:g}"]) for r in rows] for k in ("pgd", "fgsm"))
        assert np.mean(pgd) <= np.mean(fgsm)
    clean = [float(r["clean_accuracy"]) for r in rows if r["dataset"] == "mnist"]
    assert min(clean) > 0.8  # both rules really learned the digit pairs


def test_summary_has_a_verdict_per_claim_and_matches_the_csv(quick):
    folder, result, _ = quick
    text = (folder / "summary.md").read_text()
    for claim in "abcde":
        lines = [l for l in text.splitlines() if l.startswith(f"- **({claim})")]
        assert len(lines) == 1, claim
        verdicts = "supported|partly supported|not supported|not measured"
        assert re.search(rf"\*\*({verdicts})\*\*", lines[0]), lines[0]
    assert len(result["claims"]) == 5
    assert "tests/test_rules.py::test_hidden_updates_do_not_depend_on_later_layers" in text
    assert "tests/test_rules.py::test_layerwise_schedule_equals_online" in text
    assert re.search(r"correlation r = 0\.\d{3}", text)
    # every mean in the clean-accuracy table is the mean of the CSV rows
    rows = read_rows(folder)
    for task in QUICK_TASKS:
        for rule in ("local", "bp"):
            line = next(l for l in text.splitlines() if l.startswith(f"| {task} | {rule} |"))
            shown = float(line.split("|")[3].split("±")[0])
            values = [float(r["clean_accuracy"]) for r in rows
                      if r["task"] == task and r["rule"] == rule]
            assert shown == pytest.approx(np.mean(values), abs=5e-4)
    for eps in EPS:
        assert f"eps {eps:g}:" in text  # claim (d) compares the rules at every eps


def test_figures_are_valid_pngs(quick):
    folder, _, _ = quick
    for path in (folder / "figures").glob("*.png"):
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            assert image.format == "PNG" and min(image.size) >= 200, path.name


def test_run_files_record_their_settings(quick):
    folder, _, _ = quick
    for path in (folder / "runs").glob("*.json"):
        record = json.loads(path.read_text())
        assert record["settings"] == rp.make_settings(quick=True)
        assert record["code"]


def test_rerun_skips_finished_work_and_changes_nothing(quick):
    folder, _, first_seconds = quick
    before = snapshot(folder)
    start = time.perf_counter()
    code, out, err = run_cli("--quick", "--seeds", 2, "--out", folder, "--json")
    seconds = time.perf_counter() - start
    assert code == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    assert result["computed"] == 0 and result["reused"] == len(QUICK_TASKS) * 2 + 3
    assert seconds < max(5.0, first_seconds / 3)
    assert snapshot(folder) == before  # same bytes, not even rewritten


def test_more_seeds_reuse_the_finished_ones(tmp_path):
    folder = tmp_path / "out"
    assert run_cli(*IRIS_ONLY, "--out", folder)[0] == 0
    kept = (folder / "runs" / "iris_versicolor-virginica_seed0.json").read_bytes()
    code, out, _ = run_cli(*IRIS_ONLY[:1], "--seeds", 3, *IRIS_ONLY[3:], "--out", folder)
    assert code == 0 and "1 run(s) computed" in out
    assert (folder / "runs" / "iris_versicolor-virginica_seed0.json").read_bytes() == kept
    assert len(read_rows(folder)) == 3 * 2


def test_interrupted_run_leaves_no_partial_file_and_resumes(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    calls = []
    real_run_task = runner.run_task

    def interrupted(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C in the middle of the second task
        return real_run_task(*args, **kwargs)

    monkeypatch.setattr(runner, "run_task", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_cli(*IRIS_ONLY, "--out", folder)
    assert_no_partial_files(folder)
    assert sorted(p.name for p in (folder / "runs").glob("*.json")) == [
        "iris_versicolor-virginica_seed0.json"]
    assert not (folder / "results.csv").exists() and not (folder / "summary.md").exists()

    # a failure inside a write (disk full) leaves neither the file nor its temporary copy
    def disk_full(fd):
        raise OSError("No space left on device")

    monkeypatch.setattr(runner, "run_task", real_run_task)
    monkeypatch.setattr(store.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        run_cli(*IRIS_ONLY, "--out", folder)
    assert_no_partial_files(folder)
    assert not (folder / "runs" / "iris_versicolor-virginica_seed1.json").exists()

    monkeypatch.undo()
    code, out, err = run_cli(*IRIS_ONLY, "--out", folder)
    assert code == 0, err
    assert "4 run(s) computed, 1 reused" in out  # seed 1 and the three claim checks
    assert len(read_rows(folder)) == 2 * 2
    assert_no_partial_files(folder)


def test_force_recomputes_and_other_settings_are_refused(tmp_path):
    folder = tmp_path / "out"
    assert run_cli(*IRIS_ONLY, "--out", folder)[0] == 0
    before = snapshot(folder)

    # other settings into the same folder: refused before any work, nothing touched
    for other in (["--eps", "0.1"], []):
        argv = IRIS_ONLY + other if other else ["--seeds", "2", "--pairs",
                                               "versicolor-virginica"]  # full vs quick
        code, _, err = run_cli(*argv, "--out", folder)
        assert code == 2 and "other settings" in err and "--force" in err, err
        assert snapshot(folder) == before

    code, out, err = run_cli(*IRIS_ONLY, "--out", folder, "--force")
    assert code == 0 and "5 run(s) computed, 0 reused" in out, err
    rows = read_rows(folder)
    old = list(csv.DictReader(io.StringIO(before["results.csv"][0].decode())))
    for new_row, old_row in zip(rows, old):  # same seeds, same numbers (times aside)
        assert {k: v for k, v in new_row.items() if k != "train_seconds"} == \
            {k: v for k, v in old_row.items() if k != "train_seconds"}

    # --force with other settings replaces the old run files
    code, _, err = run_cli(*IRIS_ONLY, "--eps", "0.1", "--out", folder, "--force")
    assert code == 0, err
    assert list(read_rows(folder)[0])[5:7] == ["clean_accuracy", "train_accuracy"]
    assert "fgsm_0.1" in read_rows(folder)[0] and "fgsm_0.2" not in read_rows(folder)[0]
    assert all(json.loads(p.read_text())["settings"]["eps"] == [0.1]
               for p in (folder / "runs").glob("*.json"))


@pytest.mark.parametrize("argv, named", [
    (["--pairs", "3v11"], "pairs"),
    (["--pairs", "eight-nine"], "pairs"),
    (["--pairs", "3v3"], "pairs"),
    (["--pairs", "virginica-virginica"], "pairs"),
    (["--pairs", "3v5", "3-5"], "pairs"),
    (["--eps", "1.5"], "--eps"),
    (["--eps", "-0.1"], "--eps"),
    (["--eps", "x"], "--eps"),
    (["--seeds", "0"], "seeds"),
    (["--source", "web"], "--source"),
], ids=["digit-range", "unknown", "same-digit", "same-iris", "duplicate", "eps-high",
        "eps-negative", "eps-text", "seeds-zero", "source"])
def test_bad_arguments_exit_2_before_any_work(tmp_path, argv, named):
    folder = tmp_path / "out"
    code, _, err = run_cli("--quick", "--out", folder, *argv)
    assert code == 2
    assert named in err.splitlines()[-1], err
    assert not folder.exists()


def test_out_must_be_a_folder_of_ours(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    code, _, err = run_cli("--quick", "--out", tmp_path)
    assert code == 2 and "out" in err and "not a reproduce output folder" in err
    code, _, err = run_cli("--quick", "--out", tmp_path / "notes.txt")
    assert code == 2 and "not a folder" in err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("text, dataset, classes", [
    ("3v5", "mnist", (3, 5)), ("3-5", "mnist", (3, 5)), ("mnist:0v1", "mnist", (0, 1)),
    ("versicolor-virginica", "iris", ("versicolor", "virginica")),
    ("versicolorvvirginica", "iris", ("versicolor", "virginica")),
    ("Setosa v Virginica", "iris", ("setosa", "virginica")),
    ("iris:0v2", "iris", ("setosa", "virginica")),
])
def test_parse_pair(text, dataset, classes):
    task = rp.parse_pair(text)
    assert (task.dataset, task.classes) == (dataset, classes)
    assert rp.parse_pair(task.spec) == task  # the canonical spelling reads back


def test_python_api_validates_arguments(tmp_path):
    with pytest.raises(ValueError, match="seeds"):
        rp.reproduce(tmp_path / "a", seeds=-1)
    with pytest.raises(TypeError, match="pairs"):
        rp.reproduce(tmp_path / "a", pairs="3v5")
    with pytest.raises(ValueError, match="eps"):
        rp.reproduce(tmp_path / "a", eps=[0.1, 0.1])
    with pytest.raises(ValueError, match="source"):
        rp.reproduce(tmp_path / "a", source="web")
    assert not (tmp_path / "a").exists()
