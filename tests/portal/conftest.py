"""Fixtures for the portal tests: an app on its own data folder (jobs run inside the request with
the API tests' fake engine), accounts with passwords, and a test client that signs in like a
browser (it reads the CSRF token from the page's form, as a browser would submit it)."""
from __future__ import annotations

import itertools
import re

import pytest

from dxgl_api.accounts import create_user
from dxgl_api.app import create_app
from dxgl_api.config import Config
from dxgl_api.db import connection
from dxgl_api.portal import people
from dxgl_api.portal.views import limiter
from tests.api.conftest import fake_engine  # noqa: F401  (the API tests' fake render_batch)

PASSWORD = "correct horse battery"


def pytest_configure(config):
    config.addinivalue_line("markers", "real_engine: renders with the real engine (no fake render_batch)")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def config(tmp_path) -> Config:
    return Config(data_dir=tmp_path / "data", queue_url="memory", immediate=True, signup_credits=10)


@pytest.fixture
def app(config):
    app = create_app(config)
    limiter.reset()  # one in-memory limiter per process: start every test with clean counts
    return app


_emails = itertools.count()


@pytest.fixture
def make_person(app):
    def make(email=None, *, admin=False, credits=None, password=PASSWORD):
        email = email or f"person{next(_emails)}@example.com"
        with connection():
            user = create_user(email, admin=admin, initial_credits=credits)
            if password:
                people.set_password(user, password)
        return user

    return make


def csrf_of(html: bytes | str) -> str:
    text = html.decode() if isinstance(html, bytes) else html
    return CSRF.search(text).group(1)


def sign_in(client, email, password=PASSWORD):
    token = csrf_of(client.get("/signin").data)
    return client.post("/signin", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def browser_of(app):
    """A signed-in test client for a person."""

    def make(user, password=PASSWORD):
        client = app.test_client()
        r = sign_in(client, user.email, password)
        assert r.status_code == 303, r.data
        return client

    return make


# --- the real browser -------------------------------------------------------------------------
SCREENSHOTS: list[str] = []
INSTALL = "apt-get install chromium chromium-driver  (or: sudo tools/install_system_deps.sh)"


def new_driver(download_dir=None, size=(1280, 900)):
    """Debian's headless chromium through Debian's chromedriver (nothing is downloaded at run time).
    Missing either one FAILS the test with the install command: a browser test that skips proves nothing."""
    import shutil

    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.fail(f"the portal's browser tests need Debian's chromium and chromedriver: {INSTALL}", pytrace=False)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={size[0]},{size[1]}", "--disable-extensions", "--no-first-run"):
        options.add_argument(arg)
    if download_dir:
        options.add_experimental_option("prefs", {"download.default_directory": str(download_dir),
                                                  "download.prompt_for_download": False})
    return webdriver.Chrome(service=Service(driver), options=options)


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS:
        terminalreporter.write_sep("-", "portal screenshots")
        for path in SCREENSHOTS:
            terminalreporter.write_line(path)
