#version 330
// A premultiplied layer drawn over the target with "over" blending (the reflection).
in vec2 v_uv;
uniform sampler2D u_source;
out vec4 frag_color;
void main() {
    frag_color = texture(u_source, v_uv);
}
