"""Render statuses, as the reference names them, and the groups code asks about."""
from __future__ import annotations

PENDING = "pending"
POSTER_PROCESSING = "poster-processing"
POSTER_DONE = "poster-done"
VIDEO_PROCESSING = "video-processing"
DONE = "done"
ERROR = "error"
FAILED = "failed"  # an error the user dismissed

ALL = (PENDING, POSTER_PROCESSING, POSTER_DONE, VIDEO_PROCESSING, DONE, ERROR, FAILED)
ACTIVE = (POSTER_PROCESSING, POSTER_DONE, VIDEO_PROCESSING)
UNFINISHED = (PENDING, *ACTIVE)
TERMINAL = (DONE, ERROR, FAILED)
