"""The typed experiment specs and the one strategy builder (mmsim/specs.py)."""

import attrs
import pytest

from engine import ConfigError, ExponentialFills, StepFills
from feeds import SyntheticMarket
from mmsim.cli import main
from mmsim.specs import MarketSpec, StrategySpec, build_strategies
from strategies import GLFT, AvellanedaStoikov, InventoryCapped, SymmetricSpread


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
