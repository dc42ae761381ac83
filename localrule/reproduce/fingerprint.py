"""Fingerprints: which code and which inputs made a run file or a report.

A run file made by different localrule code is recomputed, and the report is rebuilt only when
something it depends on changed. See chapters 6-8.
"""

import hashlib
import importlib
import json
from pathlib import Path

#: Modules whose code determines the numbers of each kind of run file. A run file made by
#: different code is recomputed (with a notice), never mixed with new results.
CODE_MODULES = {
    "task": ("_numba", "attacks", "data", "experiments", "gradients", "kernels", "mnist",
             "network", "rules", "tasks", "train", "validation"),
    "association": ("_numba", "association", "stdp_kernels", "validation"),
}
CODE_MODULES["locality"] = CODE_MODULES["task"]
CODE_MODULES["parallel"] = CODE_MODULES["task"]


def file_digest(path):
    """SHA-256 (hex) of the bytes of the file at ``path``."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def code_fingerprint(kind):
    """SHA-256 of each module whose code decides the numbers of a run file of ``kind``."""
    out = {}
    for name in CODE_MODULES[kind]:
        module = importlib.import_module(f"localrule.{name}")
        out[name] = file_digest(module.__file__)[:16]
    return out


def report_key(settings, tasks, seeds, paths):
    """A digest of everything the report depends on: settings, run files and report code."""
    h = hashlib.sha256(json.dumps({"settings": settings, "tasks": [t.slug for t in tasks],
                                   "seeds": seeds}, sort_keys=True).encode())
    for path in paths:
        h.update(path.name.encode() + file_digest(path).encode())
    import localrule.plots

    plot_code = sorted(Path(localrule.plots.__file__).parent.glob("*.py"))
    report_code = [*plot_code, *sorted(Path(__file__).parent.glob("*.py"))]
    for source in report_code:
        h.update(source.read_bytes())
    return h.hexdigest()
