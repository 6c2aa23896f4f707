"""API keys, the library, uploads, model pages, downloads, the new-render form with its quote and
batch, credits and overlays, and isolation between accounts: Flask test-client tests on the real
app with the API tests' fake engine (jobs run inside the request)."""
from __future__ import annotations

import io
import re
import zipfile

from dxgl_api.db import connection
from dxgl_api.portal.tables import TokenUse
from dxgl_api.tables import Model3D, Render, Token
from tests.api.conftest import make_glb, png, scan_zip

from .conftest import csrf_of

JSON = {"Accept": "application/json"}


def upload(client, files, token=None):
    token = token or csrf_of(client.get("/").data)
    data = {"file": [(io.BytesIO(body), name) for name, body in files]}
    return client.post("/upload", data=data, headers={**JSON, "X-CSRFToken": token},
                       content_type="multipart/form-data")


def test_key_created_shown_once_used_and_revoked(app, make_person, browser_of):
    ann = make_person("ann@example.com")
    client = browser_of(ann)
    token = csrf_of(client.get("/keys").data)
    r = client.post("/keys", data={"csrf_token": token, "name": "shop sync", "scopes": ["models:read", "account:read"],
                                   "expires": "30"})
    assert r.status_code == 200
    raw = re.search(r'id="new-token" readonly value="(dxgl_sk_[^"]+)"', r.data.decode()).group(1)
    api = app.test_client()
    assert api.get("/v1/account", headers={"Authorization": f"Bearer {raw}"}).json["data"]["email"] == ann.email
    r = api.post("/v1/renders", json={"modelId": "x"}, headers={"Authorization": f"Bearer {raw}"})
    assert r.status_code == 403 and r.json["error"]["code"] == "insufficient_scope"  # the scopes chosen
    page = client.get("/keys").data.decode()
    assert raw not in page and raw[:12] in page and "shop sync" in page and "models:read, account:read" in page
    with connection():
        t = Token.get(Token.name == "shop sync")
        assert t.token_hash != raw and TokenUse.get_or_none(TokenUse.token == t.id) is not None
        assert 29.9 < (t.expires_at - t.created_at).total_seconds() / 86400 < 30.1
    row = re.search(rf'<tr data-token-id="{t.id}">(.*?)</tr>', page, re.S).group(1)
    assert "never" not in row and row.count(f"{t.created_at:%Y-%m-%d}") >= 2  # created and last used shown
    r = client.post(f"/keys/{t.id}/revoke", data={"csrf_token": token})
    assert r.status_code == 303
    r = api.get("/v1/account", headers={"Authorization": f"Bearer {raw}"})
    assert r.status_code == 401
    r = client.post("/keys", data={"csrf_token": token, "name": "none", "expires": ""})
    assert r.status_code == 400 and b"choose at least one scope" in r.data


def test_upload_library_model_page_and_downloads(app, make_person, browser_of, fake_engine):
    ann = make_person("ann@example.com")
    client = browser_of(ann)
    r = upload(client, [("chair.glb", make_glb("chair"))])
    assert r.status_code == 201, r.json
    data = r.json["data"]
    assert data["modelUrl"] == f"/models/{data['modelId']}" and not data["duplicate"]
    assert len(fake_engine.calls) == 2  # the free preview and the upload's render ran (jobs immediate)
    page = client.get("/").data.decode()
    assert "chair.glb" in page and f"/app/v1/renders/{data['previewRenderId']}/thumb" not in page
    assert f"/app/v1/renders/{data['renderId']}/thumb" in page  # the paid render's poster is preferred
    model = client.get(data["modelUrl"]).data.decode()
    for suffix in ("video", "video?quality=web", "poster?quality=full", "thumb", "bundle"):
        assert f"/app/v1/renders/{data['renderId']}/{suffix}" in model
    video = client.get(f"/app/v1/renders/{data['renderId']}/video")
    assert video.status_code == 200 and video.mimetype == "video/mp4" and len(video.data) > 40_000
    bundle = zipfile.ZipFile(io.BytesIO(client.get(f"/app/v1/renders/{data['renderId']}/bundle").data))
    assert {"video.mp4", "poster.png", "thumb.mp4", "render.json"} <= set(bundle.namelist())
    poster = client.get(f"/app/v1/renders/{data['renderId']}/poster?quality=full")
    assert poster.status_code == 200 and poster.data[:4] == b"\x89PNG"
    again = upload(client, [("chair.glb", make_glb("chair"))])
    assert again.status_code == 201 and again.json["data"]["duplicate"] is True


