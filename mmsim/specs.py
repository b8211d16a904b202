"""Typed recipes of an experiment: the synthetic market (:class:`MarketSpec`) and the strategies' parameters
(:class:`StrategySpec`), and the one place strategies are built from them: on a synthetic market
(:func:`build_strategies`) or on replayed data (:func:`build_replay_strategy`).

``mmsim run``, ``mmsim sweep``, ``mmsim study``, ``mmsim paper`` and ``mmsim replay`` describe their strategies
with these, so a strategy named ``naive`` or ``glft`` means the same object in every command.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import attrs

from engine import ConfigError, ExponentialFills, StepFills
from engine.errors import finite, non_negative, one_of, positive
from feeds import SyntheticMarket
from strategies import (GLFT, SHIPPED, AvellanedaStoikov, InfiniteHorizonAS, InventoryCapped, Retimed,
                        RollingAvellanedaStoikov, SymmetricSpread, load_user_strategy)

#: The model-based strategies, by the names of :data:`strategies.SHIPPED`.
MODEL_STRATEGIES = ("avellaneda-stoikov", "glft", "as-infinite")
#: The naive strategies: symmetric quotes at a fixed spread, and the same limited to ``|q| <= max_inventory``.
NAIVE_STRATEGIES = ("naive", "inventory-capped")
#: The shipped strategies a replay builds (their parameters converted from the data; avellaneda-stoikov rolls).
REPLAY_STRATEGIES = ("avellaneda-stoikov", "glft", *NAIVE_STRATEGIES)
#: What each shipped replay strategy cannot do without (the others have defaults).
REPLAY_NEEDS = {"avellaneda-stoikov": ("strategy_k",), "glft": ("strategy_k", "strategy_sigma", "strategy_A"),
                "naive": ("spread",), "inventory-capped": ("spread",)}


def _market_default(name: str):
    return attrs.fields_dict(SyntheticMarket)[name].default  # one set of defaults: the market's own


def _unset(validator=finite):
    """A float field that may be left unset (``None``: a default decided where the spec is used)."""
    return attrs.field(default=None, converter=attrs.converters.optional(float),
                       validator=attrs.validators.optional(validator))


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
    sigma_volatile: float | None = _unset(non_negative)
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
    """The parameters of the shipped strategies, on a synthetic market or on replayed data. A field left at
    ``None`` takes its default: the market's, or the strategy's own.

    Parameters
    ----------
    gamma : float
        Risk aversion of avellaneda-stoikov, glft and as-infinite (> 0).
    strategy_k, strategy_sigma, strategy_A : float or None
        The ``k``, ``sigma`` and ``A`` the model strategies assume (``None``: the synthetic market's true ones;
        on replayed data there is no market to take them from: ``k`` is needed by avellaneda-stoikov and glft,
        ``sigma`` and ``A`` by glft, and avellaneda-stoikov without ``sigma`` estimates it online).
    max_inventory : float
        Limit on ``|q|`` of inventory-capped, glft and as-infinite (> 0).
    omega : float or None
        as-infinite's discount rate (``None``: its default).
    spread : float or None
        The naive strategies' total spread (``None``: Avellaneda-Stoikov's time-average spread on the market;
        needed on replayed data).
    order_size : float or None
        Size of each side of the shipped strategies' quotes (``None``: each strategy's default).
    tick_size : float or None
        The price grid the rolling Avellaneda-Stoikov of a replay puts its quotes on (``None``: off the grid).
    horizon_s, sigma_window_s, sigma_prior : float or None
        The rolling Avellaneda-Stoikov's horizon, the time constant of its online volatility estimate (seconds)
        and that estimate's starting value (``None``: its defaults; see
        :class:`strategies.RollingAvellanedaStoikov`).
    close : float or None
        The rolling Avellaneda-Stoikov's finite horizon: the time on the data's clock it runs down to
        (``None``: it rolls).

    Raises
    ------
    ConfigError
        If a value is out of range (the message names the parameter).
    """

    gamma: float = attrs.field(default=0.1, converter=float, validator=positive)
    strategy_k: float | None = _unset(positive)
    strategy_sigma: float | None = _unset(non_negative)
    max_inventory: float = attrs.field(default=5.0, converter=float, validator=positive)
    omega: float | None = _unset(positive)
    spread: float | None = _unset(positive)
    strategy_A: float | None = _unset(non_negative)
    order_size: float | None = _unset(positive)
    tick_size: float | None = _unset(positive)
    horizon_s: float | None = _unset(positive)
    sigma_window_s: float | None = _unset(positive)
    sigma_prior: float | None = _unset(non_negative)
    close: float | None = _unset()
    _kind = "strategy"


def _given(**values) -> dict:
    """The keyword arguments that are not ``None``: the others keep the constructor's defaults."""
    return {name: value for name, value in values.items() if value is not None}


