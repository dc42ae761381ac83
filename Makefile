# localrule — book, package and tests.
#
#   make book    build the book (notebooks executed) into _build/html
#   make test    unit tests + every notebook (nbval) + the built book in headless Chromium
#   make lab     JupyterLab on the chapters and exercises
#   make bench   timing benchmark of the learning rules
#   make clean   remove build products and caches

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON_SYS ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV       := .venv
PY         := $(VENV)/bin/python
STAMP      := $(VENV)/.installed
VENDOR     := book/_vendor/.complete
HTML       := _build/html

# Kernels started by Jupyter Book, nbval and JupyterLab use the venv's python3 kernel,
# never a user-level kernelspec that could point at another Python.
export JUPYTER_PREFER_ENV_PATH := 1
# Silence the "frozen modules" debugger warning that kernels print on Python 3.11.
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# The matrices here are small (at most a few thousand rows by 784): one BLAS thread per process
# is as fast, and keeps pytest's workers, the book build and numba's threads from fighting over
# two cores.
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

PYTEST_NB := --nbval-lax --nbval-current-env -n 2 --dist loadscope

.PHONY: help venv vendor book test lab bench clean

help:
	@echo "localrule — targets:"
	@echo "  make book    build the book with executed notebooks -> $(HTML)/index.html"
	@echo "  make test    unit tests, every notebook (nbval) and the built book in headless Chromium"
	@echo "  make lab     start JupyterLab"
	@echo "  make bench   run the benchmark (python -m localrule bench)"
	@echo "  make venv    create $(VENV) and install requirements.txt"
	@echo "  make clean   remove _build and caches (keeps .venv and book/_vendor)"

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@if [ ! -x "$(PY)" ]; then \
	  if [ -z "$(PYTHON_SYS)" ]; then echo "python3.11 or python3 is needed" >&2; exit 1; fi; \
	  echo "creating $(VENV) with $(PYTHON_SYS)"; \
	  "$(PYTHON_SYS)" -m venv "$(VENV)"; \
	fi
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	@# editable install of localrule, so kernels started from book/ or exercises/ import it;
	@# without setuptools in the venv (Python >= 3.12) pip builds it in an isolated environment
	PYTHONWARNINGS=ignore $(PY) -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e . \
	  || $(PY) -m pip install --disable-pip-version-check -q --no-deps -e .
	@touch $@

vendor: $(VENDOR)

$(VENDOR): scripts/fetch_vendor.sh
	bash scripts/fetch_vendor.sh
	@touch $@

# The book is built by scripts/build_book.sh so that the browser test (tests/test_browser.py)
# runs exactly the same build when pytest is started on its own.
book: venv vendor
	PYTHON=$(PY) bash scripts/build_book.sh
	@echo
	@echo "Book built. Open: $(HTML)/index.html"

# The book build (notebooks executed, -W) starts in the background at once, so it runs on one
# core from the first second while pytest's two workers go through the unit tests and, with nbval,
# every notebook in book/ and exercises/. tests/test_browser.py waits for that build (it does not
# start another) and checks the pages in headless Chromium. The build therefore runs exactly once;
# its log is _build/book-build.log. Run on its own, tests/test_browser.py builds the book itself.
BUILD_STATUS := _build/book-build.status
BUILD_LOG    := _build/book-build.log

test: venv vendor
	@mkdir -p _build; rm -f $(BUILD_STATUS)
	@echo "make test: building the book in the background (log: $(BUILD_LOG))"
	@setsid env PYTHON=$(PY) BOOK_BUILD_STATUS=$(BUILD_STATUS) bash scripts/build_book.sh \
	    >$(BUILD_LOG) 2>&1 </dev/null & build=$$!; \
	trap 'kill -TERM -- -'$$build' 2>/dev/null || true' INT TERM; \
	status=0; LOCALRULE_BOOK_BUILD_STATUS=$(BUILD_STATUS) LOCALRULE_BOOK_BUILD_LOG=$(BUILD_LOG) \
	    $(PY) -m pytest $(PYTEST_NB) tests book exercises || status=$$?; \
	if [ ! -f $(BUILD_STATUS) ]; then kill -TERM -- -$$build 2>/dev/null || true; fi; \
	wait $$build 2>/dev/null || true; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests (exit 5)" >&2; fi; \
	if [ $$status -eq 0 ] && [ "$$(cat $(BUILD_STATUS) 2>/dev/null)" != 0 ]; then \
	  echo "make test: the book build failed; see $(BUILD_LOG)" >&2; status=1; fi; \
	exit $$status

lab: venv
	$(VENV)/bin/jupyter lab

bench: venv
	$(PY) -m localrule bench

clean:
	rm -rf _build .pytest_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -path ./$(VENV) -prune -o -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +
