// KHR_materials_transmission with KHR_materials_ior, as a thin-walled glass approximation: the
// refracted studio (blurred by roughness) tinted by the base colour replaces diffuse, and the
// backdrop shows through the alpha it leaves (no screen-space refraction of the model itself).
#ifdef TRANSMISSION
uniform float u_transmission;
uniform float u_ior;

vec3 apply_transmission(vec3 color, vec3 specular, vec3 base, vec3 n, vec3 v, vec3 fr, float rough,
                        float metallic) {
    vec3 refracted = env_radiance(refract(-v, n, 1.0 / u_ior), rough) * base;
    return mix(color, specular + refracted * (1.0 - fr) * 0.35, u_transmission * (1.0 - metallic));
}

float transmission_alpha(float alpha, vec3 fr, float metallic) {
    return alpha * (1.0 - 0.65 * u_transmission * (1.0 - metallic) * (1.0 - max(fr.r, max(fr.g, fr.b))));
}
#endif
