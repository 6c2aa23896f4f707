"""Render jobs: what a worker does with a render, how its status moves, and how renders left
behind by a dead worker are recovered.

A job claims its renders (pending → claimed by "host:pid"), loads the model once and runs the
engine, mapping the pipeline's phases onto the reference's statuses:

    "poster" 0.0 → poster-processing, "poster" 1.0 → poster-done,
    "video"/"encoding" → video-processing, finished → done; any failure → error (credits returned).

While it works it writes a heartbeat. A render whose worker is gone (its heartbeat is stale, or
its process on this host no longer exists) goes back to pending and is queued again, or after
`max_attempts` claims is marked error with its credits returned.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import OrderedDict
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Iterable

import peewee as pw

from dxgl_engine import (
    ADMIN_MAX_LENGTH,
    Cancelled,
    DxglError,
    RenderFiles,
    Scene,
    Settings,
    VideoJob,
    export_dataset,
    load_glb_bytes,
    output_size,
    render_batch,
)

from . import config, credits, logs, queues, statuses, storage
from .db import connection, discard_connection, unavailable, write_transaction
from .tables import Model3D, Render, utcnow

log = logging.getLogger(__name__)

# What a queue backend raises when it cannot be reached: redis-py's errors and the OS's socket errors.
try:
    from redis.exceptions import RedisError as _RedisError
except ImportError:  # only the SQLite queue in this install
    _RedisError = OSError
QUEUE_ERRORS = (_RedisError, OSError)
DATABASE_ERRORS = (pw.OperationalError, pw.InterfaceError)

ORPHANED = "rendering was interrupted {n} times (the worker stopped); credits returned"


# --- queueing ----------------------------------------------------------------------------------
def enqueue(renders: Iterable[Render]) -> None:
    """Queue new renders: previews on their own lane, paid renders in one job per model.

    The database is the record of what must be rendered; the queue only says who does it next.
    So a queue that cannot be reached (Redis restarting) fails nothing here: the renders stay
    pending and the sweeper (`recover(requeue_lost=True)`) queues them once the queue answers."""
    renders = list(renders)
    lanes = [(preview_task, [r for r in renders if r.is_system_preview]),
             (render_task, [r for r in renders if not r.is_system_preview])]
    for task, rows in lanes:
        for group in group_by_model(rows):
            try:
                task(group)
            except QUEUE_ERRORS as err:
                if config.active().immediate:  # jobs run in the caller: their failures are real ones
                    raise
                log.warning("queue unreachable (%s: %s); renders %s stay pending until the sweeper queues them",
                            type(err).__name__, err, group)


def group_by_model(renders: Iterable[Render]) -> list[list[str]]:
    """Render ids grouped per model, in order: one job renders a model's items together (the
    engine's render-once-encode-many batch call will take such a group whole)."""
    groups: OrderedDict[str, list[str]] = OrderedDict()
    for r in renders:
        groups.setdefault(r.model_id, []).append(r.id)
    return list(groups.values())


@queues.previews.task(name="preview")
def preview_task(render_ids: list[str]) -> None:
    run_job(render_ids)


@queues.renders.task(name="render")
def render_task(render_ids: list[str]) -> None:
    run_job(render_ids)


@queues.previews.on_startup("gl")
@queues.renders.on_startup("gl")
def open_gl_context() -> None:
    """Each worker process makes its headless GL context once, before its first job."""
    from dxgl_engine import offscreen_context

    offscreen_context()


# --- one job -----------------------------------------------------------------------------------
def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_job(render_ids: list[str]) -> None:
    """Claim what is still pending of `render_ids` (all for one model) and render it."""
    me = worker_identity()
    try:
        with logs.job_context(render_ids), connection():
            _run_job(render_ids, me)
    except DATABASE_ERRORS as err:
        # Taken off the queue while the database is down: the renders stay pending (or claimed,
        # then orphaned) and the sweeper queues them again once the database answers.
        if unavailable(err):
            log.warning("job %s dropped, the database is unavailable (%s); the sweeper will queue it again",
                        render_ids, str(err).strip().splitlines()[:1])
        else:  # a schema behind the code (serve and worker migrate at start): a bug to see in the log
            log.exception("job %s: a database error a retry will repeat", render_ids)
        discard_connection()


