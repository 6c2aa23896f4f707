#version 330
// One triangle covering the viewport; v_uv runs 0..1 over the visible part.
in vec2 a_position;
uniform bool u_flip_y;
out vec2 v_uv;
void main() {
    v_uv = a_position * 0.5 + 0.5;
    if (u_flip_y) v_uv.y = 1.0 - v_uv.y;
    gl_Position = vec4(a_position, 0.0, 1.0);
}
