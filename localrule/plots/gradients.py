"""Figures about gradients: checking backprop's gradient, and the local update's angle to it.

:func:`plot_gradient_check` compares finite differences with the exact gradient (chapter 1);
:func:`plot_update_angles` follows the angle between the local rule's update and the negative
gradient during training (chapter 6).
"""

import numpy as np

from localrule.plots.style import new_axes, plot_mean_and_spread
from localrule.validation import check_array, check_positive


def plot_gradient_check(analytic, numeric, ax=None, groups=None, tol=1e-5):
    """Relative error of finite-difference estimates against the exact gradient, log scale.

    Parameters
    ----------
    analytic : array_like, shape (m,)
        Exact partial derivatives dL/dw (e.g. from :func:`localrule.weight_gradients`).
    numeric : array_like, shape (m,)
        Central finite differences (L(w + h) - L(w - h)) / 2h of the same parameters.
    ax : matplotlib Axes, optional
    groups : sequence of str, shape (m,), optional
        A name per parameter (e.g. "W_1", "b_3"); each group gets its own colour.
    tol : float
        Tolerance drawn as a horizontal line.

    Returns
    -------
    matplotlib Axes
        x: checked parameter (index), y: relative error
        |numeric - analytic| / max(|numeric|, |analytic|) (dimensionless), log scale.

    See chapter 1.
    """
    analytic = check_array(analytic, "analytic", ndim=1)
    numeric = check_array(numeric, "numeric", ndim=1, shape=(analytic.shape[0],))
    tol = check_positive(tol, "tol")
    from matplotlib.ticker import MaxNLocator

    if groups is None:
        groups = ["parameter"] * analytic.shape[0]
    groups = [str(g) for g in groups]
    if len(groups) != analytic.shape[0]:
        raise ValueError(f"groups has {len(groups)} entries but analytic has "
                         f"{analytic.shape[0]}")
    denom = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), np.finfo(float).tiny)
    rel = np.abs(numeric - analytic) / denom
    # an exact match has relative error 0, which a log axis cannot show: draw it at the floor
    floor = 1e-16
    shown = np.maximum(rel, floor)
    ax = new_axes(ax, (6, 3.5))
    index = np.arange(analytic.shape[0])
    for k, name in enumerate(dict.fromkeys(groups)):
        mask = np.array([g == name for g in groups])
        ax.scatter(index[mask], shown[mask], s=25, color=f"C{k}", label=name, zorder=3)
    ax.axhline(tol, color="k", linestyle="--", linewidth=1, label=f"tolerance {tol:g}")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(shown.min() / 30, max(10 * tol, 3 * shown.max()))
    ax.set_xlabel("checked parameter (index)")
    ax.set_ylabel("relative error (dimensionless)")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.grid(True, which="major", alpha=0.3)
    return ax


def plot_update_angles(angles, ax=None, layer_names=None):
    """Angle between the local update and the negative gradient per layer, against epoch.

    Parameters
    ----------
    angles : ndarray or list of ndarray
        One array of shape (epochs + 1, n_layers) per seed, as returned by
        :func:`localrule.alignment.alignment_during_training` (row 0 = before training).
    ax : matplotlib Axes, optional
    layer_names : sequence of str, optional
        Default "hidden layer 1", ..., "output layer".

    Returns
    -------
    matplotlib Axes
        Mean over seeds (line) ± sample std (band) per layer; a dotted line marks 90 degrees,
        the angle of a direction unrelated to the gradient. See chapter 6.
    """
    if isinstance(angles, np.ndarray) and angles.ndim == 2:
        angles = [angles]
    if not isinstance(angles, (list, tuple, np.ndarray)) or len(angles) == 0:
        raise TypeError("angles must be an array (epochs + 1, n_layers) or a non-empty list "
                        "of them")
    stack = [check_array(a, "angles", ndim=2) for a in angles]
    if len({a.shape for a in stack}) != 1:
        raise ValueError(f"angles must all have the same shape, got {[a.shape for a in stack]}")
    stack = np.array(stack)
    if stack.min() < 0 or stack.max() > 180:
        raise ValueError("angles must be in degrees, between 0 and 180")
    n_layers = stack.shape[2]
    if layer_names is None:
        layer_names = [f"hidden layer {l + 1}" for l in range(n_layers - 1)] + ["output layer"]
    layer_names = [str(name) for name in layer_names]
    if len(layer_names) != n_layers:
        raise ValueError(f"layer_names must name {n_layers} layers, got {len(layer_names)}")
    ax = new_axes(ax)
    epochs = np.arange(stack.shape[1])
    for l, name in enumerate(layer_names):
        plot_mean_and_spread(ax, epochs, stack[:, :, l], name, spread="std", color=f"C{l + 2}")
    ax.axhline(90.0, color="k", ls=":", lw=1, label="90°: unrelated to the gradient")
    ax.set_xlabel("epoch (passes over the training set; 0 = initial weights)")
    ax.set_ylabel("angle to the negative gradient (degrees)")
    ax.set_ylim(-3, max(100.0, float(stack.max()) + 5))
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return ax
