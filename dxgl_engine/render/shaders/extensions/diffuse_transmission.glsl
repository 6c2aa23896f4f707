// KHR_materials_diffuse_transmission: thin surfaces (leaves, paper, lamp shades) let part of the
// light that is not specularly reflected through, leaving diffusely on the other side. The
// extension's "Material Structure Updates" make the dielectric base
//   mix(diffuse_brdf(color = baseColor), diffuse_btdf(color = diffuseTransmissionColor), diffuseTransmission)
// under the same Fresnel mix with the specular layer (which it leaves alone), the BTDF being
// Lambertian for light from the opposite hemisphere. Seen from the viewer's side that is light
// from behind the surface: the irradiance about -n for the environment, the punctual lights on the
// far side. Metals transmit nothing (the extension changes dielectric_brdf only).
#ifdef DIFFUSE_TRANSMISSION
uniform float u_diffuse_transmission;        // diffuseTransmissionFactor
uniform vec3 u_diffuse_transmission_color;   // diffuseTransmissionColorFactor (linear)
#ifdef TEX_DIFFUSE_TRANSMISSION
uniform sampler2D u_tex_diffuse_transmission;        // A: strength
uniform mat3 u_uvxf_diffuse_transmission;
#endif
#ifdef TEX_DIFFUSE_TRANSMISSION_COLOR
uniform sampler2D u_tex_diffuse_transmission_color;  // RGB: colour, sRGB (decoded by the sampler)
uniform mat3 u_uvxf_diffuse_transmission_color;
#endif

// Set by diffuse_transmission_setup() for the pixel: the transmitted share of the diffuse base and
// its colour, the non-metallic share already in it.
float dt_strength;
vec3 dt_color;

void diffuse_transmission_setup(float metallic) {
    dt_strength = u_diffuse_transmission;
#ifdef TEX_DIFFUSE_TRANSMISSION
    dt_strength *= texture(u_tex_diffuse_transmission, xf(u_uvxf_diffuse_transmission, UV(UV_DIFFUSE_TRANSMISSION))).a;
#endif
    dt_color = u_diffuse_transmission_color * (1.0 - metallic);
#ifdef TEX_DIFFUSE_TRANSMISSION_COLOR
    dt_color *= texture(u_tex_diffuse_transmission_color,
                        xf(u_uvxf_diffuse_transmission_color, UV(UV_DIFFUSE_TRANSMISSION_COLOR))).rgb;
#endif
}

// The diffuse base's light from the environment, before its Fresnel weight and 1/pi: the
// reflected share lit by the irradiance about n, the transmitted share by that about -n.
vec3 diffuse_transmission_ibl(vec3 diffuse, vec3 irradiance, vec3 n) {
    return mix(diffuse * irradiance, dt_color * env_irradiance(-n), dt_strength);
}

// A punctual light on the far side of the surface (n.l = nl < 0), per unit of its colour times
// attenuation: the Lambertian BTDF times |n.l|, weighted by 1 - F like the reflected diffuse, F
// taken at the half vector of v and the light mirrored to the viewer's side.
vec3 diffuse_transmission_light(vec3 n, vec3 v, vec3 l, vec3 f0, float nl) {
    vec3 mirrored = l - 2.0 * nl * n;
    vec3 f = fresnel_schlick(f0, max(dot(v, normalize(mirrored + v)), 0.0));
    return (1.0 - f) * dt_color * (dt_strength / PI * -nl);
}
#endif
