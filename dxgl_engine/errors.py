"""Engine exceptions. Each carries a machine code that front-ends map to their own
envelope (API error code, CLI exit status, GUI dialog) without parsing messages."""
from __future__ import annotations


class DxglError(Exception):
    """Base class: `code` is stable, `str(err)` is a one-line human message."""

    code = "internal"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidFormat(DxglError):
    """The model file cannot be read: wrong container, broken references, bad data."""

    code = "invalid_format"


class InvalidSettings(DxglError):
    """A render setting is unknown, of the wrong type or outside its range."""

    code = "invalid_settings"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class RenderFailed(DxglError):
    """The renderer or an encoder failed on a model that loaded."""

    code = "render_failed"


class Cancelled(DxglError):
    """A job was cancelled by its caller; outputs were removed."""

    code = "cancelled"
