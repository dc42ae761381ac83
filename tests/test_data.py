"""Tests for the dataset loaders (localrule.data) and the MNIST sources (localrule.mnist).

The full-MNIST path is exercised against a local HTTP server on 127.0.0.1 that serves tiny IDX
files written here; nothing in this file touches the real network.
"""

import functools
import gzip
import hashlib
import http.server
import socket
import struct
import threading

import numpy as np
import pytest
from sklearn.datasets import load_iris as sklearn_iris

from localrule import mnist
from localrule.data import (IRIS_CLASSES, _stratified_split, load_iris, load_iris_pair, load_mnist,
                            load_mnist_pair)
from localrule.mnist import MNISTUnavailableError, fetch_mnist_full, load_bundled, read_idx


@pytest.fixture(autouse=True, scope="module")
def private_cache(tmp_path_factory):
    """Keep every cache file of this module out of the user's real cache directory."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOCALRULE_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield


LOADERS = {
    "iris_pair": (lambda **kw: load_iris_pair("versicolor", "virginica", **kw), 4, 2),
    "iris": (load_iris, 4, 3),
    "mnist_pair": (lambda **kw: load_mnist_pair(3, 5, **kw), 784, 2),
    "mnist": (load_mnist, 784, 10),
}


# ----------------------------------------------------------------------------- common properties
@pytest.mark.parametrize("name", LOADERS)
def test_shapes_dtypes_ranges(name):
    loader, n_features, n_classes = LOADERS[name]
    X_train, y_train, X_test, y_test = loader(seed=0)
    for X, y in ((X_train, y_train), (X_test, y_test)):
        assert X.dtype == np.float64 and X.flags.c_contiguous and X.ndim == 2
        assert X.shape == (y.shape[0], n_features)
        assert y.dtype == np.int64 and y.ndim == 1
        assert 0.0 <= X.min() and X.max() <= 1.0
        assert set(np.unique(y)) == set(range(n_classes))
    n = X_train.shape[0] + X_test.shape[0]
    assert X_test.shape[0] == pytest.approx(0.3 * n, abs=n_classes)


@pytest.mark.parametrize("name", LOADERS)
def test_split_is_stratified(name):
    loader, _, n_classes = LOADERS[name]
    _, y_train, _, y_test = loader(seed=3)
    for y in (y_train, y_test):
        counts = np.bincount(y, minlength=n_classes)
        assert counts.min() > 0 and counts.max() - counts.min() <= 1  # the datasets are balanced
    # the classes are interleaved, not one block after the other
    assert np.any(np.diff(y_train) != 0) and not np.all(np.diff(y_train) >= 0)


@pytest.mark.parametrize("name", LOADERS)
def test_seed_fixes_the_split(name):
    loader = LOADERS[name][0]
    first, again, other = loader(seed=0), loader(seed=0), loader(seed=1)
    for u, v in zip(first, again):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(first[2], other[2])


def test_test_size_is_honoured():
    X_train, _, X_test, _ = load_mnist_pair(0, 1, test_size=0.5)
    assert X_train.shape[0] == X_test.shape[0] == 500


def test_stratified_split_partitions_indices():
    y = np.repeat([0, 1, 2], [10, 20, 31])
    train, test = _stratified_split(y, 0.3, seed=0)
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(y.size))
    np.testing.assert_array_equal(np.bincount(y[test]), [3, 6, 9])


# ----------------------------------------------------------------------------- IRIS
def test_iris_scaling_uses_training_statistics_only():
    raw = sklearn_iris()
    keep = np.isin(raw.target, [1, 2])
    X_raw, y_raw = raw.data[keep], (raw.target[keep] == 2).astype(np.int64)
    clipped_somewhere = False
    for seed in range(5):
        X_train, y_train, X_test, y_test = load_iris_pair("versicolor", "virginica", seed=seed)
        train, test = _stratified_split(y_raw, 0.3, seed)
        lo, hi = X_raw[train].min(axis=0), X_raw[train].max(axis=0)
        np.testing.assert_array_equal(y_train, y_raw[train])
        np.testing.assert_allclose(X_train, (X_raw[train] - lo) / (hi - lo))
        unclipped = (X_raw[test] - lo) / (hi - lo)
        np.testing.assert_allclose(X_test, np.clip(unclipped, 0, 1))
        # every training feature spans exactly [0, 1]; the test split does not define the scale
        np.testing.assert_array_equal(X_train.min(axis=0), 0.0)
        np.testing.assert_array_equal(X_train.max(axis=0), 1.0)
        clipped_somewhere |= bool(np.any((unclipped < 0) | (unclipped > 1)))
    assert clipped_somewhere  # so the clip above is really exercised


def test_iris_pair_label_order():
    # petal length (feature 2) separates setosa (short) from virginica (long) completely
    X, y, _, _ = load_iris_pair("setosa", "virginica")
    assert X[y == 0, 2].max() < X[y == 1, 2].min()
    X, y, _, _ = load_iris_pair("virginica", "setosa")
    assert X[y == 0, 2].min() > X[y == 1, 2].max()


def test_iris_names_and_indices_agree():
    by_name = load_iris_pair("versicolor", "Virginica", seed=2)
    by_index = load_iris_pair(1, np.int64(2), seed=2)
    for u, v in zip(by_name, by_index):
        np.testing.assert_array_equal(u, v)
    assert IRIS_CLASSES == tuple(sklearn_iris().target_names)


def test_iris_three_classes_sizes():
    X_train, y_train, X_test, y_test = load_iris()
    assert X_train.shape == (105, 4) and X_test.shape == (45, 4)
    np.testing.assert_array_equal(np.bincount(y_test), [15, 15, 15])


# ----------------------------------------------------------------------------- bundled MNIST
def _row_set(images):
    return {row.tobytes() for row in np.asarray(images, dtype=np.float64)}


def test_bundled_mnist_pair_sizes_and_labels():
    X_train, y_train, X_test, y_test = load_mnist_pair(3, 5, seed=0)
    assert X_train.shape[0] + X_test.shape[0] == 1000
    assert (X_train.shape[0], X_test.shape[0]) == (700, 300)
    images, labels = load_bundled()
    threes, fives = _row_set(images[labels == 3] / 255.0), _row_set(images[labels == 5] / 255.0)
    assert _row_set(np.vstack([X_train[y_train == 0], X_test[y_test == 0]])) <= threes
    assert _row_set(np.vstack([X_train[y_train == 1], X_test[y_test == 1]])) <= fives
    # swapping the digits swaps the labels
    _, y_swapped, _, _ = load_mnist_pair(5, 3, seed=0)
    X_swapped = load_mnist_pair(5, 3, seed=0)[0]
    assert _row_set(X_swapped[y_swapped == 0]) <= fives


def test_bundled_mnist_all_digits():
    X_train, y_train, X_test, y_test = load_mnist(seed=0)
    np.testing.assert_array_equal(np.bincount(y_train), [350] * 10)
    np.testing.assert_array_equal(np.bincount(y_test), [150] * 10)
    images, labels = load_bundled()
    assert images.shape == (5000, 784) and images.dtype == np.uint8
    np.testing.assert_array_equal(np.bincount(labels), [500] * 10)
    assert X_train.max() == 1.0  # /255 of real 8-bit digits reaches full intensity


def test_bundled_cache_is_created_then_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALRULE_CACHE", str(tmp_path))
    monkeypatch.setattr(mnist, "_BUNDLED_MEMO", {})
    images, labels = load_bundled()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mnist_5k_uint8.npy"]  # no temp left
    assert load_bundled()[0] is images  # memoized in-process
    assert not images.flags.writeable

    # a fresh process (empty memo) reads the .npy and never parses the CSV again
    monkeypatch.setattr(mnist, "_BUNDLED_MEMO", {})

    def no_csv():
        raise AssertionError("the CSV was parsed although the cache exists")

    monkeypatch.setattr(mnist, "_parse_bundled_csv", no_csv)
    again, again_labels = load_bundled()
    np.testing.assert_array_equal(again, images)
    np.testing.assert_array_equal(again_labels, labels)
    np.testing.assert_array_equal(load_mnist_pair(3, 5)[0], load_mnist_pair(3, 5)[0])

    # a damaged cache file is rebuilt rather than trusted
    table = np.hstack([images, labels[:, None].astype(np.uint8)])
    (tmp_path / "mnist_5k_uint8.npy").write_bytes(b"\x93NUMPY garbage")
    monkeypatch.setattr(mnist, "_BUNDLED_MEMO", {})
    calls = []
    monkeypatch.setattr(mnist, "_parse_bundled_csv", lambda: calls.append(1) or table.copy())
    np.testing.assert_array_equal(load_bundled()[0], images)
    assert calls == [1]
    np.testing.assert_array_equal(np.load(tmp_path / "mnist_5k_uint8.npy"), table)


def test_interrupted_cache_write_leaves_nothing(tmp_path, monkeypatch):
    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # e.g. the user stops the kernel mid-write

    monkeypatch.setattr(np, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        mnist._atomic_save(tmp_path / "x.npy", np.zeros(3))
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- bad arguments
BAD_CALLS = [
    (lambda: load_iris_pair("rose", "setosa"), ValueError, "a"),
    (lambda: load_iris_pair("setosa", 3), ValueError, "b"),
    (lambda: load_iris_pair("setosa", -1), ValueError, "b"),
    (lambda: load_iris_pair("setosa", 0), ValueError, "b"),
    (lambda: load_iris_pair("virginica", "virginica"), ValueError, "b"),
    (lambda: load_iris_pair(1.0, 2), TypeError, "a"),
    (lambda: load_iris_pair(True, 2), TypeError, "a"),
    (lambda: load_mnist_pair(3, 3), ValueError, "b"),
    (lambda: load_mnist_pair(3, 10), ValueError, "b"),
    (lambda: load_mnist_pair(-1, 5), ValueError, "a"),
    (lambda: load_mnist_pair("3", 5), TypeError, "a"),
    (lambda: load_mnist_pair(3, 5, source="web"), ValueError, "source"),
    (lambda: load_mnist(source="Full"), ValueError, "source"),
    (lambda: load_mnist(seed=-1), ValueError, "seed"),
    (lambda: load_iris(seed=1.5), TypeError, "seed"),
    (lambda: load_mnist_pair(3, 5, seed="0"), TypeError, "seed"),
    (lambda: load_iris_pair(0, 1, seed=True), TypeError, "seed"),
    (lambda: load_iris(test_size=0), ValueError, "test_size"),
    (lambda: load_iris(test_size=1), ValueError, "test_size"),
    (lambda: load_mnist(test_size=1.5), ValueError, "test_size"),
    (lambda: load_mnist_pair(3, 5, test_size=-0.2), ValueError, "test_size"),
    (lambda: load_iris(test_size=float("nan")), ValueError, "test_size"),
    (lambda: load_iris(test_size="0.3"), TypeError, "test_size"),
    (lambda: load_iris_pair(0, 1, test_size=0.001), ValueError, "test_size"),  # empty test part
    (lambda: fetch_mnist_full(known_hashes={}), ValueError, "known_hashes"),
    (lambda: fetch_mnist_full(known_hashes=["x"]), TypeError, "known_hashes"),
    (lambda: fetch_mnist_full(base_url=5), TypeError, "base_url"),
]


@pytest.mark.parametrize("call, error, name", BAD_CALLS)
def test_bad_arguments_name_the_argument(call, error, name):
    with pytest.raises(error, match=rf"^{name}\b"):
        call()


# ----------------------------------------------------------------------------- IDX parser
def idx_bytes(arr):
    """Encode a uint8 array in the IDX format (what the original MNIST files contain)."""
    arr = np.asarray(arr, dtype=np.uint8)
    header = bytes([0, 0, 0x08, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.tobytes()


def test_read_idx_roundtrip_plain_and_gzip(tmp_path):
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a.idx").write_bytes(idx_bytes(arr))
    (tmp_path / "a.idx.gz").write_bytes(gzip.compress(idx_bytes(arr)))
    for name in ("a.idx", "a.idx.gz"):
        out = read_idx(tmp_path / name)
        assert out.dtype == np.uint8
        np.testing.assert_array_equal(out, arr)
    wide = np.array([[1, -2], [300, 4]], dtype=">i2")
    raw = bytes([0, 0, 0x0B, 2]) + struct.pack(">2I", 2, 2) + wide.tobytes()
    (tmp_path / "w.idx").write_bytes(raw)
    np.testing.assert_array_equal(read_idx(tmp_path / "w.idx"), [[1, -2], [300, 4]])


@pytest.mark.parametrize("content", [
    idx_bytes(np.zeros((4, 28, 28)))[:-1],                  # truncated payload
    idx_bytes(np.zeros((4, 28, 28))) + b"\0",              # trailing bytes
    idx_bytes(np.zeros((4, 28, 28)))[:9],                   # truncated header
    b"<html>Not found</html>",                               # foreign file
    b"",                                                     # empty
    gzip.compress(idx_bytes(np.zeros((4, 28, 28))), mtime=0)[:40],   # cut gzip stream
], ids=["truncated-payload", "trailing-bytes", "truncated-header", "foreign", "empty",
        "cut-gzip"])
def test_read_idx_rejects_bad_files(tmp_path, content):
    path = tmp_path / "bad-file.gz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="bad-file.gz"):
        read_idx(path)


# ----------------------------------------------------------------------------- full MNIST, local
def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def tiny_mnist(tmp_path, monkeypatch):
    """Serve four tiny MNIST-format files (30 training, 20 test images) from 127.0.0.1."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    rng = np.random.default_rng(0)
    served = tmp_path / "served"
    served.mkdir()
    arrays = {}
    for prefix, n in (("train", 30), ("t10k", 20)):
        arrays[f"{prefix}-images-idx3-ubyte.gz"] = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        arrays[f"{prefix}-labels-idx1-ubyte.gz"] = (np.arange(n) % 10).astype(np.uint8)
    hashes = {}
    for name, arr in arrays.items():
        blob = gzip.compress(idx_bytes(arr))
        (served / name).write_bytes(blob)
        hashes[name] = hashlib.sha256(blob).hexdigest()
    handler = functools.partial(_QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    images = np.concatenate([arrays["train-images-idx3-ubyte.gz"],
                             arrays["t10k-images-idx3-ubyte.gz"]]).reshape(50, 784)
    labels = np.concatenate([arrays["train-labels-idx1-ubyte.gz"],
                             arrays["t10k-labels-idx1-ubyte.gz"]])
    try:
        yield {"url": f"http://127.0.0.1:{server.server_address[1]}/", "hashes": hashes,
               "served": served, "images": images, "labels": labels, "cache": tmp_path / "dl"}
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_full_mnist_download_verify_and_cache(tiny_mnist):
    X, y = fetch_mnist_full(tiny_mnist["url"], tiny_mnist["hashes"], tiny_mnist["cache"])
    assert X.shape == (50, 784) and X.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_array_equal(X, tiny_mnist["images"] / 255.0)
    np.testing.assert_array_equal(y, tiny_mnist["labels"])
    assert sorted(p.name for p in tiny_mnist["cache"].iterdir()) == sorted(tiny_mnist["hashes"])
    # second call: served from the cache, the (now unreachable) server is not needed
    dead = f"http://127.0.0.1:{_free_port()}/"
    X2, y2 = fetch_mnist_full(dead, tiny_mnist["hashes"], tiny_mnist["cache"])
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)


