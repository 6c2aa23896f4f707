"""/v1/overlays: upload (PNG/JPEG/WebP, 10 MB), list own + system, delete own; bgImageId in renders."""
from __future__ import annotations

import io

from dxgl_api.db import connection
from dxgl_api.tables import Render
from dxgl_api.blueprints.overlays import store_overlay

from .conftest import huge_png_header, png, uploaded


def post_overlay(client, account, data, filename="bg.png", **form):
    return client.post("/v1/overlays", data={"file": (io.BytesIO(data), filename), **form}, headers=account.headers,
                       content_type="multipart/form-data")


def test_upload_list_delete(client, alice):
    r = post_overlay(client, alice, png(64, 32), filename="My Gradient.png")
    assert r.status_code == 200
    data = r.json["data"]
    assert data["layer"] == "background" and data["alignment"] == "top-left" and data["name"] == "My Gradient.png"
    r = post_overlay(client, alice, png(16, 16, "JPEG"), filename="logo.jpg", layer="foreground", alignment="center",
                     name="Logo", description="corner logo")
    assert r.json["data"]["layer"] == "foreground" and r.json["data"]["name"] == "Logo"
    webp = post_overlay(client, alice, png(16, 16, "WEBP"), filename="x.webp").json["data"]
    listed = client.get("/v1/overlays", headers=alice.headers).json["data"]
    assert len(listed) == 3 and {o["mimeType"] for o in listed} == {"image/png", "image/jpeg", "image/webp"}
    r = client.delete(f"/v1/overlays/{webp['id']}", headers=alice.headers)
    assert r.status_code == 200 and r.json["data"] == {"id": webp["id"], "deleted": True}
    assert len(client.get("/v1/overlays", headers=alice.headers).json["data"]) == 2
    assert client.delete(f"/v1/overlays/{webp['id']}", headers=alice.headers).json["error"]["code"] == \
        "overlay_not_found"


def test_upload_refusals(client, alice, config):
    from dxgl_api import config as config_module

    r = client.post("/v1/overlays", data={}, headers=alice.headers, content_type="multipart/form-data")
    assert r.json["error"]["code"] == "no_file"
    assert post_overlay(client, alice, b"GIF89a....", filename="a.gif").json["error"]["code"] == "invalid_format"
    gif = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    r = post_overlay(client, alice, gif.getvalue(), filename="a.gif")
    assert r.json["error"]["code"] == "invalid_format" and "GIF" in r.json["error"]["message"]
    r = post_overlay(client, alice, huge_png_header(100_000, 100_000))
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_format")
    assert "pixel" in r.json["error"]["message"]
    assert post_overlay(client, alice, png(8, 8), layer="middle").json["error"]["code"] == "invalid_request"
    assert post_overlay(client, alice, png(8, 8), alignment="upside").json["error"]["code"] == "invalid_request"
    assert post_overlay(client, alice, png(8, 8), name="n" * 101).json["error"]["code"] == "invalid_request"
    assert post_overlay(client, alice, png(8, 8), description="d" * 501).json["error"]["code"] == "invalid_request"
    config_module.activate(config.replace(max_overlay_bytes=1000))
    r = post_overlay(client, alice, png(300, 300, color=None) + b"\x00" * 2000)
    assert (r.status_code, r.json["error"]["code"]) == (400, "file_too_large")


def test_system_overlays_are_listed_for_everyone_and_not_deletable(client, alice, bob):
    with connection():
        system = store_overlay(io.BytesIO(png(32, 32)), "studio.png", {"name": "Studio"}, None)
    for account in (alice, bob):
        listed = client.get("/v1/overlays", headers=account.headers).json["data"]
        assert [(o["id"], o["system"]) for o in listed] == [(system.id, True)]
    r = client.delete(f"/v1/overlays/{system.id}", headers=alice.headers)
    assert (r.status_code, r.json["error"]["code"]) == (404, "overlay_not_found")


def test_bg_image_id_in_renders(client, alice, bob, fake_engine):
    from dxgl_api import storage

    overlay = post_overlay(client, alice, png(64, 36)).json["data"]
    model_id = uploaded(client, alice)["modelId"]
    settings = {"bgImageId": overlay["id"], "bgAlign": "center", "aspect": "16:9", "length": 6}
    r = client.post("/v1/renders", json={"modelId": model_id, "renderSettings": settings}, headers=alice.headers)
    assert r.status_code == 201
    assert r.json["data"]["renderSettings"]["bgImageId"] == overlay["id"]
    with connection():
        path = Render.get_by_id(r.json["data"]["id"]).overlay_files["bgImageId"]
    assert path and path.startswith(str(storage.root())) and open(path, "rb").read() == png(64, 36)
    assert fake_engine.calls[-1]["files"].background_image == path  # handed to the engine

    bob_model = uploaded(client, bob)["modelId"]
    r = client.post("/v1/renders", json={"modelId": bob_model, "renderSettings": {"bgImageId": overlay["id"]}},
                    headers=bob.headers)
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_settings")
    assert "bgImageId" in r.json["error"]["message"]
    r = client.post("/v1/renders", json={"modelId": model_id, "renderSettings": {"bgAlign": "middle"}},
                    headers=alice.headers)
    assert r.json["error"]["code"] == "invalid_settings"


def test_deleting_keeps_a_shared_image(client, alice, bob):
    from dxgl_api import storage

    a = post_overlay(client, alice, png(20, 20)).json["data"]
    b = post_overlay(client, bob, png(20, 20)).json["data"]  # same bytes: one stored file
    with connection():
        from dxgl_api.tables import Overlay

        path = storage.overlay_path(Overlay.get_by_id(a["id"]).blob)
    client.delete(f"/v1/overlays/{a['id']}", headers=alice.headers)
    assert path.is_file()
    client.delete(f"/v1/overlays/{b['id']}", headers=bob.headers)
    assert not path.exists()


def test_an_image_used_by_an_unfinished_render_stays(client, alice, config):
    from dxgl_api import queues, storage
    from dxgl_api.tables import Overlay

    overlay = post_overlay(client, alice, png(30, 30)).json["data"]
    model_id = uploaded(client, alice)["modelId"]
    queues.configure_queues("memory", immediate=False)  # the render stays pending
    r = client.post("/v1/renders", json={"modelId": model_id, "renderSettings": {"bgImageId": overlay["id"]}},
                    headers=alice.headers)
    assert r.status_code == 201
    with connection():
        path = storage.overlay_path(Overlay.get_by_id(overlay["id"]).blob)
    client.delete(f"/v1/overlays/{overlay['id']}", headers=alice.headers)
    assert path.is_file()  # the queued render still needs it


def test_every_image_setting_of_the_engine_is_resolved(client, alice):
    from dxgl_engine.settings import FIELDS

    image_keys = [f.key for f in FIELDS if f.key.endswith("ImageId")]
    overlay = post_overlay(client, alice, png(30, 30)).json["data"]
    model_id = uploaded(client, alice)["modelId"]
    settings = {key: overlay["id"] for key in image_keys}
    r = client.post("/v1/renders", json={"modelId": model_id, "renderSettings": settings}, headers=alice.headers)
    assert r.status_code == 201
    with connection():
        assert set(Render.get_by_id(r.json["data"]["id"]).overlay_files) == set(image_keys)
    for key in image_keys:
        r = client.post("/v1/renders", json={"modelId": model_id, "renderSettings": {key: "ZZZZZZZZZZZZ"}},
                        headers=alice.headers)
        assert r.json["error"]["code"] == "invalid_settings" and key in r.json["error"]["message"]
