"""Jupyter widget and notebook tests, executed by a real kernel."""
