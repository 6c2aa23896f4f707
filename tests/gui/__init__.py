"""Desktop app tests, in a real window under Xvfb."""
