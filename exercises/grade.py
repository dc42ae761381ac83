#!/usr/bin/env python
"""Generate and grade the localrule assignments offline with otter-grader.

Run from the repository root with the project's Python (``.venv/bin/python``):

    python exercises/grade.py generate [NAME ...] [--out DIR]
        Turn each master notebook exercises/assignments/NAME/NAME.ipynb into
        DIR/NAME/student/NAME.ipynb (hand this out) and DIR/NAME/autograder/NAME-autograder_*.zip
        (keep it). Default DIR: exercises/assignments/NAME/dist (git-ignored).

    python exercises/grade.py grade NAME SUBMISSION [SUBMISSION ...] [--csv FILE] [--jobs N]
        Grade notebooks (or folders of notebooks) with the autograder of NAME and write one CSV
        row per submission: every question's score, the total and the percentage. Each
        submission's otter results.json is kept next to the CSV (FILE_results/). A file otter
        cannot grade at all gets status "error", 0 points and the reason.

    python exercises/grade.py selftest [NAME ...]
        Generate, then grade the reference solutions (they must get full marks) and the
        untouched student notebooks (they must not).

Grading runs ``otter run`` (no Docker, no network): each notebook is executed top to bottom in a
fresh kernel of this Python environment, then every public and hidden test is run.
"""

import argparse
import concurrent.futures
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ASSIGNMENTS = HERE / "assignments"
NAMES = sorted(p.name for p in ASSIGNMENTS.iterdir() if (p / f"{p.name}.ipynb").is_file())


def otter_command():
    """The ``otter`` executable of this Python environment (or on PATH)."""
    local = Path(sys.executable).with_name("otter")
    found = str(local) if local.exists() else shutil.which("otter")
    if not found:
        sys.exit("otter is not installed: pip install 'otter-grader[grading]==7.0.0'")
    return found


def otter_env():
    env = dict(os.environ)
    env["JUPYTER_PREFER_ENV_PATH"] = "1"          # kernels from this environment, not ~/.local
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"   # silence the debugger warning of Python 3.11
    env.setdefault("MPLBACKEND", "Agg")
    return env


def check_name(name):
    if name not in NAMES:
        raise SystemExit(f"unknown assignment {name!r}; choose from {', '.join(NAMES)}")
    return name


def dist_dir(name, out=None):
    return Path(out).resolve() / name if out else ASSIGNMENTS / name / "dist"


def autograder_zip(name, out=None):
    """The newest autograder zip of ``name``."""
    zips = sorted((dist_dir(name, out) / "autograder").glob(f"{name}-autograder_*.zip"))
    if not zips:
        raise SystemExit(f"no autograder for {name} in {dist_dir(name, out)}; run "
                         f"`python exercises/grade.py generate {name}` first")
    return zips[-1]


def generate(name, out=None):
    """Run ``otter assign`` on the master notebook of ``name``; return the output folder."""
    master = ASSIGNMENTS / name / f"{name}.ipynb"
    target = dist_dir(name, out)
    if target.exists():
        shutil.rmtree(target)          # otter names zips by time: never mix two generations
    target.parent.mkdir(parents=True, exist_ok=True)
    run = subprocess.run([otter_command(), "assign", master.name, str(target)], cwd=master.parent,
                         env=otter_env(), capture_output=True, text=True)
    student = target / "student" / master.name
    if run.returncode != 0 or not student.is_file():
        raise SystemExit(f"otter assign failed for {name}:\n{run.stdout}\n{run.stderr}")
    return target


