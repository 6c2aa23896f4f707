"""Webhooks with a local receiver: the signature verifies (and a replayed or altered body does not),
a failed delivery is retried with backoff and given up after the last try, no delivery or
registration reaches a private address unless DXGL_INGEST_ALLOWED_NETWORKS allows it, and the
delivery log reads the same through /v1/webhooks and the portal page."""
from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dxgl_api import config as config_module
from dxgl_api.accounts import create_token
from dxgl_api.config import Config
from dxgl_api.db import connection
from dxgl_api.portal import webhooks
from dxgl_api.portal.tables import WebhookDelivery
from dxgl_api.tables import utcnow
from tests.api.conftest import make_glb

from .conftest import csrf_of


class Receiver:
    """A loopback HTTP server that records POSTs and answers the queued status codes (then 200)."""

    def __init__(self):
        self.calls: list[dict] = []
        self.answers: list[int] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.calls.append({"headers": dict(self.headers), "body": body})
                self.send_response(outer.answers.pop(0) if outer.answers else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def config(tmp_path) -> Config:  # loopback allowed, as an operator would for a receiver on the same host
    return Config(data_dir=tmp_path / "data", queue_url="memory", immediate=True,
                  ingest_allowed_networks=("127.0.0.0/8",))


@pytest.fixture
def person(make_person):
    user = make_person("hooks@example.com", credits=50)
    with connection():
        _, raw = create_token(user)
    return user, {"Authorization": f"Bearer {raw}"}


def upload(client, headers, tag):
    import io

    r = client.post("/v1/models", data={"file": (io.BytesIO(make_glb(tag)), f"{tag}.glb")}, headers=headers,
                    content_type="multipart/form-data")
    assert r.status_code == 201, r.json
    return r.json["data"]


def pump(now=None):
    with connection():
        webhooks.scan()
        return webhooks.deliver_due(now)


def test_signed_delivery_verifies_and_is_logged(app, person, receiver, browser_of):
    user, headers = person
    client = app.test_client()
    r = client.post("/v1/webhooks", json={"url": receiver.url}, headers=headers)
    assert r.status_code == 201
    hook = r.json["data"]
    assert len(hook["secret"]) == 64 and "secret" not in client.get("/v1/webhooks", headers=headers).json["data"][0]
    up = upload(client, headers, "signed")
    assert pump() == 1 and pump() == 0  # the paid render only (not the free preview), and only once
    call = receiver.calls[0]
    body, h = call["body"], call["headers"]
    assert h["X-Dxgl-Event"] == "render.done" and h["X-Dxgl-Signature"].startswith("sha256=")
    assert webhooks.verify(hook["secret"], body, h["X-Dxgl-Signature"], h["X-Dxgl-Timestamp"])
    event = json.loads(body)
    assert event["renderId"] == up["renderId"] and event["data"]["status"] == "done"
    assert str(event["timestamp"]) == h["X-Dxgl-Timestamp"]
    tampered = body.replace(b'"done"', b'"error"')
    assert not webhooks.verify(hook["secret"], tampered, h["X-Dxgl-Signature"], h["X-Dxgl-Timestamp"])
    assert not webhooks.verify("another secret", body, h["X-Dxgl-Signature"], h["X-Dxgl-Timestamp"])
    old = str(int(h["X-Dxgl-Timestamp"]) - 3600)  # a replay with a fresh-looking header fails on the body
    assert not webhooks.verify(hook["secret"], body, h["X-Dxgl-Signature"], old)
    log = client.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=headers).json["data"]
    assert [(d["event"], d["status"], d["attempts"], d["lastStatusCode"]) for d in log] == [
        ("render.done", "delivered", 1, 200)]
    page = browser_of(user).get("/webhooks").data.decode()
    assert receiver.url in page and up["renderId"] in page and "delivered" in page


def test_error_event_and_retries_with_backoff(app, person, receiver, fake_engine, monkeypatch):
    user, headers = person
    client = app.test_client()
    client.post("/v1/webhooks", json={"url": receiver.url}, headers=headers)
    fake_engine.error = RuntimeError("the GPU caught fire")
    upload(client, headers, "broken")
    receiver.answers = [500, 503]
    assert pump() == 1
    with connection():
        d = WebhookDelivery.get()
    assert (d.event, d.status, d.attempts, d.last_error) == ("render.error", "pending", 1,
                                                            "the receiver answered HTTP 500")
    assert (d.next_attempt_at - utcnow()).total_seconds() == pytest.approx(webhooks.BACKOFF_S[0], abs=2)
    assert pump() == 0  # not due yet
    assert pump(utcnow() + timedelta(seconds=11)) == 1  # second try: 503
    assert pump(utcnow() + timedelta(seconds=200)) == 1  # third try: delivered
    with connection():
        d = WebhookDelivery.get()
    assert (d.status, d.attempts, d.last_status_code) == ("delivered", 3, 200) and len(receiver.calls) == 3
    assert json.loads(receiver.calls[-1]["body"])["data"]["errorMessage"]

    monkeypatch.setattr(webhooks, "BACKOFF_S", (0, 0))
    fake_engine.error = None
    receiver.answers = [500] * 10
    upload(client, headers, "unlucky")
    for _ in range(4):
        pump(utcnow() + timedelta(seconds=1))
    with connection():
        last = WebhookDelivery.select().order_by(WebhookDelivery.created_at.desc()).get()
    assert (last.status, last.attempts) == ("failed", 3)  # 1 try + 2 retries, then given up


