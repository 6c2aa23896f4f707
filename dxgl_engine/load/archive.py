"""Model ZIPs: safe extraction (no escaping paths, links, encryption or zip bombs) and the one model
file inside.
"""
from __future__ import annotations

import re
import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

from ..errors import InvalidFormat

MAX_ZIP_ENTRIES = 10_000


MAX_ZIP_BYTES = 1 << 30  # total uncompressed size


MODEL_SUFFIXES = (".obj", ".gltf", ".glb", ".ply", ".stl")  # what a model ZIP may hold (one of)


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
        raise InvalidFormat("ZIP holds no model: expected one .obj (with its .mtl and textures), one .ply or .stl "
                            "scan, or one .gltf/.glb")
    if len(models) > 1:
        kinds = {PurePosixPath(n).suffix.lower() for n in models}
        kind = "OBJ files" if kinds == {".obj"} else "model files"
        listed = ", ".join(PurePosixPath(n).name for n in models[:5]) + (", ..." if len(models) > 5 else "")
        raise InvalidFormat(f"ZIP holds {len(models)} {kind} ({listed}): upload one model per ZIP")
    return models[0]
