"""Tokens: Bearer dxgl_sk_…, stored as a hash only, scopes, expiry, revocation, suspension."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from dxgl_api.accounts import create_token, find_user, revoke_token, set_suspended
from dxgl_api.auth import SCOPES, expand_scopes
from dxgl_api.db import connection
from dxgl_api.tables import Token, utcnow


def code(r) -> tuple[int, str]:
    return r.status_code, r.json["error"]["code"]


def test_missing_malformed_unknown(client):
    assert code(client.get("/v1/account")) == (401, "unauthorized")
    assert code(client.get("/v1/account", headers={"Authorization": "Token abc"})) == (401, "unauthorized")
    assert code(client.get("/v1/account", headers={"Authorization": "Bearer dxgl_sk_nope"})) == (401, "unauthorized")
    r = client.get("/v1/account", headers={"Authorization": "Bearer"})
    assert code(r) == (401, "unauthorized") and r.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_is_stored_only_as_hash(alice):
    assert alice.token.startswith("dxgl_sk_") and len(alice.token) > 40
    with connection():
        rows = list(Token.select())
    assert all(alice.token not in str(row.__data__) for row in rows)
    assert any(row.token_hash == hashlib.sha256(alice.token.encode()).hexdigest() for row in rows)


def test_account(client, alice):
    r = client.get("/v1/account", headers=alice.headers)
    assert r.status_code == 200
    data = r.json["data"]
    assert (data["id"], data["email"], data["credits"]) == (alice.user_id, "alice@example.com", 10)
    assert data["maxLength"] == 30 and data["plan"] == "free"


def test_revoked(client, alice):
    with connection():
        revoke_token(alice.token)
    assert code(client.get("/v1/account", headers=alice.headers)) == (401, "unauthorized")


def test_expired(client, make_account):
    account = make_account(expires_in_days=1)
    assert client.get("/v1/account", headers=account.headers).status_code == 200
    with connection():
        Token.update(expires_at=utcnow() - timedelta(seconds=1)).execute()
    assert code(client.get("/v1/account", headers=account.headers)) == (401, "token_expired")


def test_suspended(client, alice):
    with connection():
        set_suspended(find_user(alice.email), True)
    assert code(client.get("/v1/account", headers=alice.headers)) == (403, "forbidden")
    with connection():
        set_suspended(find_user(alice.email), False)
    assert client.get("/v1/account", headers=alice.headers).status_code == 200


ENDPOINT_SCOPES = [
    ("get", "/v1/models", "models:read"),
    ("post", "/v1/models", "models:write"),
    ("post", "/v1/models/ingest", "models:write"),
    ("post", "/v1/models/check-hash", "models:read"),
    ("get", "/v1/models/x", "models:read"),
    ("patch", "/v1/models/x", "models:write"),
    ("delete", "/v1/models/x", "models:write"),
    ("get", "/v1/models/x/file", "models:read"),
    ("patch", "/v1/models/x/archive", "models:write"),
    ("patch", "/v1/models/x/unarchive", "models:write"),
    ("get", "/v1/renders", "renders:read"),
    ("post", "/v1/renders", "renders:write"),
    ("post", "/v1/renders/batch", "renders:write"),
    ("get", "/v1/renders/x", "renders:read"),
    ("patch", "/v1/renders/x/dismiss", "renders:write"),
    ("delete", "/v1/renders/x", "renders:write"),
    ("get", "/v1/renders/x/video", "renders:read"),
    ("get", "/v1/renders/x/poster", "renders:read"),
    ("get", "/v1/renders/x/thumb", "renders:read"),
    ("get", "/v1/renders/x/bundle", "renders:read"),
    ("get", "/v1/overlays", "overlays:read"),
    ("post", "/v1/overlays", "overlays:write"),
    ("delete", "/v1/overlays/x", "overlays:write"),
    ("get", "/v1/account", "account:read"),
    ("get", "/v1/account/ledger", "account:read"),
    ("post", "/v1/quote", "account:read"),
]


@pytest.mark.parametrize("method,path,scope", ENDPOINT_SCOPES)
def test_scopes(client, make_account, method, path, scope):
    others = [s for s in SCOPES if s != scope]
    without = make_account(scopes=others)
    r = getattr(client, method)(path, headers=without.headers)
    assert code(r) == (403, "insufficient_scope") and scope in r.json["error"]["message"]
    with_it = make_account(scopes=[scope])
    r = getattr(client, method)(path, headers=with_it.headers)
    assert r.status_code not in (401, 403)
    assert code(getattr(client, method)(path)) == (401, "unauthorized")


def test_scope_shorthands():
    assert expand_scopes(["read"]) == [s for s in SCOPES if s.endswith(":read")]
    assert expand_scopes(["models", "renders:read"]) == ["models:read", "models:write", "renders:read"]
    assert expand_scopes(["all"]) == list(SCOPES)
    with pytest.raises(ValueError):
        expand_scopes(["everything"])


def test_read_only_token_cannot_spend(client, make_account):
    account = make_account(scopes=["read"])
    assert client.get("/v1/models", headers=account.headers).status_code == 200
    assert code(client.post("/v1/renders", json={"modelId": "x"}, headers=account.headers)) == (403,
                                                                                               "insufficient_scope")


def test_second_token_of_same_account(client, alice):
    with connection():
        _, raw = create_token(find_user(alice.email), scopes=["account:read"])
    assert client.get("/v1/account", headers={"Authorization": f"Bearer {raw}"}).json["data"]["id"] == alice.user_id
