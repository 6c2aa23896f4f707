// The specular microfacet BRDF of glTF 2.0 (appendix B): the GGX (Trowbridge-Reitz) normal
// distribution, the height-correlated Smith visibility term and Schlick's Fresnel. `a` is the
// perceptual roughness squared.
float d_ggx(float nh, float a) {
    float a2 = a * a;
    float f = nh * nh * (a2 - 1.0) + 1.0;
    return a2 / (PI * f * f);
}

float v_smith_ggx(float nl, float nv, float a) {
    float a2 = a * a;
    float gv = nl * sqrt(nv * nv * (1.0 - a2) + a2);
    float gl = nv * sqrt(nl * nl * (1.0 - a2) + a2);
    return 0.5 / max(gv + gl, 1e-5);
}

vec3 fresnel_schlick(vec3 f0, float vh) {
    float fw = 1.0 - vh;
    return f0 + (1.0 - f0) * (fw * fw * fw * fw * fw);
}
