"""Stage 7, pipeline: settings to finished files (videos, batches, datasets) with progress."""
