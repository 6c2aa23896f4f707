"""Sign-in, sessions, CSRF, throttling, one-time links, the admin's people page and `dxgl admin
invite`: Flask test-client tests against the real app and database."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from dxgl_api.db import connection
from dxgl_api.portal import people
from dxgl_api.portal.tables import BrowserSession, Password
from dxgl_api.tables import User

from .conftest import PASSWORD, csrf_of, sign_in


def test_pages_need_a_session(app):
    client = app.test_client()
    for path in ("/", "/keys", "/credits", "/overlays", "/render", "/admin"):
        r = client.get(path)
        assert r.status_code == 302 and r.location.startswith("/signin?next="), path
    r = client.get("/app/v1/models")
    assert r.status_code == 401 and r.json["error"]["code"] == "unauthorized"


def test_sign_in_sets_a_hardened_cookie_and_signs_out(app, make_person):
    ann = make_person("ann@example.com")
    client = app.test_client()
    r = sign_in(client, "ANN@example.com ", PASSWORD)
    assert r.status_code == 303 and r.location == "/"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # plain HTTP here
    page = client.get("/")
    assert page.status_code == 200 and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"
    with connection():
        stored = Password.get(Password.user == ann.id).hash
        assert stored.startswith("$argon2id$") and PASSWORD not in stored
        assert BrowserSession.select().count() == 1
    token = csrf_of(client.get("/").data)
    assert client.post("/signout", data={"csrf_token": token}).status_code == 303
    assert client.get("/").status_code == 302
    with connection():
        assert BrowserSession.select().count() == 0  # ended server-side, not only in the cookie


def test_cookie_is_secure_behind_tls(app, make_person):
    make_person("tls@example.com")
    client = app.test_client()
    token = csrf_of(client.get("/signin", base_url="https://portal.example").data)
    form = {"email": "tls@example.com", "password": PASSWORD, "csrf_token": token}
    # Over TLS Flask-WTF also wants a same-origin Referer (a browser sends one)
    assert client.post("/signin", base_url="https://portal.example", data=form).status_code == 403
    r = client.post("/signin", base_url="https://portal.example", data=form,
                    headers={"Referer": "https://portal.example/signin"})
    assert r.status_code == 303 and "Secure" in r.headers["Set-Cookie"]


def test_wrong_password_and_unknown_email_read_alike(app, make_person):
    make_person("bob@example.com")
    client = app.test_client()
    a = sign_in(client, "bob@example.com", "wrong password!")
    b = sign_in(client, "nobody@example.com", "wrong password!")
    assert a.status_code == b.status_code == 401
    assert b"Wrong email or password." in a.data and b"Wrong email or password." in b.data


def test_sign_in_is_throttled_per_email(app, make_person):
    make_person("carol@example.com")
    client = app.test_client()
    codes = [sign_in(client, "carol@example.com", f"guess number {i}").status_code for i in range(6)]
    assert codes == [401] * 5 + [429]
    r = sign_in(client, "carol@example.com", PASSWORD)  # even the right password waits
    assert r.status_code == 429 and b"Too many sign-in attempts" in r.data
    assert sign_in(app.test_client(), "someone@example.com", "x" * 12).status_code == 401  # other emails unaffected


def test_csrf_refused_without_the_token(app, make_person, browser_of):
    dave = make_person("dave@example.com")
    r = app.test_client().post("/signin", data={"email": "dave@example.com", "password": PASSWORD})
    assert r.status_code == 403 and b"did not come from this site" in r.data
    client = browser_of(dave)
    r = client.post("/keys", data={"name": "x", "scopes": ["models:read"]})
    assert r.status_code == 403
    r = client.post("/app/v1/models/whatever/archive", headers={"Accept": "application/json"})
    assert r.status_code == 403 and r.json["error"]["message"].startswith("This form has expired")
    r = client.patch("/app/v1/models/whatever/archive", headers={"X-CSRFToken": "forged"})
    assert r.status_code == 403
    token = csrf_of(client.get("/keys").data)
    r = client.patch("/app/v1/models/whatever/archive", headers={"X-CSRFToken": token})
    assert r.status_code == 404 and r.json["error"]["code"] == "model_not_found"  # past CSRF, the API's answer


def test_api_is_not_subject_to_csrf(app, make_person):
    from dxgl_api.accounts import create_token

    erin = make_person("erin@example.com")
    with connection():
        _, raw = create_token(erin)
    r = app.test_client().post("/v1/quote", json={"renders": [{"quality": "4k"}]},
                               headers={"Authorization": f"Bearer {raw}"})
    assert r.status_code == 200 and r.json["data"]["creditsRequired"] == 16


def test_invitation_link_works_once(app, make_person, browser_of):
    admin = make_person("root@example.com", admin=True)
    client = browser_of(admin)
    token = csrf_of(client.get("/admin").data)
    r = client.post("/admin", data={"csrf_token": token, "action": "invite", "email": "new@example.com"})
    assert r.status_code == 200
    link = re.search(r'id="invite-link" readonly value="([^"]+)"', r.data.decode()).group(1)
    path = link.replace("http://localhost", "")
    assert path.startswith("/welcome/")
    guest = app.test_client()
    page = guest.get(path)
    assert page.status_code == 200 and b"new@example.com" in page.data
    short = guest.post(path, data={"csrf_token": csrf_of(page.data), "password": "short", "confirm": "short"})
    assert short.status_code == 400 and b"at least 10 characters" in short.data
    r = guest.post(path, data={"csrf_token": csrf_of(page.data), "password": "a new password", "confirm":
                               "a new password"})
    assert r.status_code == 303 and guest.get("/").status_code == 200
    again = app.test_client().get(path)
    assert again.status_code == 404 and b"used already" in again.data
    assert sign_in(app.test_client(), "new@example.com", "a new password").status_code == 303


def test_admin_suspends_and_adds_credits(app, make_person, browser_of):
    admin = make_person("boss@example.com", admin=True)
    frank = make_person("frank@example.com")
    frank_client = browser_of(frank)
    client = browser_of(admin)
    token = csrf_of(client.get("/admin").data)
    r = client.post("/admin", data={"csrf_token": token, "action": "credits", "user_id": frank.id, "credits": "25"})
    assert r.status_code == 303
    r = client.post("/admin", data={"csrf_token": token, "action": "credits", "user_id": frank.id, "credits": "-3"})
    assert r.status_code == 400 and b"must be positive" in r.data
    r = client.post("/admin", data={"csrf_token": token, "action": "suspend", "user_id": frank.id})
    assert r.status_code == 303
    with connection():
        f = User.get_by_id(frank.id)
        assert f.credits == 35 and f.suspended and f.plan == "paid"
    assert frank_client.get("/").status_code == 302  # signed out everywhere
    r = sign_in(app.test_client(), "frank@example.com", PASSWORD)
    assert r.status_code == 401 and b"suspended" in r.data
    assert browser_of(make_person()).get("/admin").status_code == 404  # not an admin: no such page


def test_next_is_only_a_local_path(app, make_person):
    make_person("gina@example.com")
    client = app.test_client()
    token = csrf_of(client.get("/signin").data)
    r = client.post("/signin", data={"email": "gina@example.com", "password": PASSWORD, "csrf_token": token,
                                     "next": "//evil.example/x"})
    assert r.location == "/"


def test_cli_invite_prints_a_working_link(tmp_path):
    exe = Path(sys.executable).parent / "dxgl"
    out = subprocess.run([str(exe), "admin", "--data-dir", str(tmp_path), "invite", "--email", "hal@example.com",
                          "--base-url", "https://dxgl.example"], capture_output=True, text=True, check=True)
    link = out.stdout.strip()
    assert link.startswith("https://dxgl.example/welcome/")
    from dxgl_api import runtime
    from dxgl_api.config import Config

    runtime.configure(Config(data_dir=tmp_path, queue_url="memory"))
    with connection():
        assert people.link_user(link.rsplit("/", 1)[1]).email == "hal@example.com"
