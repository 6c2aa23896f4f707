"""MTL material libraries as scanners write them: colours, dissolve, and texture statements whose
options (`-s`, `-o`, `-bm`, `-clamp`, `-imfchan`, `-mm`, ...) may come before or after a file name
that may hold spaces. File names are resolved the forgiving ways of `files.FileIndex`.

A diffuse texture (map_Kd) that cannot be found is an error: rendering the scan untextured would
silently produce the wrong product video. Other missing maps are warnings that name the file.
Reference: Wavefront "Material Library Files (.mtl)", section "Texture map options".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ...errors import InvalidFormat
from .files import FileIndex
from .parse import decode_text

# Texture options and how many values follow each: (least, most). -o/-s/-t take 1 to 3 numbers.
OPTIONS = {
    "-blendu": (1, 1), "-blendv": (1, 1), "-bm": (1, 1), "-boost": (1, 1), "-cc": (1, 1), "-clamp": (1, 1),
    "-imfchan": (1, 1), "-mm": (2, 2), "-texres": (1, 1), "-type": (1, 1), "-o": (1, 3), "-s": (1, 3),
    "-t": (1, 3),
}  # fmt: skip
# Statement -> the map it fills (the others, such as map_Ks or refl, do not change a matte scan).
MAPS = {"map_kd": "diffuse", "bump": "bump", "map_bump": "bump", "norm": "normal", "map_kn": "normal",
        "map_d": "alpha"}  # fmt: skip
APPLIED_OPTIONS = {"-s", "-o", "-bm", "-clamp"}
_COMMENT = re.compile(r"(^|\s)#.*$")  # a comment; a '#' inside a file name (no space before it) stays


@dataclass
class TextureMap:
    """One texture statement: the file as written, where it was found (a path relative to the
    scan's folder, None until resolved) and the options dxgl applies."""

    file: str
    path: str | None = None
    scale: tuple[float, float] = (1.0, 1.0)  # -s u v
    offset: tuple[float, float] = (0.0, 0.0)  # -o u v
    bump_multiplier: float = 1.0  # -bm
    clamp: bool = False  # -clamp on
    ignored: tuple[str, ...] = ()  # options given that change nothing here (-mm, -imfchan, -blendu...)


@dataclass
class MtlMaterial:
    """One `newmtl` block: diffuse colour (Kd), dissolve (d, or 1 - Tr) and its texture maps by use
    ("diffuse", "bump", "normal", "alpha")."""

    name: str
    diffuse: tuple[float, float, float] | None = None
    dissolve: float = 1.0
    maps: dict[str, TextureMap] = field(default_factory=dict)


def parse_texture(args: list[str]) -> TextureMap:
    """A texture statement's arguments: options anywhere, the rest (joined by spaces) the file.

    `-s 3 3 1 wood floor.jpg` and `wood floor.jpg -s 3 3` both give file 'wood floor.jpg' with
    scale (3, 3). Numbers after -s/-o/-t are taken while they are numbers (1 to 3 of them)."""
    name, scale, offset, bm, clamp, ignored = [], (1.0, 1.0), (0.0, 0.0), 1.0, False, []
    i = 0
    while i < len(args):
        option = args[i].lower()
        if option not in OPTIONS:
            name.append(args[i])
            i += 1
            continue
        least, most = OPTIONS[option]
        values = []
        i += 1
        while len(values) < most and i < len(args) and (len(values) < least or _is_number(args[i])):
            values.append(args[i])
            i += 1
        if option in ("-s", "-o") and values and all(_is_number(v) for v in values):
            u = float(values[0])
            v = float(values[1]) if len(values) > 1 else (u if option == "-s" else 0.0)
            scale, offset = ((u, v), offset) if option == "-s" else (scale, (u, v))
        elif option == "-bm" and values and _is_number(values[0]):
            bm = float(values[0])
        elif option == "-clamp" and values:
            clamp = values[0].lower() == "on"
        elif option not in APPLIED_OPTIONS:
            ignored.append(option)
    return TextureMap(" ".join(name), scale=scale, offset=offset, bump_multiplier=bm, clamp=clamp,
                      ignored=tuple(ignored))  # fmt: skip


def parse_mtl(text: str) -> list[MtlMaterial]:
    """Every `newmtl` block of an MTL file, in order (texture paths not yet resolved)."""
    out: list[MtlMaterial] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        named = raw.strip().split(None, 1)
        if named and named[0].lower() == "newmtl":  # the name as written: 3ds Max's 'Material #25' keeps its '#'
            out.append(MtlMaterial(named[1].strip() if len(named) > 1 else ""))
            continue
        line = _COMMENT.sub("", raw).strip()
        if not line or line[0] == "#":
            continue
        tokens = line.split()
        key, args = tokens[0].lower(), tokens[1:]
        if not out:
            continue
        material = out[-1]
        if key == "kd" and len(args) >= 3 and all(_is_number(a) for a in args[:3]):
            material.diffuse = tuple(min(max(float(a), 0.0), 1.0) for a in args[:3])
        elif key == "d" and args and _is_number(args[-1]):
            material.dissolve = min(max(float(args[-1]), 0.0), 1.0)
        elif key == "tr" and args and _is_number(args[0]):
            material.dissolve = min(max(1.0 - float(args[0]), 0.0), 1.0)
        elif key in MAPS and args:
            texture = parse_texture(args)
            if texture.file:
                material.maps[MAPS[key]] = texture
    return out


def load_materials(mtllibs: list[str], obj_rel: str, files: FileIndex, where: str,
                   mtl_label: str = "the MTL") -> tuple[dict[str, MtlMaterial], list[str]]:
    """The materials of the OBJ's `mtllib` statements by name, their texture files resolved under
    `files`, and what the user should know. A library that is missing, or a map other than the
    diffuse one, only warns; a missing diffuse map raises InvalidFormat naming the file."""
    base = _folder(obj_rel)
    materials: dict[str, MtlMaterial] = {}
    warnings: list[str] = []
    for statement in mtllibs:
        # 'mtllib my scan.mtl' may be one name with a space or two libraries: the whole first.
        found = files.resolve(statement, base)
        libraries = [found] if found else [files.resolve(part, base) for part in statement.split()]
        if not any(libraries):
            warnings.append(f"material library '{statement}' is not {where}; the model is converted without its materials")
        for rel in filter(None, libraries):
            for material in parse_mtl(decode_text(files.read(rel))):
                _resolve_maps(material, rel, files, where, mtl_label, warnings)
                materials.setdefault(material.name, material)
    return materials, warnings


def find_material(materials: dict[str, MtlMaterial], name: str | None) -> MtlMaterial | None:
    """The material `usemtl name` means: the one of that exact name, else one whose name matches
    once a trailing ' # comment' is dropped from both (names may hold '#', comments may follow)."""
    if not name:
        return None
    if name in materials:
        return materials[name]
    bare = _COMMENT.sub("", name).strip()
    return next((m for key, m in materials.items() if _COMMENT.sub("", key).strip() == bare), None)


def _resolve_maps(material: MtlMaterial, mtl_rel: str, files: FileIndex, where: str, mtl_label: str,
                  warnings: list[str]) -> None:
    base = _folder(mtl_rel)
    for use, texture in list(material.maps.items()):
        texture.path = files.resolve(texture.file, base)
        if texture.path is None and use == "diffuse":
            raise InvalidFormat(f"{mtl_label} references '{texture.file}' which is not {where}")
        if texture.path is None:
            warnings.append(f"{PurePosixPath(mtl_rel).name}: {use} map '{texture.file}' is not {where}; ignored")
            del material.maps[use]
        elif use == "alpha":  # a cut-out mask needs alpha in the colour texture; dxgl does not merge images
            warnings.append(f"{PurePosixPath(mtl_rel).name}: alpha map (map_d) '{texture.file}' is not applied; "
                            "the material's d is")  # fmt: skip
            del material.maps[use]
        elif texture.ignored:
            warnings.append(f"{PurePosixPath(mtl_rel).name}: texture options {', '.join(texture.ignored)} of "
                            f"'{texture.file}' are not applied")  # fmt: skip


def _folder(rel: str) -> str:
    parent = PurePosixPath(rel).parent.as_posix()
    return "" if parent == "." else parent


def _is_number(token: str) -> bool:
    try:
        float(token)
        return True
    except ValueError:
        return False
