// KHR_materials_sheen: the velvet lobe of cloth, as the extension defines it: sheen colour times
// the "Charlie" distribution with Neubelt's visibility, lit by the environment (the GGX-prefiltered
// radiance at the sheen roughness stands in for a Charlie-prefiltered one: both lobes are wide at
// the roughness cloth has) and weighted by its directional albedo E(NdotV, roughness) from the BRDF
// table's blue channel (lighting/ibl.py, sheen_albedo_table). The layers below lose what the sheen
// reflects: they are scaled by 1 - max(sheenColor) E (the extension's "albedo scaling").
#ifdef SHEEN
uniform vec3 u_sheen_color;
uniform float u_sheen_roughness;
#ifdef TEX_SHEEN_COLOR
uniform sampler2D u_tex_sheen_color;      // RGB, sRGB-encoded colour (decoded by the sampler)
uniform mat3 u_uvxf_sheen_color;
#endif
#ifdef TEX_SHEEN_ROUGHNESS
uniform sampler2D u_tex_sheen_roughness;  // A: the roughness factor's share
uniform mat3 u_uvxf_sheen_roughness;
#endif

vec3 apply_sheen(vec3 color, vec3 n, vec3 v, float nv, float ao) {
    vec3 sheen_color = u_sheen_color;
#ifdef TEX_SHEEN_COLOR
    sheen_color *= texture(u_tex_sheen_color, xf(u_uvxf_sheen_color, UV(UV_SHEEN_COLOR))).rgb;
#endif
    float rough = u_sheen_roughness;
#ifdef TEX_SHEEN_ROUGHNESS
    rough *= texture(u_tex_sheen_roughness, xf(u_uvxf_sheen_roughness, UV(UV_SHEEN_ROUGHNESS))).a;
#endif
    rough = clamp(rough, 0.03, 1.0);
    float albedo = texture(u_brdf_lut, lut_uv(nv, rough)).b;
    vec3 sheen = sheen_color * env_radiance(reflect(-v, n), rough) * albedo * ao;
    return color * (1.0 - max(sheen_color.r, max(sheen_color.g, sheen_color.b)) * albedo) + sheen;
}
#endif
