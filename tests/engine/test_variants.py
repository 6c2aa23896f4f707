"""KHR_materials_variants: variants and mappings read (and refused when broken)."""
from __future__ import annotations

import re

import numpy as np
import pytest

from dxgl_engine.errors import InvalidFormat
from dxgl_engine.load.formats import load_glb_bytes
from dxgl_engine.load.gltf.extensions import SUPPORTED_EXTENSIONS
from tests.gltf_builder import GltfBuilder, cube_corners, quad

EXT = "KHR_materials_variants"
PRIM = f"meshes[0].primitives[0].extensions.{EXT}"
GREY, RED, BLUE = [0.5, 0.5, 0.5, 1.0], [0.9, 0.05, 0.05, 1.0], [0.05, 0.05, 0.9, 1.0]


def variant_cube(names=("Red", "Blue"), mappings=None) -> GltfBuilder:
    """A grey cube whose variants "Red" and "Blue" turn it red or blue, on a grey slab no variant maps.
    Materials: 0 grey, 1 red, 2 blue."""
    b = GltfBuilder()
    grey, red, blue = (b.material(name=n, pbrMetallicRoughness={"baseColorFactor": c, "metallicFactor": 0.0,
                                                                "roughnessFactor": 0.6})
                       for n, c in (("grey", GREY), ("red", RED), ("blue", BLUE)))  # fmt: skip
    positions, indices = cube_corners()
    cube = b.primitive(positions, indices, material=grey)
    cube["extensions"] = {EXT: {"mappings": [{"material": red, "variants": [0], "name": "red paint"},
                                             {"material": blue, "variants": [1]}]
                                if mappings is None else mappings}}  # fmt: skip
    slab = b.primitive(positions * np.array([2.0, 0.1, 2.0], np.float32) - np.array([0, 1.2, 0], np.float32),
                       indices, material=grey)
    b.scene(b.node(mesh=b.mesh(cube, slab)))
    b.gltf["extensions"] = {EXT: {"variants": [{"name": n} for n in names]}}
    b.use_extension(EXT)
    return b


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
