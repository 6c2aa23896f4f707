#version 330
// The invisible shadow-catcher floor: the part u_area (texture uv) of a square of half-size
// u_extent on y = u_floor_y.
in vec2 a_position;  // -1..1
uniform mat4 u_view_proj;
uniform float u_extent;
uniform float u_floor_y;
uniform vec4 u_area;  // x0, y0, x1, y1
out vec2 v_uv;
out vec3 v_world;
void main() {
    v_uv = mix(u_area.xy, u_area.zw, a_position * 0.5 + 0.5);
    vec2 xz = (v_uv * 2.0 - 1.0) * u_extent;
    v_world = vec3(xz.x, u_floor_y, xz.y);
    gl_Position = u_view_proj * vec4(v_world, 1.0);
}
