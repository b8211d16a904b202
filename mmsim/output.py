"""Writing results: every file goes to a temporary name first and is renamed into place once complete."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pandas as pd

from engine import ConfigError
from engine.ledger import write_atomic


def check_out_dir(out: str | os.PathLike) -> Path:
    """Refuse an output path that is an existing file, before any work is done (nothing is created yet)."""
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"--out {str(out)!r} is a file, not a directory")
    return path


def prepare_out_dir(out: str | os.PathLike) -> Path:
    """Create ``out`` (and parents) if needed; refuse a path that is an existing file."""
    path = check_out_dir(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"--out {str(out)!r}: cannot create the directory ({exc.strerror})") from None
    return path


def json_safe(value):
    """Replace NaN and infinities by ``None`` (JSON has no such numbers) and numpy scalars by Python ones."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path: Path, obj) -> None:
    """Write ``obj`` as indented JSON, atomically."""
    text = json.dumps(json_safe(obj), indent=2) + "\n"
    write_atomic(path, lambda tmp: Path(tmp).write_text(text))


def write_csv(path: Path, frame: pd.DataFrame, index: bool = False) -> None:
    """Write ``frame`` as CSV, atomically."""
    write_atomic(path, lambda tmp: frame.to_csv(tmp, index=index))


def write_parquet(path: Path, frame: pd.DataFrame) -> None:
    """Write ``frame`` as Parquet, atomically."""
    write_atomic(path, lambda tmp: frame.to_parquet(tmp))
