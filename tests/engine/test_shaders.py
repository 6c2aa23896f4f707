"""The shader loader: includes assembled once each, defines after #version, and compile errors that
name the file and line they come from (render/glsl.py)."""
from __future__ import annotations

import re
from importlib import resources

import pytest

from dxgl_engine.render import glsl

PASS_VERTEX = "fullscreen.vert"


@pytest.fixture
def shader_files(monkeypatch):
    """Serve shader files from a dict instead of the package (the loader's caches are bypassed)."""
    files: dict[str, str] = {}

    def read(name: str) -> str:
        if name not in files:
            raise glsl.ShaderError(f"shader file not found: {name}")
        return files[name]

    monkeypatch.setattr(glsl, "_read", read)
    monkeypatch.setattr(glsl, "shader_source", glsl.shader_source.__wrapped__)
    return files


def test_includes_are_inserted_once_with_their_origins(shader_files):
    shader_files.update({
        "main.frag": '// main\n#include "a.glsl"\n#include "b.glsl"\nvoid main() {}\n',
        "a.glsl": '#include "b.glsl"\nfloat a() { return b(); }\n',
        "b.glsl": "float b() { return 1.0; }\n",
    })  # fmt: skip
    src = glsl.shader_source("main.frag", frozenset({"FOO 2", "BAR"}))
    lines = src.text.splitlines()
    assert lines[:3] == ["#version 330", "#define BAR", "#define FOO 2"]
    assert src.text.count("float b()") == 1, "a file included twice is inserted once"
    assert lines.index("float b() { return 1.0; }") < lines.index("float a() { return b(); }")
    assert src.where(lines.index("float a() { return b(); }") + 1) == "a.glsl:2"
    assert src.where(lines.index("void main() {}") + 1) == "main.frag:4"


def test_a_missing_or_circular_include_names_the_file_and_line(shader_files):
    shader_files.update({"main.frag": '\n\n#include "nowhere.glsl"\n', "x.glsl": '#include "y.glsl"\n',
                         "y.glsl": '#include "x.glsl"\n'})  # fmt: skip
    with pytest.raises(glsl.ShaderError, match=r"main\.frag:3: included file not found: nowhere\.glsl"):
        glsl.shader_source("main.frag")
    with pytest.raises(glsl.ShaderError, match=r"y\.glsl:1: 'x\.glsl' includes itself"):
        glsl.shader_source("x.glsl")


def _compile_error(shader_files, first_line: str) -> glsl.ShaderError:
    """The error of a fragment shader whose included part.glsl starts with `first_line` and uses
    an undeclared name on its line 4."""
    shader_files.update({
        PASS_VERTEX: resources.files("dxgl_engine.render").joinpath("shaders", PASS_VERTEX).read_text(),
        "broken.frag": 'out vec4 frag_color;\n#include "part.glsl"\nvoid main() { frag_color = vec4(f()); }\n',
        "part.glsl": f"{first_line}\n\nfloat f() {{\n    return not_declared_anywhere;\n}}\n",
    })  # fmt: skip
    with pytest.raises(glsl.ShaderError) as err:
        glsl.program(PASS_VERTEX, "broken.frag")
    return err.value


def test_a_compile_error_names_the_included_file_and_its_line(shader_files, gl):
    error = _compile_error(shader_files, "// a helper")
    assert "part.glsl:4" in str(error) and "not_declared_anywhere" in str(error), str(error)
    assert error.code == "render_failed"


def test_a_compile_error_after_an_extension_names_its_line(shader_files, gl):
    """vispy moves `#extension` lines up under `#version`: the driver's line numbers are mapped back."""
    error = _compile_error(shader_files, "#extension GL_ARB_texture_gather : enable")
    assert "part.glsl:4" in str(error), str(error)


def test_every_shader_file_is_used_and_every_shader_compiles(gl):
    """No orphan .glsl in the package, and the mesh shader builds with every material feature on."""
    folder = resources.files("dxgl_engine.render").joinpath("shaders")
    names = {p.name for p in folder.iterdir() if p.is_file()} | {
        f"extensions/{p.name}" for p in folder.joinpath("extensions").iterdir()}  # fmt: skip
    everything = frozenset({"HAS_UV0", "HAS_UV1", "HAS_COLOR", "HAS_TANGENT", "TEX_BASE", "UV_BASE 0", "TEX_MR",
                            "UV_MR 1", "TEX_NORMAL", "UV_NORMAL 0", "OCCLUSION_IN_MR", "TEX_EMISSIVE", "UV_EMISSIVE 1",
                            "ALPHA_BLEND", "CLEARCOAT", "SHEEN", "SPECULAR", "TRANSMISSION", "PUNCTUAL_LIGHTS 2",
                            "IRIDESCENCE", "TEX_IRIDESCENCE", "UV_IRIDESCENCE 0", "TEX_IRIDESCENCE_THICKNESS",
                            "UV_IRIDESCENCE_THICKNESS 1", "ANISOTROPY", "TEX_ANISOTROPY", "UV_ANISOTROPY 0",
                            "DIFFUSE_TRANSMISSION", "TEX_DIFFUSE_TRANSMISSION", "UV_DIFFUSE_TRANSMISSION 1",
                            "TEX_DIFFUSE_TRANSMISSION_COLOR", "UV_DIFFUSE_TRANSMISSION_COLOR 0",
                            "TONEMAP_ACES", "MIRROR", "SKINNED", "SKIN_SET2", "UV_TRANSFORMS", "SUN",
                            "SUN_TRANSLUCENT"})  # fmt: skip
    glsl.program("mesh.vert", "mesh.frag", everything)
    # The sun's see-through map: its bake, and the floor that reads it.
    glsl.program("mesh.vert", "sun_depth.frag", frozenset({"HAS_UV0", "TEX_BASE", "UV_BASE 0", "ALPHA_BLEND",
                                                            "TRANSMISSION", "TRANSLUCENT_LAYER"}))  # fmt: skip
    glsl.program("floor.vert", "floor.frag", frozenset({"SUN", "SUN_TRANSLUCENT"}))
    used = set()
    for name in names - {n for n in names if n.endswith(".glsl")}:
        used |= {file for file, _ in glsl.shader_source(name).origins}
    assert {n for n in names if n.endswith(".glsl")} <= used, "a .glsl file no shader includes"
    assert all(re.fullmatch(r"[\w/]+\.(vert|frag|glsl)", n) for n in names)