def test_upload_refusals_are_words(app, make_person, browser_of):
    client = browser_of(make_person())
    r = upload(client, [("notes.txt", b"hello")])
    assert r.status_code == 400 and r.json["error"]["message"] == "unsupported file type '.txt': expected .glb, .gltf, .zip"
    r = upload(client, [("broken.glb", b"glTF but not really")])
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_format"
    assert r.json["error"]["message"].startswith("broken.glb: ")
    r = upload(client, [("a.bin", b"x"), ("b.png", png(2, 2))])
    assert r.status_code == 400 and "exactly one .gltf" in r.json["error"]["message"]
    app.config["MAX_CONTENT_LENGTH"] = 1000  # what the server refuses before reading the body
    r = upload(client, [("big.glb", b"x" * 5000)])
    assert r.status_code == 400 and r.json["error"] == {"code": "file_too_large", "status": 400,
                                                        "message": "the upload exceeds the 100 MB limit"}


def test_gltf_with_its_files_and_a_scan_zip(app, make_person, browser_of, tmp_path):
    from tests.gltf_builder import GltfBuilder, cube_corners

    client = browser_of(make_person())
    builder = GltfBuilder(generator="portal gltf")
    builder.simple_model(*cube_corners())
    gltf = builder.write_gltf(tmp_path / "cube.gltf", "cube.bin")
    r = upload(client, [("cube.gltf", gltf.read_bytes()), ("cube.bin", (tmp_path / "cube.bin").read_bytes())])
    assert r.status_code == 201, r.json  # packed into one ZIP, read like a scan archive
    r = upload(client, [("lonely.gltf", gltf.read_bytes())])
    assert r.status_code == 400 and "cube.bin" in r.json["error"]["message"]  # the reader names what is missing
    r = upload(client, [("scan.zip", scan_zip(tmp_path / "scan.zip").read_bytes())])
    assert r.status_code == 201, r.json


def test_search_archive_unarchive_delete(app, make_person, browser_of):
    client = browser_of(make_person())
    ids = [upload(client, [(f"{n}.glb", make_glb(n))]).json["data"]["modelId"] for n in ("lamp", "sofa")]
    token = csrf_of(client.get("/").data)
    r = client.post(f"/models/{ids[0]}/edit", data={"csrf_token": token, "title": "Desk lamp", "sku": "LMP-7",
                                                    "tags": "Lighting, desk "})
    assert r.status_code == 303
    assert client.get(f"/app/v1/models/{ids[0]}").json["data"]["tags"] == ["lighting", "desk"]  # the API's rules
    r = client.post(f"/models/{ids[0]}/edit", data={"csrf_token": token, "tags": ",".join(f"t{i}" for i in range(21))})
    assert "a model takes at most 20 tags; got 21" in client.get(r.location).data.decode()
    for q in ("desk", "lmp-7", "lighting", "lamp.glb"):
        page = client.get(f"/?q={q}").data.decode()
        assert "Desk lamp" in page and "sofa.glb" not in page, q
    assert client.post(f"/models/{ids[1]}/archive", data={"csrf_token": token}).status_code == 303
    assert "sofa.glb" not in client.get("/").data.decode()
    assert "sofa.glb" in client.get("/?archived=1").data.decode()
    assert client.post(f"/models/{ids[1]}/unarchive", data={"csrf_token": token}).status_code == 303
    assert client.post(f"/models/{ids[1]}/delete", data={"csrf_token": token}).status_code == 303
    assert "sofa.glb" not in client.get("/").data.decode() and client.get(f"/models/{ids[1]}").status_code == 404


