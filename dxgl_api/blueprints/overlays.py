"""/v1/overlays: background/foreground images to reference as bgImageId; yours plus the system ones."""
from __future__ import annotations

from flask import g, request
from marshmallow import fields, validate

from dxgl_engine import ANCHORS

from .. import config, statuses, storage
from ..auth import require
from ..errors import ApiError
from ..extensions import Blueprint, Schema
from ..overlay_images import inspect_image
from ..schemas import DeletedEnvelope, Timestamp, envelope
from ..tables import Overlay, Render, User

blp = Blueprint("overlays", __name__, url_prefix="/v1/overlays", description="Overlays: background images")

LAYERS = ("background", "foreground")
UPLOAD_BODY = {
    "required": True,
    "content": {"multipart/form-data": {"schema": {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary", "description": "PNG, JPEG or WebP, at most 10 MB"},
            "layer": {"type": "string", "enum": list(LAYERS), "default": "background"},
            "name": {"type": "string", "maxLength": 100},
            "description": {"type": "string", "maxLength": 500},
            "alignment": {"type": "string", "enum": list(ANCHORS), "default": "top-left"},
        },
    }}},
}


class OverlaySchema(Schema):
    id = fields.String(required=True)
    layer = fields.String(required=True, validate=validate.OneOf(LAYERS))
    alignment = fields.String(required=True, validate=validate.OneOf(ANCHORS))
    name = fields.String(required=True)
    description = fields.String()
    system = fields.Boolean(metadata={"description": "Published by an admin for every account"})
    mimeType = fields.String()
    width = fields.Integer()
    height = fields.Integer()
    fileSize = fields.Integer()
    createdAt = Timestamp()


def overlay_json(overlay: Overlay) -> dict:
    return {
        "id": overlay.id, "layer": overlay.layer, "alignment": overlay.alignment, "name": overlay.name,
        "description": overlay.description, "system": overlay.is_system, "mimeType": overlay.mime,
        "width": overlay.width, "height": overlay.height, "fileSize": overlay.file_size,
        "createdAt": overlay.created_at,
    }


def form_choice(form, key: str, choices: tuple[str, ...], default: str) -> str:
    value = (form.get(key) or default).strip()
    if value not in choices:
        raise ApiError("invalid_request", f"{key} must be one of {', '.join(choices)}; got '{value[:40]}'")
    return value


def form_text(form, key: str, limit: int) -> str:
    value = (form.get(key) or "").strip()
    if len(value) > limit:
        raise ApiError("invalid_request", f"{key} takes at most {limit} characters")
    return value


def store_overlay(stream, filename: str, form, owner: User | None) -> Overlay:
    """Validate and store an overlay image; `owner` None publishes a system overlay."""
    layer = form_choice(form, "layer", LAYERS, "background")
    alignment = form_choice(form, "alignment", ANCHORS, "top-left")
    name = form_text(form, "name", 100) or filename[:100]
    description = form_text(form, "description", 500)
    received = storage.receive(stream, ".img", config.active().max_overlay_bytes)
    try:
        info = inspect_image(received.path)
        blob = storage.put_overlay(received.path, received.sha256, info.extension)
    finally:
        received.discard()
    return Overlay.create(user=owner, is_system=owner is None, layer=layer, name=name, description=description,
                          alignment=alignment, mime=info.mime, blob=blob, file_size=received.size,
                          width=info.width, height=info.height)


@blp.route("", methods=["POST"])
@require("overlays:write")
@blp.doc(requestBody=UPLOAD_BODY)
@blp.response(200, envelope(OverlaySchema))
def upload_overlay():
    """Upload a PNG, JPEG or WebP image (max 10 MB) to use as bgImageId."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError("no_file", "send the image as a multipart form field named 'file'")
    overlay = store_overlay(upload.stream, upload.filename, request.form, g.user)
    return {"data": overlay_json(overlay)}


@blp.route("", methods=["GET"])
@require("overlays:read")
@blp.response(200, envelope(OverlaySchema, many=True))
def list_overlays():
    """Your overlays and every published system overlay."""
    rows = Overlay.select().where((Overlay.user == g.user) | Overlay.is_system).order_by(Overlay.created_at, Overlay.id)
    return {"data": [overlay_json(o) for o in rows]}


@blp.route("/<overlay_id>", methods=["DELETE"])
@require("overlays:write")
@blp.response(200, DeletedEnvelope)
def delete_overlay(overlay_id):
    """Delete one of your overlays and its image (unless another overlay or an unfinished render uses it)."""
    overlay = Overlay.get_or_none((Overlay.id == overlay_id) & (Overlay.user == g.user))
    if overlay is None:
        raise ApiError("overlay_not_found", f"overlay '{overlay_id[:40]}' not found")
    overlay.delete_instance()
    remove_unused_image(overlay.blob)
    return {"data": {"id": overlay.id, "deleted": True}}


def remove_unused_image(blob: str) -> None:
    path = storage.overlay_path(blob)
    in_use = Overlay.select().where(Overlay.blob == blob).exists() or Render.select().where(
        Render.overlay_files.contains(str(path)) & Render.status.in_(statuses.UNFINISHED)).exists()
    if not in_use:
        path.unlink(missing_ok=True)
