"""MTL material libraries: their texture statements (with options), resolved to exact file names and
rewritten for the converter. A diffuse texture (map_Kd) that cannot be found is an error: rendering
the scan untextured would silently produce the wrong product video.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ...errors import InvalidFormat
from .files import FileIndex

_TEXTURE_KEYS = ("map_", "bump", "disp", "decal", "refl", "norm")


# MTL texture options and how many arguments each takes (-o/-s/-t take 1 to 3 numbers).
_MTL_OPTIONS = {
    "-blendu": 1, "-blendv": 1, "-bm": 1, "-boost": 1, "-cc": 1, "-clamp": 1, "-imfchan": 1,
    "-mm": 2, "-texres": 1, "-type": 1, "-o": 3, "-s": 3, "-t": 3,
}


_COMMENT = re.compile(r"(^|\s)#.*$")


@dataclass
class MtlPlan:
    """What the OBJ's MTL files say, rewritten for trimesh."""

    key: str | None = None  # the mtllib name trimesh will ask the resolver for
    text: str = ""
    warnings: list[str] = field(default_factory=list)


def decode_text(data: bytes) -> str:
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
                   mtl_label: str = "the MTL") -> MtlPlan:
    """Resolve the OBJ's MTL files and their textures; build one clean MTL for trimesh.

    A missing map_Kd texture raises InvalidFormat naming it; other missing maps (unused by the
    conversion) and a missing MTL only warn."""
    base = PurePosixPath(obj_rel).parent.as_posix()
    base = "" if base == "." else base
    plan = MtlPlan(key=_trimesh_mtl_key(obj_text))
    texts = []
    for arg in _mtllib_names(obj_text):
        rels = [r for r in [files.resolve(arg, base)] if r] or [r for a in arg.split() if (r := files.resolve(a, base))]
        if not rels:
            plan.warnings.append(
                f"material library '{arg}' is not {where}; the model is converted without its materials"
            )
        for rel in rels:
            texts.append(_rewrite_mtl(decode_text(files.read(rel)), rel, files, where, mtl_label, plan.warnings))
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
