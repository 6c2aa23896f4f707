// The floor reflection's fade (MIRROR, the reflection pass, which draws the model in its real
// place through a mirrored projection, lit as the mirrored eye sees it): the reflection fades with
// its depth below the floor, the real point's height above it, and nothing of the model below the
// floor shows in it.
#ifdef MIRROR
uniform vec2 u_mirror;            // reflection strength at the floor, fade length (world units)

float mirror_alpha(float alpha) {
    if (v_world.y < -1e-4 * u_mirror.y) discard;
    return alpha * u_mirror.x * exp(-v_world.y / u_mirror.y);
}
#endif
