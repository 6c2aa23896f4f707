"""The settings panel is generated from the engine's FIELDS: every setting has an editor with the
spec's range, default and choices; effect parameters show only for their effect; invalid values
cannot be entered; a FieldSpec added later appears without GUI code."""
from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QColorDialog

from dxgl_engine.motion import camera_paths
from dxgl_engine import settings as settings_mod
from dxgl_engine.settings import FIELDS, FieldSpec, Settings, field_applies
from dxgl_engine.tiers import TIERS
from dxgl_gui.field_editors import (
    BooleanEditor, ColorEditor, EnumEditor, NumberEditor, PathEditor, StringEditor, TextEditor,
)  # fmt: skip
from dxgl_gui.settings_panel import SERVER_ONLY, SettingsPanel

KINDS = {"enum": EnumEditor, "number": NumberEditor, "integer": NumberEditor, "boolean": BooleanEditor,
         "color": ColorEditor, "string": StringEditor, "path": PathEditor}  # fmt: skip


@pytest.fixture
def panel(qtbot):
    panel = SettingsPanel()
    qtbot.addWidget(panel)
    panel.resize(420, 900)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_every_field_has_an_editor_from_its_spec(panel):
    assert list(panel.editors) == [spec.key for spec in FIELDS]
    for spec in FIELDS:
        editor = panel.editors[spec.key]
        assert isinstance(editor, KINDS.get(spec.kind, TextEditor)), spec.key
        assert editor.value() == spec.default, spec.key
        if spec.kind == "enum":
            assert [editor.combo.itemData(i) for i in range(editor.combo.count())] == list(spec.choices)
        if spec.kind in ("number", "integer") and spec.minimum is not None:
            assert (editor.spin.minimum(), editor.spin.maximum()) == (spec.minimum, spec.maximum), spec.key
    assert panel.settings() == Settings()
    extensions = [s.key for s in FIELDS if s.extension]
    for key in extensions:  # the look extensions sit in their own group
        assert panel.editors[key].parent().title() == "Look (extensions)"


@pytest.mark.parametrize("effect", settings_mod.EFFECTS)
def test_effect_parameters_show_only_for_their_effect(panel, effect):
    combo = panel.editors["effect"].combo
    combo.setCurrentIndex(combo.findData(effect))
    assert panel.settings().effect == effect
    for spec in FIELDS:
        expected = field_applies(spec, effect) and spec.key not in SERVER_ONLY
        assert panel.editors[spec.key].isVisibleTo(panel) == expected, (effect, spec.key)


def test_quality_shows_its_credit_cost(panel):
    combo = panel.editors["quality"].combo
    texts = [combo.itemText(i) for i in range(combo.count())]
    for text, tier in zip(texts, TIERS.values()):
        assert f"{tier.credits} credit" in text
    combo.setCurrentIndex(combo.findData("4k"))
    assert panel.cost_label.text().startswith(f"<b>{TIERS['4k'].credits} credits")


def test_invalid_values_cannot_be_entered(panel, qtbot):
    rotate = panel.editors["rotateY"].spin.lineEdit()
    rotate.selectAll()
    qtbot.keyClicks(rotate, "999")  # the range is -180..180: the third digit is refused
    qtbot.keyClick(rotate, Qt.Key.Key_Return)
    assert -180 <= panel.settings().rotate_y <= 180
    colour = panel.editors["bgColor"].text
    colour.selectAll()
    qtbot.keyClicks(colour, "#zz12")  # only hex digits can be typed
    assert colour.text() == "#12"
    qtbot.keyClick(colour, Qt.Key.Key_Return)  # incomplete: not applied
    assert panel.settings().bg_color == "#ffffff"
    length = panel.editors["length"].spin.lineEdit()
    length.selectAll()
    qtbot.keyClicks(length, "1")
    qtbot.keyClick(length, Qt.Key.Key_Return)
    assert panel.settings().length >= 3


def test_free_text_settings_are_bounded_and_empty_means_default(panel):
    editor = panel.editors["animation"]
    assert editor.text.maxLength() == 200
    editor.text.setText("Walk")
    editor.text.editingFinished.emit()
    assert panel.settings().animation == "Walk"
    editor.text.setText("")
    editor.text.editingFinished.emit()
    assert panel.settings().animation is None


