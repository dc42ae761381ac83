"""Neuronal association: STDP under a change of the post-synaptic rate (chapter 4).

* Poisson spike trains on a time grid;
* the association experiment: the pre neuron fires at ``nu * x``, the post neuron at ``nu * a``
  and, once the associative input arrives, at ``nu * a_star``; STDP with a balanced window
  (:mod:`localrule.stdp`) then changes the weight in proportion to ``x * (a_star - a)``, checked
  spike by spike against the predicted slope;
* the rate form of the result, ``dw = eta * x * (a_star - a)``, and one sigmoid neuron trained
  online with it.

Units: time in seconds, rates in Hz.
"""

from dataclasses import dataclass

import numpy as np

from localrule.network import sigmoid
from localrule.stdp_kernels import trace_stdp_kernel
from localrule.validation import (check_array, check_int, check_n_steps, check_positive,
                                  check_seed, check_unit_interval, check_values)

__all__ = [
    "poisson_spike_trains",
    "association_predicted_slope",
    "association_trial_dw",
    "association_experiment",
    "AssociationResult",
    "association_rate_update",
    "train_association_neuron",
    "NeuronHistory",
]


def _rng(rng):
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)):
        raise TypeError(f"rng must be a numpy Generator or a non-negative integer seed, "
                        f"got {type(rng).__name__}")
    return np.random.default_rng(check_seed(int(rng), "rng"))


def poisson_spike_trains(rate, T, dt, rng, n_trains=1):
    """Poisson spike trains on a time grid (at most one spike per step).

    In each step of length ``dt`` a spike occurs independently with probability ``rate * dt``
    (a Bernoulli process, the grid version of a Poisson process of intensity ``rate``). See
    chapter 4.

    Parameters
    ----------
    rate : float or array_like, shape (n_steps,)
        Rate in Hz, constant or one value per step, ``n_steps = round(T / dt)``;
        ``rate * dt <= 1``.
    T, dt : float
        Duration and time step in seconds.
    rng : numpy.random.Generator or int
        Random generator, or a seed for a new one.
    n_trains : int
        Number of independent trains.

    Returns
    -------
    ndarray of bool, shape (n_trains, n_steps)
        ``True`` where a spike occurs; step ``k`` is the grid time ``k * dt``.
    """
    n = check_n_steps(T, dt)
    dt = float(dt)
    n_trains = check_int(n_trains, "n_trains", minimum=1)
    r, scalar = check_values(rate, "rate")
    if not scalar and (r.ndim != 1 or r.shape[0] != n):
        raise ValueError(f"rate must be a number or have shape ({n},), got shape {r.shape}")
    if r.size and r.min() < 0:
        raise ValueError(f"rate must be >= 0 Hz, got minimum {r.min():.6g}")
    if r.size and r.max() * dt > 1.0:
        raise ValueError(f"rate * dt must be <= 1 (one spike per step at most), got "
                         f"rate {r.max():.6g} Hz with dt {dt}")
    generator = _rng(rng)
    return generator.random((n_trains, n)) < (r * dt)


def _bernoulli_trains(p, n, n_trials, rng):
    """Bernoulli(p) spike trains of ``n`` steps, drawn through geometric inter-spike gaps.

    Same distribution as ``rng.random((n_trials, n)) < p`` (the gaps between successes of
    independent Bernoulli trials are independent geometric variables) but with about ``n * p``
    random numbers per train instead of ``n``.
    """
    out = np.zeros((n_trials, n), dtype=bool)
    if p <= 0.0:
        return out
    if p >= 1.0:
        out[:] = True
        return out
    mean = n * p
    k = int(np.ceil(mean + 8.0 * np.sqrt(mean) + 10.0))
    pos = np.cumsum(rng.geometric(p, size=(n_trials, k)), axis=1) - 1
    while np.any(pos[:, -1] < n):  # rarely: some train needs more spikes to cover n steps
        more = np.cumsum(rng.geometric(p, size=(n_trials, k)), axis=1) + pos[:, -1:]
        pos = np.concatenate([pos, more], axis=1)
    rows, cols = np.nonzero(pos < n)
    out[rows, pos[rows, cols]] = True
    return out


