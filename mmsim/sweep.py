"""Parameter sweeps: a strategy over a grid of strategy and market parameters, each cell over seeded paths.

A sweep is a :class:`SweepConfig`: a base market, a base strategy and a grid ``name -> values``. Its cells are
the grid's product in the order the axes are given (the last axis changing fastest). Cell ``i`` runs ``paths``
paths seeded from ``SeedSequence(seed, spawn_key=(i,))``, so a cell's result depends only on the sweep's seed and
the cell's index: not on the executor, the number of workers or which cells ran before.

Engines: a cell runs all its paths in lockstep on the vectorised engine (:func:`engine.run_vectorised`) when that
gives what the event engine gives (:func:`engine.why_not_vectorised`: step fills, no price impact, a strategy that
quotes on arrays), else path by path on the event engine (:func:`engine.run_paths`). Both draw path ``j`` from
:func:`engine.path_seed` ``(cell seed, j)``, record the same ledger (bit for bit with step fills) and summarise it
with the same code, so the choice changes the speed, not the table. It is made once, when the sweep is built
(``engine="auto"``), or forced (``"event"``, ``"vectorised"``), and the engine each cell ran on is stored with it.

Nothing is lost when a sweep stops: :func:`run_sweep` writes each finished cell to its own small JSON file
(atomically) under ``<out>/cells/``, a resumed sweep skips the cells on disk (after checking that they were run
with the same parameters), and the table is always assembled from the cell files in grid order, so a resumed
sweep's table equals an uninterrupted one.

The runner takes any grid of cells that has ``size``, ``cell_config(i)`` (what determines cell ``i``, stored
with it and checked on resume), ``run(i)`` (the cell's JSON-ready result) and ``table(results)`` (the results in
grid order as one table): :class:`SweepConfig`, or the real-day study of ``mmsim study --real``.

Executors: local processes (``concurrent.futures``), or Dask (``dask.distributed``, an optional dependency):
``"local"`` starts a loopback ``LocalCluster``, ``"tcp://host:port"`` connects to a running scheduler.
"""

from __future__ import annotations

import itertools
import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import attrs
import numpy as np

from analytics.attribution import COMPONENTS, attribute
from analytics.metrics import path_metrics, summarize
from engine import ConfigError, DataError, run_paths, run_vectorised, strategy_name, why_not_vectorised
from engine.ledger import write_atomic
from engine.pool import WorkerPool
from engine.lazy_modules import lazy_module
from mmsim.specs import MODEL_STRATEGIES, MarketSpec, StrategySpec, build_strategies

pd = lazy_module("pandas")

#: Strategy parameters a grid can vary: what each must be. ``strategy_k`` / ``strategy_sigma`` are what the
#: strategy assumes (default: the market's true ``k`` / ``sigma``).
STRATEGY_PARAMETERS = {"gamma": "> 0", "strategy_k": "> 0", "strategy_sigma": ">= 0", "max_inventory": "> 0",
                       "omega": "> 0"}
#: Market parameters a grid can vary (those of :class:`feeds.SyntheticMarket`).
MARKET_PARAMETERS = {"k": "> 0", "sigma": ">= 0", "A": ">= 0", "impact": ">= 0", "sigma_volatile": ">= 0",
                     "to_volatile_rate": "> 0", "to_calm_rate": "> 0"}
#: Every name a grid axis may have: ``strategy`` (names), then the numeric parameters.
GRID_PARAMETERS = ("strategy", *STRATEGY_PARAMETERS, *MARKET_PARAMETERS)
#: Metric columns of the sweep table, after ``cell`` and the grid's parameters.
METRICS = ("paths", "pnl_mean", "pnl_std", "sharpe", "final_q_mean", "final_q_std", "mean_q2", "fills_mean",
           "avg_spread", *(f"{c}_mean" for c in COMPONENTS))
CELLS_DIR = "cells"
#: What ``SweepConfig.engine`` may be: choose per cell, or force one engine.
ENGINES = ("auto", "event", "vectorised")


