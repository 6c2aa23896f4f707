// glTF metallic-roughness material under a fixed studio rig: three directional lights and a
// sky/ground hemisphere. Output is tone-mapped linear colour, premultiplied by alpha.
// Compiled per feature set: TEX_<SLOT> (texture present, with UV_<SLOT> 0/1 its set),
// OCCLUSION_IN_MR (ORM packing: one fetch for both), HAS_COLOR, HAS_TANGENT, ALPHA_MASK,
// ALPHA_BLEND, UNLIT.
in vec3 v_world;
in vec3 v_normal;
#ifdef HAS_UV0
in vec2 v_uv0;
#endif
#ifdef HAS_UV1
in vec2 v_uv1;
#endif
#ifdef HAS_COLOR
in vec4 v_color;
#endif
#ifdef HAS_TANGENT
in vec4 v_tangent;
#endif

uniform vec3 u_eye;
uniform vec4 u_base_color_factor;
uniform float u_metallic;
uniform float u_roughness;
uniform vec3 u_emissive;          // factor * KHR_materials_emissive_strength
uniform float u_alpha_cutoff;
uniform float u_exposure;

#ifdef TEX_BASE
uniform sampler2D u_tex_base;
uniform mat3 u_uvxf_base;
#endif
#ifdef TEX_MR
uniform sampler2D u_tex_mr;
uniform mat3 u_uvxf_mr;
#endif
#ifdef TEX_NORMAL
uniform sampler2D u_tex_normal;
uniform mat3 u_uvxf_normal;
uniform float u_normal_scale;
#endif
#ifdef TEX_OCCLUSION
uniform sampler2D u_tex_occlusion;
uniform mat3 u_uvxf_occlusion;
#endif
#if defined(TEX_OCCLUSION) || defined(OCCLUSION_IN_MR)
uniform float u_occlusion_strength;
#endif
#ifdef TEX_EMISSIVE
uniform sampler2D u_tex_emissive;
uniform mat3 u_uvxf_emissive;
#endif

uniform vec3 u_light_dir[3];      // direction towards each light, world space
uniform vec3 u_light_color[3];    // radiance
uniform vec3 u_sky;               // uniform radiance of the upper / lower hemisphere
uniform vec3 u_ground;

out vec4 frag_color;

const float PI = 3.14159265359;

#define UV(set) ((set) == 1 ? UV1 : UV0)
#ifdef HAS_UV0
#define UV0 v_uv0
#else
#define UV0 vec2(0.0)
#endif
#ifdef HAS_UV1
#define UV1 v_uv1
#else
#define UV1 vec2(0.0)
#endif

vec2 xf(mat3 m, vec2 uv) {
    return (m * vec3(uv, 1.0)).xy;
}

vec3 srgb_to_linear(vec3 c) {
    return mix(c / 12.92, pow((c + 0.055) / 1.055, vec3(2.4)), step(0.04045, c));
}

// Khronos PBR Neutral: leaves base colours below the compression knee untouched.
vec3 tone_map_neutral(vec3 c) {
    const float knee = 0.76;
    const float desat = 0.15;
    float lo = min(c.r, min(c.g, c.b));
    c -= lo < 0.08 ? lo - 6.25 * lo * lo : 0.04;
    float peak = max(c.r, max(c.g, c.b));
    if (peak < knee) return c;
    float d = 1.0 - knee;
    float new_peak = 1.0 - d * d / (peak + d - knee);
    c *= new_peak / peak;
    float g = 1.0 - 1.0 / (desat * (peak - new_peak) + 1.0);
    return mix(c, vec3(new_peak), g);
}

vec3 shading_normal() {
    vec3 n = normalize(v_normal);
    if (!gl_FrontFacing) n = -n;   // double-sided: light the back face with its own normal
#ifdef TEX_NORMAL
    vec2 uv = xf(u_uvxf_normal, UV(UV_NORMAL));
#ifdef HAS_TANGENT
    vec3 t = normalize(v_tangent.xyz - n * dot(n, v_tangent.xyz));
    vec3 b = cross(n, t) * (v_tangent.w < 0.0 ? -1.0 : 1.0);
    if (!gl_FrontFacing) { t = -t; b = -b; }
#else
    // Cotangent frame from screen-space derivatives when the primitive has no tangents.
    vec3 dp1 = dFdx(v_world), dp2 = dFdy(v_world);
    vec2 du1 = dFdx(uv), du2 = dFdy(uv);
    vec3 dp2p = cross(dp2, n), dp1p = cross(n, dp1);
    vec3 t = dp2p * du1.x + dp1p * du2.x;
    vec3 b = dp2p * du1.y + dp1p * du2.y;
    float inv = inversesqrt(max(max(dot(t, t), dot(b, b)), 1e-20));
    t *= inv; b *= inv;
#endif
    vec3 tn = texture(u_tex_normal, uv).xyz * 2.0 - 1.0;
    tn.xy *= u_normal_scale;
    n = normalize(mat3(t, b, n) * tn);
#endif
    return n;
}

