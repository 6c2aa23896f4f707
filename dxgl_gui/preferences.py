"""What the app remembers between runs, in QSettings: window geometry and dock layout, recent
files, the last settings and files, the last folders, and the render server's URL and token."""
from __future__ import annotations

import json
import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from dxgl_engine import InvalidSettings, RenderFiles, Settings
from dxgl_engine import settings as settings_mod

log = logging.getLogger(__name__)

MAX_RECENT = 10


class Preferences:
    def __init__(self, store: QSettings | None = None):
        self.store = store or QSettings()

    # --- recent files -------------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.store.value("files/recent", [])
        if isinstance(value, str):  # QSettings returns a lone entry as a plain string
            value = [value]
        return [str(v) for v in value or []]

    def add_recent(self, path: str) -> list[str]:
        recent = [path] + [p for p in self.recent_files() if p != path]
        self.store.setValue("files/recent", recent[:MAX_RECENT])
        return recent[:MAX_RECENT]

    def clear_recent(self) -> None:
        self.store.setValue("files/recent", [])

    def last_dir(self, kind: str) -> str:
        return str(self.store.value(f"files/lastDir/{kind}", ""))

    def set_last_dir(self, kind: str, folder: str) -> None:
        self.store.setValue(f"files/lastDir/{kind}", folder)

    # --- settings -----------------------------------------------------------------------------
    def last_settings(self) -> Settings:
        """The settings of the last session; settings the engine no longer accepts are dropped
        one by one (a setting renamed or narrowed in a newer engine must not lose the rest)."""
        try:
            data = json.loads(str(self.store.value("render/settings", "{}")))
        except ValueError:
            data = {}
        return settings_from_json_leniently(data if isinstance(data, dict) else {})

    def set_last_settings(self, settings: Settings) -> None:
        self.store.setValue("render/settings", json.dumps(settings.to_json()))

    def last_files(self) -> RenderFiles:
        """The files of the last session that still exist (a moved image is forgotten, not an error)."""
        try:
            data = json.loads(str(self.store.value("render/files", "{}")))
            files = {k: v for k, v in data.items() if k in RenderFiles.__dataclass_fields__}
        except (ValueError, TypeError, AttributeError):
            return RenderFiles()
        for name, path in list(files.items()):
            if not isinstance(path, str) or not Path(path).is_file():
                log.info("stored %s %s no longer exists; forgotten", name, path)
                files.pop(name)
        return RenderFiles(**files)

    def set_last_files(self, files: RenderFiles) -> None:
        self.store.setValue("render/files", json.dumps({k: v for k, v in vars(files).items() if v}))

    # --- window -------------------------------------------------------------------------------
    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        return self.store.value("window/geometry"), self.store.value("window/state")

    def set_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self.store.setValue("window/geometry", geometry)
        self.store.setValue("window/state", state)

    # --- server -------------------------------------------------------------------------------
    def server(self) -> tuple[str, str]:
        return str(self.store.value("server/url", "")), str(self.store.value("server/token", ""))

    def set_server(self, url: str, token: str) -> None:
        self.store.setValue("server/url", url)
        self.store.setValue("server/token", token)

    def sync(self) -> None:
        self.store.sync()


def settings_from_json_leniently(data: dict) -> Settings:
    """Validate like the API, dropping each field the engine refuses instead of all of them."""
    data = dict(data)
    while True:
        try:
            return settings_mod.Settings.from_json(data)
        except InvalidSettings as err:
            if err.field not in data:
                log.warning("stored settings ignored: %s", err)
                return settings_mod.Settings()
            log.warning("stored setting dropped: %s", err)
            data.pop(err.field)