def association_predicted_slope(nu=100.0, tau=0.02, A=1.0, T=0.4):
    """Expected weight change per unit ``x * (a_star - a)`` in the association experiment.

    Pre spikes are Poisson at ``nu * x`` on ``[0, T]``; post spikes at ``nu * a`` before ``T/2`` and
    ``nu * a_star`` after; the window is symmetric and balanced (``A_plus = A_minus = A``,
    ``tau_plus = tau_minus = tau``). Summing ``W`` over all pairs and taking expectations,

    .. math:: E[\\Delta w] = \\nu^2 A \\tau^2 \\left(1 - e^{-T/(2\\tau)}\\right)^2
              \\, x\\,(a^* - a),

    i.e. half of the far-from-edges value ``nu^2 x (a* - a) * int s W(s) ds = 2 nu^2 A tau^2``
    because both trains start and stop together. The factor in brackets is 1 up to
    ``exp(-T / (2 tau))``; the grid (pairs within one step do not count) changes the value by a
    relative ``O((dt/tau)^2)``. See chapter 4.

    Parameters
    ----------
    nu : float
        Maximal rate in Hz (rate of a unit with activity 1).
    tau : float
        Window time constant in seconds.
    A : float
        Window amplitude.
    T : float
        Trial duration in seconds.

    Returns
    -------
    float
        Predicted slope (units of A).
    """
    nu = check_positive(nu, "nu")
    tau = check_positive(tau, "tau")
    A = check_positive(A, "A")
    T = check_positive(T, "T")
    return nu ** 2 * A * tau ** 2 * (-np.expm1(-T / (2 * tau))) ** 2


def _association_params(nu, tau, A, T, dt, n_trials):
    nu = check_positive(nu, "nu")
    tau = check_positive(tau, "tau")
    A = check_positive(A, "A")
    n = check_n_steps(T, dt)
    dt = float(dt)
    n_trials = check_int(n_trials, "n_trials", minimum=2)
    if nu * dt > 1.0:
        raise ValueError(f"nu * dt must be <= 1 (one spike per step at most), got nu={nu} Hz, "
                         f"dt={dt}")
    return nu, tau, A, n, dt, n_trials


def _association_dws(x, a, a_star, nu, tau, A, n, dt, n_trials, rng):
    """Weight change of each trial (validated arguments; ``rng`` a Generator)."""
    half = n // 2
    p_pre = nu * x * dt
    pre = _bernoulli_trains(p_pre, n, n_trials, rng)
    post = np.concatenate([_bernoulli_trains(nu * a * dt, half, n_trials, rng),
                           _bernoulli_trains(nu * a_star * dt, n - half, n_trials, rng)], axis=1)
    d = np.exp(-dt / tau)
    return trace_stdp_kernel(pre, post, d, d, A, A)


def association_trial_dw(x, a, a_star, nu=100.0, tau=0.02, A=1.0, T=0.4, dt=1e-4, n_trials=500,
                         seed=0):
    """Mean STDP weight change when the post neuron's activity switches from ``a`` to ``a_star``.

    In each trial the pre neuron fires Poisson spikes at ``nu * x`` on ``[0, T)``; the post neuron
    fires at ``nu * a`` before ``T/2`` (free activity) and at ``nu * a_star`` from ``T/2`` on (after
    the associative input arrives). The weight change of the trial is the all-to-all pair sum with
    the symmetric balanced window (``A_plus = A_minus = A``, ``tau_plus = tau_minus = tau``),
    computed by :func:`localrule.stdp.trace_stdp`. Theory: the mean is
    ``association_predicted_slope(nu, tau, A, T) * x * (a_star - a)``. See chapter 4.

    Parameters
    ----------
    x : float
        Pre activity in [0, 1].
    a, a_star : float
        Post activity before and after the switch, in [0, 1].
    nu : float
        Rate in Hz of a unit with activity 1 (``nu * dt <= 1``).
    tau, A : float
        Window time constant (s) and amplitude.
    T, dt : float
        Trial duration and time step in seconds (the switch is at step ``round(T/dt) // 2``).
    n_trials : int
        Number of independent trials (>= 2).
    seed : int
        Seed of the spike trains.

    Returns
    -------
    mean : float
        Mean weight change over trials.
    sem : float
        Its standard error (sample standard deviation / sqrt(n_trials)).
    """
    x = check_unit_interval(x, "x")
    a = check_unit_interval(a, "a")
    a_star = check_unit_interval(a_star, "a_star")
    nu, tau, A, n, dt, n_trials = _association_params(nu, tau, A, T, dt, n_trials)
    rng = np.random.default_rng(check_seed(seed))
    dws = _association_dws(x, a, a_star, nu, tau, A, n, dt, n_trials, rng)
    return float(dws.mean()), float(dws.std(ddof=1) / np.sqrt(n_trials))


