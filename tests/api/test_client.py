"""dxgl_api.client against a live server (waitress on loopback): upload, dedup pre-flight,
ingest, batch, quote, wait with progress, downloads, typed errors carrying the envelope's code."""
from __future__ import annotations

import zipfile

import pytest

from dxgl_api import client as dxgl
from dxgl_api.client import Client

from .conftest import make_glb


@pytest.fixture(scope="module")
def api(live_server) -> Client:
    return Client(live_server.url, live_server.token("rich"))


@pytest.fixture
def glb_file(tmp_path):
    path = tmp_path / "chair.glb"
    path.write_bytes(make_glb())
    return path


def test_upload_wait_download(api, glb_file, tmp_path, capsys):
    up = api.upload(glb_file, {"aspect": "16:9", "length": 3})
    assert up["duplicate"] is False
    render = api.wait(up["renderId"], poll=0.05, progress=True)
    assert render["status"] == "done"
    video = api.download(up["renderId"], tmp_path / "chair.mp4")
    assert video.stat().st_size == render["fileSize"]
    poster = api.download(up["renderId"], tmp_path, asset="poster", quality="full")
    assert poster.name == f"{up['renderId']}.poster.png" and poster.read_bytes()[:4] == b"\x89PNG"
    bundle = api.download(up["renderId"], tmp_path, asset="bundle")
    assert "video.mp4" in zipfile.ZipFile(bundle).namelist()
    model = api.download_model(up["modelId"], tmp_path / "back.glb")
    assert model.read_bytes() == glb_file.read_bytes()
    assert not list(tmp_path.glob(".*.part"))


def test_preflight_skips_the_upload_of_a_known_file(api, glb_file):
    first = api.upload(glb_file)
    again = api.upload(glb_file)
    assert again["duplicate"] is True and again["modelId"] == first["modelId"]
    assert api.check_hash(glb_file) == {"exists": True, "modelId": first["modelId"]}
    assert api.upload(glb_file, preflight=False)["duplicate"] is True  # the server dedups too


def test_models_update_and_iterate(api, glb_file):
    up = api.upload(glb_file)
    api.update_model(up["modelId"], title="Chair", tags=["Furniture"])
    assert api.model(up["modelId"])["tags"] == ["furniture"]
    page = api.models(limit=1, tags=["furniture"])
    assert len(page) == 1 and page.meta["total"] >= 1
    assert up["modelId"] in {m["id"] for m in api.iter_models()}
    api.archive(up["modelId"])
    assert up["modelId"] in {m["id"] for m in api.models(archived=True)}
    api.unarchive(up["modelId"])


def test_batch_quote_renders(api, glb_file):
    model_id = api.upload(glb_file)["modelId"]
    quote = api.quote([{"quality": "standard"}, {"quality": "4k"}, {"output": "dataset", "datasetQuality": "196x1024"}])
    assert quote["creditsRequired"] == 36 and quote["sufficient"] is True
    assert quote["breakdown"] == [{"quality": "standard", "credits": 4}, {"quality": "4k", "credits": 16},
                                  {"datasetQuality": "196x1024", "credits": 16}]
    made = api.batch([{"modelId": model_id, "renderSettings": {"aspect": a}} for a in ("16:9", "1:1", "9:16")])
    assert len(made) == 3
    assert all(api.wait(r["id"], poll=0.01, progress=False)["status"] == "done" for r in made)
    assert api.renders(model=model_id).meta["total"] >= 4


def test_typed_errors(api, live_server, tmp_path):
    with pytest.raises(dxgl.NotFound) as err:
        api.get_render("nope")
    assert (err.value.code, err.value.status) == ("render_not_found", 404)
    with pytest.raises(dxgl.BadRequest) as err:
        api.quote([{"quality": "8k"}])
    assert err.value.code == "invalid_settings"
    with pytest.raises(dxgl.Unauthorized) as err:
        Client(live_server.url, "dxgl_sk_wrong").account()
    assert err.value.code == "unauthorized"
    bad = tmp_path / "bad.glb"
    bad.write_bytes(b"nope")
    with pytest.raises(dxgl.BadRequest) as err:
        api.upload(bad)
    assert err.value.code == "invalid_format"
    poor = Client(live_server.url, live_server.token("user"))
    up_error = None
    for _ in range(12):  # the free account has 10 credits
        try:
            poor.upload(_fresh(tmp_path))
        except dxgl.NoCredits as e:
            up_error = e
            break
    assert up_error is not None and up_error.code == "no_credits" and up_error.status == 402


def _fresh(tmp_path):
    path = tmp_path / "fresh.glb"
    path.write_bytes(make_glb())
    return path


def test_wait_raises_render_error(api, glb_file, monkeypatch):
    from dxgl_api import jobs
    from dxgl_engine.errors import RenderFailed

    monkeypatch.setattr(jobs.render_batch, "error", RenderFailed("the encoder failed"))
    up = api.upload(glb_file, {"length": 4})
    with pytest.raises(dxgl.RenderError) as err:
        api.wait(up["renderId"], poll=0.01, progress=False)
    assert err.value.render["errorMessage"] == "the encoder failed"


def test_health_and_account(api):
    assert api.health()["database"] == "ok"
    assert api.account()["email"] == "rich@live.example"


def test_reference_python_example_works_unchanged(live_server, glb_file, tmp_path):
    """The reference's Python example, with only API and the token changed."""
    import time

    import requests

    API = live_server.url
    HEADERS = {"Authorization": f"Bearer {live_server.token('rich')}"}
    with open(glb_file, "rb") as f:
        r = requests.post(f"{API}/models", headers=HEADERS, files={"file": f},
                          data={"renderSettings": '{"aspect":"16:9","length":6}'})
    render_id = r.json()["data"]["renderId"]
    while True:
        r = requests.get(f"{API}/renders/{render_id}", headers=HEADERS)
        status = r.json()["data"]["status"]
        if status == "done":
            break
        if status == "error":
            raise Exception("Render failed")
        time.sleep(0.05)
    r = requests.get(f"{API}/renders/{render_id}/video", headers=HEADERS)
    (tmp_path / "chair.mp4").write_bytes(r.content)
    assert len(r.content) > 0
