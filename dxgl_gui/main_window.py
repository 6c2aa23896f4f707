"""The main window: the live preview in the middle, the model panel on the left, every setting
on the right, export progress in the status bar. It wires the parts together and owns the
files: open (dialog, drag-and-drop, recent list), presets, export and send-to-server."""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QMenu, QWidget

from dxgl_engine import MODEL_SUFFIXES, DxglError, RenderFiles, Scene, Settings, model_info

from . import presets
from .dialogs import show_error, show_info
from .export import ExportJob, ExportProgress, output_filter, output_suffix
from .export_worker import ExportRequest
from .model_info import ModelInfoPanel
from .model_loading import ModelLoader
from .preferences import Preferences
from .preview import PreviewWidget
from .settings_panel import SettingsPanel

log = logging.getLogger(__name__)

MODEL_FILTER = f"3D models ({' '.join('*' + s for s in MODEL_SUFFIXES)});;All files (*)"
PRESET_FILTER = "Render settings (*.json);;All files (*)"
SETTINGS_DEBOUNCE_MS = 150  # a slider drag rebuilds the preview once it pauses, not per step
DEFAULT_SIZE = (1280, 800)
DOCK_WIDTHS = (240, 400)  # model panel, settings panel: the rest is the preview's


class MainWindow(QMainWindow):
    def __init__(self, preferences: Preferences | None = None):
        super().__init__()
        self.prefs = preferences or Preferences()
        self.scene: Scene | None = None
        self.model_path: str | None = None
        self.export_job: ExportJob | None = None
        self._last_preview_error = ""
        self.setWindowTitle("dxgl")
        self.setAcceptDrops(True)
        self.preview = PreviewWidget()
        self.panel = SettingsPanel()
        self.info = ModelInfoPanel()
        self.loader = ModelLoader(self)
        self.export_progress = ExportProgress()
        self._settings_timer = QTimer(self)
        self._settings_timer.setSingleShot(True)
        self._settings_timer.setInterval(SETTINGS_DEBOUNCE_MS)
        self._build_layout()
        self._build_actions()
        self._connect()
        self._restore()

    # --- layout ---------------------------------------------------------------------------------
    def _build_layout(self) -> None:
        self.setCentralWidget(self.preview)
        self.settings_dock = self._dock("Settings", "settingsDock", self.panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.info_dock = self._dock("Model", "modelDock", self.info, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.status_label = QLabel()
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.export_progress)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)  # saveState() needs names
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)  # fmt: skip
        self.addDockWidget(area, dock)
        return dock

    def _action(self, text: str, slot, shortcut=None, name: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setObjectName(name)
        action.triggered.connect(lambda checked=False: slot())
        return action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.open_action = self._action("&Open model…", self.open_dialog, QKeySequence.StandardKey.Open, "open")
        file_menu.addAction(self.open_action)
        self.recent_menu = QMenu("Open &recent", self)
        self.recent_menu.setObjectName("recentMenu")
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Load preset…", self.load_preset_dialog, None, "loadPreset"))
        file_menu.addAction(self._action("&Save preset…", self.save_preset_dialog, None, "savePreset"))
        file_menu.addSeparator()
        self.export_action = self._action("&Export…", self.export_dialog, "Ctrl+E", "export")
        self.send_action = self._action("Send to se&rver…", self.send_dialog, None, "send")
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.send_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, QKeySequence.StandardKey.Quit, "quit"))

        settings_menu = bar.addMenu("&Settings")
        settings_menu.addAction(self._action("&Reset to defaults", self.panel.reset, None, "reset"))

        play_menu = bar.addMenu("&Playback")
        self.play_action = self._action("&Play / pause", self.preview.toggle_play, "Space", "play")
        play_menu.addAction(self.play_action)
        for text, delta, key in (("&Previous frame", -1, "Left"), ("&Next frame", 1, "Right")):
            action = self._action(text, lambda d=delta: self.preview.step(d), key)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.preview.addAction(action)
            play_menu.addAction(action)
        play_menu.addAction(self._action("&Reset orbit", self.preview.reset_orbit, "Home", "resetOrbit"))

        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.settings_dock.toggleViewAction())
        view_menu.addAction(self.info_dock.toggleViewAction())

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.addAction(self.open_action)
        toolbar.addAction(self.play_action)
        toolbar.addAction(self.export_action)
        toolbar.addAction(self.send_action)
        self._update_actions()

    def _connect(self) -> None:
        self.panel.changed.connect(lambda *_: self._settings_timer.start())
        self._settings_timer.timeout.connect(self._apply_settings)
        self.loader.loaded.connect(self._on_loaded)
        self.loader.failed.connect(self._on_load_failed)
        self.loader.busyChanged.connect(lambda busy: self._update_actions())
        self.preview.failed.connect(self._on_preview_failed)

    def _update_actions(self) -> None:
        has_model = self.model_path is not None
        exporting = self.export_job is not None
        self.export_action.setEnabled(has_model and not exporting)
        self.send_action.setEnabled(has_model)
        self.play_action.setEnabled(has_model)
        self._fill_recent_menu()

    # --- state ----------------------------------------------------------------------------------
    def _restore(self) -> None:
        geometry, state = self.prefs.window_state()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*DEFAULT_SIZE)
        if state is None or not self.restoreState(state):
            self.resizeDocks([self.info_dock, self.settings_dock], list(DOCK_WIDTHS), Qt.Orientation.Horizontal)
        self.panel.set_settings(self.prefs.last_settings(), self.prefs.last_files(), emit=False)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.export_job is not None:
            self.export_job.shutdown()
        self.preview.playback.pause()
        self.prefs.set_window_state(self.saveGeometry(), self.saveState())
        self.prefs.set_last_settings(self.panel.settings())
        self.prefs.set_last_files(self.panel.files())
        self.prefs.sync()
        super().closeEvent(event)

    def settings(self) -> Settings:
        return self.panel.settings()

    def files(self) -> RenderFiles:
        return self.panel.files()

    def _apply_settings(self) -> None:
        self.prefs.set_last_settings(self.settings())
        self.prefs.set_last_files(self.files())
        if self.scene is not None:
            self.preview.set_settings(self.settings(), self.files())

    def _status(self, text: str) -> None:
        self.status_label.setText(text)

    # --- models ---------------------------------------------------------------------------------
    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open model", self.prefs.last_dir("model"), MODEL_FILTER)
        if path:
            self.open_model(path)

    def open_model(self, path: str | Path) -> None:
        """Load in the background; the current model stays on screen until the new one is ready."""
        path = str(path)
        self.prefs.set_last_dir("model", str(Path(path).parent))
        self._status(f"Loading {Path(path).name}…")
        self.loader.load(path)

    def _on_loaded(self, scene: Scene, path: str) -> None:
        self.scene, self.model_path = scene, path
        stats = model_info(scene)
        self.info.show_stats(Path(path).name, stats)
        self._offer_animations([a["name"] for a in stats.get("animations", [])])
        self._offer_variants(stats.get("materialVariants", []))
        self.preview.set_scene(scene, self.settings(), self.files())
        self.prefs.add_recent(path)
        self.setWindowTitle(f"dxgl — {Path(path).name}")
        warnings = len(stats.get("warnings") or [])
        self._status(f"Opened {Path(path).name}" + (f" ({warnings} reader warnings)" if warnings else ""))
        self._update_actions()

    def _offer_animations(self, names: list[str]) -> None:
        """The animation setting becomes a drop-down of the model's clips; a clip the new model
        lacks is cleared rather than failing the preview."""
        choices: list[tuple[str, str | None]] = [("(none)", None)]
        if names:
            choices.append(("first clip (*)", "*"))
            choices += [(n, n) for n in names if n]
        self.panel.set_choices("animation", choices)
        current = self.settings().animation
        if current is not None and current not in [value for _, value in choices]:
            self.panel.set_settings(self.settings().replace(animation=None), emit=False)

    def _offer_variants(self, names: list[str]) -> None:
        """The material variant setting becomes a drop-down of the model's variants (KHR_materials_variants);
        a variant the new model lacks is cleared rather than failing the preview."""
        current = self.settings().material_variant
        if current is not None and current not in names:  # cleared first: the drop-down keeps no stale entry
            self.panel.set_settings(self.settings().replace(materialVariant=None), emit=False)
        self.panel.set_choices("materialVariant", [("(default materials)", None), *((n, n) for n in names)])

    def _on_load_failed(self, path: str, message: str) -> None:
        self._status(f"Could not open {Path(path).name}")
        show_error(self, "Cannot open model", f"{Path(path).name}: {message}")
        self._update_actions()

    def _on_preview_failed(self, message: str) -> None:
        if message != self._last_preview_error:
            show_error(self, "Preview", message)
        self._last_preview_error = message

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.prefs.recent_files()
        for path in recent:
            self.recent_menu.addAction(self._action(path, lambda p=path: self.open_model(p)))
        if recent:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction(self._action("Clear list", self._clear_recent))
        self.recent_menu.setEnabled(bool(recent))

    def _clear_recent(self) -> None:
        self.prefs.clear_recent()
        self._fill_recent_menu()

    # --- drag and drop --------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if self._dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        path = self._dropped_file(event.mimeData())
        if path is None:
            return
        event.acceptProposedAction()
        if path.suffix.lower() == ".json":
            self.load_preset(path)
        else:
            self.open_model(path)

    @staticmethod
    def _dropped_file(mime) -> Path | None:
        for url in mime.urls() if mime.hasUrls() else []:
            path = Path(url.toLocalFile())
            if url.isLocalFile() and path.suffix.lower() in (*MODEL_SUFFIXES, ".json"):
                return path
        return None

    # --- presets --------------------------------------------------------------------------------
    def load_preset_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load preset", self.prefs.last_dir("preset"), PRESET_FILTER)
        if path:
            self.load_preset(path)

    def load_preset(self, path: str | Path) -> bool:
        try:
            settings = presets.load_preset(path)
        except DxglError as err:
            show_error(self, "Cannot load preset", str(err))
            return False
        self.prefs.set_last_dir("preset", str(Path(path).parent))
        self.panel.set_settings(settings)
        self._status(f"Loaded preset {Path(path).name}")
        return True

    def save_preset_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save preset", self.prefs.last_dir("preset"), PRESET_FILTER)
        if path:
            self.save_preset(path if path.lower().endswith(".json") else path + ".json")

    def save_preset(self, path: str | Path) -> bool:
        try:
            presets.save_preset(path, self.settings())
        except OSError as err:
            show_error(self, "Cannot save preset", f"{Path(path).name}: {err.strerror or err}")
            return False
        self.prefs.set_last_dir("preset", str(Path(path).parent))
        self._status(f"Saved preset {Path(path).name}")
        return True

    # --- export ---------------------------------------------------------------------------------
    def export_dialog(self) -> None:
        if self.model_path is None or self.export_job is not None:
            return
        settings = self.settings()
        suffix = output_suffix(settings)
        folder = self.prefs.last_dir("export") or str(Path(self.model_path).parent)
        suggested = str(Path(folder) / (Path(self.model_path).stem + suffix))
        path, _ = QFileDialog.getSaveFileName(self, "Export", suggested, output_filter(settings))
        if path:
            self.start_export(path if path.lower().endswith(suffix) else path + suffix)

    def start_export(self, out: str | Path, size: tuple[int, int] | None = None) -> ExportJob | None:
        """Render the current settings to `out` in a worker process (`size` overrides the tier's)."""
        if self.model_path is None or self.export_job is not None:
            return None
        self.prefs.set_last_dir("export", str(Path(out).parent))
        files = {k: v for k, v in vars(self.files()).items() if v}
        request = ExportRequest(self.model_path, self.settings().to_json(), str(out), files, size)
        job = ExportJob(request, self)
        job.finished.connect(self._on_export_finished)
        job.failed.connect(self._on_export_failed)
        job.cancelled.connect(self._on_export_cancelled)
        self.export_job = job
        self.export_progress.attach(job)
        job.start()
        self._update_actions()
        return job

    def _end_export(self) -> None:
        self.export_progress.detach()
        self.export_job = None
        self._update_actions()

    def _on_export_finished(self, paths: list) -> None:
        self._end_export()
        self._status(f"Exported {paths[0].name}" if paths else "Export finished")
        show_info(self, "Export finished", "Wrote:\n" + "\n".join(str(p) for p in paths))

    def _on_export_failed(self, message: str) -> None:
        self._end_export()
        self._status("Export failed")
        show_error(self, "Export failed", message)

    def _on_export_cancelled(self) -> None:
        self._end_export()
        self._status("Export cancelled; nothing was written")

    # --- server ---------------------------------------------------------------------------------
    def send_dialog(self):
        if self.model_path is None:
            return None
        from .send_dialog import SendToServerDialog

        dialog = SendToServerDialog(self, self.prefs, self.model_path, self.settings(), self.files())
        dialog.open()
        return dialog
