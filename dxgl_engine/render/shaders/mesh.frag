// glTF 2.0 metallic-roughness BRDF lit by a studio environment (image-based lighting: SH9
// irradiance, GGX-prefiltered radiance, split-sum LUT), the panorama's sun where it has one, and
// the model's punctual lights.
// Output: tone-mapped linear colour, premultiplied by alpha.
//
// Compiled per feature set, so a material pays only for what it uses:
//   TEX_<SLOT> with UV_<SLOT> 0|1, OCCLUSION_IN_MR, HAS_COLOR, HAS_TANGENT, ALPHA_MASK, ALPHA_BLEND,
//   UNLIT, CLEARCOAT, SHEEN, SPECULAR, TRANSMISSION (with TRANSMISSION_BEHIND, VOLUME, DISPERSION),
//   IRIDESCENCE, ANISOTROPY, DIFFUSE_TRANSMISSION,
//   PUNCTUAL_LIGHTS n, SUN, TONEMAP_ACES | TONEMAP_NONE | DIELECTRIC_KEEPS_F0 (from the Look), MIRROR.
// Each concern is a file of its own, included here; a material extension is a function that
// exists only under its define. Those the punctual lights use come before punctual.glsl.
#include "material.glsl"
#include "normals.glsl"
#include "brdf.glsl"
#include "ibl.glsl"
#include "extensions/iridescence.glsl"
#include "extensions/anisotropy.glsl"
#include "extensions/diffuse_transmission.glsl"
#include "punctual.glsl"
#include "sun.glsl"
#include "tonemapping.glsl"
#include "extensions/specular.glsl"
#include "extensions/transmission.glsl"
#include "extensions/sheen.glsl"
#include "extensions/clearcoat.glsl"
#include "mirror.glsl"

uniform vec3 u_eye;

out vec4 frag_color;

#ifdef PUNCTUAL_LIGHTS
// The model's lights, each once: the glTF BRDF's light into `base`, and apart from it the sheen's
// and the coat's lobes, which main() adds after those layers have dimmed what lies below them.
void punctual_layers(vec3 n, vec3 ng, vec3 v, float nv, vec3 diffuse, vec3 f0, float a, vec3 energy,
                     out vec3 base, out vec3 sheen, out vec3 coat) {
    base = vec3(0.0);
    sheen = vec3(0.0);
    coat = vec3(0.0);
    for (int i = 0; i < PUNCTUAL_LIGHTS; ++i) {
        vec3 l;
        vec3 irradiance = punctual_light(i, l);
        base += direct_light(n, v, nv, l, diffuse, f0, a, energy) * irradiance;
#ifdef SHEEN
        sheen += sheen_light(n, v, l, nv) * irradiance;
#endif
#ifdef CLEARCOAT
        coat += clearcoat_light(ng, v, l, 0.0) * irradiance;  // a point: no size to widen the highlight
#endif
    }
}
#endif

