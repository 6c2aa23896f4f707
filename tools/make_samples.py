#!/usr/bin/env python3
"""Generate the sample models shipped in dxgl_engine/samples/ (deterministic; run after changing it).

`product.glb`: a lathe-turned bottle with a metallic cap and a textured label, so the demo render,
the notebooks and the tests have a textured, multi-material model without ../shared/assets.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import trimesh
from PIL import Image, ImageDraw
from trimesh.visual.material import PBRMaterial
from trimesh.visual.texture import TextureVisuals

OUT = Path(__file__).resolve().parents[1] / "dxgl_engine" / "samples"


def lathe(profile: np.ndarray, segments: int = 64) -> trimesh.Trimesh:
    """Revolve a (radius, height) polyline about Y; UVs: u around, v along the profile."""
    rings = len(profile)
    ang = np.linspace(0, 2 * np.pi, segments + 1)
    r, y = profile[:, 0][:, None], profile[:, 1][:, None]
    verts = np.stack([r * np.sin(ang), np.repeat(y, segments + 1, 1), r * np.cos(ang)], -1).reshape(-1, 3)
    seg = np.r_[0, np.cumsum(np.linalg.norm(np.diff(profile, axis=0), axis=1))]
    v = 1.0 - seg / seg[-1]
    uv = np.stack(np.meshgrid(ang / (2 * np.pi), v), -1).reshape(-1, 2)
    faces = []
    for i in range(rings - 1):
        for j in range(segments):
            a, b = i * (segments + 1) + j, (i + 1) * (segments + 1) + j
            faces += [(a, a + 1, b), (a + 1, b + 1, b)]
    # Smooth normals from the profile's slope, identical on both sides of the u seam.
    tangent = np.gradient(profile, axis=0)
    n2 = np.stack([tangent[:, 1], -tangent[:, 0]], 1)
    n2 /= np.linalg.norm(n2, axis=1, keepdims=True)
    nr, ny = n2[:, 0][:, None], n2[:, 1][:, None]
    normals = np.stack([nr * np.sin(ang), np.repeat(ny, segments + 1, 1), nr * np.cos(ang)], -1).reshape(-1, 3)
    mesh = trimesh.Trimesh(verts, np.array(faces), vertex_normals=normals, process=False)
    return mesh, uv


def label_texture(size: int = 512) -> Image.Image:
    """Drawn at 4x and reduced, so the label's edges are anti-aliased like a printed one."""
    big = size * 4
    img = Image.new("RGB", (big, big), (226, 232, 240))
    d = ImageDraw.Draw(img)
    d.rectangle([0, int(big * 0.30), big, int(big * 0.70)], fill=(30, 64, 175))
    for k in range(8):
        x = k * big // 8
        d.ellipse([x + 24, int(big * 0.42), x + big // 8 - 24, int(big * 0.58)], fill=(250, 204, 21))
    return img.resize((size, size), Image.LANCZOS)


def product() -> trimesh.Scene:
    body_profile = np.array(
        [[0.0, 0.0], [0.30, 0.0], [0.34, 0.04], [0.35, 0.15], [0.35, 0.75], [0.30, 0.90], [0.14, 1.00], [0.12, 1.10]]
    )
    body, body_uv = lathe(body_profile)
    body.visual = TextureVisuals(
        uv=body_uv,
        material=PBRMaterial(name="label", baseColorTexture=label_texture(), metallicFactor=0.0, roughnessFactor=0.45),
    )
    cap_profile = np.array([[0.13, 1.06], [0.16, 1.06], [0.16, 1.30], [0.12, 1.34], [0.0, 1.34]])
    cap, _ = lathe(cap_profile, 48)
    cap.visual = trimesh.visual.TextureVisuals(
        material=PBRMaterial(name="cap", baseColorFactor=[200, 170, 90, 255], metallicFactor=1.0, roughnessFactor=0.3)
    )
    scene = trimesh.Scene()
    scene.add_geometry(body, node_name="body", geom_name="body")
    scene.add_geometry(cap, node_name="cap", geom_name="cap")
    return scene


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    data = product().export(file_type="glb")
    (OUT / "product.glb").write_bytes(data)
    print(f"wrote {OUT / 'product.glb'} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
