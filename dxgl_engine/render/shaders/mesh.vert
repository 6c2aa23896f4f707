// World-space position, normal and tangent for the lighting in mesh.frag; skinned on the GPU
// (linear blend of up to eight joint matrices) when SKINNED.
// Compiled per feature set (#defines from gpu_scene.DrawItem.features): a varying that a
// material does not use costs interpolation on every pixel of a software rasteriser.
in vec3 a_position;
in vec3 a_normal;
#ifdef HAS_UV0
in vec2 a_uv0;
out vec2 v_uv0;
#endif
#ifdef HAS_UV1
in vec2 a_uv1;
out vec2 v_uv1;
#endif
#ifdef HAS_COLOR
in vec4 a_color;
out vec4 v_color;
#endif
#ifdef HAS_TANGENT
in vec4 a_tangent;
out vec4 v_tangent;
#endif

#ifdef SKINNED
// Joint matrices (bind space -> scene space), one row of four RGBA32F texels (columns) per joint.
uniform sampler2D u_joints;
in vec4 a_joints0;
in vec4 a_weights0;
#ifdef SKIN_SET2
in vec4 a_joints1;
in vec4 a_weights1;
#endif
mat4 joint_matrix(float index) {
    int j = int(index + 0.5);
    return mat4(texelFetch(u_joints, ivec2(0, j), 0), texelFetch(u_joints, ivec2(1, j), 0),
                texelFetch(u_joints, ivec2(2, j), 0), texelFetch(u_joints, ivec2(3, j), 0));
}
mat4 skin_matrix() {
    mat4 m = a_weights0.x * joint_matrix(a_joints0.x) + a_weights0.y * joint_matrix(a_joints0.y)
           + a_weights0.z * joint_matrix(a_joints0.z) + a_weights0.w * joint_matrix(a_joints0.w);
    float total = dot(a_weights0, vec4(1.0));
#ifdef SKIN_SET2
    m += a_weights1.x * joint_matrix(a_joints1.x) + a_weights1.y * joint_matrix(a_joints1.y)
       + a_weights1.z * joint_matrix(a_joints1.z) + a_weights1.w * joint_matrix(a_joints1.w);
    total += dot(a_weights1, vec4(1.0));
#endif
    return total > 1e-9 ? m : mat4(1.0);
}
#endif

uniform mat4 u_model;
uniform mat3 u_normal_matrix;
uniform mat4 u_view_proj;

out vec3 v_world;
out vec3 v_normal;

void main() {
#ifdef SKINNED
    mat4 skin = skin_matrix();
    vec4 world = u_model * (skin * vec4(a_position, 1.0));
    v_normal = u_normal_matrix * (mat3(skin) * a_normal);
#else
    vec4 world = u_model * vec4(a_position, 1.0);
    v_normal = u_normal_matrix * a_normal;
#endif
    v_world = world.xyz;
#ifdef HAS_UV0
    v_uv0 = a_uv0;
#endif
#ifdef HAS_UV1
    v_uv1 = a_uv1;
#endif
#ifdef HAS_COLOR
    v_color = a_color;
#endif
#ifdef HAS_TANGENT
#ifdef SKINNED
    v_tangent = vec4(mat3(u_model) * (mat3(skin) * a_tangent.xyz), a_tangent.w);
#else
    v_tangent = vec4(mat3(u_model) * a_tangent.xyz, a_tangent.w);
#endif
#endif
    gl_Position = u_view_proj * world;
}