def test_reset_to_defaults(panel, qtbot):
    panel.set_settings(Settings.from_json({"effect": "showcase", "amplitude": 90, "bgColor": "#102030",
                                           "shadows": False, "rotateY": 30, "exposure": 2.0}))  # fmt: skip
    assert panel.settings() != Settings()
    with qtbot.waitSignal(panel.changed):
        qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    assert panel.settings() == Settings()
    assert panel.editors["amplitude"].spin.value() == 60


def test_sweep_angle_on_auto_shows_the_effects_own_value(panel):
    sweep = panel.editors["sweepAngle"]
    assert sweep.value() is None and sweep.auto.isChecked()
    assert sweep.spin.value() == camera_paths.CAMERA_PATHS["turntable"].default_sweep
    combo = panel.editors["effect"].combo
    combo.setCurrentIndex(combo.findData("hero-spin"))
    assert sweep.spin.value() == camera_paths.CAMERA_PATHS["hero-spin"].default_sweep
    sweep.auto.setChecked(False)
    sweep.spin.setValue(720)
    assert panel.settings().sweep_angle == 720


def test_colour_picker_updates_live_and_cancel_restores(panel, qtbot):
    editor = panel.editors["bgColor"]
    dialog = editor.pick()
    assert isinstance(dialog, QColorDialog) and dialog.isVisible()
    with qtbot.waitSignal(panel.changed):
        dialog.setCurrentColor(Qt.GlobalColor.red)
    assert panel.settings().bg_color == "#ff0000"
    dialog.reject()
    assert panel.settings().bg_color == "#ffffff"


def test_a_new_field_spec_appears_without_gui_code(qtbot, extend_settings):
    """What happens when the lead adds settings: a number, a path (a file chooser) and a kind no
    editor knows (edited as text) show up, with their ranges, and reach Settings."""
    new = (
        FieldSpec("grain", "grain", "number", 0.0, "Film grain amount", 0, 1, extension=True),
        FieldSpec("lutFile", "lut_file", "path", None, "Colour look-up table file", extension=True),
        FieldSpec("keyLight", "key_light", "vector3", None, "Key light direction", extension=True),
        FieldSpec("spinRate", "spin_rate", "number", 1.0, "Turns per video", 1, 4, effects=("turntable",)),
    )
    extend_settings(new)

    panel = SettingsPanel()
    qtbot.addWidget(panel)
    panel.show()
    grain, lut, key, rate = (panel.editors[s.key] for s in new)
    assert isinstance(grain, NumberEditor) and (grain.spin.minimum(), grain.spin.maximum()) == (0, 1)
    assert isinstance(lut, PathEditor) and lut.browse.isVisibleTo(panel)
    assert isinstance(key, TextEditor)
    assert rate.isVisibleTo(panel)  # a turntable parameter...
    combo = panel.editors["effect"].combo
    combo.setCurrentIndex(combo.findData("showcase"))
    assert not rate.isVisibleTo(panel)  # ...hidden for other effects
    grain.spin.setValue(0.25)
    assert panel.settings().grain == 0.25
    key.text.setText("[0, 1, 0]")  # the engine cannot validate this kind yet: refused, not a crash
    key.text.editingFinished.emit()
    assert panel.error_label.isVisibleTo(panel) and panel.settings().grain == 0.25


def test_files_group_comes_from_the_render_files_model(panel, tmp_path):
    from dxgl_engine.render_files import RenderFiles

    assert list(panel.file_editors) == [f.name for f in dataclasses.fields(RenderFiles)]
    image = tmp_path / "backdrop.png"
    image.write_bytes(b"not really a png")
    editor = panel.file_editors["background_image"]
    editor.text.setText(str(tmp_path / "missing.png"))
    editor.text.editingFinished.emit()
    assert editor.error and "not found" in editor.error
    editor.text.setText(str(image))
    editor.text.editingFinished.emit()
    assert editor.error is None
    assert panel.files().background_image == str(image)
