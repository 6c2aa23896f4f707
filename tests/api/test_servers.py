"""The private PostgreSQL and Redis of tests/servers.py: the service runs on them (tables made,
an upload stored and its renders queued in Redis), they survive a restart, and a missing binary
fails with the command that installs it instead of skipping."""
from __future__ import annotations

import pytest

from dxgl_api import queues
from dxgl_api.app import create_app
from dxgl_api.config import Config
from dxgl_api.db import connection, database
from dxgl_api.tables import Render, User
from tests import servers

from .conftest import uploaded


def test_service_on_postgres_and_redis(tmp_path, postgres, redis_server, make_account):
    config = Config(data_dir=tmp_path / "data", database_url=postgres.create_database(), queue_url=redis_server.url())
    client = create_app(config).test_client()
    assert type(database.obj).__name__ == "PostgresqlDatabase"
    account = make_account(credits=5)
    made = uploaded(client, account, settings={"length": 3})
    with connection():
        assert User.get_by_id(account.user_id).credits == 4
        assert Render.get_by_id(made["renderId"]).status == "pending"
    assert {made["renderId"], made["previewRenderId"]} <= queues.queued_render_ids()
    assert client.get("/v1/health").status_code == 200


def test_servers_restart_on_the_same_port(private_postgres, private_redis):
    import psycopg2
    import redis

    url = private_postgres.create_database()
    private_postgres.restart()
    psycopg2.connect(url).close()
    r = redis.Redis(port=private_redis.port)
    r.set("k", "v")
    private_redis.restart()
    assert r.get("k") is None  # no persistence: a restarted queue is an empty one


def test_missing_binary_fails_with_the_install_command(monkeypatch):
    monkeypatch.setattr(servers.shutil, "which", lambda name: None)
    monkeypatch.setattr(servers.glob, "glob", lambda pattern: [])
    with pytest.raises(pytest.fail.Exception, match="apt-get install postgresql redis-server"):
        servers.find_binary("redis-server")
