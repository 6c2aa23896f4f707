"""The model as Blender's glTF importer can read it: KTX2 textures decoded to PNG.

Blender 5.0's importer reads PNG and JPEG (and WebP) images only: a KTX2 texture, referenced
directly (AnisotropyBarnLamp's R8G8B8 under Zstandard) or through KHR_texture_basisu, is dropped
and the material renders untextured, which made the Cycles reference of such a model wrong, not
dxgl. This writes a self-contained .gltf copy for the reference job: every KTX2 image decoded by
dxgl's own KTX2 reader (the texels are the file's; the shading is Blender's) and stored as PNG,
textures pointed at it, KHR_texture_basisu dropped, buffers and images embedded as data URIs
(glTF 2.0 section 3.9.3). Models without KTX2 are passed through unchanged.
"""
from __future__ import annotations

import base64
import io
import json
import struct
from pathlib import Path
from urllib.parse import unquote

from PIL import Image

from dxgl_engine.load.gltf.images import KTX2, decode_image, sniff_mime

BASISU = "KHR_texture_basisu"
_GLB_MAGIC = b"glTF"


def _read(model: Path) -> tuple[dict, bytes | None]:
    """(glTF JSON, the GLB's BIN chunk or None) of a .gltf or .glb file."""
    data = model.read_bytes()
    if not data.startswith(_GLB_MAGIC):
        return json.loads(data), None
    offset, doc, binary = 12, None, None
    while offset + 8 <= len(data):
        length, kind = struct.unpack_from("<II", data, offset)
        chunk = data[offset + 8:offset + 8 + length]
        if kind == 0x4E4F534A:  # JSON
            doc = json.loads(chunk)
        elif kind == 0x004E4942:  # BIN
            binary = chunk
        offset += 8 + length
    return doc, binary


def _buffer_bytes(doc: dict, index: int, model: Path, binary: bytes | None) -> bytes:
    uri = doc["buffers"][index].get("uri")
    if uri is None:
        return binary or b""
    if uri.startswith("data:"):
        return base64.b64decode(uri.split(",", 1)[1])
    return (model.parent / unquote(uri)).read_bytes()


def _image_bytes(doc: dict, image: dict, model: Path, binary: bytes | None) -> bytes:
    if "uri" in image:
        uri = image["uri"]
        if uri.startswith("data:"):
            return base64.b64decode(uri.split(",", 1)[1])
        return (model.parent / unquote(uri)).read_bytes()
    view = doc["bufferViews"][image["bufferView"]]
    buf = _buffer_bytes(doc, view["buffer"], model, binary)
    start = view.get("byteOffset", 0)
    return buf[start:start + view["byteLength"]]


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def blender_input(model: Path, folder: Path) -> Path:
    """`model` itself when it has no KTX2 image; else a .gltf in `folder` with them as PNG."""
    doc, binary = _read(model)
    images = doc.get("images", [])
    raw = [_image_bytes(doc, im, model, binary) for im in images]
    ktx2 = [sniff_mime(b) == KTX2 or im.get("mimeType") == KTX2 for im, b in zip(images, raw)]
    if not any(ktx2) and not any(BASISU in t.get("extensions", {}) for t in doc.get("textures", [])):
        return model
    for i, (im, data) in enumerate(zip(images, raw)):
        if ktx2[i]:
            rgba, _ = decode_image(data, KTX2, f"images[{i}]")
            png = io.BytesIO()
            Image.fromarray(rgba).save(png, format="PNG")
            data, mime = png.getvalue(), "image/png"
        else:
            mime = im.get("mimeType") or sniff_mime(data) or "image/png"
        images[i] = {k: v for k, v in im.items() if k not in ("uri", "bufferView", "mimeType")}
        images[i]["uri"] = _data_uri(mime, data)
    for texture in doc.get("textures", []):
        basisu = texture.get("extensions", {}).pop(BASISU, None)
        if basisu is not None:
            texture["source"] = basisu["source"]
    for key in ("extensionsUsed", "extensionsRequired"):
        if key in doc:
            doc[key] = [e for e in doc[key] if e != BASISU]
    for i in range(len(doc.get("buffers", []))):
        doc["buffers"][i]["uri"] = _data_uri("application/octet-stream", _buffer_bytes(doc, i, model, binary))
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{model.stem}.blender.gltf"
    out.write_text(json.dumps(doc))
    return out
