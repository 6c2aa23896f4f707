"""The live preview: effects and parameters changed through the widgets, frame-accurate
scrubbing, playback, mouse orbit, and the paused frame against the pipeline's frame."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from .conftest import open_model, pipeline_frame, wait_exact


def choose(panel, key: str, value) -> None:
    combo = panel.editors[key].combo
    combo.setCurrentIndex(combo.findData(value))


def type_number(qtbot, panel, key: str, text: str) -> None:
    """Type into a setting's spin box as an artist would: select, type, Enter."""
    line = panel.editors[key].spin.lineEdit()
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)


def difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a.astype(np.int16) - b.astype(np.int16))


def test_paused_frame_after_scrubbing_matches_the_pipeline(window, qtbot, product_path, tmp_path):
    open_model(window, qtbot, product_path)
    panel = window.panel
    choose(panel, "effect", "hero-spin")
    assert panel.editors["easeOutRatio"].isVisibleTo(panel)  # hero-spin's own parameter appeared
    assert not panel.editors["amplitude"].isVisibleTo(panel)  # showcase's did not
    type_number(qtbot, panel, "easeOutRatio", "0.35")
    type_number(qtbot, panel, "rotateY", "40")
    choose(panel, "quality", "share")
    wait_exact(window, qtbot)
    settings = window.settings()
    assert (settings.effect, settings.ease_out_ratio, settings.rotate_y) == ("hero-spin", 0.35, 40)

    slider = window.preview.slider
    slider.setSliderDown(True)  # a drag: fast frames on the way...
    for position in (30, 80, 123):
        slider.setSliderPosition(position)
    qtbot.waitUntil(lambda: window.preview.frame_info.index == 123)
    assert not window.preview.frame_info.exact
    slider.setSliderDown(False)  # ...and the exact frame on release
    wait_exact(window, qtbot, index=123)

    frame = window.preview.frame
    reference = pipeline_frame(product_path, settings, 123, tmp_path)
    assert frame.shape == reference.shape == (540, 960, 4)
    diff = difference(frame, reference)
    print("preview vs pipeline: mean", diff.mean(), "max", diff.max(), "p99.9", np.percentile(diff, 99.9))
    assert diff.mean() < 0.5


def test_background_image_overlay_and_vignette_match_the_pipeline(window, qtbot, product_path, tmp_path):
    """The same compositing as the video: background image at its anchor, foreground overlay,
    vignette, chosen through the panel's file choosers and widgets."""
    from PIL import Image

    backdrop, overlay = tmp_path / "backdrop.png", tmp_path / "frame.png"
    ramp = np.linspace(0, 255, 64, dtype=np.uint8)
    gradient = np.stack(np.broadcast_arrays(ramp[:, None], ramp[None, :], np.uint8(128)), -1)
    Image.fromarray(np.ascontiguousarray(gradient)).save(backdrop)
    border = np.zeros((90, 160, 4), np.uint8)
    border[:8] = border[-8:] = (200, 30, 30, 255)
    Image.fromarray(border).save(overlay)
    open_model(window, qtbot, product_path)
    panel = window.panel
    for name, path in (("background_image", backdrop), ("foreground_image", overlay)):
        editor = panel.file_editors[name]
        editor.text.setText(str(path))
        editor.text.editingFinished.emit()
    choose(panel, "bgAlign", "center")
    type_number(qtbot, panel, "vignette", "0.6")
    window.preview.seek(40)
    wait_exact(window, qtbot, index=40)
    assert window.files().background_image == str(backdrop)
    reference = pipeline_frame(product_path, window.settings(), 40, tmp_path, window.files())
    assert difference(window.preview.frame, reference).mean() < 0.5
    assert tuple(window.preview.frame[2, 480, :3]) == (200, 30, 30)  # the overlay's top border


def test_a_panorama_with_a_sun_previews_as_the_pipeline_renders_it(window, qtbot, product_path, tmp_path):
    """An outdoor .hdr chosen in the panel: its sun lights the preview with the model's shadows on
    itself and the floor (the shadow map and its shaders in Qt's GL context), as in the video."""
    import cv2

    from tests.engine.test_sun import sky_with_sun

    hdr = tmp_path / "sunny.hdr"
    cv2.imwrite(str(hdr), sky_with_sun((1.0, 1.0, 0.3), (6.0, 6.0, 6.0), sky=0.3))
    open_model(window, qtbot, product_path)
    editor = window.panel.file_editors["environment"]
    editor.text.setText(str(hdr))
    editor.text.editingFinished.emit()
    window.preview.seek(20)
    wait_exact(window, qtbot, index=20)
    assert window.files().environment == str(hdr)
    reference = pipeline_frame(product_path, window.settings(), 20, tmp_path, window.files())
    assert difference(window.preview.frame, reference).mean() < 0.5


