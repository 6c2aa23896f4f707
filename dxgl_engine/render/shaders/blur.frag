#version 330
// One direction of a separable 9-tap Gaussian (sigma about 2 texels), on premultiplied colour.
in vec2 v_uv;
uniform sampler2D u_source;
uniform vec2 u_step;  // one texel along the blur direction, in uv
out vec4 frag_color;
void main() {
    const float w0 = 0.2270270270, w1 = 0.1945945946, w2 = 0.1216216216, w3 = 0.0540540541, w4 = 0.0162162162;
    vec4 c = texture(u_source, v_uv) * w0;
    c += (texture(u_source, v_uv + u_step) + texture(u_source, v_uv - u_step)) * w1;
    c += (texture(u_source, v_uv + 2.0 * u_step) + texture(u_source, v_uv - 2.0 * u_step)) * w2;
    c += (texture(u_source, v_uv + 3.0 * u_step) + texture(u_source, v_uv - 3.0 * u_step)) * w3;
    c += (texture(u_source, v_uv + 4.0 * u_step) + texture(u_source, v_uv - 4.0 * u_step)) * w4;
    frag_color = c;
}
