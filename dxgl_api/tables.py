"""Every table of the service, in one module: accounts, tokens, models, tags, overlays, renders
and the credit ledger. Public ids are 12 random letters and digits, like the hosted service's."""
from __future__ import annotations

import json
import secrets
import string
from datetime import datetime, timezone

import peewee as pw

from .db import database

ID_ALPHABET = string.ascii_letters + string.digits
ID_LENGTH = 12


def new_id() -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


def utcnow() -> datetime:
    """Naive UTC: what every timestamp column holds."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class JSONField(pw.TextField):
    def db_value(self, value):
        return None if value is None else json.dumps(value, separators=(",", ":"))

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(pw.Model):
    class Meta:
        database = database
        legacy_table_names = False


def _id_field() -> pw.CharField:
    return pw.CharField(primary_key=True, max_length=ID_LENGTH, default=new_id)


class User(BaseModel):
    id = _id_field()
    email = pw.CharField(max_length=254, unique=True)
    is_admin = pw.BooleanField(default=False)
    plan = pw.CharField(max_length=16, default="free")  # free | paid
    credits = pw.IntegerField(default=0)
    suspended = pw.BooleanField(default=False)
    created_at = pw.DateTimeField(default=utcnow)


class Token(BaseModel):
    id = _id_field()
    user = pw.ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    token_hash = pw.CharField(max_length=64, unique=True)  # SHA-256 of the raw token; the token is never stored
    prefix = pw.CharField(max_length=16)  # first characters, to recognise a token in listings
    name = pw.CharField(max_length=100, default="")
    scopes = pw.TextField()  # space-separated
    created_at = pw.DateTimeField(default=utcnow)
    expires_at = pw.DateTimeField(null=True)
    revoked_at = pw.DateTimeField(null=True)


class Model3D(BaseModel):
    """An uploaded model; its GLB lives in storage under `blob` (the stored file's SHA-256)."""

    id = _id_field()
    user = pw.ForeignKeyField(User, backref="models", on_delete="CASCADE")
    original_name = pw.CharField(max_length=255)
    title = pw.CharField(max_length=200, null=True)
    sku = pw.CharField(max_length=100, null=True)
    file_size = pw.BigIntegerField()
    sha256 = pw.CharField(max_length=64, index=True)  # of the file as uploaded (dedup, check-hash)
    blob = pw.CharField(max_length=64)  # of the stored GLB (differs for converted OBJ scans)
    archived = pw.BooleanField(default=False)
    broken = pw.BooleanField(default=False)
    broken_reason = pw.TextField(null=True)
    deleted_at = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=utcnow)
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "model"
        indexes = ((("user", "created_at"), False),)


# One live model per (user, file): concurrent uploads of the same file collapse into a duplicate.
Model3D.add_index(Model3D.index(Model3D.user, Model3D.sha256, unique=True, where=Model3D.deleted_at.is_null()))


class ModelTag(BaseModel):
    model = pw.ForeignKeyField(Model3D, backref="tag_rows", on_delete="CASCADE")
    tag = pw.CharField(max_length=50, index=True)

    class Meta:
        indexes = ((("model", "tag"), True),)


class Overlay(BaseModel):
    id = _id_field()
    user = pw.ForeignKeyField(User, backref="overlays", null=True, on_delete="CASCADE")  # null: system overlay
    is_system = pw.BooleanField(default=False)
    layer = pw.CharField(max_length=16, default="background")
    name = pw.CharField(max_length=100, default="")
    description = pw.CharField(max_length=500, default="")
    alignment = pw.CharField(max_length=16, default="top-left")
    mime = pw.CharField(max_length=32)
    blob = pw.CharField(max_length=80)  # file name in storage: <sha256><ext>
    file_size = pw.IntegerField()
    width = pw.IntegerField()
    height = pw.IntegerField()
    created_at = pw.DateTimeField(default=utcnow)


class Render(BaseModel):
    id = _id_field()
    user = pw.ForeignKeyField(User, backref="renders", on_delete="CASCADE")
    model = pw.ForeignKeyField(Model3D, backref="renders", on_delete="CASCADE")
    status = pw.CharField(max_length=20, default="pending", index=True)
    settings = JSONField()  # the full, validated renderSettings
    credits = pw.IntegerField(default=0)  # what was charged (returned if the render ends in error)
    is_system_preview = pw.BooleanField(default=False)
    overlay_files = JSONField(null=True)  # {"bgImageId": path, …}: the overlay images the settings name
    video_name = pw.CharField(max_length=32, null=True)  # file name of the main output in the render folder
    file_size = pw.BigIntegerField(null=True)
    error_message = pw.TextField(null=True)
    progress = pw.FloatField(default=0.0)
    attempts = pw.IntegerField(default=0)
    claimed_by = pw.CharField(max_length=120, null=True)  # "host:pid" of the worker rendering it
    heartbeat_at = pw.DateTimeField(null=True)
    started_at = pw.DateTimeField(null=True)  # the last claim: render seconds = updated_at - started_at when done
    created_at = pw.DateTimeField(default=utcnow)
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "created_at"), False), (("claimed_by", "status"), False))


class LedgerEntry(BaseModel):
    """One credit movement. `balance` is the account's balance right after it."""

    user = pw.ForeignKeyField(User, backref="ledger", on_delete="CASCADE")
    delta = pw.IntegerField()
    balance = pw.IntegerField()
    reason = pw.CharField(max_length=16)  # signup | render | refund | grant
    render_id = pw.CharField(max_length=ID_LENGTH, null=True)  # kept after the render is deleted
    note = pw.TextField(default="")
    created_at = pw.DateTimeField(default=utcnow)


class WorkerBeat(BaseModel):
    """A worker host's sweeper, alive while `beat_at` is fresh (written every heartbeat)."""

    host = pw.CharField(max_length=120, primary_key=True)
    queues = pw.CharField(max_length=100, default="")
    pid = pw.IntegerField(default=0)
    started_at = pw.DateTimeField(default=utcnow)
    beat_at = pw.DateTimeField(default=utcnow, index=True)


ALL_MODELS = [User, Token, Model3D, ModelTag, Overlay, Render, LedgerEntry, WorkerBeat]

