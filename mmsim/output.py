"""Writing results: every file goes to a temporary name first and is renamed into place once complete."""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def staged_out_dir(out: str | os.PathLike) -> Iterator[Path]:
    """Yield an empty staging folder inside ``out``; when the block succeeds, move everything written there into
    ``out`` (file by file, sub-folders kept), so an error anywhere leaves no partial output behind.

    ``out`` is created if needed; if the block fails and ``out`` did not exist before, it is removed again.

    Raises
    ------
    ConfigError
        If ``out`` is an existing file or cannot be created.
    """
    existed = Path(out).exists()
    folder = prepare_out_dir(out)
    stage = Path(tempfile.mkdtemp(prefix=".mmsim-staging-", dir=folder))
    try:
        yield stage
        for path in sorted(stage.rglob("*")):
            if path.is_file():
                target = folder / path.relative_to(stage)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        if not existed:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    shutil.rmtree(stage, ignore_errors=True)


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
