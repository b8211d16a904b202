"""Typed recipes of a synthetic experiment: the market (:class:`MarketSpec`) and the strategies' parameters
(:class:`StrategySpec`), and the one place strategies are built from them (:func:`build_strategies`).

``mmsim run``, ``mmsim sweep``, ``mmsim study`` and ``mmsim paper`` describe their experiments with these, so a
strategy named ``naive`` or ``glft`` means the same object in every command.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from engine import ConfigError, ExponentialFills, StepFills
from engine.errors import non_negative, one_of, optional_non_negative, optional_positive, positive
from feeds import SyntheticMarket
from strategies import GLFT, AvellanedaStoikov, InfiniteHorizonAS, InventoryCapped, SymmetricSpread, load_user_strategy

#: The model-based strategies, by the names of :data:`strategies.SHIPPED`.
MODEL_STRATEGIES = ("avellaneda-stoikov", "glft", "as-infinite")
#: The naive strategies: symmetric quotes at a fixed spread, and the same limited to ``|q| <= max_inventory``.
NAIVE_STRATEGIES = ("naive", "inventory-capped")


def _market_default(name: str):
    return attrs.fields_dict(SyntheticMarket)[name].default  # one set of defaults: the market's own


class _Spec:
    _kind = ""  # what the spec's fields are parameters of, for errors

    @classmethod
    def from_dict(cls, params: Mapping):
        """The spec of ``params`` (its field names; a missing or ``None`` one takes the default), as a sweep's
        cell file stores it.

        Raises
        ------
        ConfigError
            If a name is not a field, or a value is out of range.
        """
        unknown = sorted(set(params) - set(attrs.fields_dict(cls)))
        if unknown:
            raise ConfigError(f"unknown {cls._kind} parameter {unknown[0]!r}")
        return cls(**{k: v for k, v in params.items() if v is not None})


@attrs.frozen
class MarketSpec(_Spec):
    """A synthetic market and its fill model: the fields of :class:`feeds.SyntheticMarket` an experiment varies
    (same names, same defaults: the Avellaneda-Stoikov paper's), and ``fills``: ``"exact"`` for
    :class:`engine.ExponentialFills` or ``"step"`` for the paper's per-step probability :class:`engine.StepFills`.

    Raises
    ------
    ConfigError
        If a value is out of range, or ``fills="step"`` is asked with price impact (the step model has no market
        orders to move the mid).
    """

    s0: float = attrs.field(default=_market_default("s0"), converter=float, validator=positive)
    T: float = attrs.field(default=_market_default("T"), converter=float, validator=positive)
    sigma: float = attrs.field(default=_market_default("sigma"), converter=float, validator=non_negative)
    dt: float = attrs.field(default=_market_default("dt"), converter=float, validator=positive)
    A: float = attrs.field(default=_market_default("A"), converter=float, validator=non_negative)
    k: float = attrs.field(default=_market_default("k"), converter=float, validator=positive)
    increments: str = attrs.field(default=_market_default("increments"),
                                  validator=one_of("binary", "gaussian", "gbm"))
    sigma_volatile: float | None = attrs.field(default=None, converter=attrs.converters.optional(float),
                                               validator=optional_non_negative)
    to_volatile_rate: float = attrs.field(default=_market_default("to_volatile_rate"), converter=float,
                                          validator=positive)
    to_calm_rate: float = attrs.field(default=_market_default("to_calm_rate"), converter=float, validator=positive)
    impact: float = attrs.field(default=_market_default("impact"), converter=float, validator=non_negative)
    fills: str = attrs.field(default="exact", validator=one_of("exact", "step"))
    _kind = "market"

    def __attrs_post_init__(self) -> None:
        if self.fills == "step" and self.impact > 0:
            raise ConfigError("impact needs fills exact: the step model has no market orders to move the mid",
                              params=("impact", "fills"))

    def build(self) -> tuple[SyntheticMarket, object]:
        """The market and its fill model. With step fills the market has no order flow (``A = 0``): the fill
        model draws the fills from ``A``."""
        fields = {k: v for k, v in attrs.asdict(self).items() if k != "fills"}
        if self.fills == "step":
            return SyntheticMarket(**{**fields, "A": 0.0}), StepFills(A=self.A, k=self.k, dt=self.dt)
        return SyntheticMarket(**fields), ExponentialFills()


@attrs.frozen
class StrategySpec(_Spec):
    """The parameters of the shipped synthetic-market strategies.

    Parameters
    ----------
    gamma : float
        Risk aversion of avellaneda-stoikov, glft and as-infinite (> 0).
    strategy_k, strategy_sigma : float or None
        The ``k`` and ``sigma`` the model strategies assume (``None``: the market's true ones).
    max_inventory : float
        Limit on ``|q|`` of inventory-capped, glft and as-infinite (> 0).
    omega : float or None
        as-infinite's discount rate (``None``: its default).
    spread : float or None
        The naive strategies' total spread (``None``: Avellaneda-Stoikov's time-average spread on the market).

    Raises
    ------
    ConfigError
        If a value is out of range (the message names the parameter).
    """

    gamma: float = attrs.field(default=0.1, converter=float, validator=positive)
    strategy_k: float | None = attrs.field(default=None, converter=attrs.converters.optional(float),
                                           validator=optional_positive)
    strategy_sigma: float | None = attrs.field(default=None, converter=attrs.converters.optional(float),
                                               validator=optional_non_negative)
    max_inventory: float = attrs.field(default=5.0, converter=float, validator=positive)
    omega: float | None = attrs.field(default=None, converter=attrs.converters.optional(float),
                                      validator=optional_positive)
    spread: float | None = attrs.field(default=None, converter=attrs.converters.optional(float),
                                       validator=optional_positive)
    _kind = "strategy"


def build_strategies(names: Sequence[str], spec: StrategySpec, market: SyntheticMarket, A: float,
                     user_params: Mapping[str, str] | None = None) -> list:
    """The strategies ``names`` on ``market``, set up by ``spec``.

    Parameters
    ----------
    names : sequence of str
        :data:`MODEL_STRATEGIES`, :data:`NAIVE_STRATEGIES`, or ``path/to/file.py:ClassName`` (a user's class,
        built with ``user_params``).
    spec : StrategySpec
        The strategies' parameters.
    market : SyntheticMarket
        The market: its ``k`` and ``sigma`` are what the model strategies assume unless ``spec`` says otherwise,
        and the naive spread defaults to Avellaneda-Stoikov's average spread over its quote grid.
    A : float
        The order arrival rate glft assumes (the market spec's: a step-fills market itself has ``A = 0``).
    user_params : mapping, optional
        Constructor arguments of a user's class, as text.

    Returns
    -------
    list
        One strategy per name, in order.

    Raises
    ------
    ConfigError
        If a parameter is out of range, or a user's class cannot be loaded.
    """
    k = spec.strategy_k or market.k
    sigma = market.sigma if spec.strategy_sigma is None else spec.strategy_sigma
    avellaneda = AvellanedaStoikov(gamma=spec.gamma, sigma=sigma, k=k)
    if any(name in NAIVE_STRATEGIES for name in names):
        spread = spec.spread or avellaneda.average_spread(market.T, market.dt)
    built = []
    for name in names:
        if name == "avellaneda-stoikov":
            built.append(avellaneda)
        elif name == "glft":
            built.append(GLFT(gamma=spec.gamma, sigma=sigma, k=k, A=A, max_inventory=spec.max_inventory))
        elif name == "as-infinite":
            built.append(InfiniteHorizonAS(gamma=spec.gamma, sigma=sigma, k=k, max_inventory=spec.max_inventory,
                                           omega=spec.omega))
        elif name == "naive":
            built.append(SymmetricSpread(spread))
        elif name == "inventory-capped":
            built.append(InventoryCapped(SymmetricSpread(spread), spec.max_inventory))
        else:
            built.append(load_user_strategy(name, dict(user_params or {})))
    return built
