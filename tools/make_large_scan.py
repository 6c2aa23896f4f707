#!/usr/bin/env python3
"""Write a scan at the size real ones come in: a textured OBJ of about 2,000,000 triangles (a bumpy
bust-like surface of revolution, with UVs and normals) and one 8192 x 8192 JPEG texture, zipped as
scanner software exports it. Deterministic; numpy and Pillow only.

    python tools/make_large_scan.py OUT.zip [--triangles 2000000] [--texture 8192]
"""
from __future__ import annotations

import argparse
import io
import sys
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image


def surface(triangles: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(positions (N, 3), uvs (N, 2), normals (N, 3), faces (M, 3) 0-based) of a closed-ish bumpy
    surface of revolution with about `triangles` triangles, 0.4 m tall, its base at y = 0."""
    rows = int(np.sqrt(triangles / 4))
    cols = triangles // (2 * rows)
    v, u = np.meshgrid(np.linspace(0.0, 1.0, rows + 1), np.linspace(0.0, 1.0, cols, endpoint=False), indexing="ij")
    theta = u * 2 * np.pi
    profile = 0.12 + 0.05 * np.sin(v * np.pi * 3) + 0.03 * np.cos(v * np.pi * 7)
    bumps = 1 + 0.02 * np.sin(theta * 40) * np.sin(v * np.pi * 60) + 0.004 * np.sin(theta * 400 + v * 300)
    radius = profile * bumps * np.sin(v * np.pi * 0.98 + 0.01)
    positions = np.stack([radius * np.cos(theta), v * 0.4, radius * np.sin(theta)], -1).reshape(-1, 3)
    uvs = np.stack([u, v], -1).reshape(-1, 2)
    k = np.arange((rows + 1) * cols).reshape(rows + 1, cols)
    a, b = k[:-1], np.roll(k[:-1], -1, axis=1)
    c, d = np.roll(k[1:], -1, axis=1), k[1:]
    faces = np.concatenate([np.stack([a, d, c], -1).reshape(-1, 3), np.stack([a, c, b], -1).reshape(-1, 3)])
    normals = np.zeros_like(positions)
    fn = np.cross(positions[faces[:, 1]] - positions[faces[:, 0]], positions[faces[:, 2]] - positions[faces[:, 0]])
    for corner in range(3):
        np.add.at(normals, faces[:, corner], fn)
    normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
    return positions, uvs, normals, faces


def texture(size: int) -> bytes:
    """A JPEG of `size` x `size`: skin-like low-frequency colour with fine detail (quality 85)."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    rng = np.random.default_rng(7)
    noise = rng.standard_normal((size // 64, size // 64)).astype(np.float32)
    coarse = np.asarray(Image.fromarray(noise).resize((size, size), Image.BICUBIC))
    base = np.stack([0.72 + 0.1 * np.sin(x * 9), 0.55 + 0.08 * np.cos(y * 7), 0.45 + 0.05 * np.sin((x + y) * 5)], -1)
    img = np.clip((base + 0.04 * coarse[..., None] + 0.02 * np.sin(x * 900)[..., None]) * 255, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(img).save(out, format="JPEG", quality=85)
    return out.getvalue()


def obj_text(positions, uvs, normals, faces) -> bytes:
    """The OBJ text, written in blocks so the whole mesh is never formatted as one Python string."""
    out = io.BytesIO()
    out.write(b"# dxgl large scan (tools/make_large_scan.py)\nmtllib scan.mtl\no scan\n")
    for fmt, arr in (("v %.6f %.6f %.6f", positions), ("vt %.6f %.6f", uvs), ("vn %.4f %.4f %.4f", normals)):
        np.savetxt(out, arr, fmt=fmt)
    out.write(b"usemtl scan\n")
    f = faces + 1
    np.savetxt(out, np.repeat(f, 3, axis=1), fmt="f %d/%d/%d %d/%d/%d %d/%d/%d")
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="the ZIP to write")
    ap.add_argument("--triangles", type=int, default=2_000_000)
    ap.add_argument("--texture", type=int, default=8192, help="texture size in pixels")
    args = ap.parse_args(argv)
    if args.triangles < 100 or args.texture < 16:
        ap.error("--triangles must be at least 100 and --texture at least 16")
    positions, uvs, normals, faces = surface(args.triangles)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(args.out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("scan/scan.obj", obj_text(positions, uvs, normals, faces))
        zf.writestr("scan/scan.mtl", "newmtl scan\nKd 1 1 1\nmap_Kd Scan_Texture.JPG\n")
        zf.writestr("scan/scan_texture.jpg", texture(args.texture), compress_type=zipfile.ZIP_STORED)
    print(f"wrote {args.out}: {len(faces):,} triangles, {len(positions):,} vertices, {args.texture}px texture, "
          f"{args.out.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
