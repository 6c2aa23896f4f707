"""dxgl test suite: engine, API, desktop app and notebook tests (see README, Tests)."""
