"""/v1/renders: create, list, get, dismiss, delete, batch; credits at the engine's prices, moved
atomically, refunded on error, never overdrawn by parallel requests."""
from __future__ import annotations

import threading

import pytest

from dxgl_api import jobs
from dxgl_api.db import connection
from dxgl_api.tables import LedgerEntry, Render, User
from dxgl_engine.errors import RenderFailed
from dxgl_engine.tiers import TIERS
from tests.gltf_builder import variant_cube

from .conftest import upload, uploaded


@pytest.fixture
def model_id(client, alice):
    return uploaded(client, alice)["modelId"]


def balance(account) -> int:
    with connection():
        return User.get_by_id(account.user_id).credits


def test_create_render_defaults_to_share(client, alice, model_id):
    before = balance(alice)
    r = client.post("/v1/renders", json={"modelId": model_id}, headers=alice.headers)
    assert r.status_code == 201
    data = r.json["data"]
    assert data["modelId"] == model_id and data["renderSettings"]["quality"] == "share"
    assert data["status"] == "done"  # immediate mode
    assert balance(alice) == before - 1


@pytest.mark.parametrize("quality", list(TIERS))
def test_prices_come_from_the_engine(client, make_account, quality):
    rich = make_account(credits=200)
    model_id = uploaded(client, rich)["modelId"]
    before = balance(rich)
    r = client.post("/v1/renders", json={"modelId": model_id, "renderSettings": {"quality": quality}},
                    headers=rich.headers)
    assert r.status_code == 201 and r.json["data"]["credits"] == TIERS[quality].credits
    assert balance(rich) == before - TIERS[quality].credits


def test_reference_example_settings_are_accepted(client, alice, model_id):
    settings = {"quality": "share", "aspect": "16:9", "bgColor": "#ffffff", "length": 6, "animationSpeed": 1,
                "shadows": True, "reflector": False, "easing": True}
    r = client.post("/v1/renders", json={"modelId": model_id, "renderSettings": settings}, headers=alice.headers)
    assert r.status_code == 201
    for key, value in settings.items():
        assert r.json["data"]["renderSettings"][key] == value


def test_create_render_errors(client, alice, model_id):
    r = client.post("/v1/renders", json={}, headers=alice.headers)
    assert (r.status_code, r.json["error"]["code"]) == (400, "model_id_required")
    r = client.post("/v1/renders", json={"modelId": "nope"}, headers=alice.headers)
    assert (r.status_code, r.json["error"]["code"]) == (404, "model_not_found")
    for bad in ({"length": 31}, {"bgColor": "red"}, {"rotateY": 1.5}, {"unknown": 1}, {"aspect": "4:3"}, "x"):
        r = client.post("/v1/renders", json={"modelId": model_id, "renderSettings": bad}, headers=alice.headers)
        assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_settings"), bad
    r = client.post("/v1/renders", data="{oops", headers={**alice.headers, "Content-Type": "application/json"})
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_request")


def test_admin_may_render_600_seconds(client, make_account, alice, model_id):
    admin = make_account(admin=True)
    admin_model = uploaded(client, admin)["modelId"]
    r = client.post("/v1/renders", json={"modelId": admin_model, "renderSettings": {"length": 600}},
                    headers=admin.headers)
    assert r.status_code == 201
    r = client.post("/v1/renders", json={"modelId": admin_model, "renderSettings": {"length": 601}},
                    headers=admin.headers)
    assert r.json["error"]["code"] == "invalid_settings"
    r = client.post("/v1/renders", json={"modelId": model_id, "renderSettings": {"length": 60}}, headers=alice.headers)
    assert r.json["error"]["code"] == "invalid_settings"


def test_no_credits(client, make_account):
    account = make_account(credits=1)
    model_id = uploaded(client, account)["modelId"]  # spends the only credit
    r = client.post("/v1/renders", json={"modelId": model_id}, headers=account.headers)
    assert (r.status_code, r.json["error"]["code"]) == (402, "no_credits")
    with connection():
        assert Render.select().where(Render.is_system_preview == False).count() == 1  # noqa: E712