def _build(name: str, spec: StrategySpec, avellaneda: Callable[[], object], k: float | None, sigma: float | None,
           A: float | None, spread: float | None, user_params: Mapping[str, str] | None):
    """The strategy ``name``: the shipped ones from ``spec`` with the model's ``k``, ``sigma`` and ``A`` and the
    naive ``spread`` resolved by the caller (``avellaneda`` builds the Avellaneda-Stoikov that fits the
    market), a user's class from ``user_params``."""
    size = _given(order_size=spec.order_size)
    if name == "avellaneda-stoikov":
        return avellaneda()
    if name == "glft":
        return GLFT(gamma=spec.gamma, sigma=sigma, k=k, A=A, max_inventory=spec.max_inventory, **size)
    if name == "as-infinite":
        return InfiniteHorizonAS(gamma=spec.gamma, sigma=sigma, k=k, max_inventory=spec.max_inventory,
                                 omega=spec.omega, **size)
    if name == "naive":
        return SymmetricSpread(spread, **size)
    if name == "inventory-capped":
        return InventoryCapped(SymmetricSpread(spread, **size), spec.max_inventory)
    return load_user_strategy(name, dict(user_params or {}))


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
        The order arrival rate glft assumes unless ``spec.strategy_A`` says otherwise (the market spec's: a
        step-fills market itself has ``A = 0``).
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
    avellaneda = AvellanedaStoikov(gamma=spec.gamma, sigma=sigma, k=k, **_given(order_size=spec.order_size))
    spread = spec.spread
    if spread is None and any(name in NAIVE_STRATEGIES for name in names):
        spread = avellaneda.average_spread(market.T, market.dt)
    A = A if spec.strategy_A is None else spec.strategy_A
    return [_build(name, spec, lambda: avellaneda, k, sigma, A, spread, user_params) for name in names]


def build_replay_strategy(name: str, spec: StrategySpec, *, requote_s: float, requote_on_tick: bool = False,
                          user_params: Mapping[str, str] | None = None):
    """The strategy ``name`` for replayed data, set up by ``spec`` and retimed: it requotes every ``requote_s``
    seconds of data time and after each fill (and on every mid move with ``requote_on_tick``). A warm-up that is
    replayed but not traded is the run's ``trade_from`` (:class:`engine.Simulation`), not the strategy's.

    avellaneda-stoikov is :class:`strategies.RollingAvellanedaStoikov` (no terminal time unless ``spec.close``),
    glft and the naive strategies are those of :func:`build_strategies`; the data have no market to take ``k``,
    ``sigma``, ``A`` or the naive spread from, so ``spec`` gives them (:data:`REPLAY_NEEDS`).

    Parameters
    ----------
    name : str
        One of :data:`REPLAY_STRATEGIES`, or ``path/to/file.py:ClassName`` (a user's class, built with
        ``user_params``).
    spec : StrategySpec
        The strategy's parameters.
    requote_s : float
        The requote timer, seconds of data time (> 0).
    requote_on_tick : bool
        Also requote on every mid move.
    user_params : mapping, optional
        Constructor arguments of a user's class, as text.

    Returns
    -------
    strategies.Retimed
        The strategy, on the replay's requote timer.

    Raises
    ------
    ConfigError
        If ``name`` is a shipped strategy that is not built for replay (its parameters are not converted from the
        data), if ``spec`` lacks a parameter it needs (the message names it), or a user's class cannot be loaded.
    """
    if name in SHIPPED and name not in REPLAY_STRATEGIES:
        # A shipped model strategy built with its synthetic-market defaults would quote nonsense on real prices.
        raise ConfigError(f"strategy {name!r} is not wired for replay (its parameters are not converted from the "
                          f"data): use {', '.join(REPLAY_STRATEGIES)} or path/to/file.py:ClassName")
    missing = [field for field in REPLAY_NEEDS.get(name, ()) if getattr(spec, field) is None]
    if missing:
        raise ConfigError(f"{name} on replayed data needs {missing[0]}: there is no market to take it from",
                          params=(missing[0],))

    def rolling():
        return RollingAvellanedaStoikov(gamma=spec.gamma, k=spec.strategy_k, sigma=spec.strategy_sigma,
                                        **_given(horizon_s=spec.horizon_s, sigma_prior=spec.sigma_prior,
                                                 sigma_window_s=spec.sigma_window_s, order_size=spec.order_size,
                                                 tick_size=spec.tick_size, close=spec.close))

    inner = _build(name, spec, rolling, spec.strategy_k, spec.strategy_sigma, spec.strategy_A, spec.spread,
                   user_params)
    return Retimed(inner, requote_interval_s=requote_s, requote_on_tick=requote_on_tick, requote_on_fill=True)
