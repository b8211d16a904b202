"""The data options of the commands that read tick files (``mmsim replay``, ``mmsim calibrate``), and the tick
source they name."""

from __future__ import annotations

from pathlib import Path

from engine import ConfigError, DataError
from feeds import read_lobster, read_tick_files
from mmsim.cli import positive_int


def add_tick_arguments(group) -> None:
    """``PATH --format lobster [--orderbook F]`` or ``--quotes Q --trades T``, with ``--strict`` and
    ``--chunk-rows``, on an argparse parser or argument group."""
    group.add_argument("path", nargs="?", metavar="PATH", help="LOBSTER message file (with --format lobster)")
    group.add_argument("--format", choices=["lobster"], default="lobster", help="format of PATH (default lobster)")
    group.add_argument("--orderbook", metavar="FILE",
                       help="LOBSTER order-book file (default: the one named like PATH, beside it)")
    group.add_argument("--quotes", metavar="FILE",
                       help="generic quotes file (CSV or Parquet): ts, bid, ask, optional bid_size, ask_size")
    group.add_argument("--trades", metavar="FILE", help="generic trades file (CSV or Parquet): ts, price, size, side")
    group.add_argument("--strict", action="store_true", help="reject crossed or locked quotes instead of skipping them")
    group.add_argument("--chunk-rows", type=positive_int, default=100_000,
                       help="rows read at a time (default 100000): memory stays bounded")


def _existing(path: str) -> str:
    if not Path(path).is_file():
        raise DataError(f"{path}: no such file")
    return path


def open_tick_source(args):
    """The tick source the data options name (LOBSTER, or generic quotes and trades files).

    Raises
    ------
    ConfigError
        If the options do not name one source.
    DataError
        If a file does not exist.
    """
    generic = args.quotes is not None or args.trades is not None
    if generic and args.path is not None:
        raise ConfigError("give either PATH (--format lobster) or --quotes and --trades, not both")
    if generic:
        if args.orderbook is not None:
            raise ConfigError("--orderbook goes with a LOBSTER PATH")
        if args.quotes is None or args.trades is None:
            raise ConfigError("--quotes and --trades go together")
        return read_tick_files(_existing(args.quotes), _existing(args.trades), chunk_rows=args.chunk_rows,
                               strict=args.strict)
    if args.path is None:
        raise ConfigError("give the data: PATH (a LOBSTER message file) or --quotes Q --trades T")
    orderbook = None if args.orderbook is None else _existing(args.orderbook)
    return read_lobster(_existing(args.path), orderbook, chunk_rows=args.chunk_rows, strict=args.strict)
