"""/v1/webhooks: register, list and delete webhooks and read their delivery log (the same rows the
portal's webhooks page shows). Reading needs renders:read, changing renders:write: webhooks report
on renders, and the existing scopes stay as they are."""
from __future__ import annotations

from flask import g
from marshmallow import fields

from ..auth import require
from ..extensions import Blueprint, Schema
from ..schemas import DeletedEnvelope, Timestamp, envelope
from . import webhooks
from .tables import Webhook, WebhookDelivery

blp = Blueprint("webhooks", __name__, url_prefix="/v1/webhooks",
                description="Webhooks: a signed POST when a render ends (an extension of the reference)")


class WebhookSchema(Schema):
    id = fields.String(required=True)
    url = fields.String(required=True)
    createdAt = Timestamp(required=True)
    secret = fields.String(metadata={"description": "HMAC-SHA256 key for X-Dxgl-Signature (in the create answer only)"})


class CreateWebhookArgs(Schema):
    error_codes = {"url": "url_required"}
    url = fields.Raw(required=True, metadata={"type": "string", "format": "uri"})


class DeliverySchema(Schema):
    id = fields.String(required=True)
    webhookId = fields.String(required=True)
    renderId = fields.String(required=True)
    event = fields.String(required=True, metadata={"description": "render.done or render.error"})
    status = fields.String(required=True, metadata={"description": "pending, delivered or failed"})
    attempts = fields.Integer(required=True)
    lastStatusCode = fields.Integer(allow_none=True)
    lastError = fields.String(allow_none=True)
    nextAttemptAt = Timestamp(allow_none=True)
    createdAt = Timestamp()
    deliveredAt = Timestamp(allow_none=True)


def webhook_json(hook: Webhook, secret: bool = False) -> dict:
    out = {"id": hook.id, "url": hook.url, "createdAt": hook.created_at}
    if secret:
        out["secret"] = hook.secret
    return out


@blp.route("", methods=["POST"])
@require("renders:write")
@blp.arguments(CreateWebhookArgs)
@blp.response(201, envelope(WebhookSchema))
def create_webhook(args):
    """Register a URL (public addresses only); the answer holds its signing secret."""
    return {"data": webhook_json(webhooks.create(g.user, args["url"]), secret=True)}


@blp.route("", methods=["GET"])
@require("renders:read")
@blp.response(200, envelope(WebhookSchema, many=True))
def list_webhooks():
    """Your webhooks (without their secrets)."""
    rows = Webhook.select().where(Webhook.user == g.user.id).order_by(Webhook.created_at)
    return {"data": [webhook_json(h) for h in rows]}


@blp.route("/<webhook_id>", methods=["DELETE"])
@require("renders:write")
@blp.response(200, DeletedEnvelope)
def delete_webhook(webhook_id):
    """Delete a webhook and its delivery log."""
    hook = webhooks.owned(g.user, webhook_id)
    hook.delete_instance(recursive=True)
    return {"data": {"id": hook.id, "deleted": True}}


@blp.route("/<webhook_id>/deliveries", methods=["GET"])
@require("renders:read")
@blp.response(200, envelope(DeliverySchema, many=True))
def list_deliveries(webhook_id):
    """The webhook's last 100 deliveries, newest first."""
    hook = webhooks.owned(g.user, webhook_id)
    rows = (WebhookDelivery.select().where(WebhookDelivery.webhook == hook)
            .order_by(WebhookDelivery.created_at.desc()).limit(100))
    return {"data": [webhooks.delivery_json(d) for d in rows]}
