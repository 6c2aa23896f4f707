"""A model file in (uploaded or downloaded): deduplicated by SHA-256, converted to one
self-contained GLB (OBJ scan ZIPs included), fully validated by the engine's reader, stored by
content, and given its requested render plus a free system preview.

Conversion and validation run here, in the web process: they need no GL context and a broken
file is best refused while the client is still waiting.
"""
from __future__ import annotations

import logging
from pathlib import PurePosixPath
from typing import Any

import peewee as pw

from dxgl_engine import DxglError, Scene, convert_to_glb, load_glb_bytes

from . import config, jobs, render_requests, storage
from .db import write_transaction
from .errors import ApiError
from .render_requests import RenderRequest
from .tables import Model3D, User

log = logging.getLogger(__name__)

UPLOAD_SUFFIXES = (".glb", ".gltf", ".zip")
INGEST_SUFFIXES = (".glb", ".gltf")


def check_suffix(name: str, accepted: tuple[str, ...] = UPLOAD_SUFFIXES) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in accepted:
        shown = f"'{suffix}'" if suffix else "(no extension)"
        raise ApiError("invalid_format", f"unsupported file type {shown}: expected {', '.join(accepted)}")
    return suffix


def sniff_suffix(received: storage.Received, url_name: str) -> str:
    """The model type of a downloaded file, from its first bytes (servers often say nothing useful)."""
    with open(received.path, "rb") as f:
        head = f.read(64)
    if head.startswith(b"glTF"):
        return ".glb"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return ".gltf"
    if head.startswith(b"PK"):
        raise ApiError("invalid_format", "URL ingest supports GLB/glTF only; upload OBJ scan ZIPs as a file")
    return check_suffix(url_name, INGEST_SUFFIXES)


def clean_name(name: str | None, fallback: str = "model.glb") -> str:
    base = PurePosixPath((name or "").replace("\\", "/")).name.strip()
    return base[:255] or fallback


def take_model(user: User, received: storage.Received, original_name: str, raw_settings: Any) -> dict:
    """The upload response: {modelId, renderId, duplicate[, previewRenderId]}."""
    settings, overlay_files = render_requests.parse_settings(raw_settings, user)
    existing = _live_model(user, received.sha256)
    if existing is not None:
        return _duplicate(user, existing, settings, overlay_files)
    _check_upload_limit(user)
    request = RenderRequest(None, settings, overlay_files)  # model set once it exists
    render_requests.check_affordable(user, [request])
    glb, scene = _validated_glb(received, original_name)
    render_requests.check_for_model(settings, scene)  # its clip or variant: before anything is stored
    blob = storage.put_blob(glb)
    try:
        with write_transaction():
            model = Model3D.create(user=user, original_name=original_name, file_size=len(glb),
                                   sha256=received.sha256, blob=blob)
            request.model = model
            rows = render_requests.insert(user, [request], preview_of=model,
                                          preview_settings=jobs.preview_settings(settings))
    except pw.IntegrityError:  # the same file uploaded concurrently: the other request made the model
        existing = _live_model(user, received.sha256)
        if existing is None:
            raise
        return _duplicate(user, existing, settings, overlay_files)
    jobs.enqueue(rows)
    preview, render = rows
    return {"modelId": model.id, "renderId": render.id, "duplicate": False, "previewRenderId": preview.id}


def _duplicate(user: User, model: Model3D, settings, overlay_files) -> dict:
    render_requests.ModelScenes().check(model, settings)
    render = render_requests.create(user, [RenderRequest(model, settings, overlay_files)])[0]
    return {"modelId": model.id, "renderId": render.id, "duplicate": True}


def _live_model(user: User, sha256: str) -> Model3D | None:
    return Model3D.get_or_none((Model3D.user == user) & (Model3D.sha256 == sha256) & Model3D.deleted_at.is_null())


def _check_upload_limit(user: User) -> None:
    limit = config.active().free_upload_limit
    if user.is_admin or user.plan != "free" or limit <= 0:
        return
    held = Model3D.select().where((Model3D.user == user) & Model3D.deleted_at.is_null()).count()
    if held >= limit:
        raise ApiError("upload_limit", f"free accounts may hold {limit} models; delete some or add credits")


def _validated_glb(received: storage.Received, original_name: str) -> tuple[bytes, Scene]:
    """The GLB to store and the scene it reads as (invalid_format when the reader refuses it)."""
    try:
        glb = convert_to_glb(received.path)
        scene = load_glb_bytes(glb, original_name)
    except DxglError as err:  # InvalidFormat, or anything else the reader refuses
        raise ApiError("invalid_format", f"{original_name}: {err}") from None
    return glb, scene
