// Exposure and tone mapping of the lit colour: Khronos PBR Neutral by default, ACES filmic
// (Stephen Hill's fit) with TONEMAP_ACES.
uniform float u_exposure;

// Khronos PBR Neutral: base colours below the compression knee pass unchanged.
vec3 tone_map_neutral(vec3 c) {
    const float knee = 0.76;
    const float desat = 0.15;
    float lo = min(c.r, min(c.g, c.b));
    c -= lo < 0.08 ? lo - 6.25 * lo * lo : 0.04;
    float peak = max(c.r, max(c.g, c.b));
    if (peak < knee) return c;
    float d = 1.0 - knee;
    float new_peak = 1.0 - d * d / (peak + d - knee);
    c *= new_peak / peak;
    float g = 1.0 - 1.0 / (desat * (peak - new_peak) + 1.0);
    return mix(c, vec3(new_peak), g);
}

// ACES filmic, as fitted by Stephen Hill (sRGB primaries in and out).
vec3 tone_map_aces(vec3 c) {
    const mat3 to_aces = mat3(0.59719, 0.07600, 0.02840, 0.35458, 0.90834, 0.13383, 0.04823, 0.01566, 0.83777);
    const mat3 from_aces = mat3(1.60475, -0.10208, -0.00327, -0.53108, 1.10813, -0.07276, -0.07367, -0.00605, 1.07602);
    c = to_aces * (c / 0.6);
    vec3 a = c * (c + 0.0245786) - 0.000090537;
    vec3 b = c * (0.983729 * c + 0.4329510) + 0.238081;
    return from_aces * (a / b);
}

vec3 tone_map(vec3 c) {
#if defined(TONEMAP_ACES)
    return tone_map_aces(c);
#elif defined(TONEMAP_NONE)
    return c;  // clipped by the caller: a path tracer's "Standard" view, for comparisons
#else
    return tone_map_neutral(c);
#endif
}