def test_list_filters_and_get(client, alice, model_id):
    other = uploaded(client, alice)["modelId"]
    client.post("/v1/renders", json={"modelId": model_id}, headers=alice.headers)
    all_renders = client.get("/v1/renders", headers=alice.headers).json
    assert all_renders["meta"]["total"] == 5  # two uploads (preview + render each) and one more
    mine = client.get(f"/v1/renders?model={model_id}", headers=alice.headers).json
    assert mine["meta"]["total"] == 3 and all(r["modelId"] == model_id for r in mine["data"])
    assert client.get(f"/v1/renders?model={other}&limit=1", headers=alice.headers).json["meta"] == {
        "total": 2, "offset": 0, "limit": 1}
    assert client.get("/v1/renders?status=done", headers=alice.headers).json["meta"]["total"] == 5
    assert client.get("/v1/renders?status=pending", headers=alice.headers).json["meta"]["total"] == 0
    r = client.get("/v1/renders?status=bogus", headers=alice.headers)
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_request")

    render = mine["data"][0]
    got = client.get(f"/v1/renders/{render['id']}", headers=alice.headers).json["data"]
    assert set(got) >= {"id", "modelId", "status", "renderSettings", "fileSize", "errorMessage", "hasWebVariant",
                        "createdAt", "updatedAt"}
    assert got["fileSize"] > 0 and got["errorMessage"] is None and got["hasWebVariant"] is False
    r = client.get("/v1/renders/nope", headers=alice.headers)
    assert (r.status_code, r.json["error"]["code"]) == (404, "render_not_found")


def test_error_refunds_then_dismiss(client, make_account, fake_engine):
    account = make_account(credits=30)
    model_id = uploaded(client, account)["modelId"]
    before = balance(account)
    fake_engine.error = RenderFailed("encoder exploded")
    r = client.post("/v1/renders", json={"modelId": model_id, "renderSettings": {"quality": "4k"}},
                    headers=account.headers)
    render_id = r.json["data"]["id"]
    got = client.get(f"/v1/renders/{render_id}", headers=account.headers).json["data"]
    assert got["status"] == "error" and got["errorMessage"] == "encoder exploded" and got["fileSize"] is None
    assert balance(account) == before  # charged 16, given back
    with connection():
        rows = list(LedgerEntry.select().where(LedgerEntry.render_id == render_id).order_by(LedgerEntry.id))
    assert [(r.reason, r.delta) for r in rows] == [("render", -16), ("refund", 16)]
    assert "ended in error" in rows[1].note

    r = client.patch(f"/v1/renders/{render_id}/dismiss", headers=account.headers)
    assert r.status_code == 200 and r.json["data"]["status"] == "failed"
    assert client.patch(f"/v1/renders/{render_id}/dismiss", headers=account.headers).status_code == 200
    assert balance(account) == before  # dismissing moves no credits

    fake_engine.error = None
    done = client.post("/v1/renders", json={"modelId": model_id}, headers=account.headers).json["data"]
    r = client.patch(f"/v1/renders/{done['id']}/dismiss", headers=account.headers)
    assert (r.status_code, r.json["error"]["code"]) == (409, "invalid_status")


def test_delete_render_removes_files(client, alice, model_id):
    from dxgl_api import storage

    render_id = client.post("/v1/renders", json={"modelId": model_id}, headers=alice.headers).json["data"]["id"]
    folder = storage.render_dir(render_id)
    assert (folder / "video.mp4").is_file() and (folder / "video.thumb.mp4").is_file()
    before = balance(alice)
    r = client.delete(f"/v1/renders/{render_id}", headers=alice.headers)
    assert r.status_code == 200 and r.json["data"] == {"id": render_id, "deleted": True}
    assert not folder.exists()
    assert balance(alice) == before  # a finished render is not refunded
    assert client.get(f"/v1/renders/{render_id}", headers=alice.headers).json["error"]["code"] == "render_not_found"
    assert client.delete(f"/v1/renders/{render_id}", headers=alice.headers).status_code == 404


def test_deleting_a_pending_render_refunds_it(client, alice, model_id, config):
    from dxgl_api import queues

    queues.configure_queues("memory", immediate=False)  # nothing runs: the render stays pending
    render_id = client.post("/v1/renders", json={"modelId": model_id}, headers=alice.headers).json["data"]["id"]
    assert client.get(f"/v1/renders/{render_id}", headers=alice.headers).json["data"]["status"] == "pending"
    before = balance(alice)
    client.delete(f"/v1/renders/{render_id}", headers=alice.headers)
    assert balance(alice) == before + 1