def _check_value(name: str, value) -> None:
    rule = {**STRATEGY_PARAMETERS, **MARKET_PARAMETERS}[name]
    ok = value > 0 if rule == "> 0" else value >= 0
    if not ok:
        raise ConfigError(f"grid {name}: every value must be {rule}, got {value:g}")


def parse_grid(specs: Sequence[str]) -> tuple[tuple[str, tuple], ...]:
    """Parse ``NAME=V1,V2,...`` axes (``-`` in a name may be written for ``_``).

    Parameters
    ----------
    specs : sequence of str
        One axis each, in the order the cells should vary (the last fastest).

    Returns
    -------
    tuple of (str, tuple)
        ``(name, values)`` per axis: strategy names for ``strategy``, floats otherwise.

    Raises
    ------
    ConfigError
        If there is no axis, a spec is malformed, a name is unknown or repeated, or a value is not a number in its
        parameter's range.
    """
    if not specs:
        raise ConfigError("the sweep has no axis: give at least one grid NAME=V1,V2,...", params=("grid",))
    axes: dict[str, tuple] = {}
    for spec in specs:
        name, sep, text = spec.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or not name or not text.strip():
            raise ConfigError(f"grid {spec!r} is malformed: expected NAME=V1,V2,... (for example gamma=0.01,0.1,1)")
        if name not in GRID_PARAMETERS:
            raise ConfigError(f"grid {spec!r}: unknown parameter {name!r}; expected one of "
                              f"{', '.join(GRID_PARAMETERS)}")
        if name in axes:
            raise ConfigError(f"grid {name} is given twice")
        items = [t.strip() for t in text.split(",")]
        if any(not t for t in items):
            raise ConfigError(f"grid {spec!r} is malformed: an empty value between commas")
        if name == "strategy":
            unknown = [t for t in items if not (t in MODEL_STRATEGIES or is_user_strategy(t))]
            if unknown:
                raise ConfigError(f"grid strategy: unknown {unknown[0]!r}; expected {', '.join(MODEL_STRATEGIES)} "
                                  "or path/to/file.py:ClassName")
            values = tuple(items)
        else:
            try:
                values = tuple(float(t) for t in items)
            except ValueError:
                raise ConfigError(f"grid {spec!r}: values must be numbers") from None
            for v in values:
                if not math.isfinite(v):
                    raise ConfigError(f"grid {name}: values must be finite, got {v!r}")
                _check_value(name, v)
        if len(set(values)) != len(values):
            raise ConfigError(f"grid {name}: a value is repeated")
        axes[name] = values
    return tuple(axes.items())


def is_user_strategy(name: str) -> bool:
    """Whether a sweep's strategy ``name`` is a user's class, ``path/to/file.py:ClassName`` (loaded when the sweep
    is built)."""
    return ":" in name


#: The strategy parameters every cell file stores (those of the flat-dict sweeps); the others only when given.
CELL_STRATEGY_FIELDS = ("gamma", "strategy_k", "strategy_sigma", "max_inventory", "omega")


def _plain(spec) -> dict:
    """A spec's fields as a dict, stored with each cell. A strategy spec's fields beyond
    :data:`CELL_STRATEGY_FIELDS` (the naive spread, the replay's, which a sweep does not use) are left out unless
    given, so cell files are those of the flat-dict sweeps."""
    if not attrs.has(type(spec)):
        return dict(spec)
    fields = attrs.asdict(spec)
    if isinstance(spec, StrategySpec):
        unset = StrategySpec()
        fields = {k: v for k, v in fields.items() if k in CELL_STRATEGY_FIELDS or v != getattr(unset, k)}
    return fields


