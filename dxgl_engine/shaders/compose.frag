#version 330
// The last pass: 2x supersample reduction, then the backdrop. One bilinear tap exactly between
// four texels is their box average (premultiplied, linear). The model's colour is encoded to
// sRGB with straight alpha; with a backdrop it goes "over" the background (colour or image,
// sRGB, as editors composite a straight-alpha master), then the vignette darkens the corners and
// the foreground overlay goes on top. The background is never tone-mapped: it comes out exact.
in vec2 v_uv;                 // tile uv; with u_flip_y the GL bottom row samples the image top
uniform sampler2D u_source;
uniform float u_lod;          // 0: the 2x target reduced by one bilinear tap; k: from mip level k
uniform vec2 u_src_scale;     // the tile's share of the supersampled target
uniform vec4 u_tile;          // the tile in frame uv, GL orientation (x, y, width, height)
uniform int u_bg_mode;        // 0 transparent, 1 colour, 2 image
uniform vec3 u_bg;            // sRGB 0..1
uniform sampler2D u_bg_image;
uniform vec4 u_bg_rect;       // image uv = frame uv * rect.xy + rect.zw (cover + anchor crop)
uniform bool u_has_fg;
uniform sampler2D u_fg_image;
uniform vec4 u_fg_rect;
uniform float u_vignette;
uniform float u_aspect;       // width / height
out vec4 frag_color;

vec3 linear_to_srgb(vec3 c) {
    return mix(c * 12.92, 1.055 * pow(c, vec3(1.0 / 2.4)) - 0.055, step(0.0031308, c));
}

void main() {
    vec4 c = textureLod(u_source, v_uv * u_src_scale, u_lod);
    vec2 frame_gl = u_tile.xy + v_uv * u_tile.zw;
    vec2 frame = vec2(frame_gl.x, 1.0 - frame_gl.y);  // frame uv from the top-left corner, as images are stored
    vec3 model = vec3(0.0);
    if (c.a > 0.0) model = linear_to_srgb(clamp(c.rgb / c.a, 0.0, 1.0));  // a real branch: most pixels are empty
    if (u_bg_mode == 0) {
        frag_color = vec4(model, c.a);
        return;
    }
    vec3 bg = u_bg_mode == 2 ? texture(u_bg_image, frame * u_bg_rect.xy + u_bg_rect.zw).rgb : u_bg;
    vec3 color = mix(bg, model, c.a);
    if (u_vignette > 0.0) {
        vec2 d = (frame - 0.5) * vec2(max(u_aspect, 1.0), max(1.0 / u_aspect, 1.0));
        float r = length(d) / length(vec2(max(u_aspect, 1.0), max(1.0 / u_aspect, 1.0)) * 0.5);
        color *= 1.0 - u_vignette * 0.85 * smoothstep(0.35, 1.0, r);
    }
    if (u_has_fg) {
        vec4 fg = texture(u_fg_image, frame * u_fg_rect.xy + u_fg_rect.zw);
        color = mix(color, fg.rgb, fg.a);
    }
    frag_color = vec4(color, 1.0);
}
