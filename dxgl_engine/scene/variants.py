"""KHR_materials_variants at render time: the `materialVariant` setting resolved against the model's
variant names, and the scene as that variant dresses it.

Every path that renders (videos and posters, datasets, `Timeline.render_shot`, the desktop app's
preview and export, the notebook preview) builds a `pipeline.Timeline`, which calls
`with_material_variant`: front-ends never swap materials themselves.
"""
from __future__ import annotations

from dataclasses import replace

from ..errors import InvalidSettings
from .model import Scene

FIELD = "materialVariant"


def resolve_material_variant(scene: Scene, name: str | None) -> int | None:
    """Index into `scene.material_variants` of the variant a render asks for; None for none (the model's
    default materials).

    An unknown name, or a variant asked of a model without any, is an InvalidSettings on the field
    "materialVariant" that lists what the model has."""
    if name is None:
        return None
    names = scene.material_variants
    if not names:
        raise InvalidSettings(f"{FIELD} '{name}' was requested but the model has no material variants "
                              "(glTF KHR_materials_variants)", FIELD)
    if name in names:
        return names.index(name)
    listed = ", ".join(f"'{n}'" for n in names)
    raise InvalidSettings(f"{FIELD} '{name}' is not in the model; its material variants are: {listed}", FIELD)


def with_material_variant(scene: Scene, name: str | None) -> Scene:
    """The scene with each primitive that the variant `name` maps carrying the mapped material (the others
    keep theirs); `scene` itself for None. Only the scene, its meshes and its primitives are new objects:
    geometry arrays, materials and images are shared, so this costs nothing worth counting. Raises
    InvalidSettings as `resolve_material_variant` does."""
    variant = resolve_material_variant(scene, name)
    if variant is None:
        return scene
    meshes = [
        replace(mesh, primitives=[replace(p, material=p.variant_materials.get(variant, p.material))
                                  for p in mesh.primitives])
        for mesh in scene.meshes
    ]
    return replace(scene, meshes=meshes)
