"""glTF containers: the GLB binary layout, the JSON, and the bytes behind buffers and images.

A `GltfDocument` is the parsed JSON plus every buffer's bytes, loaded and size-checked up
front from the GLB BIN chunk, base64 data URIs or files beside a .gltf. External files are
confined to the model's own folder: absolute paths, '..' and symlinks leading out are refused.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from ...errors import InvalidFormat
from . import meshopt
from .extensions import check_required_extensions
from .fields import as_int, check_index, fail, get_int, get_str, top_level_list

GLB_MAGIC = b"glTF"
CHUNK_JSON = 0x4E4F534A
CHUNK_BIN = 0x004E4942
_HEADER = struct.Struct("<4sII")
_CHUNK_HEADER = struct.Struct("<II")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+:")
_DRIVE = re.compile(r"^[A-Za-z]:")
TOP_LEVEL_ARRAYS = (
    "accessors", "animations", "buffers", "bufferViews", "cameras", "images", "materials",
    "meshes", "nodes", "samplers", "scenes", "skins", "textures",
)
_MIME_BY_SUFFIX = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".ktx2": "image/ktx2",
    ".dds": "image/vnd-ms.dds",
    ".basis": "image/basis",
}


@dataclass
class GlbChunks:
    json_bytes: bytes
    bin: memoryview | None
    warnings: list[str] = field(default_factory=list)


def split_glb(data: bytes) -> GlbChunks:
    """Check the GLB header and chunk table and return the JSON and BIN chunks (BIN not copied)."""
    if len(data) == 0:
        raise InvalidFormat("GLB file is empty (0 bytes)")
    if len(data) < _HEADER.size:
        raise InvalidFormat(f"GLB file is truncated: {len(data)} bytes, shorter than the 12-byte header")
    magic, version, length = _HEADER.unpack_from(data, 0)
    if magic != GLB_MAGIC:
        raise InvalidFormat(f"not a GLB file: wrong magic {magic!r} (expected b'glTF')")
    if version != 2:
        raise InvalidFormat(f"GLB version {version} is not supported (dxgl reads glTF 2.0)")
    if length > len(data):
        raise InvalidFormat(f"GLB file is truncated: header declares {length} bytes but the file has {len(data)}")
    warnings = []
    if length < len(data):
        warnings.append(f"GLB file has {len(data) - length} bytes after its declared end; they are ignored")
    view = memoryview(data)[:length]
    chunks = _read_chunks(view, warnings)
    if not chunks or chunks[0][0] != CHUNK_JSON:
        raise InvalidFormat("GLB file does not start with a JSON chunk")
    bin_chunk = next((body for kind, body in chunks[1:] if kind == CHUNK_BIN), None)
    return GlbChunks(bytes(chunks[0][1]), bin_chunk, warnings)


def _read_chunks(view: memoryview, warnings: list[str]) -> list[tuple[int, memoryview]]:
    chunks, offset = [], _HEADER.size
    while offset < len(view):
        if offset + _CHUNK_HEADER.size > len(view):
            raise InvalidFormat(
                f"GLB chunk {len(chunks)} is truncated: its 8-byte header runs past the end of the file"
            )
        length, kind = _CHUNK_HEADER.unpack_from(view, offset)
        start = offset + _CHUNK_HEADER.size
        if start + length > len(view):
            raise InvalidFormat(
                f"GLB chunk {len(chunks)} is truncated: declares {length} bytes but only {len(view) - start} remain"
            )
        if length % 4:
            warnings.append(f"GLB chunk {len(chunks)} length {length} is not padded to 4 bytes")
        chunks.append((kind, view[start : start + length]))
        offset = start + length
    return chunks


def parse_json(raw: bytes, where: str) -> dict:
    """The glTF JSON object; trailing padding (spaces, or NULs some writers use) is tolerated."""
    try:
        text = raw.decode("utf-8-sig").rstrip(" \t\r\n\x00")
        doc = json.loads(text)
    except UnicodeDecodeError as err:
        raise InvalidFormat(f"{where}: JSON is not UTF-8 text ({err.reason} at byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise InvalidFormat(f"{where}: invalid JSON: {err.msg} (line {err.lineno} column {err.colno})") from None
    except RecursionError:
        raise InvalidFormat(f"{where}: invalid JSON: nested too deeply") from None
    if not isinstance(doc, dict):
        raise InvalidFormat(f"{where}: JSON must be an object, not {type(doc).__name__}")
    _check_asset(doc)
    return doc


def _check_asset(doc: dict) -> None:
    asset = doc.get("asset")
    if not isinstance(asset, dict):
        raise InvalidFormat("missing 'asset' object: this is not a glTF 2.0 file")
    version = get_str(asset, "version", "asset", default="")
    if not re.fullmatch(r"2\.\d+", version):
        raise InvalidFormat(f"glTF version {version or '(none)'} is not supported (dxgl reads glTF 2.0)")
    min_version = get_str(asset, "minVersion", "asset", default="2.0")
    if min_version != "2.0":
        raise InvalidFormat(f"model needs glTF {min_version}; dxgl reads glTF 2.0")


class FileSource:
    """Files a .gltf (or .glb) references by relative URI, confined to the model's folder."""

    def __init__(self, folder: Path | None, model_name: str):
        self.folder = folder.resolve() if folder is not None else None
        self.model_name = model_name

    def read(self, uri: str, where: str, max_bytes: int | None = None) -> bytes:
        rel = relative_uri_path(uri, where)
        if self.folder is None:
            raise fail(where, f"external file '{rel}' cannot be read: the model was given as bytes, not a folder")
        candidates = [self.folder / rel]
        if unquote(uri) != uri:  # a writer may have left a literal '%' unencoded
            candidates.append(self.folder / uri.replace("\\", "/"))
        for path in candidates:
            if path.is_file():
                return self._read_inside(path, rel, where, max_bytes)
        raise fail(where, f"missing '{rel}': the model references it but it is not beside {self.model_name}")

    def _read_inside(self, path: Path, rel: str, where: str, max_bytes: int | None) -> bytes:
        real = path.resolve()
        if not real.is_relative_to(self.folder):
            raise fail(where, f"'{rel}' leads outside the model's folder; refused")
        with open(real, "rb") as fh:
            return fh.read() if max_bytes is None else fh.read(max_bytes)


