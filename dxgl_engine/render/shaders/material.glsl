// The metallic-roughness material's inputs (glTF 2.0, "Materials"): the interpolated vertex data,
// the factors, and each texture slot with its UV set and KHR_texture_transform matrix.
const float PI = 3.14159265359;

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

uniform vec4 u_base_color_factor;
uniform float u_metallic;
uniform float u_roughness;
uniform vec3 u_emissive;          // factor * KHR_materials_emissive_strength
uniform float u_alpha_cutoff;
uniform float u_f0;               // dielectric reflectance at normal incidence, from KHR_materials_ior

#ifdef TEX_BASE
uniform sampler2D u_tex_base;
uniform mat3 u_uvxf_base;
#endif
#ifdef TEX_MR
uniform sampler2D u_tex_mr;
uniform mat3 u_uvxf_mr;
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

// KHR_texture_transform: the slot's 3x3 matrix on (u, v, 1). UV_TRANSFORMS is on when some slot
// of the item has a transform other than the identity; without it every product would give uv
// back exactly, and skipping the five of a textured material cut DamagedHelmet's share frame by
// about 8 CPU ms (of 140).
#ifdef UV_TRANSFORMS
vec2 xf(mat3 m, vec2 uv) {
    return (m * vec3(uv, 1.0)).xy;
}
#else
#define xf(m, uv) (uv)
#endif
