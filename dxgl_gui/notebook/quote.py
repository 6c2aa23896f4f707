"""Credit quotes: from the engine's price table (`credits_for`, what every server charges), or from
a server's /v1/quote through `dxgl_api.client`, which also says whether the balance suffices.

`QuotePanel` shows the cost of the current settings and of a list of settings (a batch); the local
figure follows every change at once, the server's (a network call) once the edits pause.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from html import escape
from typing import Any, Iterable

import ipywidgets as W

from dxgl_engine import Settings
from dxgl_engine import settings as settings_mod

from ..field_labels import credits_text
from .debounce import Debouncer
from .fields import ERROR_COLOR
from .form import as_settings

log = logging.getLogger(__name__)

LOCAL = "local price table"
REMOTE_DEBOUNCE_S = 0.4


@dataclass(frozen=True)
class Quote:
    """What a list of renders costs; `available`/`sufficient` only where a server answered."""

    credits: int
    breakdown: list[dict] = field(default_factory=list)
    available: int | None = None
    sufficient: bool | None = None
    source: str = LOCAL

    @classmethod
    def from_server(cls, data: dict, source: str) -> "Quote":
        return cls(data["creditsRequired"], list(data.get("breakdown", [])), data.get("creditsAvailable"),
                   data.get("sufficient"), source)  # fmt: skip

    def verdict(self) -> str:
        if self.sufficient is None:
            return f"prices from the {self.source}; no balance known"
        mark = "✓ the balance suffices" if self.sufficient else "✗ not enough credits"
        return f"{mark}: {self.available} available, from {self.source}"

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{i + 1}</td><td>{escape(_item_label(b))}</td><td>{b['credits']}</td></tr>"
                       for i, b in enumerate(self.breakdown))  # fmt: skip
        return (f"<b>{credits_text(self.credits)}</b> for {len(self.breakdown)} render(s): {escape(self.verdict())}"
                f"<table><tr><th>#</th><th>priced by</th><th>credits</th></tr>{rows}</table>")


def _item_label(item: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in item.items() if k != "credits")


def render_json(value: Any) -> dict:
    """renderSettings JSON from JSON, Settings or a widget (validated by the engine)."""
    return as_settings(value).to_json()


def quote(items: Iterable[Any], client: Any = None) -> Quote:
    """The cost of renders (each JSON, Settings or a widget): from the engine's price table, or
    from the server behind `client` (a dxgl_api.client.Client) with the account's balance."""
    payload = [render_json(item) for item in items]
    if client is None:
        total, breakdown = settings_mod.credits_for(payload)
        return Quote(total, breakdown)
    return Quote.from_server(client.quote(payload), client.base_url)


def describe(settings: Settings) -> str:
    """What the price buys: size and frames, or views."""
    if settings.is_dataset:
        tier = settings.dataset_tier
        return f"dataset of {tier.views} views at {tier.size}×{tier.size}"
    w, h = settings.size
    return f"{settings.quality} video {w}×{h}, {settings.frame_count} frames ({settings.length:g} s)"


class QuotePanel:
    """The cost of `settings` and of `batch` (renderSettings JSON), local or from `client`."""

    def __init__(self, settings: Settings, client: Any = None):
        self.settings = settings
        self.batch: list[dict] = []
        self.client = client
        self.current = quote([settings])
        self.total: Quote | None = None
        self.error: str | None = None
        self.html = W.HTML()
        self.widget = W.VBox([self.html], layout=W.Layout(border="1px solid #ddd", padding="4px 8px"))
        self._remote = Debouncer(self.refresh_remote, REMOTE_DEBOUNCE_S)
        self._draw()

    @property
    def pending(self) -> bool:
        return self._remote.pending

    def update(self, settings: Settings | None = None) -> None:
        """Re-quote: locally now, from the server once the edits pause."""
        if settings is not None:
            self.settings = settings
        self.current = quote([self.settings])
        self.total = quote(self.batch) if self.batch else None
        self._draw()
        if self.client is not None:
            self._remote.schedule()

    def flush(self) -> None:
        self._remote.flush()

    def refresh_remote(self) -> None:
        """Ask the server now; on any failure keep the local prices and say why."""
        try:
            self.current = quote([self.settings], self.client)
            self.total = quote(self.batch, self.client) if self.batch else None
            self.error = None
        except Exception as err:  # the server's ApiError or a network failure: shown, never raised into the widget
            log.warning("quote from %s failed: %s", getattr(self.client, "base_url", "?"), err)
            self.error = f"{type(err).__name__}: {err}"
        self._draw()

    def _draw(self) -> None:
        lines = [f"<b>This render: {credits_text(self.current.credits)}</b> ({escape(describe(self.settings))})"]
        if self.total is not None:
            lines.append(f"<b>Batch of {len(self.batch)}: {credits_text(self.total.credits)}</b> "
                         f"({escape(', '.join(_item_label(b) for b in self.total.breakdown))})")  # fmt: skip
        lines.append(f"<small>{escape((self.total or self.current).verdict())}</small>")
        if self.error:
            lines.append(f'<small style="color:{ERROR_COLOR}">server quote failed, local prices shown: '
                         f"{escape(self.error)}</small>")  # fmt: skip
        self.html.value = "<br>".join(lines)
