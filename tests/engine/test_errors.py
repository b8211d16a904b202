from __future__ import annotations

import attrs
import pytest

from engine import ConfigError
from engine.errors import one_of, optional_non_negative, optional_positive


@attrs.frozen
class _Config:
    size: float | None = attrs.field(default=None, validator=optional_positive)
    floor: float | None = attrs.field(default=None, validator=optional_non_negative)
    mode: str = attrs.field(default="a", validator=one_of("a", "b"))


def test_optional_validators_accept_none_and_reject_out_of_range_values_by_field_name():
    """optional_positive and optional_non_negative pass None and raise ConfigError naming the field otherwise."""
    assert _Config(size=None, floor=None) == _Config()
    assert _Config(size=1.0, floor=0.0).floor == 0.0
    with pytest.raises(ConfigError, match="size must be > 0"):
        _Config(size=0.0)
    with pytest.raises(ConfigError, match="floor must be >= 0"):
        _Config(floor=-1.0)
    with pytest.raises(ConfigError, match="floor must be finite"):
        _Config(floor=float("nan"))


def test_one_of_names_the_field_and_the_allowed_values():
    """one_of raises ConfigError listing the field, the accepted values and the value given."""
    assert _Config(mode="b").mode == "b"
    with pytest.raises(ConfigError, match=r"mode must be one of 'a', 'b', got 'c'"):
        _Config(mode="c")