def test_render_form_from_the_settings_table_quote_and_batch(app, make_person, browser_of):
    from dxgl_engine import FIELDS

    client = browser_of(make_person(credits=100))
    ids = [upload(client, [(f"{n}.glb", make_glb(n))]).json["data"]["modelId"] for n in ("m1", "m2")]
    page = client.get(f"/render?models={ids[0]}").data.decode()
    for spec in FIELDS:  # one editor per field of the engine's table, with its range
        assert f'name="s0.{spec.key}"' in page, spec.key
    assert 'name="s0.length" min="3" max="30"' in page and 'name="s0.zoom" min="0.5" max="2"' in page
    token = csrf_of(page)
    form = {"csrf_token": token, "model": ids, "s0.quality": "standard", "s0.aspect": "1:1",
            "s0.shadows": ["false", "true"], "s1.quality": "4k", "s1.length": "4", "s1.shadows": "false"}
    q = client.post("/render", data={**form, "action": "quote"}, headers=JSON)
    assert q.status_code == 200 and q.json["data"]["creditsRequired"] == 2 * (4 + 16)
    bad = client.post("/render", data={**form, "s1.length": "600", "action": "quote"}, headers=JSON)
    assert bad.status_code == 400
    assert bad.json["error"]["message"] == "renders[1]: length must be from 3 to 30, got 600"  # the engine's words
    bad = client.post("/render", data={**form, "s0.zoom": "near", "action": "quote"})
    assert bad.status_code == 400 and b"zoom must be a number from 0.5 to 2, got &#39;near&#39;" in bad.data
    r = client.post("/render", data={**form, "action": "order"}, headers=JSON)
    assert r.status_code == 201 and len(r.json["data"]) == 4
    with connection():
        mine = Render.select().where(Render.model.in_(ids) & ~Render.is_system_preview).order_by(Render.created_at)
        by_quality = sorted((r.settings["quality"], r.settings["aspect"], r.settings["shadows"]) for r in mine
                            if r.settings["quality"] != "share")
    assert by_quality == [("4k", "16:9", False)] * 2 + [("standard", "1:1", True)] * 2
    credits = client.get("/credits").data.decode()
    assert 'id="balance">58<' in credits  # 100 - 2 uploads - 40
    assert credits.count("<tr>") == 1 + 1 + 2 + 4  # header, signup, 2 upload renders, 4 batch renders


def test_overlays_page_marks_system_overlays(app, make_person, browser_of, tmp_path):
    from dxgl_api.blueprints.overlays import store_overlay

    with connection():
        store_overlay(io.BytesIO(png(16, 9)), "studio.png", {"name": "Studio"}, None)
    client = browser_of(make_person())
    token = csrf_of(client.get("/overlays").data)
    r = client.post("/overlays", data={"csrf_token": token, "name": "Logo", "layer": "foreground",
                                       "file": (io.BytesIO(png(8, 8)), "logo.png")}, content_type="multipart/form-data")
    assert r.status_code == 303
    page = client.get("/overlays").data.decode()
    assert "Studio" in page and "Logo" in page and page.count('<span class="tag">system</span>') == 1
    r = client.post("/overlays", data={"csrf_token": token, "file": (io.BytesIO(b"nope"), "x.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 400 and b'class="error"' in r.data
    form = client.get("/render").data.decode()
    assert "Studio (system)" in form and "Logo" in form


def test_one_account_never_reaches_another(app, make_person, browser_of):
    ann, bob = make_person("ann@example.com"), make_person("bob@example.com")
    a, b = browser_of(ann), browser_of(bob)
    data = upload(a, [("secret.glb", make_glb("secret"))]).json["data"]
    rid, mid = data["renderId"], data["modelId"]
    assert b.get(f"/models/{mid}").status_code == 404
    for path in (f"/app/v1/renders/{rid}/video", f"/app/v1/renders/{rid}", f"/app/v1/models/{mid}",
                 f"/app/v1/renders/{rid}/bundle", f"/app/v1/models/{mid}/file"):
        r = b.get(path)
        assert r.status_code == 404 and r.json["error"]["code"] in ("render_not_found", "model_not_found"), path
    token = csrf_of(b.get("/").data)
    assert b.post(f"/models/{mid}/delete", data={"csrf_token": token}).status_code == 404
    assert "secret.glb" not in b.get("/?q=secret").data.decode()
    r = b.post("/render", data={"csrf_token": token, "model": [mid], "action": "order"}, headers=JSON)
    assert r.status_code == 404 and r.json["error"]["code"] == "model_not_found"
    with connection():
        a_key = Token.create(user=ann.id, token_hash="0" * 64, prefix="dxgl_sk_xxxx", scopes="all")
    assert b.post(f"/keys/{a_key.id}/revoke", data={"csrf_token": token}).status_code == 404
    with connection():
        assert Model3D.get_by_id(mid).deleted_at is None