def _run_job(render_ids: list[str], me: str) -> None:
    claimed = [rid for rid in render_ids if claim(rid, me)]
    if not claimed:
        return
    by_id = {r.id: r for r in Render.select().where(Render.id.in_(claimed))}
    renders = [by_id[rid] for rid in claimed if rid in by_id]
    with Heartbeat(claimed, me):
        try:
            scene = load_scene(renders[0].model)
        except (DxglError, OSError) as err:
            for r in renders:
                fail(r, f"the model cannot be read: {err}")
            return
        try:
            render_group(scene, renders, me)
        except DATABASE_ERRORS as err:
            if unavailable(err):  # not the render's fault: left claimed, recovery retries it
                raise
            log.exception("render job %s failed", claimed)
            for r in renders:
                fail(r, "internal error while rendering")
        except Exception:  # a bug: never leave a claimed render behind
            log.exception("render job %s failed", claimed)
            for r in renders:
                fail(r, "internal error while rendering")
        except BaseException:  # the worker is being stopped: hand the renders back untouched
            _hand_back(renders, me)
            raise


def claim(render_id: str, me: str) -> bool:
    return bool(
        Render.update(claimed_by=me, heartbeat_at=utcnow(), started_at=utcnow(), attempts=Render.attempts + 1)
        .where((Render.id == render_id) & (Render.status == statuses.PENDING) & Render.claimed_by.is_null())
        .execute()
    )


def load_scene(model: Model3D) -> Scene:
    path = storage.blob_path(model.blob)
    if not path.is_file():
        raise DxglError("model file not found in storage")
    return load_glb_bytes(path.read_bytes(), model.original_name)


def render_group(scene: Scene, renders: list[Render], me: str) -> None:
    """A model's renders: datasets one by one, videos as one engine batch (frames drawn once for
    the renders that differ only in tier and backdrop, each encoded on its own)."""
    videos: list[tuple[Render, VideoJob, Tracker]] = []
    for render in renders:
        tracker = Tracker(render.id, me)
        try:
            settings = Settings.from_json(render.settings, max_length=ADMIN_MAX_LENGTH)  # checked at request time
        except DxglError as err:
            fail(render, str(err))
            continue
        if settings.is_dataset:
            work = partial(export_dataset, scene, settings, _output(render), files=files_of(render),
                           progress=tracker.progress, cancel=tracker.cancel)
            result = _attempt([render], work)
            if result is not None:
                finish(render, result.path)
            continue
        size = preview_size(settings) if render.is_system_preview else None
        videos.append((render, VideoJob(settings, _output(render), files_of(render), size), tracker))
    if not videos:
        return
    trackers = [t for _, _, t in videos]
    work = partial(render_batch, scene, [job for _, job, _ in videos],
                   progress=lambda i, phase, fraction: trackers[i].progress(phase, fraction),
                   cancel=AllCancelled(trackers))  # a deleted render's files are dropped when the batch ends
    results = _attempt([r for r, _, _ in videos], work)
    for (render, _, _), result in zip(videos, results or []):
        finish(render, result.paths.video)


def _output(render: Render) -> Path:
    return storage.render_dir(render.id) / render.video_name


def _attempt(renders: list[Render], work):
    """Run an engine call for these renders; on failure record how it ended and return None.
    Logs "engine run: ID ID…" as it starts (what operators and the multi-host test count)."""
    log.info("engine run: %s", " ".join(r.id for r in renders))
    try:
        return work()
    except Cancelled:
        for r in renders:
            log.info("render %s cancelled (deleted while rendering)", r.id)
            _drop_files_if_deleted(r.id)
    except DxglError as err:
        for r in renders:
            fail(r, str(err))
    except OSError as err:  # storage unwritable or full: the render ends, its credits come back
        for r in renders:
            _remove_partial(r.id)
            fail(r, f"the output could not be written to storage ({err.strerror or type(err).__name__})")
    except Exception as err:
        log.exception("renders %s failed", [r.id for r in renders])
        for r in renders:
            fail(r, f"internal error while rendering ({type(err).__name__})")
    return None  # (a BaseException, the worker stopping, propagates: run_job hands the renders back)


def _remove_partial(render_id: str) -> None:
    try:
        storage.remove_partial_outputs(render_id)
    except OSError:  # the storage that failed the render may refuse this too; nothing was finished
        log.warning("render %s: partial outputs could not be removed", render_id)


