"""Schemas shared by several resources: the renderSettings object (generated from the engine's
FIELDS, so the OpenAPI document and the engine cannot disagree), the `{"data": …}` envelopes,
list pagination and timestamps."""
from __future__ import annotations

from datetime import datetime

import marshmallow as ma
from marshmallow import fields, validate

from dxgl_engine import FIELDS, MAX_LENGTH, FieldSpec

from .extensions import Schema

MAX_PAGE = 100
MAX_OFFSET = 2**31 - 1


class Timestamp(fields.Field):
    """ISO 8601 UTC with milliseconds and a Z, as the reference writes them."""

    def __init__(self, **kwargs):
        super().__init__(metadata={"type": "string", "format": "date-time"}, **kwargs)

    def _serialize(self, value: datetime | None, attr, obj, **kwargs):
        return iso(value)


def iso(value: datetime | None) -> str | None:
    """2026-02-15T20:00:00.000Z from a naive UTC datetime."""
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _settings_field(spec: FieldSpec) -> fields.Field:
    meta = {"description": spec.description}
    if spec.default is not None:
        meta["default"] = spec.default
    if spec.effects:
        meta["description"] += f" (effects: {', '.join(spec.effects)})"
    if spec.key == "length":
        meta["description"] += " (admin accounts: up to 600)"
    if spec.extension:
        meta["description"] += " (a dxgl extension of the reference)"
    if spec.kind == "enum":
        return fields.String(validate=validate.OneOf(spec.choices), allow_none=True, metadata=meta)
    if spec.kind == "boolean":
        return fields.Boolean(allow_none=True, metadata=meta)
    if spec.kind == "color":
        return fields.String(validate=validate.Regexp(r"^#[0-9a-fA-F]{6}$"), allow_none=True, metadata=meta)
    if spec.kind == "string":
        return fields.String(validate=validate.Length(1, 200), allow_none=True, metadata=meta)
    hi = MAX_LENGTH if spec.key == "length" else spec.maximum
    kind = fields.Integer if spec.kind == "integer" else fields.Float
    return kind(validate=validate.Range(spec.minimum, hi), allow_none=True, metadata=meta)


class _SettingsBase(ma.Schema):
    class Meta:
        unknown = ma.RAISE


RenderSettingsSchema = _SettingsBase.from_dict({spec.key: _settings_field(spec) for spec in FIELDS},
                                               name="RenderSettings")


class Passthrough(fields.Nested):
    """Documented as the nested schema, loaded untouched: the view validates it itself so that
    each problem gets the reference's own error code."""

    def _deserialize(self, value, attr, data, **kwargs):
        return value


class RenderSettingsField(Passthrough):
    """The renderSettings object; the engine's `Settings.from_json` is its one validator."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_none", True)
        super().__init__(RenderSettingsSchema, **kwargs)


class MetaSchema(Schema):
    total = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    limit = fields.Integer(required=True)


class PageArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1),
                           metadata={"description": "Page size (max 100; larger values are capped)"})
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))


def page_window(args: dict) -> tuple[int, int]:
    return min(args["limit"], MAX_PAGE), args["offset"]


def page_meta(total: int, limit: int, offset: int) -> dict:
    return {"total": total, "offset": offset, "limit": limit}


class DeletedSchema(Schema):
    id = fields.String(required=True)
    deleted = fields.Boolean(required=True)


_envelopes: dict[tuple, type] = {}


def envelope(schema: type[ma.Schema], *, many: bool = False, paginated: bool = False) -> type[ma.Schema]:
    """The `{"data": …}` (and `meta`) wrapper around `schema`, one class per combination so the
    OpenAPI document names each once."""
    key = (schema, many, paginated)
    if key not in _envelopes:
        base = schema.__name__.removesuffix("Schema")
        name = f"{base}{'Page' if paginated else 'List' if many else ''}Envelope"
        attrs = {"data": fields.Nested(schema, many=many, required=True)}
        if paginated:
            attrs["meta"] = fields.Nested(MetaSchema, required=True)
        _envelopes[key] = type(name, (Schema,), attrs)
    return _envelopes[key]


DeletedEnvelope = envelope(DeletedSchema)
