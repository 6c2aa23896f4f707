"""Users never see or touch each other's models, renders, overlays or files: another account's
id answers exactly like an id that does not exist, on every endpoint."""
from __future__ import annotations

import hashlib
import io

import pytest

from dxgl_api.db import connection
from dxgl_api.tables import Model3D, Overlay, Render

from .conftest import make_glb, png, uploaded

MISSING = "ZZZZZZZZZZZZ"


@pytest.fixture
def alices(client, alice):
    glb = make_glb("alice's")
    data = uploaded(client, alice, data=glb)
    overlay = client.post("/v1/overlays", data={"file": (io.BytesIO(png(10, 10)), "a.png")}, headers=alice.headers,
                          content_type="multipart/form-data").json["data"]
    return {"model": data["modelId"], "render": data["renderId"], "overlay": overlay["id"],
            "sha256": hashlib.sha256(glb).hexdigest()}


def requests_for(ids: dict) -> list[tuple[str, str, dict]]:
    m, r, o = ids["model"], ids["render"], ids["overlay"]
    return [
        ("get", f"/v1/models/{m}", {}),
        ("patch", f"/v1/models/{m}", {"json": {"title": "mine now"}}),
        ("patch", f"/v1/models/{m}/archive", {}),
        ("patch", f"/v1/models/{m}/unarchive", {}),
        ("get", f"/v1/models/{m}/file", {}),
        ("delete", f"/v1/models/{m}", {}),
        ("post", "/v1/renders", {"json": {"modelId": m}}),
        ("post", "/v1/renders/batch", {"json": {"renders": [{"modelId": m}]}}),
        ("get", f"/v1/renders/{r}", {}),
        ("patch", f"/v1/renders/{r}/dismiss", {}),
        ("get", f"/v1/renders/{r}/video", {}),
        ("get", f"/v1/renders/{r}/video?quality=web", {}),
        ("get", f"/v1/renders/{r}/poster", {}),
        ("get", f"/v1/renders/{r}/poster?quality=full", {}),
        ("get", f"/v1/renders/{r}/thumb", {}),
        ("get", f"/v1/renders/{r}/bundle", {}),
        ("delete", f"/v1/renders/{r}", {}),
        ("delete", f"/v1/overlays/{o}", {}),
        ("post", "/v1/renders", {"json": {"modelId": m, "renderSettings": {}}}),
    ]


def answer(client, account, method, path, kwargs, real_id: str | None):
    r = getattr(client, method)(path, headers=account.headers, **kwargs)
    body = r.get_json()
    text = str(body)
    if real_id:
        text = text.replace(real_id, "<id>")
    return r.status_code, text.replace(MISSING, "<id>")


def test_other_accounts_ids_answer_like_missing_ones(client, alice, bob, alices):
    uploaded(client, bob)  # bob has things of his own too
    theirs = requests_for(alices)
    missing = requests_for({"model": MISSING, "render": MISSING, "overlay": MISSING})
    for (method, path, kwargs), (_, missing_path, missing_kwargs) in zip(theirs, missing):
        real = next((v for v in alices.values() if v in path or v in str(kwargs)), None)
        got = answer(client, bob, method, path, kwargs, real)
        expected = answer(client, bob, method, missing_path, missing_kwargs, None)
        assert got == expected, path
        assert got[0] == 404, path
    # and nothing of alice's changed
    with connection():
        model = Model3D.get_by_id(alices["model"])
        assert model.title is None and not model.archived and model.deleted_at is None
        assert Render.select().where(Render.id == alices["render"]).exists()
        assert Overlay.select().where(Overlay.id == alices["overlay"]).exists()
    assert client.get(f"/v1/renders/{alices['render']}/video", headers=alice.headers).status_code == 200


def test_lists_hash_checks_and_overlays_are_private(client, alice, bob, alices):
    assert client.get("/v1/models", headers=bob.headers).json["meta"]["total"] == 0
    assert client.get("/v1/renders", headers=bob.headers).json["meta"]["total"] == 0
    assert client.get(f"/v1/renders?model={alices['model']}", headers=bob.headers).json["data"] == []
    assert client.get("/v1/overlays", headers=bob.headers).json["data"] == []
    assert client.get("/v1/account/ledger", headers=bob.headers).json["meta"]["total"] == 1  # his signup only
    r = client.post("/v1/models/check-hash", json={"sha256": alices["sha256"]}, headers=bob.headers)
    assert r.json["data"] == {"exists": False, "modelId": None}
    r = client.post("/v1/renders", json={"modelId": MISSING, "renderSettings": {"bgImageId": alices["overlay"]}},
                    headers=bob.headers)
    assert r.json["error"]["code"] == "model_not_found"
