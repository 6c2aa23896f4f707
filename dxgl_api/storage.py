"""Files on disk under the storage directory (shared by every web and worker host).

    blobs/ab/<sha256>.glb        models, content-addressed (a re-upload costs no space)
    overlays/<sha256>.<ext>      overlay images, content-addressed
    renders/ab/<renderId>/       a render's outputs: video.mp4|.mov and the engine's siblings
    tmp/                         uploads and downloads being received

Everything is written under a temporary name and renamed into place.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dxgl_engine import VideoPaths

from . import config
from .errors import ApiError

CHUNK = 1 << 20


def root() -> Path:
    return Path(config.active().storage_dir)


def tmp_dir() -> Path:
    path = root() / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- models ------------------------------------------------------------------------------------
def blob_path(digest: str) -> Path:
    return root() / "blobs" / digest[:2] / f"{digest}.glb"


def put_blob(data: bytes) -> str:
    """Store GLB bytes under their SHA-256 and return it."""
    digest = hashlib.sha256(data).hexdigest()
    target = blob_path(digest)
    if not target.exists():
        _write_atomic(target, data)
    return digest


# --- overlays ----------------------------------------------------------------------------------
def overlay_path(name: str) -> Path:
    return root() / "overlays" / name


def put_overlay(src: Path, digest: str, extension: str) -> str:
    """Move a received image into place under its SHA-256; returns its stored file name."""
    name = f"{digest}{extension}"
    target = overlay_path(name)
    if target.exists():
        src.unlink(missing_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, target)
    return name


# --- renders -----------------------------------------------------------------------------------
def render_dir(render_id: str) -> Path:
    return root() / "renders" / render_id[:2] / render_id


def render_paths(render_id: str, video_name: str) -> VideoPaths:
    """The engine's file names for a render whose main output is `video_name`."""
    return VideoPaths.beside(render_dir(render_id) / video_name)


def web_variant(paths: VideoPaths) -> Path:
    """The web-optimised MP4 beside a video: the engine's name for it where it has one, else
    `<video>.web.mp4`, so `hasWebVariant` turns true by itself once the engine writes it."""
    named = getattr(paths, "web", None)
    if named is not None:
        return Path(named)
    return paths.video.with_name(paths.video.stem + ".web.mp4")


def remove_partial_outputs(render_id: str) -> None:
    """Leftovers of a worker that died mid-job (the engine's hidden `.name.part-*` files)."""
    folder = render_dir(render_id)
    if folder.is_dir():
        for path in folder.glob(".*.part-*"):
            path.unlink(missing_ok=True)


def delete_render_files(render_id: str) -> None:
    shutil.rmtree(render_dir(render_id), ignore_errors=True)


# --- receiving ---------------------------------------------------------------------------------
@dataclass
class Received:
    """A file received into a private folder under tmp/ (so a .gltf's relative URIs can reach
    nothing else): where it is, its SHA-256 and size. Remove with `discard()`."""

    path: Path
    sha256: str
    size: int

    def renamed(self, name: str) -> "Received":
        target = self.path.with_name(name)
        os.replace(self.path, target)
        return Received(target, self.sha256, self.size)

    def discard(self) -> None:
        shutil.rmtree(self.path.parent, ignore_errors=True)


def receive(stream: BinaryIO, suffix: str, max_bytes: int) -> Received:
    """Copy `stream` into its own folder under tmp/, hashing as it goes; file_too_large past
    `max_bytes`."""
    digest = hashlib.sha256()
    size = 0
    folder = Path(tempfile.mkdtemp(dir=tmp_dir(), prefix="in-"))
    path = folder / f"upload{suffix}"
    try:
        with open(path, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise ApiError("file_too_large", f"file exceeds the {size_text(max_bytes)} limit")
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Received(path, digest.hexdigest(), size)


def size_text(n: int) -> str:
    return f"{n / (1 << 20):g} MB" if n >= 1 << 20 else f"{n} byte"


def _write_atomic(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
