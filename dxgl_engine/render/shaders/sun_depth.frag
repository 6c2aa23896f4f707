// The sun's shadow maps (passes/sun_shadow.py): the distance of each surface from the light's
// plane along the sun's rays, in the model's units.
// Opaque map (OPAQUE and MASK items; the depth test keeps the nearest): a MASK material casts where
// its alpha passes the cutoff, as it is drawn.
// See-through map (TRANSLUCENT_LAYER: BLEND and KHR_materials_transmission items, blended): R the
// distance, kept at its minimum; A the share of the sun the surface lets through, 1 - alpha x
// (1 - transmission), multiplied over every such surface in any order.
// A half-transparent panel then lets half the sun through, as in a path tracer, evenly (a 4x4
// ordered dither in the opaque map showed its pattern in the shadow). Surfaces behind the opaque
// map's nearest one are left out: what lies behind an opaque surface is in its shadow anyway, and
// would darken the sunlit side of an opaque part inside a see-through shell with the far wall.
#include "material.glsl"

uniform vec3 u_eye;      // a point of the light's plane
uniform vec3 u_forward;  // along the sun's rays
out vec4 frag_color;
#ifdef TRANSLUCENT_LAYER
uniform sampler2D u_sun_shadow;  // the opaque map, baked first (same light, finer texels)
uniform float u_sun_texel;       // its texel's world size
uniform vec2 u_viewport;         // this map's size in texels
#endif
#ifdef TRANSMISSION
uniform float u_transmission;
#ifdef TEX_TRANSMISSION
uniform sampler2D u_tex_transmission;  // R: the transmission factor's share
uniform mat3 u_uvxf_transmission;
#endif
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
    float along = dot(v_world - u_eye, u_forward);
#ifdef TRANSLUCENT_LAYER
    if (along > texture(u_sun_shadow, gl_FragCoord.xy / u_viewport).r + 2.0 * u_sun_texel) discard;
    frag_color = vec4(along, 0.0, 0.0, 1.0 - cover);
#else
    frag_color = vec4(along, 0.0, 0.0, 1.0);
#endif
}