def relative_uri_path(uri: str, where: str) -> str:
    """The relative file path a URI names, refusing anything that could leave the model's folder."""
    if _SCHEME.match(uri):
        raise fail(where, f"URI '{uri[:80]}' is not a relative file path; only files beside the model are read")
    path = unquote(uri).replace("\\", "/")
    if not path or path.startswith("/") or _DRIVE.match(path):
        raise fail(where, f"absolute path '{path}' refused: files must sit beside the model")
    parts = PurePosixPath(path).parts
    if ".." in parts:
        raise fail(where, f"path '{path}' escapes the model's folder ('..'); refused")
    return str(PurePosixPath(*[p for p in parts if p != "."]))


def decode_data_uri(uri: str, where: str) -> tuple[bytes, str]:
    """(bytes, mime type) of a base64 data URI."""
    header, sep, payload = uri.partition(",")
    if not sep:
        raise fail(where, "data URI has no ',' separating header and data")
    params = header[len("data:") :].split(";")
    if "base64" not in params[1:]:
        raise fail(where, "data URI is not base64-encoded (';base64' missing)")
    try:
        data = base64.b64decode(re.sub(r"\s+", "", payload), validate=True)
    except (binascii.Error, ValueError) as err:
        raise fail(where, f"data URI is not valid base64 ({err})") from None
    return data, params[0]


@dataclass
class BufferView:
    buffer: int
    offset: int
    length: int
    stride: int | None
    data: memoryview


