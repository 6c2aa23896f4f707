// glTF 2.0 metallic-roughness BRDF lit by a studio environment (image-based lighting: SH9
// irradiance, GGX-prefiltered radiance, split-sum LUT) plus the model's punctual lights.
// Output: tone-mapped linear colour, premultiplied by alpha.
//
// Compiled per feature set, so a material pays only for what it uses:
//   TEX_<SLOT> with UV_<SLOT> 0|1, OCCLUSION_IN_MR, HAS_COLOR, HAS_TANGENT, ALPHA_MASK, ALPHA_BLEND,
//   UNLIT, CLEARCOAT, SHEEN, SPECULAR, TRANSMISSION, PUNCTUAL_LIGHTS n, TONEMAP_ACES, MIRROR.
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
uniform float u_f0;               // dielectric reflectance at normal incidence, from KHR_materials_ior

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
#ifdef CLEARCOAT
uniform float u_clearcoat;
uniform float u_clearcoat_roughness;
#endif
#ifdef SHEEN
uniform vec3 u_sheen_color;
uniform float u_sheen_roughness;
#endif
#ifdef SPECULAR
uniform float u_specular;
uniform vec3 u_specular_color;
#endif
#ifdef TRANSMISSION
uniform float u_transmission;
uniform float u_ior;
#endif
#ifdef PUNCTUAL_LIGHTS
// KHR_lights_punctual, per light: position (w = 1) or direction towards the light (w = 0);
// colour * intensity; the spot's direction (w = 1 for a spot); (range or 0, cone scale, offset).
uniform vec4 u_light_pos[8];    // a literal size: vispy reads array sizes from the source text
uniform vec3 u_light_color[8];
uniform vec4 u_light_spot[8];
uniform vec3 u_light_cone[8];
#endif

#ifdef MIRROR
uniform vec2 u_mirror;            // reflection strength at the floor, fade length (world units)
#endif

uniform sampler3D u_env;          // prefiltered radiance, one slice per roughness level
uniform float u_env_levels;
uniform vec3 u_sh[9];             // irradiance SH, band convolution already applied
uniform sampler2D u_brdf_lut;     // (A, B) by (NdotV, roughness)

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

// Khronos PBR Neutral: base colours below the compression knee pass unchanged.
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

// ACES filmic, as fitted by Stephen Hill (sRGB primaries in and out).
vec3 tone_map_aces(vec3 c) {
    const mat3 to_aces = mat3(0.59719, 0.07600, 0.02840, 0.35458, 0.90834, 0.13383, 0.04823, 0.01566, 0.83777);
    const mat3 from_aces = mat3(1.60475, -0.10208, -0.00327, -0.53108, 1.10813, -0.07276, -0.07367, -0.00605, 1.07602);
    c = to_aces * (c / 0.6);
    vec3 a = c * (c + 0.0245786) - 0.000090537;
    vec3 b = c * (0.983729 * c + 0.4329510) + 0.238081;
    return from_aces * (a / b);
}

// Octahedral map of a direction (Y up): cheaper than an equirectangular lookup, which needs
// atan and asin per pixel; ibl.octahedral_directions() is its inverse.
vec2 oct_uv(vec3 d) {
    vec3 p = d / (abs(d.x) + abs(d.y) + abs(d.z));
    vec2 q = p.xz;
    if (p.y < 0.0) q = (1.0 - abs(p.zx)) * vec2(p.x >= 0.0 ? 1.0 : -1.0, p.z >= 0.0 ? 1.0 : -1.0);
    return q * 0.5 + 0.5;
}

vec3 env_radiance(vec3 dir, float rough) {
    float w = (rough * (u_env_levels - 1.0) + 0.5) / u_env_levels;
    return texture(u_env, vec3(oct_uv(dir), w)).rgb;
}

vec3 env_irradiance(vec3 n) {
    return max(u_sh[0] * 0.282095
        + u_sh[1] * (0.488603 * n.y) + u_sh[2] * (0.488603 * n.z) + u_sh[3] * (0.488603 * n.x)
        + u_sh[4] * (1.092548 * n.x * n.y) + u_sh[5] * (1.092548 * n.y * n.z)
        + u_sh[6] * (0.315392 * (3.0 * n.z * n.z - 1.0)) + u_sh[7] * (1.092548 * n.x * n.z)
        + u_sh[8] * (0.546274 * (n.x * n.x - n.y * n.y)), vec3(0.0));
}

