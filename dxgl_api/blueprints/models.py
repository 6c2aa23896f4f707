"""/v1/models: upload, ingest, list, get, update, archive, download, check-hash, delete."""
from __future__ import annotations

import re

from flask import g, request, send_file
from marshmallow import fields, validate

from .. import config, ingest, intake, storage
from ..auth import require
from ..db import write_transaction
from ..errors import ApiError
from ..extensions import Blueprint, Schema
from ..render_requests import owned_model, parse_settings
from ..schemas import DeletedEnvelope, PageArgs, RenderSettingsField, Timestamp, envelope, page_meta, page_window
from ..tables import Model3D, ModelTag, Render, utcnow
from .renders import RenderSummarySchema, render_json

MODEL = '/<notin("ingest", "check-hash"):model_id>'
blp = Blueprint("models", __name__, url_prefix="/v1/models", description="Models: uploaded 3D files")

MAX_TAGS = 20
MAX_TAG_LENGTH = 50
SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")

UPLOAD_BODY = {
    "required": True,
    "content": {"multipart/form-data": {"schema": {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary", "description": ".glb, .gltf, or .zip (OBJ+MTL+textures)"},
            "renderSettings": {"type": "string", "description": "renderSettings as a JSON string"},
        },
    }}},
}
GLB_RESPONSE = {"200": {"description": "The model as one GLB file",
                        "content": {"model/gltf-binary": {"schema": {"type": "string", "format": "binary"}}}}}


class ModelSchema(Schema):
    id = fields.String(required=True)
    originalName = fields.String(required=True)
    title = fields.String(allow_none=True)
    sku = fields.String(allow_none=True)
    tags = fields.List(fields.String(), required=True)
    fileSize = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    archived = fields.Boolean(required=True)
    broken = fields.Boolean(required=True, metadata={"description": "The system preview failed: check the file"})
    brokenReason = fields.String(allow_none=True)
    createdAt = Timestamp(required=True)
    updatedAt = Timestamp(required=True)


class ModelDetailSchema(ModelSchema):
    renders = fields.List(fields.Nested(RenderSummarySchema), required=True)


class UploadResultSchema(Schema):
    modelId = fields.String(required=True)
    renderId = fields.String(required=True)
    duplicate = fields.Boolean(required=True, metadata={"description": "The file matched an existing model"})
    previewRenderId = fields.String(metadata={"description": "The free system preview (new models only)"})


class IngestArgs(Schema):
    error_codes = {"url": "url_required"}
    url = fields.Raw(required=True, metadata={"type": "string", "format": "uri"})
    renderSettings = RenderSettingsField()


class ListModelArgs(PageArgs):
    tags = fields.String(metadata={"description": "Comma-separated tags (any of them)"})
    archived = fields.Boolean(load_default=False, metadata={"description": "List archived models instead"})


class UpdateModelArgs(Schema):
    title = fields.String(allow_none=True, validate=validate.Length(max=200))
    sku = fields.String(allow_none=True, validate=validate.Length(max=100))
    tags = fields.List(fields.String(validate=validate.Length(max=MAX_TAG_LENGTH)), allow_none=True,
                       metadata={"maxItems": MAX_TAGS, "description": "Up to 20 tags (lowercased, trimmed)"})


class CheckHashArgs(Schema):
    error_codes = {"sha256": "sha256_required"}
    sha256 = fields.String(required=True, validate=validate.Regexp(SHA256),
                           metadata={"description": "SHA-256 of the file, 64 hex digits"})


class CheckHashResultSchema(Schema):
    exists = fields.Boolean(required=True)
    modelId = fields.String(allow_none=True)


def model_json(model: Model3D, tags: list[str]) -> dict:
    return {
        "id": model.id, "originalName": model.original_name, "title": model.title, "sku": model.sku, "tags": tags,
        "fileSize": model.file_size, "sha256": model.sha256, "archived": model.archived, "broken": model.broken,
        "brokenReason": model.broken_reason, "createdAt": model.created_at, "updatedAt": model.updated_at,
    }


