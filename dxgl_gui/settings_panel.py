"""Every render setting in one panel, generated from the engine's settings model.

Rows come from `dxgl_engine.settings.FIELDS` (read when the panel is built, so a new FieldSpec
appears without GUI code): editors by kind, ranges, defaults and choices from the spec,
effect-specific rows shown only for their effect (`field_applies`), extensions in their own
group. Values are validated by `Settings.from_json`, so the panel only ever hands out settings
the engine accepts. The files a render uses (background/foreground image, an .hdr environment)
are generated the same way from `dxgl_engine.render_files.RenderFiles`.
"""
from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from dxgl_engine import FieldSpec, InvalidSettings, RenderFiles, Settings
from dxgl_engine import settings as settings_mod

from .dialogs import error_text
from .field_editors import FieldEditor, NumberEditor, editor_for
from .field_labels import AUTO_VALUES, choice_label, credits_text, label_for

log = logging.getLogger(__name__)

# Overlay ids name files stored on a server. The desktop app renders local files instead (the
# Files group); their values are still kept, loaded and saved with presets, only not edited here.
SERVER_ONLY = frozenset({"bgImageId", "fgImageId"})
FILE_DESCRIPTIONS = {
    "background_image": "Image drawn behind the model, scaled to cover, cropped at the anchor",
    "foreground_image": "Image drawn over the render (a frame, a logo), scaled to cover",
    "environment": "A Radiance .hdr file that replaces the built-in lighting environment",
}


def resource_specs() -> tuple[FieldSpec, ...]:
    """The RenderFiles fields as path specs, so the same editors and rows serve them."""
    return tuple(
        FieldSpec(f.name, f.name, "path", None, FILE_DESCRIPTIONS.get(f.name, label_for(f.name)))
        for f in dataclasses.fields(RenderFiles)
    )


