// KHR_materials_sheen: the velvet lobe of cloth, as the extension defines it: sheen colour times
// the "Charlie" distribution with Neubelt's visibility, lit by the environment (the GGX-prefiltered
// radiance at the sheen roughness stands in for a Charlie-prefiltered one: both lobes are wide at
// the roughness cloth has) and weighted by its directional albedo E(NdotV, roughness) from the BRDF
// table's blue channel (lighting/ibl.py, sheen_albedo_table), and by the panorama's sun and the
// model's punctual lights (sheen_light). The layers below lose what the sheen reflects: they are
// scaled by 1 - max(sheenColor) E (the extension's "albedo scaling").
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

// The sheen colour and roughness: factors times their textures.
void sheen_inputs(out vec3 sheen_color, out float rough) {
    sheen_color = u_sheen_color;
#ifdef TEX_SHEEN_COLOR
    sheen_color *= texture(u_tex_sheen_color, xf(u_uvxf_sheen_color, UV(UV_SHEEN_COLOR))).rgb;
#endif
    rough = u_sheen_roughness;
#ifdef TEX_SHEEN_ROUGHNESS
    rough *= texture(u_tex_sheen_roughness, xf(u_uvxf_sheen_roughness, UV(UV_SHEEN_ROUGHNESS))).a;
#endif
    rough = clamp(rough, 0.03, 1.0);
}

vec3 apply_sheen(vec3 color, vec3 n, vec3 v, float nv, float ao) {
    vec3 sheen_color;
    float rough;
    sheen_inputs(sheen_color, rough);
    float albedo = texture(u_brdf_lut, lut_uv(nv, rough)).b;
    vec3 sheen = sheen_color * env_radiance(reflect(-v, n), rough) * albedo * ao;
    return color * (1.0 - max(sheen_color.r, max(sheen_color.g, sheen_color.b)) * albedo) + sheen;
}

// The sheen lobe lit by unit irradiance from direction l (the sun or a punctual light; the layers
// below were scaled by apply_sheen): sheenColor D V N.L with the extension's Charlie distribution
// (Estevez & Kulla 2017, alpha = roughness^2) and Neubelt's visibility, as sheen_albedo_table
// integrates them.
vec3 sheen_light(vec3 n, vec3 v, vec3 l, float nv) {
    float nl = dot(n, l);
    if (nl <= 0.0) return vec3(0.0);
    vec3 sheen_color;
    float rough;
    sheen_inputs(sheen_color, rough);
    float inv_a = 1.0 / max(rough * rough, 1e-3);
    float nh = max(dot(n, normalize(l + v)), 0.0);
    float d = (2.0 + inv_a) * pow(max(1.0 - nh * nh, 0.0), 0.5 * inv_a) / (2.0 * PI);
    float vis = 1.0 / (4.0 * (nl + nv - nl * nv));
    return sheen_color * (d * vis * nl);
}
#endif
