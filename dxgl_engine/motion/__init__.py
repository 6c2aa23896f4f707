"""Stage 3, motion: camera paths and framing, settings and time in, one camera shot out."""
