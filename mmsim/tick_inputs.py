"""The data options of the commands that read tick files (``mmsim replay``, ``mmsim calibrate``), and the tick
source they name."""

from __future__ import annotations

from pathlib import Path

import sys

from engine import ConfigError, DataError
from feeds import read_lobster, read_tick_files
from feeds.tickfiles import MAX_QUOTE_AGE_S
from mmsim.arguments import positive_float, positive_int


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
    group.add_argument("--max-quote-age-s", type=positive_float, default=None,
                       help="refuse generic files where a trade meets a quote older than this, seconds (default "
                            f"{MAX_QUOTE_AGE_S:g}): a gap in the quotes, or quotes that end early")
    group.add_argument("--allow-stale", action="store_true",
                       help="read such trades anyway, with a warning (generic files)")
    group.add_argument("--cache-dir", metavar="DIR", default=None,
                       help="keep each level-N LOBSTER day, read and checked, in DIR and load it from there next "
                            "time (keyed on the files and the code that reads them; the day is then held in "
                            "memory; default: no cache)")


def _existing(path: str) -> str:
    if not Path(path).exists():
        raise DataError(f"{path}: no such file")
    if not Path(path).is_file():  # a folder, or a device or pipe (/dev/null, <(...)): the files are read twice
        raise DataError(f"{path}: not a regular file")
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
        max_age = MAX_QUOTE_AGE_S if args.max_quote_age_s is None else args.max_quote_age_s
        return read_tick_files(_existing(args.quotes), _existing(args.trades), chunk_rows=args.chunk_rows,
                               strict=args.strict, max_quote_age_s=max_age, allow_stale=args.allow_stale)
    if args.path is None:
        raise ConfigError("give the data: PATH (a LOBSTER message file) or --quotes Q --trades T")
    if args.max_quote_age_s is not None or args.allow_stale:
        raise ConfigError("--max-quote-age-s and --allow-stale go with --quotes and --trades (a LOBSTER file has "
                          "the book of every message)")
    orderbook = None if args.orderbook is None else _existing(args.orderbook)
    return read_lobster(_existing(args.path), orderbook, chunk_rows=args.chunk_rows, strict=args.strict)


def print_warnings(command: str, source) -> list[str]:
    """Print the doubts the reader recorded about the data, one line each on stderr; return them (for --json)."""
    found = list(getattr(source, "warnings", ()))
    for message in found:
        sys.stderr.write(f"mmsim {command}: warning: {message}\n")
    return found
