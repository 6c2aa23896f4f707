"""The versioned database schema: numbered steps, applied in order, each once, under a lock.

The schema's version lives in the one-row table `schema_version`. `migrate()` (`dxgl admin migrate`,
and every `dxgl serve` / `dxgl worker` / admin start through `runtime.configure`) takes a database
lock, reads the version, runs the steps above it in one transaction and records the new version;
so several processes starting together apply each step once, and the others wait for it and then
find nothing to do. The lock is PostgreSQL's `pg_advisory_xact_lock` (released with the transaction)
or SQLite's write lock (`BEGIN IMMEDIATE`, how every write transaction here starts). Both databases
run DDL inside a transaction, so a step that fails leaves the schema and the version as they were.

Adding a table or a column is one step at the end of `STEPS`:

    @step(3, "portal: login sessions")
    def _portal_sessions(m: Steps) -> None:
        m.table(PortalSession)                      # CREATE TABLE IF NOT EXISTS, with its indexes

    @step(4, "renders: priority")
    def _render_priority(m: Steps) -> None:
        m.column(Render, "priority", pw.IntegerField(default=0))   # ALTER TABLE … ADD COLUMN, if missing

Step helpers are idempotent: a fresh database runs every step from 1 on the current model classes
(step 1 creates tables that already carry the columns later steps add; those steps then find the
columns and skip them). Never edit or renumber a released step; never reuse a number.

Peewee's own `playhouse.migrate` does the ALTERs (no second ORM or migration framework to keep in
step with peewee: Alembic needs SQLAlchemy models, peewee-migrate generates files from model diffs,
which a hand-written one-line step does not need).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

import peewee as pw
from playhouse.migrate import PostgresqlMigrator, SchemaMigrator, SqliteMigrator

from .config import ConfigError
from .db import database, write_transaction
from .tables import ALL_MODELS, BaseModel, Render, WorkerBeat

log = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 0x6478676C  # "dxgl": the key of PostgreSQL's advisory lock for migrations


class SchemaVersion(BaseModel):
    """One row: the number of the last step applied."""

    id = pw.IntegerField(primary_key=True, default=1)
    version = pw.IntegerField(default=0)


class Steps:
    """What a step may do, each idempotently: create a table, add a column, add an index, run SQL."""

    def __init__(self, migrator: SchemaMigrator):
        self.migrator = migrator
        self.db = migrator.database

    def table(self, model: type[pw.Model]) -> None:
        """Create `model`'s table and indexes when missing."""
        self.db.create_tables([model], safe=True)

    def column(self, model: type[pw.Model], name: str, field: pw.Field) -> None:
        """Add column `name` (a peewee field with a default, or null=True) when missing."""
        table = model._meta.table_name
        if name not in {c.name for c in self.db.get_columns(table)}:
            self.migrator.add_column(table, name, field).run()

    def index(self, model: type[pw.Model], columns: tuple[str, ...], unique: bool = False) -> None:
        table = model._meta.table_name
        name = f"{table}_{'_'.join(columns)}"
        if name not in {i.name for i in self.db.get_indexes(table)}:
            self.migrator.add_index(table, columns, unique).run()

    def sql(self, statement: str, params: tuple = ()) -> None:
        self.db.execute_sql(statement, params)


@dataclass(frozen=True)
class Step:
    version: int
    description: str
    apply: Callable[[Steps], None]


STEPS: list[Step] = []


def step(version: int, description: str):
    """Register the next step; numbers run 1, 2, 3… with no gap."""

    def register(fn: Callable[[Steps], None]) -> Callable[[Steps], None]:
        expected = len(STEPS) + 1
        if version != expected:
            raise RuntimeError(f"migration step {version} ({description}) registered where step {expected} is next")
        STEPS.append(Step(version, description, fn))
        return fn

    return register


# --- the steps ---------------------------------------------------------------------------------
@step(1, "the schema of 0.1 (accounts, tokens, models, tags, overlays, renders, ledger)")
def _baseline(m: Steps) -> None:
    # A database made before versioning already has these: each create is then a no-op.
    for model in ALL_MODELS:
        if model is not WorkerBeat:
            m.table(model)


@step(2, "worker heartbeats (/v1/health and /metrics list live workers)")
def _worker_beats(m: Steps) -> None:
    m.table(WorkerBeat)


@step(3, "renders: started_at (render seconds in /metrics)")
def _render_started_at(m: Steps) -> None:
    m.column(Render, "started_at", pw.DateTimeField(null=True))


@step(4, "portal: passwords, browser sessions, sign-in links, token use, webhooks and their deliveries")
def _portal(m: Steps) -> None:
    from .portal.tables import PORTAL_MODELS

    for model in PORTAL_MODELS:
        m.table(model)


# --- applying them -----------------------------------------------------------------------------
def current_version() -> int:
    """The version of the bound database (0: none applied, or no database made yet)."""
    if not database.table_exists(SchemaVersion._meta.table_name):
        return 0
    row = SchemaVersion.get_or_none(SchemaVersion.id == 1)
    return row.version if row else 0


def latest_version() -> int:
    return len(STEPS)


def migrate(target: int | None = None) -> list[Step]:
    """Bring the bound database to `target` (default: the latest step); returns the steps applied.
    Safe to run from several processes at once (see the module's docstring)."""
    target = latest_version() if target is None else target
    db = database.obj
    migrator = PostgresqlMigrator(db) if isinstance(db, pw.PostgresqlDatabase) else SqliteMigrator(db)
    applied: list[Step] = []
    with write_transaction():
        if isinstance(db, pw.PostgresqlDatabase):
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK_KEY,))
        db.create_tables([SchemaVersion], safe=True)
        version = current_version()
        if version > latest_version():
            raise ConfigError(f"the database's schema is version {version}, newer than this dxgl "
                               f"({latest_version()}): upgrade dxgl on this host")
        steps = Steps(migrator)
        for s in STEPS[version:target]:
            log.info("schema: applying step %d: %s", s.version, s.description)
            s.apply(steps)
            applied.append(s)
        if applied:
            SchemaVersion.insert(id=1, version=target).on_conflict(
                conflict_target=[SchemaVersion.id], update={SchemaVersion.version: target}).execute()
    return applied
