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
from pathlib import Path

from PIL import Image

from dxgl_engine.load.gltf import document_from_gltf
from dxgl_engine.load.gltf.images import KTX2, decode_image, sniff_mime

BASISU = "KHR_texture_basisu"


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def blender_input(model: Path, folder: Path) -> Path:
    """`model` itself when it has no KTX2 image; else a .gltf in `folder` with them as PNG. The
    model is read by dxgl's own container reader (GLB or .gltf, external files, data URIs)."""
    doc = document_from_gltf(model.read_bytes(), model.name, model.parent)
    images = doc.json.get("images", [])
    encoded = [doc.image_bytes(i) for i in range(len(images))]
    ktx2 = [sniff_mime(data) == KTX2 or mime == KTX2 for data, mime in encoded]
    if not any(ktx2) and not any(BASISU in t.get("extensions", {}) for t in doc.json.get("textures", [])):
        return model
    for i, (data, mime) in enumerate(encoded):
        if ktx2[i]:
            rgba, _ = decode_image(data, KTX2, f"images[{i}]")
            png = io.BytesIO()
            Image.fromarray(rgba).save(png, format="PNG")
            data, mime = png.getvalue(), "image/png"
        kept = {k: v for k, v in images[i].items() if k not in ("uri", "bufferView", "mimeType")}
        images[i] = {**kept, "uri": _data_uri(mime or sniff_mime(data) or "image/png", data)}
    for texture in doc.json.get("textures", []):
        basisu = texture.get("extensions", {}).pop(BASISU, None)
        if basisu is not None:
            texture["source"] = basisu["source"]
    for key in ("extensionsUsed", "extensionsRequired"):
        if key in doc.json:
            doc.json[key] = [e for e in doc.json[key] if e != BASISU]
    for buffer, data in zip(doc.json.get("buffers", []), doc.buffers):
        if len(data):  # an unread meshopt fallback stays without bytes, as glTF allows
            buffer["uri"] = _data_uri("application/octet-stream", bytes(data))
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{model.stem}.blender.gltf"
    out.write_text(json.dumps(doc.json))
    return out
