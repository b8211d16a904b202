"""Maximum likelihood for the fill intensity ``lambda(delta) = A exp(-k delta)``: a damped Newton maximiser over
``(ln A, k)`` and the fit it returns, with standard errors from the observed Fisher information."""

from __future__ import annotations

import math
from collections.abc import Callable

import attrs
import numpy as np

from engine import DataError

#: Two-sided 95% normal quantile.
Z95 = 1.959963984540054

LogLik = Callable[[np.ndarray], tuple[float, np.ndarray, np.ndarray]]


#: Largest change of any parameter in one Newton step (parameters are ln A and k: ln A changes by e^10 at most).
MAX_STEP = 10.0


def maximize(loglik: LogLik, theta0, *, what: str, max_iter: int = 200) -> tuple[np.ndarray, float, np.ndarray, int]:
    """Maximise a smooth log-likelihood by Newton's method with backtracking.

    Parameters
    ----------
    loglik : callable
        ``theta -> (value, gradient, Hessian)``; may return a non-finite value outside its domain.
    theta0 : array_like
        Starting point (the value there must be finite).
    what : str
        What is fitted, for error messages.

    Returns
    -------
    theta, value, hessian, iterations
        The maximiser, the log-likelihood and its Hessian there, and the Newton steps taken.

    Raises
    ------
    DataError
        If the start is not finite, or no step improves the likelihood before convergence, or the Hessian at
        the end is not negative definite (the data do not identify the parameters).
    """
    theta = np.asarray(theta0, dtype=float)
    value, grad, hess = loglik(theta)
    if not math.isfinite(value):
        raise DataError(f"{what}: the log-likelihood is not finite at the starting point {theta.tolist()}")
    for iteration in range(1, max_iter + 1):
        if not np.all(np.isfinite(grad)):
            raise DataError(f"{what}: the gradient of the log-likelihood is not finite at {theta.tolist()}")
        try:
            np.linalg.cholesky(-hess)
            step = np.linalg.solve(-hess, grad)
        except np.linalg.LinAlgError:
            step = np.full_like(grad, np.nan)
        if not np.all(np.isfinite(step)):
            # Not concave here: a gradient step scaled by the curvature of each coordinate.
            curvature = np.abs(np.diag(hess))
            step = grad / np.where(np.isfinite(curvature), np.maximum(curvature, 1e-12), np.inf)
        decrement = float(grad @ step)
        if decrement < 1e-10:
            break
        # Cap the step: far from the maximum the curvature can be tiny and a full step overflow exp().
        t = min(1.0, MAX_STEP / float(np.max(np.abs(step))))
        while True:
            candidate = theta + t * step
            try:
                new_value, new_grad, new_hess = loglik(candidate)
            except (OverflowError, FloatingPointError):
                new_value = -math.inf
            if math.isfinite(new_value) and new_value >= value:
                break
            t *= 0.5
            if t < 1e-12:
                raise DataError(f"{what}: the likelihood maximisation stalled at {theta.tolist()}")
        theta, value, grad, hess = candidate, new_value, new_grad, new_hess
    else:
        raise DataError(f"{what}: the likelihood maximisation did not converge in {max_iter} steps")
    if not np.all(np.isfinite(hess)) or np.any(np.linalg.eigvalsh(-hess) <= 0):
        raise DataError(f"{what}: the data do not identify A and k (the likelihood is flat at its maximum)")
    # A maximum on a ridge (say every order printing at the touch under a constant spread: k -> infinity) is
    # concave but nearly flat; its standard errors dwarf the estimates. Refuse it rather than report it.
    se = np.sqrt(np.diag(np.linalg.inv(-hess)))
    if np.any(se > np.maximum(1.0, np.abs(theta))):
        raise DataError(f"{what}: the data do not identify A and k (standard errors {se.tolist()} exceed the "
                        f"estimates {theta.tolist()})")
    return theta, value, hess, iteration


class ExponentialLaw:
    """What every fit of ``A exp(-k x)`` offers, given ``A``, ``k``, ``k_se`` and ``cov``, the covariance of
    ``(ln A, k)``: intervals and the fitted rate."""

    @property
    def A_ci95(self) -> tuple[float, float]:
        """95% interval for ``A``, built on ``ln A`` (so it stays positive and is asymmetric)."""
        half = Z95 * math.sqrt(self.cov[0, 0])
        return self.A * math.exp(-half), self.A * math.exp(half)

    @property
    def k_ci95(self) -> tuple[float, float]:
        """95% interval for ``k``: ``k -/+ 1.96 k_se``."""
        return self.k - Z95 * self.k_se, self.k + Z95 * self.k_se

    def rate(self, depth):
        """``A exp(-k depth)``, per second per side."""
        return self.A * np.exp(-self.k * np.asarray(depth, dtype=float))


@attrs.frozen
class IntensityFit(ExponentialLaw):
    """A fitted fill intensity ``lambda(delta) = A exp(-k delta)``.

    Attributes
    ----------
    A : float
        Intensity at depth zero, per second per side.
    k : float
        Decay with depth, per price unit.
    A_se, k_se : float
        Standard errors (delta method for ``A``: ``A * se(ln A)``).
    cov : ndarray
        2 x 2 covariance of ``(ln A, k)``: the inverse of the observed Fisher information.
    loglik : float
        Log-likelihood at the maximum.
    observations : int
        Independent observations in the likelihood (windows x sides, or quote sides).
    events : int
        Events behind them (trades reaching the book, or fills).
    iterations : int
        Newton steps taken.
    method : str
        Which likelihood.
    """

    A: float
    k: float
    A_se: float
    k_se: float
    cov: np.ndarray = attrs.field(eq=False, repr=False)
    loglik: float
    observations: int
    events: int
    iterations: int
    method: str

    @classmethod
    def from_log_params(cls, theta: np.ndarray, value: float, hessian: np.ndarray, *, k_scale: float = 1.0,
                        **info) -> IntensityFit:
        """Build the fit from the maximiser over ``(ln A, kappa)`` with ``k = kappa * k_scale``."""
        scale = np.diag([1.0, k_scale])
        cov = scale @ np.linalg.inv(-hessian) @ scale
        A, k = math.exp(theta[0]), float(theta[1]) * k_scale
        return cls(A=A, k=k, A_se=A * math.sqrt(cov[0, 0]), k_se=math.sqrt(cov[1, 1]), cov=cov, loglik=float(value),
                   **info)

    def to_dict(self) -> dict:
        """The figures, for JSON."""
        return {"A": self.A, "k": self.k, "A_se": self.A_se, "k_se": self.k_se, "A_ci95": list(self.A_ci95),
                "k_ci95": list(self.k_ci95), "corr_lnA_k": self.cov[0, 1] / math.sqrt(self.cov[0, 0] * self.cov[1, 1]),
                "loglik": self.loglik, "observations": self.observations, "events": self.events,
                "iterations": self.iterations, "method": self.method}
