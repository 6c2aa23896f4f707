"""KTX2 texture containers to RGBA8 arrays: Basis Universal (ETC1S or UASTC, what
KHR_texture_basisu requires) transcoded on the CPU by the `alktx2` package, and the plain 8-bit
formats some files carry as well (the Khronos AnisotropyBarnLamp ships R8G8B8_UNORM under
Zstandard), read here from the container's level index.

Only the base level of a 2D texture is read: the renderer builds its own mipmaps. Values come out
as stored, sRGB-encoded colour still encoded (as a PNG's would be): the material slot using the
texture decides how it is sampled. Source: KTX File Format Specification 2.0
(registry.khronos.org/KTX/specs/2.0/ktxspec.v2.html), sections 3 (header, index, level index)
and 3.1.1 (vkFormat), and the KHR_texture_basisu extension.
"""
from __future__ import annotations

import io
import struct
import zlib

import alktx2
import numpy as np
import zstandard
from PIL import Image as PILImage

from ...errors import InvalidFormat

IDENTIFIER = b"\xabKTX 20\xbb\r\n\x1a\n"
# vkFormat, typeSize, pixelWidth, pixelHeight, pixelDepth, layerCount, faceCount, levelCount,
# supercompressionScheme; then the index (DFD, key/value and global data offsets and lengths).
_HEADER = struct.Struct("<12s9I4I2Q")
_LEVEL = struct.Struct("<3Q")  # byteOffset, byteLength, uncompressedByteLength
BASIS = 0  # VK_FORMAT_UNDEFINED: the data is Basis Universal (ETC1S under BasisLZ, or UASTC)
# Plain 8-bit formats: vkFormat -> (channels, stored blue-first). Each has a _SRGB twin whose
# bytes are read the same way.
PLAIN_FORMATS = {
    9: (1, False), 15: (1, False),  # R8_UNORM, R8_SRGB
    16: (2, False), 22: (2, False),  # R8G8_UNORM, R8G8_SRGB
    23: (3, False), 29: (3, False),  # R8G8B8_UNORM, R8G8B8_SRGB
    30: (3, True), 36: (3, True),  # B8G8R8_UNORM, B8G8R8_SRGB
    37: (4, False), 43: (4, False),  # R8G8B8A8_UNORM, R8G8B8A8_SRGB
    44: (4, True), 50: (4, True),  # B8G8R8A8_UNORM, B8G8R8A8_SRGB
}  # fmt: skip
NONE, BASIS_LZ, ZSTANDARD, ZLIB = 0, 1, 2, 3
# Supercompressed base levels are inflated to at most this: a hostile header could otherwise
# claim any size (8192 x 8192 RGBA, the reader's image limit).
MAX_LEVEL_BYTES = 8192 * 8192 * 4


def decode_ktx2(data: bytes, where: str, max_pixels: int) -> np.ndarray:
    """(H, W, 4) uint8 RGBA of a KTX2 file's base level. Raises InvalidFormat naming `where` for a
    truncated or inconsistent container, a texture larger than `max_pixels`, a 3D, array or cube
    texture, and a vkFormat dxgl cannot decode (block-compressed BC/ETC2/ASTC, 16-bit, float)."""
    if len(data) < _HEADER.size + _LEVEL.size or not data.startswith(IDENTIFIER):
        raise InvalidFormat(f"{where}: not a KTX2 file (truncated, or its identifier is wrong)")
    _, vk_format, _, width, height, depth, layers, faces, levels, scheme, *_ = _HEADER.unpack_from(data)
    if depth > 1 or layers > 1 or faces != 1:
        raise InvalidFormat(f"{where}: a KTX2 {'3D' if depth > 1 else 'array or cube'} texture; glTF textures "
                            "are 2D")
    if width * height > max_pixels or width == 0 or height == 0:
        raise InvalidFormat(f"{where}: a {width}x{height} KTX2 texture (at most {max_pixels:,} pixels)")
    if vk_format == BASIS:
        return _transcode_basis(data, where)
    if vk_format not in PLAIN_FORMATS:
        raise InvalidFormat(f"{where}: KTX2 vkFormat {vk_format} cannot be decoded by dxgl (it reads Basis "
                            "Universal and plain 8-bit R, RG, RGB and RGBA)")
    channels, blue_first = PLAIN_FORMATS[vk_format]
    raw = _base_level(data, where, scheme, width * height * channels)
    pixels = np.frombuffer(raw, np.uint8).reshape(height, width, channels)
    if blue_first:
        pixels = pixels[..., [2, 1, 0, 3][:channels]]
    out = np.empty((height, width, 4), np.uint8)
    out[..., 3] = 255
    if channels == 1:  # grey, as Pillow expands an L-mode PNG
        out[..., :3] = pixels
    elif channels == 2:
        out[..., :2], out[..., 2] = pixels, 0
    else:
        out[..., :channels] = pixels
    return out


def _base_level(data: bytes, where: str, scheme: int, expected: int) -> bytes:
    """Level 0's bytes (the first entry of the level index is the largest level), inflated."""
    offset, length, _ = _LEVEL.unpack_from(data, _HEADER.size)
    if offset + length > len(data):
        raise InvalidFormat(f"{where}: KTX2 level 0 runs past the end of the file")
    stored = data[offset : offset + length]
    try:
        if scheme == ZSTANDARD:
            stored = zstandard.ZstdDecompressor().decompress(stored, max_output_size=MAX_LEVEL_BYTES)
        elif scheme == ZLIB:
            inflater = zlib.decompressobj()
            stored = inflater.decompress(stored, MAX_LEVEL_BYTES)
        elif scheme != NONE:
            raise InvalidFormat(f"{where}: KTX2 supercompression scheme {scheme} is not defined for plain formats")
    except (zstandard.ZstdError, zlib.error) as err:
        raise InvalidFormat(f"{where}: KTX2 level 0 cannot be decompressed ({err})") from None
    if len(stored) < expected:
        raise InvalidFormat(f"{where}: KTX2 level 0 holds {len(stored)} bytes, {expected} expected")
    return stored[:expected]


def _transcode_basis(data: bytes, where: str) -> np.ndarray:
    """Basis Universal to RGBA8 through an uncompressed TIFF, the cheapest way out of the package:
    0.05 s for a 2048x2048 ETC1S texture, against 0.25 s as TGA and 0.63 s as PNG."""
    try:
        tiff, _ = alktx2.decode_ktx2_to_bytes(data, format="tiff")
        with PILImage.open(io.BytesIO(tiff)) as img:
            return np.ascontiguousarray(np.asarray(img.convert("RGBA"), dtype=np.uint8))
    except Exception as err:  # the package raises RuntimeError or ValueError for a stream it refuses
        raise InvalidFormat(f"{where}: cannot transcode the Basis Universal KTX2 texture ({err})") from None
