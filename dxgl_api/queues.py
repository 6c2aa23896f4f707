"""The two job queues and where they live.

Previews have a lane of their own (`previews`), so a free preview never waits behind a long 4K
render; paid work goes to `renders`. Both are huey instances whose storage comes from
`DXGL_QUEUE_URL`: SQLite in the data directory by default, `redis://…` or `postgresql://…` for
several worker hosts, `memory` (or immediate mode) in tests.
"""
from __future__ import annotations

from pathlib import Path

from huey import Huey
from huey.storage import MemoryStorage, SqliteStorage

from .config import ConfigError

PREVIEWS = "previews"
RENDERS = "renders"

previews = Huey("dxgl-previews", results=False, storage_class=MemoryStorage)
renders = Huey("dxgl-renders", results=False, storage_class=MemoryStorage)
QUEUES: dict[str, Huey] = {PREVIEWS: previews, RENDERS: renders}


def configure_queues(url: str, *, immediate: bool = False) -> None:
    """Point both queues at the storage `url` names; `immediate` runs tasks inside the caller."""
    storage_class, kwargs = _storage_for(url)
    for huey in QUEUES.values():
        huey.storage_class = storage_class
        huey.storage_kwargs = kwargs
        huey.immediate = immediate
        huey.storage = huey.create_storage()


def _storage_for(url: str) -> tuple[type, dict]:
    scheme = url.split(":", 1)[0].lower()
    if url == "memory":
        return MemoryStorage, {}
    if scheme == "sqlite":
        path = url.split("://", 1)[1][1:]
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteStorage, {"filename": path, "timeout": 30}
    if scheme in ("redis", "rediss", "unix"):
        _require("redis", "a Redis queue")
        from huey.storage import PriorityRedisStorage

        return PriorityRedisStorage, {"url": url}
    if scheme in ("postgres", "postgresql"):
        _require("psycopg2", "a PostgreSQL queue", "psycopg2-binary")
        from huey.storage import PostgresStorage

        return PostgresStorage, {"dsn": url}
    raise ConfigError(f"unsupported queue URL '{url}': use sqlite:///PATH, redis://HOST:PORT/DB, "
                      "postgresql://… or memory")


def _require(module: str, what: str, package: str | None = None) -> None:
    try:
        __import__(module)
    except ImportError:
        raise ConfigError(f"{what} needs the '{package or module}' package: pip install {package or module}") from None


def queued_render_ids() -> set[str]:
    """Render ids waiting in either queue (for the start-up check that nothing was lost)."""
    ids: set[str] = set()
    for huey in QUEUES.values():
        for task in huey.pending():
            if task.args:
                ids.update(task.args[0])
    return ids
