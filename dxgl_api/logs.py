"""How `dxgl serve` and `dxgl worker` log: text for a terminal, or (`--log-format json`) one JSON
object a line for a log shipper, via python-json-logger. Every line logged while a job runs carries
`render_id` (the job's render ids, comma-separated) from a context variable the job sets."""
from __future__ import annotations

import contextlib
import contextvars
import logging
from typing import Iterator

RENDER_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("render_id", default=None)
FORMATS = ("text", "json")


class RenderIdFilter(logging.Filter):
    """Adds `render_id` (None outside jobs) to every record.

    huey logs "Executing <task>" before the job starts and "<task> executed in 1.2s" after it ends,
    outside the job's context: those lines take the ids from the task they name (a job's one
    argument is its list of render ids, `jobs.render_task`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.render_id = RENDER_ID.get() or _task_render_ids(record.args)
        return True


def _task_render_ids(args) -> str | None:
    from huey.api import Task

    for arg in args if isinstance(args, tuple) else ():
        if isinstance(arg, Task) and arg.args and isinstance(arg.args[0], list):
            return ",".join(map(str, arg.args[0]))
    return None


@contextlib.contextmanager
def job_context(render_ids: list[str]) -> Iterator[None]:
    """Log lines inside the block name these renders."""
    token = RENDER_ID.set(",".join(render_ids))
    try:
        yield
    finally:
        RENDER_ID.reset(token)


def setup(log_format: str, role: str, level: int = logging.INFO, stream=None) -> None:
    """Configure the root logger of this process for `log_format` (text or json); `role` names the
    process (web, previews, renders, sweeper) on each line. Lines go to `stream` (stderr)."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(RenderIdFilter())
    if log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(render_id)s",
                                           rename_fields={"asctime": "time", "levelname": "level"},
                                           static_fields={"role": role}))
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {role} %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
