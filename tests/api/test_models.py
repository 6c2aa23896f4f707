"""/v1/models: upload (GLB, glTF, OBJ ZIP), dedup, list/pagination/tags, get, update, archive,
file download, check-hash and soft delete."""
from __future__ import annotations

import hashlib
import io
import json

from dxgl_api.db import connection
from dxgl_api.tables import LedgerEntry, Model3D, Render, User
from dxgl_engine.load.formats import load_glb_bytes

from .conftest import make_glb, scan_zip, upload, uploaded


def test_upload_creates_model_render_and_free_preview(client, alice, sample_glb):
    r = upload(client, alice, sample_glb, "chair.glb", settings={"aspect": "1:1", "length": 4})
    assert r.status_code == 201
    data = r.json["data"]
    assert set(data) >= {"modelId", "renderId"} and data["duplicate"] is False

    model = client.get(f"/v1/models/{data['modelId']}", headers=alice.headers).json["data"]
    assert model["originalName"] == "chair.glb"
    assert model["sha256"] == hashlib.sha256(sample_glb).hexdigest()
    assert model["fileSize"] == len(sample_glb)
    assert model["createdAt"].endswith("Z") and len(model["createdAt"]) == 24
    renders = {x["id"]: x for x in model["renders"]}
    assert set(renders) == {data["renderId"], data["previewRenderId"]}
    paid, preview = renders[data["renderId"]], renders[data["previewRenderId"]]
    assert paid["is_system_preview"] is False and preview["is_system_preview"] is True
    assert paid["renderSettings"]["aspect"] == "1:1" and paid["renderSettings"]["length"] == 4
    assert preview["renderSettings"]["aspect"] == "1:1" and preview["renderSettings"]["length"] == 3
    assert paid["status"] == preview["status"] == "done"  # huey immediate: jobs ran inside the request

    account = client.get("/v1/account", headers=alice.headers).json["data"]
    assert account["credits"] == 9  # the preview is free, the share render costs 1


def test_preview_is_small_and_rendered_first(client, alice, fake_engine):
    uploaded(client, alice, settings={"aspect": "9:16"})
    sizes = [c["size"] for c in fake_engine.calls]
    assert sizes == [(180, 320), None]


def test_duplicate_upload_makes_a_new_render_on_the_same_model(client, alice):
    glb = make_glb("dup")
    first = uploaded(client, alice, data=glb)
    second = uploaded(client, alice, data=glb, name="again.glb")
    assert second["duplicate"] is True and second["modelId"] == first["modelId"]
    assert second["renderId"] != first["renderId"] and "previewRenderId" not in second
    with connection():
        assert Model3D.select().count() == 1
        assert Render.select().where(Render.model == first["modelId"]).count() == 3


def test_dedup_is_per_account(client, alice, bob):
    glb = make_glb("shared")
    a = uploaded(client, alice, data=glb)
    b = uploaded(client, bob, data=glb)
    assert b["duplicate"] is False and b["modelId"] != a["modelId"]


def test_upload_gltf_with_embedded_buffer(client, alice, tmp_path):
    from tests.gltf_builder import GltfBuilder, cube_corners

    builder = GltfBuilder()
    builder.simple_model(*cube_corners())
    path = builder.write_gltf(tmp_path / "cube.gltf")
    data = uploaded(client, alice, data=path.read_bytes(), name="cube.gltf")
    r = client.get(f"/v1/models/{data['modelId']}/file", headers=alice.headers)
    assert r.status_code == 200 and r.data[:4] == b"glTF"  # stored as one self-contained GLB


def test_web_pipeline_files_upload_as_they_are(client, alice, tmp_path):
    """A meshopt GLB (compressed views, a fallback buffer without bytes) and a Draco one are stored
    as uploaded and read back whole."""
    from tests.engine.test_compressed_gltf import _draco_model, _meshopt_model

    for name, (builder, source) in {"meshopt.glb": _meshopt_model(), "draco.glb": _draco_model()}.items():
        data = uploaded(client, alice, data=builder.glb(), name=name)
        r = client.get(f"/v1/models/{data['modelId']}/file", headers=alice.headers)
        assert r.status_code == 200 and r.data == builder.glb()
        assert load_glb_bytes(r.data, name).meshes[0].primitives[0].triangle_count == len(source[3]) // 3


