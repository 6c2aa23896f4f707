"""What operators look at: /metrics (Prometheus text, admin token or DXGL_METRICS_NETWORKS),
/v1/health (database, queue, storage, live workers) and JSON log lines naming the render."""
from __future__ import annotations

import json
import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families

from dxgl_api import worker
from dxgl_api.app import create_app
from dxgl_api.config import Config
from dxgl_api.db import connection
from dxgl_api.tables import User
from dxgl_engine import DxglError

from .conftest import uploaded


def samples(text: str) -> dict[tuple, float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_metrics_need_an_admin_and_report_the_service(client, make_account):
    user = make_account(credits=5)
    admin = make_account(admin=True)
    uploaded(client, user, settings={"length": 3, "quality": "standard"})
    with connection():
        worker.beat("previews,renders")

    r = client.get("/metrics")
    assert r.status_code == 401 and r.json["error"]["code"] == "unauthorized"
    r = client.get("/metrics", headers=user.headers)
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden"
    r = client.get("/metrics", headers=admin.headers)
    assert r.status_code == 200 and r.content_type.startswith("text/plain")
    got = samples(r.get_data(as_text=True))
    assert got[("dxgl_renders", (("status", "done"),))] == 2
    assert got[("dxgl_renders", (("status", "pending"),))] == 0
    assert got[("dxgl_renders_done_total", (("tier", "share"),))] == 1  # the free preview
    assert got[("dxgl_renders_done_total", (("tier", "standard"),))] == 1
    assert ("dxgl_render_seconds_total", (("tier", "standard"),)) in got
    with connection():
        assert got[("dxgl_credits_spent_total", ())] == 5 - User.get_by_id(user.user_id).credits > 0
    assert {k[1] for k in got if k[0] == "dxgl_queue_depth"} == {(("lane", "previews"),), (("lane", "renders"),)}
    assert got[("dxgl_up", (("component", "database"),))] == 1
    assert got[("dxgl_workers_live", ())] == 1

    health = client.get("/v1/health").json["data"]
    assert (health["database"], health["queue"], health["storage"], health["workers"]) == ("ok", "ok", "ok", 1)


def test_metrics_from_an_allowed_network_without_token(tmp_path):
    config = Config(data_dir=tmp_path / "d", queue_url="memory", immediate=True, metrics_networks=("127.0.0.0/8",))
    client = create_app(config).test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 401


@pytest.fixture
def json_logs():
    import io

    from dxgl_api import logs

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    out = io.StringIO()
    logs.setup("json", "renders", stream=out)
    yield lambda: [json.loads(line) for line in out.getvalue().splitlines()]
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in saved[0]:
        root.addHandler(h)
    root.setLevel(saved[1])


def test_json_log_lines_name_the_render(client, make_account, fake_engine, json_logs):
    fake_engine.error = DxglError("the model exploded")
    made = uploaded(client, make_account(credits=3), settings={"length": 3})
    lines = json_logs()
    failed = [line for line in lines if "the model exploded" in line["message"]]
    assert failed and all(line["render_id"] in (made["previewRenderId"], made["renderId"]) for line in failed)
    assert all({"time", "level", "name", "message", "role"} <= set(line) for line in lines)
    assert failed[0]["role"] == "renders" and failed[0]["level"] == "WARNING"


def test_hueys_own_job_lines_name_the_render_too(client, make_account, json_logs):
    made = uploaded(client, make_account(credits=3), settings={"length": 3})
    lines = [line for line in json_logs() if line["name"].startswith("huey")]
    executing = [line for line in lines if line["message"].startswith("Executing")]
    executed = [line for line in lines if " executed in " in line["message"]]
    assert executing and executed, lines
    ids = {made["previewRenderId"], made["renderId"]}
    assert all(line["render_id"] in ids for line in executing + executed), lines


def test_the_connection_limit_fits_the_open_file_limit():
    import resource

    from dxgl_api.server import FILE_HEADROOM, connection_limit

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        if hard != resource.RLIM_INFINITY:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 512), hard))
        assert connection_limit(50) == 50
        assert connection_limit(1000) == 1000 or hard < 1000 + FILE_HEADROOM  # the soft limit was raised
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] >= min(hard, 1000 + FILE_HEADROOM)
        if hard != resource.RLIM_INFINITY:  # never past what the hard limit leaves
            assert connection_limit(hard * 2) == hard - FILE_HEADROOM
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
