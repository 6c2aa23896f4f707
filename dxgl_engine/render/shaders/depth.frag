// Dataset depth: distance from the camera plane along its forward axis (view-space z), in the
// model's units.
in vec3 v_world;
uniform vec3 u_eye;
uniform vec3 u_forward;
out vec4 frag_color;
void main() {
    frag_color = vec4(dot(v_world - u_eye, u_forward), 0.0, 0.0, 1.0);
}
