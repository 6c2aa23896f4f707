"""`dxgl admin …`, the first-start admin token of `dxgl serve`, and `dxgl worker` argument checks,
run in-process through the engine's `dxgl` entry point (the commands come from dxgl.commands)."""
from __future__ import annotations

import io
import sys

import pytest

from dxgl_api.app import create_app
from dxgl_api.config import Config, ConfigError
from dxgl_api.db import connection
from dxgl_api.tables import LedgerEntry, Overlay, Token, User
from dxgl_api.server import bootstrap
from dxgl_engine.cli import main

from .conftest import png


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


def dxgl(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_create_user_and_token(capsys, data_dir):
    d = str(data_dir)
    code, out, _ = dxgl(capsys, "admin", "--data-dir", d, "create-user", "--email", "Ann@Example.com")
    assert code == 0 and "ann@example.com" in out and "10 credits" in out
    code, out, _ = dxgl(capsys, "admin", "create-user", "--data-dir", d, "--email", "root@example.com", "--admin",
                        "--credits", "50")
    assert code == 0 and "admin account" in out
    code, _, err = dxgl(capsys, "admin", "--data-dir", d, "create-user", "--email", "ann@example.com")
    assert code == 2 and err.strip() == "dxgl: error: an account for ann@example.com already exists"

    code, out, err = dxgl(capsys, "admin", "--data-dir", d, "create-token", "--email", "ann@example.com",
                          "--scopes", "models:read", "renders", "--expires-in-days", "30")
    token = out.strip()
    assert code == 0 and token.startswith("dxgl_sk_") and "shown once" in err
    client = create_app(Config(data_dir=data_dir, queue_url="memory", immediate=True)).test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/v1/models", headers=headers).status_code == 200
    assert client.get("/v1/account", headers=headers).json["error"]["code"] == "insufficient_scope"
    with connection():
        row = Token.get(Token.token_hash.is_null(False) & (Token.prefix == token[:12]))
        assert row.scopes.split() == ["models:read", "renders:read", "renders:write"] and row.expires_at
        assert User.get(User.email == "root@example.com").credits == 50

    code, out, _ = dxgl(capsys, "admin", "--data-dir", d, "list-tokens", "--email", "ann@example.com")
    assert row.id in out and token not in out
    code, out, _ = dxgl(capsys, "admin", "--data-dir", d, "revoke-token", row.id)
    assert code == 0 and "revoked" in out
    assert client.get("/v1/models", headers=headers).json["error"]["code"] == "unauthorized"
    code, _, err = dxgl(capsys, "admin", "--data-dir", d, "revoke-token", "dxgl_sk_unknown")
    assert code == 2 and "no token" in err
    code, _, err = dxgl(capsys, "admin", "--data-dir", d, "create-token", "--email", "ann@example.com",
                        "--scopes", "everything")
    assert code == 2 and "unknown scope" in err


def test_revoke_by_raw_token(capsys, data_dir):
    d = str(data_dir)
    dxgl(capsys, "admin", "--data-dir", d, "create-user", "--email", "a@example.com")
    token = dxgl(capsys, "admin", "--data-dir", d, "create-token", "--email", "a@example.com")[1].strip()
    assert dxgl(capsys, "admin", "--data-dir", d, "revoke-token", token)[0] == 0
    with connection():
        assert Token.get().revoked_at is not None


def test_credits_suspend_and_overlays(capsys, data_dir, tmp_path):
    d = str(data_dir)
    dxgl(capsys, "admin", "--data-dir", d, "create-user", "--email", "b@example.com")
    code, out, _ = dxgl(capsys, "admin", "--data-dir", d, "add-credits", "--email", "b@example.com", "25")
    assert code == 0 and "balance 35" in out
    with connection():
        user = User.get(User.email == "b@example.com")
        assert user.plan == "paid"
        assert [(e.reason, e.delta) for e in LedgerEntry.select().order_by(LedgerEntry.id)] == [("signup", 10),
                                                                                               ("grant", 25)]
    assert dxgl(capsys, "admin", "--data-dir", d, "add-credits", "--email", "b@example.com", "0")[0] == 2
    assert dxgl(capsys, "admin", "--data-dir", d, "add-credits", "--email", "nobody@example.com", "5")[0] == 2

    assert "suspended" in dxgl(capsys, "admin", "--data-dir", d, "suspend", "--email", "b@example.com")[1]
    with connection():
        assert User.get(User.email == "b@example.com").suspended
    assert "active" in dxgl(capsys, "admin", "--data-dir", d, "suspend", "--email", "b@example.com", "--undo")[1]

    image = tmp_path / "studio.png"
    image.write_bytes(png(40, 20))
    code, out, _ = dxgl(capsys, "admin", "--data-dir", d, "publish-overlay", str(image), "--name", "Studio",
                        "--alignment", "center")
    assert code == 0 and "40x20" in out
    with connection():
        overlay = Overlay.get()
        assert overlay.is_system and overlay.user_id is None and overlay.alignment == "center"
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"nope")
    code, _, err = dxgl(capsys, "admin", "--data-dir", d, "publish-overlay", str(bad))
    assert code == 2 and "not a readable" in err
    assert dxgl(capsys, "admin", "--data-dir", d, "publish-overlay", str(tmp_path / "missing.png"))[0] == 2
    assert dxgl(capsys, "admin", "--data-dir", d, "publish-overlay", str(image), "--layer", "middle")[0] == 2


