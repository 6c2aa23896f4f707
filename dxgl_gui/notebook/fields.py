"""One ipywidgets control per setting kind, chosen from a `FieldSpec` alone, so a setting added to
the engine's model gets a control here without notebook code.

Ranges, defaults, choices and descriptions all come from the spec; a control only reports the
JSON value it holds (None = "the default") and never decides whether that value is valid: the
form hands every value to `Settings.from_json`, the one validator.
"""
from __future__ import annotations

import json
import math
from html import escape
from typing import Any, Callable

import ipywidgets as W

from dxgl_engine import FieldSpec, Settings

from ..field_labels import AUTO_VALUES, choice_label, label_for

DESCRIPTION_WIDTH = "150px"
ROW_WIDTH = "440px"
ERROR_COLOR = "#d03030"
EditFn = Callable[["FieldControl"], None]


def slider_step(spec: FieldSpec) -> float:
    """A round step giving about a hundred positions over the spec's range (whole numbers for integers)."""
    if spec.kind == "integer":
        return 1
    return 10.0 ** math.floor(math.log10((spec.maximum - spec.minimum) / 100))


def _style() -> dict:
    return {"description_width": DESCRIPTION_WIDTH}


class FieldControl:
    """Base: `value` is the JSON value (None = the setting's default); every edit calls `on_edit`.
    `box` is what the form lays out: the input row and, below it, the engine's message when refused."""

    def __init__(self, spec: FieldSpec, on_edit: EditFn):
        self.spec = spec
        self._on_edit = on_edit
        self._muted = False
        self.error = W.HTML(layout=W.Layout(display="none"))
        self.input = self._build()
        self.box = W.VBox([self.row(), self.error], layout=W.Layout(width=ROW_WIDTH))

    def _build(self) -> W.Widget:
        raise NotImplementedError

    def row(self) -> W.Widget:
        return self.input

    @property
    def value(self) -> Any:
        return self.input.value

    @value.setter
    def value(self, value: Any) -> None:
        self.input.value = self.spec.default if value is None else value

    def _common(self) -> dict:
        return {"description": label_for(self.spec.key), "tooltip": f"{self.spec.description} ({self.spec.key})",
                "style": _style(), "layout": W.Layout(width="100%")}

    def _watch(self, *widgets: W.Widget) -> None:
        for widget in widgets:
            widget.observe(self._changed, "value")

    def _changed(self, _change: dict) -> None:
        if not self._muted:
            self._on_edit(self)

    def set_error(self, message: str | None) -> None:
        self.error.value = f'<span style="color:{ERROR_COLOR}">{escape(message)}</span>' if message else ""
        self.error.layout.display = None if message else "none"
        self.box.layout.border = f"1px solid {ERROR_COLOR}" if message else None

    @property
    def visible(self) -> bool:
        return self.box.layout.display != "none"

    @visible.setter
    def visible(self, shown: bool) -> None:
        self.box.layout.display = None if shown else "none"

    def refresh(self, settings: Settings) -> None:
        """Follow the valid settings (e.g. what 'auto' means for them); nothing by default."""


class EnumControl(FieldControl):
    def _build(self) -> W.Widget:
        options = [(choice_label(self.spec, c), c) for c in self.spec.choices]
        dropdown = W.Dropdown(options=options, value=self.spec.default, **self._common())
        self._watch(dropdown)
        return dropdown


class BooleanControl(FieldControl):
    def _build(self) -> W.Widget:
        box = W.Checkbox(value=bool(self.spec.default), indent=True, **self._common())
        self._watch(box)
        return box


class ColorControl(FieldControl):
    def _build(self) -> W.Widget:
        picker = W.ColorPicker(value=self.spec.default or "#000000", concise=False, **self._common())
        self._watch(picker)
        return picker


class NumberControl(FieldControl):
    """A slider over the spec's range (a text box where it has none); a spec whose default is None
    ("the engine decides") gets an 'auto' box that stands for the default while ticked."""

    def _build(self) -> W.Widget:
        integer = self.spec.kind == "integer"
        ranged = self.spec.minimum is not None and self.spec.maximum is not None
        start = self.spec.default if self.spec.default is not None else (self.spec.minimum or 0)
        kwargs = {"value": start, **self._common()}
        if ranged:
            step = slider_step(self.spec)
            kwargs.update(min=self.spec.minimum, max=self.spec.maximum, step=step, continuous_update=False)
            if not integer:
                kwargs["readout_format"] = f".{max(0, -math.floor(math.log10(step)))}f"
            widget = (W.IntSlider if integer else W.FloatSlider)(**kwargs)
        else:
            widget = (W.IntText if integer else W.FloatText)(**kwargs)
        self.auto = W.Checkbox(value=True, description="auto", indent=False, layout=W.Layout(width="70px"))
        self._watch(widget, self.auto)
        self.auto.observe(lambda change: setattr(widget, "disabled", change["new"]), "value")
        widget.disabled = self.optional
        return widget

    @property
    def optional(self) -> bool:
        return self.spec.default is None

    def row(self) -> W.Widget:
        if not self.optional:
            return self.input
        self.input.layout.flex = "1 1 auto"
        return W.HBox([self.input, self.auto])

    @property
    def value(self) -> Any:
        return None if self.optional and self.auto.value else self.input.value

    @value.setter
    def value(self, value: Any) -> None:
        if self.optional:
            self.auto.value = value is None
        if value is not None or not self.optional:
            self.input.value = self.spec.default if value is None else value

    def refresh(self, settings: Settings) -> None:
        auto = AUTO_VALUES.get(self.spec.key)
        shown = auto(settings) if auto is not None and self.optional and self.auto.value else None
        if shown is not None:  # None: the effect has no such parameter
            self._muted = True  # showing what auto means is not an edit
            try:
                self.input.value = shown
            finally:
                self._muted = False


class TextControl(FieldControl):
    """Free text; empty means the default. Kinds the notebook has no control for are edited here
    too, their text read as JSON when it parses, and left for the engine to accept or refuse."""

    def _build(self) -> W.Widget:
        text = W.Combobox(value=_text(self.spec.default), options=[], ensure_option=False, continuous_update=False,
                          **self._common())
        self._watch(text)
        return text

    @property
    def value(self) -> Any:
        raw = self.input.value.strip()
        if not raw:
            return None
        if self.spec.kind in ("string", "path"):
            return raw
        try:
            return json.loads(raw)
        except ValueError:
            return raw

    @value.setter
    def value(self, value: Any) -> None:
        self.input.value = _text(value)

    def set_choices(self, choices: list[str]) -> None:
        """Values to offer (e.g. a model's animation clips or material variants); any other text may still be typed."""
        self.input.options = list(choices)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


CONTROLS: dict[str, type[FieldControl]] = {
    "enum": EnumControl, "number": NumberControl, "integer": NumberControl, "boolean": BooleanControl,
    "color": ColorControl, "string": TextControl,
}  # fmt: skip


def control_for(spec: FieldSpec, on_edit: EditFn) -> FieldControl:
    """The control for `spec`'s kind; a kind without one is edited as text."""
    return CONTROLS.get(spec.kind, TextControl)(spec, on_edit)
