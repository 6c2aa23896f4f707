"""Resolving the names an OBJ and its MTL use: scanner exports name their files loosely (other case,
spaces for underscores, Windows paths, folders that moved), so files are found the forgiving ways.
"""
from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

MAX_SEARCH_FILES = 20_000  # files looked at when resolving texture names in a folder


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
