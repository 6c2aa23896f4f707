"""REST API tests: Flask test client, a real server process and a real huey worker."""