@attrs.frozen
class SweepConfig:
    """A sweep: ``strategy`` with ``strategy_params`` on the market ``market`` (plus ``fills``), varied over
    ``grid``, each cell over ``paths`` paths seeded from ``seed``.

    Parameters
    ----------
    grid : tuple of (str, tuple)
        Axes as :func:`parse_grid` returns them.
    strategy : str
        One of :data:`MODEL_STRATEGIES`, or a user's class ``path/to/file.py:ClassName`` (a ``strategy`` axis
        overrides it). A user's class is built with ``user_params``; the strategy parameters do not reach it, so a
        grid that varies them cannot have one.
    market : MarketSpec or mapping
        The base market, or some of its fields (the others take their defaults).
    strategy_params : StrategySpec or mapping
        The base strategy parameters, or some of them (``None`` for the defaults); a sweep has no ``spread``.
    paths, seed : int
        Paths per cell (>= 1) and the sweep's seed (>= 0).
    engine : {"auto", "event", "vectorised"}
        ``auto`` (default): each cell on the vectorised engine where it gives the event engine's results
        (:func:`engine.why_not_vectorised`), else on the event engine; or every cell on the one named.
    user_params : mapping of str to str
        Constructor arguments of a user's strategy class, as text (see :func:`strategies.load_user_strategy`).

    Raises
    ------
    ConfigError
        If any cell's market or strategy cannot be built, or ``engine="vectorised"`` and a cell needs the event
        engine (the message names the cell's parameters and the reason).
    """

    grid: tuple = attrs.field(converter=tuple)
    strategy: str = "avellaneda-stoikov"
    market: dict = attrs.field(factory=dict, converter=lambda m: _plain(m))
    strategy_params: dict = attrs.field(factory=dict, converter=lambda s: _plain(s))
    paths: int = 100
    seed: int = 0
    engine: str = "auto"
    user_params: dict = attrs.field(factory=dict, converter=dict)
    #: Per cell, the engine it runs on and why not the vectorised one (``None`` when it is), decided once here.
    _plan: tuple = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if isinstance(self.paths, bool) or not isinstance(self.paths, int) or self.paths < 1:
            raise ConfigError(f"paths must be a whole number >= 1, got {self.paths!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ConfigError(f"seed must be a whole number >= 0, got {self.seed!r}")
        if self.engine not in ENGINES:
            raise ConfigError(f"engine must be one of {', '.join(ENGINES)}, got {self.engine!r}", params=("engine",))
        if not self.grid:
            raise ConfigError("the grid is empty: give at least one axis")
        self._check_user_strategies()
        plan = []
        for i in range(self.size):  # fail before any work, naming the cell
            try:
                plan.append(self._choose_engine(*self.build(i)))
            except ConfigError as exc:
                raise ConfigError(f"grid cell {self.cell_params(i)}: {exc}", params=exc.params) from None
        object.__setattr__(self, "_plan", tuple(plan))

    def _check_user_strategies(self) -> None:
        users = [name for name in self.strategies() if is_user_strategy(name)]
        if self.user_params and not users:
            raise ConfigError("user_params go with a path/to/file.py:ClassName strategy (the shipped ones take the "
                              "strategy parameters)")
        varied = [name for name in self.names if name in STRATEGY_PARAMETERS]
        if users and varied:
            raise ConfigError(f"grid {varied[0]}: a user's strategy ({users[0]}) takes its own constructor "
                              "arguments, not the strategy parameters: vary market parameters only")

    def strategies(self) -> list[str]:
        """The strategies the cells run, in grid order, each once."""
        axis = dict(self.grid).get("strategy", (self.strategy,))
        return list(dict.fromkeys(axis))

    def _choose_engine(self, market, fill_model, strategy) -> tuple[str, str | None]:
        if self.engine == "event":
            return "event", None
        reason = why_not_vectorised(market, strategy, fill_model, paths=self.paths)
        if reason is not None and self.engine == "vectorised":
            raise ConfigError(f"the vectorised engine cannot run {strategy_name(strategy)} here: {reason}")
        return ("event", reason) if reason is not None else ("vectorised", None)

    def cell_engine(self, index: int) -> str:
        """The engine cell ``index`` runs on: ``"vectorised"`` or ``"event"``."""
        return self._plan[index][0]

    def fallbacks(self) -> list[str]:
        """One line per reason that keeps cells on the event engine (``engine="auto"``), naming the strategies
        it concerns: each reason once, however many cells it concerns."""
        by_reason: dict[str, list[str]] = {}
        for i, (_, reason) in enumerate(self._plan):
            if reason is not None:
                by_reason.setdefault(reason, []).append(self._cell_model(i)["strategy"])
        lines = []
        for reason, names in by_reason.items():
            names = list(dict.fromkeys(names))
            lines.append(f"{', '.join(names)} {'runs' if len(names) == 1 else 'run'} on the event engine: {reason}")
        return lines

    @property
    def names(self) -> list[str]:
        """The grid's parameter names, in axis order."""
        return [name for name, _ in self.grid]

    @property
    def size(self) -> int:
        """Number of cells."""
        return math.prod(len(values) for _, values in self.grid)

    def cell_params(self, index: int) -> dict:
        """The grid values of cell ``index`` (row-major: the last axis changes fastest)."""
        values = []
        for _, axis in reversed(self.grid):
            index, j = divmod(index, len(axis))
            values.append(axis[j])
        return dict(zip(self.names, reversed(values)))

    def _cell_model(self, index: int) -> dict:
        """What cell ``index`` simulates: its strategy, market and parameters, paths and seed."""
        params = self.cell_params(index)
        market = {**self.market, **{k: v for k, v in params.items() if k in MARKET_PARAMETERS}}
        strategy = {**self.strategy_params, **{k: v for k, v in params.items() if k in STRATEGY_PARAMETERS}}
        name = params.get("strategy", self.strategy)
        user = {"user_params": self.user_params} if is_user_strategy(name) else {}
        return {"cell": index, "strategy": name, "market": market, "strategy_params": strategy, **user,
                "paths": self.paths, "seed": self.seed, "grid": params}

    def cell_config(self, index: int) -> dict:
        """Everything that determines cell ``index``'s result, its engine included (stored with it, checked on
        resume)."""
        return {**self._cell_model(index), "engine": self.cell_engine(index)}

    def build(self, index: int) -> tuple:
        """``(market, fill model, strategy)`` of cell ``index``."""
        config = self._cell_model(index)
        name = config["strategy"]
        if not (name in MODEL_STRATEGIES or is_user_strategy(name)):
            raise ConfigError(f"unknown model strategy {name!r}: expected {', '.join(MODEL_STRATEGIES)} or "
                              "path/to/file.py:ClassName", params=("strategy",))
        spec = MarketSpec.from_dict(config["market"])
        market, fill_model = spec.build()
        strategy_spec = StrategySpec.from_dict(config["strategy_params"])
        return market, fill_model, build_strategies([name], strategy_spec, market, spec.A,
                                                    config.get("user_params"))[0]

    def run(self, index: int) -> dict:
        """Run cell ``index`` on its engine (see :func:`run_cell`)."""
        market, fill_model, strategy = self.build(index)
        seed = cell_seed(self.seed, index)
        if self.cell_engine(index) == "vectorised":
            ledger = run_vectorised(market, strategy, fill_model, paths=self.paths, seed=seed, record=True).ledger
        else:
            ledger = run_paths(market, strategy, fill_model, paths=self.paths, seed=seed)
        summary = summarize(path_metrics(ledger))
        parts = attribute(ledger)
        summary.update({f"{c}_mean": float(parts[c].mean()) for c in COMPONENTS})
        return {"cell": index, **self.cell_params(index), **{m: summary[m] for m in METRICS}}

    def table(self, rows: Sequence[dict]) -> pd.DataFrame:
        """The cells' rows in grid order as the sweep table: ``cell``, the grid's parameters, :data:`METRICS`."""
        return pd.DataFrame(list(rows), columns=["cell", *self.names, *METRICS])

    def to_dict(self) -> dict:
        """The configuration as plain JSON values."""
        return {"grid": {name: list(values) for name, values in self.grid}, "strategy": self.strategy,
                "market": self.market, "strategy_params": self.strategy_params, "paths": self.paths,
                "seed": self.seed, "engine": self.engine, "user_params": self.user_params}


def cell_seed(seed: int, index: int) -> int:
    """The seed of cell ``index``: drawn from ``SeedSequence(seed, spawn_key=(index,))``, then split into one
    seed per path by :func:`engine.run_paths`."""
    return int(np.random.SeedSequence(seed, spawn_key=(index,)).generate_state(1, np.uint64)[0])


def run_cell(config, index: int) -> dict:
    """Run cell ``index`` of ``config`` and return its result (a module-level function, so that worker processes
    and Dask can call it).

    For a :class:`SweepConfig`, the row ``cell``, the grid values, then :data:`METRICS`: :func:`analytics.summarize`
    of the paths, and the mean per path of each P&L attribution component (:func:`analytics.attribute`), both
    from the cell's ledger, whichever engine recorded it.
    """
    return config.run(index)


# -- cell files ----------------------------------------------------------------------------------------------

def cell_path(out_dir: str | os.PathLike, index: int) -> Path:
    """Where cell ``index`` is stored."""
    return Path(out_dir) / CELLS_DIR / f"cell-{index:06d}.json"


def _stored(config: Mapping) -> dict:
    """A cell configuration as it reads back from JSON (tuples become lists)."""
    return json.loads(json.dumps(config))


def _first_difference(stored: Mapping, expected: Mapping, where: str = "") -> str | None:
    """``"NAME was X there, Y here"`` for the first entry that differs, or ``None``."""
    for key in sorted(set(stored) | set(expected), key=str):
        a, b = stored.get(key), expected.get(key)
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            found = _first_difference(a, b, f"{where}{key}.")
            if found:
                return found
        elif a != b:
            return f"{where}{key} was {json.dumps(a)} there, {json.dumps(b)} here"
    return None


def finished_cells(config, out_dir: str | os.PathLike) -> dict[int, dict]:
    """The cells already stored under ``out_dir``, by index, after checking each was run with this grid.

    Raises
    ------
    ConfigError
        If a stored cell does not belong to this sweep (another grid, base parameters, paths, seed or engine).
    DataError
        If a cell file cannot be read.
    """
    folder = Path(out_dir) / CELLS_DIR
    done = {}
    for path in sorted(folder.glob("cell-*.json")) if folder.is_dir() else []:
        try:
            stored = json.loads(path.read_text())
            index = int(stored["config"]["cell"])
            row = dict(stored["row"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DataError(f"{path}: not a sweep cell file ({exc})") from None
        if index >= config.size:
            raise ConfigError(f"{out_dir} holds cells of a different sweep ({path.name}: this grid has only "
                              f"{config.size} cells): use another out_dir, or the same grid and options",
                              params=("out_dir",))
        expected = _stored(config.cell_config(index))
        # A sweep's cells stored before it chose an engine ran on the event engine: they resume with that one.
        found = {"engine": "event", **stored["config"]} if "engine" in expected else stored["config"]
        difference = _first_difference(found, expected)
        if difference:
            raise ConfigError(f"{out_dir} holds cells of a different sweep ({path.name}: {difference}): "
                              "use another out_dir, or the same grid and options", params=("out_dir",))
        done[index] = row
    return done


def _write_cell(config, out_dir: Path, index: int, row: dict) -> None:
    text = json.dumps({"config": config.cell_config(index), "row": row}, indent=1) + "\n"
    write_atomic(cell_path(out_dir, index), lambda tmp: Path(tmp).write_text(text))


# -- executors -----------------------------------------------------------------------------------------------

class _DaskPool:
    """A Dask cluster: a loopback LocalCluster we start (``"local"``) or a running scheduler's address."""

    def __init__(self, address: str, workers: int) -> None:
        try:
            import distributed
        except ImportError:
            raise ConfigError("dask needs dask.distributed, which is not installed: pip install 'mmsim[dask]'",
                              params=("dask",)) from None
        import logging

        self.distributed = distributed
        self.cluster = None
        try:
            if address == "local":
                self.cluster = distributed.LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                    dashboard_address=None, silence_logs=logging.ERROR)
                self.client = distributed.Client(self.cluster)
            else:
                self.client = distributed.Client(address, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:  # ValueError: an address Dask cannot parse
            self.close(True)
            raise ConfigError(f"dask {address}: cannot reach the scheduler ({exc})", params=("dask",)) from None
        self.slots = max(1, sum(self.client.nthreads().values()))

    def submit(self, fn, *args):
        return self.client.submit(fn, *args, pure=False)

    def first_done(self, futures) -> set:
        return set(self.distributed.wait(list(futures), return_when="FIRST_COMPLETED").done)

    def close(self, interrupted: bool) -> None:
        if getattr(self, "client", None) is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _run_windowed(pool, config, todo: Sequence[int], deliver: Callable[[int, dict], None],
                  progress: Callable[[int, int], None]) -> None:
    """Keep at most ``pool.slots`` cells in flight (so an interruption loses at most that many), hand each
    finished one to ``deliver`` once its successor is submitted, then report ``progress(1, running)``."""
    queue, running = iter(todo), {}
    interrupted = True
    try:
        for index in itertools.islice(queue, pool.slots):
            running[pool.submit(run_cell, config, index)] = index
        progress(0, len(running))
        while running:
            for future in pool.first_done(running):
                index = running.pop(future)
                row = future.result()
                nxt = next(queue, None)
                if nxt is not None:
                    running[pool.submit(run_cell, config, nxt)] = nxt
                deliver(index, row)
                progress(1, len(running))
        interrupted = False
    finally:
        pool.close(interrupted)


def run_sweep(config, out_dir: str | os.PathLike, *, workers: int | None = None,
              dask: str | None = None, resume: bool = False,
              progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Run every cell not yet on disk, storing each as it finishes, and return the table of all cells.

    Parameters
    ----------
    config : SweepConfig
        The sweep (or another grid of cells, see the module's notes).
    out_dir : path
        Folder for the cell files (created if needed).
    workers : int, optional
        Local processes (default: every core; 1 runs the cells here, one after another), or the number of
        workers of a ``dask="local"`` cluster.
    dask : str, optional
        ``"local"`` (start a loopback LocalCluster) or a scheduler address ``tcp://host:port``.
    resume : bool
        Skip cells already stored. Without it, a folder that already holds cells is an error.
    progress : callable, optional
        ``progress(finished, running)``: called with the number of cells just finished (and stored) and the
        number now in flight.

    Returns
    -------
    DataFrame
        ``config.table`` of the cells in grid order; for a :class:`SweepConfig` one row per cell: ``cell``, the
        grid's parameters, then :data:`METRICS`.

    Raises
    ------
    ConfigError
        If the folder holds cells of another sweep, or holds cells and ``resume`` is false; if ``workers`` is
        not >= 1; if Dask is asked for and missing or unreachable.
    """
    out = Path(out_dir)
    (out / CELLS_DIR).mkdir(parents=True, exist_ok=True)
    done = finished_cells(config, out)
    if done and not resume:
        raise ConfigError(f"{out} already holds {len(done)} finished cell(s): add resume to continue that sweep, "
                          "or use another out_dir", params=("resume", "out_dir"))
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ConfigError(f"workers must be a whole number >= 1, got {workers!r}")
    todo = [i for i in range(config.size) if i not in done]
    report = progress or (lambda finished, running: None)

    def deliver(index: int, row: dict) -> None:
        _write_cell(config, out, index, row)
        done[index] = row

    if todo:
        n = workers or os.cpu_count() or 1
        if dask is not None:
            _run_windowed(_DaskPool(dask, n), config, todo, deliver, report)
        elif min(n, len(todo)) == 1:
            for index in todo:
                report(0, 1)
                deliver(index, run_cell(config, index))
                report(1, 0)
        else:
            _run_windowed(WorkerPool(min(n, len(todo))), config, todo, deliver, report)
    return sweep_table(config, out)


def sweep_table(config, out_dir: str | os.PathLike) -> pd.DataFrame:
    """The table of a finished sweep, read from its cell files in grid order.

    Raises
    ------
    DataError
        If a cell is missing.
    """
    done = finished_cells(config, out_dir)
    missing = [i for i in range(config.size) if i not in done]
    if missing:
        raise DataError(f"{out_dir}: {len(missing)} cell(s) not finished (first: {missing[0]})")
    return config.table([done[i] for i in range(config.size)])
