"""The engine's progress callbacks (phase, fraction) as a tqdm bar: the notebook's own bar in a
kernel with ipywidgets, a text bar elsewhere (`tqdm.auto` decides)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from tqdm.auto import tqdm

ProgressFn = Callable[[str, float], None]


@contextmanager
def phase_bar(desc: str, total: int, unit: str, main_phase: str, *, enabled: bool = True) -> Iterator[ProgressFn]:
    """A bar of `total` `unit`s driven by `main_phase`'s fraction (frames, views); the other phases
    (posters, encoding) show as its postfix."""
    with tqdm(total=total, desc=desc, unit=unit, disable=not enabled) as bar:
        shown = [""]

        def report(phase: str, fraction: float) -> None:
            if phase != shown[0]:
                shown[0] = phase
                bar.set_postfix_str(phase, refresh=False)
            if phase == main_phase:
                bar.update(round(fraction * total) - bar.n)
            elif phase == "done" or (phase == "encoding" and fraction >= 1.0):
                bar.update(total - bar.n)

        yield report
