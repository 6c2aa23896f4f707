"""How far a render is from a reference, on images composited over the same grey:

- FLIP (NVIDIA's `flip-evaluator`, LDR: the perceived difference at 67 pixels per degree; Andersson
  et al. 2020, "FLIP: A Difference Evaluator for Alternating Images"), mean over the frame, 0 best;
- SSIM (scikit-image's `structural_similarity`, Wang et al. 2004), 1 best;
- brightness ratio: mean linear luminance (Rec. 709) of the render over that of the reference,
  where both show the object;
- silhouette IoU: intersection over union of the object's pixels (alpha above one half).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GREY = 0.5  # sRGB value of the backdrop both images are composited over


@dataclass(frozen=True)
class Scores:
    flip: float
    ssim: float
    brightness: float
    iou: float
    flip_map: np.ndarray  # (H, W, 3) float32 magma heat map, 0-1


def over_grey(rgba: np.ndarray) -> np.ndarray:
    """(H, W, 3) float32 sRGB 0-1 of straight-alpha RGBA uint8 composited over GREY (in sRGB, as
    both viewers' backdrops are)."""
    a = rgba[..., 3:4].astype(np.float32) / 255.0
    return rgba[..., :3].astype(np.float32) / 255.0 * a + GREY * (1.0 - a)


def linear(srgb: np.ndarray) -> np.ndarray:
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def score(reference: np.ndarray, render: np.ndarray) -> Scores:
    """Scores of `render` against `reference`, both (H, W, 4) uint8 straight alpha of one size.
    Raises ValueError when the sizes differ."""
    import flip_evaluator
    from skimage.metrics import structural_similarity

    if reference.shape != render.shape:
        raise ValueError(f"sizes differ: reference {reference.shape}, render {render.shape}")
    ref, test = over_grey(reference), over_grey(render)
    flip_map, flip, _ = flip_evaluator.evaluate(ref, test, "LDR")
    ssim = structural_similarity(ref, test, channel_axis=-1, data_range=1.0)
    ref_in, test_in = reference[..., 3] > 127, render[..., 3] > 127
    both = ref_in & test_in
    weights = np.array([0.2126, 0.7152, 0.0722], np.float32)
    if both.any():
        brightness = float((linear(test[both]) @ weights).mean() / max((linear(ref[both]) @ weights).mean(), 1e-6))
    else:
        brightness = float("nan")
    union = (ref_in | test_in).sum()
    iou = float(both.sum() / union) if union else 1.0
    return Scores(float(flip), float(ssim), brightness, iou, np.asarray(flip_map, np.float32))
