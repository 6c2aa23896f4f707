"""`dxgl worker` with the conftest's fake engine, for tests that run real worker processes against
PostgreSQL and Redis without paying for GL renders.

    python -m tests.api.fake_worker host [--workers N] [--queues previews,renders]   # as `dxgl worker`
    python -m tests.api.fake_worker --queue renders | --sweep                        # its children

Environment: DXGL_TEST_HOST names the "host" (socket.gethostname() answers it, so two processes
on this machine behave like two hosts: recovery must go through the heartbeat, not the pid check);
DXGL_TEST_ENGINE_LOG is a file that gets one line "<render id> <host>" per engine run;
DXGL_TEST_PHASE_DELAY the seconds each of the fake's six phases takes."""
from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

from dxgl_api import jobs, worker


def _patch() -> None:
    from tests.api.conftest import FakeEngine

    host = os.environ.get("DXGL_TEST_HOST")
    if host:
        socket.gethostname = lambda: host
    delay = float(os.environ.get("DXGL_TEST_PHASE_DELAY", "0"))
    engine_log = os.environ.get("DXGL_TEST_ENGINE_LOG")
    fake = FakeEngine(on_phase=lambda phase, fraction, out: time.sleep(delay))
    one = fake.one

    def counted(scene, settings, out, **kw):
        counted_run(out)
        return one(scene, settings, out, **kw)

    fake.one = counted
    jobs.render_batch = fake

    def dataset(scene, settings, out, *, files=None, progress=None, cancel=None):
        import zipfile

        from dxgl_engine.pipeline.dataset import DatasetResult

        counted_run(out)
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w") as zf:
            zf.writestr("transforms.json", "{}")
        return DatasetResult(out, 1, 8, 0.01)

    def counted_run(out):  # one short O_APPEND write per run: lines from several processes never mix
        if engine_log:
            fd = os.open(engine_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
            os.write(fd, f"{os.path.basename(os.path.dirname(out))} {socket.gethostname()}\n".encode())
            os.close(fd)

    jobs.export_dataset = dataset

    def spawn(self, queue):  # the supervisor's children run this module too
        lanes = ",".join(q for q in self.plan if q != worker.SWEEPER)
        role = ["--sweep", "--lanes", lanes] if queue == worker.SWEEPER else ["--queue", queue, "--workers", str(self.plan[queue])]
        import subprocess

        return subprocess.Popen([sys.executable, "-m", "tests.api.fake_worker", *role, "--parent-pid",
                                 str(os.getpid())], env={**os.environ, **self.config.to_env()})

    worker.Supervisor._spawn = spawn


def main(argv: list[str]) -> int:
    _patch()
    if argv and argv[0] == "host":
        import argparse

        from dxgl_api.config import Config
        from dxgl_api.server import work

        parser = argparse.ArgumentParser()
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--queues", default="previews,renders")
        args = parser.parse_args(argv[1:])
        return work(Config.from_env(), workers=args.workers, queue_names=tuple(args.queues.split(",")))
    return worker.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
