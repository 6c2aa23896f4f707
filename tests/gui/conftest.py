"""GUI tests: real windows on a private Xvfb display (started here, so `make test` needs no
desktop), pytest-qt's qtbot, and a main window whose QSettings live in the test's folder.

Qt's `offscreen` platform breaks vispy's framebuffers, so the tests use xcb on Xvfb; they skip,
saying why, only where neither Xvfb nor a display exists."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.gltf_builder import GltfBuilder, cube_corners, variant_cube

SCREEN = "1600x1000x24"
GUI_DIR = Path(__file__).resolve().parent
ISOLATED = "DXGL_GUI_TESTS_ISOLATED"
CHILD_TIMEOUT_S = 1800


# --- one process for Qt's OpenGL, another for the engine's EGL ------------------------------------
# A process that has used the engine's headless EGL context cannot open Qt GL windows, and the
# other way round (Mesa crashes or refuses to make the context current). So when these tests are
# collected together with others (`make test`), they run in a child pytest of their own.
def _is_gui(item) -> bool:
    return GUI_DIR in Path(str(item.fspath)).resolve().parents


def pytest_collection_modifyitems(session, config, items):
    gui = [item for item in items if _is_gui(item)]
    if not gui or len(gui) == len(items) or os.environ.get(ISOLATED):
        return
    runner = GuiTestsInChildProcess.from_parent(gui[0].parent, name="gui_tests_in_their_own_process")
    runner.node_ids = [item.nodeid for item in gui]
    runner.add_marker(pytest.mark.timeout(CHILD_TIMEOUT_S))
    items[:] = [item for item in items if not _is_gui(item)] + [runner]


class GuiTestsInChildProcess(pytest.Item):
    """Runs the selected GUI tests in a child pytest; fails with its report if any of them fails."""

    node_ids: list[str] = []

    def runtest(self) -> None:
        root = Path(str(self.config.rootpath))
        args = [sys.executable, "-m", "pytest", "-q", "-rfEs", "-p", "no:cacheprovider", *self.node_ids]
        env = {**os.environ, ISOLATED: "1"}
        result = subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S)
        self.add_report_section("call", "gui tests", result.stdout[-20_000:])
        if result.returncode not in (0, 5):
            raise GuiTestsFailed(result.stdout[-20_000:] + result.stderr[-5_000:])
        summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
        if " passed" not in summary:  # all skipped (no X server): say why, as the tests would
            reasons = [line.split(": ", 1)[-1] for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
            pytest.skip(reasons[0] if reasons else f"GUI tests did not run: {summary}")

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, GuiTestsFailed):
            return f"GUI tests failed in their own process:\n{excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"{len(self.node_ids)} GUI tests in their own process"


class GuiTestsFailed(Exception):
    pass


def _start_xvfb() -> tuple[subprocess.Popen, str] | None:
    """Xvfb on a free display number (it writes the number it took to -displayfd)."""
    if not shutil.which("Xvfb"):
        return None
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", SCREEN, "-nolisten", "tcp"],
                            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()  # blocks until the server is ready (or has died: EOF)
    if not number:
        proc.wait()
        return None
    return proc, f":{number}"


@pytest.fixture(scope="session")
def x_display():
    started = _start_xvfb()
    if started is None:
        if not os.environ.get("DISPLAY"):
            pytest.skip("GUI tests need an X server: Xvfb is missing or did not start (apt-get install xvfb) "
                        "and DISPLAY is unset")
        yield os.environ["DISPLAY"]
        return
    proc, display = started
    saved = {k: os.environ.get(k) for k in ("DISPLAY", "QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    os.environ.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    os.environ.pop("WAYLAND_DISPLAY", None)
    yield display
    proc.terminate()
    proc.wait(10)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def qapp(x_display, tmp_path_factory):
    """pytest-qt's application, made the way the app makes it (vispy on PySide6), with the
    default QSettings location moved into a temporary folder."""
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope,
                      str(tmp_path_factory.mktemp("qsettings")))  # fmt: skip
    from dxgl_gui.app import create_application

    app = create_application(["dxgl-tests"])
    yield app
    app.shutdown()  # before the X server goes: Qt would complain that its connection broke


@pytest.fixture
def prefs(qapp, tmp_path):
    from PySide6.QtCore import QSettings

    from dxgl_gui.preferences import Preferences

    return Preferences(QSettings(str(tmp_path / "dxgl-desktop.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def window(qtbot, prefs):
    from dxgl_gui.main_window import MainWindow

    win = MainWindow(prefs)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()  # keyboard shortcuts need the active window (Xvfb has no window manager)
    qtbot.waitUntil(win.isActiveWindow)
    yield win
    if win.export_job is not None:
        win.export_job.shutdown()


@pytest.fixture(scope="session")
def product_path() -> Path:
    from dxgl_engine.samples import sample_path

    return sample_path("product")


@pytest.fixture(scope="session")
def animated_path(tmp_path_factory) -> Path:
    """A cube with two named clips and a points primitive (which the reader skips, with a warning)."""
    b = GltfBuilder()
    positions, indices = cube_corners()
    cube = b.primitive(positions, indices)
    points = b.primitive(np.array([[0, 3, 0], [1, 3, 0]], np.float32), mode=0)
    node = b.node(mesh=b.mesh(cube, points), name="cube")
    b.scene(node)
    times = b.accessor(np.array([0.0, 1.0, 2.0], np.float32), min=[0.0], max=[2.0])
    half = np.sqrt(0.5)
    turns = b.accessor(np.array([[0, 0, 0, 1], [0, half, 0, half], [0, 0, 0, 1]], np.float32))
    lifts = b.accessor(np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], np.float32))
    b.gltf["animations"] = [
        {"name": "Spin", "samplers": [{"input": times, "output": turns}],
         "channels": [{"sampler": 0, "target": {"node": node, "path": "rotation"}}]},
        {"name": "Bounce", "samplers": [{"input": times, "output": lifts}],
         "channels": [{"sampler": 0, "target": {"node": node, "path": "translation"}}]},
    ]  # fmt: skip
    return b.write_glb(tmp_path_factory.mktemp("models") / "animated.glb")


@pytest.fixture(scope="session")
def variants_path(tmp_path_factory) -> Path:
    """A grey cube whose material variants "Red" and "Blue" repaint it (KHR_materials_variants)."""
    return variant_cube().write_glb(tmp_path_factory.mktemp("models") / "variants.glb")


# --- helpers ------------------------------------------------------------------------------------
LOAD_TIMEOUT_MS = 60_000
RENDER_TIMEOUT_MS = 30_000


def open_model(window, qtbot, path) -> None:
    """Open through the window and wait until the exact first frame is on screen."""
    with qtbot.waitSignal(window.loader.loaded, timeout=LOAD_TIMEOUT_MS):
        window.open_model(path)
    wait_exact(window, qtbot)


def wait_exact(window, qtbot, index: int | None = None) -> None:
    """Wait until the preview shows the exact frame for the panel's current settings."""
    preview = window.preview

    def settled():
        info, live = preview.frame_info, preview.live
        return (live is not None and info is not None and info.exact and not window._settings_timer.isActive()
                and live.settings == window.settings() and not preview._render_timer.isActive()
                and not preview.canvas.frame_pending
                and (index is None or info.index == index))  # fmt: skip

    qtbot.waitUntil(settled, timeout=RENDER_TIMEOUT_MS)