@dataclass(frozen=True)
class AssociationResult:
    """Outcome of :func:`association_experiment` (arrays have shape (n_points,)).

    Attributes
    ----------
    x, a, a_star : ndarray
        Drawn pre activity, free and associated post activity.
    predictor : ndarray
        ``x * (a_star - a)``.
    mean_dw, sem : ndarray
        Measured mean weight change per point and its standard error.
    slope, slope_se, intercept, intercept_se : float
        Ordinary least-squares line ``mean_dw ~ slope * predictor + intercept``; the standard
        errors are propagated from the per-point errors ``sem`` (the noise differs from point to
        point, so the textbook residual-based formula would understate them).
    r : float
        Pearson correlation between ``predictor`` and ``mean_dw``.
    chi2_dof : float
        ``sum(((mean_dw - line) / sem)^2) / (n_points - 2)``: about 1 when the points scatter
        around the line only as much as their error bars say.
    predicted_slope : float
        :func:`association_predicted_slope` for the experiment's parameters.
    """

    x: np.ndarray
    a: np.ndarray
    a_star: np.ndarray
    predictor: np.ndarray
    mean_dw: np.ndarray
    sem: np.ndarray
    slope: float
    slope_se: float
    intercept: float
    intercept_se: float
    r: float
    chi2_dof: float
    predicted_slope: float

    @property
    def slope_z(self):
        """``(slope - predicted_slope) / slope_se``: the slope's distance from theory in SEs."""
        return (self.slope - self.predicted_slope) / self.slope_se


def association_experiment(n_points=60, n_trials=500, seed=0, nu=100.0, tau=0.02, A=1.0, T=0.4,
                           dt=1e-4):
    """Check by spiking simulation that STDP gives ``dw`` proportional to ``x * (a_star - a)``.

    Draws ``n_points`` triples ``(x, a, a_star)`` uniformly from [0, 1]^3, measures the mean weight
    change of each over ``n_trials`` trials as in :func:`association_trial_dw`, and fits a straight
    line of the measured means against ``x * (a_star - a)`` by ordinary least squares. Theory
    (chapter 4): slope ``association_predicted_slope(nu, tau, A, T)`` (about ``nu^2 A tau^2``),
    intercept 0.

    Parameters
    ----------
    n_points : int
        Number of random ``(x, a, a_star)`` triples (>= 3).
    n_trials : int
        Trials per triple (>= 2).
    seed : int
        Seed of the triples and of all spike trains.
    nu, tau, A, T, dt : float
        As in :func:`association_trial_dw`.

    Returns
    -------
    AssociationResult
        Triples, measurements, fitted line, correlation and predicted slope.
    """
    n_points = check_int(n_points, "n_points", minimum=3)
    nu, tau, A, n, dt, n_trials = _association_params(nu, tau, A, T, dt, n_trials)
    T = check_positive(T, "T")
    rng = np.random.default_rng(check_seed(seed))
    x, a, a_star = rng.random((3, n_points))
    mean_dw = np.empty(n_points)
    sem = np.empty(n_points)
    for i in range(n_points):
        dws = _association_dws(x[i], a[i], a_star[i], nu, tau, A, n, dt, n_trials, rng)
        mean_dw[i] = dws.mean()
        sem[i] = dws.std(ddof=1) / np.sqrt(n_trials)
    predictor = x * (a_star - a)
    # Ordinary least squares; both coefficients are linear in mean_dw, sum_i c_i * mean_dw[i],
    # so their standard errors follow from the measured errors: sqrt(sum_i c_i^2 sem_i^2).
    xc = predictor - predictor.mean()
    c_slope = xc / float(xc @ xc)
    c_intercept = 1.0 / n_points - predictor.mean() * c_slope
    slope = float(c_slope @ mean_dw)
    intercept = float(c_intercept @ mean_dw)
    resid = mean_dw - (slope * predictor + intercept)
    return AssociationResult(
        x=x, a=a, a_star=a_star, predictor=predictor, mean_dw=mean_dw, sem=sem,
        slope=slope, slope_se=float(np.sqrt(np.sum(c_slope ** 2 * sem ** 2))),
        intercept=intercept, intercept_se=float(np.sqrt(np.sum(c_intercept ** 2 * sem ** 2))),
        r=float(np.corrcoef(predictor, mean_dw)[0, 1]),
        chi2_dof=float(np.sum((resid / sem) ** 2) / (n_points - 2)),
        predicted_slope=association_predicted_slope(nu, tau, A, T))


