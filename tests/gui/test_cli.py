"""`dxgl gui` is registered through the dxgl.commands entry points; without PySide6 or a display
it says so in one line instead of a traceback."""
from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points

from dxgl_gui import cli


def run(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})  # fmt: skip


def test_gui_is_a_dxgl_command():
    names = {ep.name: ep.value for ep in entry_points(group="dxgl.commands")}
    assert names.get("gui") == "dxgl_gui.cli:register"
    result = run(["-m", "dxgl_engine.cli", "gui", "--help"])
    assert result.returncode == 0 and "MODEL" in result.stdout.upper()


def test_python_m_dxgl_gui_help():
    result = run(["-m", "dxgl_gui", "--help"])
    assert result.returncode == 0 and "model" in result.stdout


def test_missing_pyside6_is_one_sentence():
    code = "import sys; sys.modules['PySide6'] = None; from dxgl_gui import cli; sys.exit(cli.main([]))"
    result = run(["-c", code])
    assert result.returncode == cli.EXIT_ERROR
    assert result.stderr.strip() == cli.MISSING_QT
    assert "dxgl[gui]" in cli.MISSING_QT


def test_no_display_is_one_line():
    result = run(["-m", "dxgl_gui"], env={"DISPLAY": "", "WAYLAND_DISPLAY": "", "QT_QPA_PLATFORM": "xcb"})
    assert result.returncode == 2
    assert result.stderr.strip().startswith("dxgl gui: no display")


APP_SCRIPT = """
import sys
from PySide6.QtWidgets import QApplication
from dxgl_gui import cli
from dxgl_gui.main_window import MainWindow

opened = MainWindow.open_model

def open_and_quit(window, path):
    opened(window, path)
    window.loader.loaded.connect(lambda scene, p: (print("opened", p), window.close(), QApplication.quit()))

MainWindow.open_model = open_and_quit
sys.exit(cli.main(sys.argv[1:]))
"""


def test_the_app_opens_the_model_it_is_given(x_display, product_path, tmp_path):
    result = run(["-c", APP_SCRIPT, str(product_path)],
                 env={"DISPLAY": x_display, "QT_QPA_PLATFORM": "xcb", "XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert f"opened {product_path}" in result.stdout
    assert list(tmp_path.rglob("*.conf"))  # it kept its state in QSettings
