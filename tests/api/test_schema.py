"""schemathesis against /v1/openapi.json of a live server (waitress on loopback): no 5xx, every
response's status, content type, headers and body matching the document, invalid input refused.

Left out: POST /v1/models/ingest (it would make the server fetch generated URLs from the
internet; tests/api/test_ingest.py covers it against a local server) and the
positive_data_acceptance check (a schema cannot say that an uploaded file must be a valid GLB
or a readable image, so schema-valid random bytes are rightly refused)."""
from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from .conftest import make_glb, png


@pytest.fixture(scope="module")
def known_ids(live_server) -> dict:
    """A model, a render and an overlay, so generated requests also reach existing resources."""
    headers = {"Authorization": f"Bearer {live_server.token('rich')}"}
    up = requests.post(f"{live_server.url}/models", headers=headers,
                       files={"file": ("schema.glb", make_glb("schema"))}).json()["data"]
    overlay = requests.post(f"{live_server.url}/overlays", headers=headers,
                            files={"file": ("bg.png", io.BytesIO(png(8, 8)))}).json()["data"]
    return {"model_id": up["modelId"], "render_id": up["renderId"], "overlay_id": overlay["id"]}


def test_openapi_document(live_server):
    spec = requests.get(f"{live_server.url}/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path in ("/v1/models", "/v1/models/ingest", "/v1/models/{model_id}", "/v1/models/{model_id}/archive",
                 "/v1/models/{model_id}/unarchive", "/v1/models/{model_id}/file", "/v1/models/check-hash",
                 "/v1/renders", "/v1/renders/{render_id}", "/v1/renders/{render_id}/dismiss", "/v1/renders/batch",
                 "/v1/renders/{render_id}/video", "/v1/renders/{render_id}/poster", "/v1/renders/{render_id}/thumb",
                 "/v1/renders/{render_id}/bundle", "/v1/overlays", "/v1/overlays/{overlay_id}", "/v1/account",
                 "/v1/quote", "/v1/health"):
        assert path in paths, path
    settings = spec["components"]["schemas"]["RenderSettings"]
    assert [q for q in settings["properties"]["quality"]["enum"] if q] == ["share", "standard", "4k", "pro"]
    assert settings["properties"]["length"]["maximum"] == 30 and settings["additionalProperties"] is False
    assert paths["/v1/health"]["get"]["security"] == []
    error = spec["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["$ref"].endswith("/ErrorBody")


def test_docs_are_served_locally(live_server):
    root = live_server.url.rsplit("/v1", 1)[0]
    page = requests.get(f"{root}/docs")
    assert page.status_code == 200 and "/v1/openapi.json" in page.text
    assert "//cdn" not in page.text and "https://" not in page.text
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"):
        r = requests.get(f"{root}/docs/assets/{asset}")
        assert r.status_code == 200 and len(r.content) > 1000, asset


def test_schemathesis(live_server, known_ids, tmp_path):
    exe = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("schemathesis is not installed (it comes with the dev extra)")
    config = tmp_path / "schemathesis.toml"
    config.write_text("[parameters]\n" + "".join(f'"path.{k}" = "{v}"\n' for k, v in known_ids.items()))
    cmd = [exe, "--config-file", str(config), "run", f"{live_server.url}/openapi.json",
           "-H", f"Authorization: Bearer {live_server.token('rich')}",
           "--max-examples", "25", "--seed", "20261129", "--workers", "1", "--no-color",
           "--exclude-path", "/v1/models/ingest", "--exclude-checks", "positive_data_acceptance",
           "--request-timeout", "30", "--report-dir", str(tmp_path / "report")]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=400, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout.split("SUMMARY")[-1]
