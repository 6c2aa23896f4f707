"""Stage 6, encode: frames to video files through ffmpeg, and all-or-nothing output sets."""