def test_no_delivery_to_a_private_address_unless_allowed(app, config, person, receiver):
    user, headers = person
    client = app.test_client()
    assert client.post("/v1/webhooks", json={"url": receiver.url}, headers=headers).status_code == 201
    config_module.activate(config.replace(ingest_allowed_networks=()))  # the operator removes the exemption
    for url in (receiver.url, "http://localhost:9/x", "http://10.1.2.3/x", "http://[::1]/x", "ftp://example.com/x"):
        r = client.post("/v1/webhooks", json={"url": url}, headers=headers)
        assert r.status_code == 400 and r.json["error"]["code"] == "invalid_url", url
    assert "a private, loopback or link-local address" in client.post(
        "/v1/webhooks", json={"url": receiver.url}, headers=headers).json["error"]["message"]
    upload(client, headers, "private")
    assert pump() == 1
    assert receiver.calls == []
    with connection():
        d = WebhookDelivery.get()
    assert d.status == "pending" and d.last_error.startswith("refused: 127.0.0.1 resolves to 127.0.0.1")


def test_webhooks_are_per_account(app, person, make_person, receiver):
    _, headers = person
    client = app.test_client()
    hook = client.post("/v1/webhooks", json={"url": receiver.url}, headers=headers).json["data"]
    other = make_person("other@example.com")
    with connection():
        _, raw = create_token(other)
    theirs = {"Authorization": f"Bearer {raw}"}
    assert client.get("/v1/webhooks", headers=theirs).json["data"] == []
    assert client.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=theirs).status_code == 404
    assert client.delete(f"/v1/webhooks/{hook['id']}", headers=theirs).status_code == 404
    upload(client, theirs, "theirs")
    assert pump() == 0 and receiver.calls == []  # another account's render never reaches my webhook
    assert client.delete(f"/v1/webhooks/{hook['id']}", headers=headers).status_code == 200


def test_portal_page_adds_a_webhook(app, person, receiver, browser_of):
    user, _ = person
    client = browser_of(user)
    token = csrf_of(client.get("/webhooks").data)
    r = client.post("/webhooks", data={"csrf_token": token, "url": receiver.url})
    assert r.status_code == 200 and b'id="new-secret"' in r.data
    r = client.post("/webhooks", data={"csrf_token": token, "url": "not a url"})
    assert r.status_code == 400 and b"malformed URL" in r.data


@pytest.mark.gl
@pytest.mark.real_engine
def test_dxgl_serve_delivers_by_itself(tmp_path, receiver):
    """The dispatcher runs inside a real `dxgl serve`: a real render's end reaches the receiver."""
    import io

    import requests

    from tests.api.test_e2e import Served

    server = Served(tmp_path / "data", tmp_path / "serve.log", {"DXGL_INGEST_ALLOWED_NETWORKS": "127.0.0.0/8"})
    try:
        token = server.wait_for(r"(dxgl_sk_\S+)").group(1)
        server.wait_for(r"serving http://")
        base, headers = f"http://127.0.0.1:{server.port}/v1", {"Authorization": f"Bearer {token}"}
        hook = requests.post(f"{base}/webhooks", json={"url": receiver.url}, headers=headers, timeout=30).json()["data"]
        r = requests.post(f"{base}/models", headers=headers, timeout=60,
                          files={"file": ("cube.glb", io.BytesIO(make_glb("served")))},
                          data={"renderSettings": json.dumps({"length": 3, "aspect": "1:1"})})
        render_id = r.json()["data"]["renderId"]
        deadline = time.monotonic() + 240
        while not receiver.calls and time.monotonic() < deadline:
            time.sleep(0.5)
        assert receiver.calls, "no delivery within 240 s"
        call = receiver.calls[0]
        event = json.loads(call["body"])
        assert (event["event"], event["renderId"], event["data"]["status"]) == ("render.done", render_id, "done")
        assert webhooks.verify(hook["secret"], call["body"], call["headers"]["X-Dxgl-Signature"],
                               call["headers"]["X-Dxgl-Timestamp"])
        log = requests.get(f"{base}/webhooks/{hook['id']}/deliveries", headers=headers, timeout=30).json()["data"]
        assert [d["status"] for d in log] == ["delivered"]
    finally:
        server.stop()
