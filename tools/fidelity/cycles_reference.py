"""Blender Cycles references for fidelity scenarios, run by the Python of tools/fidelity/.venv-bpy
(Blender as a Python module, `bpy` from PyPI; `run.py --cycles` installs it). Not importable from
dxgl's own virtualenv: it is a separate program.

    .venv-bpy/bin/python cycles_reference.py JOBS.json

JOBS.json is a list of {"model", "eye", "target", "fov_y", "width", "height", "hdr", "out",
"samples"} and optionally "view_transform" (default "Standard") and "exposure" (stops, default 0):
eye and target in glTF coordinates (Y up), which Blender's glTF importer turns into its
own (Z up): (x, y, z) -> (x, -z, y). Each job imports the model with Blender's own glTF importer,
lights it with the panorama at world strength 1 (Blender's equirect layout: u = 0.5 faces +X),
gives every mesh without a material glTF's default material (section 3.9.6: white, metallic 1,
roughness 1; the importer leaves such meshes to Blender's own grey diffuse default), renders with
Cycles on the CPU (`samples` paths per pixel, then OpenImageDenoise) through the
"Standard" view transform (sRGB, no tone curve; or the job's, such as "Khronos PBR Neutral", at its
exposure) over a transparent film, and writes an RGBA PNG.
"""
from __future__ import annotations

import math

import bpy
from mathutils import Vector
from peer_jobs import run_jobs


def blender_point(p) -> Vector:
    x, y, z = p
    return Vector((x, -z, y))


def gltf_default_material() -> bpy.types.Material:
    """glTF 2.0's material for primitives that name none: baseColorFactor 1, metallicFactor 1,
    roughnessFactor 1, emissive 0 (specification section 3.9.6)."""
    material = bpy.data.materials.new("gltf-default")
    material.use_nodes = True
    bsdf = material.node_tree.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (1.0, 1.0, 1.0, 1.0)
    bsdf.inputs["Metallic"].default_value = 1.0
    bsdf.inputs["Roughness"].default_value = 1.0
    return material


def give_default_materials() -> None:
    default = None
    for obj in bpy.context.scene.objects:
        if obj.type != "MESH":
            continue
        slots = obj.data.materials
        if len(slots) and all(m is not None for m in slots):
            continue
        default = default or gltf_default_material()
        if not len(slots):
            slots.append(default)
        for i, m in enumerate(slots):
            if m is None:
                slots[i] = default


def render(job: dict) -> None:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.import_scene.gltf(filepath=job["model"])
    give_default_materials()
    scene = bpy.context.scene
    scene.frame_set(0)
    cam_data = bpy.data.cameras.new("fidelity")
    cam_data.sensor_fit = "VERTICAL"
    cam_data.angle_y = math.radians(job["fov_y"])
    eye, target = blender_point(job["eye"]), blender_point(job["target"])
    span = (eye - target).length
    cam_data.clip_start, cam_data.clip_end = max(span * 1e-3, 1e-4), span * 100
    cam = bpy.data.objects.new("fidelity", cam_data)
    scene.collection.objects.link(cam)
    cam.location = eye
    cam.rotation_mode = "QUATERNION"
    cam.rotation_quaternion = (target - eye).to_track_quat("-Z", "Y")
    scene.camera = cam
    world = bpy.data.worlds.new("fidelity")
    world.use_nodes = True
    nodes, links = world.node_tree.nodes, world.node_tree.links
    env = nodes.new("ShaderNodeTexEnvironment")
    env.image = bpy.data.images.load(job["hdr"])
    links.new(env.outputs["Color"], nodes["Background"].inputs["Color"])
    nodes["Background"].inputs["Strength"].default_value = 1.0
    scene.world = world
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = int(job["samples"])
    scene.cycles.use_denoising = True
    scene.render.film_transparent = True
    scene.render.resolution_x, scene.render.resolution_y = job["width"], job["height"]
    scene.render.resolution_percentage = 100
    scene.view_settings.view_transform = job.get("view_transform", "Standard")
    scene.view_settings.look = "None"
    scene.view_settings.exposure = float(job.get("exposure", 0.0))
    scene.render.image_settings.file_format = "PNG"
    scene.render.image_settings.color_mode = "RGBA"
    scene.render.filepath = job["out"]
    bpy.ops.render.render(write_still=True)


def main() -> None:
    run_jobs(render, "cycles")


if __name__ == "__main__":
    main()
