"""Screenshots of the main window at 1280x800 with a model loaded, for a person to look at the
layout. They go to a temporary folder (or $DXGL_SCREENSHOTS), never into the repository; the
folder is printed and logged."""
from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from PIL import Image

from dxgl_engine.settings import Settings

from .conftest import open_model, wait_exact

log = logging.getLogger(__name__)


@pytest.fixture(scope="module")
def shots_dir(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("DXGL_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save(window, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    assert window.grab().save(str(path))
    print(f"screenshot: {path}")
    log.warning("screenshot saved: %s", path)
    return path


def test_main_window_screenshots(window, qtbot, product_path, animated_path, shots_dir):
    window.resize(1280, 800)
    open_model(window, qtbot, product_path)
    window.preview.seek(40)
    wait_exact(window, qtbot, index=40)
    first = save(window, shots_dir, "main-window-product")

    open_model(window, qtbot, animated_path)
    window.panel.set_settings(Settings.from_json({"effect": "hero-spin", "aspect": "9:16", "animation": "Spin",
                                                  "bgColor": "#dfe6ee", "quality": "standard"}))  # fmt: skip
    wait_exact(window, qtbot)
    second = save(window, shots_dir, "main-window-hero-spin-9x16")

    for path in (first, second):
        image = Image.open(path)
        assert image.size == (1280, 800)
        x, y, w, h = window.preview.canvas.native.geometry().getRect()
        centre = image.convert("RGB").getpixel((window.preview.mapTo(window, window.preview.rect().center()).x(),
                                                 window.preview.mapTo(window, window.preview.rect().center()).y()))
        assert centre != (0, 0, 0)  # the GL canvas was captured, not a black hole
