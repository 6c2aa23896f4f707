"""Wiring a process to its configuration: the database, the queues and the storage folder.
Called once by the web app factory, by each worker process and by the admin CLI."""
from __future__ import annotations

import re

import peewee as pw

from . import config as config_module
from .config import Config, ConfigError
from .db import connection, open_database
from .migrations import migrate
from .queues import configure_queues


def configure(config: Config) -> Config:
    """Activate `config`; ConfigError (one line for the CLI) when its folders or database cannot be used."""
    config_module.activate(config)
    try:
        config.data_dir.mkdir(parents=True, exist_ok=True)
        config.storage_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ConfigError(f"cannot use the data folders {config.data_dir} / {config.storage_dir}: {err}") from None
    try:
        open_database(config.database_url)
        with connection():  # the versioned schema, brought up to date under a database lock
            migrate()
    except (pw.ImproperlyConfigured, pw.OperationalError, OSError) as err:
        raise ConfigError(f"cannot open the database {_without_password(config.database_url)}: {err}") from None
    configure_queues(config.queue_url, immediate=config.immediate)
    return config


def _without_password(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)
