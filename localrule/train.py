"""Training loop shared by both rules (chapters 1, 5 and 6)."""

import time
from dataclasses import asdict, dataclass, field

import numpy as np

from localrule.gradients import loss_from_logits
from localrule.network import MLP
from localrule.rules import check_schedule
from localrule.validation import check_array, check_int, check_labels, check_seed


class DivergenceError(RuntimeError):
    """Training produced non-finite weights (the learning rate is too large)."""


@dataclass
class History:
    """Per-epoch record of a training run.

    Accuracies are fractions in [0, 1], losses the mean backprop loss (chapter 1) whatever rule
    trained the network, ``seconds`` the time spent in the training pass of each epoch.
    Test entries are empty when no test set was given.
    """

    train_accuracy: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    test_accuracy: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    seconds: list = field(default_factory=list)

    @property
    def epochs(self):
        """Number of epochs recorded."""
        return len(self.train_accuracy)

    def to_dict(self):
        """A JSON-ready dict of lists."""
        return asdict(self)


def evaluate(net, X, y):
    """Accuracy and mean backprop loss of ``net`` on validated (X, y), from one forward pass."""
    z = net.logits(X)
    return float(np.mean(np.argmax(z, axis=1) == y)), float(np.mean(loss_from_logits(z, y)))


def _rule_interface(rule):
    if not (hasattr(rule, "train_epoch") and hasattr(rule, "update")):
        raise TypeError(f"rule must be a LocalRule or Backprop, got {type(rule).__name__}")
    return rule


def fit(net, rule, X, y, epochs=10, seed=0, X_test=None, y_test=None, progress=True,
        schedule="online"):
    """Train ``net`` in place with ``rule``, one sample at a time, for ``epochs`` passes.

    Each epoch visits the training samples in a fresh random order drawn from ``seed``, so the
    same seed gives the same weights and history.

    Parameters
    ----------
    net : MLP
    rule : LocalRule or Backprop
    X : ndarray, shape (n, n_in)
    y : ndarray of int, shape (n,)
    epochs : int, >= 1
    seed : int
        Seed of the sample order.
    X_test, y_test : optional held-out set, recorded each epoch.
    progress : bool
        Show a tqdm progress bar over epochs.
    schedule : {"online", "layerwise"}
        "layerwise" (LocalRule only) runs each layer's whole epoch in turn with its neurons in
        parallel; it gives the same weights as "online" (chapter 8).

    Returns
    -------
    History
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP, got {type(net).__name__}")
    rule = _rule_interface(rule)
    X = net.check_input(check_array(X, "X", ndim=2), "X")
    y = check_labels(y, "y", n_samples=X.shape[0], n_classes=net.n_classes)
    epochs = check_int(epochs, "epochs", minimum=1)
    seed = check_seed(seed)
    schedule = check_schedule(rule, schedule)
    if (X_test is None) != (y_test is None):
        raise ValueError("X_test and y_test must be given together")
    if X_test is not None:
        X_test = net.check_input(check_array(X_test, "X_test", ndim=2), "X_test")
        y_test = check_labels(y_test, "y_test", n_samples=X_test.shape[0],
                              n_classes=net.n_classes)

    rng = np.random.default_rng(seed)
    history = History()
    bar = range(epochs)
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(bar, desc=f"{getattr(rule, 'name', 'rule')} training", unit="epoch")
    for epoch in bar:
        order = rng.permutation(X.shape[0]).astype(np.int64)
        start = time.perf_counter()
        rule.train_epoch(net, X, y, order, schedule)
        history.seconds.append(time.perf_counter() - start)
        if not all(np.all(np.isfinite(W)) and np.all(np.isfinite(b))
                   for W, b in zip(net.weights, net.biases)):
            raise DivergenceError(f"training diverged in epoch {epoch + 1}: weights are no "
                                  f"longer finite; lower eta (now {rule.eta})")
        accuracy, loss = evaluate(net, X, y)
        history.train_accuracy.append(accuracy)
        history.train_loss.append(loss)
        if X_test is not None:
            accuracy, loss = evaluate(net, X_test, y_test)
            history.test_accuracy.append(accuracy)
            history.test_loss.append(loss)
        if progress:
            shown = history.test_accuracy or history.train_accuracy
            bar.set_postfix(accuracy=f"{shown[-1]:.3f}")
    return history