def test_obj_scan_zip_is_converted_to_glb(client, alice, tmp_path):
    path = scan_zip(tmp_path / "scan.zip")
    data = uploaded(client, alice, data=path.read_bytes(), name="scan.zip")
    r = client.get(f"/v1/models/{data['modelId']}/file", headers=alice.headers)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "model/gltf-binary"
    assert r.headers["Content-Disposition"] == "attachment; filename=scan.glb"
    scene = load_glb_bytes(r.data, "scan.glb")
    assert scene.triangle_count == 2
    model = client.get(f"/v1/models/{data['modelId']}", headers=alice.headers).json["data"]
    assert model["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()  # of the file as uploaded


def test_upload_errors(client, alice):
    r = client.post("/v1/models", data={}, headers=alice.headers, content_type="multipart/form-data")
    assert (r.status_code, r.json["error"]["code"]) == (400, "no_file")
    r = client.post("/v1/models", json={"file": "x"}, headers=alice.headers)
    assert r.json["error"]["code"] == "no_file"
    r = upload(client, alice, b"hello", "model.obj")
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_format")
    r = upload(client, alice, b"not a glb at all", "model.glb")
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_format")
    assert "model.glb" in r.json["error"]["message"]
    r = upload(client, alice, settings='{"quality": "8k"}')
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_settings")
    assert "quality" in r.json["error"]["message"]
    r = upload(client, alice, settings="{not json")
    assert r.json["error"]["code"] == "invalid_settings"
    with connection():
        assert Model3D.select().count() == 0
        assert User.get_by_id(alice.user_id).credits == 10  # nothing was charged


def test_upload_too_large(client, alice, app, config):
    from dxgl_api import config as config_module

    config_module.activate(config.replace(max_upload_bytes=1000))
    r = upload(client, alice, b"x" * 5000, "big.glb")
    assert (r.status_code, r.json["error"]["code"]) == (400, "file_too_large")
    # A body beyond Flask's MAX_CONTENT_LENGTH is refused before it is read, with the same answer.
    app.config["MAX_CONTENT_LENGTH"] = 2000
    r = upload(client, alice, b"x" * 5000, "big.glb")
    assert (r.status_code, r.json["error"]["code"], r.json["error"]["status"]) == (400, "file_too_large", 400)


def test_upload_needs_credits_and_creates_nothing_without(client, make_account):
    poor = make_account(credits=0)
    r = upload(client, poor)
    assert (r.status_code, r.json["error"]["code"]) == (402, "no_credits")
    with connection():
        assert Model3D.select().count() == 0 and Render.select().count() == 0


def test_free_upload_limit(client, make_account, config):
    from dxgl_api import config as config_module

    config_module.activate(config.replace(free_upload_limit=2))
    free, paid, admin = make_account(), make_account(plan="paid"), make_account(admin=True)
    for account in (free, paid, admin):
        uploaded(client, account)
        uploaded(client, account)
    r = upload(client, free)
    assert (r.status_code, r.json["error"]["code"]) == (429, "upload_limit")
    assert upload(client, paid).status_code == 201
    assert upload(client, admin).status_code == 201
    # A duplicate is not a new model: allowed at the limit.
    first = client.get("/v1/models", headers=free.headers).json["data"][0]
    with connection():
        blob = Model3D.get_by_id(first["id"]).blob
    from dxgl_api import storage

    assert upload(client, free, storage.blob_path(blob).read_bytes()).status_code == 201


def test_list_pagination_and_meta(client, alice):
    ids = [uploaded(client, alice)["modelId"] for _ in range(5)]
    r = client.get("/v1/models?limit=2&offset=1", headers=alice.headers)
    assert r.status_code == 200
    assert r.json["meta"] == {"total": 5, "offset": 1, "limit": 2}
    assert [m["id"] for m in r.json["data"]] == list(reversed(ids))[1:3]  # newest first
    default = client.get("/v1/models", headers=alice.headers).json
    assert default["meta"] == {"total": 5, "offset": 0, "limit": 50}
    capped = client.get("/v1/models?limit=1000", headers=alice.headers).json
    assert capped["meta"]["limit"] == 100
    for bad in ("limit=0", "limit=abc", "offset=-1"):
        r = client.get(f"/v1/models?{bad}", headers=alice.headers)
        assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_request"), bad


def test_update_and_tag_filter(client, alice):
    a, b, c = (uploaded(client, alice)["modelId"] for _ in range(3))
    changes = {"title": "Ergonomic Chair", "sku": "EC-1001", "tags": [" Furniture ", "OFFICE", "furniture", ""]}
    r = client.patch(f"/v1/models/{a}", json=changes, headers=alice.headers)
    assert r.status_code == 200
    data = r.json["data"]
    assert (data["title"], data["sku"], data["tags"]) == ("Ergonomic Chair", "EC-1001", ["furniture", "office"])
    client.patch(f"/v1/models/{b}", json={"tags": ["lamp"]}, headers=alice.headers)
    client.patch(f"/v1/models/{c}", json={"tags": ["outdoor"]}, headers=alice.headers)

    # only provided fields change
    r = client.patch(f"/v1/models/{a}", json={"sku": "ECP-2001"}, headers=alice.headers)
    assert (r.json["data"]["title"], r.json["data"]["sku"]) == ("Ergonomic Chair", "ECP-2001")
    assert r.json["data"]["tags"] == ["furniture", "office"]

    listed = client.get("/v1/models?tags=office,LAMP", headers=alice.headers).json
    assert {m["id"] for m in listed["data"]} == {a, b} and listed["meta"]["total"] == 2
    assert client.get("/v1/models?tags=nothing", headers=alice.headers).json["data"] == []

    r = client.patch(f"/v1/models/{a}", json={"tags": [f"t{i}" for i in range(21)]}, headers=alice.headers)
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_request")
    r = client.patch(f"/v1/models/{a}", json={"tags": [f"t{i}" for i in range(20)]}, headers=alice.headers)
    assert r.status_code == 200 and len(r.json["data"]["tags"]) == 20
    r = client.patch(f"/v1/models/{a}", json={"title": None, "tags": []}, headers=alice.headers)
    assert (r.json["data"]["title"], r.json["data"]["tags"]) == (None, [])


def test_archive_hides_from_default_list(client, alice):
    a, b = (uploaded(client, alice)["modelId"] for _ in range(2))
    r = client.patch(f"/v1/models/{a}/archive", headers=alice.headers)
    assert r.status_code == 200 and r.json["data"]["archived"] is True
    assert [m["id"] for m in client.get("/v1/models", headers=alice.headers).json["data"]] == [b]
    assert [m["id"] for m in client.get("/v1/models?archived=true", headers=alice.headers).json["data"]] == [a]
    assert client.get(f"/v1/models/{a}", headers=alice.headers).status_code == 200  # still reachable
    r = client.patch(f"/v1/models/{a}/unarchive", headers=alice.headers)
    assert r.json["data"]["archived"] is False
    assert client.get("/v1/models", headers=alice.headers).json["meta"]["total"] == 2


def test_file_download_and_missing_blob(client, alice, sample_glb):
    data = uploaded(client, alice, data=sample_glb, name="chair.glb")
    r = client.get(f"/v1/models/{data['modelId']}/file", headers=alice.headers)
    assert r.status_code == 200 and r.data == sample_glb
    assert r.headers["Content-Type"] == "model/gltf-binary"
    assert r.headers["Content-Disposition"] == "attachment; filename=chair.glb"
    from dxgl_api import storage

    with connection():
        storage.blob_path(Model3D.get_by_id(data["modelId"]).blob).unlink()
    r = client.get(f"/v1/models/{data['modelId']}/file", headers=alice.headers)
    assert (r.status_code, r.json["error"]["code"]) == (404, "file_not_found")


def test_check_hash(client, alice):
    glb = make_glb("hash")
    digest = hashlib.sha256(glb).hexdigest()
    r = client.post("/v1/models/check-hash", json={"sha256": digest}, headers=alice.headers)
    assert r.json["data"] == {"exists": False, "modelId": None}
    model_id = uploaded(client, alice, data=glb)["modelId"]
    r = client.post("/v1/models/check-hash", json={"sha256": digest.upper()}, headers=alice.headers)
    assert r.json["data"] == {"exists": True, "modelId": model_id}
    r = client.post("/v1/models/check-hash", json={}, headers=alice.headers)
    assert (r.status_code, r.json["error"]["code"]) == (400, "sha256_required")
    r = client.post("/v1/models/check-hash", json={"sha256": "abc"}, headers=alice.headers)
    assert (r.status_code, r.json["error"]["code"]) == (400, "invalid_request")


def test_soft_delete_keeps_renders(client, alice):
    glb = make_glb("deleted")
    data = uploaded(client, alice, data=glb)
    r = client.delete(f"/v1/models/{data['modelId']}", headers=alice.headers)
    assert r.status_code == 200 and r.json["data"] == {"id": data["modelId"], "deleted": True}
    assert client.get(f"/v1/models/{data['modelId']}", headers=alice.headers).json["error"]["code"] == "model_not_found"
    assert client.get("/v1/models", headers=alice.headers).json["meta"]["total"] == 0
    assert client.get(f"/v1/renders/{data['renderId']}", headers=alice.headers).status_code == 200
    assert client.get(f"/v1/renders/{data['renderId']}/video", headers=alice.headers).status_code == 200
    r = client.post("/v1/renders", json={"modelId": data["modelId"]}, headers=alice.headers)
    assert r.json["error"]["code"] == "model_not_found"
    with connection():
        assert Model3D.get_by_id(data["modelId"]).deleted_at is not None  # soft: the row stays
    # The same file uploaded again after deletion makes a fresh model.
    digest = hashlib.sha256(glb).hexdigest()
    found = client.post("/v1/models/check-hash", json={"sha256": digest}, headers=alice.headers).json["data"]
    assert found["exists"] is False
    again = uploaded(client, alice, data=glb)
    assert again["duplicate"] is False and again["modelId"] != data["modelId"]


def test_model_errors_for_unknown_ids(client, alice):
    for method, path in (("get", "/v1/models/nope"), ("patch", "/v1/models/nope"), ("delete", "/v1/models/nope"),
                         ("patch", "/v1/models/nope/archive"), ("patch", "/v1/models/nope/unarchive"),
                         ("get", "/v1/models/nope/file")):
        r = getattr(client, method)(path, headers=alice.headers, json={} if method == "patch" else None)
        assert (r.status_code, r.json["error"]["code"]) == (404, "model_not_found"), path


def test_ledger_records_upload_charge(client, alice):
    data = uploaded(client, alice, settings={"quality": "standard"})
    with connection():
        rows = list(LedgerEntry.select().where(LedgerEntry.user == alice.user_id).order_by(LedgerEntry.id))
    assert [(r.reason, r.delta, r.balance) for r in rows] == [("signup", 10, 10), ("render", -4, 6)]
    assert rows[1].render_id == data["renderId"]
    ledger = client.get("/v1/account/ledger", headers=alice.headers).json
    assert ledger["meta"]["total"] == 2 and ledger["data"][0]["reason"] == "render"


def test_multipart_settings_as_reference_python_example(client, alice, sample_glb):
    """The reference's Python example sends renderSettings as a form field string."""
    r = client.post("/v1/models", headers=alice.headers, content_type="multipart/form-data",
                    data={"file": (io.BytesIO(sample_glb), "chair.glb"),
                          "renderSettings": json.dumps({"aspect": "16:9", "length": 6})})
    assert r.status_code == 201
    render = client.get(f"/v1/renders/{r.json['data']['renderId']}", headers=alice.headers).json["data"]
    assert render["renderSettings"]["length"] == 6


def test_concurrent_uploads_of_one_file_make_one_model(app, make_account):
    import threading

    account = make_account(credits=20)
    glb = make_glb("raced")
    results = []
    start = threading.Barrier(5)

    def send():
        c = app.test_client()
        start.wait()
        results.append(upload(c, account, glb).json["data"])

    threads = [threading.Thread(target=send) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r["modelId"] for r in results}) == 1
    assert sorted(r["duplicate"] for r in results) == [False, True, True, True, True]
    with connection():
        assert Model3D.select().count() == 1
        assert User.get_by_id(account.user_id).credits == 15
