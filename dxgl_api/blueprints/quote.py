"""/v1/quote: what a list of renders would cost, at the engine's prices, before committing."""
from __future__ import annotations

from flask import g
from marshmallow import fields

from dxgl_engine import InvalidSettings, credits_for

from ..auth import require
from ..errors import ApiError
from ..extensions import Blueprint, Schema
from ..render_requests import MAX_BATCH, batch_items, max_length_for
from ..schemas import Passthrough, RenderSettingsSchema, envelope
from ..tables import User

blp = Blueprint("quote", __name__, url_prefix="/v1/quote", description="Quote: credit cost of renders")


class QuoteArgs(Schema):
    error_codes = {"renders": "renders_required"}
    renders = fields.List(Passthrough(RenderSettingsSchema), required=True,
                          metadata={"minItems": 1, "maxItems": MAX_BATCH})


class BreakdownItemSchema(Schema):
    quality = fields.String()
    datasetQuality = fields.String()
    credits = fields.Integer(required=True)


class QuoteSchema(Schema):
    creditsRequired = fields.Integer(required=True)
    creditsAvailable = fields.Integer(required=True)
    sufficient = fields.Boolean(required=True)
    breakdown = fields.List(fields.Nested(BreakdownItemSchema), required=True)


@blp.route("", methods=["POST"])
@require("account:read")
@blp.arguments(QuoteArgs)
@blp.response(200, envelope(QuoteSchema))
def quote(args):
    """Credits needed for up to 100 renders (each item takes render settings), and whether the balance covers them."""
    items = batch_items(args["renders"], "a quote takes")
    breakdown = []
    for i, item in enumerate(items):
        try:
            breakdown += credits_for([_settings_of(i, item)], max_length=max_length_for(g.user))[1]
        except InvalidSettings as err:
            raise ApiError("invalid_settings", f"renders[{i}]: {err}") from None
    total = sum(b["credits"] for b in breakdown)
    available = User.get_by_id(g.user.id).credits
    return {"data": {"creditsRequired": total, "creditsAvailable": available, "sufficient": total <= available,
                     "breakdown": breakdown}}


def _settings_of(index: int, item) -> dict:
    """An item is a renderSettings object; a batch-style {modelId, renderSettings} item is accepted too."""
    if isinstance(item, dict) and isinstance(item.get("renderSettings"), dict) and "quality" not in item:
        return item["renderSettings"]
    if item is None:
        return {}
    if not isinstance(item, dict):
        raise ApiError("invalid_settings", f"renders[{index}] must be a renderSettings object")
    return item
