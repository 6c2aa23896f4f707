"""The engine's progress callbacks (stage, fraction) as a tqdm bar: the notebook's own bar in a
kernel with ipywidgets, a text bar elsewhere (`tqdm.auto` decides)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from tqdm.auto import tqdm

ProgressFn = Callable[[str, float], None]


@contextmanager
def stage_bar(desc: str, total: int, unit: str, main_stage: str, *, enabled: bool = True) -> Iterator[ProgressFn]:
    """A bar of `total` `unit`s driven by `main_stage`'s fraction (frames, views); the other stages
    (posters, encoding) show as its postfix."""
    with tqdm(total=total, desc=desc, unit=unit, disable=not enabled) as bar:
        shown = [""]

        def report(stage: str, fraction: float) -> None:
            if stage != shown[0]:
                shown[0] = stage
                bar.set_postfix_str(stage, refresh=False)
            if stage == main_stage:
                bar.update(round(fraction * total) - bar.n)
            elif stage == "done" or (stage == "encoding" and fraction >= 1.0):
                bar.update(total - bar.n)

        yield report
