"""The settings form: generated from the engine's FIELDS, effect-aware, validated by the engine."""
from __future__ import annotations


import ipywidgets as W
import pytest

from dxgl_engine.motion import camera_paths
from dxgl_engine import settings as settings_mod
from dxgl_engine.errors import InvalidSettings
from dxgl_engine.settings import EFFECTS, FIELDS, FieldSpec, Settings, field_applies
from dxgl_gui.notebook.form import SettingsForm

pytestmark = pytest.mark.gl


def test_every_setting_has_a_control_with_the_models_range_choices_and_default():
    form = SettingsForm()
    assert list(form.controls) == [spec.key for spec in FIELDS]
    for spec in FIELDS:
        control = form.controls[spec.key]
        assert control.value == spec.default, spec.key
        if spec.kind == "enum":
            assert [value for _, value in control.input.options] == list(spec.choices)
        elif spec.kind in ("number", "integer"):
            assert (control.input.min, control.input.max) == (spec.minimum, spec.maximum)
    assert form.settings == Settings() and form.settings.to_json() == {}


def test_quality_choices_carry_their_price():
    labels = dict((v, k) for k, v in SettingsForm().controls["quality"].input.options)
    assert "1 credit" in labels["share"] and "64 credits" in labels["pro"]


@pytest.mark.parametrize("effect", EFFECTS)
def test_effect_parameters_show_only_for_their_effect(widget, effect):
    widget.set(effect=effect)
    for spec in FIELDS:
        assert widget.form.controls[spec.key].visible == field_applies(spec, effect), (effect, spec.key)


def test_dataset_output_shows_the_dataset_parameters(widget):
    widget.set(output="dataset")
    controls = widget.form.controls
    assert controls["datasetQuality"].visible and controls["coverage"].visible
    assert not controls["sweepAngle"].visible


def test_settings_is_the_json_the_api_accepts(widget):
    schemas = pytest.importorskip("dxgl_api.schemas")
    controls = widget.form.controls
    controls["effect"].input.value = "zoom-orbit"
    controls["zoomEnd"].input.value = 0.5
    controls["bgColor"].input.value = "#102030"
    controls["shadows"].input.value = False
    controls["rotateY"].input.value = 45
    controls["exposure"].input.value = 1.5
    expected = {"effect": "zoom-orbit", "zoomEnd": 0.5, "bgColor": "#102030", "shadows": False, "rotateY": 45,
                "exposure": 1.5}
    assert widget.settings == expected
    assert schemas.RenderSettingsSchema().load(widget.settings) == expected
    assert Settings.from_json(widget.settings) == widget.value


def test_settings_can_be_loaded_and_invalid_ones_change_nothing(widget):
    widget.settings = {"effect": "hero-spin", "easeOutRatio": 0.6125, "quality": "4k"}
    assert widget.form.controls["easeOutRatio"].value == 0.6125  # the exact value, not the slider's step
    assert widget.settings == {"effect": "hero-spin", "easeOutRatio": 0.6125, "quality": "4k"}
    for bad, field in (({"zoom": 5}, "zoom"), ({"quality": "8k"}, "quality"), ({"glow": 1}, "glow"),
                       ({"bgColor": "#fff"}, "bgColor"), ({"rotateY": 1.5}, "rotateY")):  # fmt: skip
        with pytest.raises(InvalidSettings) as err:
            widget.settings = bad
        assert err.value.field == field
        assert widget.settings == {"effect": "hero-spin", "easeOutRatio": 0.6125, "quality": "4k"}
        assert widget.form.controls["quality"].value == "4k"


def test_a_refused_edit_shows_the_engines_message_and_goes_back(widget):
    widget.set(bgColor="#336699")
    color = widget.form.controls["bgColor"]
    color.input.value = "red"  # a colour the picker takes but the API does not
    assert widget.settings["bgColor"] == "#336699" and color.value == "#336699"
    assert "bgColor" in color.error.value and color.error.layout.display != "none"
    assert "Refused" in widget.form.message.value
    overlay = widget.form.controls["bgImageId"]
    overlay.input.value = "x" * 201
    assert "bgImageId" not in widget.settings and "200 characters" in overlay.error.value
    widget.form.controls["zoom"].input.value = 1.3  # the next valid edit clears the message
    assert widget.settings["zoom"] == 1.3 and widget.form.message.layout.display == "none"


