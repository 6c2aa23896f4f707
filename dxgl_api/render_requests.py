"""Turning a request for renders into queued, paid-for render rows.

Settings are validated by the engine (`Settings.from_json`, with the account's length limit);
`bgImageId` must name one of the caller's overlays or a system overlay; an animation clip or material
variant must be one the model has (`ModelScenes`, the engine's `check_model_settings`). Rows and
credits are written in the caller's transaction; the jobs are queued only after it commits.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from dxgl_engine import (
    ADMIN_MAX_LENGTH,
    MAX_LENGTH,
    DxglError,
    InvalidSettings,
    Scene,
    Settings,
    check_model_settings,
    names_model_parts,
)

from . import credits, jobs, storage
from .db import write_transaction
from .errors import ApiError
from .tables import Model3D, Overlay, Render, User

MAX_BATCH = 100


def batch_items(items: list, holds: str) -> list:
    """The `renders` array of a batch or a quote: one to MAX_BATCH items (`holds` names the
    request in the error, e.g. "a batch holds")."""
    if not items:
        raise ApiError("renders_required", "renders must be a non-empty array")
    if len(items) > MAX_BATCH:
        raise ApiError("too_many", f"{holds} at most {MAX_BATCH} renders; this one has {len(items)}")
    return items


@dataclass
class RenderRequest:
    model: Model3D
    settings: Settings
    overlay_files: dict[str, str] | None = None


def max_length_for(user: User) -> float:
    return ADMIN_MAX_LENGTH if user.is_admin else MAX_LENGTH


def parse_settings(raw: Any, user: User, where: str = "renderSettings") -> tuple[Settings, dict[str, str]]:
    """Validated Settings (from an object, or a JSON string as multipart uploads send it) and the
    files of the overlays it names ({"bgImageId": path}; the engine's fgImageId likewise)."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else None
        except json.JSONDecodeError as err:
            raise ApiError("invalid_settings", f"{where} is not valid JSON: {err.msg} at character {err.pos}") from None
    try:
        settings = Settings.from_json(raw, max_length=max_length_for(user))
    except InvalidSettings as err:
        raise ApiError("invalid_settings", f"{where}: {err}") from None
    files = {}
    for key, overlay_id in settings.to_json(full=True).items():
        if key.endswith("ImageId") and overlay_id:
            overlay = visible_overlay(user, overlay_id)
            if overlay is None:
                raise ApiError("invalid_settings", f"{where}: {key} '{overlay_id}' is not one of your overlays "
                                                   "or a system overlay")
            files[key] = str(storage.overlay_path(overlay.blob))
    return settings, files


def check_for_model(settings: Settings, scene: Scene, where: str = "renderSettings") -> None:
    """invalid_settings (400) when `settings` name an animation clip or a material variant that `scene`
    lacks; the engine's message lists what the model has."""
    try:
        check_model_settings(scene, settings)
    except InvalidSettings as err:
        raise ApiError("invalid_settings", f"{where}: {err}") from None


class ModelScenes:
    """Stored models read for `check_for_model`, each at most once per request and only for settings
    that name a part of a model: reading one (its textures too) costs what an upload's validation does,
    so renders that name no clip or variant cost nothing more."""

    def __init__(self):
        self._scenes: dict[str, Scene | None] = {}

    def check(self, model: Model3D, settings: Settings, where: str = "renderSettings") -> None:
        """`check_for_model` against the stored `model`. A model that cannot be read from storage is not
        judged here: its render fails in the worker with the reason, as it always has."""
        if not names_model_parts(settings):
            return
        if model.id not in self._scenes:
            try:
                self._scenes[model.id] = jobs.load_scene(model)
            except (DxglError, OSError):
                self._scenes[model.id] = None
        scene = self._scenes[model.id]
        if scene is not None:
            check_for_model(settings, scene, where)


def visible_overlay(user: User, overlay_id: str) -> Overlay | None:
    return Overlay.get_or_none((Overlay.id == overlay_id) & ((Overlay.user == user) | Overlay.is_system))


def owned_model(user: User, model_id: Any) -> Model3D:
    """The caller's live model; another account's id answers exactly like a missing one."""
    model = None
    if isinstance(model_id, str):
        model = Model3D.get_or_none((Model3D.id == model_id) & (Model3D.user == user) & Model3D.deleted_at.is_null())
    if model is None:
        raise ApiError("model_not_found", f"model '{str(model_id)[:40]}' not found")
    return model


def insert(user: User, requests: list[RenderRequest], *, preview_of: Model3D | None = None,
           preview_settings: Settings | None = None) -> list[Render]:
    """Render rows for `requests` (and a free system preview of `preview_of`) with their credits
    taken, all or nothing. Call inside a write transaction; queue the result after commit."""
    rows = []
    if preview_of is not None:
        settings = preview_settings or jobs.preview_settings(Settings())
        rows.append(_row(user, RenderRequest(preview_of, settings), preview=True))
    paid = [_row(user, request) for request in requests]
    credits.spend(user.id, [(r.id, r.credits) for r in paid])
    return rows + paid


def create(user: User, requests: list[RenderRequest]) -> list[Render]:
    """Create, charge and queue renders for existing models."""
    with write_transaction():
        rows = insert(user, requests)
    jobs.enqueue(rows)
    return rows


def check_affordable(user: User, requests: list[RenderRequest]) -> None:
    """An early no_credits before expensive work; `credits.spend` is the authoritative check."""
    needed = sum(r.settings.credits for r in requests)
    balance = User.get_by_id(user.id).credits
    if needed > balance:
        raise ApiError("no_credits", f"this needs {needed} credit{'s' * (needed != 1)}; the account has {balance}")


def _row(user: User, request: RenderRequest, preview: bool = False) -> Render:
    settings = request.settings
    extension = ".zip" if settings.is_dataset else settings.tier.extension
    return Render.create(
        user=user,
        model=request.model,
        settings=settings.to_json(full=True),
        credits=0 if preview else settings.credits,
        is_system_preview=preview,
        overlay_files=request.overlay_files or None,
        video_name=("dataset" if settings.is_dataset else "video") + extension,
    )
