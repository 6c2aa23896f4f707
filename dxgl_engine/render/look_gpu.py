"""The look on the GPU: the environment's baked tables as textures, its sun, and the uniforms every
mesh program variant reads.
"""
from __future__ import annotations

import numpy as np
from vispy import gloo

from ..lighting.ibl import LEVELS
from ..lighting.look import Look, lighting
from ..lighting.sh9 import BAND_SCALE
from ..lighting.sun import SUN_ALPHA_PER_RADIAN


class LookGPU:
    """The environment's textures and the uniforms every mesh program variant needs."""

    def __init__(self, look: Look):
        self.look = look
        ibl = lighting(look.environment, look.calibrated)
        # Half floats end at 65504: an uncalibrated outdoor panorama's sun can pass it.
        spec = np.minimum(ibl.specular, 65000.0).astype(np.float32)
        self.env = gloo.Texture3D(spec, interpolation="linear", internalformat="rgb16f",
                                  wrapping="clamp_to_edge")  # octahedral maps, one slice per roughness
        # (A, B) of the GGX integral, the sheen albedo, the GGX lobe's average albedo
        lut = np.ascontiguousarray(ibl.lut, np.float32)
        self.lut = gloo.Texture2D(lut, interpolation="linear", internalformat="rgba32f", wrapping="clamp_to_edge")
        self.sh = (ibl.sh * BAND_SCALE[:, None]).astype(np.float32)
        self.sun = ibl.sun
        self.radiance_sh = ibl.sh  # (9, 3): what the sun's share of a surface's light is measured against

    @property
    def features(self) -> frozenset[str]:
        """The Look's shader defines, and SUN where the environment has a sun."""
        return self.look.features | ({"SUN"} if self.sun is not None else set())

    def uniforms(self) -> dict:
        out = {"u_env": self.env, "u_env_levels": float(LEVELS), "u_brdf_lut": self.lut,
               "u_exposure": float(self.look.exposure)}  # fmt: skip
        out.update({f"u_sh[{k}]": self.sh[k] for k in range(9)})
        if self.sun is not None:
            out["u_sun_irradiance"] = self.sun.irradiance.astype(np.float32)
            out["u_sun_alpha"] = float(self.sun.angular_radius * SUN_ALPHA_PER_RADIAN)
        return out
