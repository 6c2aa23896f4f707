// Image-based light from the environment's baked tables (lighting/ibl.py): SH9 irradiance,
// GGX-prefiltered radiance in octahedral maps (one slice per roughness level) and the split-sum
// BRDF table (Karis 2013).
uniform sampler3D u_env;          // prefiltered radiance, one slice per roughness level
uniform float u_env_levels;
uniform vec3 u_sh[9];             // irradiance SH, band convolution already applied
uniform sampler2D u_brdf_lut;     // (A, B, sheen albedo, Eavg) by (NdotV, roughness)

// Where the tables hold (N.V, roughness): their first and last texel centres are 0 and 1
// (lighting/ibl.py, lut_grid), so a fully rough surface reads its own row, not a clamp.
vec2 lut_uv(float nv, float rough) {
    vec2 size = vec2(textureSize(u_brdf_lut, 0));
    return (vec2(nv, rough) * (size - 1.0) + 0.5) / size;
}

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

// Where a GGX lobe gathers most light: the mirror direction for a smooth surface, leaning towards
// the normal as it roughens (the lobe's "off-specular peak"). The split-sum tables are looked up
// there, not at the mirror direction (Lagarde & de Rousiers 2014, "Moving Frostbite to PBR",
// section 4.9.3, with alpha = roughness^2). Against Cycles in tools/fidelity's garden, a fully rough
// red metal cube read 0.15 of its brightness at the mirror direction and 1.20 here; red metal
// spheres of roughness 0.3, 0.6, 1 read 0.99, 0.82, 0.83 at the mirror direction and 1.01, 0.93,
// 1.26 here (milder blends that fit the spheres left the cube at 0.19). Those ratios were measured
// with the metal's albedo normalised by Ess and the prefilter weighted by D N.L; with Fdez-Aguera's
// multiple scattering and the D G prefilter (lighting/ibl.py) the cube read 1.07 and the spheres
// (base colour 0.8, 0, 0) 1.10, 0.95, 1.01; with the present terms (below) the cube reads 1.01.
vec3 specular_dominant_direction(vec3 n, vec3 r, float rough) {
    float a = rough * rough;
    float smooth_ = 1.0 - a;
    return normalize(mix(n, r, smooth_ * (sqrt(smooth_) + a)));
}

// Directional specular albedo of glTF's mix of a metal and a dielectric BRDF (glTF 2.0 appendix B:
// mix(dielectric_brdf, metal_brdf, metallic)), each from the split-sum table's (A, B), whose
// single-scattering albedo is Fss Ess = f0 A + f90 B with Ess = A + B.
//
// A single-scattering GGX lobe loses the energy 1 - Ess between microfacets. The light comes back
// by scaling the lobe by 1 + Fms (1 - Ess) / Ess (Turquin 2019, "Practical multiple scattering
// compensation for microfacet models"), with the Fresnel of the further bounces Fms = Favg Eavg /
// (1 - Favg (1 - Eavg)) (Kulla & Conty 2017, "Revisiting Physically Based Shading at Imageworks",
// appendix; Favg = f0 + (f90 - f0) / 21 for Schlick's Fresnel, Eavg the lobe's albedo averaged
// over directions, the table's alpha channel). Cycles scales its multiple-scattering GGX the same
// way. A white metal keeps all the light; a grey one loses some at every bounce. Against Cycles 5.0
// in a uniform sky (tests/engine/test_multiscatter.py): a metal of f0 0.5 at roughness 1 reflects
// 0.261 at normal incidence and 0.313 at N.V 0.5, this 0.261 and 0.319; Fdez-Aguera 2019's terms,
// used before, 0.241 and 0.31 (read 0.25 at the table's clamped edge); Karis's division by Ess,
// before that, 0.50.
//
// The dielectric takes the same terms with its own f0 and f90: at roughness 1 a black dielectric
// reflects 0.014 at normal incidence, as in Cycles, not its f0. Under the Khronos PBR Neutral curve
// (DIELECTRIC_KEEPS_F0, set by lighting/look.py) the dielectric's albedo is instead normalised by
// Ess to f0 at any roughness, because that curve subtracts exactly f0 = 0.04 to show base colours
// as authored: with the physical albedo, the colour chart of tests/engine/test_look.py read median
// dE2000 2.9 facing the camera (0.47 with this) and 4.2 upright (1.75). Everywhere else (the
// reference look, ACES) the albedo is physical: the harness's reference mode went from FLIP 0.067
// to 0.059 with it (Box 0.110 -> 0.067, Duck 0.122 -> 0.096, VertexColorTest 0.107 -> 0.061).
// The albedo of a lobe of Fresnel f0..f90 whose single-scattering albedo is fss_ess.
vec3 multiscatter_albedo(vec3 fss_ess, vec3 f0, float f90, float ess, float eavg) {
    vec3 favg = f0 + (f90 - f0) / 21.0;
    vec3 fms = favg * eavg / (1.0 - favg * (1.0 - eavg));
    return fss_ess * (1.0 + fms * (1.0 - ess) / max(ess, 1e-3));
}

// `single` receives the single-scattering albedo Fss Ess of the same mix. The direct lights
// (punctual.glsl) scale their GGX lobe by albedo / single, the factor above, so light from one
// direction keeps the energy the environment's keeps. Against Cycles 5.0 (a white metal plane of
// roughness 1 facing the camera, a sun at 59 and 30 degrees from its normal): Cycles 0.175 and
// 0.241 per unit irradiance, this 0.176 and 0.240; the single-scattering lobe alone 0.054 and
// 0.074, and Kulla & Conty's separate multiple-scattering lobe 0.158 and 0.288 (another shape).
vec3 specular_albedo(vec3 dielectric_f0, float f90, vec3 metal_f0, float metallic, float nv, float rough,
                     out vec3 single) {
    vec4 t = texture(u_brdf_lut, lut_uv(nv, rough));
    vec2 ab = t.rg;
    float ess = ab.x + ab.y;
    vec3 dielectric_single = dielectric_f0 * ab.x + f90 * ab.y;
    vec3 metal_single = metal_f0 * ab.x + ab.y;
    single = mix(dielectric_single, metal_single, metallic);
#ifdef DIELECTRIC_KEEPS_F0
    vec3 dielectric = dielectric_single / max(ess, 0.05);
#else
    vec3 dielectric = multiscatter_albedo(dielectric_single, dielectric_f0, f90, ess, t.a);
#endif
    return mix(dielectric, multiscatter_albedo(metal_single, metal_f0, 1.0, ess, t.a), metallic);
}
