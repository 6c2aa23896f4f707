// Image-based light from the environment's baked tables (lighting/ibl.py): SH9 irradiance,
// GGX-prefiltered radiance in octahedral maps (one slice per roughness level) and the split-sum
// BRDF table (Karis 2013).
uniform sampler3D u_env;          // prefiltered radiance, one slice per roughness level
uniform float u_env_levels;
uniform vec3 u_sh[9];             // irradiance SH, band convolution already applied
uniform sampler2D u_brdf_lut;     // (A, B) by (NdotV, roughness)

// Octahedral map of a direction (Y up): cheaper than an equirectangular lookup, which needs
// atan and asin per pixel; ibl.octahedral_directions() is its inverse.
vec2 oct_uv(vec3 d) {
    vec3 p = d / (abs(d.x) + abs(d.y) + abs(d.z));
    vec2 q = p.xz;
    if (p.y < 0.0) q = (1.0 - abs(p.zx)) * vec2(p.x >= 0.0 ? 1.0 : -1.0, p.z >= 0.0 ? 1.0 : -1.0);
    return q * 0.5 + 0.5;
}

vec3 env_radiance(vec3 dir, float rough) {
    float w = (rough * (u_env_levels - 1.0) + 0.5) / u_env_levels;
    return texture(u_env, vec3(oct_uv(dir), w)).rgb;
}

vec3 env_irradiance(vec3 n) {
    return max(u_sh[0] * 0.282095
        + u_sh[1] * (0.488603 * n.y) + u_sh[2] * (0.488603 * n.z) + u_sh[3] * (0.488603 * n.x)
        + u_sh[4] * (1.092548 * n.x * n.y) + u_sh[5] * (1.092548 * n.y * n.z)
        + u_sh[6] * (0.315392 * (3.0 * n.z * n.z - 1.0)) + u_sh[7] * (1.092548 * n.x * n.z)
        + u_sh[8] * (0.546274 * (n.x * n.x - n.y * n.y)), vec3(0.0));
}

// Directional specular albedo, with the energy a single-scattering GGX lobe loses at high
// roughness given back (divided by A + B): rough metals keep their brightness, and a matte
// dielectric reflects F0 at normal incidence, which the neutral tone mapper expects.
vec3 specular_albedo(vec3 f0, float f90, float nv, float rough) {
    vec2 ab = texture(u_brdf_lut, vec2(nv, rough)).rg;
    return (f0 * ab.x + f90 * ab.y) / max(ab.x + ab.y, 0.05);
}
