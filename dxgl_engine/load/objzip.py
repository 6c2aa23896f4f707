"""Model ZIPs and OBJ scans: safe extraction, then OBJ + MTL + textures to GLB bytes via trimesh.

Scanner exports are messy (textures named slightly differently from the MTL, Windows
paths, inline comments, texture options), so every MTL texture reference is resolved here
with tolerant matching and the MTL is rewritten with exact names before trimesh reads it.
A diffuse texture (map_Kd) that cannot be found is an error: rendering the scan untextured
would silently produce the wrong product video.
"""
from __future__ import annotations

import io
import logging
import os
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from ..errors import InvalidFormat
from .gltf.container import pack_glb, parse_json, split_glb

log = logging.getLogger(__name__)

MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_BYTES = 1 << 30  # total uncompressed size
MAX_SEARCH_FILES = 20_000  # files looked at when resolving texture names in a folder
MODEL_SUFFIXES = (".obj", ".gltf", ".glb")
_TEXTURE_KEYS = ("map_", "bump", "disp", "decal", "refl", "norm")
# MTL texture options and how many arguments each takes (-o/-s/-t take 1 to 3 numbers).
_MTL_OPTIONS = {
    "-blendu": 1, "-blendv": 1, "-bm": 1, "-boost": 1, "-cc": 1, "-clamp": 1, "-imfchan": 1,
    "-mm": 2, "-texres": 1, "-type": 1, "-o": 3, "-s": 3, "-t": 3,
}
_COMMENT = re.compile(r"(^|\s)#.*$")


@dataclass
class ConvertedModel:
    """GLB bytes from a conversion, with what the user should know about it."""

    glb: bytes
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# ZIP archives


def extract_zip(path: Path, dest: Path) -> list[str]:
    """Extract `path` into `dest` and return the relative (posix) names of the files written.

    Refused: entries with absolute paths or '..', symlinks, encrypted entries, more than
    MAX_ZIP_ENTRIES entries or MAX_ZIP_BYTES uncompressed (zip bombs)."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_zip_size(infos)
            return [name for info in infos if (name := _extract_entry(archive, info, dest))]
    except zipfile.BadZipFile as err:
        raise InvalidFormat(f"{Path(path).name} is not a valid ZIP archive ({err})") from None
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, ValueError) as err:
        raise InvalidFormat(f"{Path(path).name}: cannot extract ({err})") from None


def _check_zip_size(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ZIP_ENTRIES:
        raise InvalidFormat(f"ZIP holds {len(infos)} entries, more than the {MAX_ZIP_ENTRIES} allowed")
    total = sum(info.file_size for info in infos)
    if total > MAX_ZIP_BYTES:
        raise InvalidFormat(f"ZIP expands to {total:,} bytes, more than the {MAX_ZIP_BYTES:,} allowed")


def safe_member_name(raw: str) -> str:
    """The entry's relative posix path; InvalidFormat when it is absolute or climbs out with '..'."""
    name = raw.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        raise InvalidFormat(f"ZIP entry '{raw}' escapes the archive (absolute path or '..'); refused")
    return "/".join(p for p in parts if p not in (".", ""))


def _is_junk(name: str) -> bool:
    """macOS resource forks and Finder files that ride along in ZIPs made on a Mac."""
    parts = name.split("/")
    return parts[0] == "__MACOSX" or parts[-1].startswith("._") or parts[-1] in (".DS_Store", "Thumbs.db")


def _extract_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path) -> str | None:
    name = safe_member_name(info.filename)
    if info.is_dir() or not name or _is_junk(name):
        return None
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise InvalidFormat(f"ZIP entry '{info.filename}' is a symbolic link; refused")
    if info.flag_bits & 0x1:
        raise InvalidFormat(f"ZIP entry '{info.filename}' is encrypted; upload an unencrypted ZIP")
    target = dest / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(info) as src, open(target, "wb") as out:
        # ZipExtFile stops at the declared size and checks the CRC, so the size check above holds.
        shutil.copyfileobj(src, out, 1 << 20)
    return name