def tags_of(model_ids: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {mid: [] for mid in model_ids}
    if model_ids:
        for row in ModelTag.select().where(ModelTag.model.in_(model_ids)).order_by(ModelTag.id):
            out[row.model_id].append(row.tag)
    return out


def normalize_tags(raw: list[str]) -> list[str]:
    tags = list(dict.fromkeys(t.strip().lower() for t in raw if t and t.strip()))
    if len(tags) > MAX_TAGS:
        raise ApiError("invalid_request", f"a model takes at most {MAX_TAGS} tags; got {len(tags)}")
    return tags


def detail(model: Model3D) -> dict:
    out = model_json(model, tags_of([model.id])[model.id])
    renders = Render.select().where(Render.model == model).order_by(Render.created_at, Render.id)
    out["renders"] = [render_json(r, detail=False) for r in renders]
    return out


@blp.route("", methods=["POST"])
@require("models:write")
@blp.doc(requestBody=UPLOAD_BODY)
@blp.response(201, envelope(UploadResultSchema))
def upload_model():
    """Upload a .glb, .gltf or OBJ-scan .zip; queues its render and a free system preview."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError("no_file", "send the model as a multipart form field named 'file'")
    name = intake.clean_name(upload.filename)
    suffix = intake.check_suffix(name)
    parse_settings(request.form.get("renderSettings"), g.user)  # refuse bad settings before reading the body
    received = storage.receive(upload.stream, suffix, config.active().max_upload_bytes)
    try:
        result = intake.take_model(g.user, received, name, request.form.get("renderSettings"))
    finally:
        received.discard()
    return {"data": result}


@blp.route("/ingest", methods=["POST"])
@require("models:write")
@blp.arguments(IngestArgs)
@blp.response(201, envelope(UploadResultSchema))
def ingest_model(args):
    """Download a .glb/.gltf from a URL (max 100 MB, 2 minutes) and treat it as an upload."""
    url = ingest.check_url(args["url"])
    parse_settings(args.get("renderSettings"), g.user)
    cfg = config.active()
    received, name = ingest.download(url, max_bytes=cfg.max_upload_bytes, timeout_s=cfg.ingest_timeout_s,
                                     allowed_networks=cfg.ingest_allowed_networks)
    try:
        suffix = intake.sniff_suffix(received, name)
        received = received.renamed(f"upload{suffix}")
        name = intake.clean_name(name if name.lower().endswith(suffix) else f"{name.rsplit('.', 1)[0]}{suffix}")
        result = intake.take_model(g.user, received, name, args.get("renderSettings"))
    finally:
        received.discard()
    return {"data": result}


@blp.route("", methods=["GET"])
@require("models:read")
@blp.arguments(ListModelArgs, location="query")
@blp.response(200, envelope(ModelSchema, many=True, paginated=True))
def list_models(args):
    """Your models, newest first; archived ones only with archived=true."""
    limit, offset = page_window(args)
    query = Model3D.select().where((Model3D.user == g.user) & Model3D.deleted_at.is_null()
                                   & (Model3D.archived == args["archived"]))
    tags = normalize_tags((args.get("tags") or "").split(","))
    if tags:
        query = query.where(Model3D.id.in_(ModelTag.select(ModelTag.model).where(ModelTag.tag.in_(tags))))
    total = query.count()
    page = list(query.order_by(Model3D.created_at.desc(), Model3D.id).limit(limit).offset(offset))
    tag_map = tags_of([m.id for m in page])
    return {"data": [model_json(m, tag_map[m.id]) for m in page], "meta": page_meta(total, limit, offset)}


@blp.route(MODEL, methods=["GET"])
@require("models:read")
@blp.response(200, envelope(ModelDetailSchema))
def get_model(model_id):
    """A model with all its renders (the system preview included)."""
    return {"data": detail(owned_model(g.user, model_id))}


@blp.route(MODEL, methods=["PATCH"])
@require("models:write")
@blp.arguments(UpdateModelArgs)
@blp.response(200, envelope(ModelDetailSchema))
def update_model(args, model_id):
    """Change title, sku and/or tags; fields left out stay as they are."""
    model = owned_model(g.user, model_id)
    changes = {k: (v.strip() if isinstance(v, str) else v) for k, v in args.items() if k in ("title", "sku")}
    tags = normalize_tags(args["tags"] or []) if "tags" in args else None
    with write_transaction():
        Model3D.update(**changes, updated_at=utcnow()).where(Model3D.id == model.id).execute()
        if tags is not None:
            ModelTag.delete().where(ModelTag.model == model).execute()
            if tags:
                ModelTag.insert_many([{"model": model.id, "tag": t} for t in tags]).execute()
    return {"data": detail(Model3D.get_by_id(model.id))}


@blp.route(MODEL + "/archive", methods=["PATCH"])
@require("models:write")
@blp.response(200, envelope(ModelDetailSchema))
def archive_model(model_id):
    """Hide the model from default lists (restore with unarchive)."""
    return {"data": detail(_set_archived(model_id, True))}


@blp.route(MODEL + "/unarchive", methods=["PATCH"])
@require("models:write")
@blp.response(200, envelope(ModelDetailSchema))
def unarchive_model(model_id):
    """Bring an archived model back to the default lists."""
    return {"data": detail(_set_archived(model_id, False))}


def _set_archived(model_id: str, archived: bool) -> Model3D:
    model = owned_model(g.user, model_id)
    Model3D.update(archived=archived, updated_at=utcnow()).where(Model3D.id == model.id).execute()
    return Model3D.get_by_id(model.id)


@blp.route(MODEL + "/file", methods=["GET"])
@require("models:read")
@blp.doc(responses=GLB_RESPONSE)
def download_model(model_id):
    """The stored GLB (OBJ scans as converted), as an attachment."""
    model = owned_model(g.user, model_id)
    path = storage.blob_path(model.blob)
    if not path.is_file():
        raise ApiError("file_not_found")
    name = model.original_name.rsplit(".", 1)[0] + ".glb"
    return send_file(path, mimetype="model/gltf-binary", as_attachment=True, download_name=name, conditional=True)


@blp.route("/check-hash", methods=["POST"])
@require("models:read")
@blp.arguments(CheckHashArgs)
@blp.response(200, envelope(CheckHashResultSchema))
def check_hash(args):
    """Whether you already uploaded a file with this SHA-256 (to skip the upload)."""
    digest = args["sha256"]
    model = Model3D.get_or_none((Model3D.user == g.user) & (Model3D.sha256 == digest.lower())
                                & Model3D.deleted_at.is_null())
    return {"data": {"exists": model is not None, "modelId": model.id if model else None}}


@blp.route(MODEL, methods=["DELETE"])
@require("models:write")
@blp.response(200, DeletedEnvelope)
def delete_model(model_id):
    """Soft-delete: the model disappears; its renders stay until deleted themselves."""
    model = owned_model(g.user, model_id)
    Model3D.update(deleted_at=utcnow(), updated_at=utcnow()).where(Model3D.id == model.id).execute()
    return {"data": {"id": model.id, "deleted": True}}