class SettingsPanel(QWidget):
    """`changed(settings, files)` fires for every valid change; invalid input is marked on
    its editor with the engine's message and never leaves the panel."""

    changed = Signal(object, object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.fields: tuple[FieldSpec, ...] = tuple(settings_mod.FIELDS)
        self.editors: dict[str, FieldEditor] = {}
        self.file_editors: dict[str, FieldEditor] = {}
        self._forms: dict[FieldEditor, QFormLayout] = {}  # each editor's form, to show or hide its row
        self._settings: Settings = settings_mod.Settings()
        self._files = RenderFiles()
        self._build_ui()
        self._update_rows()
        self._update_cost()

    # --- layout ---------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.cost_label = QLabel()
        self.cost_label.setObjectName("costLabel")
        self.cost_label.setWordWrap(True)
        self.reset_button = QPushButton("Reset to defaults")
        self.reset_button.setObjectName("resetButton")
        self.reset_button.clicked.connect(self.reset)
        self.error_label = QLabel()
        self.error_label.setObjectName("settingsError")
        self.error_label.setStyleSheet("color: #d03030;")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        header = QHBoxLayout()
        header.addWidget(self.cost_label, 1)
        header.addWidget(self.reset_button)

        content = QWidget()
        groups = QVBoxLayout(content)
        groups.addWidget(self._group("Render", [s for s in self.fields if not s.extension], self.editors))
        extensions = [s for s in self.fields if s.extension]
        if extensions:
            groups.addWidget(self._group("Look (extensions)", extensions, self.editors))
        groups.addWidget(self._group("Files", list(resource_specs()), self.file_editors))
        groups.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addWidget(self.error_label)
        layout.addWidget(scroll, 1)

    def _group(self, title: str, specs: list[FieldSpec], editors: dict[str, FieldEditor]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for spec in specs:
            editor = editor_for(spec, choice_label=choice_label, auto_value=self._auto_value(spec))
            editor.edited.connect(self._on_edited)
            label = QLabel(label_for(spec.key))
            label.setToolTip(editor.toolTip())
            form.addRow(label, editor)
            editors[spec.key] = editor
            self._forms[editor] = form
        return box

    def _auto_value(self, spec: FieldSpec) -> Callable[[], float] | None:
        fn = AUTO_VALUES.get(spec.key)
        return (lambda: fn(self._settings)) if fn else None

    def _update_rows(self) -> None:
        """Show the rows that apply to the chosen effect."""
        effect = self._settings.camera_path  # a dataset render shows the dataset's fields
        for spec in self.fields:
            visible = spec.key not in SERVER_ONLY and settings_mod.field_applies(spec, effect)
            editor = self.editors[spec.key]
            self._forms[editor].setRowVisible(editor, visible)

    def _update_cost(self) -> None:
        s = self._settings
        w, h = s.size
        what = f"dataset {w}×{h}" if s.is_dataset else f"{w}×{h}, {s.frame_count} frames ({s.length:g} s)"
        self.cost_label.setText(f"<b>{credits_text(s.credits)}</b> · {what}")

    # --- values ---------------------------------------------------------------------------------
    def settings(self) -> Settings:
        """The last valid settings."""
        return self._settings

    def files(self) -> RenderFiles:
        return self._files

    def editor_json(self) -> dict[str, Any]:
        """What the editors hold now, as renderSettings JSON (None = default, left out)."""
        return {spec.key: self.editors[spec.key].value() for spec in self.fields
                if self.editors[spec.key].value() is not None}  # fmt: skip

    def set_settings(self, settings: Settings, files: RenderFiles | None = None, *, emit: bool = True) -> None:
        """Show `settings` (and files) in the editors."""
        for spec in self.fields:
            self.editors[spec.key].set_value(getattr(settings, spec.attr, spec.default))
        if files is not None:
            for name, editor in self.file_editors.items():
                editor.set_value(getattr(files, name))
        self._validate(emit=emit)

    def set_choices(self, key: str, choices: list[tuple[str, str | None]] | None) -> None:
        """Offer known values for a free-text setting (the model's animation clips and material variants)."""
        editor = self.editors.get(key)
        if editor is not None and hasattr(editor, "set_choices"):
            editor.set_choices(choices)

    def reset(self) -> None:
        """Every setting back to its default; no files."""
        for spec in self.fields:
            self.editors[spec.key].set_value(spec.default)
        for editor in self.file_editors.values():
            editor.set_value(None)
        self._validate(emit=True)

    def _on_edited(self) -> None:
        self._validate(emit=True)

    def _validate(self, *, emit: bool) -> bool:
        for editor in (*self.editors.values(), *self.file_editors.values()):
            editor.set_error(None)
        try:
            settings = settings_mod.Settings.from_json(self.editor_json())
        except InvalidSettings as err:
            self._show_error(self.editors.get(err.field or ""), str(err))
            return False
        except Exception as err:  # e.g. a kind the engine's validation does not know yet
            log.warning("settings validation failed", exc_info=True)
            self._show_error(None, error_text(err))
            return False
        files = self._read_files()
        if files is None:
            return False
        self.error_label.setVisible(False)
        self._settings, self._files = settings, files
        self._update_rows()
        self._update_cost()
        for editor in self.editors.values():
            if isinstance(editor, NumberEditor):
                editor.refresh_auto()
        if emit:
            self.changed.emit(settings, files)
        return True

    def _read_files(self) -> RenderFiles | None:
        """The chosen files, or None (with the editor marked) where one does not exist."""
        values = {}
        for name, editor in self.file_editors.items():
            path = editor.value()
            if path and not Path(path).is_file():
                self._show_error(editor, f"{label_for(name).lower()} file not found: {path}")
                return None
            values[name] = path
        return RenderFiles(**values)

    def _show_error(self, editor: FieldEditor | None, message: str) -> None:
        if editor is not None:
            editor.set_error(message)
        self.error_label.setText(message)
        self.error_label.setVisible(True)
        log.info("setting refused: %s", message)
