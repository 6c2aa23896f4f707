"""Messages for the user. Every error reaches the artist as a dialog with one readable line;
dialogs open without blocking (window-modal), so the app and its preview keep running."""
from __future__ import annotations

import logging
import sys
import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)


def show_error(parent: QWidget, title: str, message: str) -> QMessageBox:
    return _message(parent, QMessageBox.Icon.Critical, title, message)


def show_warning(parent: QWidget, title: str, message: str) -> QMessageBox:
    return _message(parent, QMessageBox.Icon.Warning, title, message)


def show_info(parent: QWidget, title: str, message: str) -> QMessageBox:
    return _message(parent, QMessageBox.Icon.Information, title, message)


def _message(parent: QWidget, icon: QMessageBox.Icon, title: str, message: str) -> QMessageBox:
    box = QMessageBox(icon, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("dxglMessage")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    log.info("%s: %s", title, message)
    return box


def error_text(err: BaseException) -> str:
    """One line for a dialog: the engine's own message, or the type and text of a bug."""
    from dxgl_engine import DxglError

    if isinstance(err, DxglError):
        return str(err)
    return f"internal error: {type(err).__name__}: {err}"


def install_exception_dialog(parent: QWidget) -> None:
    """Uncaught exceptions in Qt slots become a dialog (and a log record with the traceback)."""

    def hook(exc_type, exc, tb):
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        show_error(parent, "Unexpected error", error_text(exc))

    sys.excepthook = hook
