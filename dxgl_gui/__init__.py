"""dxgl_gui: the desktop app for studio artists (PySide6 + a vispy preview).

Kept import-free on purpose: `dxgl` loads `dxgl_gui.cli` on every run to register the `gui`
command, and export worker processes import `dxgl_gui.export_worker`; neither may pull in Qt.
"""
