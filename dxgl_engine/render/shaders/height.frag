// Shadow bake: the world height of the lowest surface above each floor texel (the top-down
// camera looks up from below, so the depth test keeps the lowest one).
in vec3 v_world;
out vec4 frag_color;
void main() {
    frag_color = vec4(v_world.y, 0.0, 0.0, 1.0);
}
