"""Stage 4, lighting: environments, image-based lighting tables and the look."""
