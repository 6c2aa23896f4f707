#version 330
// 2x supersample reduction: one bilinear tap exactly between four texels is their box average
// (premultiplied, linear). Then sRGB encoding with straight alpha for the 8-bit readback, or,
// when a background colour is given, "over" that colour in sRGB space (as editors composite a
// straight-alpha master), so the background comes out exactly as given.
in vec2 v_uv;
uniform sampler2D u_source;
uniform bool u_has_bg;
uniform vec3 u_bg;  // sRGB, 0..1
out vec4 frag_color;

vec3 linear_to_srgb(vec3 c) {
    return mix(c * 12.92, 1.055 * pow(c, vec3(1.0 / 2.4)) - 0.055, step(0.0031308, c));
}

void main() {
    vec4 c = texture(u_source, v_uv);
    vec3 straight = c.a > 0.0 ? linear_to_srgb(clamp(c.rgb / c.a, 0.0, 1.0)) : vec3(0.0);
    frag_color = u_has_bg ? vec4(mix(u_bg, straight, c.a), 1.0) : vec4(straight, c.a);
}
