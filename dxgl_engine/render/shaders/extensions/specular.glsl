// KHR_materials_specular: the dielectric layer's reflectance is tinted by specularColorFactor and
// scaled, with its grazing reflectance, by specularFactor.
#ifdef SPECULAR
uniform float u_specular;
uniform vec3 u_specular_color;

void apply_specular(inout vec3 dielectric_f0, inout float f90) {
    dielectric_f0 = min(dielectric_f0 * u_specular_color, vec3(1.0)) * u_specular;
    f90 = u_specular;
}
#endif
