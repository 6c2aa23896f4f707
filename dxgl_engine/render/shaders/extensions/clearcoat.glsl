// KHR_materials_clearcoat: a clear varnish on the geometric normal, with its own image-based
// reflection (F0 0.04), over the base seen through it.
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
#endif