def find_model_file(names: list[str]) -> str:
    """The single .obj/.gltf/.glb among an archive's files."""
    models = sorted(n for n in names if PurePosixPath(n).suffix.lower() in MODEL_SUFFIXES)
    if not models:
        raise InvalidFormat("ZIP holds no model: expected one .obj (with its .mtl and textures) or one .gltf/.glb")
    if len(models) > 1:
        kinds = {PurePosixPath(n).suffix.lower() for n in models}
        kind = "OBJ files" if kinds == {".obj"} else "model files"
        listed = ", ".join(PurePosixPath(n).name for n in models[:5]) + (", ..." if len(models) > 5 else "")
        raise InvalidFormat(f"ZIP holds {len(models)} {kind} ({listed}): upload one model per ZIP")
    return models[0]


# ---------------------------------------------------------------------------------------------
# Resolving the names an OBJ/MTL uses


def _match_key(name: str) -> str:
    """Loose comparison key: case-insensitive, ' ' and '_' equal (fuze's 'fuze uv.jpg' vs fuze_uv.jpg)."""
    return name.lower().replace(" ", "_")


class FileIndex:
    """The files under a root folder, looked up the forgiving ways scanner exports need."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.files = self._list()
        self._exact = {f.lower(): f for f in self.files}
        self._by_key: dict[str, list[str]] = {}
        self._by_name: dict[str, list[str]] = {}
        for f in sorted(self.files, key=lambda s: (s.count("/"), s)):
            self._by_key.setdefault(_match_key(f), []).append(f)
            self._by_name.setdefault(_match_key(f.rsplit("/", 1)[-1]), []).append(f)

    def _list(self) -> list[str]:
        out = []
        for folder, dirs, files in os.walk(self.root):
            dirs.sort()
            for name in sorted(files):
                path = Path(folder) / name
                if not path.is_symlink():
                    out.append(path.relative_to(self.root).as_posix())
                if len(out) >= MAX_SEARCH_FILES:
                    return out
        return out

    def resolve(self, reference: str, base: str = "") -> str | None:
        """The relative path of the file `reference` (written in a file located in folder `base`) means."""
        ref = reference.strip().strip('"').replace("\\", "/")
        if not ref:
            return None
        candidates = []
        if not ref.startswith("/") and not re.match(r"^[A-Za-z]:", ref):
            candidates += [_join(base, ref), _join("", ref)]
        for cand in filter(None, candidates):
            if cand.lower() in self._exact:
                return self._exact[cand.lower()]
            if _match_key(cand) in self._by_key:
                return self._by_key[_match_key(cand)][0]
        matches = self._by_name.get(_match_key(ref.rsplit("/", 1)[-1]), [])
        return matches[0] if matches else None

    def read(self, rel: str) -> bytes:
        return (self.root / rel).read_bytes()


def _join(base: str, ref: str) -> str | None:
    """base/ref normalised; None when it would leave the root."""
    parts: list[str] = []
    for part in PurePosixPath(base, ref).parts:
        if part in (".", "/"):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


# ---------------------------------------------------------------------------------------------
# OBJ + MTL


@dataclass
class _MtlPlan:
    """What the OBJ's MTL files say, rewritten for trimesh."""

    key: str | None = None  # the mtllib name trimesh will ask the resolver for
    text: str = ""
    warnings: list[str] = field(default_factory=list)


def _decode_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _mtllib_names(obj_text: str) -> list[str]:
    """The argument of every mtllib statement (one file name, possibly with spaces, or several)."""
    text = obj_text.replace("\r\n", "\n").replace("\r", "\n")
    return [m.group(1) for m in re.finditer(r"^[ \t]*mtllib[ \t]+(.+?)[ \t]*$", text, flags=re.MULTILINE)]


def _trimesh_mtl_key(obj_text: str) -> str | None:
    """The name trimesh will ask its resolver for: whatever follows the first 'mtllib' in the text
    (even inside a comment), to the end of that line (trimesh.exchange.obj.load_obj)."""
    text = "\n{}\n".format(obj_text.strip().replace("\r\n", "\n")).replace("\\\n", "")
    pos = text.find("mtllib")
    return None if pos < 0 else text[pos + 6 : text.find("\n", pos)].strip()


