// KHR_materials_sheen: cloth sheen as a grazing-angle lobe of the sheen colour lit by the
// surrounding irradiance (a rough lobe sees the blurred studio), its energy taken from the base
// layer.
#ifdef SHEEN
uniform vec3 u_sheen_color;
uniform float u_sheen_roughness;

vec3 apply_sheen(vec3 color, vec3 irradiance, float nv, float ao) {
    float sheen_albedo = (0.2 + 0.25 * u_sheen_roughness) * (1.0 - nv * 0.5);
    float sheen_max = max(u_sheen_color.r, max(u_sheen_color.g, u_sheen_color.b));
    float grazing = (1.0 - nv) * (1.0 - nv);
    return color * (1.0 - sheen_max * sheen_albedo)
         + u_sheen_color * irradiance / PI * (sheen_albedo * grazing * 2.0) * ao;
}
#endif
