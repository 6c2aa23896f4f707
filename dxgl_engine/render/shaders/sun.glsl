// The panorama's sun (lighting/sun.py) as a directional light, shadowed by the model itself
// through the shadow map render/passes/sun_shadow.py bakes: for every texel the distance from the
// light's plane to the nearest surface along the sun's rays.
#ifdef SUN
#extension GL_ARB_texture_gather : require
uniform vec3 u_sun_direction;      // unit, towards the sun, world space
uniform vec3 u_sun_irradiance;     // linear RGB on a surface facing the sun
uniform float u_sun_alpha;         // GGX alpha the sun's disc adds to a surface's (a wider highlight)
uniform sampler2D u_sun_shadow;    // r32f: nearest surface's distance from the light's plane
uniform mat4 u_sun_matrix;         // world -> (shadow map x, y in -1..1; distance from the plane)
uniform float u_sun_texel;         // world size of one shadow-map texel

// The share of the sun a point sees (0: in the model's shadow, 1: lit), a 2x2 percentage-closer
// filter from one gathered fetch. The point is pushed off its surface by one and a half texels
// along the geometric normal, and compared with a bias of one texel: a surface then does not
// shadow itself where its depth falls between two texels ("shadow acne").
float sun_visibility(vec3 ng) {
    vec4 s = u_sun_matrix * vec4(v_world + ng * (1.5 * u_sun_texel), 1.0);
    vec2 size = vec2(textureSize(u_sun_shadow, 0));
    vec2 uv = s.xy * 0.5 + 0.5;
    vec4 occluder = textureGather(u_sun_shadow, uv);    // (0,1) (1,1) (1,0) (0,0) around uv
    vec4 lit = step(vec4(s.z - u_sun_texel), occluder);
    vec2 f = fract(uv * size - 0.5);
    return mix(mix(lit.w, lit.z, f.x), mix(lit.x, lit.y, f.x), f.y);
}

// The sun's light through the glTF BRDF (punctual.glsl), unshadowed: mesh.frag multiplies by
// sun_visibility, and adds the sheen's and the coat's lobes under it.
vec3 sun_light(vec3 n, vec3 v, float nv, vec3 diffuse, vec3 f0, float a, vec3 energy) {
    return direct_light(n, v, nv, u_sun_direction, diffuse, f0, min(a + u_sun_alpha, 1.0), energy) * u_sun_irradiance;
}
#endif
