"""/v1/renders: create, list, get, dismiss, delete and batch."""
from __future__ import annotations

from flask import g
from marshmallow import fields, validate

from .. import credits, statuses, storage
from ..auth import require
from ..db import write_transaction
from ..errors import ApiError
from ..extensions import Blueprint, Schema
from ..render_requests import (
    MAX_BATCH,
    ModelScenes,
    RenderRequest,
    batch_items,
    create,
    owned_model,
    parse_settings,
)
from ..schemas import (
    DeletedEnvelope,
    PageArgs,
    Passthrough,
    RenderSettingsField,
    RenderSettingsSchema,
    Timestamp,
    envelope,
    page_meta,
    page_window,
)
from ..tables import Render, User

RENDER = '/<notin("batch"):render_id>'
blp = Blueprint("renders", __name__, url_prefix="/v1/renders", description="Renders: videos made from a model")


class RenderSummarySchema(Schema):
    id = fields.String(required=True)
    modelId = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(statuses.ALL))
    renderSettings = fields.Nested(RenderSettingsSchema, required=True)
    is_system_preview = fields.Boolean(required=True, metadata={"description": "The free preview made on upload"})
    createdAt = Timestamp(required=True)
    updatedAt = Timestamp(required=True)


class RenderSchema(RenderSummarySchema):
    fileSize = fields.Integer(allow_none=True, metadata={"description": "Video size in bytes (null until done)"})
    errorMessage = fields.String(allow_none=True, metadata={"description": "Why the render failed"})
    hasWebVariant = fields.Boolean(metadata={"description": "Whether a web-optimised MP4 is available"})
    progress = fields.Float(metadata={"description": "Rough fraction done, 0 to 1"})
    credits = fields.Integer(metadata={"description": "Credits charged (returned if the render ends in error)"})


class CreateRenderArgs(Schema):
    error_codes = {"modelId": "model_id_required"}
    modelId = fields.String(required=True, validate=validate.Length(min=1))
    renderSettings = RenderSettingsField()


class BatchItemSchema(Schema):
    modelId = fields.String(required=True, validate=validate.Length(min=1))
    renderSettings = RenderSettingsField()


class BatchArgs(Schema):
    error_codes = {"renders": "renders_required"}
    renders = fields.List(Passthrough(BatchItemSchema), required=True,
                          metadata={"minItems": 1, "maxItems": MAX_BATCH})


class ListRenderArgs(PageArgs):
    model = fields.String(metadata={"description": "Only renders of this model"})
    status = fields.String(validate=validate.OneOf(statuses.ALL))


def render_json(render: Render, detail: bool = True) -> dict:
    out = {
        "id": render.id,
        "modelId": render.model_id,
        "status": render.status,
        "renderSettings": render.settings,
        "is_system_preview": render.is_system_preview,
        "createdAt": render.created_at,
        "updatedAt": render.updated_at,
    }
    if detail:
        out.update(fileSize=render.file_size, errorMessage=render.error_message, hasWebVariant=has_web_variant(render),
                   progress=render.progress, credits=render.credits)
    return out


def has_web_variant(render: Render) -> bool:
    if render.status != statuses.DONE or not render.video_name:
        return False
    return storage.web_variant(storage.render_paths(render.id, render.video_name)).is_file()


def owned_render(render_id: str) -> Render:
    """The caller's render; another account's id answers exactly like a missing one."""
    render = Render.get_or_none((Render.id == render_id) & (Render.user == g.user))
    if render is None:
        raise ApiError("render_not_found", f"render '{render_id[:40]}' not found")
    return render


@blp.route("", methods=["POST"])
@require("renders:write")
@blp.arguments(CreateRenderArgs)
@blp.response(201, envelope(RenderSchema))
def create_render(args):
    """Create a render of one of your models (costs the quality tier's credits)."""
    model = owned_model(g.user, args["modelId"])
    settings, files = parse_settings(args.get("renderSettings"), g.user)
    ModelScenes().check(model, settings)
    render = create(g.user, [RenderRequest(model, settings, files)])[0]
    return {"data": render_json(Render.get_by_id(render.id))}


@blp.route("", methods=["GET"])
@require("renders:read")
@blp.arguments(ListRenderArgs, location="query")
@blp.response(200, envelope(RenderSchema, many=True, paginated=True))
def list_renders(args):
    """Your renders, newest first, optionally for one model or in one status."""
    limit, offset = page_window(args)
    query = Render.select().where(Render.user == g.user)
    if args.get("model"):
        query = query.where(Render.model == args["model"])
    if args.get("status"):
        query = query.where(Render.status == args["status"])
    total = query.count()
    page = query.order_by(Render.created_at.desc(), Render.id).limit(limit).offset(offset)
    return {"data": [render_json(r) for r in page], "meta": page_meta(total, limit, offset)}


@blp.route(RENDER, methods=["GET"])
@require("renders:read")
@blp.response(200, envelope(RenderSchema))
def get_render(render_id):
    """One render with its status, file size, error message and web-variant flag."""
    return {"data": render_json(owned_render(render_id))}


@blp.route(RENDER + "/dismiss", methods=["PATCH"])
@require("renders:write")
@blp.response(200, envelope(RenderSchema))
def dismiss_render(render_id):
    """Acknowledge an errored render: error → failed."""
    render = owned_render(render_id)
    if render.status not in (statuses.ERROR, statuses.FAILED):
        raise ApiError("invalid_status", f"only renders in error can be dismissed; this one is {render.status}")
    Render.update(status=statuses.FAILED).where((Render.id == render.id) & (Render.status == statuses.ERROR)).execute()
    return {"data": render_json(Render.get_by_id(render.id))}


@blp.route(RENDER, methods=["DELETE"])
@require("renders:write")
@blp.response(200, DeletedEnvelope)
def delete_render(render_id):
    """Delete a render and its files. One deleted before it finished gets its credits back."""
    render = owned_render(render_id)
    with write_transaction():  # deleting conditionally on the status keeps a racing worker's refund single
        unfinished = Render.delete().where((Render.id == render.id) & Render.status.in_(statuses.UNFINISHED)).execute()
        if unfinished and render.credits:
            credits.refund(render.user_id, render.id, render.credits, "deleted before it finished")
        Render.delete().where(Render.id == render.id).execute()
    storage.delete_render_files(render.id)
    return {"data": {"id": render.id, "deleted": True}}


@blp.route("/batch", methods=["POST"])
@require("renders:write")
@blp.arguments(BatchArgs)
@blp.response(201, envelope(RenderSchema, many=True))
def batch_renders(args):
    """Up to 100 renders at once, paid all or nothing; a model's items render together."""
    items = batch_items(args["renders"], "a batch holds")
    scenes = ModelScenes()
    requests = [_batch_item(i, item, g.user, scenes) for i, item in enumerate(items)]
    rows = create(g.user, requests)
    return {"data": [render_json(Render.get_by_id(r.id)) for r in rows]}


def _batch_item(index: int, item, user: User, scenes: ModelScenes) -> RenderRequest:
    if not isinstance(item, dict):
        raise ApiError("invalid_request", f"renders[{index}] must be an object with modelId and renderSettings")
    if item.get("modelId") in (None, ""):
        raise ApiError("model_id_required", f"renders[{index}].modelId is required")
    model = owned_model(user, item["modelId"])
    where = f"renders[{index}].renderSettings"
    settings, files = parse_settings(item.get("renderSettings"), user, where=where)
    scenes.check(model, settings, where)
    return RenderRequest(model, settings, files)

