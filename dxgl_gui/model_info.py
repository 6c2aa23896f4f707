"""The model panel: what the reader found (triangles, materials, textures, animations, material
variants, bounds) and its warnings (skipped primitives, unsupported extensions), from the engine's
`model_info(scene)`.

Known keys get a readable line; keys the engine adds later are shown as they come."""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QListWidget, QListWidgetItem, QStyle, QVBoxLayout, QWidget

SHOWN_FIRST = ("triangles", "uniqueTriangles", "vertices", "materials", "textures", "animations", "materialVariants",
               "bounds")
HIDDEN = {"warnings"}
LABELS = {
    "triangles": "Triangles", "uniqueTriangles": "Unique triangles", "vertices": "Vertices",
    "materials": "Materials", "textures": "Textures", "animations": "Animations",
    "materialVariants": "Material variants", "bounds": "Bounds",
    "nodes": "Nodes", "meshes": "Meshes", "instances": "Instances", "primitives": "Primitives", "skins": "Skins",
    "morphTargets": "Morph targets", "lights": "Lights", "cameras": "Cameras",
    "extensionsUsed": "Extensions used", "extensionsRequired": "Extensions required",
}  # fmt: skip


def format_value(key: str, value: Any) -> str:
    """One readable line for a stats value."""
    if key == "animations":
        return ", ".join(f"{a.get('name') or '(unnamed)'} ({a.get('duration', 0):g} s)" for a in value) or "none"
    if key == "bounds":
        if not value:
            return "empty"
        lo, hi = value["min"], value["max"]
        size = " × ".join(f"{b - a:.4g}" for a, b in zip(lo, hi))
        return f"{size}\nmin ({_vec(lo)})\nmax ({_vec(hi)})"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def _vec(v) -> str:
    return ", ".join(f"{x:.4g}" for x in v)


class ModelInfoPanel(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel("No model")
        self.title.setObjectName("modelTitle")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold;")
        self.stats_box = QGroupBox("Model")
        self.form = QFormLayout(self.stats_box)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # bounds go under their label
        self.warnings = QListWidget()
        self.warnings.setObjectName("modelWarnings")
        self.warnings.setWordWrap(True)
        warn_box = QGroupBox("Warnings")
        QVBoxLayout(warn_box).addWidget(self.warnings)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.stats_box)
        layout.addWidget(warn_box, 1)
        self.values: dict[str, str] = {}

    def show_stats(self, name: str, stats: dict) -> None:
        self.title.setText(name)
        while self.form.rowCount():
            self.form.removeRow(0)
        self.values = {}
        keys = [k for k in SHOWN_FIRST if k in stats] + [k for k in stats if k not in SHOWN_FIRST and k not in HIDDEN]
        for key in keys:
            text = format_value(key, stats[key])
            self.values[key] = text
            value = QLabel(text)
            value.setObjectName(f"info_{key}")
            value.setWordWrap(True)
            self.form.addRow(LABELS.get(key, key), value)
        self._show_warnings(stats.get("warnings") or [])

    def _show_warnings(self, warnings: list[str]) -> None:
        self.warnings.clear()
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for text in warnings:
            self.warnings.addItem(QListWidgetItem(icon, text))
        if not warnings:
            self.warnings.addItem("none")

    def clear(self) -> None:
        self.show_stats("No model", {})
        self.title.setText("No model")

    def warning_texts(self) -> list[str]:
        items = [self.warnings.item(i).text() for i in range(self.warnings.count())]
        return [] if items == ["none"] else items
