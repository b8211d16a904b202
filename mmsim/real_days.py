"""The days of ``mmsim study --real``: LOBSTER message files or generic quotes + trades pairs, named one by one,
by folder or by glob."""

from __future__ import annotations

import glob
import re
from pathlib import Path

import attrs

from engine import ConfigError, DataError

_LOBSTER = re.compile(r"^(?P<prefix>.+)_message_(?P<level>\d+)\.csv$")
_GENERIC = re.compile(r"^(?P<prefix>.*)quotes(?P<suffix>\.(csv|parquet))$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@attrs.frozen
class Day:
    """One day of data: its short name and the data arguments ``mmsim replay`` reads it with."""

    name: str
    argv: tuple = attrs.field(converter=tuple)

    @property
    def source(self) -> str:
        """``"lobster"`` (a LOBSTER message file) or ``"quotes+trades"`` (a generic pair)."""
        return "quotes+trades" if self.argv[0] == "--quotes" else "lobster"

    @property
    def date(self) -> str | None:
        """The day's date ``YYYY-MM-DD`` when its name carries one (LOBSTER names do), else None."""
        parts = self.name.split(" ")
        return parts[-1] if len(parts) > 1 and _DATE.match(parts[-1]) else None


def _lobster_name(prefix: str) -> str:
    """``AAPL_2012-06-21_34200000_57600000`` -> ``AAPL 2012-06-21``."""
    parts = prefix.split("_")
    return f"{parts[0]} {parts[1]}" if len(parts) > 1 and _DATE.match(parts[1]) else prefix


def _files(spec: str) -> tuple[list[Path], bool]:
    """The files a spec names, and whether it named a file itself (then it must be a day's file)."""
    if any(c in spec for c in "*?["):
        found = []
        for match in sorted(Path(f).resolve() for f in glob.glob(spec)):  # a glob of folders takes the files in them
            found += sorted(p for p in match.iterdir() if p.is_file()) if match.is_dir() else [match]
        if not found:
            raise DataError(f"{spec}: no file matches")
        return found, False
    path = Path(spec).resolve()  # the cells may run in another folder (Dask workers): absolute paths
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file()), False
    if path.is_file():
        return [path], True
    raise DataError(f"{spec}: no such file or folder")


def find_days(specs) -> list[Day]:
    """The days named by ``specs`` (files, folders or globs), sorted by name.

    A LOBSTER day is its message file ``NAME_message_LEVEL.csv`` (the order-book file beside it is found by the
    reader); when a day has several levels, the deepest is taken (the replay then uses the queue model that
    depth allows). A generic day is a quotes file ``PREFIXquotes.csv`` (or ``.parquet``) with
    ``PREFIXtrades.csv`` beside it. Other files in a folder or glob are skipped.

    Raises
    ------
    DataError
        If a spec names nothing, a file named on its own is not a day's file, or a quotes file has no trades file.
    ConfigError
        If no day is found, or two days have the same name.
    """
    lobster: dict[tuple[str, str], tuple[int, Path]] = {}
    generic: dict[str, Day] = {}
    for spec in specs:
        files, named = _files(spec)
        for path in files:
            m, g = _LOBSTER.match(path.name), _GENERIC.match(path.name)
            if m:
                key = (str(path.parent), m["prefix"])
                if key not in lobster or int(m["level"]) > lobster[key][0]:
                    lobster[key] = (int(m["level"]), path)
            elif g:
                trades = path.with_name(f"{g['prefix']}trades{g['suffix']}")
                if not trades.is_file():
                    raise DataError(f"{path}: no trades file {trades.name} beside it")
                name = g["prefix"].strip("_-. ") or path.parent.name
                generic[str(path)] = Day(name, ("--quotes", str(path), "--trades", str(trades)))
            elif named:
                raise DataError(f"{path}: neither a LOBSTER message file (NAME_message_LEVEL.csv) nor a generic "
                                "quotes file (PREFIXquotes.csv with PREFIXtrades.csv)")
    days = [Day(_lobster_name(prefix), (str(path),)) for (_, prefix), (_, path) in lobster.items()]
    days += list(generic.values())
    if not days:
        raise ConfigError(f"no day found in {' '.join(specs)}: expected LOBSTER message files or quotes + trades "
                          "pairs")
    seen: dict[str, Day] = {}
    for day in days:
        if day.name in seen:
            raise ConfigError(f"two days are both named {day.name!r}: {seen[day.name].argv[-1]} and "
                              f"{day.argv[-1]}")
        seen[day.name] = day
    return sorted(days, key=lambda d: d.name)