vec3 shading_normal(vec3 n) {
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

#ifdef PUNCTUAL_LIGHTS
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

vec3 punctual(vec3 n, vec3 v, float nv, vec3 diffuse, vec3 f0, float a) {
    vec3 sum = vec3(0.0);
    for (int i = 0; i < PUNCTUAL_LIGHTS; ++i) {
        vec3 l = u_light_pos[i].xyz;
        float atten = 1.0;
        if (u_light_pos[i].w > 0.5) {
            vec3 to = l - v_world;
            float d2 = max(dot(to, to), 1e-8);
            l = to * inversesqrt(d2);
            float range = u_light_cone[i].x;
            if (range > 0.0) atten = clamp(1.0 - pow(d2 / (range * range), 2.0), 0.0, 1.0);
            atten /= d2;
            if (u_light_spot[i].w > 0.5) {  // spot: smooth falloff between the cone angles
                float t = clamp(dot(u_light_spot[i].xyz, -l) * u_light_cone[i].y + u_light_cone[i].z, 0.0, 1.0);
                atten *= t * t;
            }
        }
        float nl = dot(n, l);
        if (nl <= 0.0) continue;
        vec3 h = normalize(l + v);
        float vh = max(dot(v, h), 0.0);
        float fw = 1.0 - vh;
        vec3 f = f0 + (1.0 - f0) * (fw * fw * fw * fw * fw);
        vec3 spec = f * (d_ggx(max(dot(n, h), 0.0), a) * v_smith_ggx(nl, nv, a));
        sum += ((1.0 - f) * diffuse / PI + spec) * u_light_color[i] * (nl * atten);
    }
    return sum;
}
#endif

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
    rough = clamp(rough, 0.03, 1.0);
    vec3 ng = normalize(v_normal);
    if (!gl_FrontFacing) ng = -ng;   // double-sided: light the back face with its own normal
    vec3 n = shading_normal(ng);
    vec3 v = normalize(u_eye - v_world);
    float nv = clamp(dot(n, v), 1e-4, 1.0);
    vec3 r = reflect(-v, n);

    vec3 dielectric_f0 = vec3(u_f0);
    float f90 = 1.0;
#ifdef SPECULAR
    dielectric_f0 = min(dielectric_f0 * u_specular_color, vec3(1.0)) * u_specular;
    f90 = u_specular;
#endif
    vec3 f0 = mix(dielectric_f0, base.rgb, metallic);
    vec2 ab = texture(u_brdf_lut, vec2(nv, rough)).rg;
    // Directional specular albedo, with the energy a single-scattering GGX lobe loses at high
    // roughness given back (divided by A + B): rough metals keep their brightness, and a matte
    // dielectric reflects F0 at normal incidence, which the neutral tone mapper expects.
    vec3 fr = (f0 * ab.x + mix(f90, 1.0, metallic) * ab.y) / max(ab.x + ab.y, 0.05);
    vec3 diffuse = base.rgb * (1.0 - metallic);

    float ao = 1.0;
#if defined(OCCLUSION_IN_MR)
    ao = 1.0 + u_occlusion_strength * (mr.r - 1.0);
#elif defined(TEX_OCCLUSION)
    ao = 1.0 + u_occlusion_strength * (texture(u_tex_occlusion, xf(u_uvxf_occlusion, UV(UV_OCCLUSION))).r - 1.0);
#endif
    vec3 irradiance = env_irradiance(n);
    vec3 specular = env_radiance(r, rough) * fr;
    vec3 color = (diffuse * (1.0 - fr) * irradiance / PI + specular) * ao;

#ifdef TRANSMISSION
    // Thin-walled glass approximation: the refracted studio (blurred by roughness) tinted by the
    // base colour replaces diffuse; the backdrop shows through the alpha set below.
    vec3 refracted = env_radiance(refract(-v, n, 1.0 / u_ior), rough) * base.rgb;
    color = mix(color, specular + refracted * (1.0 - fr) * 0.35, u_transmission * (1.0 - metallic));
#endif
#ifdef SHEEN
    // Cloth sheen: a grazing-angle lobe of the sheen colour lit by the surrounding irradiance (a
    // rough lobe sees the blurred studio), energy taken from the base layer.
    float sheen_albedo = (0.2 + 0.25 * u_sheen_roughness) * (1.0 - nv * 0.5);
    float sheen_max = max(u_sheen_color.r, max(u_sheen_color.g, u_sheen_color.b));
    float grazing = (1.0 - nv) * (1.0 - nv);
    color = color * (1.0 - sheen_max * sheen_albedo)
          + u_sheen_color * irradiance / PI * (sheen_albedo * grazing * 2.0) * ao;
#endif
#ifdef CLEARCOAT
    // A clear varnish on the geometric normal: its own reflection, and the base seen through it.
    float ccnv = clamp(dot(ng, v), 1e-4, 1.0);
    float ccr = clamp(u_clearcoat_roughness, 0.03, 1.0);
    vec2 ccab = texture(u_brdf_lut, vec2(ccnv, ccr)).rg;
    float ccf = 0.04 * ccab.x + ccab.y;
    color = color * (1.0 - u_clearcoat * ccf) + u_clearcoat * env_radiance(reflect(-v, ng), ccr) * ccf * ao;
#endif
#ifdef PUNCTUAL_LIGHTS
    color += punctual(n, v, nv, diffuse, f0, rough * rough);
#endif
#endif
    vec3 emissive = u_emissive;
#ifdef TEX_EMISSIVE
    emissive *= srgb_to_linear(texture(u_tex_emissive, xf(u_uvxf_emissive, UV(UV_EMISSIVE))).rgb);
#endif
#ifdef UNLIT
    color += emissive;  // unlit: the base colour as authored, not exposed or tone-mapped
#else
    color = (color + emissive) * u_exposure;
#ifdef TONEMAP_ACES
    color = tone_map_aces(color);
#else
    color = tone_map_neutral(color);
#endif
#endif
#if defined(TRANSMISSION) && !defined(UNLIT)
    alpha *= 1.0 - 0.65 * u_transmission * (1.0 - metallic) * (1.0 - max(fr.r, max(fr.g, fr.b)));
#endif
#ifdef MIRROR
    // The reflection below the floor fades with depth; nothing of it may rise above the floor.
    if (v_world.y > 1e-4 * u_mirror.y) discard;
    alpha *= u_mirror.x * exp(v_world.y / u_mirror.y);
#endif
    frag_color = vec4(clamp(color, 0.0, 1.0) * alpha, alpha);
}
