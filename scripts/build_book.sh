#!/usr/bin/env bash
# Build the book into _build/html with every notebook executed.
#
# -W turns warnings into errors, -n reports broken references, and
# `nb_execution_raise_on_error: true` in _config.yml makes a failing cell fail the build.
# Executed notebooks are cached in _build/.jupyter_cache (keyed on the notebooks' code);
# since that key does not see the localrule package, the cache is dropped whenever the
# package's source changes, so the book never shows outputs of an older package.
#
# Used by `make book`, by `make test` (in the background, while pytest runs the notebooks) and by
# tests/test_browser.py when pytest is started on its own.
#
# Environment: PYTHON (default .venv/bin/python) picks the venv; BOOK_BUILD_STATUS, if set, names
# a file that receives the exit status when the build ends (tests/test_browser.py waits for it).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-.venv/bin/python}
BIN=$(dirname "$PYTHON")

write_status() {
  local status=$?
  if [[ -n "${BOOK_BUILD_STATUS:-}" ]]; then
    mkdir -p "$(dirname "$BOOK_BUILD_STATUS")"
    echo "$status" >"$BOOK_BUILD_STATUS.tmp" && mv "$BOOK_BUILD_STATUS.tmp" "$BOOK_BUILD_STATUS"
  fi
}
if [[ -n "${BOOK_BUILD_STATUS:-}" ]]; then
  rm -f "$BOOK_BUILD_STATUS"
  trap write_status EXIT
fi

export JUPYTER_PREFER_ENV_PATH=1
export PYDEVD_DISABLE_FILE_VALIDATION=1

started=$SECONDS
bash scripts/fetch_vendor.sh

mkdir -p _build
stamp=_build/.localrule-source.sha256
current=$(find localrule -name '*.py' -type f -print0 2>/dev/null | sort -z \
          | xargs -0 -r sha256sum | sha256sum | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" != "$current" ]]; then
  echo "build_book: localrule changed since the last build; re-executing every notebook"
  rm -rf _build/.jupyter_cache _build/.doctrees
fi

if [[ -t 1 ]]; then
  "$BIN/jupyter-book" build -W -n --keep-going .
else
  # Sphinx colours its output even into a file; strip the escape codes from logs
  "$BIN/jupyter-book" build -W -n --keep-going . 2>&1 | sed -u $'s/\e\\[[0-9;]*m//g'
fi

echo "$current" >"$stamp"
echo "build_book: done in $((SECONDS - started)) s"
