"""Sphinx extension used by the book build (listed in _config.yml under local_extensions).

Sphinx 7.4 registers inline scripts added through ``app.add_js_file(None, body=...)`` twice:
once with filename ``None`` when the extension adds it, and again with filename ``""`` when the
HTML builder replays the registry in ``prepare_writing``. The two copies do not compare equal,
so every page carries each inline script twice; sphinx-thebe's ``const THEBE_JS_URL = ...``
declared twice is a SyntaxError in the browser console. This drops the repeated copies.
"""

from __future__ import annotations


def _key(script):
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {}) or {}
    return filename, tuple(sorted((k, str(v)) for k, v in attributes.items()))


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen = set()
    unique = []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique  # in place: other handlers may hold the same list


def setup(app):
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
