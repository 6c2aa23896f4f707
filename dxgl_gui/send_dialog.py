"""Send to server: queue the render on a dxgl server through `dxgl_api.client`, showing the
credit quote first and the render's status until it is done, then offer the video.

The model goes up as one self-contained GLB (a .gltf with files beside it, an OBJ scan: converted
by the engine first); a local background or foreground image goes up as an overlay, and its id
takes the place of bgImageId/fgImageId. Network calls run on worker threads and report back with
queued signals, so the window never waits on the network."""
from __future__ import annotations

import logging
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from dxgl_engine import RenderFiles, Settings

from .dialogs import error_text
from .preferences import Preferences

log = logging.getLogger(__name__)

POLL_MS = 2000
OVERLAY_SETTINGS = {"background_image": ("background", "bgImageId"), "foreground_image": ("foreground", "fgImageId")}


def make_client(url: str, token: str):
    """The API client (dxgl_api.client.Client: quote, upload, upload_overlay, get_render, download)."""
    from dxgl_api.client import Client

    return Client(url, token)


def api_error_text(err: BaseException) -> str:
    """One line for the artist: the server's own message, or why it could not be reached."""
    code, message = getattr(err, "code", None), getattr(err, "message", None)
    if code and message:
        return f"{message} ({code})"
    if isinstance(err, ImportError):
        return f"the server client is not installed ({err.name}): pip install 'dxgl[gui]'"
    try:
        import requests

        if isinstance(err, requests.RequestException):
            return f"cannot reach the server: {err.__class__.__name__}"
    except ImportError:
        pass
    return error_text(err)


class BackgroundCall(QObject):
    """Run `fn` on a thread; `succeeded(result)` or `failed(message)` arrive on the GUI thread."""

    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, fn: Callable[[], Any], parent: QObject | None = None):
        super().__init__(parent)
        self._fn = fn

    def start(self) -> None:
        threading.Thread(target=self._run, name="dxgl-server", daemon=True).start()

    def _run(self) -> None:
        try:
            result = self._fn()
        except Exception as err:  # every failure reaches the dialog as a line of text
            log.info("server call failed", exc_info=True)
            self.failed.emit(api_error_text(err))
            return
        self.succeeded.emit(result)


def upload_file(model_path: str, workdir: Path) -> Path:
    """A file the server takes: a .glb as it is, anything else packed into one GLB by the engine."""
    path = Path(model_path)
    if path.suffix.lower() == ".glb":
        return path
    from dxgl_engine import convert_to_glb

    out = workdir / (path.stem + ".glb")
    out.write_bytes(convert_to_glb(path))
    return out