def test_a_slider_cannot_leave_the_models_range(widget):
    widget.form.controls["zoom"].input.value = 5
    assert widget.settings["zoom"] == settings_mod.FIELDS_BY_KEY["zoom"].maximum


def test_an_animation_the_model_lacks_is_refused(widget):
    with pytest.raises(InvalidSettings, match="no animations"):
        widget.set(animation="walk")
    widget.form.controls["animation"].input.value = "walk"
    assert "animation" not in widget.settings
    assert "no animations" in widget.form.controls["animation"].error.value


def test_material_variants_are_offered_and_one_the_model_lacks_is_refused(variants_scene):
    from dxgl_gui.notebook import SettingsWidget

    widget = SettingsWidget(variants_scene)
    control = widget.form.controls["materialVariant"]
    assert list(control.input.options) == ["Red", "Blue"]
    with pytest.raises(InvalidSettings, match="materialVariant 'Green' is not in the model; its material variants "
                                              "are: 'Red', 'Blue'"):  # fmt: skip
        widget.set(materialVariant="Green")
    control.input.value = "Green"  # typed: any text may be, the engine judges it
    assert "materialVariant" not in widget.settings
    assert "its material variants are: &#x27;Red&#x27;, &#x27;Blue&#x27;" in control.error.value  # HTML-escaped
    control.input.value = "Blue"
    assert widget.settings == {"materialVariant": "Blue"} and widget.value.material_variant == "Blue"


def test_a_variant_asked_of_a_model_without_variants_is_refused(widget):
    assert list(widget.form.controls["materialVariant"].input.options) == []
    with pytest.raises(InvalidSettings, match="the model has no material variants"):
        widget.set(materialVariant="Red")
    assert "materialVariant" not in widget.settings


def test_auto_numbers_show_what_the_engine_would_use(widget):
    sweep = widget.form.controls["sweepAngle"]
    widget.set(effect="hero-spin")
    assert sweep.auto.value and sweep.input.disabled and "sweepAngle" not in widget.settings
    assert sweep.input.value == camera_paths.sweep(widget.value)
    sweep.auto.value = False
    sweep.input.value = 720
    assert widget.settings["sweepAngle"] == 720
    widget.settings = {}
    assert sweep.auto.value and "sweepAngle" not in widget.settings


def test_reset_goes_back_to_the_defaults(widget):
    widget.set(zoom=1.5, effect="reveal", scaleFrom=0.3)
    widget.form.reset_button.click()
    assert widget.settings == {}


def test_a_new_field_spec_appears_without_widget_code(extend_settings):
    """What happens when the lead adds settings: a ranged number (an extension), an effect-specific
    one, and a kind no control knows (edited as text, refused by the engine, never a crash)."""
    new = (
        FieldSpec("grain", "grain", "number", 0.0, "Film grain amount", 0, 1, extension=True),
        FieldSpec("spinRate", "spin_rate", "integer", 1, "Turns per video", 1, 4, effects=("turntable",)),
        FieldSpec("keyLight", "key_light", "vector3", None, "Key light direction", extension=True),
    )
    extend_settings(new)

    form = SettingsForm()
    grain, rate, key = (form.controls[s.key] for s in new)
    assert isinstance(grain.input, W.FloatSlider) and (grain.input.min, grain.input.max) == (0, 1)
    assert isinstance(rate.input, W.IntSlider) and rate.visible
    assert isinstance(key.input, W.Combobox)
    look_tab = form.widget.children[0].children[1]
    assert grain.box in look_tab.children and key.box in look_tab.children
    form.controls["effect"].input.value = "showcase"
    assert not rate.visible
    grain.input.value = 0.25
    assert form.settings.grain == 0.25 and form.settings.to_json()["grain"] == 0.25
    key.input.value = "[0, 1, 0]"  # the engine cannot validate this kind yet: refused, not a crash
    assert form.message.layout.display != "none" and form.settings.key_light is None