@dataclass
class GltfDocument:
    """Parsed glTF JSON, its buffers (bytes) and access to the images it references."""

    json: dict
    buffers: list[memoryview]
    buffer_views: list[BufferView]
    name: str
    files: FileSource
    warnings: list[str] = field(default_factory=list)

    def image_bytes(self, index: int) -> tuple[bytes, str]:
        """(encoded bytes, mime type or '') of images[index]."""
        where = f"images[{index}]"
        image = self.json["images"][index]
        mime = get_str(image, "mimeType", where, default="")
        if "bufferView" in image:
            view = check_index(image["bufferView"], f"{where}.bufferView", len(self.buffer_views), "bufferView")
            return bytes(self.buffer_views[view].data), mime
        uri = get_str(image, "uri", where, default="")
        if not uri:
            raise fail(where, "has neither 'uri' nor 'bufferView'")
        if uri.startswith("data:"):
            data, data_mime = decode_data_uri(uri, f"{where}.uri")
            return data, mime or data_mime
        data = self.files.read(uri, f"{where}.uri")
        return data, mime or _MIME_BY_SUFFIX.get(PurePosixPath(uri.lower()).suffix, "")

    def image_label(self, index: int) -> str:
        """A short human name for images[index] (its uri, name or index)."""
        image = self.json["images"][index]
        uri = image.get("uri")
        if isinstance(uri, str) and not uri.startswith("data:"):
            return unquote(uri)
        return str(image.get("name") or f"image {index}")


def document_from_glb(data: bytes, name: str, folder: Path | None = None) -> GltfDocument:
    """Parse a GLB (external URIs, rare in GLBs, are read from `folder` when given)."""
    chunks = split_glb(data)
    doc = parse_json(chunks.json_bytes, "GLB JSON chunk")
    return _document(doc, chunks.bin, name, FileSource(folder, name), chunks.warnings)


def document_from_gltf(text: bytes, name: str, folder: Path | None) -> GltfDocument:
    """Parse a .gltf JSON file whose external files sit in `folder`."""
    if len(text) == 0:
        raise InvalidFormat(f"{name} is empty (0 bytes)")
    if text[:4] == GLB_MAGIC:  # a binary glTF saved with the .gltf extension
        return document_from_glb(text, name, folder)
    doc = parse_json(text, name)
    return _document(doc, None, name, FileSource(folder, name), [])


def _document(doc: dict, bin_chunk: memoryview | None, name: str, files: FileSource,
              warnings: list[str]) -> GltfDocument:
    check_required_extensions(doc)
    for key in TOP_LEVEL_ARRAYS:
        top_level_list(doc, key)
    unread = _unread_fallbacks(doc)
    buffers = [memoryview(b"") if i in unread else _load_buffer(doc, i, bin_chunk, files)
               for i in range(len(top_level_list(doc, "buffers")))]
    views = [_buffer_view(doc, i, buffers, unread) for i in range(len(top_level_list(doc, "bufferViews")))]
    return GltfDocument(doc, buffers, views, name, files, list(warnings))


def _unread_fallbacks(doc: dict) -> set[int]:
    """meshopt fallback buffers that no plain bufferView reads: dxgl decodes the compressed views,
    so their bytes (often absent: no uri at all) are never needed."""
    fallbacks = {i for i, buf in enumerate(doc.get("buffers", [])) if meshopt.is_fallback(buf, f"buffers[{i}]")}
    for i, view in enumerate(doc.get("bufferViews", [])):
        if meshopt.compression(view, f"bufferViews[{i}]") is None and isinstance(view.get("buffer"), int):
            fallbacks.discard(view["buffer"])
    return fallbacks


def _load_buffer(doc: dict, index: int, bin_chunk: memoryview | None, files: FileSource) -> memoryview:
    where = f"buffers[{index}]"
    buf = doc["buffers"][index]
    length = get_int(buf, "byteLength", where, minimum=1)
    uri = buf.get("uri")
    if uri is None:
        if index != 0 or bin_chunk is None:
            raise fail(where, "has no 'uri' and is not the GLB's BIN chunk")
        if length > len(bin_chunk):
            raise fail(where, f"byteLength {length} exceeds the GLB BIN chunk ({len(bin_chunk)} bytes)")
        return bin_chunk[:length]
    if not isinstance(uri, str):
        raise fail(f"{where}.uri", f"must be a string, not {uri!r}")
    if uri.startswith("data:"):
        data, _ = decode_data_uri(uri, f"{where}.uri")
        source = "its data URI"
    else:
        data = files.read(uri, f"{where}.uri", max_bytes=length)
        source = f"'{relative_uri_path(uri, where)}'"
    if len(data) < length:
        raise fail(where, f"byteLength {length} but {source} holds only {len(data)} bytes")
    return memoryview(data)[:length]


