"""The book's table of contents (_toc.yml), read once for the tests that need it."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_entries():
    """Document paths listed in _toc.yml (as written, usually without suffix), root first."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    entries = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                entries.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return entries
