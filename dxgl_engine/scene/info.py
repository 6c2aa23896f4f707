"""What a model holds, in numbers: what `dxgl info` prints, the desktop app's model panel shows and
the notebook widget lists the animations and material variants from."""
from __future__ import annotations

import numpy as np

from .model import Scene
from .posed import bounds


def model_info(scene: Scene) -> dict:
    """Counts (nodes, meshes, instances, primitives, triangles drawn and unique, vertices,
    materials, textures, skins, morph targets, lights, cameras), the animations with their
    durations in seconds, the material variants' names (KHR_materials_variants), the glTF extensions
    used and required, the bounds at rest (model units) and the reader's warnings, under the JSON
    names `dxgl info --json` prints. Instances are placed meshes: a node with
    EXT_mesh_gpu_instancing counts once per instance, as triangles drawn do."""
    inst = scene.instances()
    lo, hi = bounds(scene)
    prims = [p for m in scene.meshes for p in m.primitives]
    return {
        "nodes": len(scene.nodes),
        "meshes": len(scene.meshes),
        "instances": len(inst),
        "primitives": len(prims),
        "triangles": scene.triangle_count,
        "uniqueTriangles": sum(p.triangle_count for p in prims),
        "vertices": sum(len(p.positions) for p in prims),
        "materials": len(scene.materials),
        "textures": len(scene.images),
        "animations": [{"name": a.name, "duration": round(a.duration, 4)} for a in scene.animations],
        "materialVariants": list(scene.material_variants),
        "skins": len(scene.skins),
        "morphTargets": max((len(p.targets) for p in prims), default=0),
        "lights": len(scene.lights),
        "cameras": scene.cameras,
        "extensionsUsed": list(scene.extensions_used),
        "extensionsRequired": list(scene.extensions_required),
        "bounds": {"min": lo.round(6).tolist(), "max": hi.round(6).tolist()} if np.all(np.isfinite(lo)) else None,
        "warnings": list(scene.warnings),
    }
