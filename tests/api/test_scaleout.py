"""README's "Scaling out", run as it is written: one web process (`dxgl serve --no-workers`) and two
worker hosts (`dxgl worker`, the real engine, logging JSON lines) sharing one PostgreSQL database,
one Redis queue and one storage folder through the DXGL_DATABASE_URL / DXGL_QUEUE_URL /
DXGL_STORAGE_DIR variables. Forty renders from three accounts (free previews, share and standard
videos, a batch of one model in four backgrounds, a dataset) all reach `done`, the engine runs each
exactly once (counted from the workers' "engine run" lines); every balance equals its ledger; nobody
sees another account's renders, models or files. (Small renders: a 12-triangle model, 3 s videos.)"""
from __future__ import annotations

import pytest

from dxgl_api import statuses

from .cluster import Cluster, wait_until


@pytest.fixture
def cluster(tmp_path, postgres, redis_server):
    # A stale-after well above any pause of a loaded 2-core machine: a false recovery would render twice.
    c = Cluster(tmp_path, postgres.create_database(), redis_server.url(), DXGL_STALE_AFTER="60")
    yield c
    c.stop()


def test_forty_renders_on_two_worker_hosts(cluster):
    cluster.start_web()
    cluster.start_host("host-a", workers=1, real=True)
    cluster.start_host("host-b", workers=1, real=True)
    accounts = {"free": cluster.account("free@example.com", credits=10, plan="free"),
                "shop": cluster.account("shop@example.com", credits=100),
                "lab": cluster.account("lab@example.com", credits=100)}
    owned: dict[str, list[str]] = {name: [] for name in accounts}
    models: dict[str, list[str]] = {name: [] for name in accounts}

    for name, account in accounts.items():  # 12 uploads: 12 free previews and 12 share videos
        for _ in range(4):
            made = cluster.upload(account, {"length": 3})
            models[name].append(made["modelId"])
            owned[name] += [made["previewRenderId"], made["renderId"]]

    def create(name, path, body):
        r = cluster.call("POST", path, accounts[name], json=body)
        assert r.status_code == 201, r.text
        data = r.json()["data"]
        owned[name] += [d["id"] for d in data] if isinstance(data, list) else [data["id"]]

    # one standard video (1080p: 30-35 s of this machine's two cores while the other host renders)
    create("shop", "/renders", {"modelId": models["shop"][0], "renderSettings": {"quality": "standard", "length": 3}})
    create("shop", "/renders/batch", {"renders": [  # one model in four backgrounds: one engine batch
        {"modelId": models["shop"][1], "renderSettings": {"length": 3, "bgColor": c}}
        for c in ("#ffffff", "#000000", "#ff8800", "#0088ff")]})
    create("lab", "/renders", {"modelId": models["lab"][0], "renderSettings": {"output": "dataset"}})
    create("lab", "/renders/batch", {"renders": [
        {"modelId": models["lab"][i % 4], "renderSettings": {"length": 3, "aspect": "1:1"}} for i in range(10)]})
    everything = [rid for ids in owned.values() for rid in ids]
    assert len(everything) == len(set(everything)) == 40

    final = wait_until(lambda: all((cluster.render(i).status in statuses.TERMINAL) for i in everything)
                       and {i: cluster.render(i) for i in everything}, 900, "all forty renders to end")
    assert {r.status for r in final.values()} == {statuses.DONE}, {i: r.error_message for i, r in final.items()}

    runs = cluster.logged_engine_runs("host-a", "host-b")
    per_host = {host: sum(cluster.logged_engine_runs(host).values()) for host in ("host-a", "host-b")}
    print(f"\n40 renders done: engine runs per render {set(runs.values())}, renders per host {per_host}")
    assert set(runs) == set(everything) and set(runs.values()) == {1}  # each exactly once, nothing else
    assert all(per_host.values())  # both hosts took work from the shared queue

    for name, account in accounts.items():
        balance, ledger_sum, rows = cluster.books(account.user_id)
        charged = sum(final[i].credits for i in owned[name])
        start = 10 if name == "free" else 100
        assert balance == ledger_sum == start - charged, (name, rows)
        assert not [row for row in rows if row[0] == "refund"]
        assert cluster.call("GET", "/account", account).json()["data"]["credits"] == balance

    for name, account in accounts.items():
        listed = cluster.call("GET", "/renders?limit=100", account).json()["data"]
        assert sorted(r["id"] for r in listed) == sorted(owned[name])
        mine = owned[name][1]
        video = cluster.call("GET", f"/renders/{mine}/video", account)
        assert video.status_code == 200 and len(video.content) == final[mine].file_size
        for other, ids in owned.items():
            if other == name:
                continue
            for path, code in ((f"/renders/{ids[1]}", "render_not_found"),
                               (f"/renders/{ids[1]}/video", "render_not_found"),
                               (f"/renders/{ids[1]}/poster", "render_not_found"),
                               (f"/renders/{ids[1]}/bundle", "render_not_found"),
                               (f"/models/{models[other][0]}", "model_not_found"),
                               (f"/models/{models[other][0]}/file", "model_not_found")):
                r = cluster.call("GET", path, account)
                assert (r.status_code, r.json()["error"]["code"]) == (404, code), (name, path)