def test_full_source_through_public_loaders(tiny_mnist, tmp_path, monkeypatch):
    monkeypatch.setattr(mnist, "MNIST_SHA256", tiny_mnist["hashes"])
    monkeypatch.setenv("LOCALRULE_MNIST_URL", tiny_mnist["url"])
    monkeypatch.setenv("LOCALRULE_CACHE", str(tmp_path / "user-cache"))
    X_train, y_train, X_test, y_test = load_mnist_pair(3, 5, seed=0, source="full")
    assert X_train.shape == (6, 784) and X_test.shape == (4, 784)  # 5 of each digit, pooled
    np.testing.assert_array_equal(np.bincount(y_test), [2, 2])
    threes = tiny_mnist["images"][tiny_mnist["labels"] == 3] / 255.0
    assert _row_set(X_train[y_train == 0]) <= _row_set(threes)
    assert (tmp_path / "user-cache" / "mnist" / "t10k-images-idx3-ubyte.gz").exists()
    _, y_train, _, y_test = load_mnist(seed=0, source="full")
    np.testing.assert_array_equal(np.bincount(y_train), [3] * 10)
    np.testing.assert_array_equal(np.bincount(y_test), [2] * 10)


def test_full_mnist_hash_mismatch(tiny_mnist):
    # the server hands out a damaged labels file: its hash no longer matches the known one
    bad = tiny_mnist["served"] / "train-labels-idx1-ubyte.gz"
    bad.write_bytes(bad.read_bytes()[:-3] + b"xyz")
    with pytest.raises(MNISTUnavailableError, match="bundled") as info:
        fetch_mnist_full(tiny_mnist["url"], tiny_mnist["hashes"], tiny_mnist["cache"])
    assert isinstance(info.value, ValueError)
    # only the file that was verified before the failure is kept; nothing partial, no temp file
    kept = sorted(p.name for p in tiny_mnist["cache"].iterdir())
    assert kept == ["train-images-idx3-ubyte.gz"]
    blob = (tiny_mnist["cache"] / kept[0]).read_bytes()
    assert hashlib.sha256(blob).hexdigest() == tiny_mnist["hashes"][kept[0]]


