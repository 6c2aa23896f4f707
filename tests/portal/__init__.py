"""Web portal tests: pages through the Flask client, a real headless chromium against a real server, webhooks."""
