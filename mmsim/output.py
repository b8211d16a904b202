"""Writing results without ever harming a user's files.

- ``--out`` must name a new folder, an empty one, or one mmsim wrote itself: such a folder holds the marker
  file :data:`MARKER`, which lists the files mmsim wrote there. Any other folder needs ``--force``.
- Every file goes to a temporary name (or a staging folder) first and is renamed into place once complete, so
  an error, Ctrl-C or SIGTERM leaves nothing half-written.
- Writing into a folder mmsim wrote before replaces the files of the previous run: those listed in the marker
  and not written again are removed (so no stale strategy folder is left mixed in). A file the marker does not
  list (a user's) is never deleted.
- A staging folder is named after the process writing it; one whose process is gone (killed by SIGKILL) is
  removed by the next command that writes into the same folder.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from engine import ConfigError
from engine.ledger import write_atomic
from engine.lazy_modules import lazy_module

pd = lazy_module("pandas")

#: The marker file of a folder mmsim wrote: JSON ``{"written_by": "mmsim", "command": ..., "files": [...]}``.
MARKER = ".mmsim-output.json"
STAGING_PREFIX = ".mmsim-staging-"


def _is_staging(path: Path) -> bool:
    return path.name.startswith(STAGING_PREFIX)


def _marker(folder: Path) -> dict | None:
    """The marker of ``folder``, or ``None`` when it has none (or an unreadable one)."""
    try:
        marker = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) and marker.get("written_by") == "mmsim" else None


def written_files(folder: str | os.PathLike) -> list[str]:
    """The files (relative paths) the marker of ``folder`` says mmsim wrote there; empty without a marker."""
    files = (_marker(Path(folder)) or {}).get("files", [])
    return [f for f in files if isinstance(f, str)]


def add_force_argument(parser) -> None:
    """``--force``: write into an existing folder mmsim did not write (its files of the same name are replaced)."""
    parser.add_argument("--force", action="store_true",
                        help="write into an existing folder that mmsim did not write (files of the same name "
                             "are replaced; nothing else is touched)")


def check_folder_name(name: str, reserved: Iterable[str] = ()) -> str:
    """Return ``name`` if it can name a folder inside ``--out`` (a strategy's results folder), else raise.

    Refused: an empty name, one with a path separator or a NUL, one starting with ``.`` (``.``, ``..``, hidden and
    mmsim's own files), longer than 100 characters, or one of ``reserved`` (the files written beside it).

    Raises
    ------
    ConfigError
        Naming the strategy name and what is wrong with it.
    """
    text = str(name)
    problem = ("is empty" if not text.strip() else
               "contains a path separator" if "/" in text or "\\" in text or os.sep in text else
               "contains a NUL character" if "\0" in text else
               "starts with '.'" if text.startswith(".") else
               "is longer than 100 characters" if len(text) > 100 else
               "is the name of a results file" if text in set(reserved) else None)
    if problem:
        raise ConfigError(f"strategy name {text!r} cannot name its results folder: it {problem} (set the strategy's "
                          "name attribute to a plain word, such as 'my-strategy')")
    return text


def check_out_dir(out: str | os.PathLike, force: bool = False) -> Path:
    """Refuse an output folder mmsim may not write into, before any work is done (nothing is created yet).

    Accepted: a path that does not exist, an empty folder, a folder with mmsim's marker, or any folder with
    ``force``.

    Raises
    ------
    ConfigError
        If ``out`` is empty, an existing file, or a folder holding files mmsim did not write (without ``force``).
    """
    if not str(out).strip():
        raise ConfigError("--out is empty: give the folder to write into")
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"--out {str(out)!r} is a file, not a directory")
    if path.is_dir() and not force and _marker(path) is None:
        foreign = [p for p in path.iterdir() if not _is_staging(p)]
        if foreign:
            raise ConfigError(f"--out {str(out)!r} holds files mmsim did not write (such as {foreign[0].name!r}): "
                              "give a new folder, or add --force to write into it anyway")
    return path


def prepare_out_dir(out: str | os.PathLike, force: bool = False) -> Path:
    """:func:`check_out_dir`, then create ``out`` (and parents) if needed and remove stale staging folders."""
    path = check_out_dir(out, force)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"--out {str(out)!r}: cannot create the directory ({exc.strerror})") from None
    remove_stale_staging(path)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale_staging(folder: Path) -> None:
    """Remove the staging folders in ``folder`` whose writing process is gone (a run killed by SIGKILL)."""
    for path in folder.glob(STAGING_PREFIX + "*"):
        pid = path.name[len(STAGING_PREFIX):].partition("-")[0]
        if path.is_dir() and not (pid.isdigit() and _alive(int(pid))):
            shutil.rmtree(path, ignore_errors=True)


def claim_out_dir(folder: Path, command: str, files: Iterable[str] = ()) -> None:
    """Write the marker of ``folder``: ``files`` (relative paths) plus those the previous marker listed (they are
    still mmsim's to replace)."""
    listed = sorted(set(written_files(folder)) | set(files))
    text = json.dumps({"written_by": "mmsim", "command": command, "files": listed}, indent=1) + "\n"
    write_atomic(folder / MARKER, lambda tmp: Path(tmp).write_text(text))


def finish_out_dir(folder: Path, command: str, files: Iterable[str]) -> None:
    """Record that ``files`` are this run's output: remove the previous run's files that were not written again
    (only files the marker lists, and the folders they leave empty), then write the marker."""
    files = set(files)
    for rel in set(written_files(folder)) - files:
        path = folder / rel
        if Path(rel).is_absolute() or ".." in Path(rel).parts or not path.is_file():
            continue
        path.unlink()
        for parent in path.parents:
            if parent == folder or any(parent.iterdir()):
                break
            parent.rmdir()
    text = json.dumps({"written_by": "mmsim", "command": command, "files": sorted(files)}, indent=1) + "\n"
    write_atomic(folder / MARKER, lambda tmp: Path(tmp).write_text(text))


@contextmanager
def staged_out_dir(out: str | os.PathLike, command: str, force: bool = False) -> Iterator[Path]:
    """Yield an empty staging folder inside ``out``; when the block succeeds, move everything written there into
    ``out`` (file by file, sub-folders kept) and record it in the marker (:func:`finish_out_dir`), so an error
    anywhere leaves no partial output behind.

    ``out`` is created if needed; if the block fails and ``out`` did not exist before, it is removed again.

    Raises
    ------
    ConfigError
        As for :func:`check_out_dir`, or if ``out`` cannot be created.
    """
    existed = Path(out).exists()
    folder = prepare_out_dir(out, force)
    stage = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=folder))
    try:
        yield stage
        written = sorted(str(p.relative_to(stage)) for p in stage.rglob("*") if p.is_file())
        for rel in written:
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(stage / rel, target)
        finish_out_dir(folder, command, written)
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
