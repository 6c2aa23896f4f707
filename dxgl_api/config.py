"""Where the service keeps its state and which limits it enforces.

One `Config` is built from `DXGL_*` environment variables plus command-line overrides and handed
to the web app, the workers and the admin CLI alike; child worker processes get it back through
`to_env()`. Swapping SQLite for PostgreSQL or the SQLite queue for Redis is a URL change here.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from dxgl_engine import DxglError

MB = 1 << 20


class ConfigError(DxglError):
    """A configuration that cannot work (unknown URL scheme, missing driver, unreachable database);
    the `dxgl` command prints it as one line."""

    code = "invalid_config"


@dataclass(frozen=True)
class Config:
    data_dir: Path = Path("data")
    database_url: str = ""  # default: sqlite:///<data_dir>/dxgl.db
    queue_url: str = ""  # default: sqlite:///<data_dir>/queue.db; redis://host:6379/0; memory
    storage_dir: Path | None = None  # default: <data_dir>/files
    max_upload_bytes: int = 100 * MB
    max_overlay_bytes: int = 10 * MB
    signup_credits: int = 10
    free_upload_limit: int = 100  # models a free account may hold at once; 0 = unlimited
    ingest_timeout_s: float = 120.0
    ingest_allowed_networks: tuple[str, ...] = ()  # CIDRs exempt from the private-address refusal
    heartbeat_s: float = 5.0
    stale_after_s: float = 180.0  # a claimed render silent this long is orphaned
    max_attempts: int = 2  # claims of one render before an orphaned one is marked error
    preview_short_side: int = 180
    preview_length: float = 3.0
    admin_email: str = "admin@localhost"
    metrics_networks: tuple[str, ...] = ()  # CIDRs that may read /metrics without an admin token
    log_format: str = "text"  # text | json (one JSON object a line, with render_id on job lines)
    immediate: bool = False  # run jobs inside the request (tests)

    def __post_init__(self):
        data = Path(self.data_dir).expanduser().resolve()
        object.__setattr__(self, "data_dir", data)
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite+pool:///{data / 'dxgl.db'}")
        if not self.queue_url:
            object.__setattr__(self, "queue_url", f"sqlite:///{data / 'queue.db'}")
        storage = Path(self.storage_dir).expanduser().resolve() if self.storage_dir else data / "files"
        object.__setattr__(self, "storage_dir", storage)
        object.__setattr__(self, "ingest_allowed_networks", tuple(self.ingest_allowed_networks))
        object.__setattr__(self, "metrics_networks", tuple(self.metrics_networks))

    def replace(self, **changes) -> "Config":
        return dataclasses.replace(self, **changes)

    # --- environment --------------------------------------------------------------------------
    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> "Config":
        """Values from DXGL_* variables; keyword overrides (command-line flags) win when not None."""
        env = os.environ if env is None else env
        values: dict = {}
        for name, (var, parse) in _ENV.items():
            raw = env.get(var)
            if raw not in (None, ""):
                values[name] = parse(raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The DXGL_* variables that rebuild this configuration in a child process."""
        out = {}
        for name, (var, _) in _ENV.items():
            value = getattr(self, name)
            if isinstance(value, tuple):
                value = ",".join(value)
            elif isinstance(value, bool):
                value = "1" if value else "0"
            out[var] = str(value)
        return out


def _bool(raw: str) -> bool:
    return raw.strip().lower() in ("1", "true", "yes", "on")


def _csv(raw: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in raw.split(",") if p.strip())


_ENV = {
    "data_dir": ("DXGL_DATA_DIR", Path),
    "database_url": ("DXGL_DATABASE_URL", str),
    "queue_url": ("DXGL_QUEUE_URL", str),
    "storage_dir": ("DXGL_STORAGE_DIR", Path),
    "max_upload_bytes": ("DXGL_MAX_UPLOAD_BYTES", int),
    "max_overlay_bytes": ("DXGL_MAX_OVERLAY_BYTES", int),
    "signup_credits": ("DXGL_SIGNUP_CREDITS", int),
    "free_upload_limit": ("DXGL_FREE_UPLOAD_LIMIT", int),
    "ingest_timeout_s": ("DXGL_INGEST_TIMEOUT", float),
    "ingest_allowed_networks": ("DXGL_INGEST_ALLOWED_NETWORKS", _csv),
    "heartbeat_s": ("DXGL_HEARTBEAT", float),
    "stale_after_s": ("DXGL_STALE_AFTER", float),
    "max_attempts": ("DXGL_MAX_ATTEMPTS", int),
    "preview_short_side": ("DXGL_PREVIEW_SHORT_SIDE", int),
    "preview_length": ("DXGL_PREVIEW_LENGTH", float),
    "admin_email": ("DXGL_ADMIN_EMAIL", str),
    "metrics_networks": ("DXGL_METRICS_NETWORKS", _csv),
    "log_format": ("DXGL_LOG_FORMAT", str),
    "immediate": ("DXGL_IMMEDIATE", _bool),
}

ENV_VARS = {var: name for name, (var, _) in _ENV.items()}

_active: Config | None = None


def activate(config: Config) -> Config:
    """Make `config` the process's configuration (what storage, jobs and credits read)."""
    global _active
    _active = config
    return config


def active() -> Config:
    if _active is None:
        raise RuntimeError("dxgl_api is not configured: call dxgl_api.runtime.configure(config) first")
    return _active
