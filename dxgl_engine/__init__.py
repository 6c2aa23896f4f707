"""dxgl_engine: glTF/OBJ models to product videos, posters and datasets.

A library first: it imports no web, GUI or notebook framework. Its folders are the stages a render
passes through, in the order the data flows:

    load/      model files in (the format table; glTF reader; OBJ scans in ZIPs), a Scene out
    scene/     the model as data, transforms, animation playback, skin and morph deformation
    motion/    camera paths (the `effect` setting) and framing: settings + t -> one camera shot
    lighting/  environments, image-based lighting tables, punctual lights, the look
    render/    GL context, the scene on the GPU, the passes of a frame and their shaders
    encode/    every ffmpeg command, posters and images, all-or-nothing output sets
    pipeline/  the Timeline (any frame on its own), video jobs and render-once batches, datasets

with `settings`, `tiers`, `render_files` and `errors` under all of them and `cli` on top. Each stage
imports only the stages below it (checked by the import contracts in setup.cfg).

Front-ends use the names below, imported from `dxgl_engine` itself; they are loaded on first use,
so `import dxgl_engine` costs no GL or numpy import.
"""
from __future__ import annotations

import importlib

from .errors import Cancelled, DxglError, InvalidFormat, InvalidSettings, RenderFailed

__version__ = "0.1.0"

# Public name -> the module that defines it (a name that is itself a module maps to None).
_PUBLIC: dict[str, tuple[str, str | None]] = {
    **{n: ("settings", n) for n in ("Settings", "FieldSpec", "FIELDS", "FIELDS_BY_KEY", "ANCHORS", "ENVIRONMENTS",
                                    "credits_for", "field_applies")},
    **{n: ("tiers", n) for n in ("TIERS", "DATASET_TIERS", "ASPECTS", "CODECS", "FPS", "MAX_LENGTH", "ADMIN_MAX_LENGTH",
                                 "output_size")},
    "RenderFiles": ("render_files", "RenderFiles"),
    **{n: ("load.formats", n) for n in ("load_model", "load_glb_bytes", "convert_to_glb", "FORMATS", "MODEL_SUFFIXES",
                                        "suffix_list")},
    "Scene": ("scene.model", "Scene"),
    "model_info": ("scene.info", "model_info"),
    "resolve_animation": ("scene.animation", "resolve_animation"),
    **{n: ("scene.variants", n) for n in ("resolve_material_variant", "with_material_variant")},
    **{n: ("scene.model_settings", n) for n in ("check_model_settings", "names_model_parts")},
    "Shot": ("motion.camera", "Shot"),
    "camera_paths": ("motion.camera_paths", None),
    "SSAA": ("render.renderer", "SSAA"),
    "Backdrop": ("render.backdrop", "Backdrop"),
    **{n: ("render.gl_context", n) for n in ("offscreen_context", "generate_mipmaps")},
    "VideoPaths": ("encode.video_files", "VideoPaths"),
    **{n: ("encode.images", n) for n in ("fit_within", "resize")},
    "probe": ("encode.ffmpeg", "probe"),
    "Timeline": ("pipeline.timeline", "Timeline"),
    **{n: ("pipeline.jobs", n) for n in ("VideoJob", "frame_key")},
    **{n: ("pipeline.video", n) for n in ("render_video", "render_batch", "RenderResult")},
    **{n: ("pipeline.dataset", n) for n in ("export_dataset", "dataset_settings", "DatasetResult")},
    **{n: ("pipeline.still", n) for n in ("Camera", "render_still")},
    "Look": ("lighting.look", "Look"),
    "sample_path": ("samples", "sample_path"),
}  # fmt: skip

__all__ = ["Cancelled", "DxglError", "InvalidFormat", "InvalidSettings", "RenderFailed", "__version__", *_PUBLIC]


def __getattr__(name: str):
    """Load a public name on first use (PEP 562)."""
    if name not in _PUBLIC:
        raise AttributeError(f"module 'dxgl_engine' has no attribute '{name}'")
    module, attr = _PUBLIC[name]
    loaded = importlib.import_module(f"{__name__}.{module}")
    return loaded if attr is None else getattr(loaded, attr)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
