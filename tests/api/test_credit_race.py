"""200 render requests in parallel from one account holding 50 credits, against `dxgl serve` on
PostgreSQL: exactly 50 are created, the other 150 answer 402 no_credits, the balance ends at 0 and
equals the ledger (the charge is one conditional UPDATE per request, serialised by the row lock)."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from .cluster import Cluster


@pytest.fixture
def cluster(tmp_path, postgres, redis_server):
    c = Cluster(tmp_path, postgres.create_database(), redis_server.url())
    yield c
    c.stop()


def test_two_hundred_parallel_requests_for_fifty_credits(cluster):
    cluster.start_web()  # no workers: the renders wait in the queue, only the charging is under test
    account = cluster.account("race@example.com", credits=51)
    model_id = cluster.upload(account, {"length": 3})["modelId"]  # its share render takes 1: 50 left
    assert cluster.books(account.user_id)[0] == 50
    body = {"modelId": model_id, "renderSettings": {"length": 3}}
    t0 = time.monotonic()
    single = cluster.call("POST", "/quote", account, json={"renders": [body["renderSettings"]]})
    assert single.status_code == 200
    N = 200
    everyone = threading.Barrier(N)

    def post(_):  # 200 clients at once, each on a connection of its own that it keeps open afterwards
        everyone.wait()
        return requests.post(cluster.base + "/renders", json=body, headers=account.headers, timeout=300)

    # The answers keep their connections open (requests does, while a Response lives): waitress's
    # default limit of 100 open connections then stopped accepting and half of these hung for minutes.
    with ThreadPoolExecutor(N) as pool:
        answers = list(pool.map(post, range(N)))
    took = time.monotonic() - t0
    codes = [r.status_code for r in answers]
    refused = {(r.json()["error"]["code"], r.json()["error"]["status"]) for r in answers if r.status_code != 201}
    print(f"\n{N} parallel requests for 50 credits: {codes.count(201)} created, {codes.count(402)} refused in {took:.1f} s")
    assert codes.count(201) == 50 and codes.count(402) == 150
    assert refused == {("no_credits", 402)}
    balance, ledger_sum, rows = cluster.books(account.user_id)
    assert balance == ledger_sum == 0
    assert sum(1 for reason, _, _ in rows if reason == "render") == 51
