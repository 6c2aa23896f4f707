// World-space position, normal and tangent for the lighting in mesh.frag; skinned on the GPU
// (linear blend of up to eight joint matrices) when SKINNED; placed by a per-instance matrix first
// when INSTANCED (EXT_mesh_gpu_instancing).
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

#ifdef INSTANCED
// This instance's matrix (mesh space -> node space), one column per attribute, each read once per
// instance (attribute divisor 1; gpu_scene.GpuInstances). u_model then takes node space onwards.
in vec4 a_instance0;
in vec4 a_instance1;
in vec4 a_instance2;
in vec4 a_instance3;
#endif

uniform mat4 u_model;
uniform mat3 u_normal_matrix;
uniform mat4 u_view_proj;

out vec3 v_world;
out vec3 v_normal;

void main() {
#if defined(SKINNED)
    mat4 skin = skin_matrix();
    vec4 world = u_model * (skin * vec4(a_position, 1.0));
    v_normal = u_normal_matrix * (mat3(skin) * a_normal);
#elif defined(INSTANCED)
    mat4 instance = mat4(a_instance0, a_instance1, a_instance2, a_instance3);
    mat3 linear = mat3(instance);
    // Normals go by the inverse transpose. The cofactor matrix is that times the determinant, so
    // with the determinant's sign it points the same way (outwards on mirrored instances too) and
    // costs three cross products instead of an inverse() per vertex. Normalised before u_normal_matrix,
    // like the normals of baked geometry (gpu_scene._bake), so both shade alike.
    mat3 cofactor = mat3(cross(linear[1], linear[2]), cross(linear[2], linear[0]), cross(linear[0], linear[1]));
    float handedness = dot(linear[0], cofactor[0]) < 0.0 ? -1.0 : 1.0;
    vec4 world = u_model * (instance * vec4(a_position, 1.0));
    v_normal = u_normal_matrix * normalize(handedness * (cofactor * a_normal));
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
#if defined(SKINNED)
    v_tangent = vec4(mat3(u_model) * (mat3(skin) * a_tangent.xyz), a_tangent.w);
#elif defined(INSTANCED)
    v_tangent = vec4(mat3(u_model) * normalize(linear * a_tangent.xyz), a_tangent.w);  // as baked tangents
#else
    v_tangent = vec4(mat3(u_model) * a_tangent.xyz, a_tangent.w);
#endif
#endif
    gl_Position = u_view_proj * world;
}
