"""The study recipe: check the Avellaneda-Stoikov (2008) claims with the simulator, with confidence intervals.

Three scenarios, every strategy on the same seeded paths (common random numbers):

``baseline``
    The paper's market (Brownian mid with binary increments, sigma 2, A 140, k 1.5, T 1, dt 0.005).
``regimes``
    The volatility switches between a calm and a volatile level (``volatile_ratio`` times the calm one) at rate
    ``switch_rate`` each way; the calm level is set so that the expected integrated variance over the horizon
    equals the baseline's (:func:`regime_sigmas`): the market is as volatile on average, only not steadily.
``informed``
    The baseline with a share ``informed`` of the market orders informed: each trades in the direction of the
    mid's next tick and reaches Exponential(``informed_k``) deep into the book instead of Exponential(k). The mid
    path is the baseline's (the informed orders foresee the moves, they do not cause them), so the effective
    sigma is the baseline's and Avellaneda-Stoikov is told the truth; what differs between strategies is how many
    of their fills are informed, which depends on how far from the mid they quote. (A market where every order
    moves the mid, ``SyntheticMarket(impact=...)``, cannot tell strategies apart: the markout per unit is the
    impact, whoever quotes.)

The strategies do not change between scenarios: Avellaneda-Stoikov assumes the baseline's sigma and k; naive
quoting uses Avellaneda-Stoikov's time-average spread; inventory-capped is naive quoting limited to
``|q| <= max_inventory``. :func:`run_study` returns the numbers; :func:`render_findings` writes them as
Markdown, with a verdict on each claim decided by its confidence interval.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import attrs
import numpy as np

from analytics.inference import PairedBootstrap, check_bootstrap, variance
from analytics.markouts import DEFAULT_HORIZONS
from analytics.report import analyse, build_report, cost_column
from analytics.risk import sharpe
from engine import ConfigError, ExponentialFills, strategy_name
from engine.errors import check_non_negative, check_positive
from feeds import SyntheticMarket
from mmsim.cmd_run import DEFAULT_STRATEGIES
from mmsim.compare import compare
from mmsim.specs import StrategySpec, build_strategies

AS, NAIVE, CAPPED = DEFAULT_STRATEGIES
SCENARIOS = ("baseline", "regimes", "informed")


@attrs.frozen
class StudyConfig:
    """Sizes and parameters of the study (defaults: the full-size run behind ``docs/findings.md``).

    Parameters
    ----------
    paths : int
        Paths per scenario and strategy.
    seed : int
        Seed of the paths (and of the bootstrap).
    gamma : float
        Avellaneda-Stoikov risk aversion.
    max_inventory : float
        Limit of the inventory-capped strategy.
    volatile_ratio : float
        Volatile sigma / calm sigma in the regimes scenario (> 1).
    switch_rate : float
        Rate of switching calm -> volatile and back, per time unit.
    informed : float
        Share of the market orders that are informed in the informed scenario, in ``[0, 1)``.
    informed_k : float
        Depth decay of the informed orders, per price unit (the baseline's is 1.5).
    horizon : float
        Markout horizon the adverse-selection comparison uses, in time units (default one tick: the move the
        informed orders foresee).
    resamples : int
        Bootstrap resamples.
    workers : int
        Processes for the simulation.
    """

    paths: int = 2000
    seed: int = 0
    gamma: float = 0.1
    max_inventory: float = 5.0
    volatile_ratio: float = 3.0
    switch_rate: float = 4.0
    informed: float = 0.2
    informed_k: float = 0.75
    horizon: float = 0.005
    resamples: int = 2000
    workers: int = 1

    def __attrs_post_init__(self) -> None:
        if self.paths < 2:
            raise ConfigError(f"paths must be >= 2 (the study compares variances), got {self.paths}")
        check_positive("gamma", self.gamma)
        check_positive("max_inventory", self.max_inventory)
        if not self.volatile_ratio > 1:
            raise ConfigError(f"volatile_ratio must be > 1, got {self.volatile_ratio!r}")
        check_positive("switch_rate", self.switch_rate)
        if not 0 < self.informed < 1:
            raise ConfigError(f"informed must be a share in (0, 1), got {self.informed!r}")
        check_positive("informed_k", self.informed_k)
        check_non_negative("horizon", self.horizon)
        check_bootstrap(self.paths, self.resamples)  # now, not after the simulation


def regime_sigmas(sigma: float, ratio: float, rate: float, T: float) -> tuple[float, float]:
    """Calm and volatile sigma whose expected integrated variance over ``[0, T]`` equals ``sigma^2 T``.

    The regime starts calm and switches at ``rate`` both ways, so the chance of being calm at ``t`` is
    ``1/2 + 1/2 exp(-2 rate t)`` and its average over ``[0, T]`` is ``p = 1/2 + (1 - exp(-2 rate T)) /
    (4 rate T)``. With ``sigma_v = ratio * sigma_c``: ``sigma_c = sigma / sqrt(p + (1 - p) ratio^2)``.
    """
    p = 0.5 + (1.0 - math.exp(-2.0 * rate * T)) / (4.0 * rate * T)
    calm = sigma / math.sqrt(p + (1.0 - p) * ratio**2)
    return calm, ratio * calm


def markets(config: StudyConfig) -> dict[str, SyntheticMarket]:
    """The market of each scenario."""
    base = SyntheticMarket()
    calm, volatile = regime_sigmas(base.sigma, config.volatile_ratio, config.switch_rate, base.T)
    return {
        "baseline": base,
        "regimes": attrs.evolve(base, sigma=calm, sigma_volatile=volatile, to_volatile_rate=config.switch_rate,
                                to_calm_rate=config.switch_rate),
        "informed": attrs.evolve(base, informed=config.informed, informed_k=config.informed_k),
    }


def strategies(config: StudyConfig, base: SyntheticMarket) -> list:
    """The three strategies, set up as ``mmsim run`` sets them up on the baseline market."""
    spec = StrategySpec(gamma=config.gamma, max_inventory=config.max_inventory)
    return build_strategies(DEFAULT_STRATEGIES, spec, base, base.A)


def _variance_rate(marks, T: float) -> float:
    """The mid's realised variance per time unit, ``sum dS^2 / T`` on each path, averaged over paths."""
    ordered = marks.sort_values(["path", "time"], kind="stable")
    squared = ordered.groupby("path")["mid"].diff().pow(2)
    return float(squared.groupby(ordered["path"]).sum().mean() / T)


def _estimate(boot: PairedBootstrap, statistic: Callable, *arrays) -> dict:
    return attrs.asdict(boot.estimate(statistic, *arrays))


def run_study(config: StudyConfig, *, progress: Callable[[int], None] | None = None,
              report_dir: str | Path | None = None) -> dict:
    """Run the three scenarios and compute every number of the findings.

    Parameters
    ----------
    config : StudyConfig
        Sizes and parameters.
    progress : callable, optional
        Advanced by the number of paths finished.
    report_dir : path, optional
        When given, ``<report_dir>/<scenario>/report.html`` is written for each scenario.

    Returns
    -------
    dict
        JSON-ready: ``config``, ``markets``, ``strategies``, ``summary`` (per scenario and strategy: the report's
        summary row), ``variance_rate`` (per scenario: the mid's realised variance per time unit, mean over
        paths), ``fill_depth`` (per scenario and strategy: the mean distance of its fills from the mid) and the
        three comparisons ``inventory``, ``sharpe``, ``adverse`` (each estimate a dict with ``value``, ``se``,
        ``low``, ``high``, ``level``).
    """
    scenario_markets = markets(config)
    built = strategies(config, scenario_markets["baseline"])
    horizons = tuple(sorted({*DEFAULT_HORIZONS["synthetic"], config.horizon}))
    per_path, summary, variance_rate, fill_depth = {}, {}, {}, {}
    for scenario, market in scenario_markets.items():
        results = compare(market, built, ExponentialFills(), paths=config.paths, seed=config.seed,
                          workers=config.workers, progress=progress)
        analyses = [analyse(r.name, r.ledger, cap=config.max_inventory, horizons=horizons) for r in results]
        per_path[scenario] = {a.name: a.per_path for a in analyses}
        variance_rate[scenario] = _variance_rate(results[0].ledger.marks, market.T)
        fill_depth[scenario] = {r.name: float((r.ledger.fills["price"] - r.ledger.fills["mid"]).abs().mean())
                                for r in results}
        summary[scenario] = {a.name: a.summary for a in analyses}
        if report_dir is not None:
            folder = Path(report_dir) / scenario
            folder.mkdir(parents=True, exist_ok=True)
            build_report([(r.name, r.ledger) for r in results], folder, cap=config.max_inventory,
                         title=f"mmsim study: {scenario}", horizons=horizons,
                         config={"scenario": scenario, **attrs.asdict(market), "paths": config.paths,
                                 "seed": config.seed})

    boot = PairedBootstrap(config.paths, config.resamples, config.seed)
    base = per_path["baseline"]

    def col(scenario: str, strategy: str, column: str) -> np.ndarray:
        return per_path[scenario][strategy][column].to_numpy()

    def pooled_var(q2, q):
        return q2.mean(axis=1) - q.mean(axis=1) ** 2

    inventory = {
        "var_final": {s: _estimate(boot, variance, col("baseline", s, "final_q")) for s in base},
        "var_time": {s: _estimate(boot, pooled_var, col("baseline", s, "mean_q2"), col("baseline", s, "mean_q"))
                     for s in base},
        "ratio_final": _estimate(boot, lambda a, b: variance(a) / variance(b), col("baseline", AS, "final_q"),
                                 col("baseline", NAIVE, "final_q")),
        "ratio_capped": _estimate(boot, lambda a, b: variance(a) / variance(b), col("baseline", CAPPED, "final_q"),
                                  col("baseline", NAIVE, "final_q")),
        "pnl_gap": _estimate(boot, lambda a, b: a.mean(axis=1) - b.mean(axis=1), col("baseline", AS, "pnl"),
                             col("baseline", NAIVE, "pnl")),
        "ratio_time": _estimate(boot, lambda a2, a, b2, b: pooled_var(a2, a) / pooled_var(b2, b),
                                col("baseline", AS, "mean_q2"), col("baseline", AS, "mean_q"),
                                col("baseline", NAIVE, "mean_q2"), col("baseline", NAIVE, "mean_q")),
    }

    def change(b, r):
        return sharpe(r) / sharpe(b) - 1.0

    sharpe_numbers = {
        scenario: {s: _estimate(boot, sharpe, col(scenario, s, "pnl")) for s in base}
        for scenario in ("baseline", "regimes")
    }
    sharpe_numbers["change"] = {s: _estimate(boot, change, col("baseline", s, "pnl"), col("regimes", s, "pnl"))
                                for s in base}
    sharpe_numbers["stability_gap"] = _estimate(
        boot, lambda b1, r1, b2, r2: np.abs(change(b1, r1)) - np.abs(change(b2, r2)),
        col("baseline", AS, "pnl"), col("regimes", AS, "pnl"), col("baseline", NAIVE, "pnl"),
        col("regimes", NAIVE, "pnl"))
    sharpe_numbers["regimes_gap"] = _estimate(boot, lambda a, b: sharpe(a) - sharpe(b), col("regimes", AS, "pnl"),
                                              col("regimes", NAIVE, "pnl"))

    cost = cost_column(config.horizon)

    def per_unit(c, u):
        return c.sum(axis=1) / u.sum(axis=1)

    adverse = {"cost": {}, "per_unit": {}, "pnl": {}, "fills": {}}
    for scenario in ("baseline", "informed"):
        for key, fn, columns in (("cost", lambda c: c.mean(axis=1), (cost,)),
                                 ("per_unit", per_unit, (cost, "turnover")),
                                 ("pnl", lambda x: x.mean(axis=1), ("pnl",)),
                                 ("fills", lambda x: x.mean(axis=1), ("fills",))):
            adverse[key][scenario] = {s: _estimate(boot, fn, *(col(scenario, s, c) for c in columns)) for s in base}
    adverse["cost_gap"] = _estimate(boot, lambda a, b: a.mean(axis=1) - b.mean(axis=1), col("informed", AS, cost),
                                    col("informed", NAIVE, cost))
    adverse["per_unit_gap"] = _estimate(boot, lambda a, ua, b, ub: per_unit(a, ua) - per_unit(b, ub),
                                        col("informed", AS, cost), col("informed", AS, "turnover"),
                                        col("informed", NAIVE, cost), col("informed", NAIVE, "turnover"))
    adverse["pnl_gap"] = _estimate(boot, lambda a, b: a.mean(axis=1) - b.mean(axis=1), col("informed", AS, "pnl"),
                                   col("informed", NAIVE, "pnl"))

    return {
        "config": attrs.asdict(config),
        "markets": {k: attrs.asdict(m) for k, m in scenario_markets.items()},
        "strategies": {strategy_name(s): repr(s) for s in built},
        "naive_spread": float(built[1].spread),
        "horizons": list(horizons),
        "variance_rate": variance_rate,
        "fill_depth": fill_depth,
        "summary": summary,
        "inventory": inventory,
        "sharpe": sharpe_numbers,
        "adverse": adverse,
    }