void main() {
    vec4 base = u_base_color_factor;
#ifdef HAS_COLOR
    base *= v_color;
#endif
#ifdef TEX_BASE
    vec4 tb = texture(u_tex_base, xf(u_uvxf_base, UV(UV_BASE)));
    base *= tb;  // an sRGB texture: the sampler decoded it to linear
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
    vec3 r = specular_dominant_direction(n, reflect(-v, n), rough);

    vec3 dielectric_f0 = vec3(u_f0);
    float f90 = 1.0;
#ifdef SPECULAR
    apply_specular(dielectric_f0, f90);
#endif
    vec3 f0 = mix(dielectric_f0, base.rgb, metallic);
    vec3 single_scattering;
    vec3 fr = specular_albedo(dielectric_f0, f90, base.rgb, metallic, nv, rough, single_scattering);
    vec3 energy = fr / max(single_scattering, vec3(1e-4));  // the direct lights' lobe scale (ibl.glsl)
    vec3 diffuse = base.rgb * (1.0 - metallic);
#ifdef TRANSMISSION_BEHIND
    float transmission = transmission_factor() * (1.0 - metallic);
    diffuse *= 1.0 - transmission;  // the share of the diffuse lobe the BTDF takes (KHR_materials_transmission)
#endif

    float ao = 1.0;
#if defined(OCCLUSION_IN_MR)
    ao = 1.0 + u_occlusion_strength * (mr.r - 1.0);
#elif defined(TEX_OCCLUSION)
    ao = 1.0 + u_occlusion_strength * (texture(u_tex_occlusion, xf(u_uvxf_occlusion, UV(UV_OCCLUSION))).r - 1.0);
#endif
#ifdef ANISOTROPY
    anisotropy_setup(n, ng, rough);
#endif
#ifdef DIFFUSE_TRANSMISSION
    diffuse_transmission_setup(metallic);
#endif
#ifdef IRIDESCENCE
    iridescence_setup(f0, mix(f90, 1.0, metallic), nv);
    vec3 kd = iridescent_weights(fr);  // fr becomes the film's Fresnel by the strength
#else
    vec3 kd = 1.0 - fr;                // the diffuse base's share (glTF's fresnel_mix)
#endif
    vec3 irradiance = env_irradiance(n);
#ifdef ANISOTROPY
    vec3 specular = env_radiance(anisotropic_reflection(n, v), anisotropic_env_roughness()) * fr;
#else
    vec3 specular = env_radiance(r, rough) * fr;
#endif
#ifdef DIFFUSE_TRANSMISSION
    vec3 color = (diffuse_transmission_ibl(diffuse, irradiance, n) * kd / PI + specular) * ao;
#else
    vec3 color = (diffuse * kd * irradiance / PI + specular) * ao;
#endif

#if defined(TRANSMISSION) && !defined(TRANSMISSION_BEHIND)
    color = apply_transmission(color, specular, base.rgb, n, v, fr, rough, metallic);
#endif
#ifdef SUN
    float own = 1.0;  // the share of the sun it lets through, for a surface in the see-through map
#if defined(ALPHA_BLEND) || defined(TRANSMISSION)
    float cover = 1.0;  // as sun_depth.frag casts it
#ifdef ALPHA_BLEND
    cover = alpha;
#endif
#ifdef TRANSMISSION
    cover *= 1.0 - transmission_factor();
#endif
    own = 1.0 - cover;
#endif
    float sun_visible = sun_visibility(v_world, ng, own);
    color += sun_light(n, v, nv, diffuse, f0, rough * rough, energy) * sun_visible;
#endif
#ifdef PUNCTUAL_LIGHTS
    vec3 lights_base, lights_sheen, lights_coat;
    punctual_layers(n, ng, v, nv, diffuse, f0, rough * rough, energy, lights_base, lights_sheen, lights_coat);
    // Before the sheen and the coat, which dim the layers below them, as they do the sun's light.
    color += lights_base;
#endif
#ifdef SHEEN
    color = apply_sheen(color, n, v, nv, ao);
#ifdef SUN
    color += sheen_light(n, v, u_sun_direction, nv) * u_sun_irradiance * sun_visible;
#endif
#ifdef PUNCTUAL_LIGHTS
    color += lights_sheen;
#endif
#endif
#ifdef CLEARCOAT
    color = apply_clearcoat(color, ng, v, ao);
#ifdef SUN
    color += clearcoat_light(ng, v, u_sun_direction, u_sun_alpha) * u_sun_irradiance * sun_visible;
#endif
#ifdef PUNCTUAL_LIGHTS
    color += lights_coat;
#endif
#endif
#endif
    vec3 emissive = u_emissive;
#ifdef TEX_EMISSIVE
    emissive *= texture(u_tex_emissive, xf(u_uvxf_emissive, UV(UV_EMISSIVE))).rgb;  // sRGB, decoded
#endif
#ifdef UNLIT
    color += emissive;  // unlit: the base colour as authored, not exposed or tone-mapped
#else
    color = tone_map((color + emissive) * u_exposure);
#endif
#if defined(TRANSMISSION_BEHIND) && !defined(UNLIT)
    // Drawn without blending: what is behind is in the result already, seen through the surface
    // (and, where BLEND alpha leaves the surface partly absent, beside it).
    vec4 through = transmitted_light(n, v, rough, base.rgb);
    vec3 t = (1.0 - fr) * transmission;
    vec4 surface = vec4(clamp(color, 0.0, 1.0) + t * through.rgb, 1.0 - dot(t, vec3(1.0 / 3.0)) * through.a);
    vec4 here = behind_at(v_world, 0.0);
    here.rgb += (1.0 - here.a) * u_backdrop.rgb * u_backdrop.w;
    here.a = mix(here.a, 1.0, u_backdrop.w);
    frag_color = mix(here, surface, alpha);
#else
#if defined(TRANSMISSION) && !defined(UNLIT)
    alpha = transmission_alpha(alpha, fr, metallic);
#endif
#ifdef MIRROR
    alpha = mirror_alpha(alpha);
#endif
    frag_color = vec4(clamp(color, 0.0, 1.0) * alpha, alpha);
#endif
}
