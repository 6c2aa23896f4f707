// The sun's shadow map (render/passes/sun_shadow.py): for every texel the distance from the
// light's plane to the nearest surface of the model along the sun's rays. Read by the model's
// shader (sun.glsl) and by the floor's (floor.frag), so the model shadows itself and the ground.
#ifdef SUN
#extension GL_ARB_texture_gather : enable  // vispy moves it under #version, whatever the #ifdef
uniform vec3 u_sun_direction;      // unit, towards the sun, world space
uniform sampler2D u_sun_shadow;    // r32f: nearest surface's distance from the light's plane
uniform mat4 u_sun_matrix;         // world -> (shadow map x, y in -1..1; distance from the plane)
uniform float u_sun_texel;         // world size of one shadow-map texel
#ifdef SUN_TRANSLUCENT
// BLEND and see-through surfaces in front of the opaque ones: R the nearest one's distance from the
// light's plane, A the share of the sun all of them let through (passes/sun_shadow.py).
uniform sampler2D u_sun_translucent;

// The share of the sun the see-through surfaces let through to `world` (normal `ng`, pushed off
// its surface by one and a half of this map's texels, as below), 2x2 filtered: a texel whose
// nearest see-through surface lies sunwards of the point passes its share, one whose nearest lies
// at or behind the point all of it. `own` is the share the drawn surface itself lets through (1
// for an opaque one): a see-through surface is part of its own texels' product, so it divides
// its own share out. The texels' shares are read with texelFetch, not a gather with a component
// argument, which needs GL_ARB_gpu_shader5.
float sun_through(vec3 world, vec3 towards, float own) {
    ivec2 size = textureSize(u_sun_translucent, 0);
    float texel = u_sun_texel * float(textureSize(u_sun_shadow, 0).x) / float(size.x);
    vec4 s = u_sun_matrix * vec4(world + towards * (1.5 * texel), 1.0);
    vec2 uv = s.xy * 0.5 + 0.5;
    vec4 nearest = textureGather(u_sun_translucent, uv);  // (0,1) (1,1) (1,0) (0,0) around uv
    ivec2 o = ivec2(floor(uv * vec2(size) - 0.5));
    ivec2 hi = size - 1;
    vec4 through = vec4(texelFetch(u_sun_translucent, clamp(o + ivec2(0, 1), ivec2(0), hi), 0).a,
                        texelFetch(u_sun_translucent, clamp(o + ivec2(1, 1), ivec2(0), hi), 0).a,
                        texelFetch(u_sun_translucent, clamp(o + ivec2(1, 0), ivec2(0), hi), 0).a,
                        texelFetch(u_sun_translucent, clamp(o, ivec2(0), hi), 0).a);
    vec4 passes = mix(min(through / max(own, 1e-3), vec4(1.0)), vec4(1.0), step(vec4(s.z - texel), nearest));
    vec2 g = fract(uv * vec2(size) - 0.5);
    return mix(mix(passes.w, passes.z, g.x), mix(passes.x, passes.y, g.x), g.y);
}
#endif

// The share of the sun the point `world` on a surface of geometric normal `ng` sees (0: in the
// model's shadow, 1: lit), a 2x2 percentage-closer filter from one gathered fetch. The point is
// pushed off its surface by one and a half texels along the normal, on the sun's side of it (a
// leaf seen from its shaded side still passes the light through), and compared with a bias of
// one texel: a surface then does not shadow itself where its depth falls between two texels
// ("shadow acne"). Outside the map (which holds the whole model) nothing shadows.
// With SUN_TRANSLUCENT, times what the see-through surfaces let through (sun_through; `own`: the
// share the drawn surface itself lets through, 1 for opaque surfaces and the floor).
float sun_visibility(vec3 world, vec3 ng, float own) {
    vec3 towards = dot(ng, u_sun_direction) < 0.0 ? -ng : ng;
    vec4 s = u_sun_matrix * vec4(world + towards * (1.5 * u_sun_texel), 1.0);
    vec2 size = vec2(textureSize(u_sun_shadow, 0));
    vec2 uv = s.xy * 0.5 + 0.5;
    if (any(lessThan(uv, vec2(0.0))) || any(greaterThan(uv, vec2(1.0)))) return 1.0;
    vec4 occluder = textureGather(u_sun_shadow, uv);  // (0,1) (1,1) (1,0) (0,0) around uv
    vec4 lit = step(vec4(s.z - u_sun_texel), occluder);
#ifdef SUN_TRANSLUCENT
    float share = sun_through(world, towards, own);
#else
    float share = 1.0;
#endif
    vec2 f = fract(uv * size - 0.5);
    return mix(mix(lit.w, lit.z, f.x), mix(lit.x, lit.y, f.x), f.y) * share;
}
#endif
