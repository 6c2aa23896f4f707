// Direct light: the model's KHR_lights_punctual lights (directional, point and spot, the range
// window and the spot's smooth cone falloff as the extension defines them) and the panorama's sun
// (sun.glsl), each shaded with the glTF BRDF (and the iridescence, anisotropy and diffuse
// transmission extensions where their defines are on).
#if defined(PUNCTUAL_LIGHTS) || defined(SUN)
// Radiance leaving towards v from light of unit irradiance (on a surface facing it) arriving
// from direction l: glTF 2.0 appendix B's BRDF times N.L. `a` is GGX alpha (roughness squared);
// `energy` (ibl.glsl, specular_albedo) scales the GGX lobe for the light it loses between
// microfacets.
vec3 direct_light(vec3 n, vec3 v, float nv, vec3 l, vec3 diffuse, vec3 f0, float a, vec3 energy) {
    float nl = dot(n, l);
#ifdef DIFFUSE_TRANSMISSION
    if (nl <= 0.0) return diffuse_transmission_light(n, v, l, f0, nl);  // only what passes through
#else
    if (nl <= 0.0) return vec3(0.0);
#endif
    vec3 h = normalize(l + v);
    vec3 f = fresnel_schlick(f0, max(dot(v, h), 0.0));
#ifdef IRIDESCENCE
    vec3 kd = iridescent_weights(f);
#else
    vec3 kd = 1.0 - f;
#endif
#ifdef DIFFUSE_TRANSMISSION
    kd *= 1.0 - dt_strength;  // the share transmitted does not leave on the lit side
#endif
#ifdef ANISOTROPY
    vec3 spec = f * anisotropic_dv(n, h, l, v, nl, nv);
#else
    vec3 spec = f * (d_ggx(max(dot(n, h), 0.0), a) * v_smith_ggx(nl, nv, a));
#endif
    return (kd * diffuse / PI + spec * energy) * nl;
}
#endif

#ifdef PUNCTUAL_LIGHTS
// Per light: position (w = 1) or direction towards the light (w = 0); colour * intensity; the
// spot's direction (w = 1 for a spot); (range or 0, cone scale, offset).
uniform vec4 u_light_pos[8];    // a literal size: vispy reads array sizes from the source text
uniform vec3 u_light_color[8];
uniform vec4 u_light_spot[8];
uniform vec3 u_light_cone[8];

// Light i at this fragment: `l` receives the unit direction towards it; returns the irradiance it
// brings to a surface facing it (colour x intensity, over the squared distance for point and spot
// lights, with the range window and the spot's cone).
vec3 punctual_light(int i, out vec3 l) {
    l = u_light_pos[i].xyz;
    float atten = 1.0;
    if (u_light_pos[i].w > 0.5) {
        vec3 to = l - v_world;
        float d2 = max(dot(to, to), 1e-8);
        l = to * inversesqrt(d2);
        float range = u_light_cone[i].x;
        if (range > 0.0) atten = clamp(1.0 - pow(d2 / (range * range), 2.0), 0.0, 1.0);
        atten /= d2;
        if (u_light_spot[i].w > 0.5) {  // spot: smooth falloff between the cone angles
            float t = clamp(dot(u_light_spot[i].xyz, -l) * u_light_cone[i].y + u_light_cone[i].z, 0.0, 1.0);
            atten *= t * t;
        }
    }
    return u_light_color[i] * atten;
}
#endif