float d_ggx(float nh, float a) {
    float a2 = a * a;
    float f = nh * nh * (a2 - 1.0) + 1.0;
    return a2 / (PI * f * f);
}

float v_smith_ggx(float nl, float nv, float a) {
    float a2 = a * a;
    float gv = nl * sqrt(nv * nv * (1.0 - a2) + a2);
    float gl = nv * sqrt(nl * nl * (1.0 - a2) + a2);
    return 0.5 / max(gv + gl, 1e-5);
}

void main() {
    vec4 base = u_base_color_factor;
#ifdef HAS_COLOR
    base *= v_color;
#endif
#ifdef TEX_BASE
    vec4 tb = texture(u_tex_base, xf(u_uvxf_base, UV(UV_BASE)));
    base *= vec4(srgb_to_linear(tb.rgb), tb.a);
#endif
#if defined(ALPHA_BLEND)
    float alpha = base.a;
#elif defined(ALPHA_MASK)
    if (base.a < u_alpha_cutoff) discard;
    float alpha = 1.0;
#else
    float alpha = 1.0;
#endif

#ifdef UNLIT
    vec3 color = base.rgb;
#else
    float metallic = u_metallic, rough = u_roughness;
#ifdef TEX_MR
    vec4 mr = texture(u_tex_mr, xf(u_uvxf_mr, UV(UV_MR)));
    rough *= mr.g;
    metallic *= mr.b;
#endif
    rough = clamp(rough, 0.04, 1.0);
    float a = rough * rough;
    vec3 n = shading_normal();
    vec3 v = normalize(u_eye - v_world);
    float nv = max(dot(n, v), 1e-4);
    vec3 f0 = mix(vec3(0.04), base.rgb, metallic);
    vec3 diffuse = base.rgb * (1.0 - metallic);

    vec3 color = vec3(0.0);
    for (int i = 0; i < 3; ++i) {
        vec3 l = u_light_dir[i];
        float nl = dot(n, l);
        if (nl <= 0.0) continue;
        vec3 h = normalize(l + v);
        float vh = max(dot(v, h), 0.0);
        float fw = 1.0 - vh;
        float fw2 = fw * fw;
        vec3 f = f0 + (1.0 - f0) * (fw2 * fw2 * fw);
        vec3 spec = f * (d_ggx(max(dot(n, h), 0.0), a) * v_smith_ggx(nl, nv, a));
        color += ((1.0 - f) * diffuse / PI + spec) * u_light_color[i] * nl;
    }
    // Hemisphere ambient with an analytic split-sum for the specular part.
    vec3 irradiance = mix(u_ground, u_sky, 0.5 + 0.5 * n.y);
    vec3 r = reflect(-v, n);
    vec3 env = mix(u_ground, u_sky, clamp(0.5 + 0.5 * mix(r.y, n.y, a), 0.0, 1.0));
    vec4 rr = rough * vec4(-1.0, -0.0275, -0.572, 0.022) + vec4(1.0, 0.0425, 1.04, -0.04);
    float a004 = min(rr.x * rr.x, exp2(-9.28 * nv)) * rr.x + rr.y;
    vec2 ab = vec2(-1.04, 1.04) * a004 + rr.zw;
    vec3 ambient = diffuse * irradiance + env * (f0 * ab.x + ab.y);
#if defined(OCCLUSION_IN_MR)
    ambient *= 1.0 + u_occlusion_strength * (mr.r - 1.0);
#elif defined(TEX_OCCLUSION)
    float occ = texture(u_tex_occlusion, xf(u_uvxf_occlusion, UV(UV_OCCLUSION))).r;
    ambient *= 1.0 + u_occlusion_strength * (occ - 1.0);
#endif
    color += ambient;
#endif
    vec3 emissive = u_emissive;
#ifdef TEX_EMISSIVE
    emissive *= srgb_to_linear(texture(u_tex_emissive, xf(u_uvxf_emissive, UV(UV_EMISSIVE))).rgb);
#endif
    color = tone_map_neutral((color + emissive) * u_exposure);
    frag_color = vec4(clamp(color, 0.0, 1.0) * alpha, alpha);
}
