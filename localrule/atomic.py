"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Every file the package writes (saved networks, the MNIST cache, reproduction results) is written to
a temporary name in the same folder, flushed to disk and renamed into place; if anything fails on
the way the temporary file is removed and the original is left as it was.
"""

import os
import uuid
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_file(path):
    """Open a temporary binary file that replaces ``path`` when the ``with`` block succeeds.

    The temporary file is ``.tmp-<random><suffix>`` in the folder of ``path``, which must exist.
    """
    path = Path(path)
    tmp = path.parent / f".tmp-{uuid.uuid4().hex}{path.suffix}"
    try:
        with open(tmp, "xb") as fh:  # mode from the umask, like any new file
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)  # atomic on POSIX and Windows
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
