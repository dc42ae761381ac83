#!/usr/bin/env bash
# Fetch the JavaScript the book needs to render offline (MathJax, RequireJS and the
# ipywidgets HTML manager) from the npm registry into book/_vendor/ (git-ignored).
#
# _config.yml points `mathjax_path` and `nb_ipywidgets_js` at these copies and lists
# book/_vendor in `html_static_path`, so the built HTML loads nothing from a CDN.
# Each package is fetched only if its folder is missing or holds another version
# (book/_vendor/NAME/.npm-spec); delete book/_vendor to refetch everything.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENDOR=book/_vendor

# name in book/_vendor | npm spec | file that must exist afterwards | folders to keep
PACKAGES=(
  "mathjax|mathjax@3.2.2|es5/tex-mml-chtml.js|es5 LICENSE"
  "requirejs|requirejs@2.3.7|require.js|require.js package.json"
  "html-manager|@jupyter-widgets/html-manager@1.0.6|dist/embed-amd.js|dist LICENSE"
)

missing=()
for entry in "${PACKAGES[@]}"; do
  IFS='|' read -r name spec check keep <<<"$entry"
  if [[ ! -f "$VENDOR/$name/$check" || "$(cat "$VENDOR/$name/.npm-spec" 2>/dev/null)" != "$spec" ]]; then
    missing+=("$entry")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "fetch_vendor: book/_vendor is complete"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "fetch_vendor: npm is needed to fetch ${#missing[@]} package(s) into $VENDOR" >&2
  echo "fetch_vendor: install Node.js + npm (Debian: apt-get install -y npm)" >&2
  exit 1
fi

mkdir -p "$VENDOR"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/localrule-vendor.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

for entry in "${missing[@]}"; do
  IFS='|' read -r name spec check keep <<<"$entry"
  echo "fetch_vendor: $spec -> $VENDOR/$name"
  mkdir -p "$tmp/$name/pack" "$tmp/$name/unpacked"
  (cd "$tmp/$name/pack" && npm pack --silent "$spec" >/dev/null)
  tar -xzf "$tmp/$name/pack/"*.tgz -C "$tmp/$name/unpacked"
  mkdir -p "$tmp/$name/out"
  for item in $keep; do
    cp -R "$tmp/$name/unpacked/package/$item" "$tmp/$name/out/"
  done
  # source maps and the non-AMD bundle are never loaded by the book
  find "$tmp/$name/out" \( -name '*.map' -o -path '*/dist/embed.js' \) -delete
  if [[ ! -f "$tmp/$name/out/$check" ]]; then
    echo "fetch_vendor: $spec has no $check" >&2
    exit 1
  fi
  echo "$spec" >"$tmp/$name/out/.npm-spec"
  # replace atomically so an interrupted fetch never leaves a half-filled folder
  rm -rf "$VENDOR/$name"
  mv "$tmp/$name/out" "$VENDOR/$name"
done

echo "fetch_vendor: done ($(du -sh "$VENDOR" | cut -f1) in $VENDOR)"
