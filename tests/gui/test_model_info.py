"""The model panel shows what the reader found, and its warnings."""
from __future__ import annotations

from dxgl_engine import load_model
from dxgl_engine.scene.info import model_info
from dxgl_gui.model_info import ModelInfoPanel, format_value

from .conftest import open_model


def test_model_panel_shows_the_readers_stats(window, qtbot, product_path):
    open_model(window, qtbot, product_path)
    stats = model_info(load_model(product_path))
    info = window.info
    assert info.title.text() == "product.glb"
    assert info.values["triangles"] == f"{stats['triangles']:,}"
    assert info.values["materials"] == str(stats["materials"])
    assert info.values["textures"] == str(stats["textures"])
    assert info.values["animations"] == "none"
    assert "min (" in info.values["bounds"] and "max (" in info.values["bounds"]
    assert info.warning_texts() == []


def test_warnings_and_animations_are_listed(window, qtbot, animated_path):
    open_model(window, qtbot, animated_path)
    info = window.info
    assert info.values["animations"] == "Spin (2 s), Bounce (2 s)"
    warnings = info.warning_texts()
    assert any("POINTS" in w and "skipped" in w for w in warnings)
    assert str(len(warnings)) in window.status_label.text()


def test_material_variants_are_listed(window, qtbot, variants_path, product_path):
    open_model(window, qtbot, variants_path)
    assert window.info.values["materialVariants"] == "Red, Blue"
    open_model(window, qtbot, product_path)
    assert window.info.values["materialVariants"] == "none"


def test_keys_the_engine_adds_later_are_shown(qtbot):
    panel = ModelInfoPanel()
    qtbot.addWidget(panel)
    panel.show_stats("x.glb", {"triangles": 12, "fancyNewCount": 3, "warnings": ["unsupported extension X"]})
    assert panel.values == {"triangles": "12", "fancyNewCount": "3"}
    assert panel.warning_texts() == ["unsupported extension X"]
    assert format_value("bounds", None) == "empty"
