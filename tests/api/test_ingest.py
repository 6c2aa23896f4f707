"""POST /v1/models/ingest: downloads over http(s) with size and time limits, refusing private,
loopback and link-local addresses (directly or through redirects). The test server listens on
127.0.0.1, which the tests exempt through configuration; nothing else is ever contacted."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dxgl_api import config as config_module
from dxgl_api.ingest import AddressPolicy

from .conftest import gltf_with_uri, make_glb

GLB = make_glb("ingested")


class Handler(BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # noqa: N802
        route = self.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_error(404)
            return
        route(self)

    def log_message(self, *args):
        pass


def body(data: bytes, content_type="application/octet-stream", length=True):
    def send(h):
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        if length:
            h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
    return send


def redirect(location: str):
    def send(h):
        h.send_response(302)
        h.send_header("Location", location.format(port=h.server.server_address[1]))
        h.end_headers()
    return send


def trickle(h):
    h.send_response(200)
    h.send_header("Content-Length", "100000")
    h.end_headers()
    for _ in range(60):
        h.wfile.write(b"x" * 10)
        h.wfile.flush()
        time.sleep(0.1)


def endless(h):
    h.send_response(200)
    h.end_headers()  # no Content-Length: the size is only known by counting
    for _ in range(200):
        h.wfile.write(b"\0" * 10_000)


Handler.routes = {
    "/model.glb": body(GLB, "model/gltf-binary"),
    "/download": body(GLB),  # no useful name or type: sniffed
    "/model.gltf": body(gltf_with_uri("data:application/octet-stream;base64," + "A" * 48), "model/gltf+json"),
    "/escape.gltf": body(gltf_with_uri("../../etc/passwd")),
    "/scan.zip": body(b"PK\x03\x04" + b"\0" * 100, "application/zip"),
    "/text.txt": body(b"hello", "text/plain"),
    "/big.glb": body(b"glTF" + b"\0" * 5000),
    "/endless.glb": endless,
    "/slow.glb": trickle,
    "/to-model": redirect("http://127.0.0.1:{port}/model.glb"),
    "/to-loopback-2": redirect("http://127.0.0.2:{port}/model.glb"),
    "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/"),
    "/to-localhost": redirect("http://localhost:{port}/model.glb"),
    "/to-file": redirect("file:///etc/passwd"),
    "/loop": redirect("/loop"),
}


@pytest.fixture(scope="module")
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


@pytest.fixture
def allow_test_server(app, config):
    """Exempt 127.0.0.1 only (the test server); every other private address stays refused."""
    config_module.activate(config.replace(ingest_allowed_networks=("127.0.0.1/32",)))


def ingest(client, account, url, settings=None):
    payload = {"url": url}
    if settings is not None:
        payload["renderSettings"] = settings
    return client.post("/v1/models/ingest", json=payload, headers=account.headers)


def err(r) -> tuple[int, str]:
    return r.status_code, r.json["error"]["code"]


@pytest.mark.usefixtures("allow_test_server")
def test_ingest_glb_gltf_and_sniffed(client, alice, server):
    r = ingest(client, alice, f"{server}/model.glb", {"aspect": "16:9"})
    assert r.status_code == 201 and r.json["data"]["duplicate"] is False
    model = client.get(f"/v1/models/{r.json['data']['modelId']}", headers=alice.headers).json["data"]
    assert model["originalName"] == "model.glb" and len(model["renders"]) == 2
    again = ingest(client, alice, f"{server}/download")
    assert again.json["data"]["duplicate"] is True and again.json["data"]["modelId"] == r.json["data"]["modelId"]
    r = ingest(client, alice, f"{server}/model.gltf")
    assert r.status_code == 201, r.json
    r = ingest(client, alice, f"{server}/to-model")
    assert r.status_code == 201 and r.json["data"]["duplicate"] is True


@pytest.mark.usefixtures("allow_test_server")
def test_ingest_refusals(client, alice, server, config):
    assert err(ingest(client, alice, f"{server}/scan.zip")) == (400, "invalid_format")
    assert err(ingest(client, alice, f"{server}/text.txt")) == (400, "invalid_format")
    assert err(ingest(client, alice, f"{server}/escape.gltf")) == (400, "invalid_format")
    assert err(ingest(client, alice, f"{server}/missing.glb")) == (400, "invalid_url")
    assert err(ingest(client, alice, f"{server}/loop")) == (400, "invalid_url")
    assert err(ingest(client, alice, f"{server}/model.glb", {"quality": "8k"})) == (400, "invalid_settings")
    config_module.activate(config_module.active().replace(max_upload_bytes=1000))
    assert err(ingest(client, alice, f"{server}/big.glb")) == (400, "file_too_large")
    assert err(ingest(client, alice, f"{server}/endless.glb")) == (400, "file_too_large")


@pytest.mark.usefixtures("allow_test_server")
def test_redirects_to_private_addresses_are_refused(client, alice, server):
    for route in ("/to-loopback-2", "/to-metadata", "/to-file"):
        r = ingest(client, alice, f"{server}{route}")
        assert err(r) == (400, "invalid_url"), route


def test_private_addresses_refused_by_default(client, alice, server):
    port = server.rsplit(":", 1)[1]
    for url in (f"{server}/model.glb", f"http://localhost:{port}/model.glb", f"http://[::1]:{port}/model.glb",
                "http://10.0.0.1/model.glb", "http://192.168.1.1/model.glb", "http://169.254.169.254/latest",
                "http://0.0.0.0/model.glb", "http://[fe80::1]/model.glb", "http://[::ffff:127.0.0.1]/model.glb"):
        r = ingest(client, alice, url)
        assert err(r) == (400, "invalid_url"), url
        assert "refused" in r.json["error"]["message"], url


def test_malformed_and_missing_urls(client, alice):
    assert err(client.post("/v1/models/ingest", json={}, headers=alice.headers)) == (400, "url_required")
    assert err(client.post("/v1/models/ingest", json={"url": None}, headers=alice.headers)) == (400, "url_required")
    for url in ("", "not a url", "ftp://example.com/a.glb", "file:///etc/passwd", "http://", "http://host:99999/a",
                "javascript:alert(1)", 42, ["http://example.com"]):
        r = client.post("/v1/models/ingest", json={"url": url}, headers=alice.headers)
        assert err(r) == (400, "invalid_url"), url


@pytest.mark.usefixtures("allow_test_server")
def test_download_time_limit(client, alice, server, config):
    config_module.activate(config_module.active().replace(ingest_timeout_s=1.0))
    r = ingest(client, alice, f"{server}/slow.glb")
    assert err(r) == (408, "timeout")


@pytest.mark.usefixtures("allow_test_server")
def test_environment_proxies_are_ignored(client, alice, server, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    assert ingest(client, alice, f"{server}/model.glb").status_code == 201


def test_address_policy():
    policy = AddressPolicy()
    for refused in ("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.0.1", "169.254.169.254", "0.0.0.0",
                    "100.64.0.1", "224.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1", "::"):
        assert not policy.permits(refused), refused
    for allowed in ("8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"):
        assert policy.permits(allowed), allowed
    exempt = AddressPolicy.from_cidrs(("127.0.0.1/32",))
    assert exempt.permits("127.0.0.1") and not exempt.permits("127.0.0.2")
