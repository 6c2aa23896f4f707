"""One editor widget per setting kind (enum, number, integer, boolean, color, string, path), chosen
from a FieldSpec alone, so that a new setting gets an editor without GUI code.

Editors hold the exact value they were given (a preset's 0.6125 stays 0.6125 even where a spin
box shows fewer decimals) and emit `edited` only for the artist's own changes. Ranges come from
the spec, so out-of-range numbers cannot be typed; a kind without an editor is edited as text.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QRegularExpression, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QSlider,
    QSpinBox,
    QToolButton,
    QWidget,
)  # fmt: skip

from dxgl_engine import FieldSpec

SLIDER_STEPS = 1000
MAX_STRING = 200
ERROR_STYLE = "border: 1px solid #d03030;"
ChoiceLabel = Callable[[FieldSpec, str], str]


def compact_combo() -> QComboBox:
    """A drop-down that does not ask for the width of its longest item (the panel is narrow)."""
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(8)
    return combo


class FieldEditor(QWidget):
    """Base: `value()` is the JSON value (None = the setting's default), `set_value` shows one."""

    edited = Signal()

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.setObjectName(f"field_{spec.key}")
        self.setToolTip(f"{spec.description}\n(renderSettings key: {spec.key})")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._error: str | None = None

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def input_widget(self) -> QWidget:
        """The widget that shows an error (and that tests type into)."""
        return self

    def set_error(self, message: str | None) -> None:
        self._error = message
        self.input_widget().setStyleSheet(ERROR_STYLE if message else "")
        self.input_widget().setToolTip(message or self.toolTip())

    @property
    def error(self) -> str | None:
        return self._error


class LineFieldEditor(FieldEditor):
    """Base of the editors typed into a line (`self.text`, laid out by each subclass): the value
    is what the last finished edit meant, and an edit that changes it emits `edited`."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None):
        super().__init__(spec, parent)
        self.text = QLineEdit()
        self._value = spec.default
        self.text.editingFinished.connect(self._text_done)

    def input_widget(self) -> QWidget:
        return self.text

    def value(self) -> Any:
        return self._value

    def _show_text(self, text: str) -> None:
        with QSignalBlocker(self.text):
            self.text.setText(text)

    def _accept(self, value: Any) -> None:
        if value != self._value:
            self._value = value
            self.edited.emit()

    def _text_done(self) -> None:
        raise NotImplementedError


class EnumEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, choice_label: ChoiceLabel | None = None, parent: QWidget | None = None):
        super().__init__(spec, parent)
        self.combo = compact_combo()
        for choice in spec.choices or ():
            self.combo.addItem(choice_label(spec, choice) if choice_label else choice, choice)
        self._layout.addWidget(self.combo)
        self.combo.currentIndexChanged.connect(lambda _: self.edited.emit())
        self.set_value(spec.default)

    def input_widget(self) -> QWidget:
        return self.combo

    def value(self) -> Any:
        return self.combo.currentData()

    def set_value(self, value: Any) -> None:
        index = self.combo.findData(value if value is not None else self.spec.default)
        with QSignalBlocker(self.combo):
            self.combo.setCurrentIndex(max(index, 0))


class BooleanEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, parent: QWidget | None = None):
        super().__init__(spec, parent)
        self.check = QCheckBox()
        self._layout.addWidget(self.check)
        self.check.toggled.connect(lambda _: self.edited.emit())
        self.set_value(spec.default)

    def input_widget(self) -> QWidget:
        return self.check

    def value(self) -> Any:
        return self.check.isChecked()

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.check):
            self.check.setChecked(bool(self.spec.default if value is None else value))


class NumberEditor(FieldEditor):
    """A spin box with a slider over the spec's range; an "auto" box where the default is None
    (the engine then picks, e.g. the effect's own sweep angle)."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None, *, auto_value: Callable[[], float] | None = None):
        super().__init__(spec, parent)
        self.integer = spec.kind == "integer"
        self.auto_value = auto_value
        lo, hi = spec.minimum, spec.maximum
        self.spin = QSpinBox() if self.integer else QDoubleSpinBox()
        self.spin.setRange(*self._spin_range(lo, hi))
        if not self.integer:
            decimals, step = number_format(lo, hi)
            self.spin.setDecimals(decimals)
            self.spin.setSingleStep(step)
        self.spin.setKeyboardTracking(False)  # typed digits apply on Enter / focus out, not per key
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setVisible(lo is not None and hi is not None)
        self.auto = QCheckBox("auto")
        self.auto.setToolTip("Use the engine's default for this effect")
        self.auto.setVisible(spec.default is None)
        self._layout.addWidget(self.slider, 1)
        self._layout.addWidget(self.spin)
        self._layout.addWidget(self.auto)
        self._value: float | int | None = None
        self.spin.valueChanged.connect(self._spin_changed)
        self.slider.valueChanged.connect(self._slider_changed)
        self.auto.toggled.connect(self._auto_toggled)
        self.set_value(spec.default)

    def _spin_range(self, lo, hi) -> tuple:
        big = 2**31 - 1 if self.integer else 1e9
        return (int(lo) if self.integer else lo) if lo is not None else -big, \
               (int(hi) if self.integer else hi) if hi is not None else big  # fmt: skip

    def input_widget(self) -> QWidget:
        return self.spin

    def value(self) -> Any:
        return self._value

    def set_value(self, value: Any) -> None:
        self._value = value
        with QSignalBlocker(self.auto):
            self.auto.setChecked(value is None)
        shown = value if value is not None else self._auto_number()
        self._show(shown)
        self.spin.setEnabled(value is not None)
        self.slider.setEnabled(value is not None)

    def _auto_number(self) -> float:
        if self.auto_value is not None:
            try:
                number = self.auto_value()
            except Exception:  # the engine could not say: show the bottom of the range
                number = None
            if number is not None:
                return number
        return self.spec.minimum if self.spec.minimum is not None else 0

    def _show(self, number) -> None:
        with QSignalBlocker(self.spin), QSignalBlocker(self.slider):
            self.spin.setValue(int(number) if self.integer else float(number))
            self.slider.setValue(self._to_slider(number))

    def _to_slider(self, number) -> int:
        lo, hi = self.spec.minimum, self.spec.maximum
        if lo is None or hi is None or hi <= lo:
            return 0
        return round((float(number) - lo) / (hi - lo) * SLIDER_STEPS)

    def _from_slider(self, position: int):
        lo, hi = self.spec.minimum, self.spec.maximum
        x = lo + (hi - lo) * position / SLIDER_STEPS
        return round(x) if self.integer else round(x, self.spin.decimals())

    def _spin_changed(self, number) -> None:
        self._value = int(number) if self.integer else float(number)
        with QSignalBlocker(self.slider):
            self.slider.setValue(self._to_slider(number))
        self.edited.emit()

    def _slider_changed(self, position: int) -> None:
        number = self._from_slider(position)
        self._value = number
        with QSignalBlocker(self.spin):
            self.spin.setValue(number)
        self.edited.emit()

    def _auto_toggled(self, auto: bool) -> None:
        self._value = None if auto else (int(self.spin.value()) if self.integer else float(self.spin.value()))
        self.spin.setEnabled(not auto)
        self.slider.setEnabled(not auto)
        if auto:
            self._show(self._auto_number())
        self.edited.emit()

    def refresh_auto(self) -> None:
        """Show the engine's current automatic value while "auto" is on (it follows the effect)."""
        if self._value is None:
            self._show(self._auto_number())


def number_format(lo: float | None, hi: float | None) -> tuple[int, float]:
    """(decimals, single step) for a range: about a hundred steps across it."""
    if lo is None or hi is None or hi <= lo:
        return 3, 0.1
    exponent = math.floor(math.log10((hi - lo) / 100.0))
    return min(max(-exponent, 0), 3), 10.0**exponent


class ColorEditor(LineFieldEditor):
    """A hex field (only #rrggbb can be typed) and a swatch that opens a colour picker."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None):
        super().__init__(spec, parent)
        self.text.setValidator(QRegularExpressionValidator(QRegularExpression("#[0-9a-fA-F]{0,6}")))
        self.text.setMaxLength(7)
        self.swatch = QToolButton()
        self.swatch.setObjectName(f"swatch_{spec.key}")
        self.swatch.setToolTip("Pick a colour")
        self._layout.addWidget(self.swatch)
        self._layout.addWidget(self.text, 1)
        self._dialog: QColorDialog | None = None
        self.swatch.clicked.connect(self.pick)
        self.set_value(spec.default)

    def set_value(self, value: Any) -> None:
        self._value = value if value is not None else self.spec.default
        self._show_text(self._value or "")
        self._paint_swatch()

    def _paint_swatch(self) -> None:
        colour = self._value or "#000000"
        self.swatch.setStyleSheet(f"background-color: {colour}; border: 1px solid #777; min-width: 28px;")

    def _text_done(self) -> None:
        text = self.text.text()
        if len(text) == 7 and text.lower() != (self._value or "").lower():
            self._apply(text.lower())

    def _apply(self, colour: str) -> None:
        self._value = colour
        self._show_text(colour)
        self._paint_swatch()
        self.edited.emit()

    def pick(self) -> QColorDialog:
        """Open the picker (without blocking); the preview follows the colour live."""
        original = self._value
        dialog = QColorDialog(QColor(original or "#ffffff"), self)
        dialog.setOption(QColorDialog.ColorDialogOption.DontUseNativeDialog)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.currentColorChanged.connect(lambda c: self._apply(c.name()))
        dialog.rejected.connect(lambda: self._restore(original))
        self._dialog = dialog
        dialog.open()
        return dialog


    def _restore(self, original: str | None) -> None:
        if original != self._value:
            self._apply(original)


class StringEditor(LineFieldEditor):
    """Free text (empty = the default), or a drop-down when the app knows the possible values
    (the model's animation clips and material variants)."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None):
        super().__init__(spec, parent)
        self.text.setMaxLength(MAX_STRING)
        self.text.setClearButtonEnabled(True)
        self.combo = compact_combo()
        self.combo.setVisible(False)
        self._layout.addWidget(self.text, 1)
        self._layout.addWidget(self.combo, 1)
        self.combo.currentIndexChanged.connect(self._combo_changed)
        self.set_value(spec.default)

    def input_widget(self) -> QWidget:
        return self.combo if self.combo.isVisibleTo(self) else self.text

    def set_value(self, value: Any) -> None:
        self._value = value if value not in ("",) else None
        self._show_text(self._value or "")
        self._select_in_combo()

    def set_choices(self, choices: list[tuple[str, str | None]] | None) -> None:
        """(label, value) pairs for a drop-down; None returns to free text."""
        with QSignalBlocker(self.combo):
            self.combo.clear()
            for label, value in choices or ():
                self.combo.addItem(label, value)
        self.combo.setVisible(bool(choices))
        self.text.setVisible(not choices)
        self._select_in_combo()

    def _select_in_combo(self) -> None:
        if not self.combo.isVisibleTo(self) and self.combo.count() == 0:
            return
        index = self.combo.findData(self._value)
        if index < 0 and self._value is not None:  # e.g. a preset naming a clip this model lacks
            self.combo.addItem(f"{self._value} (not in this model)", self._value)
            index = self.combo.count() - 1
        with QSignalBlocker(self.combo):
            self.combo.setCurrentIndex(max(index, 0))

    def _text_done(self) -> None:
        self._accept(self.text.text() or None)

    def _combo_changed(self, index: int) -> None:
        self._value = self.combo.itemData(index)
        self.edited.emit()


class PathEditor(LineFieldEditor):
    """A file chooser (kind "path", and the files a render uses): empty = none."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None):
        super().__init__(spec, parent)
        self.text.setClearButtonEnabled(True)
        self.text.setPlaceholderText("none")
        self.browse = QToolButton()
        self.browse.setText("…")
        self.browse.setToolTip("Choose a file")
        self._layout.addWidget(self.text, 1)
        self._layout.addWidget(self.browse)
        self.browse.clicked.connect(self.choose)
        self.set_value(spec.default)

    def set_value(self, value: Any) -> None:
        self._value = str(value) if value else None
        self._show_text(self._value or "")

    def choose(self) -> None:
        start = str(Path(self._value).parent) if self._value else ""
        path, _ = QFileDialog.getOpenFileName(self, self.spec.description, start, file_filter(self.spec))
        if path:
            self.set_value(path)
            self.edited.emit()

    def _text_done(self) -> None:
        self._accept(self.text.text().strip() or None)


def file_filter(spec: FieldSpec) -> str:
    """A file-dialog filter guessed from what the setting is about."""
    words = f"{spec.key} {spec.description}".lower()
    if "hdr" in words or "environment" in words:
        return "Radiance HDR (*.hdr);;All files (*)"
    if "image" in words or "overlay" in words:
        return "Images (*.png *.jpg *.jpeg *.webp);;All files (*)"
    return "All files (*)"


class TextEditor(LineFieldEditor):
    """Any kind without its own editor: JSON (or plain text) in a line; the engine validates it."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None):
        super().__init__(spec, parent)
        self.text.setToolTip(f"{spec.description}\n(kind '{spec.kind}': edited as JSON text)")
        self._layout.addWidget(self.text, 1)
        self.set_value(spec.default)

    def set_value(self, value: Any) -> None:
        self._value = value
        self._show_text("" if value is None else value if isinstance(value, str) else json.dumps(value))

    def _text_done(self) -> None:
        text = self.text.text().strip()
        try:
            value = json.loads(text) if text else None
        except ValueError:
            value = text
        self._accept(value)


EDITORS: dict[str, type[FieldEditor]] = {
    "enum": EnumEditor,
    "number": NumberEditor,
    "integer": NumberEditor,
    "boolean": BooleanEditor,
    "color": ColorEditor,
    "string": StringEditor,
    "path": PathEditor,
}


def editor_for(spec: FieldSpec, *, choice_label: ChoiceLabel | None = None,
               auto_value: Callable[[], float] | None = None) -> FieldEditor:
    """The editor for a spec's kind; unknown kinds get a text editor rather than no row."""
    cls = EDITORS.get(spec.kind, TextEditor)
    if cls is EnumEditor:
        return EnumEditor(spec, choice_label)
    if cls is NumberEditor:
        return NumberEditor(spec, auto_value=auto_value)
    return cls(spec)
