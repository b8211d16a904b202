"""What the commands' arguments accept: number parsers and the options several commands share.

The ``cmd_*`` modules import these; :mod:`mmsim.cli` imports the ``cmd_*`` modules, never the reverse.
"""

from __future__ import annotations

import argparse
import math

from engine import ConfigError


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


def add_strategy_param_argument(parser) -> None:
    """``--strategy-param NAME=VALUE`` (repeatable): constructor arguments of a user's strategy class."""
    parser.add_argument("--strategy-param", action="append", metavar="NAME=VALUE",
                        help="repeatable: an argument of a path/to/file.py:ClassName strategy's constructor, for "
                             "example width=0.5 (converted to the parameter's annotated type)")


def user_strategy_params(args, specs) -> dict[str, str]:
    """``--strategy-param`` as ``{name: text}`` (see :func:`strategies.parse_strategy_params`), refused when no
    strategy in ``specs`` is a user's class."""
    from strategies import SHIPPED, parse_strategy_params

    params = parse_strategy_params(getattr(args, "strategy_param", None))
    if params and all(spec in SHIPPED for spec in specs):
        raise ConfigError("--strategy-param goes with a path/to/file.py:ClassName strategy (the shipped ones "
                          "have their own options)")
    return params
