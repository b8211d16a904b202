"""The ``mmsim`` command line. Bad input never shows a traceback: one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import re
import signal
import sys
import warnings
from importlib.metadata import PackageNotFoundError, version

from engine import MmsimError
from engine.lazy_modules import load_now


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (``mmsim run: error: ...``) and exit code 2, and ``-1e6`` is a
    negative number (argparse's own pattern misses exponents and takes it for an option)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$|^-inf$", re.I)

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} --help)\n")
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    from mmsim import cmd_calibrate, cmd_paper, cmd_replay, cmd_report, cmd_run, cmd_study, cmd_sweep

    parser = _Parser(prog="mmsim", description="Event-driven market-making simulator (Avellaneda-Stoikov).")
    parser.add_argument("--version", action="version", version=f"mmsim {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    for module in (cmd_run, cmd_paper, cmd_calibrate, cmd_replay, cmd_report, cmd_study, cmd_sweep):
        module.add_parser(sub)
    parser.commands = sub.choices  # each command's parser, to name its options in errors
    return parser


#: Library parameters whose command-line option has another name.
_OPTION_DEST = {"orderbook_path": "orderbook", "out_dir": "out"}
#: Commands that run on numpy arrays alone and so never load pandas and pyarrow (issue 14's start-up target).
ARRAY_ONLY_COMMANDS = {"paper"}


def error_text(exc: MmsimError, command: argparse.ArgumentParser | None) -> str:
    """The error's message with each parameter it names (``exc.params``: ``window_s``) written as the command's
    option (``--window-s``); a parameter the command has no option for keeps its name."""
    text = str(exc)
    if command is None:
        return text
    options = {action.dest: max(action.option_strings, key=len) for action in command._actions
               if action.option_strings}
    for name in getattr(exc, "params", ()):
        option = options.get(_OPTION_DEST.get(name, name))
        if option is not None:
            # the name as a word of its own: not inside a path (/tmp/resume), a module (dask.distributed) or [dask]
            text = re.sub(rf"(?<![\w./\[-]){re.escape(name)}(?![\w./\]-])", option, text)
    return text


class Terminated(BaseException):
    """Raised by the SIGTERM handler, so that a terminated command cleans up (staging folders, worker processes)
    as Ctrl-C does, instead of dying on the spot."""


def _terminate(signum, frame):
    raise Terminated


def _version() -> str:
    try:
        return version("mmsim")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def _user_path(filename) -> str:
    """The path a user knows in an OS error: the output folder, not the staging folder or temporary file that
    mmsim was writing in it (both are removed on the way out)."""
    text = re.sub(r"[/\\]\.mmsim-staging-[^/\\]*([/\\].*)?$", "", str(filename))
    return re.sub(r"([/\\]|^)\.([^/\\]+)\.[^./\\]+\.tmp$", r"\1\2", text)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mmsim`` console script; returns the exit code (130 after Ctrl-C, 143 after SIGTERM)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage errors (2) and --help (0), already printed
        return int(exc.code or 0)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        with warnings.catch_warnings():
            # The terminal gets results, one-line errors and the commands' own "warning:" lines about the data;
            # not numpy's floating-point notes (0/0 in an empty statistic) or plotting libraries' remarks.
            warnings.simplefilter("ignore")
            if args.command not in ARRAY_ONLY_COMMANDS:
                load_now("pandas", "pyarrow")
            return int(args.handler(args) or 0)
    except MmsimError as exc:
        sys.stderr.write(f"mmsim {args.command}: error: {error_text(exc, parser.commands.get(args.command))}\n")
        return 2
    except OSError as exc:  # a full or read-only disk, a folder where a file should be: the system's own words
        where = f"{_user_path(exc.filename)}: " if exc.filename else ""
        sys.stderr.write(f"mmsim {args.command}: error: {where}{exc.strerror or exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write(f"mmsim {args.command}: interrupted\n")
        return 130
    except Terminated:
        sys.stderr.write(f"mmsim {args.command}: terminated\n")
        return 128 + signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
