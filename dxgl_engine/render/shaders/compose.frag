// The last pass: 2x supersample reduction, then the backdrop. One bilinear tap exactly between
// four texels is their box average (premultiplied, linear). The model's colour is encoded to
// sRGB with straight alpha; with a backdrop it goes "over" the background (colour or image,
// sRGB, as editors composite a straight-alpha master), then the vignette darkens the corners and
// the foreground overlay goes on top. The background is never tone-mapped: it comes out exact.
//
// Compiled with OUTPUTS n (1 to 4): one pass writes n composites of the same reduced pixel over
// n backdrops, to n colour attachments. The reduction and the sRGB encoding are paid once for a
// batch of background variants. Each output k is also compiled for its backdrop's features,
// BG_MODE<k> (0 transparent, 1 colour, 2 image), VIGNETTE<k> and FG<k> (0|1): the constants
// fold away what an output does not use. Switched off by uniforms instead, that work still cost
// llvmpipe about 2 ms per output at 960x540 (the image tap of a ?: runs whichever side is taken).
// With NO_SOURCE it writes the backdrops alone: the part of the frame where nothing was drawn.
in vec2 v_uv;                 // tile uv; with u_flip_y the GL bottom row samples the image top
uniform sampler2D u_source;
uniform float u_lod;          // 0: the 2x target reduced by one bilinear tap; k: from mip level k
uniform vec2 u_src_scale;     // the tile's share of the supersampled target
uniform vec4 u_tile;          // the tile in frame uv, GL orientation (x, y, width, height)
uniform float u_aspect;       // width / height

// Per output (literal sizes: vispy reads array sizes from the source text).
uniform vec3 u_bg[4];         // sRGB 0..1
uniform vec4 u_bg_rect[4];    // image uv = frame uv * rect.xy + rect.zw (cover + anchor crop)
uniform vec4 u_fg_rect[4];
uniform float u_vignette[4];
uniform sampler2D u_bg_image0;
uniform sampler2D u_fg_image0;
layout(location = 0) out vec4 out0;
#if OUTPUTS > 1
uniform sampler2D u_bg_image1;
uniform sampler2D u_fg_image1;
layout(location = 1) out vec4 out1;
#endif
#if OUTPUTS > 2
uniform sampler2D u_bg_image2;
uniform sampler2D u_fg_image2;
layout(location = 2) out vec4 out2;
#endif
#if OUTPUTS > 3
uniform sampler2D u_bg_image3;
uniform sampler2D u_fg_image3;
layout(location = 3) out vec4 out3;
#endif

vec3 linear_to_srgb(vec3 c) {
    return mix(c * 12.92, 1.055 * pow(c, vec3(1.0 / 2.4)) - 0.055, step(0.0031308, c));
}

vec4 over_backdrop(int k, sampler2D bg_image, sampler2D fg_image, vec3 model, float alpha, vec2 frame,
                  int mode, int vignette, int fg) {
    if (mode == 0) return vec4(model, alpha);
    vec3 bg = mode == 2 ? texture(bg_image, frame * u_bg_rect[k].xy + u_bg_rect[k].zw).rgb : u_bg[k];
    vec3 color = mix(bg, model, alpha);
    if (vignette != 0) {
        vec2 d = (frame - 0.5) * vec2(max(u_aspect, 1.0), max(1.0 / u_aspect, 1.0));
        float r = length(d) / length(vec2(max(u_aspect, 1.0), max(1.0 / u_aspect, 1.0)) * 0.5);
        color *= 1.0 - u_vignette[k] * 0.85 * smoothstep(0.35, 1.0, r);
    }
    if (fg != 0) {
        vec4 f = texture(fg_image, frame * u_fg_rect[k].xy + u_fg_rect[k].zw);
        color = mix(color, f.rgb, f.a);
    }
    return vec4(color, 1.0);
}

void main() {
#ifdef NO_SOURCE
    vec4 c = vec4(0.0);  // outside the part drawn this frame: backdrop alone
#else
    vec4 c = textureLod(u_source, v_uv * u_src_scale, u_lod);
#endif
    vec2 frame_gl = u_tile.xy + v_uv * u_tile.zw;
    vec2 frame = vec2(frame_gl.x, 1.0 - frame_gl.y);  // frame uv from the top-left corner, as images are stored
    vec3 model = vec3(0.0);
    if (c.a > 0.0) model = linear_to_srgb(clamp(c.rgb / c.a, 0.0, 1.0));  // a real branch: most pixels are empty
    out0 = over_backdrop(0, u_bg_image0, u_fg_image0, model, c.a, frame, BG_MODE0, VIGNETTE0, FG0);
#if OUTPUTS > 1
    out1 = over_backdrop(1, u_bg_image1, u_fg_image1, model, c.a, frame, BG_MODE1, VIGNETTE1, FG1);
#endif
#if OUTPUTS > 2
    out2 = over_backdrop(2, u_bg_image2, u_fg_image2, model, c.a, frame, BG_MODE2, VIGNETTE2, FG2);
#endif
#if OUTPUTS > 3
    out3 = over_backdrop(3, u_bg_image3, u_fg_image3, model, c.a, frame, BG_MODE3, VIGNETTE3, FG3);
#endif
}
