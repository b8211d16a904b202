"""Adverse selection: markouts of each fill, the mid's move after it signed against us.

For a fill at time ``t`` on ``side`` (+1 we bought at our bid, -1 we sold at our ask) with the mid ``S_t`` in
force when it happened, the markout at horizon ``h`` is

    ``m_h = -side * (S(t + h) - S_t)``  per unit,

positive when the mid moved against us (it fell after we bought, rose after we sold). ``S(t + h)`` is read from
the marks table as a step function: the mid of the last mark at or before ``t + h``. So ``h = 0`` already
counts a mid move recorded at the fill's own instant after it (the price impact of the market order that filled
us; on a time-stepped fill model, the tick that closes the step), and a horizon past the end of the path gives
the path's final mid (the move is cut short there: no data exists beyond it).

The **adverse-selection cost** at horizon ``h`` is ``sum over fills of size * m_h``: the part of the spread
captured that the mid's move took back within ``h``. ``spread capture - cost(h)`` is what the fills would have
earned had each been closed at the mid ``h`` later (before fees).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analytics.risk import check_clock
from analytics.series import value_at
from engine import ConfigError, Ledger
from engine.lazy_modules import lazy_module

pd = lazy_module("pandas")

#: Default horizons in the run's time unit: ticks of the Avellaneda-Stoikov market (dt = 0.005) on a synthetic
#: clock, seconds on a real one.
DEFAULT_HORIZONS = {
    "synthetic": (0.0, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25),
    "real": (0.0, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0),
}
#: With at least this many paths, standard errors treat paths (not fills) as the independent units.
CLUSTER_MIN_PATHS = 20


def check_horizons(horizons: Sequence[float]) -> tuple[float, ...]:
    """Return the horizons as sorted floats, or raise :class:`ConfigError` if one is negative or none given."""
    values = tuple(sorted(float(h) for h in horizons))
    if not values or not all(np.isfinite(h) and h >= 0 for h in values):
        raise ConfigError(f"horizons must be finite numbers >= 0, got {list(horizons)!r}")
    return values


def markouts(ledger: Ledger, horizons: Sequence[float] | None = None, clock: str = "synthetic") -> pd.DataFrame:
    """The markout of every fill at every horizon.

    Parameters
    ----------
    ledger : Ledger
        A run's tables.
    horizons : sequence of float, optional
        In the run's time unit (default :data:`DEFAULT_HORIZONS` of ``clock``).
    clock : {"synthetic", "real"}
        Chooses the default horizons.

    Returns
    -------
    DataFrame
        One row per fill: ``path``, ``time``, ``side``, ``size``, ``mid``, then one column per horizon (named by
        the float horizon) holding ``m_h`` per unit.
    """
    horizons = check_horizons(DEFAULT_HORIZONS[check_clock(clock)] if horizons is None else horizons)
    fills = ledger.fills
    out = fills[["path", "time", "side", "size", "mid"]].reset_index(drop=True)
    paths, times = out["path"].to_numpy(), out["time"].to_numpy()
    side, mid = out["side"].to_numpy(), out["mid"].to_numpy()
    for h in horizons:
        out[h] = -side * (value_at(ledger.marks, "mid", paths, times + h) - mid)
    return out


def _weighted_mean_se(x: np.ndarray, w: np.ndarray, groups: np.ndarray) -> tuple[float, float]:
    """Size-weighted mean and its standard error, clustered by ``groups`` when there are enough of them."""
    total = w.sum()
    if total <= 0:
        return np.nan, np.nan
    mean = float((w * x).sum() / total)
    resid = w * (x - mean)
    clusters = np.unique(groups)
    if clusters.size >= CLUSTER_MIN_PATHS:
        # Fills of one path are correlated (they share its mid path); paths are independent.
        resid = pd.Series(resid).groupby(groups).sum().to_numpy()
    elif x.size < 2:
        return mean, np.nan
    n = resid.size
    return mean, float(np.sqrt((resid**2).sum() * n / max(n - 1, 1)) / total)


def markout_curve(marked: pd.DataFrame) -> pd.DataFrame:
    """Average markout per unit at each horizon, per side and for all fills.

    The average is weighted by fill size, ``sum size * m_h / sum size``. Its standard error treats paths as
    independent units when there are at least :data:`CLUSTER_MIN_PATHS` paths (fills within a path are
    correlated), and fills as independent otherwise (one long path: a guide only, it understates the error when
    fills cluster).

    Parameters
    ----------
    marked : DataFrame
        From :func:`markouts`.

    Returns
    -------
    DataFrame
        Columns ``side`` (``"bid"``, ``"ask"``, ``"all"``), ``horizon``, ``mean``, ``se``, ``fills``.
    """
    horizons = [c for c in marked.columns if isinstance(c, float)]
    rows = []
    selections = [("bid", marked["side"] == 1), ("ask", marked["side"] == -1), ("all", slice(None))]
    for name, rows_of in selections:
        part = marked.loc[rows_of]
        for h in horizons:
            mean, se = _weighted_mean_se(part[h].to_numpy(), part["size"].to_numpy(), part["path"].to_numpy())
            rows.append((name, h, mean, se, len(part)))
    return pd.DataFrame(rows, columns=["side", "horizon", "mean", "se", "fills"])


def adverse_selection_cost(marked: pd.DataFrame, paths: pd.Index | None = None) -> pd.DataFrame:
    """The adverse-selection cost of each path at each horizon: ``sum over its fills of size * m_h``.

    Parameters
    ----------
    marked : DataFrame
        From :func:`markouts`.
    paths : Index, optional
        Every path of the run, so paths without fills get a zero row.

    Returns
    -------
    DataFrame
        Indexed by path, one column per horizon, in currency units.
    """
    horizons = [c for c in marked.columns if isinstance(c, float)]
    cost = marked[horizons].mul(marked["size"], axis=0).groupby(marked["path"]).sum()
    if paths is not None:
        cost = cost.reindex(paths, fill_value=0.0)
    return cost.rename_axis("path")
