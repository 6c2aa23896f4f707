// The shading normal: the geometric normal perturbed by the normal texture (glTF 2.0,
// "normalTexture", tangent space), with the primitive's tangents or, where it has none, a
// cotangent frame from screen-space derivatives.
#ifdef TEX_NORMAL
uniform sampler2D u_tex_normal;
uniform mat3 u_uvxf_normal;
uniform float u_normal_scale;
#endif

vec3 shading_normal(vec3 n) {
#ifdef TEX_NORMAL
    vec2 uv = xf(u_uvxf_normal, UV(UV_NORMAL));
#ifdef HAS_TANGENT
    vec3 t = normalize(v_tangent.xyz - n * dot(n, v_tangent.xyz));
    vec3 b = cross(n, t) * (v_tangent.w < 0.0 ? -1.0 : 1.0);
    if (!gl_FrontFacing) { t = -t; b = -b; }
#else
    vec3 dp1 = dFdx(v_world), dp2 = dFdy(v_world);
    vec2 du1 = dFdx(uv), du2 = dFdy(uv);
    vec3 dp2p = cross(dp2, n), dp1p = cross(n, dp1);
    vec3 t = dp2p * du1.x + dp1p * du2.x;
    vec3 b = dp2p * du1.y + dp1p * du2.y;
    float inv = inversesqrt(max(max(dot(t, t), dot(b, b)), 1e-20));
#ifdef MIRROR
    inv = -inv;  // the floor reflection's projection mirrors the screen, which turns this frame over
#endif
    t *= inv; b *= inv;
#endif
    vec3 tn = texture(u_tex_normal, uv).xyz * 2.0 - 1.0;
    tn.xy *= u_normal_scale;
    n = normalize(mat3(t, b, n) * tn);
#endif
    return n;
}