def test_batch(client, make_account):
    account = make_account(credits=50)
    m1 = uploaded(client, account)["modelId"]
    m2 = uploaded(client, account)["modelId"]
    before = balance(account)
    items = [
        {"modelId": m1, "renderSettings": {"aspect": "16:9", "bgColor": "#ffffff"}},
        {"modelId": m1, "renderSettings": {"aspect": "1:1", "bgColor": "#000000", "quality": "standard"}},
        {"modelId": m2, "renderSettings": {"aspect": "16:9"}},
        {"modelId": m2},
    ]
    r = client.post("/v1/renders/batch", json={"renders": items}, headers=account.headers)
    assert r.status_code == 201
    data = r.json["data"]
    assert [d["modelId"] for d in data] == [m1, m1, m2, m2]
    assert all(set(d) >= {"id", "modelId", "status"} for d in data)
    assert balance(account) == before - (1 + 4 + 1 + 1)


def test_batch_groups_items_per_model(client, make_account, monkeypatch):
    from dxgl_api import jobs, queues

    account = make_account(credits=50)
    m1, m2 = (uploaded(client, account)["modelId"] for _ in range(2))
    queues.configure_queues("memory", immediate=False)
    jobs_queued = []
    monkeypatch.setattr(jobs, "render_task", lambda ids: jobs_queued.append(ids))
    items = [{"modelId": m1}, {"modelId": m2}, {"modelId": m1}]
    data = client.post("/v1/renders/batch", json={"renders": items}, headers=account.headers).json["data"]
    assert jobs_queued == [[data[0]["id"], data[2]["id"]], [data[1]["id"]]]


def test_batch_is_all_or_nothing(client, make_account):
    account = make_account(credits=10)
    model_id = uploaded(client, account)["modelId"]  # 9 left
    before = balance(account)
    items = [{"modelId": model_id, "renderSettings": {"quality": "standard"}}] * 3  # 12 credits
    r = client.post("/v1/renders/batch", json={"renders": items}, headers=account.headers)
    assert (r.status_code, r.json["error"]["code"]) == (402, "no_credits")
    assert balance(account) == before
    with connection():
        assert Render.select().count() == 2  # the upload's render and preview only


def test_batch_errors(client, alice, model_id):
    def post(body):
        r = client.post("/v1/renders/batch", json=body, headers=alice.headers)
        return r.status_code, r.json["error"]["code"]

    assert post({}) == (400, "renders_required")
    assert post({"renders": []}) == (400, "renders_required")
    assert post({"renders": "x"}) == (400, "invalid_request")
    assert post({"renders": [{"modelId": model_id}] * 101}) == (400, "too_many")
    assert post({"renders": [{"modelId": model_id}, {}]}) == (400, "model_id_required")
    assert post({"renders": [{"modelId": model_id}, {"modelId": "nope"}]}) == (404, "model_not_found")
    r = client.post("/v1/renders/batch", json={"renders": [{"modelId": model_id, "renderSettings": {"zoom": 9}}]},
                    headers=alice.headers)
    assert r.json["error"]["code"] == "invalid_settings" and "renders[0]" in r.json["error"]["message"]
    with connection():
        assert Render.select().count() == 2


def test_a_material_variant_is_checked_against_the_model_at_creation(client, alice, fake_engine):
    model_id = uploaded(client, alice, data=variant_cube(generator="api variants").glb())["modelId"]
    plain_id = uploaded(client, alice)["modelId"]

    def create(model, settings):
        return client.post("/v1/renders", json={"modelId": model, "renderSettings": settings}, headers=alice.headers)

    before = balance(alice)
    r = create(model_id, {"materialVariant": "Green"})
    assert r.status_code == 400 and r.json["error"] == {
        "code": "invalid_settings", "status": 400,
        "message": "renderSettings: materialVariant 'Green' is not in the model; its material variants are: 'Red', "
                   "'Blue'"}  # fmt: skip
    r = create(plain_id, {"materialVariant": "Red"})
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_settings")
    assert "the model has no material variants" in r.json["error"]["message"]
    r = create(plain_id, {"animation": "*"})  # the model's clips are checked at the same point
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_settings")
    assert "renderSettings: animation '*' was requested but the model has no animations" in r.json["error"]["message"]
    assert balance(alice) == before  # refusals cost nothing
    r = create(model_id, {"materialVariant": "Blue"})
    assert r.status_code == 201 and r.json["data"]["renderSettings"]["materialVariant"] == "Blue"
    assert fake_engine.calls[-1]["settings"].material_variant == "Blue"
    assert balance(alice) == before - 1


