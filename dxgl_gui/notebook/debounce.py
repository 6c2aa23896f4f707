"""Coalesce bursts of calls (a slider dragged, settings typed) into one, on the kernel's event loop.

Widget callbacks and the kernel's timers both run on the kernel's main thread, which also holds
the engine's GL context, so the delayed call may render. Outside an event loop (a script, a test)
there is nothing to wait on: the call runs at once.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Callable

log = logging.getLogger(__name__)


class Debouncer:
    """`schedule()` runs `fn` once, `delay` seconds after the last of a burst of calls."""

    def __init__(self, fn: Callable[[], None], delay: float):
        self.fn = fn
        self.delay = delay
        self._handle: asyncio.TimerHandle | None = None

    @property
    def pending(self) -> bool:
        return self._handle is not None

    def schedule(self) -> None:
        self.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.fn()
            return
        self._handle = loop.call_later(self.delay, self._fire)

    def flush(self) -> None:
        """Run a pending call now (e.g. before reading what it produces in the same cell)."""
        if self._handle is not None:
            self.cancel()
            self.fn()

    def _fire(self) -> None:
        try:
            self.flush()
        except Exception:  # a timer callback has no caller to report to
            log.exception("debounced update failed")

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
