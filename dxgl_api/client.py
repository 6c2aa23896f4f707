"""Python client for a dxgl /v1 server (self-hosted or the hosted service).

    from dxgl_api.client import Client

    api = Client("http://127.0.0.1:8000/v1", "dxgl_sk_…")   # or $DXGL_API_URL / $DXGL_TOKEN
    up = api.upload("chair.glb", {"aspect": "16:9", "length": 6})
    api.wait(up["renderId"])                                  # polls, with a progress bar
    api.download(up["renderId"], "chair.mp4")

Failures raise `ApiError` subclasses chosen by HTTP status, each carrying the envelope's `code`,
`message` and `status`; a render that ends in error raises `RenderError` from `wait`. Only
`requests` and `tqdm` are needed, so scripts, notebooks and the desktop app can all use it.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import requests

DEFAULT_URL = "http://127.0.0.1:8000/v1"
CHUNK = 1 << 20
FINISHED = ("done", "error", "failed")


class ApiError(Exception):
    """An error answer from the API: `code` is the envelope's machine code."""

    def __init__(self, code: str, message: str, status: int, response: requests.Response | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.response = response


class BadRequest(ApiError):
    """400: invalid_format, invalid_settings, file_too_large, no_file, invalid_url, …"""


class Unauthorized(ApiError):
    """401: unauthorized or token_expired."""


class NoCredits(ApiError):
    """402: not enough credits."""


class Forbidden(ApiError):
    """403: account suspended or token lacks a scope."""


class NotFound(ApiError):
    """404: model, render, overlay, file or asset not found (or not yet available)."""


class DownloadTimeout(ApiError):
    """408: the server's download of an ingest URL timed out."""


class Conflict(ApiError):
    """409: the render's status does not allow the action."""


class UploadLimit(ApiError):
    """429: the free upload limit is reached."""


class ServerError(ApiError):
    """5xx: the server failed."""


class RenderError(ApiError):
    """A render ended in error; `render` holds its last state (errorMessage included)."""

    def __init__(self, render: dict):
        super().__init__("render_failed", render.get("errorMessage") or "render failed", 200)
        self.render = render


class WaitTimeout(ApiError, TimeoutError):
    """`wait` gave up before the render finished."""


_BY_STATUS = {400: BadRequest, 401: Unauthorized, 402: NoCredits, 403: Forbidden, 404: NotFound,
              408: DownloadTimeout, 409: Conflict, 429: UploadLimit}


def error_from(response: requests.Response) -> ApiError:
    """The typed error for an error response (any body; the envelope when there is one)."""
    status = response.status_code
    try:
        err = response.json()["error"]
        code, message = err["code"], err["message"]
    except (ValueError, KeyError, TypeError):
        code, message = ("internal" if status >= 500 else f"http_{status}"), response.reason or "error"
    cls = ServerError if status >= 500 else _BY_STATUS.get(status, ApiError)
    return cls(code, message, status, response)


@dataclass
class Page:
    """One page of a list: `data` and `meta` ({total, offset, limit})."""

    data: list[dict]
    meta: dict

    def __iter__(self):
        return iter(self.data)

    def __len__(self):
        return len(self.data)


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class Client:
    def __init__(self, base_url: str | None = None, token: str | None = None, *, timeout: float = 120.0,
                 session: requests.Session | None = None):
        self.base_url = (base_url or os.environ.get("DXGL_API_URL") or DEFAULT_URL).rstrip("/")
        self.token = token or os.environ.get("DXGL_TOKEN")
        self.timeout = timeout
        self.session = session or requests.Session()

    # --- plumbing ------------------------------------------------------------------------------
    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        """One call; raises the typed ApiError on any error status."""
        headers = kwargs.pop("headers", {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        kwargs.setdefault("timeout", self.timeout)
        response = self.session.request(method, f"{self.base_url}{path}", headers=headers, **kwargs)
        if response.status_code >= 400:
            raise error_from(response)
        return response

    def _data(self, method: str, path: str, **kwargs) -> Any:
        return self.request(method, path, **kwargs).json()["data"]

    def _page(self, path: str, params: dict) -> Page:
        body = self.request("GET", path, params={k: v for k, v in params.items() if v is not None}).json()
        return Page(body["data"], body["meta"])

    # --- models --------------------------------------------------------------------------------
    def upload(self, path: str | os.PathLike, settings: dict | None = None, *, preflight: bool = True) -> dict:
        """Upload a .glb/.gltf/.zip and queue its render: {modelId, renderId, duplicate, …}.

        With `preflight`, a file the account already has is not sent again: its model gets the render."""
        path = Path(path)
        if preflight:
            found = self.check_hash(file_sha256(path))
            if found["exists"]:
                render = self.render(found["modelId"], settings)
                return {"modelId": found["modelId"], "renderId": render["id"], "duplicate": True}
        form = {"renderSettings": json.dumps(settings)} if settings else {}
        with open(path, "rb") as f:
            return self._data("POST", "/models", files={"file": (path.name, f)}, data=form)

    def ingest(self, url: str, settings: dict | None = None) -> dict:
        """Have the server download a .glb/.gltf from `url` and treat it as an upload."""
        payload: dict = {"url": url}
        if settings:
            payload["renderSettings"] = settings
        return self._data("POST", "/models/ingest", json=payload)

    def check_hash(self, sha256_or_path: str | os.PathLike) -> dict:
        value = str(sha256_or_path)
        digest = value if len(value) == 64 and not Path(value).exists() else file_sha256(value)
        return self._data("POST", "/models/check-hash", json={"sha256": digest})

    def models(self, *, limit: int = 50, offset: int = 0, tags: list[str] | None = None,
               archived: bool = False) -> Page:
        params = {"limit": limit, "offset": offset, "tags": ",".join(tags) if tags else None,
                  "archived": "true" if archived else None}
        return self._page("/models", params)

    def iter_models(self, *, tags: list[str] | None = None, archived: bool = False) -> Iterator[dict]:
        """Every model, page after page."""
        offset = 0
        while True:
            page = self.models(limit=100, offset=offset, tags=tags, archived=archived)
            yield from page.data
            offset += len(page.data)
            if not page.data or offset >= page.meta["total"]:
                return

    def model(self, model_id: str) -> dict:
        return self._data("GET", f"/models/{model_id}")

    def update_model(self, model_id: str, **fields) -> dict:
        """title=, sku=, tags= (only those given change)."""
        return self._data("PATCH", f"/models/{model_id}", json=fields)

    def archive(self, model_id: str) -> dict:
        return self._data("PATCH", f"/models/{model_id}/archive")

    def unarchive(self, model_id: str) -> dict:
        return self._data("PATCH", f"/models/{model_id}/unarchive")

    def delete_model(self, model_id: str) -> dict:
        return self._data("DELETE", f"/models/{model_id}")

    def download_model(self, model_id: str, dest: str | os.PathLike) -> Path:
        return self._save(f"/models/{model_id}/file", dest, f"{model_id}.glb", {})

    # --- renders -------------------------------------------------------------------------------
    def render(self, model_id: str, settings: dict | None = None) -> dict:
        payload: dict = {"modelId": model_id}
        if settings:
            payload["renderSettings"] = settings
        return self._data("POST", "/renders", json=payload)

    def batch(self, items: list[dict]) -> list[dict]:
        """Up to 100 {modelId, renderSettings} items, paid all or nothing."""
        return self._data("POST", "/renders/batch", json={"renders": items})

    def quote(self, items: list[dict]) -> dict:
        """Credits for a list of renderSettings: {creditsRequired, creditsAvailable, sufficient, breakdown}."""
        return self._data("POST", "/quote", json={"renders": items})

    def get_render(self, render_id: str) -> dict:
        return self._data("GET", f"/renders/{render_id}")

    def renders(self, *, model: str | None = None, status: str | None = None, limit: int = 50,
                offset: int = 0) -> Page:
        return self._page("/renders", {"model": model, "status": status, "limit": limit, "offset": offset})

    def dismiss(self, render_id: str) -> dict:
        return self._data("PATCH", f"/renders/{render_id}/dismiss")

    def delete_render(self, render_id: str) -> dict:
        return self._data("DELETE", f"/renders/{render_id}")

    def wait(self, render_id: str, *, poll: float = 2.0, timeout: float | None = None,
             progress: bool | None = None) -> dict:
        """Poll until the render is done (returned) or ends in error (RenderError).

        `progress`: a tqdm bar on stderr (None: only when stderr is a terminal)."""
        from tqdm import tqdm

        deadline = None if timeout is None else time.monotonic() + timeout
        with tqdm(total=100, desc=render_id, unit="%", disable=None if progress is None else not progress,
                  leave=False, bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}") as bar:
            while True:
                render = self.get_render(render_id)
                bar.set_postfix_str(render["status"], refresh=False)
                bar.update(round(100 * render.get("progress", 0.0)) - bar.n)
                if render["status"] == "done":
                    return render
                if render["status"] in ("error", "failed"):
                    raise RenderError(render)
                if deadline is not None and time.monotonic() > deadline:
                    raise WaitTimeout("wait_timeout", f"render {render_id} is still {render['status']}", 0)
                time.sleep(poll)

    def download(self, render_id: str, dest: str | os.PathLike, *, asset: str = "video",
                 quality: str | None = None) -> Path:
        """Stream an asset (video, poster, thumb or bundle) to `dest` (a file, or a folder to put it in)."""
        if asset not in ("video", "poster", "thumb", "bundle"):
            raise ValueError("asset must be video, poster, thumb or bundle")
        params = {"quality": quality} if quality else {}
        default = {"video": ".mp4", "poster": ".png", "thumb": ".thumb.mp4", "bundle": ".zip"}[asset]
        return self._save(f"/renders/{render_id}/{asset}", dest, f"{render_id}{default}", params)

    # --- overlays and account ------------------------------------------------------------------
    def upload_overlay(self, path: str | os.PathLike, **fields) -> dict:
        """A PNG/JPEG/WebP overlay; fields: layer, name, description, alignment."""
        path = Path(path)
        with open(path, "rb") as f:
            return self._data("POST", "/overlays", files={"file": (path.name, f)}, data=fields)

    def overlays(self) -> list[dict]:
        return self._data("GET", "/overlays")

    def delete_overlay(self, overlay_id: str) -> dict:
        return self._data("DELETE", f"/overlays/{overlay_id}")

    def account(self) -> dict:
        return self._data("GET", "/account")

    def health(self) -> dict:
        return self._data("GET", "/health")

    # --- files ---------------------------------------------------------------------------------
    def _save(self, path: str, dest: str | os.PathLike, default_name: str, params: dict) -> Path:
        dest = Path(dest)
        with self.request("GET", path, params=params, stream=True) as response:
            if dest.is_dir():
                dest = dest / (_attachment_name(response) or default_name)
            part = dest.with_name(f".{dest.name}.part")
            try:
                with open(part, "wb") as out:
                    for chunk in response.iter_content(CHUNK):
                        out.write(chunk)
                os.replace(part, dest)
            finally:
                part.unlink(missing_ok=True)
        return dest


def _attachment_name(response: requests.Response) -> str | None:
    header = response.headers.get("Content-Disposition", "")
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == "filename" and value:
            return Path(value.strip('"')).name
    return None
