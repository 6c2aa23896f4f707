"""Assets: video (Range, ?quality=web), poster (small/full), thumb (Range), streamed bundle ZIP."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from PIL import Image

from dxgl_api import queues, storage

from .conftest import uploaded


@pytest.fixture
def render_id(client, alice):
    return uploaded(client, alice)["renderId"]


def test_video_full_and_range(client, alice, render_id, fake_engine):
    r = client.get(f"/v1/renders/{render_id}/video", headers=alice.headers)
    assert r.status_code == 200 and r.headers["Content-Type"] == "video/mp4"
    assert r.headers["Accept-Ranges"] == "bytes"
    full = r.data
    assert len(full) == client.get(f"/v1/renders/{render_id}", headers=alice.headers).json["data"]["fileSize"]
    r = client.get(f"/v1/renders/{render_id}/video", headers={**alice.headers, "Range": "bytes=100-299"})
    assert r.status_code == 206 and r.data == full[100:300]
    assert r.headers["Content-Range"] == f"bytes 100-299/{len(full)}"
    r = client.get(f"/v1/renders/{render_id}/video", headers={**alice.headers, "Range": "bytes=-10"})
    assert r.status_code == 206 and r.data == full[-10:]
    r = client.get(f"/v1/renders/{render_id}/video", headers={**alice.headers, "Range": f"bytes={len(full) + 5}-"})
    assert r.status_code == 416 and r.json["error"]["code"] == "range_not_satisfiable"
    assert r.headers["Content-Range"] == f"bytes */{len(full)}"


def test_web_quality_falls_back_then_uses_the_web_variant(client, alice, render_id):
    main = client.get(f"/v1/renders/{render_id}/video", headers=alice.headers).data
    r = client.get(f"/v1/renders/{render_id}/video?quality=web", headers=alice.headers)
    assert r.status_code == 200 and r.data == main
    assert client.get(f"/v1/renders/{render_id}", headers=alice.headers).json["data"]["hasWebVariant"] is False

    paths = storage.render_paths(render_id, "video.mp4")
    storage.web_variant(paths).write_bytes(b"web" * 100)  # what the engine will write beside the video
    assert storage.web_variant(paths).name == "video.web.mp4"
    assert client.get(f"/v1/renders/{render_id}", headers=alice.headers).json["data"]["hasWebVariant"] is True
    r = client.get(f"/v1/renders/{render_id}/video?quality=web", headers=alice.headers)
    assert r.data == b"web" * 100 and r.headers["Content-Type"] == "video/mp4"
    r = client.get(f"/v1/renders/{render_id}/video?quality=ultra", headers=alice.headers)
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_request")


def test_posters(client, alice, render_id):
    small = client.get(f"/v1/renders/{render_id}/poster", headers=alice.headers)
    full = client.get(f"/v1/renders/{render_id}/poster?quality=full", headers=alice.headers)
    assert small.status_code == full.status_code == 200
    assert small.headers["Content-Type"] == full.headers["Content-Type"] == "image/png"
    small_size = Image.open(io.BytesIO(small.data)).size
    full_size = Image.open(io.BytesIO(full.data)).size
    assert full_size[0] > small_size[0] and full_size[0] / full_size[1] == pytest.approx(16 / 9, rel=0.1)


def test_thumb_with_range(client, alice, render_id):
    r = client.get(f"/v1/renders/{render_id}/thumb", headers=alice.headers)
    assert r.status_code == 200 and r.headers["Content-Type"] == "video/mp4"
    part = client.get(f"/v1/renders/{render_id}/thumb", headers={**alice.headers, "Range": "bytes=0-9"})
    assert part.status_code == 206 and part.data == r.data[:10]


def test_bundle_is_a_streamed_zip(client, alice, render_id):
    r = client.get(f"/v1/renders/{render_id}/bundle", headers=alice.headers)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/zip"
    assert "immutable" in r.headers["Cache-Control"]
    assert r.headers["Content-Disposition"] == f'attachment; filename="{render_id}.zip"'
    assert r.is_streamed
    body = r.get_data()
    assert int(r.headers["Content-Length"]) == len(body)
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert sorted(archive.namelist()) == ["poster-small.png", "poster.png", "render.json", "thumb.mp4", "video.mp4"]
    assert archive.read("video.mp4") == client.get(f"/v1/renders/{render_id}/video", headers=alice.headers).data
    assert json.loads(archive.read("render.json"))["id"] == render_id
    assert archive.testzip() is None


def test_assets_of_unfinished_renders(client, alice, config):
    queues.configure_queues("memory", immediate=False)  # the render stays pending
    render_id = uploaded(client, alice)["renderId"]
    expected = {"video": "video_not_found", "poster": "poster_not_found", "thumb": "thumb_not_found",
                "bundle": "video_not_found"}
    for asset, code in expected.items():
        r = client.get(f"/v1/renders/{render_id}/{asset}", headers=alice.headers)
        assert (r.status_code, r.json["error"]["code"]) == (404, code), asset


def test_assets_with_files_missing_on_disk(client, alice, render_id):
    paths = storage.render_paths(render_id, "video.mp4")
    paths.thumb.unlink()
    paths.poster_small.unlink()
    assert client.get(f"/v1/renders/{render_id}/thumb", headers=alice.headers).json["error"]["code"] == \
        "thumb_not_found"
    assert client.get(f"/v1/renders/{render_id}/poster", headers=alice.headers).json["error"]["code"] == \
        "poster_not_found"
    paths.video.unlink()
    assert client.get(f"/v1/renders/{render_id}/video", headers=alice.headers).json["error"]["code"] == \
        "video_not_found"


def test_pro_tier_is_quicktime(client, make_account):
    account = make_account(credits=100)
    model_id = uploaded(client, account)["modelId"]
    r = client.post("/v1/renders", json={"modelId": model_id, "renderSettings": {"quality": "pro"}},
                    headers=account.headers)
    render_id = r.json["data"]["id"]
    r = client.get(f"/v1/renders/{render_id}/video", headers=account.headers)
    assert r.status_code == 200 and r.headers["Content-Type"] == "video/quicktime"
    names = zipfile.ZipFile(io.BytesIO(client.get(f"/v1/renders/{render_id}/bundle",
                                                  headers=account.headers).data)).namelist()
    assert "video.mov" in names
