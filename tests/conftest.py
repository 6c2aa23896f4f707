"""Shared pytest fixtures."""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from dxgl_engine.load.formats import MODEL_SUFFIXES


@pytest.fixture(scope="session")
def shared_assets() -> Path:
    """The third-party test models (../shared/assets beside the repo, or $DXGL_SHARED_ASSETS).

    They are never copied into the repository; tests needing them skip where they are absent."""
    default = Path(__file__).resolve().parents[1].parent / "shared" / "assets"
    path = Path(os.environ.get("DXGL_SHARED_ASSETS") or default)
    if not path.is_dir():
        pytest.skip("third-party models not available: ../shared/assets is absent (see README)")
    return path


@pytest.fixture(scope="session")
def shared_wild(shared_assets) -> Path:
    """Small failing inputs rebuilt from public bug reports (../shared/wild, see its README.md),
    beside the third-party models; skipped, saying so, where it is absent."""
    path = shared_assets.parent / "wild"
    if not path.is_dir():
        pytest.skip(f"inputs from public bug reports not available: {path} is absent (see README)")
    return path


@pytest.fixture(scope="session")
def shared_fidelity(shared_assets) -> Path:
    """The Render Fidelity scenarios and panoramas (../shared/fidelity, see its README.md); skipped,
    saying so, where it is absent."""
    path = shared_assets.parent / "fidelity"
    if not path.is_dir():
        pytest.skip(f"the Render Fidelity scenarios and panoramas are not available: {path} is absent")
    return path


# Loadable third-party models (relative to ../shared/assets) that rendering tests walk through.
LOADABLE_DIRS = ("khronos", "other", "obj_zip", "large")
POINTS_OR_LINES_ONLY = {"Mesh_PrimitiveMode_00.gltf", "Mesh_PrimitiveMode_01.gltf"}  # refused: nothing to render


@pytest.fixture(scope="session")
def shared_model_paths(shared_assets) -> list[Path]:
    paths = [
        p
        for d in LOADABLE_DIRS
        for p in sorted((shared_assets / d).rglob("*"))
        if p.suffix.lower() in MODEL_SUFFIXES and p.is_file() and p.name not in POINTS_OR_LINES_ONLY
    ]
    assert paths, f"no models found under {shared_assets}"
    return paths


@pytest.fixture(scope="session")
def gl():
    """The process's headless EGL context (what a worker uses)."""
    os.environ.setdefault("EGL_PLATFORM", "surfaceless")
    from dxgl_engine.render.gl_context import offscreen_context

    return offscreen_context()


@pytest.fixture
def extend_settings(monkeypatch):
    """Add FieldSpecs to the one settings model for the test, as a future setting would be
    added: front-ends must show them without code of their own."""
    from dxgl_engine import settings as settings_mod

    def extend(new: tuple) -> None:
        extended = dataclasses.make_dataclass(
            "ExtendedSettings", [(s.attr, object, dataclasses.field(default=s.default)) for s in new],
            bases=(settings_mod.Settings,), frozen=True)  # fmt: skip
        fields = settings_mod.FIELDS + new
        monkeypatch.setattr(settings_mod, "FIELDS", fields)
        monkeypatch.setattr(settings_mod, "FIELDS_BY_KEY", {f.key: f for f in fields})
        monkeypatch.setattr(settings_mod, "Settings", extended)

    return extend


@pytest.fixture(autouse=True)
def every_uniform_set(caplog):
    """A program drawn with a uniform never set reads zeros where the shader expects a value (the
    floor once took the sun's direction as (0, 0, 0)); vispy logs it as a warning, which fails
    the test here."""
    yield
    unset = [r.getMessage() for phase in ("setup", "call") for r in caplog.get_records(phase)
             if "unset variables" in r.getMessage()]  # fmt: skip
    assert not unset, unset
