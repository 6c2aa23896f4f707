// KHR_materials_iridescence: a thin dielectric film over the base whose interference colours the
// specular Fresnel (Belcour & Barla 2017, "A Practical Extension to Microfacet Theory for the
// Modeling of Varying Iridescence"). The film's Fresnel is evaluated as the extension's
// "Implementation Notes" / "Iridescence Fresnel" give it: Schlick's Fresnel at both interfaces, the
// Airy series to second order and the analytic spectral integration of the paper's section 4. The
// layer then follows "Iridescence BRDF": the specular Fresnel becomes mix(F, F_film, iridescence)
// and the base under it is weighted by 1 - max(F_film) (rgb_mix), so no complementary colours
// appear in the diffuse.
//
// F_film is evaluated once per pixel, at n.v, and enters as the change it makes to the base's
// Fresnel there, F_film(n.v) - F_base(n.v), added to the Fresnel term each lobe already uses: the
// split-sum albedo (whose integral over the lobe has no closed form for the film's curve) and
// Schlick's F(v.h) of each punctual light (a highlight is bright where h is near n, where v.h is
// n.v; evaluating the film per light at v.h would repeat its 4 cos, 4 exp and 3x3 product per
// Airy order for every light). Replacing the split-sum albedo by F_film outright would put the
// single angle's Schlick curve in place of the lobe's average: with no film at all (F_film =
// F_base), a black sphere of roughness 0.3 came out up to 76 levels brighter at its rim.
#ifdef IRIDESCENCE
uniform float u_iridescence;            // iridescenceFactor
uniform float u_iridescence_ior;        // iridescenceIor, the film's
uniform vec2 u_iridescence_thickness;   // (iridescenceThicknessMinimum, iridescenceThicknessMaximum), nm
#ifdef TEX_IRIDESCENCE
uniform sampler2D u_tex_iridescence;    // R: strength
uniform mat3 u_uvxf_iridescence;
#endif
#ifdef TEX_IRIDESCENCE_THICKNESS
uniform sampler2D u_tex_iridescence_thickness;  // G: thickness between the minimum and the maximum
uniform mat3 u_uvxf_iridescence_thickness;
#endif

// Set by iridescence_setup() for the pixel; read by iridescent_weights().
float iridescence_strength;
vec3 iridescence_delta;   // F_film(n.v) - F_base(n.v)

// CIE 1931 XYZ to linear Rec. 709 (the primaries dxgl shades in), column by column.
const mat3 XYZ_TO_REC709 = mat3(3.2404542, -0.9692660, 0.0556434,
                                -1.5371385, 1.8760108, -0.2040259,
                                -0.4985314, 0.0415560, 1.0572252);

// The colours (linear Rec. 709) of the first two interference terms, of optical path difference
// `opd` and 2 opd (nm) and phase `shift` and 2 shift: the colour matching functions' Fourier
// transform, which Belcour & Barla fit with Gaussians (val, pos, var per XYZ channel plus a second
// lobe for X, as the extension lists them). Their constants are folded here: amplitude =
// val * sqrt(2 pi var) / 1.0685e-7 (the normalisation), pos' = pos * 2 pi 1e-9 and
// var' = var * (2 pi 1e-9)^2, so the phase 2 pi opd 1e-9 is never formed. The second term comes
// from the first's cosines and Gaussians (cos 2x = 2 cos^2 x - 1, exp(-4 v o^2) = exp(-v o^2)^4),
// not from 4 more cos and exp: an iridescent sphere filling a 192 px frame (supersampled 2x) took
// 5.6-6.1 instead of 8.8 ms more than the plain one's 21 ms (tools/bench/material_extensions.py).
void film_sensitivities(float opd, vec3 shift, out vec3 first, out vec3 second) {
    const vec3 amplitude = vec3(0.8465900, 1.0002219, 1.0011225);
    const vec3 pos = vec3(1.056203e-02, 1.128020e-02, 1.387579e-02);
    const vec3 var = vec3(1.708547e-07, 3.673309e-07, 2.610352e-07);
    float opd2 = opd * opd;
    vec3 c = cos(pos * opd + shift);
    vec3 g = exp(-var * opd2);
    float cx = cos(1.407371e-02 * opd + shift.x);
    float gx = exp(-1.787662e-07 * opd2);
    vec3 g2 = g * g;
    float gx2 = gx * gx;
    vec3 xyz1 = amplitude * c * g;
    vec3 xyz2 = amplitude * (2.0 * c * c - 1.0) * (g2 * g2);
    xyz1.x += 0.1538683 * cx * gx;
    xyz2.x += 0.1538683 * (2.0 * cx * cx - 1.0) * (gx2 * gx2);
    first = XYZ_TO_REC709 * xyz1;
    second = XYZ_TO_REC709 * xyz2;
}

