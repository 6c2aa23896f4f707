"""The envelope everywhere, and every code of the reference's error table reachable."""
from __future__ import annotations

import io
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dxgl_api import config as config_module
from dxgl_api.accounts import find_user, revoke_token, set_suspended
from dxgl_api.db import connection
from dxgl_api.errors import REFERENCE_CODES
from dxgl_api.tables import Token, utcnow

from .conftest import make_glb, upload, uploaded


def envelope_of(r) -> dict:
    body = r.get_json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert set(err) == {"code", "message", "status"} and err["status"] == r.status_code and err["message"]
    return err


def test_flask_404_405_and_bad_json_use_the_envelope(client, alice):
    assert envelope_of(client.get("/nowhere"))["code"] == "not_found"
    assert envelope_of(client.get("/v1/models/x/nothing", headers=alice.headers))["code"] == "not_found"
    r = client.put("/v1/models", headers=alice.headers)
    assert envelope_of(r)["code"] == "method_not_allowed" and "GET" in r.headers["Allow"]
    r = client.post("/v1/quote", data="[", headers={**alice.headers, "Content-Type": "application/json"})
    assert envelope_of(r)["code"] == "invalid_request"


@pytest.mark.parametrize("path", ["/v1/quote", "/v1/renders/batch"])
def test_a_body_that_is_not_an_object_says_what_is_expected(client, alice, path):
    """A bare list of renders (a natural first try) answered marshmallow's '_schema: Invalid
    input type.'; now the envelope names the object's fields."""
    err = envelope_of(client.post(path, json=[{"modelId": "x"}], headers=alice.headers))
    assert err["code"] == "invalid_request"
    assert err["message"].startswith("the request body must be a JSON object with the fields")
    assert "renders" in err["message"] and "_schema" not in err["message"]


def test_unexpected_exception_is_a_500_envelope_without_traceback(client, alice, monkeypatch, caplog):
    from dxgl_api.blueprints import account

    def boom(*a, **k):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(account, "max_length_for", boom)
    r = client.get("/v1/account", headers=alice.headers)
    err = envelope_of(r)
    assert (r.status_code, err["code"]) == (500, "internal")
    assert "secret" not in r.get_data(as_text=True) and "Traceback" not in r.get_data(as_text=True)
    assert "secret internals" in caplog.text  # logged for the operator


