"""Send to server through the Python client: the quote first, then upload and queue, then the
render's status until it is done; errors are shown in the dialog. A fake client stands in for the
server (the real one is tested with the API); its methods are checked against the real client's."""
from __future__ import annotations

import inspect

import pytest

from dxgl_engine.render_files import RenderFiles
from dxgl_engine.settings import Settings
from dxgl_gui import send_dialog

from .conftest import open_model


class FakeClient:
    def __init__(self, url: str, token: str, *, credits: int = 10, fail_quote: Exception | None = None):
        self.url, self.token, self.credits, self.fail_quote = url, token, credits, fail_quote
        self.calls: list[tuple] = []
        self.statuses = iter([{"status": "pending", "progress": 0.0},
                              {"status": "video-processing", "progress": 0.5},
                              {"status": "done", "progress": 1.0}])  # fmt: skip

    def quote(self, items):
        self.calls.append(("quote", items))
        if self.fail_quote:
            raise self.fail_quote
        need = sum(Settings.from_json(i).credits for i in items)
        return {"creditsRequired": need, "creditsAvailable": self.credits, "sufficient": need <= self.credits,
                "breakdown": []}  # fmt: skip

    def upload_overlay(self, path, **fields):
        self.calls.append(("upload_overlay", str(path), fields))
        return {"id": f"ov_{fields['layer']}"}

    def upload(self, path, settings=None):
        self.calls.append(("upload", path.name, path.read_bytes()[:4], settings))
        return {"modelId": "m_1", "renderId": "r_1", "duplicate": False}

    def get_render(self, render_id):
        self.calls.append(("get_render", render_id))
        return next(self.statuses)

    def download(self, render_id, dest, **kwargs):
        self.calls.append(("download", render_id, dest))
        return dest


def test_the_fake_matches_the_real_client():
    from dxgl_api.client import Client

    for name in ("quote", "upload_overlay", "upload", "get_render", "download"):
        fake, real = inspect.signature(getattr(FakeClient, name)), inspect.signature(getattr(Client, name))
        assert list(fake.parameters)[:2] == list(real.parameters)[:2], name


@pytest.fixture
def fake(monkeypatch):
    made = []

    def factory(url, token):
        made.append(FakeClient(url, token))
        return made[-1]

    monkeypatch.setattr(send_dialog, "make_client", factory)
    monkeypatch.setattr(send_dialog, "POLL_MS", 50)
    return made


def test_quote_first_then_send_and_follow_the_render(window, qtbot, animated_path, tmp_path, fake):
    from PIL import Image

    open_model(window, qtbot, animated_path)
    backdrop = tmp_path / "backdrop.png"
    Image.new("RGB", (32, 18), (10, 20, 30)).save(backdrop)
    window.panel.set_settings(Settings.from_json({"quality": "standard", "length": 4}),
                              RenderFiles(background_image=str(backdrop)))  # fmt: skip
    window.prefs.set_server("http://dxgl.test/v1", "dxgl_sk_secret")
    dialog = window.send_dialog()
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.send_button.isEnabled())  # the quote came first
    assert "4 credits" in dialog.quote_label.text()
    assert fake[0].calls == [("quote", [{"quality": "standard", "length": 4.0}])]
    dialog.send_button.click()
    qtbot.waitUntil(lambda: dialog.download_button.isVisible(), timeout=10_000)
    calls = [c for client in fake for c in client.calls]
    overlay = [c for c in calls if c[0] == "upload_overlay"]
    upload = [c for c in calls if c[0] == "upload"]
    assert overlay == [("upload_overlay", str(backdrop), {"layer": "background"})]
    assert upload == [("upload", "animated.glb", b"glTF", {"quality": "standard", "length": 4.0,
                                                           "bgImageId": "ov_background"})]  # fmt: skip
    assert [c[0] for c in calls].count("get_render") == 3
    assert "done" in dialog.status_label.text() and dialog.progress.value() == 100
    assert (fake[0].url, fake[0].token) == ("http://dxgl.test/v1", "dxgl_sk_secret")
    dialog.download(str(tmp_path / "video.mp4"))
    qtbot.waitUntil(lambda: "Saved" in dialog.status_label.text())


@pytest.mark.shared_assets
def test_models_that_are_not_glb_are_packed_first(tmp_path, product_path, shared_assets):
    gltf = shared_assets / "khronos" / "TextureCoordinateTest" / "TextureCoordinateTest.gltf"
    packed = send_dialog.upload_file(str(gltf), tmp_path)
    assert packed.suffix == ".glb" and packed.read_bytes()[:4] == b"glTF"
    assert send_dialog.upload_file(str(product_path), tmp_path) == product_path


def test_not_enough_credits_or_a_refusal_is_shown(window, qtbot, product_path, monkeypatch):
    from dxgl_api.client import Unauthorized

    open_model(window, qtbot, product_path)
    window.panel.set_settings(Settings.from_json({"quality": "pro"}))
    monkeypatch.setattr(send_dialog, "make_client", lambda url, token: FakeClient(url, token, credits=3))
    window.prefs.set_server("http://dxgl.test/v1", "t")
    dialog = window.send_dialog()
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "Not enough credits" in dialog.quote_label.text())
    assert not dialog.send_button.isEnabled()
    refused = Unauthorized("unauthorized", "invalid or revoked API token", 401)
    monkeypatch.setattr(send_dialog, "make_client", lambda url, token: FakeClient(url, token, fail_quote=refused))
    dialog.token.setText("revoked")  # a new token: a new client
    dialog.request_quote()
    qtbot.waitUntil(lambda: "Quote failed" in dialog.quote_label.text())
    assert "invalid or revoked API token" in dialog.quote_label.text()
    assert not dialog.send_button.isEnabled()
