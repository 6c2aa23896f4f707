"""Texture images: encoded bytes to RGBA8 arrays. PNG, JPEG, WebP and AVIF through Pillow; KTX2
(KHR_texture_basisu) through ktx2.py.

Other GPU containers (DDS, bare .basis files) cannot be decoded here: a model whose textures need
one is refused with the format named, never rendered untextured in silence. Anything else that
fails to decode is a broken file.
"""
from __future__ import annotations

import io
import warnings as pywarnings

import numpy as np
from PIL import Image as PILImage

from ...errors import InvalidFormat
from .ktx2 import decode_ktx2

MAX_PIXELS = 8192 * 8192
# GPU containers dxgl cannot decode, and the glTF extension that carries each.
UNDECODABLE = {"image/vnd-ms.dds": "DDS (MSFT_texture_dds)", "image/basis": "Basis (a .basis file, not KTX2)"}
KTX2 = "image/ktx2"
_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\xabKTX 20\xbb\r\n\x1a\n", KTX2),
    (b"DDS ", "image/vnd-ms.dds"),
    (b"sB\x00\x00", "image/basis"),
]


def sniff_mime(data: bytes) -> str:
    """The image type its first bytes announce, or ''."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"avif", b"avis"):
        return "image/avif"
    return ""


def decode_image(data: bytes, declared_mime: str, where: str) -> tuple[np.ndarray, str]:
    """((H, W, 4) uint8 RGBA, mime type). Raises InvalidFormat naming the container for GPU
    formats dxgl cannot decode, and InvalidFormat("images[2]: cannot decode image/png: ...") for
    broken data."""
    mime = sniff_mime(data) or declared_mime
    if mime in UNDECODABLE or declared_mime in UNDECODABLE:
        kind = UNDECODABLE.get(mime) or UNDECODABLE[declared_mime]
        raise InvalidFormat(f"{where}: {kind} texture images cannot be decoded by dxgl; "
                            "convert the textures to PNG, JPEG, WebP or KTX2")
    if mime == KTX2:
        return decode_ktx2(data, where, MAX_PIXELS), KTX2
    label = declared_mime or mime or "image"
    try:
        with pywarnings.catch_warnings():
            pywarnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > MAX_PIXELS:
                    raise InvalidFormat(f"{where}: {width}x{height} image exceeds the {MAX_PIXELS:,}-pixel limit")
                img.load()
                return _to_rgba(img), mime or PILImage.MIME.get(img.format or "", "")
    except InvalidFormat:
        raise
    except Exception as err:  # Pillow raises many types (OSError, SyntaxError, ValueError...)
        raise InvalidFormat(f"{where}: cannot decode {label}: {err}") from None


def _to_rgba(img: PILImage.Image) -> np.ndarray:
    """RGBA8; 16-bit and 32-bit integer greyscale is scaled down rather than clipped."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        grey = np.asarray(img, dtype=np.float64)
        peak = 65535.0 if img.mode.startswith("I;16") or grey.max(initial=0) > 255 else 255.0
        img = PILImage.fromarray(np.clip(grey * (255.0 / peak) + 0.5, 0, 255).astype(np.uint8), "L")
    if img.mode != "RGBA":
        img = img.convert("RGBA")
    return np.ascontiguousarray(np.asarray(img, dtype=np.uint8))
