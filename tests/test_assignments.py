"""The otter-grader assignments (exercises/assignments/) and the instructor script exercises/grade.py.

From a copy of exercises/ without any generated files (a clean checkout), the script generates
every student notebook and autograder with ``otter assign``, then grades with ``otter run``:
the reference solutions must get full marks and the untouched student notebooks must fail every
question. Solutions and hidden tests must not leak into the student notebooks, and the hidden
tests must reject functions that call the reference implementation.
"""

import concurrent.futures
import csv
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
NAMES = ("a1_stdp", "a2_local_rule", "a3_fgsm")
OTTER = Path(sys.executable).with_name("otter")


def master_path(name, root=EXERCISES):
    return root / "assignments" / name / f"{name}.ipynb"


def parse_master(name):
    """``{question: {"points", "solution", "public", "hidden"}}`` from the master notebook."""
    nb = nbformat.read(master_path(name), as_version=4)
    questions, current, block = {}, None, None
    for cell in nb.cells:
        src = cell.source
        if cell.cell_type == "raw":
            head = src.splitlines()[0].strip().upper() if src.strip() else ""
            if head == "# BEGIN QUESTION":
                config = dict(line.split(": ", 1) for line in src.splitlines()[1:])
                current = questions.setdefault(config["name"], {
                    "points": float(config["points"]), "solution": [], "public": [],
                    "hidden": []})
            elif head == "# END QUESTION":
                current = None
            elif head in ("# BEGIN SOLUTION", "# BEGIN TESTS"):
                block = head.split()[-1].lower()
            elif head in ("# END SOLUTION", "# END TESTS"):
                block = None
            continue
        if current is not None and cell.cell_type == "code" and block == "solution":
            current["solution"].append(src)
        elif current is not None and cell.cell_type == "code" and block == "tests":
            current["hidden" if "BEGIN TEST CONFIG" in src else "public"].append(src)
    return questions


def solution_only_code(source):
    """Code that the student version must not contain: solution blocks and `# SOLUTION` values."""
    hidden, inside = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == "# BEGIN SOLUTION":
            inside = True
        elif stripped == "# END SOLUTION":
            inside = False
        elif inside and len(stripped) > 12:
            hidden.append(stripped)
        elif stripped.endswith("# SOLUTION"):
            value = stripped[: -len("# SOLUTION")].split("=", 1)[1].strip()
            hidden.append(value)
    return hidden


# ------------------------------------------------------------------------ generation and grading
@pytest.fixture(scope="module")
def clean_copy(tmp_path_factory):
    """exercises/ copied without generated files, as in a fresh clone."""
    if not OTTER.exists():
        pytest.fail(f"otter-grader is not installed in this environment ({OTTER} missing)")
    copy = tmp_path_factory.mktemp("clone") / "exercises"
    shutil.copytree(EXERCISES, copy,
                    ignore=shutil.ignore_patterns("dist", ".ipynb_checkpoints", "__pycache__"))
    return copy


