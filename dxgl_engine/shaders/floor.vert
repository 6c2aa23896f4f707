#version 330
// The invisible shadow-catcher floor: a square of half-size u_extent on y = u_floor_y.
in vec2 a_position;  // -1..1
uniform mat4 u_view_proj;
uniform float u_extent;
uniform float u_floor_y;
out vec2 v_uv;
void main() {
    v_uv = a_position * 0.5 + 0.5;
    gl_Position = u_view_proj * vec4(a_position.x * u_extent, u_floor_y, a_position.y * u_extent, 1.0);
}