def association_rate_update(x, a, a_star, eta):
    """The local rule in rate form: ``dw = eta * x * (a_star - a)`` for every synapse.

    A synapse from a pre unit with activity ``x_i`` onto a post unit whose activity the associative
    input moves from ``a_j`` to ``a_star_j`` changes by

    .. math:: \\Delta w_{ji} = \\eta\\, x_i\\, (a^*_j - a_j),

    the rate-level reading of STDP with a balanced window (chapter 4). Stacked over post units this
    is ``eta * outer(a_star - a, x)``, the weight update ``dW_l`` of :class:`localrule.LocalRule`
    for one layer (with ``x`` the layer's input ``a_{l-1}``); the bias update ``db = eta *
    (a_star - a)`` is the same formula with ``x = 1``. See chapter 4.

    Parameters
    ----------
    x : array_like, shape (n_in,)
        Pre-synaptic activities.
    a, a_star : float or array_like, shape (n_out,)
        Free and associated post-synaptic activities, in [0, 1], same shape.
    eta : float
        Learning rate (> 0).

    Returns
    -------
    ndarray, shape (n_in,) or (n_out, n_in)
        Weight change (1-D when ``a`` is a number, one row per post unit otherwise).
    """
    x = check_array(x, "x", ndim=1)
    a_arr = check_array(a, "a", ndim=(0, 1), unit_interval=True)
    a_star_arr = check_array(a_star, "a_star", ndim=(0, 1), unit_interval=True)
    if np.ndim(a) != np.ndim(a_star) or a_arr.shape != a_star_arr.shape:
        raise ValueError(f"a_star must have the shape of a {np.shape(a)}, got {np.shape(a_star)}")
    eta = check_positive(eta, "eta")
    if np.ndim(a) == 0:
        return eta * float(a_star_arr[0] - a_arr[0]) * x
    return eta * np.outer(a_star_arr - a_arr, x)


@dataclass(frozen=True)
class NeuronHistory:
    """Record of :func:`train_association_neuron` (one row per online step).

    Attributes
    ----------
    w : ndarray, shape (n_steps + 1, n_in)
        Weights before each step and after the last one.
    b : ndarray, shape (n_steps + 1,)
        Bias, likewise.
    a : ndarray, shape (n_steps,)
        Free activity ``sigmoid(w . x + b)`` at each step (before the update).
    a_star : ndarray, shape (n_steps,)
        Associated activity presented at each step.
    dw : ndarray, shape (n_steps, n_in)
        Weight change of each step.
    order : ndarray of int64, shape (n_steps,)
        Index of the sample presented at each step.
    """

    w: np.ndarray
    b: np.ndarray
    a: np.ndarray
    a_star: np.ndarray
    dw: np.ndarray
    order: np.ndarray


def train_association_neuron(X, a_star, eta=0.5, epochs=20, seed=0):
    """Train one sigmoid neuron online with the association rule and record every step.

    At each step a sample ``x`` is presented, the free activity is ``a = sigmoid(w . x + b)``, the
    associative input sets the target activity ``a_star``, and the synapses change by
    :func:`association_rate_update`: ``dw = eta * x * (a_star - a)``, ``db = eta * (a_star - a)``.
    Initial weights are ``N(0, 1/n_in)``, bias 0; samples are shuffled each epoch. See chapter 4.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_in)
        Pre-synaptic activities, one row per sample.
    a_star : array_like, shape (n_samples,)
        Associated activity of each sample, in [0, 1].
    eta : float
        Learning rate (> 0).
    epochs : int
        Passes through the samples.
    seed : int
        Seed of the initial weights and of the presentation order.

    Returns
    -------
    NeuronHistory
        Weights, bias, activities and updates at every step (``n_steps = epochs * n_samples``).
    """
    X = check_array(X, "X", ndim=2)
    targets = check_array(a_star, "a_star", ndim=1, unit_interval=True)
    if targets.shape[0] != X.shape[0]:
        raise ValueError(f"a_star has {targets.shape[0]} entries but X has {X.shape[0]} rows")
    eta = check_positive(eta, "eta")
    epochs = check_int(epochs, "epochs", minimum=1)
    rng = np.random.default_rng(check_seed(seed))
    n_samples, n_in = X.shape
    n_steps = epochs * n_samples
    w = np.empty((n_steps + 1, n_in))
    b = np.empty(n_steps + 1)
    w[0] = rng.standard_normal(n_in) / np.sqrt(n_in)
    b[0] = 0.0
    acts = np.empty(n_steps)
    dws = np.empty((n_steps, n_in))
    order = np.concatenate([rng.permutation(n_samples) for _ in range(epochs)])
    for k, i in enumerate(order):
        act = float(sigmoid(w[k] @ X[i] + b[k]))
        acts[k] = act
        dws[k] = association_rate_update(X[i], act, targets[i], eta)
        w[k + 1] = w[k] + dws[k]
        b[k + 1] = b[k] + eta * (targets[i] - act)
    return NeuronHistory(w=w, b=b, a=acts, a_star=targets[order], dw=dws, order=order)
