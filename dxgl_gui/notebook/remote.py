"""Remote jobs from a notebook through `dxgl_api.client`: a `dxgl serve` started in the background
to try the API on this machine, one notebook progress bar over several renders, downloads.

The client does the talking (upload, quote, batch, get_render, download); this module only adds
what a notebook needs around it.
"""
from __future__ import annotations

import atexit
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

log = logging.getLogger(__name__)

START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 30.0
TOKEN_LINE = re.compile(r"admin API token[^:]*:\s*(\S+)")
SERVING_LINE = re.compile(r"serving (http://\S+/v1)")
ADMIN_EMAIL = "admin@localhost"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def dxgl_command(*args: str) -> list[str]:
    """The `dxgl` command of this Python (the kernel's environment), whatever PATH says."""
    return [sys.executable, "-m", "dxgl_engine.cli", *args]


class LocalServer:
    """`dxgl serve` on a free port with its own data folder (a new temporary one by default),
    as a child process of its own session; `client()` is signed in with the admin token."""

    def __init__(self, data_dir: str | os.PathLike | None = None, *, host: str = "127.0.0.1",
                 port: int | None = None, workers: int = 1):
        self.data_dir = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="dxgl-serve-"))
        self.host, self.port, self.workers = host, port or free_port(host), workers
        self.url: str | None = None
        self.token: str | None = None
        self.proc: subprocess.Popen | None = None
        self.lines: list[str] = []

    @property
    def log_path(self) -> Path:
        return self.data_dir / "serve.log"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = START_TIMEOUT_S) -> "LocalServer":
        """Start the server and wait until it serves; its stderr goes to `log_path`."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "EGL_PLATFORM": os.environ.get("EGL_PLATFORM", "surfaceless"), "PYTHONUNBUFFERED": "1"}
        cmd = dxgl_command("serve", "--host", self.host, "--port", str(self.port), "--data-dir", str(self.data_dir),
                           "--workers", str(self.workers))  # fmt: skip
        with open(self.log_path, "ab") as errors:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL,
                                         text=True, env=env, start_new_session=True)  # fmt: skip
        threading.Thread(target=self._read, name="dxgl-serve-output", daemon=True).start()
        atexit.register(self.stop)
        self.url = self._wait_for(SERVING_LINE, timeout)
        self.token = self._printed_token() or self._new_token()
        log.info("dxgl serve running at %s (data in %s)", self.url, self.data_dir)
        return self

    def client(self, **kwargs: Any):
        """A dxgl_api.client.Client for this server, with the admin token."""
        from dxgl_api.client import Client

        return Client(self.url, self.token, **kwargs)

    def stop(self) -> None:
        """Stop the server and its workers (SIGTERM to its process group, then SIGKILL)."""
        if not self.running:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        atexit.unregister(self.stop)
        log.info("dxgl serve stopped")

    def __enter__(self) -> "LocalServer":
        return self if self.running else self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    # --- output ---------------------------------------------------------------------------------
    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def _wait_for(self, pattern: re.Pattern, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if match := pattern.search(line):
                    return match.group(1)
            if not self.running:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"dxgl serve did not start; its output: {self.lines[-5:]}, see {self.log_path}")

    def _printed_token(self) -> str | None:
        """The admin token printed on the first start of an empty data folder."""
        for line in self.lines:
            if match := TOKEN_LINE.search(line):
                return match.group(1)
        return None

    def _new_token(self) -> str:
        """A data folder that was used before: a fresh admin token from `dxgl admin create-token`."""
        email = os.environ.get("DXGL_ADMIN_EMAIL", ADMIN_EMAIL)
        done = subprocess.run(dxgl_command("admin", "--data-dir", str(self.data_dir), "create-token", "--email", email,
                                           "--name", "notebook"), capture_output=True, text=True, check=True)  # fmt: skip
        return done.stdout.strip().splitlines()[-1]


def wait_all(client: Any, render_ids: list[str], *, poll: float = 1.0, timeout: float | None = None,
             progress: bool = True) -> list[dict]:
    """Poll renders until all are done, with one progress bar over them; returns their final
    state in order. A render that ends in error raises the client's RenderError."""
    from dxgl_api.client import RenderError, WaitTimeout

    deadline = None if timeout is None else time.monotonic() + timeout
    total = 100 * len(render_ids)
    with tqdm(total=total, desc=f"{len(render_ids)} render(s)", unit="%", disable=not progress) as bar:
        while True:
            renders = [client.get_render(i) for i in render_ids]
            for render in renders:
                if render["status"] in ("error", "failed"):
                    raise RenderError(render)
            bar.update(round(sum(100 * _progress(r) for r in renders)) - bar.n)
            bar.set_postfix_str(_status_counts(renders), refresh=False)
            if all(r["status"] == "done" for r in renders):
                return renders
            if deadline is not None and time.monotonic() > deadline:
                raise WaitTimeout("wait_timeout", f"still waiting: {_status_counts(renders)}", 0)
            time.sleep(poll)


def _progress(render: dict) -> float:
    return 1.0 if render["status"] == "done" else float(render.get("progress") or 0.0)


def _status_counts(renders: list[dict]) -> str:
    counts: dict[str, int] = {}
    for r in renders:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return ", ".join(f"{n} {status}" for status, n in counts.items())


def download_all(client: Any, renders: list[dict | str], dest: str | os.PathLike, *, asset: str = "video",
                 quality: str | None = None) -> list[Path]:
    """Download an asset of each render into the folder `dest` (named as the server names them)."""
    folder = Path(dest)
    folder.mkdir(parents=True, exist_ok=True)
    ids = [r if isinstance(r, str) else r["id"] for r in renders]
    return [client.download(i, folder, asset=asset, quality=quality) for i in ids]
