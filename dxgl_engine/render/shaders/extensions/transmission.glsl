// KHR_materials_transmission with KHR_materials_ior, KHR_materials_volume and
// KHR_materials_dispersion.
//
// With TRANSMISSION_BEHIND (the model pass over the supersampled frame) transmission is physically
// based, as the extensions define it: what is behind the surface (the frame drawn so far, floor and
// opaque parts, in u_behind with its mip chain) is seen along the refracted ray, blurred by the
// roughness the IOR leaves to it, tinted by the base colour and, inside a volume, displaced by the
// thickness and absorbed over the distance travelled (Beer-Lambert: attenuationColor per
// attenuationDistance). Dispersion refracts red, green and blue with their own IOR. The backdrop
// shows through when it is a known colour (u_backdrop.w = 1); otherwise (a transparent output or an
// image backdrop, composited later) the alpha leaves it to show through, at the mean transmittance.
// Sources: KHR_materials_transmission ("Transmission BTDF"), KHR_materials_volume ("Thickness",
// "Attenuation"), KHR_materials_dispersion ("Dispersion"); the roughness a refraction keeps,
// roughness * clamp(2 ior - 2, 0, 1), follows the glTF Sample Viewer's published formula.
//
// Without it (the mirrored reflection, which has no frame behind it yet) a thin-walled
// approximation: the refracted studio tinted by the base colour, the backdrop through the alpha.
#ifdef TRANSMISSION
uniform float u_transmission;
uniform float u_ior;
#ifdef TEX_TRANSMISSION
uniform sampler2D u_tex_transmission;  // R: the transmission factor's share
uniform mat3 u_uvxf_transmission;
#endif

// transmissionFactor times transmissionTexture's red channel.
float transmission_factor() {
#ifdef TEX_TRANSMISSION
    return u_transmission * texture(u_tex_transmission, xf(u_uvxf_transmission, UV(UV_TRANSMISSION))).r;
#else
    return u_transmission;
#endif
}

#ifdef TRANSMISSION_BEHIND
uniform sampler2D u_behind;       // premultiplied colour + coverage of this tile drawn so far (behind.py)
uniform float u_behind_levels;    // log2 of its larger side: the level a fully rough surface reads
uniform vec4 u_backdrop;          // the backdrop's linear colour, w = 1 when it is known
uniform mat4 u_view_proj;
#ifdef VOLUME
// Lengths in the item's vertex units (a baked item's node scale applied); u_model takes them to
// the world, as it does the vertices.
uniform float u_thickness;
uniform vec3 u_attenuation_color;
uniform float u_attenuation_distance; // 0: infinite, nothing absorbed
uniform mat4 u_model;
#ifdef TEX_THICKNESS
uniform sampler2D u_tex_thickness;     // G: the thickness factor's share
uniform mat3 u_uvxf_thickness;
#endif

// thicknessFactor times thicknessTexture's green channel, in the item's vertex units.
float thickness() {
#ifdef TEX_THICKNESS
    return u_thickness * texture(u_tex_thickness, xf(u_uvxf_thickness, UV(UV_THICKNESS))).g;
#else
    return u_thickness;
#endif
}
#endif
#ifdef DISPERSION
uniform float u_dispersion;
#endif

// The frame behind a point, as premultiplied colour and coverage, blurred to mip level `lod`.
vec4 behind_at(vec3 world, float lod) {
    vec4 clip = u_view_proj * vec4(world, 1.0);
    vec2 uv = clamp(clip.xy / clip.w * 0.5 + 0.5, 0.0, 1.0);
    return textureLod(u_behind, uv, lod);
}

// Where a ray refracted with `ior` leaves the volume (thin-walled: the surface point itself).
vec3 exit_point(vec3 n, vec3 v, float ior) {
#ifdef VOLUME
    return v_world + normalize(refract(-v, n, 1.0 / ior)) * (thickness() * length(u_model[0].xyz));
#else
    return v_world;
#endif
}

// Light through the surface towards the eye, premultiplied (rgb), and how much of the still
// unknown backdrop it lets through (a): the caller mixes it with the reflected light.
vec4 transmitted_light(vec3 n, vec3 v, float rough, vec3 base) {
    float lod = u_behind_levels * rough * clamp(u_ior * 2.0 - 2.0, 0.0, 1.0);
#ifdef DISPERSION
    float half_spread = (u_ior - 1.0) * 0.025 * u_dispersion;
    vec4 r = behind_at(exit_point(n, v, u_ior - half_spread), lod);
    vec4 g = behind_at(exit_point(n, v, u_ior), lod);
    vec4 b = behind_at(exit_point(n, v, u_ior + half_spread), lod);
    vec3 seen = vec3(r.r, g.g, b.b);
    vec3 uncovered = 1.0 - vec3(r.a, g.a, b.a);
#else
    vec4 s = behind_at(exit_point(n, v, u_ior), lod);
    vec3 seen = s.rgb;
    vec3 uncovered = vec3(1.0 - s.a);
#endif
    vec3 absorbed = vec3(1.0);
#ifdef VOLUME
    if (u_attenuation_distance > 0.0) absorbed = pow(u_attenuation_color, vec3(thickness() / u_attenuation_distance));
#endif
    vec3 tint = base * absorbed;
    seen += uncovered * u_backdrop.rgb * u_backdrop.w;
    float through = dot(tint * uncovered, vec3(1.0 / 3.0)) * (1.0 - u_backdrop.w);
    return vec4(tint * seen, through);
}
#else
vec3 apply_transmission(vec3 color, vec3 specular, vec3 base, vec3 n, vec3 v, vec3 fr, float rough,
                        float metallic) {
    vec3 refracted = env_radiance(refract(-v, n, 1.0 / u_ior), rough) * base;
    return mix(color, specular + refracted * (1.0 - fr) * 0.35, transmission_factor() * (1.0 - metallic));
}

float transmission_alpha(float alpha, vec3 fr, float metallic) {
    return alpha * (1.0 - 0.65 * transmission_factor() * (1.0 - metallic) * (1.0 - max(fr.r, max(fr.g, fr.b))));
}
#endif
#endif
