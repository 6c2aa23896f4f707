#!/usr/bin/env python3
"""What each material-extension define costs a frame: a sphere filling a small frame, plain and
with KHR_materials_iridescence, _anisotropy or _diffuse_transmission (each alone), lit by the
studio alone and with one directional light; then AnisotropyBarnLamp with and without its
anisotropy. Frames are timed in interleaved rounds (the median of each), so that a neighbour's
load on a shared machine falls on every variant alike.

    python tools/bench/material_extensions.py [--size 192] [--frames 8] [--rounds 5]
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

import numpy as np
from bench_paths import SHARED  # noqa: E402  (also puts the repository on sys.path)
from tables import print_table  # noqa: E402

from dxgl_engine.load.formats import load_model  # noqa: E402
from dxgl_engine.pipeline.timeline import Timeline  # noqa: E402
from dxgl_engine.scene.model import Light, Material, Mesh, Node, Primitive, Scene  # noqa: E402
from dxgl_engine.settings import Settings  # noqa: E402

VARIANTS = {
    "plain": {},
    "IRIDESCENCE": {"KHR_materials_iridescence": {"iridescenceFactor": 1.0, "iridescenceThicknessMaximum": 400.0}},
    "ANISOTROPY": {"KHR_materials_anisotropy": {"anisotropyStrength": 0.8}},
    "DIFFUSE_TRANSMISSION": {"KHR_materials_diffuse_transmission": {"diffuseTransmissionFactor": 0.5}},
}


def sphere(rings: int = 32, segments: int = 64) -> Primitive:
    """A unit UV sphere (u round +Y), so the anisotropic variant gets tangents from its UVs."""
    th, u = np.meshgrid(np.linspace(0, np.pi, rings + 1), np.linspace(0, 1, segments + 1), indexing="ij")
    phi = 2 * np.pi * u
    pos = np.stack([-np.sin(th) * np.sin(phi), np.cos(th), -np.sin(th) * np.cos(phi)], -1).reshape(-1, 3)
    row = segments + 1
    tris = [(i * row + j, (i + 1) * row + j, (i + 1) * row + j + 1) for i in range(rings) for j in range(segments)]
    tris += [(i * row + j, (i + 1) * row + j + 1, i * row + j + 1) for i in range(rings) for j in range(segments)]
    return Primitive(pos.astype(np.float32), np.array(tris, np.uint32), pos.astype(np.float32),
                     texcoords=[np.stack([u, th / np.pi], -1).reshape(-1, 2).astype(np.float32)], material=0)


def sphere_scene(extensions: dict, light: bool) -> Scene:
    material = Material(name="m", base_color_factor=np.array([0.6, 0.5, 0.4, 1.0]), metallic_factor=0.0,
                        roughness_factor=0.35, extensions=extensions)  # fmt: skip
    nodes = [Node(mesh=0)] + ([Node(light=0)] if light else [])
    return Scene(nodes=nodes, roots=list(range(len(nodes))), meshes=[Mesh("sphere", [sphere()])],
                 materials=[material], lights=[Light("directional", intensity=2.0)] if light else [])


def timed(timelines: dict[str, Timeline], frames: int, rounds: int) -> dict[str, float]:
    """Median over `rounds` of the mean ms of `frames` frames, for each timeline, interleaved."""
    for tl in timelines.values():
        tl.frame(0)  # compile and upload outside the timing
    samples = {name: [] for name in timelines}
    for _ in range(rounds):
        for name, tl in timelines.items():
            t0 = time.perf_counter()
            for i in range(frames):
                tl.frame(i % tl.frame_count)
            samples[name].append((time.perf_counter() - t0) / frames * 1e3)
    return {name: statistics.median(v) for name, v in samples.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=192)
    ap.add_argument("--frames", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    settings = Settings.from_json({"shadows": False, "zoom": 0.6})
    size = (args.size, args.size)
    rows = []
    for light in (False, True):
        timelines = {name: Timeline(sphere_scene(ext, light), settings, size) for name, ext in VARIANTS.items()}
        ms = timed(timelines, args.frames, args.rounds)
        for name in VARIANTS:
            rows.append(["sphere" + (" + 1 light" if light else ""), name, ms[name], ms[name] - ms["plain"],
                         f"{(ms[name] / ms['plain'] - 1) * 100:+.0f}%"])  # fmt: skip
    lamp = SHARED / "khronos/AnisotropyBarnLamp/AnisotropyBarnLamp.gltf"
    if lamp.exists():
        scene = load_model(lamp)
        plain = dataclasses.replace(scene, materials=[
            dataclasses.replace(m, extensions={k: v for k, v in m.extensions.items() if k != "KHR_materials_anisotropy"})
            for m in scene.materials])  # fmt: skip
        ms = timed({"plain": Timeline(plain, settings, size), "ANISOTROPY": Timeline(scene, settings, size)},
                   args.frames, args.rounds)  # fmt: skip
        rows.append(["AnisotropyBarnLamp", "plain", ms["plain"], 0.0, "+0%"])
        rows.append(["AnisotropyBarnLamp", "ANISOTROPY", ms["ANISOTROPY"], ms["ANISOTROPY"] - ms["plain"],
                     f"{(ms['ANISOTROPY'] / ms['plain'] - 1) * 100:+.0f}%"])  # fmt: skip
    print_table(f"ms per {args.size}x{args.size} frame (supersampled 2x), median of {args.rounds} rounds of "
                f"{args.frames} frames", ["model", "define", "ms", "+ms", "+%"], rows)  # fmt: skip


if __name__ == "__main__":
    main()
