// The sun's shadow map (passes/sun_shadow.py): the distance of each surface from the light's
// plane along the sun's rays, in the model's units; the depth test keeps the nearest.
// A MASK material casts where its alpha passes the cutoff, as it is drawn. A BLEND material casts
// in proportion to its alpha: a texel holds it where its alpha beats a 4x4 ordered-dither
// threshold, so the 2x2 filter that reads the map (sun.glsl) sees that share of its texels
// covered (a half-transparent panel lets about half the sun through, as in a path tracer).
#include "material.glsl"

uniform vec3 u_eye;      // a point of the light's plane
uniform vec3 u_forward;  // along the sun's rays
out vec4 frag_color;

#ifdef ALPHA_BLEND
// Bayer's 4x4 ordered-dither matrix, thresholds (k + 0.5) / 16.
float dither_threshold(vec2 texel) {
    ivec2 p = ivec2(mod(texel, 4.0));
    int k = (p.x == 0 ? (p.y == 0 ? 0 : p.y == 1 ? 12 : p.y == 2 ? 3 : 15)
           : p.x == 1 ? (p.y == 0 ? 8 : p.y == 1 ? 4 : p.y == 2 ? 11 : 7)
           : p.x == 2 ? (p.y == 0 ? 2 : p.y == 1 ? 14 : p.y == 2 ? 1 : 13)
           : (p.y == 0 ? 10 : p.y == 1 ? 6 : p.y == 2 ? 9 : 5));
    return (float(k) + 0.5) / 16.0;
}
#endif

void main() {
#if defined(ALPHA_MASK) || defined(ALPHA_BLEND)
    float alpha = u_base_color_factor.a;
#ifdef HAS_COLOR
    alpha *= v_color.a;
#endif
#ifdef TEX_BASE
    alpha *= texture(u_tex_base, xf(u_uvxf_base, UV(UV_BASE))).a;
#endif
#ifdef ALPHA_MASK
    if (alpha < u_alpha_cutoff) discard;
#else
    if (alpha < dither_threshold(gl_FragCoord.xy)) discard;
#endif
#endif
    frag_color = vec4(dot(v_world - u_eye, u_forward), 0.0, 0.0, 1.0);
}
