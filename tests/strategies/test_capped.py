"""InventoryCapped keeps |inventory| within its limit."""

from __future__ import annotations

import numpy as np

from engine import ExponentialFills, MarketState, run_paths
from feeds import SyntheticMarket
from strategies import AvellanedaStoikov, InventoryCapped, SymmetricSpread


def test_inventory_cap_is_never_exceeded():
    """Over many paths of naive quoting (which drifts far without a cap) |q| never passes the cap."""
    capped = InventoryCapped(SymmetricSpread(1.0), max_inventory=3)
    ledger = run_paths(SyntheticMarket(T=1.0), capped, ExponentialFills(), paths=30, seed=5)
    assert ledger.fills.inventory.abs().max() == 3  # it binds...
    assert ledger.marks.inventory.abs().max() <= 3  # ...and holds


def test_the_side_that_would_breach_the_cap_is_withdrawn():
    """At q = +cap the bid is withdrawn, at q = -cap the ask; in between both sides stay."""
    capped = InventoryCapped(SymmetricSpread(2.0), max_inventory=2)
    at = lambda q: capped.quote(MarketState(time=0, horizon=1, mid=100.0, inventory=q))
    assert at(2.0)[:2] == (None, 101.0)
    assert at(-2.0)[:2] == (99.0, None)
    assert at(1.0)[:2] == (99.0, 101.0)


def test_cap_on_arrays_withdraws_with_nan_per_path():
    """With arrays over paths a withdrawn side is NaN on the paths at the cap."""
    capped = InventoryCapped(AvellanedaStoikov(), max_inventory=1)
    state = MarketState(time=0.0, horizon=1.0, mid=np.full(3, 100.0), inventory=np.array([1.0, 0.0, -1.0]))
    quote = capped.quote(state)
    assert np.isnan(quote.bid[0]) and np.isfinite(quote.bid[1:]).all()
    assert np.isnan(quote.ask[2]) and np.isfinite(quote.ask[:2]).all()


def test_capped_strategy_uses_the_inner_requote_settings_and_name():
    """The wrapper requotes like the strategy it wraps and names itself after it."""
    assert InventoryCapped(SymmetricSpread(1.0)).name == "inventory-capped"
    assert InventoryCapped(AvellanedaStoikov()).name == "capped-avellaneda-stoikov"
    assert InventoryCapped(SymmetricSpread(1.0)).requote_on_tick is True