class AllCancelled:
    """Cancels a shared batch only when every render in it was cancelled (deleted)."""

    def __init__(self, trackers: list["Tracker"]):
        self.trackers = trackers

    def is_set(self) -> bool:
        return all(t.cancel.is_set() for t in self.trackers)


def files_of(render: Render) -> RenderFiles:
    """The overlay images the render's settings name, as files for the engine."""
    files = render.overlay_files or {}
    return RenderFiles(background_image=files.get("bgImageId"), foreground_image=files.get("fgImageId"))


def preview_size(settings: Settings) -> tuple[int, int]:
    return output_size(config.active().preview_short_side, settings.aspect)


def preview_settings(settings: Settings) -> Settings:
    """The free system preview of an upload: short, small, in the requested aspect and colour."""
    return Settings.from_json({"quality": "share", "length": config.active().preview_length,
                               "aspect": settings.aspect, "bgColor": settings.bg_color})


# --- status moves ------------------------------------------------------------------------------
def phase_status(phase: str, fraction: float) -> str | None:
    if phase == "poster":
        return statuses.POSTER_DONE if fraction >= 1.0 else statuses.POSTER_PROCESSING
    if phase in ("video", "encoding"):
        return statuses.VIDEO_PROCESSING
    return None


def phase_progress(phase: str, fraction: float) -> float:
    start, span = {"poster": (0.0, 0.05), "video": (0.05, 0.85), "encoding": (0.9, 0.1)}.get(phase, (1.0, 0.0))
    return round(start + span * max(0.0, min(1.0, fraction)), 4)


class Heartbeat:
    """Keeps a job's claims fresh from a side thread while the job runs, so that a long model load,
    frame or encode never looks like a dead worker to another host's recovery sweep."""

    def __init__(self, render_ids: list[str], me: str):
        self.render_ids = render_ids
        self.me = me
        self.interval = max(0.05, config.active().heartbeat_s)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="dxgl-heartbeat", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()

    def _run(self) -> None:
        while not self.stop.wait(self.interval):
            try:
                with connection():
                    Render.update(heartbeat_at=utcnow()).where(
                        Render.id.in_(self.render_ids) & (Render.claimed_by == self.me)
                        & Render.status.in_(statuses.UNFINISHED)).execute()
            except Exception as err:  # a busy or unreachable database: try again next beat
                log.warning("heartbeat of %s failed: %s", self.render_ids, str(err).strip().splitlines()[:1])
                discard_connection()


class Tracker:
    """Turns the pipeline's progress events into status and progress writes, and cancels the render
    when its row is gone (deleted) or no longer ours (taken over by recovery)."""

    def __init__(self, render_id: str, me: str):
        self.render_id = render_id
        self.me = me
        self.cancel = threading.Event()
        self.status: str | None = None
        self.interval = config.active().heartbeat_s
        self.last_write = 0.0

    def progress(self, phase: str, fraction: float) -> None:
        status = phase_status(phase, fraction) or self.status
        now = time.monotonic()
        if status != self.status or now - self.last_write >= self.interval:
            self.write(status, phase_progress(phase, fraction))
            self.last_write = now

    def write(self, status: str | None, progress: float) -> None:
        changes = {Render.heartbeat_at: utcnow(), Render.progress: progress}
        written = self.status
        if status != self.status:
            changes.update({Render.status: status, Render.updated_at: utcnow()})
            self.status = status
        mine = (Render.id == self.render_id) & (Render.claimed_by == self.me)
        try:
            updated = Render.update(changes).where(mine & Render.status.not_in(statuses.TERMINAL)).execute()
        except DATABASE_ERRORS as err:
            if not unavailable(err):
                raise
            # The database is restarting: keep rendering (the work is not lost); the next event writes
            # again, and the status catches up then. Past DXGL_STALE_AFTER of silence recovery retries it.
            log.warning("render %s: progress not recorded (database unavailable: %s)", self.render_id,
                        str(err).strip().splitlines()[:1])
            discard_connection()
            self.status = written
            return
        if not updated:
            self.cancel.set()  # deleted, or taken over by recovery


def finish(render: Render, video: Path) -> None:
    done = (
        Render.update(status=statuses.DONE, file_size=video.stat().st_size, progress=1.0, claimed_by=None,
                      error_message=None, updated_at=utcnow())
        .where((Render.id == render.id) & Render.status.not_in(statuses.TERMINAL))
        .execute()
    )
    if not done:
        _drop_files_if_deleted(render.id)


