"""GLSL programs from the package's `shaders/` folder: sources assembled from files split by concern,
compiled at once, and compile errors that name the file and line they come from.

A shader file may `#include "other.glsl"` (a path relative to `shaders/`): the text is inserted in
place, each file once per shader, the way the glTF Sample Viewer builds its PBR shader from
`brdf`, `ibl`, `punctual` and `tonemapping` files. `#define`s go after `#version 330`, ahead of
everything else. The driver sees one string, so every assembled line remembers its origin; vispy
reports a failed compile as "on line N", which `explain` turns into "file.glsl:line". vispy moves
every `#extension` line up under `#version` (GLSL allows none after code), which `where` undoes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from vispy import gloo

from ..errors import RenderFailed
from . import gl_context

VERSION = "#version 330"
_INCLUDE = re.compile(r'^\s*#include\s+"([^"]+)"\s*$')
_LINE = re.compile(r"on line (\d+):")


class ShaderError(RenderFailed):
    """A shader was not found, does not compile or does not link; the message names the file and
    line of the source."""


@dataclass(frozen=True)
class ShaderSource:
    """An assembled shader: `text` for the driver, `origins[i]` = (file, line) of its line i + 1
    (line 0 for the lines the loader adds)."""

    name: str
    text: str
    origins: tuple[tuple[str, int], ...]

    def where(self, line: int) -> str:
        """'file:line' of line `line` (1-based) of the text the driver compiled: the assembled text
        after vispy moved its `#extension` lines, one by one, to line 2 (blanking them in place)."""
        moved = [k for k, text in enumerate(self.text.splitlines()) if text.lstrip().startswith("#extension")]
        if moved and 2 <= line <= len(moved) + 1:
            line = moved[len(moved) - (line - 1)] + 1  # inserted at line 2 in turn: the last is first
        elif moved and line > len(moved) + 1:
            line -= len(moved)
        if 1 <= line <= len(self.origins):
            file, number = self.origins[line - 1]
            return f"{file}:{number}"
        return f"{self.name}:?"


@lru_cache(maxsize=None)
def _read(name: str) -> str:
    try:
        return resources.files(__package__).joinpath("shaders", *name.split("/")).read_text()
    except (FileNotFoundError, IsADirectoryError):
        raise ShaderError(f"shader file not found: {name}") from None


def _expand(name: str, seen: set[str], rows: list[tuple[str, str, int]], chain: tuple[str, ...]) -> None:
    """Append (line, file, number) for each line of `name`, its includes expanded (once each)."""
    seen.add(name)
    for number, line in enumerate(_read(name).splitlines(), start=1):
        match = _INCLUDE.match(line)
        if match is None:
            rows.append((line, name, number))
            continue
        included = match.group(1)
        if included in chain + (name,):
            raise ShaderError(f"{name}:{number}: '{included}' includes itself ({' -> '.join(chain + (name, included))})")
        if included in seen:
            continue
        try:
            _read(included)
        except ShaderError:
            raise ShaderError(f"{name}:{number}: included file not found: {included}") from None
        _expand(included, seen, rows, chain + (name,))


@lru_cache(maxsize=512)
def shader_source(name: str, defines: frozenset[str] = frozenset()) -> ShaderSource:
    """The shader `name` with its includes expanded and `defines` ("NAME" or "NAME VALUE" each) ahead
    of it. A file that starts with its own `#version` is complete and is used as it is."""
    text = _read(name)
    if text.startswith("#version"):
        return ShaderSource(name, text, tuple((name, k) for k in range(1, text.count("\n") + 2)))
    rows: list[tuple[str, str, int]] = [(VERSION, name, 0)]
    rows += [(f"#define {d}", name, 0) for d in sorted(defines)]
    _expand(name, set(), rows, ())
    return ShaderSource(name, "\n".join(r[0] for r in rows) + "\n", tuple((r[1], r[2]) for r in rows))


def explain(error: Exception, vertex: ShaderSource, fragment: ShaderSource) -> ShaderError:
    """vispy's compile or link error with its line numbers given as 'file:line' of the sources."""
    text = str(error)
    source = vertex if "GL_VERTEX_SHADER" in text.split("\n", 1)[0] else fragment
    located = _LINE.sub(lambda m: f"at {source.where(int(m.group(1)))}:", text)
    return ShaderError(f"shader program {vertex.name} + {fragment.name} failed: {located}")


def program(vertex: str, fragment: str, defines: frozenset[str] = frozenset()) -> gloo.Program:
    """A gloo Program of two shader files, compiled and linked now (in the current GL context), so
    a broken shader fails here with `ShaderError`, not at some later draw."""
    vs, fs = shader_source(vertex, defines), shader_source(fragment, defines)
    compiled = gloo.Program(vs.text, fs.text)
    try:
        gl_context.flush(compiled)
    except RuntimeError as err:
        raise explain(err, vs, fs) from None
    return compiled
