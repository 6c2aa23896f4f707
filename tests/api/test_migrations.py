"""Upgrades keep data: a database made with the schema of 0.1 (before versioning) and filled through
the API is brought to the current schema plus a later step (a new column), on SQLite and on
PostgreSQL, and every account, token, model, render, ledger row and file is found intact; several
`dxgl admin migrate` started at once apply each step once."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import peewee as pw
import pytest
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

from dxgl_api import migrations, runtime
from dxgl_api.app import create_app
from dxgl_api.config import Config
from dxgl_api.db import connection, database
from dxgl_api.tables import ALL_MODELS, Render, WorkerBeat

from .conftest import uploaded


def snapshot(storage: Path) -> tuple[dict, dict]:
    """Every row of every table of 0.1, and every stored file's SHA-256."""
    with connection():
        rows = {m.__name__: sorted(m.select(*[f for f in m._meta.sorted_fields if f.name != "started_at"]).dicts(),
                                   key=lambda r: str(list(r.values())[0]))
                for m in ALL_MODELS if m is not WorkerBeat}  # (started_at: a column 0.1 did not have)
    files = {str(p.relative_to(storage)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(storage.rglob("*")) if p.is_file()}
    return rows, files


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite+pool:///{tmp_path / 'old.db'}"
    return request.getfixturevalue("postgres").create_database("migrate")


def test_upgrade_from_the_unversioned_schema_keeps_everything(tmp_path, database_url, make_account, monkeypatch):
    config = Config(data_dir=tmp_path / "data", database_url=database_url, queue_url="memory", immediate=True)
    client = create_app(config).test_client()
    account = make_account(credits=7)
    made = [uploaded(client, account, settings={"length": 3}) for _ in range(2)]
    assert client.post("/v1/renders", json={"modelId": made[0]["modelId"], "renderSettings": {"length": 4}},
                       headers=account.headers).status_code == 201
    with connection():  # back to 0.1's schema: its tables and columns only, no version
        database.drop_tables([WorkerBeat, migrations.SchemaVersion])
        migrator = (PostgresqlMigrator if "postgres" in database_url else SqliteMigrator)(database.obj)
        migrate(migrator.drop_column("render", "started_at"))
        assert migrations.current_version() == 0
    before_rows, before_files = snapshot(config.storage_dir)
    assert len(before_rows["Render"]) == 5 and len(before_rows["LedgerEntry"]) == 4 and len(before_files) > 10

    later = migrations.Step(migrations.latest_version() + 1, "renders: priority (a later release's column)",
                            lambda m: m.column(Render, "priority", pw.IntegerField(default=0)))
    monkeypatch.setattr(migrations, "STEPS", [*migrations.STEPS, later])
    runtime.configure(config)  # what every `dxgl serve` / `dxgl worker` start does

    with connection():
        assert migrations.current_version() == later.version
        assert database.table_exists("worker_beat")
        columns = {c.name for c in database.get_columns("render")}
        assert {"priority", "started_at"} <= columns
        assert {row[0] for row in database.execute_sql("SELECT priority FROM render").fetchall()} == {0}
        assert migrations.migrate() == []  # nothing left: a second start changes nothing
    after_rows, after_files = snapshot(config.storage_dir)
    assert after_rows == before_rows and after_files == before_files

    r = client.get("/v1/renders", headers=account.headers)  # the old token still works, sees the same renders
    assert r.status_code == 200 and len(r.json["data"]) == 5
    video = client.get(f"/v1/renders/{made[0]['renderId']}/video", headers=account.headers)
    assert video.status_code == 200 and len(video.data) > 0
    assert client.get("/v1/account", headers=account.headers).json["data"]["credits"] == 4


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_several_processes_migrating_at_once_apply_each_step_once(tmp_path, kind, request):
    url = (f"sqlite:///{tmp_path / 'fresh.db'}" if kind == "sqlite"
           else request.getfixturevalue("postgres").create_database("race"))
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DXGL_")},
           "DXGL_DATABASE_URL": url, "DXGL_DATA_DIR": str(tmp_path / "data"), "DXGL_QUEUE_URL": "memory"}
    dxgl = str(Path(sys.executable).parent / "dxgl")
    procs = [subprocess.Popen([dxgl, "admin", "migrate"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True) for _ in range(4)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, outputs
    assert all(f"schema at version {migrations.latest_version()}" in out for out in outputs)
    runtime.configure(Config(data_dir=tmp_path / "data", database_url=url, queue_url="memory"))
    with connection():
        assert migrations.current_version() == migrations.latest_version()
        assert database.table_exists("worker_beat") and database.table_exists("render")
