// Static meshes: world-space position, normal and tangent for the lighting in mesh.frag.
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

uniform mat4 u_model;
uniform mat3 u_normal_matrix;
uniform mat4 u_view_proj;

out vec3 v_world;
out vec3 v_normal;

void main() {
    vec4 world = u_model * vec4(a_position, 1.0);
    v_world = world.xyz;
    v_normal = u_normal_matrix * a_normal;
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
    v_tangent = vec4(mat3(u_model) * a_tangent.xyz, a_tangent.w);
#endif
    gl_Position = u_view_proj * world;
}
