"""The fill intensity ``lambda(delta) = A exp(-k delta)`` from a strategy's own quotes and fills (a ledger)."""

from __future__ import annotations

import math

import numpy as np

from analytics.mle import IntensityFit, maximize
from engine import BID, DataError, Ledger
from engine.errors import check_positive
from engine.lazy_modules import lazy_module

pd = lazy_module("pandas")


def quote_exposures(ledger: Ledger) -> pd.DataFrame:
    """Each stretch of time a quote side rested at one depth: ``depth`` (price units from the mid), ``exposure``
    (time units) and ``fills`` during it.

    A stretch starts when a quote goes live or the mid moves, and ends at the next of either, at the end of the
    path, or at the fill that used up the quote's size (the side is empty until the next quote). Fills are
    matched to the quote live just before them. Depth below zero (a quote through the mid) is kept as is.

    Raises
    ------
    DataError
        If a fill's price is not that of the quote side live just before it.
    """
    quotes, fills, marks = ledger.quotes, ledger.fills, ledger.marks
    if quotes.empty:
        raise DataError("the ledger has no quotes: nothing rested, so there is nothing to fit")
    q = quotes[["path", "time", "bid", "ask", "bid_size", "ask_size"]].assign(quote=np.arange(len(quotes)), order=1)
    m = marks[["path", "time", "mid"]].assign(order=0)  # at one instant the mid moves before the strategy requotes
    events = pd.concat([m, q], ignore_index=True).sort_values(["path", "time", "order"], kind="stable")
    by_path = events.groupby("path", sort=False)
    filled = by_path[["mid", "bid", "ask", "bid_size", "ask_size", "quote"]].ffill()
    events = events[["path", "time"]].join(filled)
    path_end = marks.groupby("path")["time"].max()
    events["end"] = by_path["time"].shift(-1).fillna(events["path"].map(path_end))
    events = events[events["quote"].notna() & events["mid"].notna()].reset_index(drop=True)
    events["quote"] = events["quote"].astype(np.int64)

    pieces = []
    for side, price, size in ((BID, "bid", "bid_size"), (-BID, "ask", "ask_size")):
        live = events[events[price].notna()]
        side_fills = fills[fills["side"] == side].sort_values("time", kind="stable")
        matched = pd.merge_asof(side_fills[["path", "time", "price", "size"]],
                                live[["path", "time", price, size, "quote"]].sort_values("time", kind="stable")
                                .reset_index(names="piece"),
                                on="time", by="path", allow_exact_matches=False, direction="backward")
        wrong = matched["piece"].isna() | ~np.isclose(matched["price"], matched[price], rtol=1e-12, atol=1e-12)
        if wrong.any():
            bad = matched[wrong].iloc[0]
            raise DataError(f"ledger: the fill on path {int(bad['path'])} at t={bad['time']:.6g} at price "
                            f"{bad['price']!r} does not match the {price} live before it ({bad[price]!r})")
        # Cumulative size filled per quote: the quote is used up at the fill that reaches its size.
        matched = matched.sort_values(["quote", "time"], kind="stable")
        used = matched["size"].groupby(matched["quote"]).cumsum() >= matched[size] * (1 - 1e-12)
        emptied = matched[used].groupby("quote")["time"].min()
        end = np.minimum(live["end"].to_numpy(), live["quote"].map(emptied).fillna(np.inf).to_numpy())
        exposure = np.maximum(end - live["time"].to_numpy(), 0.0)
        count = matched["piece"].astype(np.int64).value_counts()
        n = count.reindex(live.index, fill_value=0).to_numpy()
        depth = side * (live["mid"].to_numpy() - live[price].to_numpy())
        pieces.append(pd.DataFrame({"side": side, "depth": depth, "exposure": exposure, "fills": n}))
    out = pd.concat(pieces, ignore_index=True)
    return out[(out["exposure"] > 0) | (out["fills"] > 0)].reset_index(drop=True)


def fit_own_fills(ledger: Ledger, *, time_unit_s: float = 1.0) -> IntensityFit:
    """Maximum-likelihood ``A`` and ``k`` from a strategy's own resting quotes and their fills.

    Each quote side ``i`` rests at depth ``delta_i`` from the mid for ``tau_i`` seconds and is filled ``n_i``
    times; fills arrive as a Poisson process of rate ``A exp(-k delta_i)`` while it rests. A quote cancelled
    (replaced, or the mid moved) before filling keeps its exposure: it is right-censored, contributing the
    probability of no fill, ``exp(-A tau_i exp(-k delta_i))``. The log-likelihood is

        l(A, k) = sum_i [ n_i (ln A - k delta_i) - A tau_i exp(-k delta_i) ]

    (constant terms dropped). It is concave in ``(ln A, k)``; for fixed ``k`` the maximum is at
    ``A = sum n_i / sum tau_i exp(-k delta_i)``. Standard errors come from its analytic Hessian (the observed
    Fisher information). A quote through the mid (``delta < 0``) fills on every order of that side in the
    simulator's exponential model, so its depth is taken as 0.

    Parameters
    ----------
    ledger : engine.Ledger
        Quotes, fills and marks of one or many paths (for example from :func:`engine.run_paths`).
    time_unit_s : float
        Seconds per time unit of the ledger, so that ``A`` comes out per second.

    Returns
    -------
    IntensityFit
        ``A`` per second per side, ``k`` per price unit.

    Raises
    ------
    DataError
        If there are no fills, or all quotes rested at one depth (``k`` is then not identified).
    """
    time_unit_s = check_positive("time_unit_s", time_unit_s)
    pieces = quote_exposures(ledger)
    depth = np.maximum(pieces["depth"].to_numpy(), 0.0)
    tau = pieces["exposure"].to_numpy() * time_unit_s
    n = pieces["fills"].to_numpy().astype(float)
    total = n.sum()
    if total == 0:
        raise DataError("the ledger has no fills: A cannot be estimated")
    sum_n_depth = float(n @ depth)

    def loglik(theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        a, k = theta
        A = math.exp(a)
        e = tau * np.exp(-k * depth)
        S0, S1, S2 = e.sum(), -(depth * e).sum(), (depth * depth * e).sum()
        value = total * a - k * sum_n_depth - A * S0
        grad = np.array([total - A * S0, -sum_n_depth - A * S1])
        hess = -A * np.array([[S0, S1], [S1, S2]])
        return float(value), grad, hess

    spread = np.sqrt(np.average((depth - np.average(depth, weights=tau + n)) ** 2, weights=tau + n))
    if not spread > 1e-12 * max(1.0, np.abs(depth).max()):
        raise DataError("every quote rested at the same depth: k cannot be estimated (vary the quoted depth)")
    k0 = 1.0 / max(float(np.average(depth, weights=n)), spread)
    a0 = math.log(total / float((tau * np.exp(-k0 * depth)).sum()))
    theta, value, hess, iterations = maximize(loglik, [a0, k0], what="own-fill intensity fit")
    return IntensityFit.from_log_params(theta, value, hess, observations=len(pieces), events=int(total),
                                        iterations=iterations,
                                        method="mle: own quotes and fills, cancelled quotes right-censored")