float film_schlick(float r0, float c) {
    float w = 1.0 - c;
    float w2 = w * w;
    return r0 + (1.0 - r0) * (w2 * w2 * w);
}

// Reflectance of a film of index `eta2` and thickness `d` (nm) in air over a base of
// normal-incidence reflectance `f0`, at cosine `cos1` of the incident angle.
vec3 film_fresnel(float cos1, vec3 f0, float eta2, float d) {
    // Snell's law into the film (the outside is air, eta1 = 1); eta2 >= 1, so no total reflection.
    float sin2_sq = (1.0 - cos1 * cos1) / (eta2 * eta2);
    float cos2 = sqrt(max(1.0 - sin2_sq, 0.0));
    // First interface, air -> film.
    float r12_0 = (eta2 - 1.0) / (eta2 + 1.0);
    float R12 = film_schlick(r12_0 * r12_0, cos1);
    float T121 = 1.0 - R12;
    // Second interface, film -> base: the base's index from its F0 (real: a metal's extinction
    // cannot be told from F0, as the extension notes). F0 is kept below 1, where the index blows up.
    vec3 sf0 = sqrt(clamp(f0, 0.0, 0.9999));
    vec3 eta3 = (1.0 + sf0) / (1.0 - sf0);
    vec3 r23_0 = (eta3 - eta2) / (eta3 + eta2);
    vec3 R23 = r23_0 * r23_0 + (1.0 - r23_0 * r23_0) * pow(1.0 - cos2, 5.0);
    // Phase changes on reflection, in the extension's convention: phi12 = pi where the film is
    // less dense than the outside, phi21 = pi - phi12; phi23 = pi where the base is less dense
    // than the film.
    float phi21 = eta2 < 1.0 ? 0.0 : PI;
    vec3 phi = phi21 + mix(vec3(0.0), vec3(PI), lessThan(eta3, vec3(eta2)));
    // Optical path difference of one round trip in the film: 2 eta2 d cos(theta2) (the paper's
    // D; the extension's listing writes cos(theta1), the angle outside the film).
    float opd = 2.0 * eta2 * d * cos2;
    // The Airy series: the mean term, then two pairs of interference terms (Belcour & Barla, eq. 10).
    vec3 R123 = clamp(R12 * R23, 1e-5, 0.9999);
    vec3 r123 = sqrt(R123);
    vec3 Rs = T121 * T121 * R23 / (1.0 - R123);
    vec3 C1 = (Rs - T121) * r123;
    vec3 C2 = C1 * r123;
    vec3 s1, s2;
    film_sensitivities(opd, phi, s1, s2);
    vec3 I = R12 + Rs + 2.0 * (C1 * s1 + C2 * s2);
    return max(I, vec3(0.0));
}

// The film over this pixel: strength (iridescenceFactor times the texture's R) and thickness
// (iridescenceThicknessMaximum, or between the minimum and the maximum by the texture's G), and
// the change its Fresnel makes over a base of reflectance `f0` at normal and `f90` at grazing
// incidence (dielectric F0, KHR_materials_specular included, or the metal's base colour; one
// evaluation with the metallic-blended F0, exact at metallic 0 and 1).
void iridescence_setup(vec3 f0, float f90, float nv) {
    iridescence_strength = u_iridescence;
#ifdef TEX_IRIDESCENCE
    iridescence_strength *= texture(u_tex_iridescence, xf(u_uvxf_iridescence, UV(UV_IRIDESCENCE))).r;
#endif
    float d = u_iridescence_thickness.y;
#ifdef TEX_IRIDESCENCE_THICKNESS
    float g = texture(u_tex_iridescence_thickness, xf(u_uvxf_iridescence_thickness, UV(UV_IRIDESCENCE_THICKNESS))).g;
    d = mix(u_iridescence_thickness.x, u_iridescence_thickness.y, g);
#endif
    float w = 1.0 - nv;
    float w2 = w * w;
    vec3 f_base = f0 + (f90 - f0) * (w2 * w2 * w);
    // A film vanishing to nothing should leave the base's Fresnel, which the model above does not
    // reach (Schlick's term gives an index-matched interface a grazing reflection): its change
    // fades in over the first 30 nm, a tenth of the shortest visible wavelength. The extension
    // leaves thickness 0 undefined.
    iridescence_delta = (film_fresnel(nv, f0, u_iridescence_ior, d) - f_base) * smoothstep(0.0, 30.0, d);
}

// The film applied to a specular Fresnel `f` (in place); returns the diffuse base's weight.
// Strength 0 returns 1 - f and leaves f as it was.
vec3 iridescent_weights(inout vec3 f) {
    vec3 f_film = clamp(f + iridescence_delta, 0.0, 1.0);
    float film_max = max(f_film.r, max(f_film.g, f_film.b));
    vec3 kd = mix(1.0 - f, vec3(1.0 - film_max), iridescence_strength);
    f = mix(f, f_film, iridescence_strength);
    return kd;
}
#endif
