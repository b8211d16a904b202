"""Markets and model strategies built from flat parameter dicts: what ``mmsim run`` options and sweep grid cells
describe, in one place."""

from __future__ import annotations

from collections.abc import Mapping

from engine import ConfigError, ExponentialFills, StepFills
from feeds import SyntheticMarket
from strategies import GLFT, AvellanedaStoikov, InfiniteHorizonAS

#: The model-based strategies :func:`build_strategy` builds, by the names of :data:`strategies.SHIPPED`.
MODEL_STRATEGIES = ("avellaneda-stoikov", "glft", "as-infinite")


def build_market(params: Mapping) -> tuple[SyntheticMarket, object]:
    """The synthetic market and fill model of ``params`` (SyntheticMarket's fields, plus ``fills``:
    ``"exact"`` for :class:`engine.ExponentialFills` or ``"step"`` for the paper's :class:`engine.StepFills`).

    Raises
    ------
    ConfigError
        If a value is out of range, or ``fills="step"`` is asked with price impact (the step model has no market
        orders to move the mid).
    """
    params = dict(params)
    fills = params.pop("fills", "exact")
    if fills not in ("exact", "step"):
        raise ConfigError(f"fills must be 'exact' or 'step', got {fills!r}")
    if fills == "step" and params.get("impact", 0.0) > 0:
        raise ConfigError("--impact needs --fills exact: the step model has no market orders to move the mid")
    A = params.get("A", SyntheticMarket().A)
    market = SyntheticMarket(**{**params, "A": 0.0 if fills == "step" else A})
    fill_model = StepFills(A=A, k=market.k, dt=market.dt) if fills == "step" else ExponentialFills()
    return market, fill_model


def build_strategy(name: str, params: Mapping, market: SyntheticMarket, A: float):
    """Strategy ``name`` with ``params`` (``gamma``, ``strategy_k``, ``strategy_sigma``, ``max_inventory``,
    ``omega``); a missing or ``None`` ``strategy_k`` / ``strategy_sigma`` is the market's.

    Raises
    ------
    ConfigError
        If the name is not a model strategy or a parameter is out of range.
    """
    k = params.get("strategy_k") or market.k
    sigma = market.sigma if params.get("strategy_sigma") is None else params["strategy_sigma"]
    gamma = params.get("gamma", 0.1)
    if name == "avellaneda-stoikov":
        return AvellanedaStoikov(gamma=gamma, sigma=sigma, k=k)
    if name == "glft":
        return GLFT(gamma=gamma, sigma=sigma, k=k, A=A, max_inventory=params.get("max_inventory", 5.0))
    if name == "as-infinite":
        return InfiniteHorizonAS(gamma=gamma, sigma=sigma, k=k, max_inventory=params.get("max_inventory", 5.0),
                                 omega=params.get("omega"))
    raise ConfigError(f"unknown model strategy {name!r}: expected {', '.join(MODEL_STRATEGIES)}")
