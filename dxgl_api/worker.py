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
import socket
import subprocess
import sys
import threading
import time

from . import logs, queues, runtime
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
    consumer = huey.create_consumer(workers=workers, worker_type="process", periodic=False,
                                    initial_delay=0.1, backoff=1.15, max_delay=POLL_MAX_DELAY)
    consumer.run()


SWEEPER = "sweeper"


def beat(lanes: str) -> None:
    """Record this worker host as alive (one row per host name, in the shared database)."""
    from .tables import WorkerBeat, utcnow

    host = socket.gethostname()
    now = utcnow()
    WorkerBeat.insert(host=host, queues=lanes, pid=os.getpid(), started_at=now, beat_at=now).on_conflict(
        conflict_target=[WorkerBeat.host],
        update={WorkerBeat.beat_at: now, WorkerBeat.queues: lanes, WorkerBeat.pid: os.getpid()}).execute()


def run_sweeper(interval: float, lanes: str = "") -> None:
    """Recover orphaned renders and reconcile the queues with the database every `interval` seconds
    until SIGTERM or SIGINT.

    Its own process, not a huey periodic task: huey's crontab has a one-minute grain, which made a
    15 s DXGL_STALE_AFTER take 93-105 s; sweeping every heartbeat bounds the recovery of a dead
    worker's render by DXGL_STALE_AFTER plus one heartbeat. Not a thread of a consumer either: the
    consumer forks its worker processes (again whenever one dies), and a forked child must not
    inherit a pooled database connection that a thread holds. Every error (database or queue down)
    is logged and the next sweep tries again."""
    from . import jobs

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    failing = False
    while True:
        try:
            with connection():
                beat(lanes)
                jobs.recover(requeue_lost=True, lost_grace=2 * interval)
            if failing:
                log.warning("sweeper: database and queue answer again")
            failing = False
        except Exception as err:  # noqa: BLE001 - a sweep must never end the sweeper
            if not failing:
                log.warning("sweeper: sweep failed (%s: %s); retrying every %.1f s", type(err).__name__, err, interval)
            failing = True
        if stop.wait(interval):
            return


class Supervisor:
    """Keeps one consumer process per queue alive; stops them when asked (or when this process ends)."""

    def __init__(self, config: Config, workers: int, queue_names: tuple[str, ...] = tuple(queues.QUEUES)):
        self.config = config
        self.plan = {q: (workers if q == queues.RENDERS else 1) for q in queue_names}
        self.plan[SWEEPER] = 1  # every worker host sweeps: recovery works whichever hosts are up
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
        lanes = ",".join(q for q in self.plan if q != SWEEPER)
        role = ["--sweep", "--lanes", lanes] if queue == SWEEPER else ["--queue", queue, "--workers", str(self.plan[queue])]
        cmd = [sys.executable, "-m", "dxgl_api.worker", *role, "--parent-pid", str(os.getpid())]
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
    role = parser.add_mutually_exclusive_group(required=True)
    role.add_argument("--queue", choices=tuple(queues.QUEUES))
    role.add_argument("--sweep", action="store_true", help="recover orphaned renders and requeue lost ones")
    parser.add_argument("--lanes", default="", help="(with --sweep) the queues this host serves, for its heartbeat")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--parent-pid", type=int)
    args = parser.parse_args(argv)
    config = Config.from_env()
    logs.setup(config.log_format, SWEEPER if args.sweep else args.queue)
    if config.immediate:
        config = config.replace(immediate=False)
    runtime.configure(config)
    if args.parent_pid:
        _exit_with_parent(args.parent_pid)
    if args.sweep:
        # every heartbeat, but not more often than twice a second (tests run with 0.2 s heartbeats)
        run_sweeper(max(0.5, config.heartbeat_s), args.lanes)
    else:
        run_consumer(args.queue, max(1, args.workers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
