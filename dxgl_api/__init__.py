"""dxgl_api: the /v1 REST service (Flask + flask-smorest, peewee, huey) around dxgl_engine.

Kept import-free on purpose: the `dxgl` command loads `dxgl_api.cli` to register its
subcommands on every run, so importing the package must not pull in Flask or the engine.
Build the web app with `dxgl_api.app.create_app`; talk to a server with `dxgl_api.client`.
"""
