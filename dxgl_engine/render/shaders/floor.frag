// Only the shadow shows: black with the shadow's darkness as (premultiplied) alpha, so it darkens
// whatever background the frame is composited over and survives as partial alpha. Under a
// panorama's sun (SUN) the model's shadow along the sun's rays joins the baked one.
#include "sun_shadow.glsl"
in vec2 v_uv;
in vec3 v_world;
uniform sampler2D u_shadow;
#ifdef SUN
uniform float u_sun_darkness;  // the full sun shadow's darkness (passes/shadow.py)
#endif
out vec4 frag_color;
void main() {
    float darkness = texture(u_shadow, v_uv).r;
#ifdef SUN
    float sun = u_sun_darkness * (1.0 - sun_visibility(v_world, vec3(0.0, 1.0, 0.0), 1.0));
    darkness = 1.0 - (1.0 - darkness) * (1.0 - sun);
#endif
    frag_color = vec4(0.0, 0.0, 0.0, darkness);
}
