// The sun's shadow map (passes/sun_shadow.py): the distance of each surface from the light's
// plane along the sun's rays, in the model's units; the depth test keeps the nearest.
// A MASK material casts where its alpha passes the cutoff, as it is drawn. A BLEND material casts
// in proportion to its alpha, a see-through (KHR_materials_transmission) one in proportion to what
// it does not transmit: a texel holds it where that share beats a 4x4 ordered-dither threshold, so
// the 2x2 filter that reads the map (sun_shadow.glsl) sees that share of its texels covered (a
// half-transparent panel lets about half the sun through, as in a path tracer).
#include "material.glsl"

uniform vec3 u_eye;      // a point of the light's plane
uniform vec3 u_forward;  // along the sun's rays
out vec4 frag_color;
#ifdef TRANSMISSION
uniform float u_transmission;
#ifdef TEX_TRANSMISSION
uniform sampler2D u_tex_transmission;  // R: the transmission factor's share
uniform mat3 u_uvxf_transmission;
#endif
#endif

#if defined(ALPHA_BLEND) || defined(TRANSMISSION)
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
    float cover = 1.0;  // the share of the sun the surface stops
#if defined(ALPHA_MASK) || defined(ALPHA_BLEND)
    cover = u_base_color_factor.a;  // an OPAQUE material's alpha is ignored (glTF 2.0, alphaMode)
#ifdef HAS_COLOR
    cover *= v_color.a;
#endif
#ifdef TEX_BASE
    cover *= texture(u_tex_base, xf(u_uvxf_base, UV(UV_BASE))).a;
#endif
#endif
#ifdef ALPHA_MASK
    if (cover < u_alpha_cutoff) discard;
    cover = 1.0;
#endif
#ifdef TRANSMISSION
    float transmission = u_transmission;
#ifdef TEX_TRANSMISSION
    transmission *= texture(u_tex_transmission, xf(u_uvxf_transmission, UV(UV_TRANSMISSION))).r;
#endif
    cover *= 1.0 - transmission;
#endif
#if defined(ALPHA_BLEND) || defined(TRANSMISSION)
    if (cover < dither_threshold(gl_FragCoord.xy)) discard;
#endif
    frag_color = vec4(dot(v_world - u_eye, u_forward), 0.0, 0.0, 1.0);
}