def test_a_batch_names_the_item_whose_variant_the_model_lacks(client, alice):
    model_id = uploaded(client, alice, data=variant_cube(generator="api batch variants").glb())["modelId"]
    items = [{"modelId": model_id, "renderSettings": {"materialVariant": "Red"}},
             {"modelId": model_id, "renderSettings": {"materialVariant": "red"}}]  # fmt: skip
    r = client.post("/v1/renders/batch", json={"renders": items}, headers=alice.headers)
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_settings")
    assert r.json["error"]["message"].startswith("renders[1].renderSettings: materialVariant 'red' is not in the model")
    with connection():
        assert Render.select().count() == 2  # the upload's render and preview only
    items[1]["renderSettings"]["materialVariant"] = "Blue"
    r = client.post("/v1/renders/batch", json={"renders": items}, headers=alice.headers)
    assert r.status_code == 201
    assert [d["renderSettings"]["materialVariant"] for d in r.json["data"]] == ["Red", "Blue"]


def test_an_upload_naming_a_variant_its_model_lacks_stores_nothing(client, alice):
    data = variant_cube(generator="api upload variants").glb()
    r = upload(client, alice, data=data, settings={"materialVariant": "Green"})
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_settings")
    assert "its material variants are: 'Red', 'Blue'" in r.json["error"]["message"]
    assert client.get("/v1/models", headers=alice.headers).json["meta"]["total"] == 0
    first = uploaded(client, alice, data=data, settings={"materialVariant": "Red"})
    assert first["duplicate"] is False
    r = upload(client, alice, data=data, settings={"materialVariant": "Green"})  # the stored model is checked
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_settings")
    again = uploaded(client, alice, data=data, settings={"materialVariant": "Blue"})
    assert again["duplicate"] is True and again["modelId"] == first["modelId"]


def test_parallel_renders_never_overdraw(app, make_account):
    """Twenty clients spend from a 5-credit balance at once: exactly five renders are made."""
    account = make_account(credits=6)
    client = app.test_client()
    model_id = uploaded(client, account)["modelId"]
    results = []
    start = threading.Barrier(20)

    def spend():
        c = app.test_client()
        start.wait()
        r = c.post("/v1/renders", json={"modelId": model_id}, headers=account.headers)
        results.append(r.status_code)

    threads = [threading.Thread(target=spend) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201] * 5 + [402] * 15
    with connection():
        assert User.get_by_id(account.user_id).credits == 0
        deltas = [e.delta for e in LedgerEntry.select().where(LedgerEntry.user == account.user_id)]
    assert sum(deltas) == 0 and deltas.count(-1) == 6


def test_dataset_render_is_charged_and_served_as_a_zip(client, make_account, monkeypatch):
    """Datasets go through the engine's exporter (faked here: the real one is covered in the
    engine's tests); the ZIP is the render's main file."""
    import zipfile
    from types import SimpleNamespace

    def fake_export(scene, settings, out, *, files=None, progress=None, cancel=None):
        assert settings.dataset_quality == "196x1024"
        progress("dataset", 1.0)
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w") as zf:
            zf.writestr("transforms.json", "{}")
        return SimpleNamespace(path=out)

    monkeypatch.setattr(jobs, "export_dataset", fake_export)
    account = make_account(credits=20)
    model_id = uploaded(client, account)["modelId"]
    before = balance(account)
    settings = {"output": "dataset", "datasetQuality": "196x1024"}
    r = client.post("/v1/renders", json={"modelId": model_id, "renderSettings": settings}, headers=account.headers)
    assert r.status_code == 201 and r.json["data"]["credits"] == 16
    render_id = r.json["data"]["id"]
    got = client.get(f"/v1/renders/{render_id}", headers=account.headers).json["data"]
    assert got["status"] == "done" and got["fileSize"] > 0
    assert balance(account) == before - 16
    video = client.get(f"/v1/renders/{render_id}/video", headers=account.headers)
    assert video.status_code == 200 and video.mimetype == "application/zip" and video.data[:2] == b"PK"


def test_failed_dataset_is_refunded(client, make_account, monkeypatch):
    def broken(*args, **kwargs):
        raise RenderFailed("dataset export failed: out of memory")

    monkeypatch.setattr(jobs, "export_dataset", broken)
    account = make_account(credits=20)
    model_id = uploaded(client, account)["modelId"]
    before = balance(account)
    r = client.post("/v1/renders", json={"modelId": model_id, "renderSettings": {"output": "dataset"}},
                    headers=account.headers)  # fmt: skip
    got = client.get(f"/v1/renders/{r.json['data']['id']}", headers=account.headers).json["data"]
    assert got["status"] == "error" and "out of memory" in got["errorMessage"]
    assert balance(account) == before