def test_full_mnist_server_down(tiny_mnist):
    dead = f"http://127.0.0.1:{_free_port()}/"
    with pytest.raises(ValueError, match="bundled"):
        fetch_mnist_full(dead, tiny_mnist["hashes"], tiny_mnist["cache"])
    cache = tiny_mnist["cache"]
    assert not cache.exists() or list(cache.iterdir()) == []


def test_full_mnist_missing_file_on_server(tiny_mnist):
    (tiny_mnist["served"] / "t10k-labels-idx1-ubyte.gz").unlink()  # HTTP 404
    with pytest.raises(MNISTUnavailableError, match="bundled"):
        fetch_mnist_full(tiny_mnist["url"], tiny_mnist["hashes"], tiny_mnist["cache"])
    assert "t10k-labels-idx1-ubyte.gz" not in {p.name for p in tiny_mnist["cache"].iterdir()}


def test_full_mnist_wrong_content_with_matching_hash(tiny_mnist):
    # a well-formed download of the wrong thing (labels served as images) is refused by name
    served = tiny_mnist["served"]
    swapped = (served / "t10k-labels-idx1-ubyte.gz").read_bytes()
    (served / "t10k-images-idx3-ubyte.gz").write_bytes(swapped)
    hashes = dict(tiny_mnist["hashes"])
    hashes["t10k-images-idx3-ubyte.gz"] = hashlib.sha256(swapped).hexdigest()
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz"):
        fetch_mnist_full(tiny_mnist["url"], hashes, tiny_mnist["cache"])
