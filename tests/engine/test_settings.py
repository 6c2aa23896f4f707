"""The one settings model: defaults, ranges, enums and prices as the API reference states them."""
import dataclasses

import pytest

from dxgl_engine.errors import InvalidSettings
from dxgl_engine.settings import FIELDS, FIELDS_BY_KEY, Settings, credits_for, field_applies
from dxgl_engine.tiers import ASPECTS, DATASET_TIERS, TIERS, output_size


def test_dataclass_defaults_match_field_table():
    s = Settings()
    attrs = {f.name for f in dataclasses.fields(Settings)}
    assert attrs == {f.attr for f in FIELDS}
    for spec in FIELDS:
        assert getattr(s, spec.attr) == spec.default, spec.key


def test_reference_defaults():
    s = Settings.from_json({})
    assert (s.quality, s.effect, s.aspect, s.bg_color, s.length) == ("share", "turntable", "16:9", "#ffffff", 6.0)
    assert (s.shadows, s.reflector, s.easing, s.zoom, s.bg_align) == (True, False, True, 1.0, "top-left")
    assert (s.ease_out_ratio, s.amplitude, s.zoom_start, s.zoom_end, s.scale_from) == (0.6, 60.0, 1.0, 0.7, 0.0)
    assert s.frame_count == 180 and s.size == (960, 540) and s.credits == 1


@pytest.mark.parametrize(
    "quality,aspect,size",
    [
        ("share", "16:9", (960, 540)), ("share", "1:1", (540, 540)), ("share", "9:16", (540, 960)),
        ("standard", "16:9", (1920, 1080)), ("standard", "9:16", (1080, 1920)),
        ("4k", "16:9", (3840, 2160)), ("4k", "1:1", (2160, 2160)), ("pro", "9:16", (2160, 3840)),
    ],
)  # fmt: skip
def test_tier_sizes(quality, aspect, size):
    assert Settings.from_json({"quality": quality, "aspect": aspect}).size == size
    assert output_size(TIERS[quality].short_side, aspect) == size


def test_prices_and_quote():
    assert {k: t.credits for k, t in TIERS.items()} == {"share": 1, "standard": 4, "4k": 16, "pro": 64}
    assert {k: t.credits for k, t in DATASET_TIERS.items()} == {"100x800": 4, "196x1024": 16, "400x2048": 64}
    total, breakdown = credits_for(
        [{"quality": "standard"}, {"quality": "4k"}, {"output": "dataset", "datasetQuality": "196x1024"}]
    )
    assert total == 36
    assert breakdown == [
        {"quality": "standard", "credits": 4},
        {"quality": "4k", "credits": 16},
        {"datasetQuality": "196x1024", "credits": 16},
    ]
    assert Settings.from_json({"effect": "dataset"}).credits == 4


@pytest.mark.parametrize("length,frames", [(3, 90), (4.7, 141), (6, 180), (30, 900), (3.01, 90)])
def test_frame_count_is_round_length_times_30(length, frames):
    assert Settings.from_json({"length": length}).frame_count == frames


@pytest.mark.parametrize(
    "data,field,fragment",
    [
        ({"colour": "#fff"}, "colour", "unknown setting 'colour'"),
        ({"length": 2.9}, "length", "3 to 30"),
        ({"length": 31}, "length", "3 to 30"),
        ({"length": "6"}, "length", "must be a number"),
        ({"rotateY": 181}, "rotateY", "-180 to 180"),
        ({"rotateY": 10.5}, "rotateY", "whole number"),
        ({"tiltX": -91}, "tiltX", "-90 to 90"),
        ({"zoom": 0.4}, "zoom", "0.5 to 2"),
        ({"sweepAngle": 5}, "sweepAngle", "10 to 1080"),
        ({"amplitude": 181}, "amplitude", "5 to 180"),
        ({"vignette": 1.5}, "vignette", "0 to 1"),
        ({"quality": "8k"}, "quality", "share, standard, 4k, pro"),
        ({"aspect": "4:3"}, "aspect", "16:9, 1:1, 9:16"),
        ({"bgColor": "#fff"}, "bgColor", "6-digit hex"),
        ({"bgColor": "ffffff"}, "bgColor", "6-digit hex"),
        ({"shadows": "yes"}, "shadows", "true or false"),
        ({"easing": 1}, "easing", "true or false"),
        ({"zoom": True}, "zoom", "must be a number"),
        ({"bgAlign": "middle"}, "bgAlign", "top-left"),
        ({"datasetQuality": "50x512"}, "datasetQuality", "100x800"),
        ({"coverage": "cube"}, "coverage", "hemisphere, sphere"),
        ({"length": float("nan")}, "length", "must be a number"),
    ],
)
def test_invalid_values_name_field_and_range(data, field, fragment):
    with pytest.raises(InvalidSettings, match=fragment) as err:
        Settings.from_json(data)
    assert err.value.field == field
    assert err.value.code == "invalid_settings"
    assert field in str(err.value)


def test_admin_length_limit():
    assert Settings.from_json({"length": 600}, max_length=600).frame_count == 18000
    with pytest.raises(InvalidSettings, match="3 to 30"):
        Settings.from_json({"length": 31})


def test_null_means_default_and_roundtrip():
    s = Settings.from_json({"animation": None, "length": None, "aspect": "1:1"})
    assert s.animation is None and s.length == 6.0
    assert s.to_json() == {"aspect": "1:1"}
    full = s.to_json(full=True)
    assert Settings.from_json(full) == s
    assert set(full) <= set(FIELDS_BY_KEY)


def test_replace_validates():
    s = Settings().replace(quality="4k", bgColor="#000000")
    assert s.quality == "4k" and s.bg_color == "#000000"
    with pytest.raises(InvalidSettings):
        Settings().replace(zoom=9)


def test_effect_specific_fields():
    amp = FIELDS_BY_KEY["amplitude"]
    assert field_applies(amp, "showcase") and not field_applies(amp, "turntable")
    assert field_applies(FIELDS_BY_KEY["bgColor"], "reveal")
    assert set(ASPECTS) == {"16:9", "1:1", "9:16"}


def test_not_a_dict():
    with pytest.raises(InvalidSettings, match="JSON object"):
        Settings.from_json(["quality"])