def run_grade_py(copy, *args):
    run = subprocess.run([sys.executable, str(copy / "grade.py"), *args], cwd=copy.parent,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"grade.py {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}"
    return run.stdout


@pytest.fixture(scope="module")
def generated(clean_copy):
    """`grade.py generate` for every assignment into the copy's default dist/ folders."""
    assert not list(clean_copy.rglob("dist"))
    out = run_grade_py(clean_copy, "generate", "--jobs", "2")
    for name in NAMES:
        assert f"{name}: student notebook" in out
    return clean_copy


@pytest.fixture(scope="module")
def graded(generated, tmp_path_factory):
    """Each assignment's reference solution and untouched student notebook, graded by otter run.

    The reference solution is the autograder's own notebook (the master with solutions, in the
    format students submit); the untouched notebook is the student version as handed out.
    Returns ``{name: (csv rows by submission, results.json by submission)}``.
    """
    work = tmp_path_factory.mktemp("grading")

    def grade(name):
        subs = work / name
        subs.mkdir()
        dist = generated / "assignments" / name / "dist"
        shutil.copy(dist / "autograder" / f"{name}.ipynb", subs / "solution.ipynb")
        shutil.copy(dist / "student" / f"{name}.ipynb", subs / "untouched.ipynb")
        csv_path = work / f"{name}.csv"
        run_grade_py(generated, "grade", name, str(subs), "--csv", str(csv_path), "--jobs", "1")
        with open(csv_path, newline="") as fh:
            rows = {row["submission"]: row for row in csv.DictReader(fh)}
        results = {p.stem: json.loads(p.read_text())
                   for p in (work / f"{name}_results").glob("*.json")}
        return name, (rows, results)

    # three graders at once, each grading its two notebooks one after the other
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        return dict(pool.map(grade, NAMES))


def test_generation_writes_student_notebook_and_autograder(generated):
    for name in NAMES:
        dist = generated / "assignments" / name / "dist"
        assert (dist / "student" / f"{name}.ipynb").is_file()
        assert (dist / "autograder" / f"{name}.ipynb").is_file()
        zips = list((dist / "autograder").glob(f"{name}-autograder_*.zip"))
        assert len(zips) == 1
        with zipfile.ZipFile(zips[0]) as zf:
            tests = [n for n in zf.namelist() if n.startswith("tests/")]
            questions = parse_master(name)
            assert sorted(tests) == sorted(f"tests/{q}.py" for q in questions)
            for q in questions:
                text = zf.read(f"tests/{q}.py").decode()
                assert "'hidden': True" in text and "'hidden': False" in text, q


@pytest.mark.parametrize("name", NAMES)
def test_reference_solution_gets_full_marks(graded, name):
    rows, results = graded[name]
    questions = parse_master(name)
    scores = {t["name"]: (t["score"], t["max_score"]) for t in results["solution"]["tests"]
              if "max_score" in t}
    assert set(scores) == set(questions)
    for q, (score, maximum) in scores.items():
        assert maximum == questions[q]["points"], q
        assert score == maximum, f"{name} {q}: {score}/{maximum}"
    row = rows["solution.ipynb"]
    total = sum(q["points"] for q in questions.values())
    assert row["status"] == "graded" and float(row["total"]) == float(row["max_total"]) == total
    assert float(row["percent"]) == 100.0


@pytest.mark.parametrize("name", NAMES)
def test_untouched_student_notebook_fails_every_question(graded, name):
    rows, results = graded[name]
    scores = {t["name"]: (t["score"], t["max_score"]) for t in results["untouched"]["tests"]
              if "max_score" in t}
    assert set(scores) == set(parse_master(name))
    for q, (score, maximum) in scores.items():
        assert score < maximum, f"{name} {q}: the untouched notebook scored {score}/{maximum}"
    row = rows["untouched.ipynb"]
    assert row["status"] == "graded" and float(row["total"]) < float(row["max_total"])


# ------------------------------------------------------------------------ what students receive
@pytest.mark.parametrize("name", NAMES)
def test_no_solution_or_hidden_test_leaks_into_the_student_notebook(generated, name):
    student = nbformat.read(generated / "assignments" / name / "dist" / "student" /
                            f"{name}.ipynb", as_version=4)
    code = "\n".join(c.source for c in student.cells if c.cell_type == "code")
    everything = code + json.dumps(student.metadata)
    questions = parse_master(name)
    leaked = [line for q in questions.values() for src in q["solution"]
              for line in solution_only_code(src) if line in everything]
    assert not leaked, f"solution code in the student notebook of {name}: {leaked}"
    for marker in ("BEGIN TEST CONFIG", "_localrule_names", "np.random.default_rng()",
                   "IGNORE (instructor notes"):
        assert marker not in everything + "\n".join(c.source for c in student.cells), marker
    # what students do get: the otter client, one check cell per question, the public tests
    assert 'grader = otter.Notebook("' + name + '.ipynb")' in code
    for q, spec in questions.items():
        assert f'grader.check("{q}")' in code
        public = student.metadata["otter"]["tests"][q]["suites"][0]["cases"]
        assert public and not any(case["hidden"] for case in public)
    assert student.metadata["otter"]["assignment_name"] == name
    answer_cells = [c for c in student.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    assert len(answer_cells) == len(questions)
    assert all("..." in c.source for c in answer_cells)


def test_every_question_has_public_and_hidden_tests():
    for name in NAMES:
        for q, spec in parse_master(name).items():
            assert spec["solution"] and spec["public"] and spec["hidden"], (name, q)
            assert "np.random.default_rng()" in spec["hidden"][0] or q == "q5_compare", (name, q)
            assert "_localrule_names(" in spec["hidden"][0] or q == "q5_compare", (name, q)


def test_masters_are_stored_clean_and_configured_for_offline_grading():
    for name in NAMES:
        nb = nbformat.read(master_path(name), as_version=4)
        config = nb.cells[0]
        assert config.cell_type == "raw" and config.source.startswith("# ASSIGNMENT CONFIG")
        for line in ("export_cell: false", "run_tests: false", f"name: {name}"):
            assert line in config.source
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
        # a `# SOLUTION` line outside a solution block would reach the students
        questions = parse_master(name)
        in_solutions = "\n".join(s for q in questions.values() for s in q["solution"])
        for cell in nb.cells:
            if cell.cell_type == "code" and cell.source not in in_solutions:
                assert not re.search(r"#\s*(BEGIN |END )?SOLUTION\b", cell.source), cell.source


# ------------------------------------------------------------------------ the hidden tests bite
def _exec(source, namespace):
    exec(compile(source, "<test cell>", "exec"), namespace)


def _setup_namespace(name):
    nb = nbformat.read(master_path(name), as_version=4)
    setup = next(c.source for c in nb.cells if c.cell_type == "code")
    namespace = {"__name__": "__main__"}
    _exec(setup, namespace)
    return namespace


@pytest.mark.parametrize("name, question, cheat", [
    ("a1_stdp", "q1_window",
     "def stdp_dw(s, A_plus=1.0, A_minus=1.0, tau_plus=0.02, tau_minus=0.02):\n"
     "    import localrule.stdp\n"
     "    return localrule.stdp.stdp_window(s, A_plus, A_minus, tau_plus, tau_minus)\n"),
    ("a1_stdp", "q3_traces",
     "from localrule.stdp import trace_stdp\n"
     "def trace_dw(pre, post, dt, A_plus=1.0, A_minus=1.0, tau_plus=0.02, tau_minus=0.02):\n"
     "    return trace_stdp(pre, post, dt, A_plus, A_minus, tau_plus, tau_minus)\n"),
    ("a3_fgsm", "q1_gradient",
     "def input_grad(net, X, y):\n"
     "    return localrule.input_gradient(net, X, y)\n"),
])
def test_hidden_tests_pass_the_solution_and_reject_calls_to_localrule(name, question, cheat):
    spec = parse_master(name)[question]
    hidden = spec["hidden"][0]
    namespace = _setup_namespace(name)
    for src in parse_master(name)[question]["solution"]:
        if "def " in src.splitlines()[0]:
            _exec(src, namespace)
    _exec(hidden, namespace)                       # the reference solution passes
    namespace = _setup_namespace(name)
    _exec(cheat, namespace)                        # numerically right, but calls the reference
    with pytest.raises(AssertionError, match="must not call localrule"):
        _exec(hidden, namespace)


def test_hidden_tests_catch_a_wrong_function():
    namespace = _setup_namespace("a1_stdp")
    _exec("def stdp_dw(s, A_plus=1.0, A_minus=1.0, tau_plus=0.02, tau_minus=0.02):\n"
          "    s = np.asarray(s, dtype=float)\n"
          "    return np.where(s > 0, A_plus * np.exp(-s / tau_plus),\n"
          "                    np.where(s < 0, -A_minus * np.exp(s / tau_plus), 0.0))\n",
          namespace)                               # tau+ on both sides
    with pytest.raises(AssertionError):
        _exec(parse_master("a1_stdp")["q1_window"]["hidden"][0], namespace)
    for src in parse_master("a1_stdp")["q1_window"]["public"]:
        _exec(src, namespace)                      # the public tests cannot tell


# ------------------------------------------------------------------------ grade.py itself
def _grade_module():
    spec = importlib.util.spec_from_file_location("exercises_grade", EXERCISES / "grade.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_grade_script_knows_the_assignments_and_refuses_bad_input(tmp_path):
    grade = _grade_module()
    assert tuple(grade.NAMES) == NAMES
    with pytest.raises(SystemExit, match="unknown assignment"):
        grade.main(["grade", "a9_nothing", str(tmp_path)])
    with pytest.raises(SystemExit, match="no autograder"):
        grade.main(["grade", "a1_stdp", str(tmp_path), "--out", str(tmp_path)])
    assert grade.scores({"tests": [{"name": "Public Tests"},
                                   {"name": "q1", "score": 1.5, "max_score": 3.0}]}) == \
        {"q1": (1.5, 3.0)}
    np.testing.assert_equal(grade.otter_env()["JUPYTER_PREFER_ENV_PATH"], "1")
