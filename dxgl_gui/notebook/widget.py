"""`SettingsWidget`: the settings form, the live preview and the credit quote in one ipywidget.

    w = SettingsWidget(sample_path("product"))      # a path or a loaded Scene
    w                                                # tweak, scrub, play
    w.settings                                       # the renderSettings JSON the API accepts
"""
from __future__ import annotations

import os
from typing import Any

import ipywidgets as W

from dxgl_engine import DxglError, InvalidSettings, RenderFiles, Scene, Settings, check_model_settings, load_model

from .form import SettingsForm
from .preview import Preview
from .quote import Quote, QuotePanel, render_json

ANIMATION_KEY = "animation"
VARIANT_KEY = "materialVariant"


def as_scene(model: str | os.PathLike | Scene) -> Scene:
    """A loaded Scene, loading a path (.glb/.gltf/.zip/.obj) through the engine."""
    return model if isinstance(model, Scene) else load_model(model)


class SettingsWidget(W.HBox):
    """Every render setting (generated from the engine's model), a preview of the frame at t and the
    credit quote of the current settings and of a batch. `client` (a dxgl_api.client.Client) makes
    the quote come from that server, with the account's balance."""

    def __init__(self, model: str | os.PathLike | Scene, settings: Any = None, *, client: Any = None,
                 files: RenderFiles | None = None, **kwargs):
        self.scene = as_scene(model)
        self.form = SettingsForm(check=self._model_check)
        self.preview = Preview(self.scene, self.form.settings, files, on_error=self._engine_refused)
        self.quote_panel = QuotePanel(self.form.settings, client)
        add = W.Button(description="Add to batch", icon="plus", tooltip="Quote these settings as part of a batch")
        clear = W.Button(description="Clear batch", icon="trash")
        add.on_click(lambda _b: self.add_to_batch())
        clear.on_click(lambda _b: self.clear_batch())
        self.form.observe(self._changed)
        self._offer_animations()
        self._offer_variants()
        if settings is not None:
            self.form.load(settings)
        side = W.VBox([self.preview.widget, self.quote_panel.widget, W.HBox([add, clear])])
        super().__init__([self.form.widget, side], **kwargs)
        self.preview.refresh()
        self.quote_panel.update()  # from the server too, where there is one

    # --- values ---------------------------------------------------------------------------------
    @property
    def settings(self) -> dict:
        """The renderSettings JSON the API accepts (only what differs from the defaults)."""
        return self.form.settings.to_json()

    @settings.setter
    def settings(self, value: Any) -> None:
        """Show other settings (JSON, Settings or another widget); invalid ones raise InvalidSettings
        and change nothing."""
        self.form.load(value)

    @property
    def value(self) -> Settings:
        """The validated engine Settings (what a local render uses)."""
        return self.form.settings

    def set(self, **changes: Any) -> dict:
        """Change some settings by their JSON names, keeping the others: `w.set(effect="showcase")`."""
        self.form.load({**self.settings, **changes})
        return self.settings

    # --- quote ----------------------------------------------------------------------------------
    @property
    def client(self) -> Any:
        return self.quote_panel.client

    @client.setter
    def client(self, client: Any) -> None:
        self.quote_panel.client = client
        self.quote_panel.update()

    @property
    def batch(self) -> list[dict]:
        return list(self.quote_panel.batch)

    def add_to_batch(self, settings: Any = None) -> Quote:
        """Add settings (the current ones by default) to the batch; returns the batch's quote."""
        self.quote_panel.batch.append(render_json(self.form.settings if settings is None else settings))
        self.quote_panel.update()
        return self.quote_panel.total

    def clear_batch(self) -> None:
        self.quote_panel.batch.clear()
        self.quote_panel.update()

    @property
    def quote(self) -> Quote:
        """The quote shown: the batch's when there is one, else the current settings'."""
        return self.quote_panel.total or self.quote_panel.current

    def flush(self) -> None:
        """Do pending debounced work now (preview frame, server quote): for cells that read results."""
        self.preview.flush()
        self.quote_panel.flush()

    # --- events ---------------------------------------------------------------------------------
    def _changed(self, settings: Settings) -> None:
        self.quote_panel.update(settings)
        self.preview.set_settings(settings)

    def _model_check(self, settings: Settings) -> None:
        check_model_settings(self.scene, settings)  # its animation clip and material variant

    def _engine_refused(self, err: DxglError) -> None:
        """The engine refused settings only the model can judge (an unknown animation clip or material variant)."""
        if isinstance(err, InvalidSettings) and err.field:
            self.form.show_error(str(err), err.field)

    def _offer_animations(self) -> None:
        control = self.form.controls.get(ANIMATION_KEY)
        names = [a.name for a in self.scene.animations]
        if control is not None and hasattr(control, "set_choices"):
            control.set_choices(["*", *names] if names else [])

    def _offer_variants(self) -> None:
        control = self.form.controls.get(VARIANT_KEY)
        if control is not None and hasattr(control, "set_choices"):
            control.set_choices(list(self.scene.material_variants))
