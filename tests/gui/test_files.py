"""Files: open by dialog, drag-and-drop and the recent list; a broken model is a dialog with the
engine's message and the app goes on; presets are the API's renderSettings JSON; the window and
the last settings come back through QSettings."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog

from dxgl_engine import load_model
from dxgl_engine.errors import InvalidFormat
from dxgl_engine.settings import Settings

from .conftest import LOAD_TIMEOUT_MS, message_boxes, open_model, wait_exact


def drop(window, path) -> bool:
    """Drag a file from a file manager onto the window and let go."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    pos = QPointF(window.width() / 2, window.height() / 2)
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)  # fmt: skip
    window.dragEnterEvent(enter)
    if not enter.isAccepted():
        return False
    window.dropEvent(QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier))  # fmt: skip
    return True


def test_open_through_the_file_dialog(window, qtbot, product_path, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(product_path), ""))
    with qtbot.waitSignal(window.loader.loaded, timeout=LOAD_TIMEOUT_MS):
        window.open_action.trigger()
    wait_exact(window, qtbot)
    assert window.model_path == str(product_path)
    assert window.windowTitle().endswith("product.glb")


def test_drag_and_drop_opens_models_and_refuses_other_files(window, qtbot, animated_path, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert not drop(window, text)
    with qtbot.waitSignal(window.loader.loaded, timeout=LOAD_TIMEOUT_MS):
        assert drop(window, animated_path)
    wait_exact(window, qtbot)
    assert window.model_path == str(animated_path)


def test_recent_files_list(window, qtbot, product_path, animated_path):
    open_model(window, qtbot, product_path)
    open_model(window, qtbot, animated_path)
    assert window.prefs.recent_files()[:2] == [str(animated_path), str(product_path)]
    actions = [a for a in window.recent_menu.actions() if a.text() == str(product_path)]
    with qtbot.waitSignal(window.loader.loaded, timeout=LOAD_TIMEOUT_MS):
        actions[0].trigger()
    wait_exact(window, qtbot)
    assert window.model_path == str(product_path)
    assert window.prefs.recent_files()[0] == str(product_path)


def _broken_glb(tmp_path):
    path = tmp_path / "broken.glb"
    path.write_bytes(b"glTF\x02\x00\x00\x00\xff\xff\x00\x00junk")
    with pytest.raises(InvalidFormat) as err:
        load_model(path)
    return path, str(err.value)


def test_a_broken_model_is_a_dialog_and_the_app_goes_on(window, qtbot, tmp_path, product_path):
    open_model(window, qtbot, product_path)
    broken, message = _broken_glb(tmp_path)
    with qtbot.waitSignal(window.loader.failed, timeout=LOAD_TIMEOUT_MS):
        window.open_model(broken)
    boxes = message_boxes(window)
    assert len(boxes) == 1 and message in boxes[0].text() and "Traceback" not in boxes[0].text()
    assert window.model_path == str(product_path)  # the model on screen stays
    assert window.preview.frame is not None
    boxes[0].accept()
    open_model(window, qtbot, product_path)  # and the app still works


@pytest.mark.shared_assets
def test_broken_third_party_files_are_dialogs(window, qtbot, shared_assets):
    for rel in ("broken/validator/glb__invalid_magic.glb", "broken/validator/buffer__not_found.gltf",
                "broken/obj_zip_missing_texture/missing_texture.zip", "broken/trimesh/empty.obj"):  # fmt: skip
        path = shared_assets / rel
        try:
            load_model(path)
            continue  # loads (with warnings): not a broken-file case for this engine
        except Exception as err:
            message = str(err)
        with qtbot.waitSignal(window.loader.failed, timeout=LOAD_TIMEOUT_MS):
            window.open_model(path)
        (box,) = message_boxes(window)
        assert message in box.text(), rel
        box.accept()
        qtbot.waitUntil(lambda: not message_boxes(window))


def test_presets_are_render_settings_json(window, qtbot, tmp_path):
    panel = window.panel
    chosen = Settings.from_json({"effect": "zoom-orbit", "zoomEnd": 0.5, "bgColor": "#203040", "length": 4,
                                 "easing": False, "toneMapping": "aces"})  # fmt: skip
    panel.set_settings(chosen)
    path = tmp_path / "look.json"
    assert window.save_preset(path)
    data = json.loads(path.read_text())
    assert data == chosen.to_json()  # only the non-defaults, named as the API names them
    assert Settings.from_json(data) == chosen  # what the API validates renderSettings with
    panel.reset()
    assert window.settings() == Settings()
    assert window.load_preset(path)
    assert window.settings() == chosen


def test_a_bad_preset_is_a_dialog(window, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"effect": "spiral"}))
    assert not window.load_preset(path)
    (box,) = message_boxes(window)
    assert "effect must be one of" in box.text()
    assert window.settings() == Settings()


def test_window_state_and_last_settings_persist(qtbot, prefs, product_path):
    from dxgl_gui.main_window import MainWindow

    first = MainWindow(prefs)
    qtbot.addWidget(first)
    first.show()
    first.resize(1100, 700)
    first.panel.set_settings(Settings.from_json({"effect": "showcase", "amplitude": 75, "aspect": "1:1"}))
    first.settings_dock.hide()
    first.close()

    second = MainWindow(prefs)
    qtbot.addWidget(second)
    second.show()
    assert (second.width(), second.height()) == (1100, 700)
    assert second.settings() == Settings.from_json({"effect": "showcase", "amplitude": 75, "aspect": "1:1"})
    assert not second.settings_dock.isVisible()


def test_last_files_are_remembered_while_they_exist(prefs, tmp_path):
    from dxgl_engine.render_files import RenderFiles

    image = tmp_path / "backdrop.png"
    image.write_bytes(b"png")
    prefs.set_last_files(RenderFiles(background_image=str(image), foreground_image=str(tmp_path / "gone.png")))
    assert prefs.last_files() == RenderFiles(background_image=str(image))
    prefs.store.setValue("render/settings", json.dumps({"effect": "spiral", "length": 5}))
    assert prefs.last_settings() == Settings.from_json({"length": 5})  # the refused field alone is dropped
