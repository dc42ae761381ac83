"""Repository hygiene: notebooks are stored clean, the table of contents matches book/,
the book is configured to render offline, and the documented entry points exist.
"""

import os
import re
import stat
from pathlib import Path

import nbformat
import pytest
import yaml

from book_toc import toc_entries

ROOT = Path(__file__).resolve().parents[1]
SKIP_PARTS = {"dist", "_build", ".ipynb_checkpoints", "_vendor", "node_modules"}


def stored_notebooks():
    """Every notebook under book/ and exercises/, except built or generated copies."""
    found = []
    for top in ("book", "exercises"):
        for path in sorted((ROOT / top).rglob("*.ipynb")):
            if SKIP_PARTS.isdisjoint(path.relative_to(ROOT).parts):
                found.append(path)
    return found


def resolve_toc_entry(entry):
    """The source file behind a TOC entry, or None."""
    stem = ROOT / entry
    if stem.suffix in (".ipynb", ".md") and stem.is_file():
        return stem
    for suffix in (".ipynb", ".md"):
        candidate = stem.with_name(stem.name + suffix)
        if candidate.is_file():
            return candidate
    return None


NOTEBOOKS = stored_notebooks()


def test_there_are_notebooks():
    assert any(p.parts[-2] == "book" for p in NOTEBOOKS), "no notebook found under book/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_has_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    rel = path.relative_to(ROOT)
    dirty = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        # nbstripout keeps a cell's output only when its metadata says keep_output: true
        # (what an nbval `# NBVAL_CHECK_OUTPUT` cell needs); every other cell must be empty.
        if cell.metadata.get("keep_output") is True:
            continue
        if cell.get("outputs"):
            dirty.append(f"cell {index}: {len(cell.outputs)} stored output(s)")
        if cell.get("execution_count") is not None:
            dirty.append(f"cell {index}: execution_count {cell.execution_count}")
    if "widgets" in nb.metadata:
        dirty.append("notebook metadata stores widget state")
    assert not dirty, (
        f"{rel} is stored with outputs ({'; '.join(dirty)}); run `.venv/bin/nbstripout {rel}`"
    )


def test_every_toc_entry_exists():
    missing = [entry for entry in toc_entries() if resolve_toc_entry(entry) is None]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_every_book_notebook_is_in_the_toc():
    listed = {resolve_toc_entry(entry) for entry in toc_entries()}
    book_notebooks = [p for p in NOTEBOOKS if p.relative_to(ROOT).parts[0] == "book"]
    orphans = [str(p.relative_to(ROOT)) for p in book_notebooks if p not in listed]
    assert not orphans, f"notebooks in book/ missing from _toc.yml (they would not be built): {orphans}"


def test_toc_root_is_the_introduction():
    assert toc_entries()[0] == "book/00_introduction"


def test_book_config_fails_on_errors_and_renders_offline():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    sphinx = config["sphinx"]["config"]
    assert sphinx["nb_execution_raise_on_error"] is True
    assert config["execute"]["execute_notebooks"] == "cache"
    assert config["only_build_toc_files"] is True
    # MathJax, require.js and the widget manager come from book/_vendor, never from a CDN
    assert "book/_vendor" in sphinx["html_static_path"]
    assert "://" not in sphinx["mathjax_path"]
    assert sphinx["nb_ipywidgets_js"], "nb_ipywidgets_js must list the local require.js and embed-amd.js"
    for url in sphinx["nb_ipywidgets_js"]:
        assert "://" not in url, f"nb_ipywidgets_js loads {url} from the network"
    assert not (ROOT / "_static").exists(), (
        "a root _static/ folder is added to every page by Jupyter Book; keep assets in book/_vendor"
    )


def _quick_start(readme):
    match = re.search(r"^(#+)\s*Quick start\s*$", readme, flags=re.IGNORECASE | re.MULTILINE)
    assert match, "README.md has no 'Quick start' section"
    level = len(match.group(1))
    rest = readme[match.end():]
    end = re.search(rf"^#{{1,{level}}}\s", rest, flags=re.MULTILINE)
    return rest[: end.start()] if end else rest


def test_readme_quick_start_shows_make_book_and_make_test_first():
    section = _quick_start((ROOT / "README.md").read_text(encoding="utf-8"))
    commands = re.findall(r"^\s*(make \w+)", section, flags=re.MULTILINE)
    assert "make book" in commands and "make test" in commands, commands
    assert commands[:2] == ["make book", "make test"], f"quick start starts with {commands}"


def test_ci_script_runs_make_test():
    script = ROOT / ".ci" / "run"
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#!"), ".ci/run needs a shebang"
    assert "set -euo pipefail" in text
    code = [line.split("#", 1)[0] for line in text.splitlines()]
    assert any(re.search(r"\bmake\b.*\btest\b", line) for line in code), ".ci/run does not call make test"
    assert os.stat(script).st_mode & stat.S_IXUSR, ".ci/run is not executable"


def test_makefile_runs_notebooks_in_the_current_env():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for flag in ("--nbval-lax", "--nbval-current-env", "--dist loadscope", "-W -n --keep-going"):
        assert flag in makefile or flag in (ROOT / "scripts" / "build_book.sh").read_text(), flag
