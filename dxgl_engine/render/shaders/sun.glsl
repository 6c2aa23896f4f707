// The panorama's sun (lighting/sun.py) as a directional light, shadowed by the model itself
// through its shadow map (sun_shadow.glsl).
#include "sun_shadow.glsl"
#ifdef SUN
uniform vec3 u_sun_irradiance;     // linear RGB on a surface facing the sun
uniform float u_sun_alpha;         // GGX alpha the sun's disc adds to a surface's (a wider highlight)

// The sun's light through the glTF BRDF (punctual.glsl), unshadowed: mesh.frag multiplies by
// sun_visibility, and adds the sheen's and the coat's lobes under it.
vec3 sun_light(vec3 n, vec3 v, float nv, vec3 diffuse, vec3 f0, float a, vec3 energy) {
    return direct_light(n, v, nv, u_sun_direction, diffuse, f0, min(a + u_sun_alpha, 1.0), energy) * u_sun_irradiance;
}
#endif
