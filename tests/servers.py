"""Private PostgreSQL and Redis servers for the tests of a scaled-out setup.

Each server is the Debian package's binary started on a free loopback port with its files in a
fresh temporary folder, and stopped (its folder removed) afterwards. PostgreSQL refuses to run as
root, so as root it runs as `nobody` (setpriv, which execs in place: the Popen is the postmaster
and its signals reach it). A missing binary fails the test with the command that installs it: a
scaled-out setup that is never tested is what this module exists to prevent, so it never skips.
"""
from __future__ import annotations

import glob
import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

INSTALL = "run `make system-deps` (or: apt-get install postgresql redis-server) and `pip install -e '.[api,scale]'`"


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_binary(name: str) -> str:
    """`name` on PATH or in Debian's /usr/lib/postgresql/<version>/bin; fails the test when absent."""
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)),
                                       None)
    if not found:
        pytest.fail(f"{name} is not installed: {INSTALL}", pytrace=False)
    return found


def _require_module(module: str) -> None:
    try:
        __import__(module)
    except ImportError:
        pytest.fail(f"the Python package for {module} is not installed: {INSTALL}", pytrace=False)


def _as_unprivileged() -> list[str]:
    """The command prefix that drops root (PostgreSQL will not start as root)."""
    if os.geteuid() != 0:
        return []
    return [find_binary("setpriv"), "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--reset-env"]


def _wait(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.05)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise AssertionError(f"{what} did not come up: {tail}")


class Postgres:
    """A PostgreSQL cluster of its own (initdb once, then start/stop/restart at will, same port)."""

    def __init__(self):
        _require_module("psycopg2")
        self.bin = {n: find_binary(n) for n in ("initdb", "postgres")}
        self.folder = Path(tempfile.mkdtemp(prefix="dxgl-pg-"))  # under /tmp: `nobody` must reach it
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self._names = itertools.count()
        if os.geteuid() == 0:
            shutil.chown(self.folder, "nobody", "nogroup")
        subprocess.run([*_as_unprivileged(), self.bin["initdb"], "-D", str(self.data), "-U", "dxgl", "--auth=trust",
                        "--no-sync", "-E", "UTF8", "--locale=C"], check=True, capture_output=True)

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        # fsync off and no WAL for full pages: a test cluster, thrown away (initdb + start ≈ 1.5 s on 2 cores).
        args = [*_as_unprivileged(), self.bin["postgres"], "-D", str(self.data), "-p", str(self.port),
                "-k", str(self.folder), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=300"]
        log = open(self.log, "a")
        self.proc = subprocess.Popen(args, stdout=log, stderr=log, start_new_session=True)
        log.close()
        _wait(self._accepts, 60, "PostgreSQL", self.proc, self.log)

    def stop(self) -> None:
        """Fast shutdown (SIGINT): clients are disconnected, like a database restart in production."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _accepts(self) -> bool:
        import psycopg2

        try:
            psycopg2.connect(self.dsn("postgres"), connect_timeout=2).close()
            return True
        except psycopg2.OperationalError:
            return False

    def dsn(self, database: str) -> str:
        return f"postgresql://dxgl@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "dxgl") -> str:
        """A new empty database; returns its URL."""
        import psycopg2

        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        conn = psycopg2.connect(self.dsn("postgres"))
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        return self.dsn(name)


class Redis:
    """A redis-server of its own, without persistence: a restart empties it, as a lost queue would be."""

    def __init__(self):
        _require_module("redis")
        self.bin = find_binary("redis-server")
        self.folder = Path(tempfile.mkdtemp(prefix="dxgl-redis-"))
        self.log = self.folder / "redis.log"
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self._dbs = itertools.count()

    def start(self) -> None:
        self.proc = subprocess.Popen([self.bin, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
                                      str(self.folder), "--save", "", "--appendonly", "no", "--logfile",
                                      str(self.log)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        _wait(self._accepts, 30, "Redis", self.proc, self.log)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _accepts(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_connect_timeout=1).ping()
        except redis.RedisError:
            return False

    def url(self) -> str:
        """A queue URL on a database number of its own (16 per server), so tests do not share a queue."""
        return f"redis://127.0.0.1:{self.port}/{next(self._dbs) % 16}"

    def flush(self) -> None:
        import redis

        redis.Redis(port=self.port).flushall()


def _running(kind):
    """A started server of `kind` for as long as the fixture holds it, closed afterwards."""
    server = kind()
    server.start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def postgres():
    """One PostgreSQL server for the session; tests take a database each (`postgres.create_database()`)."""
    yield from _running(Postgres)


@pytest.fixture(scope="session")
def redis_server():
    """One Redis server for the session; `redis_server.url()` names a database of its own."""
    yield from _running(Redis)


@pytest.fixture
def private_postgres():
    """A PostgreSQL server for one test, which may stop and restart it."""
    yield from _running(Postgres)


@pytest.fixture
def private_redis():
    """A Redis server for one test, which may stop and restart it."""
    yield from _running(Redis)