def message_boxes(window) -> list:
    from PySide6.QtWidgets import QMessageBox

    return [b for b in window.findChildren(QMessageBox) if b.isVisible()]


REFERENCE_SCRIPT = """
import json, sys
import numpy as np
from dxgl_engine import load_model
from dxgl_engine.pipeline.timeline import Timeline
from dxgl_engine.render_files import RenderFiles
from dxgl_engine.settings import Settings
model, settings_json, files_json, index, out = sys.argv[1:6]
settings = Settings.from_json(json.loads(settings_json))
files = RenderFiles(**json.loads(files_json))
timeline = Timeline(load_model(model), settings, files=files)  # headless EGL, like the export worker
np.save(out, timeline.frame(int(index), timeline.backdrop))
"""


def pipeline_frame(model: Path, settings, index: int, tmp_path: Path, files=None) -> np.ndarray:
    """Frame `index` from the engine's Timeline with the settings' backdrop, in a separate headless
    (EGL) process; the export test compares the pipeline's own files (poster, video) as well."""
    out = tmp_path / f"reference-{index}.npy"
    files = {k: v for k, v in vars(files).items() if v} if files is not None else {}
    env = {**os.environ, "EGL_PLATFORM": "surfaceless"}
    subprocess.run([sys.executable, "-c", REFERENCE_SCRIPT, str(model), json.dumps(settings.to_json()),
                    json.dumps(files), str(index), str(out)], check=True, env=env, timeout=300)  # fmt: skip
    return np.load(out)
