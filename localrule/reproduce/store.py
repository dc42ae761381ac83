"""The output folder of a reproduction run: safe writes, run files, the lock and resuming.

A file is only ever replaced whole (temporary file + ``os.replace``), so an interrupted run
leaves the previous files intact and the next run resumes where it stopped. Run files made with
other settings are refused (or, with ``force``, removed); run files made by other code are
recomputed. See chapters 6-8.
"""

import json
import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from localrule.atomic import atomic_file

from localrule.reproduce.fingerprint import code_fingerprint
from localrule.reproduce.settings import FORMAT, differences

#: The file that marks a folder as a reproduce output folder (settings, report key, files).
MARKER = "reproduce.json"
LOCK = ".reproduce.lock"


class ReproduceError(ValueError):
    """A bad argument or an output folder that cannot be used as asked (nothing was computed)."""


# ----------------------------------------------------------------------------- safe files
def atomic_write_bytes(path, data):
    """Replace ``path`` by ``data`` through a temporary file; keep it untouched if identical.

    Returns True when the file was (re)written.
    """
    path = Path(path)
    if path.is_file() and path.read_bytes() == data:
        return False
    with atomic_file(path) as fh:
        fh.write(data)
    return True


def atomic_write_text(path, text):
    """:func:`atomic_write_bytes` of ``text`` encoded as UTF-8."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"cannot store {type(obj).__name__} in a run file")


def write_json(path, obj):
    """Write ``obj`` as indented JSON (numpy numbers as Python numbers), atomically."""
    atomic_write_text(path, json.dumps(obj, indent=1, default=_json_default,
                                       allow_nan=False) + "\n")


def _read_json_dict(path):
    """The dict stored at ``path``, or None when it cannot be read as a JSON object."""
    try:
        obj = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return obj if isinstance(obj, dict) else None


def read_run_file(path):
    """The dict stored at ``path``, or None when it is not a complete run file."""
    obj = _read_json_dict(path)
    if obj is None or obj.get("settings", {}).get("format") != FORMAT:
        return None
    return obj


def read_marker(out):
    """The marker dict of the folder ``out`` ({} when there is none)."""
    return _read_json_dict(out / MARKER) or {}


# ----------------------------------------------------------------------------- the folder
def check_out(out):
    """The output folder as a Path; refuse a file or a non-empty folder that is not ours."""
    if not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"out must be a folder path, got {type(out).__name__}")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out: {str(out)!r} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise ValueError(f"out: {str(out)!r} is not empty and holds no {MARKER}, so it is not a "
                         f"reproduce output folder; choose a new or empty folder")
    return out


@contextmanager
def locked(folder):
    """Hold an exclusive lock on ``folder`` (two runs must not write the same files)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock, files are still atomic
        yield
        return
    with open(folder / LOCK, "a") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ReproduceError(f"out: another reproduce run is writing to {str(folder)!r}; "
                                 f"wait for it or choose another --out") from None
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def remove_stale_temporaries(folder):
    """Temporary files left by a killed run (never a finished file)."""
    for tmp in list(folder.glob(".tmp-*")) + list(folder.glob("*/.tmp-*")):
        tmp.unlink(missing_ok=True)


# ----------------------------------------------------------------------------- run files
def run_file(folder, task, seed):
    """The run file of ``task`` x ``seed`` in ``folder``."""
    return folder / f"{task.slug}_seed{seed}.json"


def net_file(folder, task, seed, rule):
    """The saved network of ``rule`` trained on ``task`` x ``seed`` in ``folder``."""
    return folder / f"{task.slug}_seed{seed}_{rule}.npz"


def scan_run_files(runs, wanted, settings):
    """Sort the complete run files in ``runs``: reuse, recompute (other code) or conflict.

    Parameters
    ----------
    runs : Path
        The ``runs/`` folder (need not exist).
    wanted : dict
        ``{path: (kind, key)}`` of the run files this run needs.
    settings : dict
        This run's :func:`localrule.reproduce.settings.make_settings`.

    Returns
    -------
    existing : dict
        ``{path: record}`` of wanted run files made with these settings and this code.
    conflicts : list of (Path, dict)
        Run files made with other settings, with those settings.
    outdated : int
        How many wanted run files were made by other code (they are recomputed).
    """
    existing, conflicts, outdated = {}, [], 0
    if runs.is_dir():
        for path in sorted(runs.glob("*.json")):
            record = read_run_file(path)
            if record is None:
                continue  # not a complete run file: recomputed if wanted
            if record["settings"] != settings:
                conflicts.append((path, record["settings"]))
            elif path in wanted and record.get("code") != code_fingerprint(wanted[path][0]):
                outdated += 1
            elif path in wanted:
                existing[path] = record
    return existing, conflicts, outdated


def refuse_conflicts(out, conflicts, settings):
    """Raise :class:`ReproduceError` when ``out`` holds run files made with other settings."""
    if conflicts:
        path, stored = conflicts[0]
        raise ReproduceError(
            f"out: {str(out)!r} holds {len(conflicts)} run file(s) made with other settings "
            f"(e.g. {path.name}: {'; '.join(differences(stored, settings))}); rerun with "
            f"--force to replace them, or choose another --out")


def remove_conflicts(runs, conflicts):
    """Delete run files made with other settings, and their networks."""
    for path, _ in conflicts:
        path.unlink(missing_ok=True)
        for net in runs.glob(f"{path.stem}_*.npz"):
            net.unlink()