def _buffer_view(doc: dict, index: int, buffers: list[memoryview], unread: set[int]) -> BufferView:
    """A view's bytes: a slice of its buffer, or decoded from the meshopt stream it names."""
    where = f"bufferViews[{index}]"
    view = doc["bufferViews"][index]
    buffer = check_index(view.get("buffer"), f"{where}.buffer", len(buffers), "buffer")
    offset = get_int(view, "byteOffset", where, default=0)
    length = get_int(view, "byteLength", where, minimum=1)
    size = (get_int(doc["buffers"][buffer], "byteLength", f"buffers[{buffer}]", minimum=1) if buffer in unread
            else len(buffers[buffer]))
    if offset + length > size:
        raise fail(where, f"byteOffset {offset} + byteLength {length} exceeds buffer {buffer} length {size}")
    stride = None
    if "byteStride" in view:
        stride = as_int(view["byteStride"], f"{where}.byteStride")
        if not 4 <= stride <= 252 or stride % 4:
            raise fail(f"{where}.byteStride", f"{stride} must be a multiple of 4 between 4 and 252")
    compressed = meshopt.compression(view, where)
    if compressed is not None:
        data = memoryview(meshopt.decode_view(*compressed, where, length, buffers))
    else:
        data = buffers[buffer][offset : offset + length]
    return BufferView(buffer, offset, length, stride, data)


def pack_glb(doc: dict, binary: bytes | bytearray | None) -> bytes:
    """A GLB from a JSON object and an optional BIN chunk (both padded to 4 bytes as the spec asks)."""
    json_bytes = json.dumps(doc, separators=(",", ":")).encode("utf-8")
    json_bytes += b" " * (-len(json_bytes) % 4)
    parts = [_CHUNK_HEADER.pack(len(json_bytes), CHUNK_JSON), json_bytes]
    if binary is not None and len(binary):
        padded = bytes(binary) + b"\x00" * (-len(binary) % 4)
        parts += [_CHUNK_HEADER.pack(len(padded), CHUNK_BIN), padded]
    body = b"".join(parts)
    return _HEADER.pack(GLB_MAGIC, 2, _HEADER.size + len(body)) + body


def document_to_glb(doc: GltfDocument) -> bytes:
    """Pack a document into one self-contained GLB: every buffer and external image goes in the BIN
    chunk. meshopt fallback buffers that nothing reads stay what they may be in a GLB: entries
    without bytes, so the compressed views keep their meaning and the file does not grow."""
    out = json.loads(json.dumps(doc.json))
    binary = bytearray()
    kept = [i for i, buf in enumerate(doc.buffers) if len(buf)]
    empty = [i for i, buf in enumerate(doc.buffers) if not len(buf)]
    places = {}  # old buffer index -> (new index, byte offset of its start)
    for i in kept:
        binary += b"\x00" * (-len(binary) % 16)
        places[i] = (0, len(binary))
        binary += doc.buffers[i]
    for k, i in enumerate(empty):
        places[i] = (1 + k, 0)
    for view in out.get("bufferViews", []):
        view["buffer"], start = places[view["buffer"]]
        view["byteOffset"] = start + view.get("byteOffset", 0)
        for name in meshopt.EXTENSIONS:
            ext = view.get("extensions", {}).get(name)
            if ext is not None:
                ext["buffer"], start = places[ext["buffer"]]
                ext["byteOffset"] = start + ext.get("byteOffset", 0)
    for i, image in enumerate(out.get("images", [])):
        if "uri" not in image:
            continue
        data, mime = doc.image_bytes(i)
        binary += b"\x00" * (-len(binary) % 16)
        out.setdefault("bufferViews", []).append({"buffer": 0, "byteOffset": len(binary), "byteLength": len(data)})
        binary += data
        del image["uri"]
        image["bufferView"] = len(out["bufferViews"]) - 1
        image["mimeType"] = mime or image.get("mimeType") or "application/octet-stream"
    fallbacks = [{k: v for k, v in doc.json["buffers"][i].items() if k != "uri"} for i in empty]
    out["buffers"] = ([{"byteLength": len(binary)}] if binary else []) + fallbacks
    return pack_glb(out, binary)