def test_first_start_prints_the_admin_token_once(capsys, data_dir):
    config = Config(data_dir=data_dir, queue_url="memory")
    bootstrap(config)
    out = capsys.readouterr().out
    token = next(w for w in out.split() if w.startswith("dxgl_sk_"))
    assert "shown once" in out and "admin@localhost" in out
    bootstrap(config)
    assert capsys.readouterr().out == ""  # never again
    client = create_app(config.replace(immediate=True)).test_client()
    account = client.get("/v1/account", headers={"Authorization": f"Bearer {token}"}).json["data"]
    assert account["isAdmin"] is True and account["maxLength"] == 600


def test_command_errors(capsys, data_dir):
    code, _, err = dxgl(capsys, "worker", "--data-dir", str(data_dir), "--queues", "bogus")
    assert code == 2 and "unknown queue" in err
    assert dxgl(capsys, "admin")[0] == 2
    with pytest.raises(SystemExit):
        main(["admin", "create-user"])  # --email is required: argparse exits
    capsys.readouterr()


def test_serve_and_worker_are_registered(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(name in out for name in ("serve", "worker", "admin"))


def test_config_round_trips_through_the_environment(tmp_path):
    config = Config(data_dir=tmp_path, queue_url="redis://queue:6379/0", free_upload_limit=3,
                    ingest_allowed_networks=("10.0.0.0/8",), immediate=True)
    again = Config.from_env(config.to_env())
    assert again == config
    assert Config(data_dir=tmp_path).database_url == f"sqlite+pool:///{tmp_path.resolve()}/dxgl.db"
    assert Config.from_env({"DXGL_DATA_DIR": str(tmp_path)}, data_dir=tmp_path / "x").data_dir == (tmp_path / "x")


def test_queue_backends():
    from huey.storage import MemoryStorage, SqliteStorage

    from dxgl_api.queues import _storage_for

    assert _storage_for("memory")[0] is MemoryStorage
    assert _storage_for("sqlite:////tmp/q.db") == (SqliteStorage, {"filename": "/tmp/q.db", "timeout": 30})
    for url, module, name in (("redis://queue:6379/0", "redis", "PriorityRedisStorage"),
                              ("postgresql://db/dxgl", "psycopg2", "PostgresStorage")):
        try:
            __import__(module)
        except ImportError:  # the driver is an optional install: a clear message instead
            with pytest.raises(ConfigError, match="pip install"):
                _storage_for(url)
        else:
            assert _storage_for(url)[0].__name__ == name
    with pytest.raises(ConfigError):
        _storage_for("amqp://nope")


def test_overlay_publish_helper_reads_files(data_dir):
    from dxgl_api import runtime
    from dxgl_api.blueprints.overlays import store_overlay

    runtime.configure(Config(data_dir=data_dir, queue_url="memory"))
    with connection():
        overlay = store_overlay(io.BytesIO(png(8, 8, "WEBP")), "x.webp", {}, None)
    assert overlay.mime == "image/webp" and overlay.name == "x.webp"


def test_unusable_configuration_is_one_line(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DXGL_QUEUE_URL", "amqp://broker/")
    code, _, err = dxgl(capsys, "admin", "--data-dir", str(tmp_path), "create-user", "--email", "x@example.com")
    assert code == 2 and err.count("\n") == 1 and "unsupported queue URL" in err
    monkeypatch.setenv("DXGL_QUEUE_URL", "memory")
    monkeypatch.setenv("DXGL_DATABASE_URL", f"sqlite:///{tmp_path}/missing/dir/is/a/file/../x.db")
    (tmp_path / "missing").write_text("a file where a folder should be")
    code, _, err = dxgl(capsys, "admin", "--data-dir", str(tmp_path), "create-user", "--email", "x@example.com")
    assert code == 2 and err.startswith("dxgl: error:")


@pytest.mark.parametrize("argv", [["serve"], ["worker"], ["admin", "create-user", "--email", "a@b.c"]])
def test_without_the_api_extra_a_command_says_what_to_install(capsys, monkeypatch, argv):
    """A plain `pip install dxgl` lists serve, worker and admin (their entry points are the
    engine's) but lacks flask: each says to install the api extra, in one line, exit status 2
    (it was an internal ModuleNotFoundError)."""
    monkeypatch.setitem(sys.modules, "flask", None)  # importlib.util.find_spec then finds nothing
    code, _, err = dxgl(capsys, *argv)
    assert code == 2
    assert err.strip().splitlines() == [f"dxgl {argv[0]} needs the api extra: pip install 'dxgl[api]' "
                                        "(flask is not installed)"]  # fmt: skip
