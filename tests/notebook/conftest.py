"""Notebook tests: widgets driven from code in this process (the engine's EGL context), and the
notebooks in notebooks/ executed top to bottom by a real Jupyter kernel.

The kernel is this interpreter (a kernelspec written to a temporary folder), so the notebooks run
in the environment `make install` built, whatever kernels the machine has registered."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")  # figures from plot_cameras without a display

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
KERNEL_NAME = "dxgl-notebook-tests"
CELL_TIMEOUT_S = 300


@pytest.fixture(scope="session")
def scene(gl):
    from dxgl_engine import load_model
    from dxgl_engine.samples import sample_path

    return load_model(sample_path("product"))


@pytest.fixture(scope="session")
def variants_scene(gl):
    """A grey cube whose material variants "Red" and "Blue" repaint it (KHR_materials_variants)."""
    from dxgl_engine import load_glb_bytes
    from tests.gltf_builder import variant_cube

    return load_glb_bytes(variant_cube().glb(), "variants.glb")


@pytest.fixture
def widget(scene):
    from dxgl_gui.notebook import SettingsWidget

    return SettingsWidget(scene)


@pytest.fixture(scope="session")
def kernel_specs(tmp_path_factory) -> Path:
    """A kernelspec that starts ipykernel with this very interpreter."""
    folder = tmp_path_factory.mktemp("kernels")
    spec = folder / KERNEL_NAME
    spec.mkdir()
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "dxgl tests", "language": "python",
    }))  # fmt: skip
    return folder


@pytest.fixture
def run_notebook(kernel_specs, tmp_path, monkeypatch):
    """Execute a notebook with a real kernel; any cell error fails the test with its traceback.
    The kernel's temporary files (videos, datasets, a server's data) go to the test's tmp_path."""
    import nbformat
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    monkeypatch.setenv("TMPDIR", str(tmp_path))  # inherited by the kernel, and by a server it starts

    def run(path: Path):
        nb = nbformat.read(path, as_version=4)
        specs = KernelSpecManager(kernel_dirs=[str(kernel_specs)])
        km = KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs)
        client = NotebookClient(nb, km=km, timeout=CELL_TIMEOUT_S, resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        except CellExecutionError as err:
            pytest.fail(f"{path.name}: a cell failed\n{err}", pytrace=False)
        return nb

    return run