def fail(render: Render, message: str) -> bool:
    """Mark a render error with `message`, return its credits and, for a system preview, mark the
    model broken. False when the render had already finished (or is gone)."""
    message = (message or "render failed")[:2000]
    with write_transaction():
        changed = (
            Render.update(status=statuses.ERROR, error_message=message, claimed_by=None, updated_at=utcnow())
            .where((Render.id == render.id) & Render.status.not_in(statuses.TERMINAL))
            .execute()
        )
        if not changed:
            return False
        if render.credits:
            credits.refund(render.user_id, render.id, render.credits, f"ended in error ({message[:200]})")
        if render.is_system_preview:
            Model3D.update(broken=True, broken_reason=message).where(Model3D.id == render.model_id).execute()
    log.warning("render %s: error: %s", render.id, message)
    return True


def _hand_back(renders: list[Render], me: str) -> None:
    """Back to pending without spending an attempt, queued again (or found by the start-up sweep)."""
    ids = [r.id for r in renders]
    try:
        Render.update(status=statuses.PENDING, claimed_by=None, heartbeat_at=None, progress=0.0,
                      attempts=Render.attempts - 1).where(
            Render.id.in_(ids) & (Render.claimed_by == me) & Render.status.in_(statuses.UNFINISHED)).execute()
        for render_id in ids:
            storage.remove_partial_outputs(render_id)
        enqueue(Render.select().where(Render.id.in_(ids) & (Render.status == statuses.PENDING)))
    except Exception:
        log.exception("could not hand back renders %s; the start-up sweep will", ids)


def _drop_files_if_deleted(render_id: str) -> None:
    if not Render.select().where(Render.id == render_id).exists():
        storage.delete_render_files(render_id)


# --- recovery ----------------------------------------------------------------------------------
def recover(*, requeue_lost: bool = False, lost_grace: float = 0.0) -> dict[str, list[str]]:
    """Retry or fail renders whose worker is gone; with `requeue_lost` also queue pending renders
    that no queue holds and that are older than `lost_grace` seconds (the reconciliation of queue
    and database that the sweeper runs at start-up and every heartbeat)."""
    cfg = config.active()
    stale_before = utcnow() - timedelta(seconds=cfg.stale_after_s)
    host = socket.gethostname()
    retry: list[Render] = []
    failed: list[str] = []
    claimed = Render.select().where(Render.claimed_by.is_null(False) & Render.status.in_(statuses.UNFINISHED))
    for render in claimed:
        if not _orphaned(render, host, stale_before):
            continue
        if render.attempts < cfg.max_attempts:
            if _release(render):
                retry.append(render)
        elif fail(render, ORPHANED.format(n=render.attempts)):
            failed.append(render.id)
    if requeue_lost:
        # Pending and unclaimed, yet in no queue: lost between commit and enqueue, dropped by a queue
        # that restarted empty, or taken off the queue by a worker that could not reach the database.
        # A render younger than `lost_grace` may be on its way into the queue right now; queueing it
        # twice would be harmless (the claim is atomic) but is avoided.
        queued = queues.queued_render_ids()
        settled = utcnow() - timedelta(seconds=lost_grace)
        lost = Render.select().where(Render.claimed_by.is_null() & (Render.status == statuses.PENDING)
                                     & (Render.updated_at <= settled))
        retry.extend(r for r in lost if r.id not in queued)
    if retry or failed:
        log.warning("recovered renders: retried %s, failed %s", [r.id for r in retry], failed)
    enqueue(retry)
    return {"retried": [r.id for r in retry], "failed": failed}


def _orphaned(render: Render, host: str, stale_before) -> bool:
    if render.heartbeat_at is None or render.heartbeat_at < stale_before:
        return True
    claim_host, _, pid = render.claimed_by.rpartition(":")
    return claim_host == host and pid.isdigit() and not _process_alive(int(pid))


def _process_alive(pid: int) -> bool:
    """Whether `pid` runs on this host; a zombie (killed, not yet reaped) counts as dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _release(render: Render) -> bool:
    released = (
        Render.update(status=statuses.PENDING, claimed_by=None, heartbeat_at=None, progress=0.0, updated_at=utcnow())
        .where((Render.id == render.id) & (Render.claimed_by == render.claimed_by)
               & Render.status.in_(statuses.UNFINISHED))
        .execute()
    )
    if released:
        storage.remove_partial_outputs(render.id)
    return bool(released)