def generate_all(names, out=None, jobs=2):
    """:func:`generate` for several assignments, ``jobs`` at a time; return their folders."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(lambda name: generate(check_name(name), out), names))


def _run_one(zip_path, submission):
    """Grade one notebook; return (results dict or None, error message)."""
    with tempfile.TemporaryDirectory(prefix="otter-run-") as tmp:
        run = subprocess.run([otter_command(), "run", "-a", str(zip_path), "-o", tmp, "--no-logo",
                              str(submission)], env=otter_env(), capture_output=True, text=True)
        results = Path(tmp) / "results.json"
        if not results.is_file():
            tail = (run.stderr or run.stdout).strip().splitlines()[-5:]
            return None, f"otter run failed (exit {run.returncode}): " + " | ".join(tail)
        return json.loads(results.read_text()), ""


def scores(results):
    """``{question: (score, max_score)}`` from an otter results.json dict."""
    return {t["name"]: (float(t["score"]), float(t["max_score"]))
            for t in results.get("tests", []) if "max_score" in t}


def _submissions(paths):
    found = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(q for q in p.iterdir() if q.suffix == ".ipynb")
        elif p.is_file():
            found.append(p)
        else:
            raise SystemExit(f"no such submission: {p}")
    if not found:
        raise SystemExit("no submissions (.ipynb) found")
    return found


def grade(name, submissions, csv_path=None, jobs=2, out=None):
    """Grade ``submissions`` with the autograder of ``name``; write the CSV; return the rows."""
    zip_path = autograder_zip(check_name(name), out)
    subs = _submissions(submissions)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        outcomes = list(pool.map(lambda s: _run_one(zip_path, s), subs))
    keep = Path(csv_path).with_name(Path(csv_path).stem + "_results") if csv_path else None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
    questions = sorted({q for res, _ in outcomes if res for q in scores(res)})
    full = max((sum(m for _, m in scores(res).values()) for res, _ in outcomes if res),
               default=0.0)
    rows = []
    for sub, (res, error) in zip(subs, outcomes):
        row = {"submission": sub.name, "status": "graded" if res else "error"}
        got = scores(res) if res else {}
        for q in questions:
            row[q] = got[q][0] if q in got else ""
        total = sum(s for s, _ in got.values())
        maximum = sum(m for _, m in got.values()) if got else full
        row.update(total=total, max_total=maximum,
                   percent=round(100.0 * total / maximum, 1) if maximum else 0.0, error=error)
        rows.append(row)
        if keep and res:
            (keep / f"{sub.stem}.json").write_text(json.dumps(res, indent=1))
    if csv_path:
        with open(csv_path, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=["submission", "status", *questions, "total",
                                                    "max_total", "percent", "error"])
            writer.writeheader()
            writer.writerows(rows)
    return rows


def selftest(names, jobs=2, out=None):
    """Reference solutions get full marks, untouched student notebooks do not.

    The reference solution is the autograder's copy of the notebook (solutions in place); the
    untouched notebook is the student version as handed out.
    """
    ok = True
    targets = generate_all(names, out, jobs)
    for name, target in zip(names, targets):
        with tempfile.TemporaryDirectory(prefix=f"{name}-selftest-") as tmp:
            shutil.copy(target / "autograder" / f"{name}.ipynb", Path(tmp) / "solution.ipynb")
            shutil.copy(target / "student" / f"{name}.ipynb", Path(tmp) / "untouched.ipynb")
            rows = {r["submission"]: r for r in grade(name, [tmp], jobs=jobs, out=out)}
        sol, blank = rows["solution.ipynb"], rows["untouched.ipynb"]
        good = (sol["status"] == "graded" and sol["total"] == sol["max_total"] > 0
                and blank["total"] < blank["max_total"])
        ok &= good
        print(f"{name}: solution {sol['total']:g}/{sol['max_total']:g}, untouched student "
              f"notebook {blank['total']:g}/{blank['max_total']:g} -> "
              f"{'OK' if good else 'FAILED'}")
    return ok


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="student notebooks and autograders")
    g.add_argument("names", nargs="*", help=f"assignments (default: all of {', '.join(NAMES)})")
    g.add_argument("--out", help="output folder (default: exercises/assignments/NAME/dist)")
    g.add_argument("--jobs", type=int, default=2, help="assignments generated at once (default 2)")
    r = sub.add_parser("grade", help="grade submissions into a CSV")
    r.add_argument("name", help="assignment name")
    r.add_argument("submissions", nargs="+", help="notebooks or folders of notebooks")
    r.add_argument("--csv", default="scores.csv", help="CSV to write (default: scores.csv)")
    r.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default 2)")
    r.add_argument("--out", help="where `generate --out` put the autograders")
    t = sub.add_parser("selftest", help="solutions get full marks, blank notebooks do not")
    t.add_argument("names", nargs="*")
    t.add_argument("--jobs", type=int, default=2)
    t.add_argument("--out", help="output folder (default: exercises/assignments/NAME/dist)")
    args = parser.parse_args(argv)

    if args.command == "generate":
        names = args.names or NAMES
        for name, target in zip(names, generate_all(names, args.out, args.jobs)):
            print(f"{name}: student notebook {target / 'student' / (name + '.ipynb')}")
            print(f"{' ' * len(name)}  autograder       {autograder_zip(name, args.out)}")
        return 0
    if args.command == "grade":
        rows = grade(args.name, args.submissions, args.csv, args.jobs, args.out)
        for row in rows:
            note = f"  ({row['error']})" if row["error"] else ""
            print(f"{row['submission']}: {row['total']:g}/{row['max_total']:g}{note}")
        print(f"wrote {args.csv}")
        return 0 if all(r["status"] == "graded" for r in rows) else 1
    names = [check_name(n) for n in args.names] or NAMES
    return 0 if selftest(names, args.jobs, args.out) else 1


if __name__ == "__main__":
    sys.exit(main())
