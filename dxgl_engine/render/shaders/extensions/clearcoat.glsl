// KHR_materials_clearcoat: a clear varnish on the geometric normal, with its own image-based
// reflection (F0 0.04) and the highlights of the panorama's sun and the model's punctual lights,
// over the base seen through it.
#ifdef CLEARCOAT
uniform float u_clearcoat;
uniform float u_clearcoat_roughness;

vec3 apply_clearcoat(vec3 color, vec3 ng, vec3 v, float ao) {
    float ccnv = clamp(dot(ng, v), 1e-4, 1.0);
    float ccr = clamp(u_clearcoat_roughness, 0.03, 1.0);
    vec2 ccab = texture(u_brdf_lut, lut_uv(ccnv, ccr)).rg;
    float ccf = 0.04 * ccab.x + ccab.y;
    return color * (1.0 - u_clearcoat * ccf) + u_clearcoat * env_radiance(reflect(-v, ng), ccr) * ccf * ao;
}

// The coat lit by unit irradiance from direction l (the sun or a punctual light; the base was
// dimmed by apply_clearcoat): clearcoat x Schlick's Fresnel (F0 0.04) x GGX D V N.L on the
// geometric normal, at GGX alpha at least `min_alpha` (a light's own size widens the highlight).
vec3 clearcoat_light(vec3 ng, vec3 v, vec3 l, float min_alpha) {
    float nl = dot(ng, l);
    if (nl <= 0.0) return vec3(0.0);
    float ccnv = clamp(dot(ng, v), 1e-4, 1.0);
    float ccr = clamp(u_clearcoat_roughness, 0.03, 1.0);
    float a = min(ccr * ccr + min_alpha, 1.0);
    vec3 h = normalize(l + v);
    float f = fresnel_schlick(vec3(0.04), max(dot(v, h), 0.0)).r;
    return vec3(u_clearcoat * f * d_ggx(max(dot(ng, h), 0.0), a) * v_smith_ggx(nl, ccnv, a) * nl);
}
#endif
