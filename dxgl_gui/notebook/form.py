"""Every render setting as ipywidgets controls, generated from the engine's settings model.

Controls come from `dxgl_engine.settings.FIELDS`, read when a form is built, so a new FieldSpec
appears without notebook code; effect-specific ones show only for their effect (`field_applies`),
extensions sit on their own tab. Every edit goes through `Settings.from_json`: a refused value is
marked on its control with the engine's message and the form keeps its last valid settings.
"""
from __future__ import annotations

import logging
from html import escape
from typing import Any, Callable

import ipywidgets as W

from dxgl_engine import FieldSpec, InvalidSettings, Settings
from dxgl_engine import settings as settings_mod

from .fields import ERROR_COLOR, FieldControl, control_for

log = logging.getLogger(__name__)

ChangeFn = Callable[[Settings], None]
CheckFn = Callable[[Settings], None]  # raises InvalidSettings for what only the model can judge


def as_settings(value: Any) -> Settings:
    """Settings from renderSettings JSON, a Settings, or anything with a `.settings` JSON (a widget)."""
    if isinstance(value, settings_mod.Settings):
        return value
    if hasattr(value, "settings") and not isinstance(value, dict):
        value = value.settings
    return settings_mod.Settings.from_json(value)


class SettingsForm:
    """The controls, grouped; `settings` is the last valid Settings; listeners get each new one.
    `check` adds the model's own refusals (an animation clip or material variant it does not have) to the
    engine's."""

    def __init__(self, check: CheckFn | None = None):
        self.check = check
        self.fields: tuple[FieldSpec, ...] = tuple(settings_mod.FIELDS)
        self.controls: dict[str, FieldControl] = {spec.key: control_for(spec, self._edited) for spec in self.fields}
        self.settings: Settings = settings_mod.Settings()
        self.message = W.HTML(layout=W.Layout(display="none"))
        self.reset_button = W.Button(description="Reset to defaults", icon="undo")
        self.reset_button.on_click(lambda _b: self.reset())
        self.widget = W.VBox([self._tabs(), self.message, self.reset_button])
        self._listeners: list[ChangeFn] = []
        self._holding = False
        self._follow(self.settings)

    def _tabs(self) -> W.Tab:
        groups = [("Render", [s for s in self.fields if not s.extension]),
                  ("Look (extensions)", [s for s in self.fields if s.extension])]  # fmt: skip
        groups = [(title, specs) for title, specs in groups if specs]
        tabs = W.Tab(children=[W.VBox([self.controls[s.key].box for s in specs]) for _, specs in groups])
        tabs.titles = tuple(title for title, _ in groups)
        return tabs

    # --- values ---------------------------------------------------------------------------------
    def observe(self, fn: ChangeFn) -> None:
        """Call `fn(settings)` after every valid change."""
        self._listeners.append(fn)

    def editor_json(self) -> dict[str, Any]:
        """What the controls hold now, as renderSettings JSON (None, "the default", left out)."""
        values = {key: control.value for key, control in self.controls.items()}
        return {key: value for key, value in values.items() if value is not None}

    def load(self, value: Any) -> Settings:
        """Show settings (JSON, Settings or another widget); unset keys go back to their defaults.
        Invalid settings raise InvalidSettings and leave the form as it was."""
        settings = as_settings(value)
        if self.check is not None:
            self.check(settings)
        self._show(settings)
        self.validate()
        return self.settings

    def _show(self, settings: Settings, controls: list[FieldControl] | None = None) -> None:
        self._holding = True
        try:
            for control in controls or self.controls.values():
                control.value = getattr(settings, control.spec.attr, control.spec.default)
        finally:
            self._holding = False

    def reset(self) -> None:
        self.load({})

    def _edited(self, control: FieldControl) -> None:
        """A person's edit: refused values go back to the last valid one, the reason stays shown."""
        if not self._holding and not self.validate():
            self._show(self.settings, [control])

    def validate(self) -> bool:
        """Check what the controls hold; on success adopt and announce it, else mark the refusal."""
        for control in self.controls.values():
            control.set_error(None)
        try:
            settings = settings_mod.Settings.from_json(self.editor_json())
            if self.check is not None:
                self.check(settings)
        except InvalidSettings as err:
            self.show_error(str(err), err.field)
            return False
        except Exception as err:  # a kind the engine's validation does not know yet: refused, not a crash
            log.warning("settings validation failed", exc_info=True)
            self.show_error(f"{type(err).__name__}: {err}", None)
            return False
        self.message.layout.display = "none"
        changed = settings != self.settings
        self.settings = settings
        self._follow(settings)
        if changed:
            for fn in self._listeners:
                fn(settings)
        return True

    def show_error(self, message: str, field: str | None) -> None:
        """Mark a refusal (from validation, or from the engine while rendering) on its control."""
        control = self.controls.get(field or "")
        if control is not None:
            control.set_error(message)
        self.message.value = f'<span style="color:{ERROR_COLOR}">Refused: {escape(message)}</span>'
        self.message.layout.display = None
        log.info("setting refused: %s", message)

    def _follow(self, settings: Settings) -> None:
        """Show the controls that apply to the chosen effect, and what 'auto' stands for."""
        effect = settings.camera_path
        for spec in self.fields:
            control = self.controls[spec.key]
            control.visible = settings_mod.field_applies(spec, effect)
            control.refresh(settings)
