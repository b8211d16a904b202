"""One lot convention for every shipped strategy: risk aversion per currency unit, inventory in shares, lot Delta.

The defining property is that a strategy does not care whether it counts in shares or in lots: a position of q
shares quoted with lots of Delta shares gives the same prices as q / Delta units of an instrument whose unit is
one lot (price per unit Delta s, sigma Delta sigma, k / Delta per unit price, lots of 1), divided by Delta.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import MarketState
from strategies import (GLFT, AvellanedaStoikov, InfiniteHorizonAS, InventoryCapped, RollingAvellanedaStoikov,
                        SymmetricSpread)

LOT = 100.0
GAMMA, SIGMA, K, A, Q = 0.001, 0.04, 40.0, 3.0, 800.0  # per share: an AAPL-like day in seconds


def shipped(lot: float, unit: float):
    """Every shipped strategy with lots of ``lot`` units, in an instrument whose unit is ``unit`` shares."""
    sigma, k, cap, spread = SIGMA * unit, K / unit, Q / unit, 0.05 * unit
    return {
        "avellaneda-stoikov": AvellanedaStoikov(gamma=GAMMA, sigma=sigma, k=k, order_size=lot),
        "rolling": RollingAvellanedaStoikov(gamma=GAMMA, k=k, horizon_s=60.0, sigma=sigma, order_size=lot),
        "glft": GLFT(gamma=GAMMA, sigma=sigma, k=k, A=A, max_inventory=cap, order_size=lot),
        "as-infinite": InfiniteHorizonAS(gamma=GAMMA, sigma=sigma, k=k, max_inventory=cap, order_size=lot),
        "naive": SymmetricSpread(spread, order_size=lot),
        "inventory-capped": InventoryCapped(SymmetricSpread(spread, order_size=lot), cap),
    }


@pytest.mark.parametrize("name", list(shipped(1.0, 1.0)))
def test_counting_in_shares_or_in_lots_gives_the_same_prices(name):
    """q shares with lots of 100 quote the prices of q / 100 one-lot units with lots of 1, over a grid of q."""
    in_shares, in_lots = shipped(LOT, 1.0)[name], shipped(1.0, LOT)[name]
    for q in np.arange(-7, 8) * LOT:
        a = in_shares.quote(MarketState(time=10.0, horizon=70.0, mid=580.0, inventory=q))
        b = in_lots.quote(MarketState(time=10.0, horizon=70.0, mid=580.0 * LOT, inventory=q / LOT))
        for x, y in ((a.bid, b.bid), (a.ask, b.ask)):
            assert (x is None and y is None) or x == pytest.approx(y / LOT, abs=1e-9)
        assert (a.bid_size, a.ask_size) == (LOT * b.bid_size, LOT * b.ask_size)


def frozen_value(x, s, q, tau):
    """Avellaneda-Stoikov's value with no quoting: -exp(-gamma (x + q s) + gamma^2 sigma^2 q^2 tau / 2)."""
    return -math.exp(-GAMMA * (x + q * s) + 0.5 * (GAMMA * SIGMA * q) ** 2 * tau)


@pytest.mark.parametrize("strategy", [AvellanedaStoikov(gamma=GAMMA, sigma=SIGMA, k=K, order_size=LOT),
                                      RollingAvellanedaStoikov(gamma=GAMMA, k=K, horizon_s=60.0, sigma=SIGMA,
                                                               order_size=LOT)])
def test_the_risk_part_of_the_spread_is_the_indifference_price_of_one_lot(strategy):
    """bid + flow/2 = r_b and ask - flow/2 = r_a with v(x - D r_b, s, q + D) = v(x + D r_a, s, q - D) = v(x, s, q),
    flow = (2/(gamma D)) ln(1 + gamma D / k): the inventory term prices a lot of D shares, not one share."""
    flow, tau, x, s = 2 / (GAMMA * LOT) * math.log1p(GAMMA * LOT / K), 60.0, 50.0, 580.0
    for q in np.arange(-5, 6) * LOT:
        quote = strategy.quote(MarketState(time=0.0, horizon=tau, mid=s, inventory=q))
        r_b, r_a = quote.bid + flow / 2, quote.ask - flow / 2
        v = frozen_value(x, s, q, tau)
        assert frozen_value(x - LOT * r_b, s, q + LOT, tau) == pytest.approx(v, rel=1e-9)
        assert frozen_value(x + LOT * r_a, s, q - LOT, tau) == pytest.approx(v, rel=1e-9)
