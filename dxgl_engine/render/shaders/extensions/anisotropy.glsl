// KHR_materials_anisotropy: a specular lobe stretched along a direction in the surface, as brushed
// metal shows. The direction is anisotropyRotation (and the texture's RG, rotated by it) in the
// tangent frame; along it the GGX alpha is raised to mix(alpha, 1, strength^2), across it stays
// alpha (the extension's "Anisotropy" section). Punctual lights get the anisotropic GGX
// distribution and height-correlated Smith visibility the "Implementation" section defines; the
// image-based light, whose prefiltered maps are isotropic, a bent reflection and a wider lobe
// (anisotropic_reflection, anisotropic_env_roughness).
#ifdef ANISOTROPY
#ifndef HAS_TANGENT
#error "ANISOTROPY needs tangents: gpu_scene gives every anisotropic item a_tangent"
#endif
uniform float u_anisotropy;             // anisotropyStrength
uniform vec2 u_anisotropy_rotation;     // (cos, sin) of anisotropyRotation
#ifdef TEX_ANISOTROPY
uniform sampler2D u_tex_anisotropy;     // RG: direction in [-1, 1] tangent space; B: strength
uniform mat3 u_uvxf_anisotropy;
#endif

// Set by anisotropy_setup() for the pixel: the stretched direction, the one across it (both in the
// shading normal's plane), their alphas and the strength.
vec3 aniso_t;
vec3 aniso_b;
float aniso_at;
float aniso_ab;
float aniso_strength;

void anisotropy_setup(vec3 n, vec3 ng, float rough) {
    vec2 dir = u_anisotropy_rotation;
    float strength = u_anisotropy;
#ifdef TEX_ANISOTROPY
    vec3 texel = texture(u_tex_anisotropy, xf(u_uvxf_anisotropy, UV(UV_ANISOTROPY))).rgb;
    vec2 d = texel.rg * 2.0 - 1.0;
    d = dot(d, d) > 1e-8 ? normalize(d) : vec2(1.0, 0.0);  // a zero vector: the tangent, as with no texture
    dir = mat2(dir.x, dir.y, -dir.y, dir.x) * d;             // turned counter-clockwise by the rotation
    strength *= texel.b;
#endif
    // The vertex tangent frame about the geometric normal, as normals.glsl builds it (glTF
    // "Meshes": bitangent = cross(normal, tangent.xyz) * w; back faces mirrored).
    vec3 t = normalize(v_tangent.xyz - ng * dot(ng, v_tangent.xyz));
    vec3 b = cross(ng, t) * (v_tangent.w < 0.0 ? -1.0 : 1.0);
    if (!gl_FrontFacing) { t = -t; b = -b; }
    // Into the shading normal's plane, so that (T, B, n) is orthonormal for D and V under a
    // normal map too (the spec's listing crosses with the geometric normal).
    vec3 at_dir = t * dir.x + b * dir.y;
    at_dir -= n * dot(n, at_dir);
    aniso_t = dot(at_dir, at_dir) > 1e-12 ? normalize(at_dir) : t;
    aniso_b = cross(n, aniso_t);
    float alpha = rough * rough;
    aniso_strength = strength;
    aniso_at = mix(alpha, 1.0, strength * strength);
    aniso_ab = alpha;
}

// D * V for a punctual light (the specular BRDF without F): the anisotropic GGX
// D = 1 / (pi at ab ((T.h / at)^2 + (B.h / ab)^2 + (n.h)^2)^2) and the height-correlated Smith
// V = 0.5 / (n.l |(at T.v, ab B.v, n.v)| + n.v |(at T.l, ab B.l, n.l)|). With at = ab = alpha both
// reduce to brdf.glsl's isotropic d_ggx and v_smith_ggx.
float anisotropic_dv(vec3 n, vec3 h, vec3 l, vec3 v, float nl, float nv) {
    float at = aniso_at, ab = aniso_ab;
    vec3 hs = vec3(dot(aniso_t, h) / at, dot(aniso_b, h) / ab, max(dot(n, h), 0.0));
    float k = dot(hs, hs);
    float d = 1.0 / (PI * at * ab * k * k);
    float gv = nl * length(vec3(at * dot(aniso_t, v), ab * dot(aniso_b, v), nv));
    float gl = nv * length(vec3(at * dot(aniso_t, l), ab * dot(aniso_b, l), nl));
    return d * 0.5 / max(gv + gl, 1e-5);
}

// The reflected direction for the prefiltered environment. Microfacet normals spread by at lie
// about the arc of normals through n in the plane across B; seen from v, that arc's middle is the
// normal facing the viewer most, v's projection on the plane. The normal is bent from n towards
// it by strength^2, the share by which at has gone from alpha towards 1: no bend when isotropic,
// the arc's middle when at reaches 1.
vec3 anisotropic_reflection(vec3 n, vec3 v) {
    vec3 facing = v - aniso_b * dot(aniso_b, v);
    float len2 = dot(facing, facing);
    vec3 middle = len2 > 1e-8 ? facing * inversesqrt(len2) : n;
    vec3 bent = normalize(mix(n, middle, aniso_strength * aniso_strength));
    return reflect(-v, bent);
}

// The perceptual roughness of the isotropic lobe covering the same solid angle as the stretched
// one (alpha^2 = at * ab): strength 0 gives the material's roughness back.
float anisotropic_env_roughness() {
    return sqrt(sqrt(aniso_at * aniso_ab));
}
#endif