def test_playback_plays_fast_frames_loops_and_pauses_on_the_exact_frame(window, qtbot, product_path):
    open_model(window, qtbot, product_path)
    type_number(qtbot, window.panel, "length", "3")  # 90 frames: one loop is quick
    wait_exact(window, qtbot)
    preview = window.preview
    shown = []
    preview.frameShown.connect(shown.append)
    qtbot.mouseClick(preview.play_button, Qt.MouseButton.LeftButton)
    assert preview.playing
    # It loops: the frame index comes back to the start after the last frame.
    qtbot.waitUntil(lambda: any(b.index < a.index for a, b in zip(shown, shown[1:])), timeout=20_000)
    assert all(not info.exact for info in shown)  # playing draws fast (1x) frames
    assert {info.size for info in shown} != {(960, 540)} or len(shown) > 1
    qtbot.keyClick(window.preview.canvas.native, Qt.Key.Key_Space)  # the window's play/pause shortcut
    assert not preview.playing
    wait_exact(window, qtbot)
    assert preview.frame_info.index == preview.slider.value()
    assert preview.frame_info.size == (960, 540)


def test_settings_change_rebuilds_the_preview_and_keeps_the_position(window, qtbot, product_path):
    open_model(window, qtbot, product_path)
    window.preview.seek(90)
    wait_exact(window, qtbot, index=90)
    before = window.preview.frame.copy()
    choose(window.panel, "aspect", "1:1")
    type_number(qtbot, window.panel, "length", "12")  # twice the frames: the same moment is frame 180
    wait_exact(window, qtbot)
    assert window.preview.frame_info.index == 180
    assert window.preview.frame.shape == (540, 540, 4)
    assert window.preview.slider.maximum() == 359
    assert before.shape != window.preview.frame.shape


def _mouse(widget, kind, pos: QPoint, button=Qt.MouseButton.LeftButton, buttons=Qt.MouseButton.LeftButton):
    event = QMouseEvent(kind, QPointF(pos), QPointF(widget.mapToGlobal(pos)), button, buttons,
                        Qt.KeyboardModifier.NoModifier)  # fmt: skip
    QApplication.sendEvent(widget, event)


def test_mouse_orbit_while_paused_then_reset(window, qtbot, product_path):
    from PySide6.QtCore import QEvent

    open_model(window, qtbot, product_path)
    window.preview.seek(0)
    wait_exact(window, qtbot, index=0)
    straight = window.preview.frame.copy()
    native = window.preview.canvas.native
    centre = native.rect().center()
    _mouse(native, QEvent.Type.MouseButtonPress, centre)
    for step in range(1, 6):
        _mouse(native, QEvent.Type.MouseMove, centre + QPoint(20 * step, 5 * step), Qt.MouseButton.NoButton)
    qtbot.waitUntil(lambda: not window.preview.frame_info.orbit.is_identity)
    assert not window.preview.frame_info.exact  # fast frames while dragging
    _mouse(native, QEvent.Type.MouseButtonRelease, centre + QPoint(100, 25), buttons=Qt.MouseButton.NoButton)
    qtbot.waitUntil(lambda: window.preview.frame_info.exact)
    orbit = window.preview.frame_info.orbit
    assert orbit.azimuth < 0 and orbit.elevation > 0  # dragged right and down: the model turned
    assert difference(window.preview.frame, straight).mean() > 1.0
    window.preview.reset_orbit()
    qtbot.waitUntil(lambda: window.preview.frame_info.orbit.is_identity and window.preview.frame_info.exact)
    assert difference(window.preview.frame, straight).max() == 0


