"""KHR_materials_variants: variants and mappings read (and refused when broken), the `materialVariant`
setting checked against the model, and the variant's materials in what is rendered and in `dxgl info`."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest
from PIL import Image

from dxgl_engine import check_model_settings, names_model_parts, resolve_material_variant, with_material_variant
from dxgl_engine.errors import InvalidFormat, InvalidSettings
from dxgl_engine.load.formats import load_glb_bytes, load_model
from dxgl_engine.load.gltf.extensions import SUPPORTED_EXTENSIONS
from dxgl_engine.motion import camera_paths
from dxgl_engine.pipeline.jobs import frame_key
from dxgl_engine.pipeline.timeline import Timeline
from dxgl_engine.pipeline.video import render_video
from dxgl_engine.scene.info import model_info
from dxgl_engine.settings import Settings
from tests.engine.test_cli import run
from tests.gltf_builder import MATERIALS_VARIANTS, GltfBuilder, cube_corners, quad, variant_cube

EXT = MATERIALS_VARIANTS
PRIM = f"meshes[0].primitives[0].extensions.{EXT}"
BG = (255, 255, 255)


def load(b: GltfBuilder):
    return load_glb_bytes(b.glb(), "variants.glb")


# -- reading -------------------------------------------------------------------------------------


def test_variants_and_mappings_are_read():
    scene = load(variant_cube())
    assert EXT in SUPPORTED_EXTENSIONS
    assert scene.material_variants == ["Red", "Blue"]
    cube, slab = scene.meshes[0].primitives
    assert (cube.material, cube.variant_materials) == (0, {0: 1, 1: 2})
    assert (slab.material, slab.variant_materials) == (0, {})
    assert scene.warnings == []  # the extension is known: no "dxgl ignores" warning
    assert model_info(scene)["materialVariants"] == ["Red", "Blue"]


def test_a_model_may_require_the_extension():
    b = variant_cube()
    b.use_extension(EXT, required=True)
    assert load(b).extensions_required == [EXT]


def test_a_variant_maps_several_variants_and_leaves_others_to_the_default():
    b = variant_cube(names=("Red", "Crimson", "Grey"), mappings=[{"material": 1, "variants": [1, 0]}])
    cube = load(b).meshes[0].primitives[0]
    assert cube.variant_materials == {0: 1, 1: 1}


def test_models_without_the_extension_have_no_variants():
    b = GltfBuilder()
    b.simple_model(*cube_corners())
    scene = load(b)
    assert scene.material_variants == [] and scene.meshes[0].primitives[0].variant_materials == {}
    assert model_info(scene)["materialVariants"] == []


def _mapping(m: dict) -> dict:
    return {"material": 1, "variants": [0], **m}


@pytest.mark.parametrize("edit, message", [
    (lambda g, p: p.update(mappings=[_mapping({"material": 3})]),
     f"{PRIM}.mappings[0].material: material 3 does not exist (the model has 3 materials)"),
    (lambda g, p: p.update(mappings=[_mapping({}), _mapping({"variants": [2]})]),
     f"{PRIM}.mappings[1].variants[0]: variant 2 does not exist (the model has 2 variants)"),
    (lambda g, p: p.update(mappings=[_mapping({"variants": [-1]})]),
     f"{PRIM}.mappings[0].variants[0]: must be >= 0, not -1"),
    (lambda g, p: p.update(mappings=[_mapping({"variants": ["0"]})]),
     f"{PRIM}.mappings[0].variants[0]: must be an integer, not '0'"),
    (lambda g, p: p.update(mappings=[_mapping({"variants": 0})]),
     f"{PRIM}.mappings[0].variants: must be an array, not int"),
    (lambda g, p: p.update(mappings=[{"variants": [0]}]), f"{PRIM}.mappings[0]: missing required 'material'"),
    (lambda g, p: p.update(mappings=[{"material": 1}]), f"{PRIM}.mappings[0]: missing required 'variants'"),
    (lambda g, p: p.update(mappings={"material": 1}), f"{PRIM}.mappings: must be an array, not dict"),
    (lambda g, p: p.update(mappings=[7]), f"{PRIM}.mappings[0]: must be an object, not int"),
    (lambda g, p: p.update(mappings=[_mapping({"name": 5})]), f"{PRIM}.mappings[0].name: must be a string"),
    (lambda g, p: p.update(mappings=[_mapping({"variants": [0, 1]}), _mapping({"material": 2})]),
     f"{PRIM}.mappings[1].variants[0]: variant 0 is already mapped to material 1 at "
     f"{PRIM}.mappings[0].variants[0]"),
    (lambda g, p: g["extensions"][EXT].update(variants={"name": "Red"}),
     f"extensions.{EXT}.variants: must be an array, not dict"),
    (lambda g, p: g["extensions"][EXT].update(variants=["Red", "Blue"]),
     f"extensions.{EXT}.variants[0]: must be an object, not str"),
    (lambda g, p: g["extensions"][EXT].update(variants=[{"name": ["Red"]}, {"name": "Blue"}]),
     f"extensions.{EXT}.variants[0].name: must be a string, not list"),
    (lambda g, p: g.pop("extensions"),  # mappings without the root's variants
     f"{PRIM}.mappings[0].variants[0]: variant 0 does not exist (the model has 0 variants)"),
])  # fmt: skip
def test_broken_variants_are_refused_naming_the_json_path(edit, message):
    b = variant_cube()
    edit(b.gltf, b.gltf["meshes"][0]["primitives"][0]["extensions"][EXT])
    with pytest.raises(InvalidFormat, match=re.escape(message)):
        load(b)


def test_empty_and_repeated_names_are_made_unique_with_a_warning():
    b = variant_cube(names=("Red", "", "Red", "Red (2)", "  "), mappings=[])
    b.gltf["extensions"][EXT]["variants"].append({})  # no name at all
    scene = load(b)
    assert scene.material_variants == ["Red", "variant 1", "Red (3)", "Red (2)", "variant 4", "variant 5"]
    assert len(set(scene.material_variants)) == 6
    notes = [w for w in scene.warnings if f"extensions.{EXT}.variants" in w]
    assert len(notes) == 4
    assert "variants[2]: the name 'Red' is already variant 0's; this one is called 'Red (3)'" in notes[1]
    assert "variants[1]: the variant has no name; it is called 'variant 1'" in notes[0]


def test_a_variant_mapped_twice_to_the_same_material_only_warns():
    b = variant_cube(mappings=[{"material": 1, "variants": [0, 0]}, {"material": 1, "variants": [0, 1]}])
    scene = load(b)
    assert scene.meshes[0].primitives[0].variant_materials == {0: 1, 1: 1}
    assert sum("mapped again" in w for w in scene.warnings) == 2


def test_an_empty_mapping_only_warns():
    scene = load(variant_cube(mappings=[{"material": 1, "variants": []}]))
    assert scene.meshes[0].primitives[0].variant_materials == {}
    assert any("mappings[0]: maps no variant; ignored" in w for w in scene.warnings)


def test_tangents_are_made_when_only_a_variant_has_a_normal_map():
    b = GltfBuilder()
    positions, uvs, indices = quad()
    flat = np.tile(np.array([128, 128, 255, 255], np.uint8), (2, 2, 1))
    bumpy = b.material(normalTexture={"index": b.texture(b.image(flat))})
    plain = b.material()
    prim = b.primitive(positions, indices, material=plain, NORMAL=np.tile([0, 0, 1], (4, 1)), TEXCOORD_0=uvs)
    prim["extensions"] = {EXT: {"mappings": [{"material": bumpy, "variants": [0]}]}}
    b.scene(b.node(mesh=b.mesh(prim)))
    b.gltf["extensions"] = {EXT: {"variants": [{"name": "bumpy"}]}}
    prim = load(b).meshes[0].primitives[0]
    assert prim.tangents is not None and prim.tangents.shape == (4, 4)


# -- the materialVariant setting -----------------------------------------------------------------


def test_the_setting_is_in_the_one_table():
    assert Settings().material_variant is None
    s = Settings.from_json({"materialVariant": "Red"})
    assert s.material_variant == "Red" and s.to_json() == {"materialVariant": "Red"}
    for bad in ("", 3, "x" * 201):
        with pytest.raises(InvalidSettings) as err:
            Settings.from_json({"materialVariant": bad})
        assert err.value.field == "materialVariant"


def test_an_unknown_variant_is_refused_listing_the_models_variants():
    scene = load(variant_cube())
    with pytest.raises(InvalidSettings) as err:
        resolve_material_variant(scene, "Green")
    assert err.value.field == "materialVariant"
    assert str(err.value) == "materialVariant 'Green' is not in the model; its material variants are: 'Red', 'Blue'"
    with pytest.raises(InvalidSettings, match="materialVariant 'red' is not in the model"):  # names match exactly
        check_model_settings(scene, Settings.from_json({"materialVariant": "red"}))
    assert resolve_material_variant(scene, "Blue") == 1 and resolve_material_variant(scene, None) is None


def test_a_variant_asked_of_a_model_without_variants_is_refused():
    b = GltfBuilder()
    b.simple_model(*cube_corners())
    with pytest.raises(InvalidSettings) as err:
        check_model_settings(load(b), Settings.from_json({"materialVariant": "Red"}))
    assert err.value.field == "materialVariant" and "the model has no material variants" in str(err.value)


def test_model_settings_checks_animation_and_variant_together():
    scene = load(variant_cube())
    assert not names_model_parts(Settings()) and names_model_parts(Settings.from_json({"materialVariant": "x"}))
    assert names_model_parts(Settings.from_json({"animation": "*"}))
    check_model_settings(scene, Settings.from_json({"materialVariant": "Red"}))
    with pytest.raises(InvalidSettings) as err:
        check_model_settings(scene, Settings.from_json({"animation": "*", "materialVariant": "Red"}))
    assert err.value.field == "animation"


def test_with_material_variant_swaps_mapped_primitives_only():
    scene = load(variant_cube())
    assert with_material_variant(scene, None) is scene
    blue = with_material_variant(scene, "Blue")
    assert [p.material for p in blue.meshes[0].primitives] == [2, 0]
    assert [p.material for p in scene.meshes[0].primitives] == [0, 0], "the loaded scene is left as it was"
    assert blue.meshes[0].primitives[0].positions is scene.meshes[0].primitives[0].positions  # no geometry copy
    assert blue.materials is scene.materials and blue.material_variants == scene.material_variants
    with pytest.raises(InvalidSettings):
        with_material_variant(scene, "Green")


def test_renders_of_different_variants_never_share_frames():
    """A batch draws once for jobs with equal frame keys (they differ only in tier and backdrop)."""
    red, blue = Settings.from_json({"materialVariant": "Red"}), Settings.from_json({"materialVariant": "Blue"})
    assert len({frame_key(red), frame_key(blue), frame_key(Settings())}) == 3


# -- rendering -----------------------------------------------------------------------------------

SIZE = (64, 64)


def object_colour(frame: np.ndarray, bg=BG) -> np.ndarray:
    """Mean RGB (0-255) of the pixels that are not background."""
    mask = np.any(frame[..., :3] != np.asarray(bg, np.uint8), axis=-1)
    assert mask.mean() > 0.05, "model missing"
    return frame[mask][:, :3].astype(float).mean(0)


def look(variant: str | None) -> Settings:
    return Settings.from_json({"aspect": "1:1", "length": 3, "shadows": False, "materialVariant": variant,
                               "tiltX": 20})


@pytest.fixture(scope="module")
def cube_scene():
    return load(variant_cube())


@pytest.mark.gl
def test_a_variant_changes_the_rendered_colours(gl, cube_scene):
    frames = {v: Timeline(cube_scene, look(v), SIZE).frame(0, BG) for v in (None, "Red", "Blue")}
    grey, red, blue = (object_colour(frames[v]) for v in (None, "Red", "Blue"))
    # default: grey, about as much red as blue; Red: red dominates; Blue: blue dominates
    assert abs(grey[0] - grey[2]) < 12, grey
    assert red[0] - red[2] > 40 and red[0] - red[1] > 40, red
    assert blue[2] - blue[0] > 40 and blue[2] - blue[1] > 40, blue
    # the slab no variant maps keeps its grey: the bottom rows, below the cube, do not change
    slab = (slice(SIZE[1] - 16, SIZE[1] - 10), slice(24, 40))
    np.testing.assert_allclose(frames["Red"][slab][..., :3], frames[None][slab][..., :3], atol=2)


@pytest.mark.gl
def test_render_shot_uses_the_variant(gl, cube_scene):
    s = look("Blue")
    timeline = Timeline(cube_scene, s, SIZE)
    shot = camera_paths.shot_at(s, 0.3)
    blue = object_colour(timeline.render_shot(shot, 0.0, BG))
    grey = object_colour(Timeline(cube_scene, look(None), SIZE).render_shot(shot, 0.0, BG))
    assert blue[2] - blue[0] > 40 and abs(grey[2] - grey[0]) < 12


@pytest.mark.gl
def test_posters_of_a_video_use_the_variant(gl, cube_scene, tmp_path):
    result = render_video(cube_scene, look("Red"), tmp_path / "red.mp4", size=(48, 48))
    poster = np.asarray(Image.open(result.paths.poster).convert("RGB"))
    red = object_colour(poster)
    assert red[0] - red[2] > 40, red


# -- dxgl info -----------------------------------------------------------------------------------


def test_dxgl_info_lists_the_variants(tmp_path):
    path = variant_cube(names=("Yellow Sneaker", "Red Sneaker")).write_glb(tmp_path / "shoe.glb")
    p = run("info", path)
    assert p.returncode == 0, p.stderr
    assert "materialVariants: Yellow Sneaker, Red Sneaker" in p.stdout
    p = run("info", path, "--json")
    assert json.loads(p.stdout)["materialVariants"] == ["Yellow Sneaker", "Red Sneaker"]


def test_dxgl_render_refuses_an_unknown_variant_in_one_line(tmp_path):
    path = variant_cube(names=("Yellow Sneaker", "Red Sneaker")).write_glb(tmp_path / "shoe.glb")
    p = run("render", path, "-o", tmp_path / "x.mp4", "--settings", '{"materialVariant": "Blue Sneaker"}')
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == ["dxgl: error: materialVariant 'Blue Sneaker' is not in the model; its "
                                             "material variants are: 'Yellow Sneaker', 'Red Sneaker'"]
    assert not (tmp_path / "x.mp4").exists()


# -- a third-party model -------------------------------------------------------------------------


@pytest.mark.shared_assets
@pytest.mark.gl
def test_shared_models_with_variants_load_and_render_differently(shared_assets, gl):
    """Any third-party model using the extension (e.g. Khronos' MaterialsVariantsShoe, when present):
    its variants load, and the first two render differently."""
    found = [p for d in ("khronos", "other") for p in sorted((shared_assets / d).rglob("*"))
             if p.suffix.lower() in (".gltf", ".glb") and p.is_file() and EXT.encode() in _head(p)]  # fmt: skip
    if not found:
        pytest.skip(f"no model under {shared_assets} uses {EXT}")
    for path in found:
        scene = load_model(path)
        assert len(scene.material_variants) >= 2, path.name
        a, b = (Timeline(scene, look(v), SIZE).frame(0, BG) for v in scene.material_variants[:2])
        assert np.abs(a.astype(int) - b.astype(int)).mean() > 0.5, path.name


def _head(path, size: int = 4_000_000) -> bytes:
    """The start of a file: a .gltf's JSON, or a .glb's JSON chunk, which comes first."""
    with open(path, "rb") as f:
        return f.read(size)
