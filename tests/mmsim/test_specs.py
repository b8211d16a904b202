"""The typed experiment specs and the one strategy builder (mmsim/specs.py)."""

import math

import attrs
import pytest

from engine import ConfigError, ExponentialFills, StepFills
from feeds import SyntheticMarket
from mmsim.cli import main
from mmsim.specs import MarketSpec, StrategySpec, build_replay_strategy, build_strategies
from strategies import GLFT, AvellanedaStoikov, InventoryCapped, RollingAvellanedaStoikov, SymmetricSpread


def test_the_default_market_spec_is_the_default_market_with_exact_fills():
    """One set of defaults: a spec left alone builds SyntheticMarket() and continuous-time fills."""
    market, fills = MarketSpec().build()
    assert market == SyntheticMarket() and isinstance(fills, ExponentialFills)


def test_step_fills_move_the_order_flow_into_the_fill_model():
    """With step fills the market brings no market orders (A = 0); the fill model draws at the spec's A, k, dt."""
    market, fills = MarketSpec(A=70.0, k=2.0, dt=0.01, fills="step").build()
    assert market.A == 0.0 and isinstance(fills, StepFills)
    assert (fills.A, fills.k, fills.dt) == (70.0, 2.0, 0.01)


@pytest.mark.parametrize("make, message", [
    (lambda: MarketSpec(sigma=-1.0), "sigma must be >= 0"),
    (lambda: MarketSpec(fills="exactly"), "fills must be one of"),
    (lambda: MarketSpec(impact=0.1, fills="step"), "impact needs fills exact"),
    (lambda: MarketSpec.from_dict({"volatility": 1.0}), "unknown market parameter 'volatility'"),
    (lambda: StrategySpec(gamma=0.0), "gamma must be > 0"),
    (lambda: StrategySpec(strategy_k=-1.0), "strategy_k must be > 0"),
    (lambda: StrategySpec(order_size=0.0), "order_size must be > 0"),
    (lambda: StrategySpec(close=math.nan), "close must be finite"),
    (lambda: StrategySpec.from_dict({"kappa": 1.0}), "unknown strategy parameter 'kappa'"),
])
def test_bad_specs_are_config_errors_naming_the_parameter(make, message):
    with pytest.raises(ConfigError, match=message):
        make()


def test_the_command_line_names_the_options_of_a_spec_error(tmp_path, capsys):
    """The spec names parameters (impact, fills); mmsim run shows them as its options, on one line."""
    assert main(["run", "--paths", "2", "--T", "0.05", "--fills", "step", "--impact", "0.1",
                 "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == "mmsim run: error: --impact needs --fills exact: the step model has no market orders to move " \
                  "the mid\n"
    assert not (tmp_path / "out").exists()


def test_one_builder_sets_naive_quoting_at_the_models_average_spread():
    """naive and inventory-capped quote Avellaneda-Stoikov's time-average spread (the paper's comparison) unless a
    spread is given; the models assume the market's k and sigma unless told otherwise."""
    market = SyntheticMarket(T=0.2)
    names = ["avellaneda-stoikov", "naive", "inventory-capped", "glft"]
    avellaneda, naive, capped, glft = build_strategies(names, StrategySpec(gamma=0.3, max_inventory=2.0), market, 90.0)
    assert isinstance(avellaneda, AvellanedaStoikov) and (avellaneda.k, avellaneda.sigma) == (market.k, market.sigma)
    assert isinstance(naive, SymmetricSpread) and naive.spread == avellaneda.average_spread(market.T, market.dt)
    assert isinstance(capped, InventoryCapped) and capped.max_inventory == 2.0
    assert isinstance(glft, GLFT) and glft.A == 90.0
    given = StrategySpec(spread=0.7, strategy_k=3.0)
    model, fixed = build_strategies(["avellaneda-stoikov", "naive"], given, market, 90.0)
    assert fixed.spread == 0.7 and model.k == 3.0
    assert attrs.evolve(given, spread=None).spread is None


def test_replay_and_synthetic_markets_build_the_same_strategy_from_the_same_spec():
    """One builder: glft and the naive strategies of a replay are those of a synthetic run given the same k,
    sigma, A, spread and order size; only the requote timer is the replay's."""
    spec = StrategySpec(gamma=0.01, strategy_k=30.0, strategy_sigma=0.02, strategy_A=2.0, max_inventory=300.0,
                        spread=0.04, order_size=100.0)
    market = SyntheticMarket()
    for name in ("glft", "naive", "inventory-capped"):
        replayed = build_replay_strategy(name, spec, requote_s=0.25)
        assert replayed.inner == build_strategies([name], spec, market, 90.0)[0]
        assert (replayed.requote_interval_s, replayed.requote_on_fill, replayed.requote_on_tick) == (0.25, True, False)


def test_the_replays_avellaneda_stoikov_rolls_with_the_spec_and_its_own_defaults():
    """avellaneda-stoikov on replayed data is the rolling one; a field left unset keeps the strategy's default
    (one set of defaults), a given one reaches it."""
    spec = StrategySpec(gamma=0.002, strategy_k=25.0, tick_size=0.01, order_size=50.0, close=55_800.0)
    rolling = build_replay_strategy("avellaneda-stoikov", spec, requote_s=0.1).inner
    assert isinstance(rolling, RollingAvellanedaStoikov)
    assert (rolling.gamma, rolling.k, rolling.tick_size, rolling.order_size, rolling.close) == (
        0.002, 25.0, 0.01, 50.0, 55_800.0)
    assert rolling.sigma is None  # no fixed sigma: estimated online
    assert rolling.horizon_s == attrs.fields_dict(RollingAvellanedaStoikov)["horizon_s"].default


@pytest.mark.parametrize("name, spec, message, param", [
    ("avellaneda-stoikov", StrategySpec(), "avellaneda-stoikov on replayed data needs strategy_k", "strategy_k"),
    ("glft", StrategySpec(strategy_k=20.0, strategy_sigma=0.01), "glft on replayed data needs strategy_A",
     "strategy_A"),
    ("inventory-capped", StrategySpec(strategy_k=20.0), "inventory-capped on replayed data needs spread", "spread"),
])
def test_a_replay_strategy_without_a_parameter_it_needs_names_the_parameter(name, spec, message, param):
    with pytest.raises(ConfigError, match=message) as raised:
        build_replay_strategy(name, spec, requote_s=0.1)
    assert raised.value.params == (param,)


def test_a_synthetic_model_is_not_built_for_replay():
    """as-infinite's parameters are not converted from real data: refused, not built with synthetic defaults."""
    with pytest.raises(ConfigError, match="'as-infinite' is not wired for replay"):
        build_replay_strategy("as-infinite", StrategySpec(strategy_k=20.0, strategy_sigma=0.01), requote_s=0.1)