def test_output_aspect_is_the_drawn_frame(window, qtbot, product_path):
    from dxgl_gui.frame_canvas import SURROUND

    open_model(window, qtbot, product_path)
    choose(window.panel, "aspect", "9:16")
    wait_exact(window, qtbot)
    canvas = window.preview.canvas
    x, y, w, h = canvas.frame_rect()
    assert abs(w / h - 9 / 16) < 0.02
    qtbot.waitUntil(lambda: canvas.native.grabFramebuffer().width() > 0)
    image = canvas.native.grabFramebuffer()
    ratio = image.width() / canvas.physical_size[0]
    outside = image.pixelColor(int(max(x - 10, 1) * ratio), image.height() // 2)
    assert abs(outside.redF() - SURROUND[0]) < 0.02  # left of the frame: the surround
    inside = image.pixelColor(int((x + 4) * ratio), image.height() // 2)
    assert inside.red() > 200  # the frame's own (white) background


def test_animation_clips_are_a_drop_down(window, qtbot, animated_path):
    open_model(window, qtbot, animated_path)
    editor = window.panel.editors["animation"]
    items = [editor.combo.itemData(i) for i in range(editor.combo.count())]
    assert items == [None, "*", "Spin", "Bounce"]
    choose(window.panel, "animation", "Bounce")
    type_number(qtbot, window.panel, "animationSpeed", "2")
    wait_exact(window, qtbot)
    assert (window.settings().animation, window.settings().animation_speed) == ("Bounce", 2.0)
    assert window.preview.live.settings.animation == "Bounce"


def test_a_clip_the_model_lacks_is_a_dialog_not_a_crash(window, qtbot, product_path):
    from dxgl_engine.settings import Settings

    from .conftest import message_boxes

    open_model(window, qtbot, product_path)
    window.panel.set_settings(Settings.from_json({"animation": "Walk"}))  # e.g. a preset made for another model
    qtbot.waitUntil(lambda: bool(message_boxes(window)), timeout=10_000)
    (box,) = message_boxes(window)
    assert "animation 'Walk'" in box.text() and "Traceback" not in box.text()
    assert window.preview.live is None and window.preview.message.isVisibleTo(window)
    box.accept()
    choose(window.panel, "animation", None)  # back to no clip: the preview returns
    wait_exact(window, qtbot)


def test_material_variants_are_a_drop_down_that_repaints_the_preview(window, qtbot, variants_path, product_path):
    open_model(window, qtbot, variants_path)
    editor = window.panel.editors["materialVariant"]
    assert [editor.combo.itemData(i) for i in range(editor.combo.count())] == [None, "Red", "Blue"]
    assert editor.combo.itemText(0) == "(default materials)" and editor.combo.isVisibleTo(window.panel)
    grey = window.preview.frame.copy()
    choose(window.panel, "materialVariant", "Blue")
    wait_exact(window, qtbot)
    assert window.settings().material_variant == window.preview.live.settings.material_variant == "Blue"
    blue = window.preview.frame
    changed = difference(blue, grey).max(axis=-1) > 30  # the cube's pixels; background and slab stay
    assert 0.02 < changed.mean() < 0.5
    (r, g, b), (r0, g0, b0) = blue[changed][:, :3].mean(0), grey[changed][:, :3].mean(0)
    assert b - r > 60 and b - g > 60 and abs(b0 - r0) < 10, ((r, g, b), (r0, g0, b0))
    open_model(window, qtbot, product_path)  # a model without variants: the choice goes, the preview stays
    assert window.settings().material_variant is None and window.preview.live is not None
    assert [editor.combo.itemData(i) for i in range(editor.combo.count())] == [None]


@pytest.mark.shared_assets
def test_a_third_party_animated_model_matches_the_pipeline(window, qtbot, shared_assets, tmp_path):
    truck = shared_assets / "khronos" / "CesiumMilkTruck" / "CesiumMilkTruck.glb"
    open_model(window, qtbot, truck)
    panel = window.panel
    choose(panel, "effect", "showcase")
    type_number(qtbot, panel, "amplitude", "35")
    choose(panel, "animation", "*")
    choose(panel, "aspect", "1:1")
    wait_exact(window, qtbot)
    slider = window.preview.slider
    slider.setSliderDown(True)
    slider.setSliderPosition(70)
    slider.setSliderDown(False)
    wait_exact(window, qtbot, index=70)
    settings = window.settings()
    assert (settings.effect, settings.amplitude, settings.animation, settings.aspect) == ("showcase", 35, "*", "1:1")
    reference = pipeline_frame(truck, settings, 70, tmp_path)
    assert window.preview.frame.shape == reference.shape == (540, 540, 4)
    assert difference(window.preview.frame, reference).mean() < 0.5
