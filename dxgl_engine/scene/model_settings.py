"""The settings only a model can judge: those naming a part of it (an animation clip, a material
variant). `Settings.from_json` checks everything else without the model; front-ends that hold the
model (the notebook widget) or can read it (the API at render creation) call `check_model_settings`
so that such a refusal comes with the other setting errors, not from a render that fails later."""
from __future__ import annotations

from ..settings import Settings
from .animation import resolve_animation
from .model import Scene
from .variants import resolve_material_variant

# JSON name -> Settings attribute of each setting judged against the model.
MODEL_SETTINGS = {"animation": "animation", "materialVariant": "material_variant"}


def names_model_parts(settings: Settings) -> bool:
    """Whether `settings` name a part of the model (so checking them needs the model loaded)."""
    return any(getattr(settings, attr) is not None for attr in MODEL_SETTINGS.values())


def check_model_settings(scene: Scene, settings: Settings) -> None:
    """Raise InvalidSettings (naming the field, listing what the model has) when `settings` ask `scene`
    for an animation clip or a material variant it does not have."""
    resolve_animation(scene, settings.animation)
    resolve_material_variant(scene, settings.material_variant)
