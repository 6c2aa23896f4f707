"""/v1/renders/:id/{video,poster,thumb,bundle}: a finished render's files, streamed from disk
(Range requests for the videos), and all of them as one ZIP streamed as it is built."""
from __future__ import annotations

import json

from flask import Response, request, send_file
from marshmallow import fields, validate
from zipstream import ZipStream

from .. import statuses, storage
from ..auth import require
from ..errors import ApiError
from ..extensions import Blueprint, Schema
from ..schemas import iso
from ..tables import Render
from .renders import RENDER, owned_render, render_json

blp = Blueprint("assets", __name__, url_prefix="/v1/renders", description="Assets: a finished render's files")

IMMUTABLE = "private, max-age=31536000, immutable"
VIDEO_TYPES = {".mp4": "video/mp4", ".mov": "video/quicktime", ".zip": "application/zip"}  # .zip: a dataset


def _binary(*types: str, partial: bool = False) -> dict:
    content = {t: {"schema": {"type": "string", "format": "binary"}} for t in types}
    out = {"200": {"description": "The file", "content": content}}
    if partial:
        out["206"] = {"description": "The requested byte range", "content": content}
    return {"responses": out}


class VideoArgs(Schema):
    quality = fields.String(validate=validate.OneOf(["web"]),
                            metadata={"description": "'web' for the lighter web-optimised MP4 (when available)"})


class PosterArgs(Schema):
    quality = fields.String(validate=validate.OneOf(["full"]),
                            metadata={"description": "'full' for the full-resolution PNG"})


def _finished(render_id: str, missing: str):
    render = owned_render(render_id)
    if render.status != statuses.DONE or not render.video_name:
        raise ApiError(missing, f"{ApiError(missing).message} (render status: {render.status})")
    return render, storage.render_paths(render.id, render.video_name)


def _send(path, mimetype: str, missing: str, download_name: str) -> Response:
    if not path.is_file():
        raise ApiError(missing)
    return send_file(path, mimetype=mimetype, conditional=True, download_name=download_name, etag=True)


@blp.route(RENDER + "/video", methods=["GET"])
@require("renders:read")
@blp.arguments(VideoArgs, location="query")
@blp.doc(**_binary("video/mp4", "video/quicktime", partial=True))
def video(args, render_id):
    """The video (MP4, or ProRes .mov for pro); Range requests supported."""
    render, paths = _finished(render_id, "video_not_found")
    path = paths.video
    if args.get("quality") == "web":
        web = storage.web_variant(paths)
        path = web if web.is_file() else path
    return _send(path, VIDEO_TYPES.get(path.suffix, "video/mp4"), "video_not_found", f"{render.id}{path.suffix}")


@blp.route(RENDER + "/poster", methods=["GET"])
@require("renders:read")
@blp.arguments(PosterArgs, location="query")
@blp.doc(**_binary("image/png"))
def poster(args, render_id):
    """The first frame as PNG: small by default, native size with quality=full."""
    render, paths = _finished(render_id, "poster_not_found")
    path = paths.poster if args.get("quality") == "full" else paths.poster_small
    return _send(path, "image/png", "poster_not_found", f"{render.id}.poster.png")


@blp.route(RENDER + "/thumb", methods=["GET"])
@require("renders:read")
@blp.doc(**_binary("video/mp4", partial=True))
def thumb(render_id):
    """The quarter-resolution MP4 thumbnail; Range requests supported."""
    render, paths = _finished(render_id, "thumb_not_found")
    return _send(paths.thumb, "video/mp4", "thumb_not_found", f"{render.id}.thumb.mp4")


@blp.route(RENDER + "/bundle", methods=["GET"])
@require("renders:read")
@blp.doc(**_binary("application/zip"))
def bundle(render_id):
    """Every file of the render as one ZIP, streamed (nothing is built in memory or on disk)."""
    render, paths = _finished(render_id, "video_not_found")
    if not paths.video.is_file():
        raise ApiError("video_not_found")
    zs = ZipStream(sized=True)
    zs.add_path(str(paths.video), f"video{paths.video.suffix}")
    web = storage.web_variant(paths)
    for path, name in ((web, "video.web.mp4"), (paths.poster, "poster.png"),
                       (paths.poster_small, "poster-small.png"), (paths.thumb, "thumb.mp4")):
        if path.is_file():
            zs.add_path(str(path), name)
    zs.add(json.dumps(_manifest(render), indent=2).encode(), "render.json")
    headers = {
        "Content-Length": str(len(zs)),
        "Content-Disposition": f'attachment; filename="{render.id}.zip"',
        "Cache-Control": IMMUTABLE,
        "ETag": f'"{render.id}-{render.file_size}"',
    }
    if request.method == "HEAD":
        return Response(status=200, mimetype="application/zip", headers=headers)
    return Response(iter(zs), mimetype="application/zip", headers=headers, direct_passthrough=True)


def _manifest(render: Render) -> dict:
    out = render_json(render)
    out.update(createdAt=iso(render.created_at), updatedAt=iso(render.updated_at))
    return out
