"""The fill intensity ``lambda(delta) = A exp(-k delta)`` from market data: maximum likelihood on the deepest
trade per window (interval-censored on the tick grid, censored inside the spread), the log-linear least-squares
fit other tools use, and a check of the fitted fill probabilities against the data.

Units: ``A`` per second per side, ``k`` per price unit, depths in price units from the mid.
"""

from __future__ import annotations

import math

import attrs
import numpy as np

from analytics.depths import DepthData, reach
from analytics.mle import IntensityFit, maximize
from engine.lazy_modules import lazy_module

pd = lazy_module("pandas")


def _exposure_weights(data: DepthData) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Time weights the likelihood needs, gathered once (they do not depend on A or k).

    Returns ``(y, w)``: the total time ``w`` spent with "upper" depth ``y`` (over both sides), so that
    ``sum(w exp(-kappa y)) = sum_cells E_cell(upper)``; and per (window, side) cell that saw an order, its segments'
    ``(cell, dt, y_lo, y_hi)`` where the two depths differ.
    """
    uppers, weights, cells, dts, lows, highs = [], [], [], [], [], []
    h, dt, window = data.seg_half_spread, data.seg_dt, data.seg_window
    for row in range(2):
        deepest = data.max_depth[row, window]
        seen = deepest >= 0
        y_lo = reach(deepest, h)
        y_hi = np.where(seen, reach(deepest + 1, h), h)
        uppers.append(y_hi)
        weights.append(dt)
        differ = seen & (y_hi > y_lo)
        cells.append(row * data.n_windows + window[differ])
        dts.append(dt[differ])
        lows.append(y_lo[differ])
        highs.append(y_hi[differ])
    y, inverse = np.unique(np.concatenate(uppers), return_inverse=True)
    w = np.bincount(inverse, weights=np.concatenate(weights))
    cell = np.unique(np.concatenate(cells), return_inverse=True)[1]
    return y.astype(float), w, cell, np.concatenate(dts), np.stack([np.concatenate(lows), np.concatenate(highs)])


def _loglik_function(data: DepthData):
    y, w, cell, dt, (y_lo, y_hi) = _exposure_weights(data)
    y_lo, y_hi = y_lo.astype(float), y_hi.astype(float)
    n_cells = int(cell.max()) + 1 if len(cell) else 0

    def loglik(theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        a, kappa = theta
        A = math.exp(a)
        e = w * np.exp(-kappa * y)
        S0, S1, S2 = e.sum(), -(y * e).sum(), (y * y * e).sum()  # sum over cells of E_hi and its kappa-derivatives
        lo, hi = dt * np.exp(-kappa * y_lo), dt * np.exp(-kappa * y_hi)
        D0 = np.bincount(cell, lo - hi, n_cells)  # E_lo - E_hi per cell that saw an order
        D1 = np.bincount(cell, y_hi * hi - y_lo * lo, n_cells)
        D2 = np.bincount(cell, y_lo * y_lo * lo - y_hi * y_hi * hi, n_cells)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            z = A * D0
            f = np.log(-np.expm1(-z))  # log(1 - exp(-z)): the probability that some order reached the interval
            f1 = 1.0 / np.expm1(z)
            f2 = -f1 * (1.0 + f1)
        zk, zkk = A * D1, A * D2
        value = -A * S0 + f.sum()
        grad = np.array([-A * S0 + (f1 * z).sum(), -A * S1 + (f1 * zk).sum()])
        h_aa = -A * S0 + (f2 * z * z + f1 * z).sum()
        h_ak = -A * S1 + (f2 * z * zk + f1 * zk).sum()
        h_kk = -A * S2 + (f2 * zk * zk + f1 * zkk).sum()
        return float(value), grad, np.array([[h_aa, h_ak], [h_ak, h_kk]])

    return loglik


def fit_depth_mle(data: DepthData) -> IntensityFit:
    """Maximum-likelihood ``A`` and ``k`` from the deepest market order per window and side.

    Model. On each side, market orders arrive as a Poisson process of rate ``A`` per second; each reaches a depth
    ``D ~ Exponential(k)`` beyond the mid it meets, and fills every quote at depth ``<= D``. An order that does not
    reach the best quote (``D < h``, the half-spread) trades with nothing and is never seen. For a window of
    length ``tau`` with a constant spread and ``x >= h``, the deepest order ``M`` then has
    ``P(M < x) = exp(-A tau exp(-k x))``.

    Likelihood. Depths are on the tick grid: a print ``d`` beyond the mid says ``d <= D < d + tick`` (the order
    stopped before the next price), and a quote on the grid can only sit at ``h``, ``h + tick``, ... So with the
    half-spread ``h(t)`` changing inside the window, the deepest print ``m`` has ``P(m < x) = exp(-A E(x))`` with
    the exposure ``E(x) = integral over the window of exp(-k r_t(x)) dt``, ``r_t(x)`` the first grid depth at or
    beyond ``x`` at time ``t`` (never less than ``h(t)``: depths inside the spread are censored to the touch).
    Each (window, side) cell contributes

    * no order seen: ``log P(m < 0) = -A E(0)``, with ``E(0) = integral exp(-k h(t)) dt``;
    * deepest print ``m``: ``log[P(m < m+) - P(m < m)] = -A E(m+) + log(1 - exp(-A (E(m) - E(m+))))``, ``m+`` the
      next half-tick.

    Cells are independent (Poisson increments); the log-likelihood is their sum, maximised by Newton's method in
    ``(ln A, k)``. With a constant spread and ``m >= h`` the cell term is ``log[F(m + tick) - F(m)]``,
    ``F(x) = exp(-A tau exp(-k x))``.

    Standard errors come from the observed Fisher information (the analytic Hessian at the maximum).

    Parameters
    ----------
    data : DepthData
        From :func:`analytics.depths.depth_data`.

    Returns
    -------
    IntensityFit
        ``A`` per second per side, ``k`` per price unit.

    Raises
    ------
    DataError
        If the likelihood has no proper maximum (for example a single depth observed and a constant spread).
    """
    loglik = _loglik_function(data)
    events = data.arrivals
    # Start from the best of a coarse grid in kappa (per half-tick), with A matched to the count of orders seen:
    # 2 A sum(dt exp(-kappa h)) = orders.
    h, seconds = data.time_by_half_spread()
    best = None
    for kappa in np.geomspace(1e-3, 3.0, 16):
        a = math.log(events / (2.0 * (seconds * np.exp(-kappa * h)).sum()))
        value = loglik(np.array([a, kappa]))[0]
        if math.isfinite(value) and (best is None or value > best[0]):
            best = (value, a, kappa)
    theta, value, hess, iterations = maximize(loglik, [best[1], best[2]], what="market-data intensity fit")
    return IntensityFit.from_log_params(theta, value, hess, k_scale=1.0 / data.half_tick,
                                        observations=2 * data.n_windows, events=events, iterations=iterations,
                                        method="mle: deepest order per window, interval-censored on the tick grid")


# -- least squares ---------------------------------------------------------------------------------------------

@attrs.frozen
class LeastSquaresFit:
    """The log-linear least-squares fit: ``ln rate(delta) = ln A - k delta`` by ordinary least squares.

    ``A_se`` and ``k_se`` are the usual OLS standard errors, which assume independent, equal-variance residuals:
    the cumulative counts violate both, so they understate the uncertainty.
    """

    A: float
    k: float
    A_se: float
    k_se: float
    points: int
    depth_max: float

    def rate(self, depth):
        return self.A * np.exp(-self.k * np.asarray(depth, dtype=float))

    def to_dict(self) -> dict:
        return {"A": self.A, "k": self.k, "A_se": self.A_se, "k_se": self.k_se, "points": self.points,
                "depth_max": self.depth_max,
                "method": "ols of ln(orders reaching depth per second per side) on depth, over every half-tick"}


def empirical_rates(data: DepthData) -> tuple[np.ndarray, np.ndarray]:
    """Depths (half-ticks ``0 .. deepest``) and the rate, per second per side, of orders that reached each."""
    depths = np.arange(int(data.arrival_depth.max()) + 1)
    counts = np.bincount(data.arrival_depth, minlength=len(depths))[::-1].cumsum()[::-1]
    return depths, counts / (2.0 * data.duration_s)


def fit_depth_least_squares(data: DepthData) -> LeastSquaresFit:
    """The usual calibration: regress the log of the empirical rate of orders reaching each depth on the depth.

    For every half-tick ``x`` from 0 to the deepest order, ``rate(x)`` = orders with depth ``>= x`` per second per
    side; then ordinary least squares of ``ln rate(x)`` on ``x`` (price units). It ignores that no order is seen
    inside the spread (the rate is flat there), that the spread changes, that cumulative counts are correlated,
    and that the deep points rest on a handful of orders yet weigh as much as the rest.
    """
    depths, rate = empirical_rates(data)
    x = depths * data.half_tick
    keep = rate > 0
    x, ln_rate = x[keep], np.log(rate[keep])
    design = np.column_stack([np.ones_like(x), -x])
    coef, _, _, _ = np.linalg.lstsq(design, ln_rate, rcond=None)
    dof = max(len(x) - 2, 1)
    resid = ln_rate - design @ coef
    cov = (resid @ resid / dof) * np.linalg.inv(design.T @ design)
    A = math.exp(coef[0])
    return LeastSquaresFit(A=A, k=float(coef[1]), A_se=A * math.sqrt(cov[0, 0]), k_se=math.sqrt(cov[1, 1]),
                           points=int(len(x)), depth_max=float(x.max()))


# -- fit check -------------------------------------------------------------------------------------------------

@attrs.frozen
class FillCheck:
    """Predicted against empirical probability that a quote at depth ``delta`` fills within a window.

    A depth is *checked* where the empirical probability is at least ``checked_share`` of its value at depth 0
    (where fills are common enough to matter); it passes when the relative error is within ``tolerance`` or
    the difference is within 3 standard errors of the empirical probability under the model. The check passes
    when every checked depth does.
    """

    table: pd.DataFrame
    tolerance: float
    checked_share: float
    passed: bool
    max_rel_error: float
    beyond_touch_empirical: float
    beyond_touch_predicted: float

    def to_dict(self) -> dict:
        return {
            "passed": self.passed,
            "rule": f"|predicted/empirical - 1| <= {self.tolerance:g} (or within 3 SE) at every depth where the "
                    f"empirical fill probability is >= {self.checked_share:g} x its value at depth 0",
            "tolerance": self.tolerance,
            "max_rel_error": self.max_rel_error,
            "beyond_touch": {"empirical": self.beyond_touch_empirical, "predicted": self.beyond_touch_predicted,
                             "note": "share of orders reaching the touch that went at least one tick beyond it"},
            "bins": self.table.to_dict(orient="records"),
        }


def _window_exposures(data: DepthData):
    """Segments merged by (window, half-spread): the fill probabilities depend on nothing else."""
    key = data.seg_window * (int(data.seg_half_spread.max()) + 1) + data.seg_half_spread
    unique, inverse = np.unique(key, return_inverse=True)
    dt = np.bincount(inverse, weights=data.seg_dt)
    width = int(data.seg_half_spread.max()) + 1
    return unique // width, unique % width, dt


def fill_check(data: DepthData, fit: IntensityFit, *, tolerance: float = 0.25, checked_share: float = 0.1,
               shown_share: float = 0.01) -> FillCheck:
    """Compare, depth by depth, the fitted and the empirical probability that a quote fills within a window.

    For a quote kept at depth ``x`` (half-ticks) through window ``w``, the model gives
    ``p_w(x) = 1 - exp(-A E_w(x))`` (see :func:`fit_depth_mle`); the empirical counterpart is whether the window's
    deepest order on that side reached ``x``. Both are averaged over windows and sides. Under the model the
    cells are independent, so the standard error of the empirical mean is ``sqrt(sum p (1 - p)) / cells``.

    Also compared: the share of orders reaching the touch that went at least a tick beyond it, empirical against
    the model's ``exp(-k tick)`` (the exponential law is memoryless beyond the touch).

    Parameters
    ----------
    tolerance : float
        Largest relative error allowed at a checked depth.
    checked_share, shown_share : float
        Depths are checked while the empirical probability is at least ``checked_share``, and listed while it is
        at least ``shown_share``, of its value at depth 0.
    """
    windows, half_spread, dt = _window_exposures(data)
    kappa = fit.k * data.half_tick
    cells = 2 * data.n_windows
    rows = []
    empirical_0 = None
    for x in range(int(data.max_depth.max()) + 1):
        empirical = float((data.max_depth >= x).sum()) / cells
        if empirical_0 is None:
            empirical_0 = empirical
        if empirical < shown_share * empirical_0 or empirical == 0:
            break
        exposure = np.bincount(windows, weights=dt * np.exp(-kappa * reach(x, half_spread)), minlength=data.n_windows)
        p = -np.expm1(-fit.A * exposure)
        predicted = float(p.mean())
        se = math.sqrt(2.0 * float((p * (1.0 - p)).sum())) / cells
        rel = predicted / empirical - 1.0
        checked = empirical >= checked_share * empirical_0
        ok = abs(rel) <= tolerance or abs(predicted - empirical) <= 3.0 * se
        rows.append({"depth": x * data.half_tick, "depth_ticks": x / 2.0, "empirical": empirical,
                     "predicted": predicted, "se": se, "rel_error": rel, "checked": checked,
                     "ok": bool(ok or not checked)})
    table = pd.DataFrame(rows)
    checked_rows = table[table["checked"]]
    # Of the orders seen to reach the touch (inside-spread prints are censored below it, as in the likelihood),
    # the share that went a tick past it; the model says exp(-k tick).
    reached = ~data.arrival_inside
    beyond = (data.arrival_depth > data.arrival_half_spread)[reached]
    return FillCheck(table=table, tolerance=tolerance, checked_share=checked_share,
                     passed=bool(checked_rows["ok"].all()), max_rel_error=float(checked_rows["rel_error"].abs().max()),
                     beyond_touch_empirical=float(beyond.mean()) if len(beyond) else math.nan,
                     beyond_touch_predicted=math.exp(-fit.k * data.tick))


def model_rates(data: DepthData, fit: IntensityFit, depths: np.ndarray) -> np.ndarray:
    """The fitted rate, per second per side, of orders seen reaching each depth (half-ticks): ``A`` times the
    time-average of ``exp(-k r_t(x))``, which is flat inside the spread like the data."""
    h, seconds = data.time_by_half_spread()
    kappa = fit.k * data.half_tick
    weights = seconds / seconds.sum()
    return np.array([fit.A * (weights * np.exp(-kappa * reach(x, h))).sum() for x in depths])


__all__ = ["FillCheck", "LeastSquaresFit", "empirical_rates", "fill_check", "fit_depth_least_squares",
           "fit_depth_mle", "model_rates"]
