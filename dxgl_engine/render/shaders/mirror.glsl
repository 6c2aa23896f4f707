// The floor reflection's fade (MIRROR, the reflection pass): the mirrored model fades with its
// depth below the floor, and nothing of it may rise above the floor.
#ifdef MIRROR
uniform vec2 u_mirror;            // reflection strength at the floor, fade length (world units)

float mirror_alpha(float alpha) {
    if (v_world.y > 1e-4 * u_mirror.y) discard;
    return alpha * u_mirror.x * exp(v_world.y / u_mirror.y);
}
#endif
