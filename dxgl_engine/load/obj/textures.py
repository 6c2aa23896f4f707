"""The texture files of a scan, embedded in the converted GLB as glTF allows (PNG or JPEG).

PNG and baseline JPEG go in byte for byte (decoded by nobody here; EXIF orientation stays
metadata: glTF 2.0 places the first stored pixel at uv (0, 0), and so do the other converters).
What a browser or glTF viewer cannot show is converted once: CMYK JPEGs to RGB JPEG, other formats
(TGA, BMP, TIFF, WebP...) to PNG. A bump map that is a height map (one channel, or grey) becomes a
normal map; one that already holds normals goes in as it is.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from ...errors import InvalidFormat
from ..gltf.writer import GlbWriter
from .files import FileIndex

# The relief a full black-to-white height step gives, as a share of the texture's width: subtle, as
# scanner and game bump maps are meant (1 % of the width; -bm scales it).
BUMP_RELIEF = 0.01
JPEG_QUALITY = 95


@dataclass
class TextureFiles:
    """Images added to `writer`, each file once per use ("color" or "normal")."""

    writer: GlbWriter
    files: FileIndex | None
    warnings: list[str] = field(default_factory=list)
    _added: dict[tuple[str, str], int] = field(default_factory=dict)

    def color(self, rel: str) -> int:
        """The image index of a colour texture file."""
        key = (rel, "color")
        if key not in self._added:
            data, mime = self._web_image(rel)
            self._added[key] = self.writer.image(data, mime, rel.rsplit("/", 1)[-1])
        return self._added[key]

    def normal(self, rel: str, bump_multiplier: float = 1.0, is_bump: bool = True) -> int:
        """The image index of a normal map from a `bump` file (a height map is converted) or a
        `norm` file (used as it is)."""
        key = (rel, f"normal {bump_multiplier} {is_bump}")
        if key not in self._added:
            img = self._open(rel) if is_bump else None
            if img is not None and _is_height_map(img):
                data = _normal_map_png(img, bump_multiplier)
                self.warnings.append(f"bump map '{rel}' is a height map: turned into a normal map")
                self._added[key] = self.writer.image(data, "image/png", rel.rsplit("/", 1)[-1])
            else:
                data, mime = self._web_image(rel)
                self._added[key] = self.writer.image(data, mime, rel.rsplit("/", 1)[-1])
        return self._added[key]

    def _open(self, rel: str) -> Image.Image:
        try:
            img = Image.open(io.BytesIO(self.files.read(rel)))
            img.load()
            return img
        except Exception as err:
            raise InvalidFormat(f"texture '{rel}' cannot be decoded: {err}") from None

    def _web_image(self, rel: str) -> tuple[bytes, str]:
        """(bytes, MIME type) that glTF viewers decode: the file itself when it is PNG or an RGB/grey
        JPEG, else a conversion (said in the warnings)."""
        data = self.files.read(rel)
        try:
            with Image.open(io.BytesIO(data)) as img:
                fmt, mode = img.format, img.mode
                if fmt == "PNG" or (fmt == "JPEG" and mode in ("RGB", "L")):
                    img.verify()  # a truncated file fails here, not in the renderer
                    return data, f"image/{fmt.lower()}"
                img.load()
                if fmt == "JPEG":  # CMYK (or YCCK): browsers and most glTF viewers cannot show them
                    out = io.BytesIO()
                    img.convert("RGB").save(out, format="JPEG", quality=JPEG_QUALITY)
                    self.warnings.append(f"texture '{rel}' converted from {mode} JPEG to RGB")
                    return out.getvalue(), "image/jpeg"
                alpha = "A" in img.getbands() or "transparency" in img.info
                out = io.BytesIO()
                img.convert("RGBA" if alpha else "RGB").save(out, format="PNG")
                self.warnings.append(f"texture '{rel}' converted from {fmt or 'an unknown format'} to PNG")
                return out.getvalue(), "image/png"
        except InvalidFormat:
            raise
        except Exception as err:
            raise InvalidFormat(f"texture '{rel}' cannot be decoded: {err}") from None


def _is_height_map(img: Image.Image) -> bool:
    """One channel, or colour channels that agree (grey): heights, not packed normals."""
    if img.mode in ("1", "L", "LA", "I", "I;16", "F", "P"):
        return img.mode != "P" or _is_grey(np.asarray(img.convert("RGB")))
    return _is_grey(np.asarray(img.convert("RGB")))


def _is_grey(rgb: np.ndarray) -> bool:
    spread = rgb.max(axis=-1).astype(np.int16) - rgb.min(axis=-1)
    return float(np.mean(spread <= 2)) > 0.99


def _normal_map_png(img: Image.Image, bump_multiplier: float) -> bytes:
    """A tangent-space normal map (glTF: +X right, +Y towards the image's top, +Z out) of a height
    map, by central differences with wrap-around (bump maps tile). The strength makes a black to
    white step a relief of BUMP_RELIEF of the texture's width, times -bm."""
    # float32: a 16k x 16k height map is 1 GiB per array in float64, and 8 bits of height need far less
    h = np.asarray(img.convert("F"), np.float32) / np.float32(65535.0 if img.mode.startswith("I") else 255.0)
    k = np.float32(BUMP_RELIEF * max(h.shape) * bump_multiplier)
    dx = (np.roll(h, -1, axis=1) - np.roll(h, 1, axis=1)) * 0.5 * k
    dy_up = (np.roll(h, 1, axis=0) - np.roll(h, -1, axis=0)) * 0.5 * k  # row 0 is the top
    n = np.stack([-dx, -dy_up, np.ones_like(h)], axis=-1)
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    out = io.BytesIO()
    Image.fromarray(np.round((n * 0.5 + 0.5) * 255).astype(np.uint8), "RGB").save(out, format="PNG")
    return out.getvalue()
