#version 330
// A premultiplied layer drawn over the target with "over" blending (the reflection).
in vec2 v_uv;
uniform sampler2D u_source;
uniform vec4 u_tile;  // the part of the layer this target shows (frame uv, GL orientation)
out vec4 frag_color;
void main() {
    frag_color = texture(u_source, u_tile.xy + v_uv * u_tile.zw);
}
