"""The QApplication: vispy bound to PySide6, the organisation names QSettings uses, and an
exception hook that turns a bug into a dialog instead of a traceback in a terminal."""
from __future__ import annotations

import logging
import os
import sys

from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

ORGANIZATION = "dxgl"
APPLICATION = "dxgl desktop"


def create_application(argv: list[str] | None = None) -> QApplication:
    """The process's QApplication (created once), with vispy drawing through PySide6."""
    import vispy

    vispy.use(app="pyside6")
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    return app


def display_problem() -> str | None:
    """Why no window can open, in one sentence (Qt itself would abort the process)."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        if os.environ.get("QT_QPA_PLATFORM", "xcb").startswith(("xcb", "wayland")):
            return "dxgl gui: no display (DISPLAY is not set); run it on a desktop or under xvfb-run"
    return None


def run_app(model: str | None = None) -> int:
    """Open the main window (and `model`, if given) and run the event loop."""
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    app = create_application()
    from .dialogs import install_exception_dialog
    from .main_window import MainWindow

    window = MainWindow()
    install_exception_dialog(window)
    window.show()
    if model:
        window.open_model(model)
    return app.exec()
