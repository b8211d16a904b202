"""The Newton maximiser behind every likelihood fit."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analytics.mle import maximize
from engine import DataError


def test_a_concave_quadratic_is_maximised_exactly():
    """A quadratic's maximum and Hessian come back in one Newton step."""
    centre = np.array([1.0, -2.0])

    def loglik(theta):
        d = theta - centre
        return -float(d @ d), -2 * d, -2 * np.eye(2)

    theta, value, hess, steps = maximize(loglik, [0.0, 0.0], what="quadratic")
    np.testing.assert_allclose(theta, centre)
    assert value == pytest.approx(0.0) and steps <= 2


def test_a_far_start_with_tiny_curvature_backtracks_instead_of_overflowing():
    """f = t - exp(t) from t = -700 (curvature 1e-304): capped steps reach the maximum at 0, no OverflowError."""

    def loglik(theta):
        t = float(theta[0])
        e = math.exp(t)
        return t - e, np.array([1.0 - e]), np.array([[-e]])

    theta, _, _, _ = maximize(loglik, [-700.0], what="far start")
    assert theta[0] == pytest.approx(0.0, abs=1e-8)


def test_a_maximum_on_a_nearly_flat_ridge_is_refused():
    """A concave maximum whose standard error dwarfs the estimate raises DataError instead of a meaningless fit."""

    def loglik(theta):
        d = theta - np.array([1.0, 5.0])
        curvature = np.array([2.0, 2e-12])
        return -float(curvature @ d**2) / 2, -curvature * d, -np.diag(curvature)

    with pytest.raises(DataError, match="do not identify A and k"):
        maximize(loglik, [0.0, 0.0], what="ridge")