class SendToServerDialog(QDialog):
    """Quote -> send -> status until done -> download. Non-modal: the app goes on meanwhile."""

    def __init__(self, parent: QWidget, prefs: Preferences, model_path: str, settings: Settings,
                 files: RenderFiles | None = None):
        super().__init__(parent)
        self.setWindowTitle("Send to server")
        self.setObjectName("sendDialog")
        self.prefs = prefs
        self.model_path = model_path
        self.settings = settings
        self.files = files or RenderFiles()
        self.render_id: str | None = None
        self.render: dict | None = None
        self._calls: set[BackgroundCall] = set()
        self._polling = False
        self._client_obj, self._client_for = None, None
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(POLL_MS)
        self._poll_timer.timeout.connect(self._poll)
        self._build_ui()

    def _build_ui(self) -> None:
        url, token = self.prefs.server()
        self.url = QLineEdit(url)
        self.url.setPlaceholderText("http://127.0.0.1:8000/v1")
        self.token = QLineEdit(token)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("dxgl_sk_…")
        form = QFormLayout()
        form.addRow("Server URL", self.url)
        form.addRow("Token", self.token)
        form.addRow("Model", QLabel(Path(self.model_path).name))
        form.addRow("Settings", QLabel(_settings_summary(self.settings)))
        self.quote_label = QLabel("Ask the server what this render costs.")
        self.quote_label.setObjectName("quoteLabel")
        self.quote_label.setWordWrap(True)
        self.status_label = QLabel()
        self.status_label.setObjectName("serverStatus")
        self.status_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setVisible(False)
        self.quote_button = QPushButton("Get quote")
        self.send_button = QPushButton("Send")
        self.send_button.setEnabled(False)
        self.download_button = QPushButton("Download video…")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        for button in (self.quote_button, self.send_button, self.download_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.download_button.setVisible(False)  # once the render is done
        buttons.rejected.connect(self.close)
        self.quote_button.clicked.connect(self.request_quote)
        self.send_button.clicked.connect(self.send)
        self.download_button.clicked.connect(self.download_dialog)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        if self.files.environment:
            note = QLabel("The custom .hdr environment stays on this machine: the server lights the model "
                          f"with its built-in '{self.settings.environment}' environment.")
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addWidget(self.quote_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress)
        layout.addWidget(buttons)
        self.resize(460, 280)
        if self.url.text().strip():
            QTimer.singleShot(0, self.request_quote)  # the price first, before anything is sent

    # --- steps ----------------------------------------------------------------------------------
    def _client(self):
        """The client for the URL and token in the fields (remembered in QSettings for next time)."""
        key = (self.url.text().strip(), self.token.text().strip())
        if self._client_for != key:
            self.prefs.set_server(*key)
            self._client_obj, self._client_for = make_client(*key), key
        return self._client_obj

    def _call(self, fn: Callable[[], Any], ok: Callable[[Any], None], fail: Callable[[str], None]) -> None:
        call = BackgroundCall(fn, self)
        self._calls.add(call)
        call.succeeded.connect(ok)
        call.failed.connect(fail)
        call.succeeded.connect(lambda _: self._calls.discard(call))
        call.failed.connect(lambda _: self._calls.discard(call))
        call.start()

    def request_quote(self) -> None:
        """What the render costs and whether the account can pay: the artist sees it before sending."""
        client, items = self._client(), [self.settings.to_json()]
        self.quote_button.setEnabled(False)
        self.send_button.setEnabled(False)
        self.quote_label.setText("Asking for a quote…")
        self._call(lambda: client.quote(items), self._on_quote, self._on_quote_failed)

    def _on_quote(self, quote: dict) -> None:
        self.quote_button.setEnabled(True)
        need, have = quote.get("creditsRequired"), quote.get("creditsAvailable")
        ok = bool(quote.get("sufficient"))
        self.quote_label.setText(f"This render costs <b>{need} credits</b>; the account has {have}."
                                 + ("" if ok else " <b>Not enough credits.</b>"))  # fmt: skip
        self.send_button.setEnabled(ok and self.render_id is None)

    def _on_quote_failed(self, message: str) -> None:
        self.quote_button.setEnabled(True)
        self.quote_label.setText(f"<span style='color:#d03030'>Quote failed: {message}</span>")

    def send(self) -> None:
        """Upload overlays and the model, and queue the render with these settings."""
        client = self._client()
        self.send_button.setEnabled(False)
        self.quote_button.setEnabled(False)
        self._status("Uploading…")
        model_path, settings, files = self.model_path, self.settings, self.files
        self._call(lambda: _upload(client, model_path, settings, files), self._on_sent, self._on_failed)

    def _on_sent(self, answer: dict) -> None:
        self.render_id = answer["renderId"]
        again = " (the server already had this model)" if answer.get("duplicate") else ""
        self._status(f"Queued render {self.render_id}{again}")
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self._poll_timer.start()
        self._poll()

    def _poll(self) -> None:
        if self._polling or self.render_id is None:
            return
        self._polling = True
        client, render_id = self._client(), self.render_id
        self._call(lambda: client.get_render(render_id), self._on_status, self._on_poll_failed)

    def _on_status(self, render: dict) -> None:
        self._polling = False
        self.render = render
        status = render.get("status", "?")
        self.progress.setValue(round(100 * float(render.get("progress") or 0.0)))
        if status == "done":
            self._poll_timer.stop()
            self.progress.setValue(100)
            self._status(f"Render {self.render_id} is done.")
            self.download_button.setVisible(True)
        elif status in ("error", "failed"):
            self._poll_timer.stop()
            self._on_failed(render.get("errorMessage") or f"the render ended in {status}")
        else:
            self._status(f"Render {self.render_id}: {status}")

    def _on_poll_failed(self, message: str) -> None:
        self._polling = False
        self._status(f"Status unavailable: {message} (retrying)")

    def _on_failed(self, message: str) -> None:
        self.quote_button.setEnabled(True)
        self._status(f"<span style='color:#d03030'>{message}</span>")

    def download_dialog(self) -> None:
        suggested = str(Path(self.model_path).with_suffix(self.settings.tier.extension))
        path, _ = QFileDialog.getSaveFileName(self, "Save video", suggested)
        if path:
            self.download(path)

    def download(self, dest: str) -> None:
        client, render_id = self._client(), self.render_id
        self._status("Downloading…")
        self._call(lambda: client.download(render_id, dest), lambda p: self._status(f"Saved {p}"), self._on_failed)

    def _status(self, text: str) -> None:
        self.status_label.setText(text)

    def closeEvent(self, event) -> None:
        self._poll_timer.stop()
        super().closeEvent(event)


def _upload(client, model_path: str, settings: Settings, files: RenderFiles) -> dict:
    """Worker-thread part of `send`: overlays first (their ids go into the settings), then the model."""
    data = settings.to_json()
    for name, (layer, key) in OVERLAY_SETTINGS.items():
        path = getattr(files, name, None)
        if path:
            data[key] = client.upload_overlay(path, layer=layer)["id"]
    with tempfile.TemporaryDirectory(prefix="dxgl-send-") as tmp:
        return client.upload(upload_file(model_path, Path(tmp)), data)


def _settings_summary(settings: Settings) -> str:
    w, h = settings.size
    return f"{settings.effect}, {settings.quality} {w}×{h}, {settings.length:g} s"
