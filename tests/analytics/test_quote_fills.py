"""The resting-quote estimator: hypothetical quotes matched by the replay's own fill rule, and the Poisson fit
of ``A exp(-k x)`` to their fill events with standard errors clustered in time."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analytics.calibration_loop import replay_naive
from analytics.quote_fills import QuoteCells, fit_rates, hypothetical_cells
from engine import DataError
from engine.queue_fills import QueueFills
from feeds import FrameSource, quote_row, synthetic_ticks, trade_row
from mmsim.cli import build_parser
from mmsim.cmd_replay import fill_model_for, queue_for, replay_run
from tests.lobster_files import write_lobster
from tests.mmsim.test_cmd_replay_book import RESTING, day

A, K, TICK = 0.3, 40.0, 0.01


def model_cells(seed: int, windows: int = 4000, shock_shape: float | None = None, block: int = 20) -> QuoteCells:
    """Cells drawn from the model: fill events ~ Poisson(A e exp(-k x)) per (offset, window, side); with
    ``shock_shape``, every block of ``block`` windows multiplies its rates by a Gamma(shape, 1 / shape) shock
    (mean 1), which makes the cells of one block dependent."""
    rng = np.random.default_rng(seed)
    offsets = TICK * np.arange(6)
    exposure = np.ones(windows)
    shock = np.ones(windows)
    if shock_shape is not None:
        shock = np.repeat(rng.gamma(shock_shape, 1.0 / shock_shape, windows // block + 1), block)[:windows]
    mean = A * np.exp(-K * offsets)[:, None, None] * (exposure * shock)[None, :, None]
    fills = rng.poisson(np.broadcast_to(mean, (len(offsets), windows, 2)))
    return QuoteCells(anchor="touch", offsets=offsets, window_s=1.0, start=np.arange(windows, dtype=float),
                      exposure=exposure, fills=fills.astype(float), markout=np.zeros(fills.shape), horizon_s=1.0)


def test_the_fit_recovers_a_and_k_from_the_model_with_both_standard_errors_agreeing():
    """On independent Poisson cells the MLE is within 3 SE of the truth, and the clustered SE estimates the same
    thing as the Poisson SE: with G = 200 clusters its variance has relative SE about sqrt(2 / G) = 10%, so its
    SE is within 0.7x to 1.4x of the Poisson one (more than 3 of those SEs)."""
    fit = fit_rates(model_cells(seed=1), block_s=20.0)
    assert abs(fit.A - A) < 3 * fit.A_se_poisson and abs(fit.k - K) < 3 * fit.k_se_poisson
    assert 0.7 < fit.A_se / fit.A_se_poisson < 1.4 and 0.7 < fit.k_se / fit.k_se_poisson < 1.4
    assert fit.clusters == 200 and fit.events > 0


def test_clustered_errors_see_dependence_that_poisson_errors_miss():
    """A common shock per 20-second block (Gamma, shape 2: the rate's variance is half its mean squared) leaves
    the estimates unbiased but makes the counts overdispersed: per block the expected events are about
    20 * 2 * A * sum exp(-k x) = 30, so the variance of a block's count is 30 + 30^2 / 2 = 480, 16 times the
    Poisson 30; the clustered SE of A must be well above (here, over twice) the Poisson one."""
    fit = fit_rates(model_cells(seed=2, shock_shape=2.0), block_s=20.0)
    assert fit.A_se > 2.0 * fit.A_se_poisson
    assert abs(fit.A - A) < 3 * fit.A_se and abs(fit.k - K) < 3 * fit.k_se


def test_fills_at_one_offset_only_do_not_identify_k():
    cells = model_cells(seed=3)
    cells.fills[1:] = 0.0
    with pytest.raises(DataError, match="fills at one offset only"):
        fit_rates(cells)


def test_hypothetical_quotes_fill_by_the_replays_queue_rule():
    """A quote at the touch waits for the 300 shares displayed ahead of it: the first 200-share buy does not
    fill it, the second does (100 left ahead, 100 for us); a buy printing two ticks through the best fills the
    touch quote and the quote a tick behind it, and nothing reaches the one two ticks behind."""
    rows = [quote_row(0.0, 99.99, 100.01, 300, 300), trade_row(0.5, 100.01, 200, +1),
            trade_row(0.6, 100.01, 200, +1), trade_row(1.5, 100.03, 50, +1), quote_row(2.0, 99.99, 100.01, 300, 300),
            quote_row(3.0, 99.98, 100.01, 300, 300)]
    cells = hypothetical_cells(FrameSource.from_rows(rows), "touch", [0.0, 0.01, 0.02], window_s=1.0, tick_size=TICK)
    assert cells.fills[:, :, 0].sum() == 0  # no sell: no bid filled
    assert cells.fills[:, :, 1].tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 0]]
    assert cells.exposure.tolist() == [1.0, 1.0, 1.0]


def test_a_mid_pegged_quote_is_the_naive_strategy_replayed():
    """The fill events of the quote pegged x from the mid are those of the naive strategy with total spread 2x
    replayed on the same requote timer: the estimator measures what the replay does."""
    source = FrameSource([synthetic_ticks(5.0, 150.0, duration_s=300.0, seed=4)])
    x = 0.02
    cells = hypothetical_cells(source, "mid", [x], window_s=0.5, tick_size=TICK)
    replayed = replay_naive(source, 2 * x, tick_size=TICK, window_s=0.5)
    hours = (cells.start[-1] + cells.exposure[-1] - cells.start[0]) / 3600.0
    assert cells.fills.sum() > 50
    assert replayed["fills_per_hour"] * hours == pytest.approx(cells.fills.sum(), rel=1e-9)
    assert math.isfinite(replayed["markout"])



def test_on_a_level_n_file_a_mid_pegged_quote_fills_as_mmsim_replay_naive_does_with_exact_queues(tmp_path):
    """On a level-2 LOBSTER file ``mmsim replay`` picks the exact queue (l3, the book rebuilt by order id); the
    estimator, given the source and fill model that replay picks (the same function), sees exactly the naive
    strategy's fill events, side by side, window by window. The level-1 rule on the same quotes fills otherwise,
    so the check can fail."""
    message = write_lobster(tmp_path, day(cancels=True), 2, RESTING)
    args = build_parser().parse_args(["replay", str(message), "--strategy", "naive", "--spread", "0.1",
                                      "--tick-size", "0.01", "--warmup-min", "0", "--requote-ms", "500"])
    sim, report = replay_run(args, show_progress=False)
    queue, levels, _ = queue_for(args)
    source, fill_model = fill_model_for(args, None, 0.01, queue, levels)
    assert report["market"]["queue"] == queue == "l3" and isinstance(fill_model, QueueFills)
    cells = hypothetical_cells(source, "mid", [0.05], window_s=0.5, tick_size=0.01, fill_model=fill_model)
    events = sim.ledger.fills.groupby(["time", "side"], sort=False).size().reset_index()
    w = np.floor((events["time"].to_numpy() - cells.start[0]) / 0.5 + 1e-9).astype(int)
    replayed = np.zeros(cells.fills.shape[1:])
    np.add.at(replayed, (w, (events["side"].to_numpy() < 0).astype(int)), 1.0)
    assert cells.fills.sum() > 50
    assert cells.fills[0].tolist() == replayed.tolist()
    level_one = hypothetical_cells(source, "mid", [0.05], window_s=0.5, tick_size=0.01)
    assert level_one.fills.sum() < cells.fills.sum()