class _Slow(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        import time

        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        time.sleep(2.5)

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/model.glb"
    server.shutdown()


def _trigger(code, client, make_account, config, slow_server):
    """Make a request that must answer `code`; returns the response."""
    acct = make_account()
    h = acct.headers
    if code == "unauthorized":
        return client.get("/v1/models")
    if code == "token_expired":
        with connection():
            Token.update(expires_at=utcnow() - timedelta(days=1)).where(Token.user == acct.user_id).execute()
        return client.get("/v1/models", headers=h)
    if code == "forbidden":
        with connection():
            set_suspended(find_user(acct.email), True)
        return client.get("/v1/models", headers=h)
    if code == "insufficient_scope":
        return client.get("/v1/models", headers=make_account(scopes=["renders:read"]).headers)
    if code == "no_file":
        return client.post("/v1/models", data={}, headers=h, content_type="multipart/form-data")
    if code == "invalid_format":
        return upload(client, acct, b"\x00" * 20, "model.fbx")
    if code == "invalid_url":
        return client.post("/v1/models/ingest", json={"url": "ftp://example.com/a.glb"}, headers=h)
    if code == "url_required":
        return client.post("/v1/models/ingest", json={}, headers=h)
    if code == "invalid_settings":
        return upload(client, acct, settings={"length": 1})
    if code == "model_id_required":
        return client.post("/v1/renders", json={"renderSettings": {}}, headers=h)
    if code == "file_too_large":
        config_module.activate(config.replace(max_upload_bytes=100))
        return upload(client, acct, b"x" * 200)
    if code == "no_credits":
        return upload(client, make_account(credits=0))
    if code == "model_not_found":
        return client.get("/v1/models/AAAAAAAAAAAA", headers=h)
    if code == "render_not_found":
        return client.get("/v1/renders/AAAAAAAAAAAA", headers=h)
    if code == "renders_required":
        return client.post("/v1/renders/batch", json={"renders": []}, headers=h)
    if code == "too_many":
        return client.post("/v1/quote", json={"renders": [{}] * 101}, headers=h)
    if code == "upload_limit":
        config_module.activate(config.replace(free_upload_limit=1))
        uploaded(client, acct)
        return upload(client, acct)
    if code in ("video_not_found", "poster_not_found", "thumb_not_found"):
        from dxgl_api import queues

        queues.configure_queues("memory", immediate=False)
        render_id = uploaded(client, acct)["renderId"]
        asset = code.split("_")[0]
        return client.get(f"/v1/renders/{render_id}/{asset}", headers=h)
    if code == "file_not_found":
        from dxgl_api import storage
        from dxgl_api.tables import Model3D

        model_id = uploaded(client, acct, data=make_glb())["modelId"]
        with connection():
            storage.blob_path(Model3D.get_by_id(model_id).blob).unlink()
        return client.get(f"/v1/models/{model_id}/file", headers=h)
    if code == "sha256_required":
        return client.post("/v1/models/check-hash", json={}, headers=h)
    if code == "timeout":
        config_module.activate(config.replace(ingest_timeout_s=1.0, ingest_allowed_networks=("127.0.0.1/32",)))
        return client.post("/v1/models/ingest", json={"url": slow_server}, headers=h)
    if code == "internal":
        from dxgl_api.blueprints import models

        def boom(*a, **k):
            raise RuntimeError("boom")

        models.normalize_tags, original = boom, models.normalize_tags
        try:
            return client.get("/v1/models", headers=h)
        finally:
            models.normalize_tags = original
    raise AssertionError(f"no trigger for {code}")


@pytest.mark.parametrize("code", list(REFERENCE_CODES))
def test_every_reference_code_is_reachable(code, client, make_account, config, slow_server):
    r = _trigger(code, client, make_account, config, slow_server)
    err = envelope_of(r)
    assert (err["code"], r.status_code) == (code, REFERENCE_CODES[code][0])


def test_revoked_token_is_unauthorized_not_expired(client, alice):
    with connection():
        revoke_token(alice.token)
    assert envelope_of(client.get("/v1/models", headers=alice.headers))["code"] == "unauthorized"


def test_oversized_body_on_any_endpoint(client, alice, app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    r = client.post("/v1/overlays", data={"file": (io.BytesIO(b"x" * 5000), "a.png")}, headers=alice.headers,
                    content_type="multipart/form-data")
    err = envelope_of(r)
    assert (r.status_code, err["code"]) == (400, "file_too_large")


# --- which database errors are an outage (503, retry) and which are bugs (500) ----------------------
def test_a_locked_sqlite_database_is_unavailable_and_a_missing_column_is_not(tmp_path):
    import sqlite3

    import peewee as pw

    from dxgl_api.db import unavailable

    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (a INTEGER)")
    holder.execute("BEGIN EXCLUSIVE")  # another process mid-write
    db = pw.SqliteDatabase(str(path), timeout=0.05)
    with pytest.raises(pw.OperationalError) as locked:
        db.execute_sql("INSERT INTO t VALUES (1)")
    holder.execute("ROLLBACK")
    with pytest.raises(pw.OperationalError) as missing:
        db.execute_sql("SELECT b FROM t")
    assert "locked" in str(locked.value) and "no such column" in str(missing.value)
    assert unavailable(locked.value) and not unavailable(missing.value)
    assert unavailable(pw.InterfaceError("connection already closed"))
    assert not unavailable(pw.OperationalError("Connection already opened."))  # peewee's own misuse
    assert not unavailable(RuntimeError("no database at all"))


def test_postgresql_refusing_connections_is_unavailable():
    import socket

    import peewee as pw

    from dxgl_api.db import unavailable

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = pw.PostgresqlDatabase("dxgl", host="127.0.0.1", port=port, user="dxgl", connect_timeout=2)
    with pytest.raises(pw.OperationalError) as refused:
        db.connect()
    with pytest.raises(pw.OperationalError) as refused_in_a_query:  # wrapped twice: query, then connect
        db.execute_sql("SELECT 1")
    assert isinstance(refused_in_a_query.value.orig, pw.OperationalError)
    assert unavailable(refused.value) and unavailable(refused_in_a_query.value)


def test_a_schema_behind_the_code_is_a_500_with_its_traceback_logged_not_a_503(client, alice, caplog):
    from dxgl_api.db import database

    with connection():
        database.execute_sql("ALTER TABLE render DROP COLUMN progress")  # as if a migration were missing
    r = client.get("/v1/renders", headers=alice.headers)
    err = envelope_of(r)
    assert (r.status_code, err["code"]) == (500, "internal") and "Retry-After" not in r.headers
    assert "no such column" in caplog.text and "Traceback" in caplog.text
    assert "progress" not in r.get_data(as_text=True)
