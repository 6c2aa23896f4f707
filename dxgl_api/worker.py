"""Worker processes: one huey consumer per queue, and the supervisor that `dxgl serve` and
`dxgl worker` use to keep one consumer process per queue running.

Consumers use process workers: each has its own headless GL context (made by the on_startup
hook), a crash in a native library takes down one worker (huey starts a new one), and the web
process never touches GL. Run as `python -m dxgl_api.worker --queue renders --workers N`.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time

from . import queues, runtime
from .config import Config
from .db import connection, database

log = logging.getLogger(__name__)

POLL_MAX_DELAY = 1.0  # seconds between queue polls when idle: a preview starts within about a second
RESTART_DELAY = 2.0


def run_consumer(queue: str, workers: int) -> None:
    """Run the consumer of `queue` in this process until SIGINT (graceful) or SIGTERM."""
    from . import jobs

    huey = queues.QUEUES[queue]
    if queue == queues.RENDERS:  # one start-up sweep per host, from the paid-work consumer
        with connection():
            jobs.recover(requeue_lost=True)
    database.close()
    consumer = huey.create_consumer(workers=workers, worker_type="process", periodic=queue == queues.RENDERS,
                                    initial_delay=0.1, backoff=1.15, max_delay=POLL_MAX_DELAY)
    consumer.run()


class Supervisor:
    """Keeps one consumer process per queue alive; stops them when asked (or when this process ends)."""

    def __init__(self, config: Config, workers: int, queue_names: tuple[str, ...] = tuple(queues.QUEUES)):
        self.config = config
        self.plan = {q: (workers if q == queues.RENDERS else 1) for q in queue_names}
        self.procs: dict[str, subprocess.Popen] = {}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="dxgl-supervisor", daemon=True)

    def start(self) -> None:
        for queue in self.plan:
            self.procs[queue] = self._spawn(queue)
        self.thread.start()

    def wait(self) -> None:
        while not self.stopping.is_set():
            self.stopping.wait(1.0)

    def stop(self, timeout: float = 15.0) -> None:
        self.stopping.set()
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def _spawn(self, queue: str) -> subprocess.Popen:
        cmd = [sys.executable, "-m", "dxgl_api.worker", "--queue", queue, "--workers", str(self.plan[queue]),
               "--parent-pid", str(os.getpid())]
        log.info("starting %s worker (%d process%s)", queue, self.plan[queue], "es" * (self.plan[queue] != 1))
        return subprocess.Popen(cmd, env={**os.environ, **self.config.to_env()})

    def _watch(self) -> None:
        while not self.stopping.wait(RESTART_DELAY):
            for queue, proc in list(self.procs.items()):
                if proc.poll() is not None and not self.stopping.is_set():
                    log.warning("%s worker exited with %s; starting it again", queue, proc.returncode)
                    self.procs[queue] = self._spawn(queue)


def _exit_with_parent(parent_pid: int) -> None:
    """A worker started by `dxgl serve` ends when serve is gone, even after a SIGKILL."""

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="dxgl-parent-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dxgl_api.worker", description="Run one dxgl job queue consumer.")
    parser.add_argument("--queue", choices=tuple(queues.QUEUES), required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--parent-pid", type=int)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {args.queue} %(levelname)s %(name)s: %(message)s")
    config = Config.from_env()
    if config.immediate:
        config = config.replace(immediate=False)
    runtime.configure(config)
    if args.parent_pid:
        _exit_with_parent(args.parent_pid)
    run_consumer(args.queue, max(1, args.workers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
