"""The ``mmsim`` command line. Bad input never shows a traceback: one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import math
import signal
import sys

from engine import MmsimError


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (``mmsim run: error: ...``) and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} --help)\n")
        sys.exit(2)


def _number(kind: str, test, convert=float):
    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {kind}, got {text!r}") from None
        if isinstance(value, float) and not math.isfinite(value) or not test(value):
            raise argparse.ArgumentTypeError(f"expected {kind}, got {text!r}")
        return value
    parse.__name__ = kind
    return parse


positive_float = _number("a number > 0", lambda x: x > 0)
non_negative_float = _number("a number >= 0", lambda x: x >= 0)
any_float = _number("a finite number", lambda x: True)
positive_int = _number("a whole number >= 1", lambda x: x >= 1, int)
non_negative_int = _number("a whole number >= 0", lambda x: x >= 0, int)


def build_parser() -> argparse.ArgumentParser:
    from mmsim import cmd_calibrate, cmd_paper, cmd_replay, cmd_report, cmd_run, cmd_study, cmd_sweep

    parser = _Parser(prog="mmsim", description="Event-driven market-making simulator (Avellaneda-Stoikov).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    for module in (cmd_run, cmd_paper, cmd_calibrate, cmd_replay, cmd_report, cmd_study, cmd_sweep):
        module.add_parser(sub)
    return parser


class Terminated(BaseException):
    """Raised by the SIGTERM handler, so that a terminated command cleans up (staging folders, worker processes)
    as Ctrl-C does, instead of dying on the spot."""


def _terminate(signum, frame):
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mmsim`` console script; returns the exit code (130 after Ctrl-C, 143 after SIGTERM)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage errors (2) and --help (0), already printed
        return int(exc.code or 0)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return int(args.handler(args) or 0)
    except MmsimError as exc:
        sys.stderr.write(f"mmsim {args.command}: error: {exc}\n")
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
