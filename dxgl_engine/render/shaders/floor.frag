#version 330
// Only the shadow shows: black with the shadow's darkness as (premultiplied) alpha, so it darkens
// whatever background the frame is composited over and survives as partial alpha.
in vec2 v_uv;
uniform sampler2D u_shadow;
out vec4 frag_color;
void main() {
    frag_color = vec4(0.0, 0.0, 0.0, texture(u_shadow, v_uv).r);
}
