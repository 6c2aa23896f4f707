"""dxgl_engine: glTF/OBJ models to product videos, posters and datasets.

A library first: it imports no web, GUI or notebook framework. Front-ends call
`load_model`, `Settings`, `Renderer` and the pipeline; they never copy their logic.
"""
from .errors import Cancelled, DxglError, InvalidFormat, InvalidSettings, RenderFailed

__version__ = "0.1.0"

__all__ = ["DxglError", "InvalidFormat", "InvalidSettings", "RenderFailed", "Cancelled", "load_model"]


def load_model(path):
    """Load a .glb/.gltf/.zip (OBJ scan)/.obj file into a `Scene` (see `dxgl_engine.load.formats`)."""
    from .load.formats import load_model as _load

    return _load(path)
