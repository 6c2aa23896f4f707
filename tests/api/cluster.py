"""A scaled-out dxgl on one machine, as README's "Scaling out" runs it: `dxgl serve --no-workers`
and worker "hosts" as real processes sharing one PostgreSQL database, one Redis queue and one
storage folder through the same DXGL_* variables. Worker hosts run tests/api/fake_worker.py (the
fake engine, counted, under a host name of their own) unless `real=True` (`dxgl worker`)."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import requests

from dxgl_api import runtime
from dxgl_api.accounts import create_token, create_user
from dxgl_api.config import Config
from dxgl_api.db import connection
from dxgl_api.tables import LedgerEntry, Render, User
from tests.servers import free_port

from .conftest import Account, make_glb

ROOT = Path(__file__).resolve().parents[2]
DXGL = str(Path(sys.executable).parent / "dxgl")


def wait_until(predicate, timeout: float, what: str):
    """Poll `predicate` until it returns something true (returned) or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Cluster:
    def __init__(self, folder: Path, database_url: str, queue_url: str, **settings: str):
        self.folder = folder
        self.engine_log = folder / "engine.log"
        self.engine_log.touch()
        self.env = {
            "DXGL_DATA_DIR": str(folder / "data"),
            "DXGL_DATABASE_URL": database_url,
            "DXGL_QUEUE_URL": queue_url,
            "DXGL_STORAGE_DIR": str(folder / "files"),
            "DXGL_HEARTBEAT": "0.5",
            "DXGL_STALE_AFTER": "3",
            **settings,
        }
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/v1"
        self.config = Config.from_env(self.env)
        runtime.configure(self.config)  # this process reads and writes the same database

    def _env(self, **extra) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DXGL_")}
        env.update(self.env, PYTHONPATH=str(ROOT), EGL_PLATFORM=os.environ.get("EGL_PLATFORM", "surfaceless"),
                   DXGL_TEST_ENGINE_LOG=str(self.engine_log), **extra)
        return env

    def _start(self, name: str, cmd: list[str], ready: str, **env) -> subprocess.Popen:
        log = self.folder / f"{name}.log"
        self.logs[name] = log
        with open(log, "a") as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=self._env(**env), cwd=ROOT,
                                    start_new_session=True)  # a process group: killpg takes its children too
        self.procs[name] = proc
        wait_until(lambda: re.search(ready, log.read_text()) or proc.poll() is not None, 90, f"{name} to start")
        assert proc.poll() is None, f"{name} exited: {log.read_text()[-3000:]}"
        return proc

    def start_web(self) -> None:
        self._start("web", [DXGL, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--no-workers",
                            "--threads", "16"], r"serving http://")

    def start_host(self, name: str, workers: int = 1, queues: str = "previews,renders", *,
                   obey_permissions: bool = False, real: bool = False, **env) -> None:
        """A worker host; `obey_permissions`: file modes bind it even as root (its capabilities to
        override them are dropped), so a read-only storage folder is read-only to it. `real`: the
        installed `dxgl worker` with the real engine, logging JSON lines (`logged_engine_runs`)."""
        # ready once its last consumer polls its queue ("worker running" comes before its children are up)
        if real:
            lane = "renders" if "renders" in queues else "previews"
            ready = rf'(?m)^(?=.*consumer started)(?=.*"role": "{lane}").*$'
            cmd = [DXGL, "worker", "--log-format", "json"]
        else:
            ready = r"renders INFO huey.consumer: Huey consumer started" if "renders" in queues else r"consumer started"
            cmd = [sys.executable, "-m", "tests.api.fake_worker", "host"]
            env = {"DXGL_TEST_HOST": name, **env}
        prefix = []
        if obey_permissions and os.geteuid() == 0:
            prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--inh-caps=-all"]
        self._start(name, [*prefix, *cmd, "--workers", str(workers), "--queues", queues], ready, **env)

    def logged_engine_runs(self, *hosts: str) -> Counter:
        """Engine runs per render id, from the "engine run: ID…" lines the real workers of `hosts` log."""
        import json

        runs: Counter = Counter()
        for host in hosts:
            for line in self.logs[host].read_text().splitlines():
                if line.startswith("{"):
                    message = json.loads(line).get("message", "")
                    if message.startswith("engine run: "):
                        runs.update(message.split()[2:])
        return runs

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.pop(name)
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        proc.wait(60)

    def stop(self) -> None:
        for name in list(self.procs):
            proc = self.procs[name]
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            self.procs.pop(name)

    # --- accounts and requests ------------------------------------------------------------------
    def account(self, email: str, credits: int, plan: str = "paid") -> Account:
        with connection():
            user = create_user(email, initial_credits=credits, plan=plan)
            _, raw = create_token(user)
        return Account(email, user.id, raw)

    def call(self, method: str, path: str, account: Account | None = None, timeout: float = 60,
             **kw) -> requests.Response:
        headers = account.headers if account else {}
        return requests.request(method, self.base + path, headers=headers, timeout=timeout, **kw)

    def upload(self, account: Account, settings: dict | None = None, data: bytes | None = None) -> dict:
        import json

        form = {"renderSettings": json.dumps(settings)} if settings else {}
        r = self.call("POST", "/models", account, files={"file": ("m.glb", data or make_glb())}, data=form)
        assert r.status_code == 201, r.text
        return r.json()["data"]

    # --- what the database and the engine say --------------------------------------------------
    def render(self, render_id: str) -> Render:
        with connection():
            return Render.get_by_id(render_id)

    def engine_runs(self) -> Counter:
        """Engine runs per render id (from the fake engine's log)."""
        return Counter(line.split()[0] for line in self.engine_log.read_text().splitlines() if line.strip())

    def books(self, user_id: str) -> tuple[int, int, list[tuple[str, int, str]]]:
        """(balance, sum of the ledger, [(reason, delta, render id)…]) of an account."""
        with connection():
            balance = User.get_by_id(user_id).credits
            rows = list(LedgerEntry.select().where(LedgerEntry.user == user_id).order_by(LedgerEntry.id))
        return balance, sum(r.delta for r in rows), [(r.reason, r.delta, r.render_id) for r in rows]