def texture_reference(args: list[str]) -> str:
    """The file name of an MTL texture statement's arguments, after its options (-s 1 1 1, -bm 0.5...)."""
    i = 0
    while i < len(args) and args[i].lower() in _MTL_OPTIONS:
        most = _MTL_OPTIONS[args[i].lower()]
        i += 1
        taken = 0
        while taken < most and i < len(args) - 1 and (taken == 0 or _is_number(args[i])):
            i += 1
            taken += 1
    return " ".join(args[i:])


def _is_number(token: str) -> bool:
    try:
        float(token)
        return True
    except ValueError:
        return False


def plan_materials(obj_text: str, obj_rel: str, files: FileIndex, where: str,
                   mtl_label: str = "the MTL") -> _MtlPlan:
    """Resolve the OBJ's MTL files and their textures; build one clean MTL for trimesh.

    A missing map_Kd texture raises InvalidFormat naming it; other missing maps (unused by the
    conversion) and a missing MTL only warn."""
    base = PurePosixPath(obj_rel).parent.as_posix()
    base = "" if base == "." else base
    plan = _MtlPlan(key=_trimesh_mtl_key(obj_text))
    texts = []
    for arg in _mtllib_names(obj_text):
        rels = [r for r in [files.resolve(arg, base)] if r] or [r for a in arg.split() if (r := files.resolve(a, base))]
        if not rels:
            plan.warnings.append(
                f"material library '{arg}' is not {where}; the model is converted without its materials"
            )
        for rel in rels:
            texts.append(_rewrite_mtl(_decode_text(files.read(rel)), rel, files, where, mtl_label, plan.warnings))
    plan.text = "\n".join(texts)
    return plan


def _rewrite_mtl(text: str, mtl_rel: str, files: FileIndex, where: str, mtl_label: str,
                 warnings: list[str]) -> str:
    """The MTL without comments, its map_Kd pointing at exact archive paths."""
    mtl_base = PurePosixPath(mtl_rel).parent.as_posix()
    mtl_base = "" if mtl_base == "." else mtl_base
    out = []
    for line in text.splitlines():
        line = _COMMENT.sub("", line).strip()
        tokens = line.split()
        if not tokens:
            continue
        key = tokens[0].lower()
        if key.startswith(_TEXTURE_KEYS) and len(tokens) > 1:
            ref = texture_reference(tokens[1:])
            resolved = files.resolve(ref, mtl_base)
            if resolved is None and key == "map_kd":
                raise InvalidFormat(f"{mtl_label} references '{ref}' which is not {where}")
            if resolved is None:
                warnings.append(f"{PurePosixPath(mtl_rel).name}: {tokens[0]} '{ref}' is not {where}; ignored")
                continue
            if key == "map_kd":
                _check_image(files, resolved)
                line = f"map_Kd {resolved}"
        out.append(line)
    return "\n".join(out)


def _check_image(files: FileIndex, rel: str) -> None:
    """trimesh silently drops a texture it cannot open; an unreadable scan texture is an error here."""
    from PIL import Image as PILImage

    try:
        with PILImage.open(files.root / rel) as img:
            img.verify()
    except Exception as err:
        raise InvalidFormat(f"texture '{rel}' cannot be decoded: {err}") from None


def _make_resolver(files: FileIndex, overrides: dict[str, bytes]):
    """A trimesh resolver reading only inside the index's root (plus rewritten MTL text)."""
    from trimesh.resolvers import Resolver

    class ArchiveResolver(Resolver):
        def __init__(self):
            pass

        def get(self, name: str) -> bytes:
            if name in overrides:
                return overrides[name]
            rel = files.resolve(name)
            if rel is None:
                raise FileNotFoundError(name)
            return files.read(rel)

        def write(self, name, data):
            raise NotImplementedError("read-only")

        def namespaced(self, namespace):
            return self

        def keys(self):
            return list(overrides) + files.files

    return ArchiveResolver()


