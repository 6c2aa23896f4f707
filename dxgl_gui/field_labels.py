"""How settings read to a person, shared by the desktop panel and the notebook widgets (no Qt,
no Jupyter here): field labels, choice labels with sizes and prices, credit counts, and the
values the engine picks itself for "auto" numbers."""
from __future__ import annotations

import re
from typing import Callable

from dxgl_engine import DATASET_TIERS, TIERS, FieldSpec, Settings, camera_paths

# Numbers whose default is "the engine decides": what the engine would use, shown while on auto.
AUTO_VALUES: dict[str, Callable[[Settings], float]] = {"sweepAngle": camera_paths.sweep}
WORDS = {"bg": "background", "fg": "foreground", "id": "ID", "hdr": "HDR"}


def label_for(key: str) -> str:
    """'sweepAngle' -> 'Sweep angle', 'bgColor' -> 'Background color', 'rotateY' -> 'Rotate Y'."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", key).replace("_", " ").split()
    words = [WORDS.get(w.lower(), w if len(w) == 1 else w.lower()) for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def choice_label(spec: FieldSpec, choice: str) -> str:
    """Tier choices carry their size and price, so what a quality costs shows where it is chosen."""
    tiers, datasets = TIERS, DATASET_TIERS
    choices = set(spec.choices or ())
    if choices and choices <= set(tiers):
        tier = tiers[choice]
        return f"{choice} — {tier.label}, {tier.short_side}p · {credits_text(tier.credits)}"
    if choices and choices <= set(datasets):
        tier = datasets[choice]
        return f"{tier.views} views × {tier.size}px · {credits_text(tier.credits)}"
    return choice


def credits_text(n: int) -> str:
    return f"{n} credit" if n == 1 else f"{n} credits"
