"""Typed access to glTF JSON values.

Every getter takes the JSON path of the object it reads from, so a wrong type, a bad
range or a dangling reference becomes an `InvalidFormat` that names where it is
("meshes[0].primitives[1].indices: ...") instead of a KeyError or TypeError later on.
"""
from __future__ import annotations

import math

import numpy as np

from ...errors import InvalidFormat

_MISSING = object()


def fail(path: str, message: str) -> InvalidFormat:
    """An InvalidFormat for the JSON location `path` (returned, so callers write `raise fail(...)`)."""
    return InvalidFormat(f"{path}: {message}" if path else message)


def top_level_list(doc: dict, key: str) -> list[dict]:
    """A top-level array of objects (`accessors`, `nodes`…); absent means empty."""
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise fail(key, f"must be an array, not {type(value).__name__}")
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise fail(f"{key}[{i}]", f"must be an object, not {type(item).__name__}")
    return value


def get_dict(obj: dict, key: str, path: str, required: bool = False) -> dict:
    value = obj.get(key, _MISSING)
    if value is _MISSING:
        if required:
            raise fail(path, f"missing required '{key}'")
        return {}
    if not isinstance(value, dict):
        raise fail(f"{path}.{key}", f"must be an object, not {type(value).__name__}")
    return value


def get_list(obj: dict, key: str, path: str, required: bool = False) -> list:
    value = obj.get(key, _MISSING)
    if value is _MISSING:
        if required:
            raise fail(path, f"missing required '{key}'")
        return []
    if not isinstance(value, list):
        raise fail(f"{path}.{key}", f"must be an array, not {type(value).__name__}")
    return value


def get_str(obj: dict, key: str, path: str, default: str = "") -> str:
    value = obj.get(key, default)
    if not isinstance(value, str):
        raise fail(f"{path}.{key}", f"must be a string, not {type(value).__name__}")
    return value


def get_bool(obj: dict, key: str, path: str, default: bool = False) -> bool:
    value = obj.get(key, default)
    if not isinstance(value, bool):
        raise fail(f"{path}.{key}", f"must be true or false, not {value!r}")
    return value


def as_int(value, path: str, minimum: int | None = 0) -> int:
    """A JSON integer (floats with an integral value are accepted: some writers emit 3.0)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise fail(path, f"must be an integer, not {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise fail(path, f"must be an integer, not {value!r}")
        value = int(value)
    if minimum is not None and value < minimum:
        raise fail(path, f"must be >= {minimum}, not {value}")
    return value


def get_int(obj: dict, key: str, path: str, default=_MISSING, minimum: int | None = 0):
    """An integer member; `default` when absent (required when no default is given)."""
    value = obj.get(key, _MISSING)
    if value is _MISSING:
        if default is _MISSING:
            raise fail(path, f"missing required '{key}'")
        return default
    return as_int(value, f"{path}.{key}", minimum)


def as_number(value, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise fail(path, f"must be a finite number, not {value!r}")
    return float(value)


def get_number(obj: dict, key: str, path: str, default: float, minimum: float | None = None,
               maximum: float | None = None) -> float:
    value = obj.get(key, _MISSING)
    if value is _MISSING:
        return float(default)
    number = as_number(value, f"{path}.{key}")
    if minimum is not None and number < minimum:
        raise fail(f"{path}.{key}", f"{number} must be >= {minimum}")
    if maximum is not None and number > maximum:
        raise fail(f"{path}.{key}", f"{number} must be <= {maximum}")
    return number


def get_numbers(obj: dict, key: str, path: str, length: int, default) -> np.ndarray:
    """A fixed-length array of finite numbers as float64 (`default` when absent)."""
    value = obj.get(key, _MISSING)
    if value is _MISSING:
        return np.array(default, dtype=np.float64)
    if not isinstance(value, list) or len(value) != length:
        raise fail(f"{path}.{key}", f"must be an array of {length} numbers")
    return np.array([as_number(v, f"{path}.{key}[{i}]") for i, v in enumerate(value)], dtype=np.float64)


def check_index(value, path: str, count: int, what: str) -> int:
    """A reference into a top-level array: an integer within [0, count)."""
    index = as_int(value, path)
    if index >= count:
        raise fail(path, f"{what} {index} does not exist (the model has {count} {what}{'' if count == 1 else 's'})")
    return index


def get_index(obj: dict, key: str, path: str, count: int, what: str, required: bool = False) -> int | None:
    """An optional (or required) reference member, validated against `count`."""
    value = obj.get(key, _MISSING)
    if value is _MISSING:
        if required:
            raise fail(path, f"missing required '{key}'")
        return None
    return check_index(value, f"{path}.{key}", count, what)