def obj_to_glb(obj_path: Path, root: Path, where: str = "in the archive",
               mtl_label: str = "the ZIP's MTL") -> ConvertedModel:
    """Convert one OBJ (its MTL and textures looked up under `root`) into GLB bytes.

    Materials come out rough (roughness 1) and non-metallic: scans carry baked lighting in
    their colour texture and no PBR data, so anything shinier would be invented."""
    files = FileIndex(root)
    obj_rel = Path(obj_path).resolve().relative_to(files.root).as_posix()
    obj_bytes = files.read(obj_rel)
    plan = plan_materials(_decode_text(obj_bytes), obj_rel, files, where, mtl_label)
    overrides = {plan.key: plan.text.encode("utf-8")} if plan.key is not None else {}
    scene = _trimesh_scene(obj_bytes, _make_resolver(files, overrides), Path(obj_path).name)
    glb = _export_glb(scene, Path(obj_path).name)
    for message in plan.warnings:
        log.info("%s: %s", Path(obj_path).name, message)
    return ConvertedModel(_rough_dielectric(glb), plan.warnings)


def _trimesh_scene(obj_bytes: bytes, resolver, name: str):
    import trimesh

    try:
        scene = trimesh.load_scene(io.BytesIO(obj_bytes), file_type="obj", resolver=resolver, process=False)
    except Exception as err:  # trimesh raises many types on garbage
        raise InvalidFormat(f"cannot read OBJ '{name}': {type(err).__name__}: {err}") from None
    meshes = [g for g in scene.geometry.values() if isinstance(g, trimesh.Trimesh) and len(g.faces)]
    if not meshes:
        raise InvalidFormat(f"model has no triangles to render: OBJ '{name}' has no faces")
    for key, geom in list(scene.geometry.items()):
        if not isinstance(geom, trimesh.Trimesh) or len(geom.faces) == 0:
            scene.delete_geometry(key)
    for mesh in meshes:
        _unit_file_normals(mesh)
    return scene


def _unit_file_normals(mesh) -> None:
    """OBJ 'vn' vectors are often not unit length (Meshlab writes 2*pi long ones) but glTF requires
    unit normals: rescale them, and replace zero or invalid ones by normals from the faces."""
    from ..scene.geometry import normalize_rows, vertex_normals

    normals = np.asarray(mesh.vertex_normals, dtype=np.float64)
    unit, lengths = normalize_rows(np.nan_to_num(normals))
    bad = ~np.isfinite(lengths) | (lengths < 1e-6)
    if not bad.any() and np.allclose(lengths, 1.0, atol=1e-4):
        return
    if bad.any():
        unit[bad] = vertex_normals(np.asarray(mesh.vertices), np.asarray(mesh.faces))[bad]
    mesh.vertex_normals = unit


def _export_glb(scene, name: str) -> bytes:
    try:
        return scene.export(file_type="glb")
    except Exception as err:
        raise InvalidFormat(f"cannot convert OBJ '{name}' to glTF: {type(err).__name__}: {err}") from None


def _rough_dielectric(glb: bytes) -> bytes:
    """Patch every material to roughness 1 / metallic 0 (trimesh derives roughness from Ns and leaves
    metallic at the glTF default of 1); primitives without a material get such a material."""
    chunks = split_glb(glb)
    doc = parse_json(chunks.json_bytes, "converted GLB")
    materials = doc.setdefault("materials", [])
    for material in materials:
        pbr = material.setdefault("pbrMetallicRoughness", {})
        pbr["roughnessFactor"] = 1.0
        pbr["metallicFactor"] = 0.0
    default = None
    for mesh in doc.get("meshes", []):
        for prim in mesh.get("primitives", []):
            if "material" not in prim:
                if default is None:
                    pbr = {"metallicFactor": 0.0, "roughnessFactor": 1.0}
                    materials.append({"name": "scan", "pbrMetallicRoughness": pbr})
                    default = len(materials) - 1
                prim["material"] = default
    return pack_glb(doc, bytes(chunks.bin) if chunks.bin is not None else None)
